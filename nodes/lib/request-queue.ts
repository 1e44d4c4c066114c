import { ClosedError, QueueFullError } from './failure';

/** What a {@link RequestQueue} does with its jobs. */
export interface QueueWorker<Job> {
    /** Makes the job's request; `signal`, the job's own, is aborted if the queue closes first. Settles once the job has ended. */
    run(job: Job, signal: AbortSignal): Promise<void>;
    /** Ends a job that will never run: the queue is full or closed. */
    refuse(job: Job, reason: Error): void;
    /**
     * The job's sequence, if it has one (e.g. its conversation): jobs of one
     * sequence run one at a time, in the order they were added, while other
     * jobs pass them. Asked once when the job is added and once when it ends.
     */
    sequenceOf?(job: Job): string | undefined;
}

/**
 * Runs at most `maxInFlight` jobs at once (0 = no limit) and keeps up to
 * `maxQueued` more waiting, first in, first out; beyond that a job is
 * refused at once, so a burst cannot grow memory without bound.
 * `close()` aborts what is in flight and refuses what waits.
 *
 * A waiting job is held as it was given: no promise or closure per entry,
 * since a burst may park thousands of them.
 *
 * A job of a sequence whose earlier job is still waiting or running waits
 * apart, behind it; when that one ends, the next of its sequence joins the
 * end of the queue. So one busy sequence takes one slot at a time, and the
 * others are not held up behind it.
 */
export class RequestQueue<Job> {
    // One controller per job in flight: aborting it aborts that job's request.
    private readonly running = new Set<AbortController>();
    private closed = false;
    private refillScheduled = false;
    // An array read from `head` on, compacted now and then: shift() on a long queue is O(n).
    private waiting: (Job | undefined)[] = [];
    private head = 0;
    // For each sequence with a job waiting or running: the jobs that follow it, in order.
    private readonly followers = new Map<string, Job[]>();
    private following = 0;

    constructor(
        private readonly maxInFlight: number,
        private readonly maxQueued: number,
        private readonly worker: QueueWorker<Job>,
    ) {}

    get inFlight(): number {
        return this.running.size;
    }

    /** Jobs waiting, also those waiting behind an earlier job of their sequence. */
    get queued(): number {
        return this.waiting.length - this.head + this.following;
    }

    /** Runs the job now, queues it, or refuses it through the worker. */
    add(job: Job): void {
        if (this.closed) return this.worker.refuse(job, new ClosedError());
        const sequence = this.worker.sequenceOf?.(job);
        const behind = sequence === undefined ? undefined : this.followers.get(sequence);
        // Behind jobs that wait for a refill on the next turn, a new job waits too: first in, first out.
        const startsNow = !behind && this.hasRoom() && this.waiting.length === this.head;
        if (!startsNow && this.queued >= this.maxQueued) return this.worker.refuse(job, new QueueFullError(this.maxQueued));
        if (behind) {
            behind.push(job);
            this.following += 1;
            return;
        }
        if (sequence !== undefined) this.followers.set(sequence, []);
        if (startsNow) this.start(job);
        else this.waiting.push(job);
    }

    /** Aborts every job in flight and refuses every waiting one with a {@link ClosedError}. */
    close(): void {
        const waiting = [...(this.waiting.slice(this.head) as Job[]), ...[...this.followers.values()].flat()];
        this.waiting = [];
        this.head = 0;
        this.followers.clear();
        this.following = 0;
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
            this.advance(job);
            this.refill();
        };
        // A run that rejects (it should not) must still free its slot.
        this.worker.run(job, controller.signal).then(release, release);
    }

    /** The job ended: the next job of its sequence, if any, joins the end of the queue. */
    private advance(job: Job): void {
        const sequence = this.worker.sequenceOf?.(job);
        const behind = sequence === undefined ? undefined : this.followers.get(sequence);
        if (!behind || this.closed) return;
        const next = behind.shift();
        if (next === undefined) {
            this.followers.delete(sequence as string);
            return;
        }
        this.following -= 1;
        this.waiting.push(next);
    }

    /**
     * Refills the slots freed in this turn of the event loop together, on the
     * next turn: the loop first reads the other answers at hand, which costs
     * the HTTP client less CPU per request than starting each request from the
     * end of the one before, as Node-RED's own message delivery does (BENCHMARKS.md).
     */
    private refill(): void {
        if (this.closed || this.waiting.length === this.head || this.refillScheduled) return;
        this.refillScheduled = true;
        setImmediate(() => {
            this.refillScheduled = false;
            this.startWaiting();
        });
    }

    private startWaiting(): void {
        while (!this.closed && this.waiting.length > this.head && this.hasRoom()) {
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
