/**
 * The signal a request queue hands to each job it runs, raised if the queue
 * closes while the job runs. It behaves as an AbortSignal (`aborted`,
 * `reason`, an `abort` event, `onabort`), which the openai SDK checks before
 * each attempt and listens to while it waits to retry.
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
 */
export class CloseSignal extends EventTarget implements AbortSignal {
    aborted = false;
    reason: unknown = undefined;
    onabort: ((this: AbortSignal, event: Event) => unknown) | null = null;
    /** The controller of the request attempt under way, if a client handed one over. */
    attempt: AbortController | undefined = undefined;

    throwIfAborted(): void {
        if (this.aborted) throw this.reason;
    }

    /** Raises the signal, once: the attempt under way is aborted, listeners and `onabort` hear of it, later calls do nothing. */
    abort(reason: unknown): void {
        if (this.aborted) return;
        this.aborted = true;
        this.reason = reason;
        this.attempt?.abort(reason);
        const event = new Event('abort');
        this.onabort?.call(this, event);
        this.dispatchEvent(event);
    }
}
