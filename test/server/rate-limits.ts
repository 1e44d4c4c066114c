// The test server's rate limits, as OpenAI enforces them: a requests-per-
// minute and a tokens-per-minute budget, each a bucket that refills evenly
// over a minute. Every answer carries OpenAI's `x-ratelimit-*` headers; a
// request that finds a budget spent gets a 429 with `retry-after-ms` and
// `retry-after`.

export interface RateLimitOptions {
    /** Requests per minute; none = not limited. */
    requestsPerMinute?: number;
    /** Tokens per minute (a request's prompt and answer); none = not limited. */
    tokensPerMinute?: number;
    /**
     * How long the budgets' minute lasts, in ms; default 60,000. Shorter, the
     * budgets refill faster, and every header tells of that shorter minute in
     * real milliseconds: the benchmark runs a burst against 1,200 a minute in
     * seconds rather than minutes.
     */
    minuteMs?: number;
}

/** What the budgets let through and refused so far. */
export interface RateLimitTally {
    accepted: number;
    refused: number;
    /** The tokens of the accepted requests. */
    tokens: number;
}

/** What the server does with one request. */
export interface RateLimitVerdict {
    headers: Record<string, string>;
    /** Set when a budget is spent: the request gets a 429 and should come back after this many ms. */
    retryAfterMs?: number;
}

const MINUTE_MS = 60_000;

class Bucket {
    private level: number;
    private at: number;

    constructor(
        readonly limit: number,
        private readonly minuteMs: number,
        now: number,
    ) {
        this.level = limit;
        this.at = now;
    }

    /** What is left now, after refilling for the time since the last look. */
    left(now: number): number {
        this.level = Math.min(this.limit, this.level + ((now - this.at) * this.limit) / this.minuteMs);
        this.at = now;
        return this.level;
    }

    take(amount: number): void {
        this.level -= amount;
    }

    /** Milliseconds until `amount` is in the bucket (0 if it is now). */
    msUntil(amount: number, now: number): number {
        return Math.max(0, ((amount - this.left(now)) * this.minuteMs) / this.limit);
    }

    /** Milliseconds until the bucket is full again. */
    msUntilFull(now: number): number {
        return ((this.limit - this.left(now)) * this.minuteMs) / this.limit;
    }
}

/** Both budgets of one test server; `now` is the clock, so tests can move it. */
export class RateLimitBudget {
    private readonly requests: Bucket | undefined;
    private readonly tokens: Bucket | undefined;
    readonly tally: RateLimitTally = { accepted: 0, refused: 0, tokens: 0 };

    constructor(
        options: RateLimitOptions,
        private readonly now: () => number = Date.now,
    ) {
        const start = now();
        const minuteMs = options.minuteMs ?? MINUTE_MS;
        if (options.requestsPerMinute) this.requests = new Bucket(options.requestsPerMinute, minuteMs, start);
        if (options.tokensPerMinute) this.tokens = new Bucket(options.tokensPerMinute, minuteMs, start);
    }

    /** Takes one request of `tokens` tokens from the budgets, or refuses it (nothing is taken then). */
    take(tokens: number): RateLimitVerdict {
        const now = this.now();
        const wait = Math.max(this.requests?.msUntil(1, now) ?? 0, this.tokens?.msUntil(tokens, now) ?? 0);
        if (wait === 0) {
            this.requests?.take(1);
            this.tokens?.take(tokens);
            this.tally.accepted += 1;
            this.tally.tokens += tokens;
        } else {
            this.tally.refused += 1;
        }
        const headers: Record<string, string> = {};
        for (const [kind, bucket] of [['requests', this.requests], ['tokens', this.tokens]] as const) {
            if (!bucket) continue;
            const left = bucket.left(now);
            headers[`x-ratelimit-limit-${kind}`] = String(bucket.limit);
            headers[`x-ratelimit-remaining-${kind}`] = String(Math.max(0, Math.floor(left)));
            headers[`x-ratelimit-reset-${kind}`] = formatDuration(bucket.msUntilFull(now));
        }
        if (wait === 0) return { headers };
        const retryAfterMs = Math.ceil(wait);
        return { headers: { ...headers, 'retry-after-ms': String(retryAfterMs), 'retry-after': String(Math.ceil(retryAfterMs / 1000)) }, retryAfterMs };
    }
}

/** A duration as OpenAI writes it in `x-ratelimit-reset-*`: `20ms`, `1.5s`, `6m0s`. */
export function formatDuration(ms: number): string {
    if (ms < 1000) return `${Math.ceil(ms)}ms`;
    const minutes = Math.floor(ms / MINUTE_MS);
    const seconds = Number(((ms - minutes * MINUTE_MS) / 1000).toFixed(3));
    return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}
