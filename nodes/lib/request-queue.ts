import { ClosedError, QueueFullError } from './failure';

/** A request to make: it receives a signal that aborts it when the queue closes. */
export type Task<T> = (signal: AbortSignal) => Promise<T>;

interface Waiting<T> {
    task: Task<T>;
    resolve(value: T): void;
    reject(reason: Error): void;
}

/**
 * Runs at most `maxInFlight` tasks at once (0 = no limit) and keeps up to
 * `maxQueued` more waiting, first in, first out; beyond that a task is
 * refused at once, so a burst cannot grow memory without bound.
 * `close()` aborts what is in flight and rejects what waits.
 */
export class RequestQueue {
    // One controller per task, not one shared by all: the SDK ties each request's
    // signal to ours with AbortSignal.any, and Node.js cleans up the dependants of
    // a long-lived signal by walking all of them, which grows with every request.
    private readonly controllers = new Set<AbortController>();
    private closed = false;
    // An array read from `head` on, compacted now and then: shift() on a long queue is O(n).
    private waiting: Waiting<never>[] = [];
    private head = 0;

    constructor(
        private readonly maxInFlight: number,
        private readonly maxQueued: number,
    ) {}

    get inFlight(): number {
        return this.controllers.size;
    }

    get queued(): number {
        return this.waiting.length - this.head;
    }

    run<T>(task: Task<T>): Promise<T> {
        if (this.closed) return Promise.reject(new ClosedError());
        if (this.hasRoom()) return this.start(task);
        if (this.queued >= this.maxQueued) return Promise.reject(new QueueFullError(this.maxQueued));
        return new Promise<T>((resolve, reject) => {
            this.waiting.push({ task, resolve, reject } as Waiting<unknown> as Waiting<never>);
        });
    }

    /** Aborts every task in flight and rejects every waiting one with a {@link ClosedError}. */
    close(): void {
        this.closed = true;
        const waiting = this.waiting.slice(this.head);
        this.waiting = [];
        this.head = 0;
        for (const controller of this.controllers) controller.abort(new ClosedError());
        for (const entry of waiting) entry.reject(new ClosedError());
    }

    private hasRoom(): boolean {
        return this.maxInFlight <= 0 || this.controllers.size < this.maxInFlight;
    }

    private async start<T>(task: Task<T>): Promise<T> {
        const controller = new AbortController();
        this.controllers.add(controller);
        try {
            return await task(controller.signal);
        } finally {
            this.controllers.delete(controller);
            this.startNext();
        }
    }

    private startNext(): void {
        if (this.closed || this.queued === 0 || !this.hasRoom()) return;
        const next = this.waiting[this.head] as Waiting<unknown>;
        this.waiting[this.head] = undefined as unknown as Waiting<never>;
        this.head += 1;
        if (this.head > 1024 && this.head * 2 > this.waiting.length) {
            this.waiting = this.waiting.slice(this.head);
            this.head = 0;
        }
        this.start(next.task).then(next.resolve, next.reject);
    }
}
