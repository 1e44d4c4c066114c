import { ClosedError, QueueFullError } from './failure';

/** What a {@link RequestQueue} does with its jobs. */
export interface QueueWorker<Job> {
    /** Makes the job's request; `signal`, the job's own, is aborted if the queue closes first. Settles once the job has ended. */
    run(job: Job, signal: AbortSignal): Promise<void>;
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
    // One controller per job in flight: aborting it aborts that job's request.
    private readonly running = new Set<AbortController>();
    private closed = false;
    private refillScheduled = false;
    // An array read from `head` on, compacted now and then: shift() on a long queue is O(n).
    private waiting: (Job | undefined)[] = [];
    private head = 0;

    constructor(
        private readonly maxInFlight: number,
        private readonly maxQueued: number,
        private readonly worker: QueueWorker<Job>,
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
        // Behind jobs that wait for a refill on the next turn, a new job waits too: first in, first out.
        else if (this.hasRoom() && this.queued === 0) this.start(job);
        else if (this.queued >= this.maxQueued) this.worker.refuse(job, new QueueFullError(this.maxQueued));
        else this.waiting.push(job);
    }

    /** Aborts every job in flight and refuses every waiting one with a {@link ClosedError}. */
    close(): void {
        const waiting = this.waiting.slice(this.head) as Job[];
        this.waiting = [];
        this.head = 0;
        this.closed = true;
        for (const controller of this.running) controller.abort(new ClosedError());
        for (const job of waiting) this.worker.refuse(job, new ClosedError());
    }

    private hasRoom(): boolean {
        return this.maxInFlight <= 0 || this.running.size < this.maxInFlight;
    }

    private start(job: Job): void {
        // A signal per job rather than one per queue: the SDK listens to it for
        // each request, and more than ten listeners on one signal make Node.js warn of a leak.
        const controller = new AbortController();
        this.running.add(controller);
        const release = () => {
            this.running.delete(controller);
            this.refill();
        };
        // A run that rejects (it should not) must still free its slot.
        this.worker.run(job, controller.signal).then(release, release);
    }

    /**
     * Refills the slots freed in this turn of the event loop together, on the
     * next turn: the loop first reads the other answers at hand, which costs
     * the HTTP client less CPU per request than starting each request from the
     * end of the one before, as Node-RED's own message delivery does (BENCHMARKS.md).
     */
    private refill(): void {
        if (this.closed || this.queued === 0 || this.refillScheduled) return;
        this.refillScheduled = true;
        setImmediate(() => {
            this.refillScheduled = false;
            this.startWaiting();
        });
    }

    private startWaiting(): void {
        while (!this.closed && this.queued > 0 && this.hasRoom()) {
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
