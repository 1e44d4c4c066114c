import { CloseSignal } from './close-signal';
import { eventLoopIsBusy } from './event-loop-load';
import { ClosedError, QueueFullError } from './failure';

/** What a {@link RequestQueue} does with its jobs. */
export interface QueueWorker<Job> {
    /** Makes the job's request; `signal`, the job's own, is raised if the queue closes first. Settles once the job has ended. */
    run(job: Job, signal: CloseSignal): Promise<void>;
    /** Ends a job that will never run: the queue is full or closed. */
    refuse(job: Job, reason: Error): void;
}

/**
 * Runs at most `maxInFlight` jobs at once (0 = no limit) and keeps up to
 * `maxQueued` more waiting, first in, first out; beyond that a job is
 * refused at once, so a burst cannot grow memory without bound.
 * `close()` aborts what is in flight and refuses what waits.
 *
 * A waiting job is held as it was given: no promise or closure per entry,
 * since a burst may park thousands of them.
 */
export class RequestQueue<Job> {
    // The signals of the jobs in flight: raising them aborts those jobs.
    private readonly running = new Set<CloseSignal>();
    private closed = false;
    private refillScheduled = false;
    // An array read from `head` on, compacted now and then: shift() on a long queue is O(n).
    private waiting: (Job | undefined)[] = [];
    private head = 0;

    constructor(
        private readonly maxInFlight: number,
        private readonly maxQueued: number,
        private readonly worker: QueueWorker<Job>,
        private readonly loopIsBusy: () => boolean = eventLoopIsBusy,
    ) {}

    get inFlight(): number {
        return this.running.size;
    }

    get queued(): number {
        return this.waiting.length - this.head;
    }

    /** Runs the job now, queues it, or refuses it through the worker. */
    add(job: Job): void {
        if (this.closed) this.worker.refuse(job, new ClosedError());
        else if (this.hasRoom()) this.start(job);
        else if (this.queued >= this.maxQueued) this.worker.refuse(job, new QueueFullError(this.maxQueued));
        else this.waiting.push(job);
    }

    /** Aborts every job in flight and refuses every waiting one with a {@link ClosedError}. */
    close(): void {
        const waiting = this.waiting.slice(this.head) as Job[];
        this.waiting = [];
        this.head = 0;
        this.closed = true;
        for (const signal of this.running) signal.abort(new ClosedError());
        for (const job of waiting) this.worker.refuse(job, new ClosedError());
    }

    private hasRoom(): boolean {
        return this.maxInFlight <= 0 || this.running.size < this.maxInFlight;
    }

    private start(job: Job): void {
        const signal = new CloseSignal();
        this.running.add(signal);
        const release = () => {
            this.running.delete(signal);
            this.refill();
        };
        // A run that rejects (it should not) must still free its slot.
        this.worker.run(job, signal).then(release, release);
    }

    /**
     * Refills a freed slot with the next waiting job. While the event loop has
     * time to spare, at once, so that no request waits for the rest of the
     * loop's turn. While it is busy, on the next turn, together with the other
     * slots freed in this one: the loop first reads the answers at hand, which
     * costs the HTTP client less CPU per request than starting each request
     * from the end of the one before, and when the loop is the bottleneck no
     * request starts any later for it (BENCHMARKS.md).
     */
    private refill(): void {
        if (this.closed || this.queued === 0) return;
        if (!this.loopIsBusy()) {
            this.startWaiting(Infinity);
        } else if (!this.refillScheduled) {
            this.refillScheduled = true;
            setImmediate(() => {
                this.refillScheduled = false;
                this.startWaiting(Infinity);
            });
        }
    }

    private startWaiting(most: number): void {
        for (let started = 0; started < most && !this.closed && this.queued > 0 && this.hasRoom(); started++) {
            const next = this.waiting[this.head] as Job;
            this.waiting[this.head] = undefined;
            this.head += 1;
            this.start(next);
        }
        if (this.head > 1024 && this.head * 2 > this.waiting.length) {
            this.waiting = this.waiting.slice(this.head);
            this.head = 0;
        }
    }
}
