// Pacing by what the server says of its rate limits: OpenAI's
// `x-ratelimit-remaining-*` / `x-ratelimit-reset-*` headers on every answer,
// and `retry-after-ms` / `retry-after` on a 429. One pace per account, so
// that every node using the account spreads a burst over the limit instead
// of each bouncing off it.
import { RateLimitError } from 'openai';

/** What the pace needs of an answer's headers (a fetch `Headers` has it). */
export interface HeaderReader {
    get(name: string): string | null;
}

/** How long to wait after a 429 that says nothing of when to come back. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 1000;

/** The longest wait a server can impose through one answer: beyond it a header is taken as a mistake. */
const MAX_WAIT_MS = 24 * 60 * 60 * 1000;

/** A budget the server announced: how much is left until when, less what was started since. */
interface Budget {
    remaining: number;
    resetAt: number;
}

/**
 * The rate-limit state of one account. Before a request starts, {@link wait}
 * says how long it must wait (0 = it may start now); {@link started} counts it
 * against the budget the server announced last; {@link observe} reads each
 * answer's headers. A server that sends no such headers is never paced.
 */
export class RateLimitPace {
    private requests: Budget | undefined;
    private tokens: Budget | undefined;
    private blockedUntil = 0;

    constructor(private readonly now: () => number = Date.now) {}

    /** Milliseconds until a request of about `tokens` tokens may start; 0 = now. */
    wait(tokens = 0): number {
        const now = this.now();
        let until = this.blockedUntil;
        if (this.requests && now < this.requests.resetAt && this.requests.remaining < 1) until = Math.max(until, this.requests.resetAt);
        if (this.tokens && now < this.tokens.resetAt && this.tokens.remaining < Math.max(tokens, 1)) until = Math.max(until, this.tokens.resetAt);
        return Math.max(0, until - now);
    }

    /**
     * Resolves once a request of about `tokens` tokens may start. Rejects with
     * the signal's reason when it is aborted first (a redeploy ends every
     * waiting message at once).
     */
    async ready(tokens: number, signal: AbortSignal): Promise<void> {
        for (let ms = this.wait(tokens); ms > 0; ms = this.wait(tokens)) await sleep(ms, signal);
        signal.throwIfAborted();
    }

    /** A request starts: it spends one request and its estimated tokens of the budgets still running. */
    started(tokens = 0): void {
        const now = this.now();
        if (this.requests && now < this.requests.resetAt) this.requests.remaining -= 1;
        if (this.tokens && now < this.tokens.resetAt) this.tokens.remaining -= tokens;
    }

    /**
     * Reads an answer's headers: what the server says is left of each budget
     * counts every request it had received by then. A 429 blocks every start until its
     * `retry-after-ms` / `retry-after` time (or, without one, the reset of a
     * spent budget, or {@link DEFAULT_RATE_LIMIT_WAIT_MS}).
     */
    observe(headers: HeaderReader, status: number): void {
        const now = this.now();
        this.requests = merge(this.requests, budget(headers, 'requests', now), now);
        this.tokens = merge(this.tokens, budget(headers, 'tokens', now), now);
        if (status !== 429) return;
        const spentReset = [this.requests, this.tokens].filter((known) => known && known.remaining < 1 && known.resetAt > now).map((known) => (known as Budget).resetAt - now);
        const waitMs = retryAfterMs(headers, now) ?? (spentReset.length > 0 ? Math.max(...spentReset) : DEFAULT_RATE_LIMIT_WAIT_MS);
        this.blockedUntil = Math.max(this.blockedUntil, now + waitMs);
    }
}

function budget(headers: HeaderReader, kind: 'requests' | 'tokens', now: number): Budget | undefined {
    const remaining = Number(headers.get(`x-ratelimit-remaining-${kind}`) ?? Number.NaN);
    const reset = parseDuration(headers.get(`x-ratelimit-reset-${kind}`));
    if (!Number.isFinite(remaining) || reset === undefined) return undefined;
    return { remaining, resetAt: now + reset };
}

/**
 * Answers come back out of order: within one window (the known budget has not
 * reset yet), an answer can only lower what is left; once it has reset, the
 * newest answer starts the next window.
 */
function merge(known: Budget | undefined, told: Budget | undefined, now: number): Budget | undefined {
    if (!told) return known;
    if (!known || known.resetAt <= now) return told;
    return { remaining: Math.min(known.remaining, told.remaining), resetAt: Math.max(known.resetAt, told.resetAt) };
}

/** `retry-after-ms` (milliseconds), else `retry-after` (seconds, or an HTTP date). */
function retryAfterMs(headers: HeaderReader, now: number): number | undefined {
    const millis = Number(headers.get('retry-after-ms') ?? Number.NaN);
    if (Number.isFinite(millis) && millis >= 0) return Math.min(millis, MAX_WAIT_MS);
    const after = headers.get('retry-after');
    if (after === null || after.trim() === '') return undefined;
    const seconds = Number(after);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_WAIT_MS);
    const date = Date.parse(after);
    return Number.isFinite(date) ? Math.min(Math.max(0, date - now), MAX_WAIT_MS) : undefined;
}

/**
 * A reset time as OpenAI writes it, in milliseconds: `"20ms"`, `"1s"`,
 * `"6m0s"`, `"1h2m3.5s"`, or a plain number of seconds. Anything else, or
 * more than a day, is `undefined`.
 */
export function parseDuration(text: string | null): number | undefined {
    if (text === null) return undefined;
    const trimmed = text.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) return checked(Number(trimmed) * 1000);
    const match = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$/.exec(trimmed);
    if (!match || trimmed === '') return undefined;
    const [, hours = '0', minutes = '0', seconds = '0', millis = '0'] = match;
    return checked(Number(hours) * 3_600_000 + Number(minutes) * 60_000 + Number(seconds) * 1000 + Number(millis));
}

function checked(ms: number): number | undefined {
    return Number.isFinite(ms) && ms <= MAX_WAIT_MS ? ms : undefined;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        const stop = () => {
            clearTimeout(timer);
            reject(signal.reason);
        };
        const timer = setTimeout(() => {
            signal.removeEventListener('abort', stop);
            resolve();
        }, ms);
        signal.addEventListener('abort', stop, { once: true });
    });
}

/**
 * Makes a request once the pace allows it, and again after each 429 once the
 * wait that answer asked for is over, up to `retries` more times: the SDK was
 * told not to retry a 429 itself (see pacedFetch), since it cannot know the
 * account-wide wait. Any other failure, or a 429 with no retries left, is thrown.
 */
export async function withPace<T>(pace: RateLimitPace, retries: number, signal: AbortSignal, attempt: () => Promise<T>): Promise<T> {
    for (let tried = 0; ; tried++) {
        await pace.ready(0, signal);
        try {
            return await attempt();
        } catch (error) {
            if (!(error instanceof RateLimitError) || tried >= retries) throw error;
        }
    }
}
