/**
 * The signal a request queue hands to every request it runs, raised once when
 * the queue closes. It behaves as an AbortSignal (`aborted`, `reason`, an
 * `abort` event, `onabort`) but is deliberately not a native one: the openai
 * SDK ties a native AbortSignal to each request's own through
 * `AbortSignal.any`, and Node.js keeps every such composite signal alive until
 * a finalizer has run, which cost ~50 µs of CPU per request (BENCHMARKS.md).
 * Any other signal the SDK just listens to, which costs next to nothing.
 */
export class CloseSignal extends EventTarget implements AbortSignal {
    aborted = false;
    reason: unknown = undefined;
    onabort: ((this: AbortSignal, event: Event) => unknown) | null = null;

    throwIfAborted(): void {
        if (this.aborted) throw this.reason;
    }

    /** Raises the signal, once: listeners and `onabort` hear of it, later calls do nothing. */
    abort(reason: unknown): void {
        if (this.aborted) return;
        this.aborted = true;
        this.reason = reason;
        const event = new Event('abort');
        this.onabort?.call(this, event);
        this.dispatchEvent(event);
    }
}
