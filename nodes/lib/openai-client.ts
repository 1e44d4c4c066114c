import OpenAI from 'openai';
import { CloseSignal } from './close-signal';

type FetchWithTimeout = OpenAI['fetchWithTimeout'];

/**
 * The openai SDK's client, with one change: a request made with a
 * {@link CloseSignal} hands the signal the SDK's own controller of each
 * attempt, instead of leaving the SDK to tie the signal to that controller
 * (see CloseSignal for what that costs). Any other signal goes the SDK's way.
 */
export class OpenAIClient extends OpenAI {
    override fetchWithTimeout(...[url, init, ms, controller]: Parameters<FetchWithTimeout>): ReturnType<FetchWithTimeout> {
        const signal = init?.signal;
        if (!init || !(signal instanceof CloseSignal)) return super.fetchWithTimeout(url, init, ms, controller);
        signal.attempt = controller;
        // The SDK checked the signal before this attempt; it may have been raised since.
        if (signal.aborted) controller.abort(signal.reason);
        const { signal: _handedOver, ...unsignalled } = init;
        return super.fetchWithTimeout(url, unsignalled, ms, controller);
    }
}
