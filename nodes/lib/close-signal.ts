/**
 * The signal a request queue hands to each job it runs, raised if the queue
 * closes while the job runs. It behaves as an AbortSignal (`aborted`,
 * `reason`, an `abort` event, `onabort`), which the openai SDK checks before
 * each attempt and listens to while it waits to retry or reads an answer.
 *
 * It is deliberately not a native AbortSignal: the SDK ties a native signal
 * to each request's own through `AbortSignal.any`, and Node.js keeps every
 * such composite alive until a finalizer has run; any other signal it follows
 * through weak references and a finalization registry. Both cost 10 to 30 µs
 * of CPU per request (BENCHMARKS.md). Instead, {@link OpenAIClient} hands the
 * signal the SDK's own controller of the attempt under way, and raising the
 * signal aborts that controller. One signal per job, not one per queue: the
 * SDK listens to the signal while it reads each answer, and more than ten
 * listeners on one signal make Node.js warn of a leak.
 *
 * Nor is it an EventTarget: one holds two maps, 466 B of heap for every
 * request in flight, for the one or two listeners a signal ever has.
 */
export class CloseSignal implements AbortSignal {
    aborted = false;
    reason: unknown = undefined;
    onabort: ((this: AbortSignal, event: Event) => unknown) | null = null;
    /** The controller of the request attempt under way, if a client handed one over. */
    attempt: AbortController | undefined = undefined;
    private listeners: EventListenerOrEventListenerObject[] = [];

    throwIfAborted(): void {
        if (this.aborted) throw this.reason;
    }

    /** Listens for `abort`, as EventTarget does: a listener already added is not added again. Other events never come. */
    addEventListener(type: string, listener: EventListenerOrEventListenerObject | null): void {
        if (type === 'abort' && listener && !this.listeners.includes(listener)) this.listeners.push(listener);
    }

    removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null): void {
        const index = type === 'abort' && listener ? this.listeners.indexOf(listener) : -1;
        if (index >= 0) this.listeners.splice(index, 1);
    }

    /**
     * Tells `onabort` and the listeners of an `abort` event, each at most once.
     * As with EventTarget, a listener that throws does not stop the others: its
     * error is thrown again on the next tick, where Node.js reports it.
     */
    dispatchEvent(event: Event): boolean {
        if (event.type !== 'abort') return true;
        const listeners = this.listeners;
        this.listeners = [];
        for (const listener of [this.onabort, ...listeners]) {
            try {
                if (typeof listener === 'function') listener.call(this, event);
                else listener?.handleEvent(event);
            } catch (error) {
                process.nextTick(() => {
                    throw error;
                });
            }
        }
        return true;
    }

    /** Raises the signal, once: the attempt under way is aborted, listeners and `onabort` hear of it, later calls do nothing. */
    abort(reason: unknown): void {
        if (this.aborted) return;
        this.aborted = true;
        this.reason = reason;
        this.attempt?.abort(reason);
        this.dispatchEvent(new Event('abort'));
    }
}
