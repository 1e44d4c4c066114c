import { ClosedError, QueueFullError } from './failure';

/** What a {@link RequestQueue} does with its jobs. */
export interface QueueWorker<Job> {
    /** Makes the job's request; `signal` aborts it when the queue closes. Settles once the job has ended. */
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
    // One controller per job, not one shared by all: the SDK ties each request's
    // signal to ours with AbortSignal.any, and Node.js cleans up the dependants of
    // a long-lived signal by walking all of them, which grows with every request.
    private readonly controllers = new Set<AbortController>();
    private closed = false;
    private waitingScheduled = false;
    // An array read from `head` on, compacted now and then: shift() on a long queue is O(n).
    private waiting: (Job | undefined)[] = [];
    private head = 0;

    constructor(
        private readonly maxInFlight: number,
        private readonly maxQueued: number,
        private readonly worker: QueueWorker<Job>,
    ) {}

    get inFlight(): number {
        return this.controllers.size;
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
        this.closed = true;
        const waiting = this.waiting.slice(this.head) as Job[];
        this.waiting = [];
        this.head = 0;
        for (const controller of this.controllers) controller.abort(new ClosedError());
        for (const job of waiting) this.worker.refuse(job, new ClosedError());
    }

    private hasRoom(): boolean {
        return this.maxInFlight <= 0 || this.controllers.size < this.maxInFlight;
    }

    private start(job: Job): void {
        const controller = new AbortController();
        this.controllers.add(controller);
        const release = () => {
            this.controllers.delete(controller);
            this.scheduleWaiting();
        };
        // A run that rejects (it should not) must still free its slot.
        this.worker.run(job, controller.signal).then(release, release);
    }

    /**
     * Starts waiting jobs on the next turn of the event loop, not inside the
     * continuation of the request that just ended: the loop first finishes the
     * I/O at hand, which costs the HTTP client less CPU per request (measured in
     * BENCHMARKS.md), and all the slots freed in one turn are filled together.
     */
    private scheduleWaiting(): void {
        if (this.waitingScheduled || this.queued === 0) return;
        this.waitingScheduled = true;
        setImmediate(() => {
            this.waitingScheduled = false;
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
