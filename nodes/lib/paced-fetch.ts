import type { RateLimitPace } from './rate-limit';

/** The `fetch` the openai SDK takes as a client option. */
export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * The account's `fetch` for the SDK: each attempt (the SDK's own retries
 * included) is counted against the rate-limit pace, and every answer's
 * headers are read into it. A 429 comes back marked `x-should-retry: false`,
 * so that the SDK does not try again before the account's wait is over (it
 * caps `retry-after` at 60 s and otherwise backs off for at most 8 s): the
 * request pipeline tries the message again once the pace allows.
 */
export function pacedFetch(pace: RateLimitPace, fetchImpl: Fetch): Fetch {
    return async (input, init) => {
        pace.started(estimateTokens(init?.body));
        const response = await fetchImpl(input, init);
        pace.observe(response.headers, response.status);
        if (response.status !== 429) return response;
        const headers = new Headers(response.headers);
        headers.set('x-should-retry', 'false');
        return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    };
}

/**
 * About how many tokens a request spends of a token budget: its body's length
 * over four, the usual characters per token. Rough on purpose: parsing every
 * body to count better would cost more than the budget's slack.
 */
export function estimateTokens(body: unknown): number {
    return typeof body === 'string' ? Math.ceil(body.length / 4) : 0;
}
