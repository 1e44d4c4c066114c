import type { RateLimitPace } from './rate-limit';

/** The `fetch` the openai SDK takes as a client option. */
export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * The account's `fetch` for the SDK: every answer's headers (the SDK's own
 * retries included) are read into the rate-limit pace, with the order the
 * request was sent in, so that a newer answer's count prevails over an older
 * one's; the pace counts the requests themselves as they start (see
 * withPace). A 429 comes back marked `x-should-retry: false`, so that the SDK
 * does not try again before the account's wait is over (it caps
 * `retry-after` at 60 s and otherwise backs off for at most 8 s): the request
 * pipeline tries the message again once the pace allows.
 */
export function pacedFetch(pace: RateLimitPace, fetchImpl: Fetch): Fetch {
    return async (input, init) => {
        const sentAs = pace.sending();
        const response = await fetchImpl(input, init);
        pace.observe(response.headers, response.status, sentAs);
        if (response.status !== 429) return response;
        const headers = new Headers(response.headers);
        headers.set('x-should-retry', 'false');
        return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    };
}

