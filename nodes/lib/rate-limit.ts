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

/**
 * A budget the server announced: what was left at `at`, less what was
 * started since, refilling at `perMs` (OpenAI's budgets refill evenly until
 * `resetAt`, when they are full again; without `x-ratelimit-limit-*` the
 * refill is not known, and nothing is taken to come back before `resetAt`).
 */
interface Budget {
    remaining: number;
    at: number;
    perMs: number;
    resetAt: number;
    /** What {@link RateLimitPace.sending} gave the request whose answer told of it; 0 = not known. */
    sentAs: number;
}

/** What a budget holds at `now`. */
function available(budget: Budget, now: number): number {
    return budget.remaining + budget.perMs * (now - budget.at);
}

/** How long until a budget holds `amount`; 0 = it does now, or it has reset. */
function msUntil(budget: Budget | undefined, amount: number, now: number): number {
    if (!budget || now >= budget.resetAt) return 0;
    const missing = amount - available(budget, now);
    if (missing <= 0) return 0;
    return budget.perMs > 0 ? Math.min(missing / budget.perMs, budget.resetAt - now) : budget.resetAt - now;
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
    // Requests started and not yet finished, and their tokens: an answer's
    // budget may not count them yet, so they are taken from it.
    private inFlight = 0;
    private inFlightTokens = 0;
    private sent = 0;

    constructor(private readonly now: () => number = Date.now) {}

    /** Milliseconds until a request of about `tokens` tokens may start; 0 = now. */
    wait(tokens = 0): number {
        const now = this.now();
        const wait = Math.max(this.blockedUntil - now, msUntil(this.requests, 1, now), msUntil(this.tokens, Math.max(tokens, 1), now));
        return Math.max(0, Math.ceil(wait));
    }

    /**
     * Resolves once a request of about `tokens` tokens may start, and counts it
     * in the same turn, so that requests waiting for the same moment do not all
     * take the one request that has come back. Rejects with the signal's reason
     * when it is aborted first (a redeploy ends every waiting message at once).
     */
    async take(tokens: number, signal: AbortSignal): Promise<void> {
        for (let ms = this.wait(tokens); ms > 0; ms = this.wait(tokens)) await sleep(ms, signal);
        signal.throwIfAborted();
        this.started(tokens);
        this.inFlight += 1;
        this.inFlightTokens += tokens;
    }

    /** A request counted by {@link take} has ended, answered or not. */
    finished(tokens: number): void {
        this.inFlight -= 1;
        this.inFlightTokens -= tokens;
    }

    /** A request goes to the server: the number that tells its answer, in {@link observe}, from those of requests sent before it. */
    sending(): number {
        this.sent += 1;
        return this.sent;
    }

    /** Whether the server told of a token budget that is still running, so that requests' tokens count. */
    countsTokens(): boolean {
        return this.tokens !== undefined && this.now() < this.tokens.resetAt;
    }

    /** A request starts: it spends one request and its estimated tokens of the budgets still running. */
    started(tokens = 0): void {
        const now = this.now();
        if (this.requests && now < this.requests.resetAt) this.requests.remaining -= 1;
        if (this.tokens && now < this.tokens.resetAt) this.tokens.remaining -= tokens;
    }

    /**
     * Reads an answer's headers: what the server says is left of each budget
     * counts every request it had received by then. `sentAs` is what
     * {@link sending} gave the request (0 = not known: the answer may be a
     * late one, and only lowers what is left). A 429 blocks every start until its
     * `retry-after-ms` / `retry-after` time (or, without one, the reset of a
     * spent budget, or {@link DEFAULT_RATE_LIMIT_WAIT_MS}).
     */
    observe(headers: HeaderReader, status: number, sentAs = 0): void {
        const now = this.now();
        // The answered request is one of those in flight; the others may not be counted yet.
        this.requests = merge(this.requests, budget(headers, 'requests', now, Math.max(0, this.inFlight - 1), sentAs), now);
        this.tokens = merge(this.tokens, budget(headers, 'tokens', now, Math.max(0, this.inFlightTokens), sentAs), now);
        if (status !== 429) return;
        const spent = Math.max(msUntil(this.requests, 1, now), msUntil(this.tokens, 1, now));
        const waitMs = retryAfterMs(headers, now) ?? (spent > 0 ? spent : DEFAULT_RATE_LIMIT_WAIT_MS);
        this.blockedUntil = Math.max(this.blockedUntil, now + waitMs);
    }
}

function budget(headers: HeaderReader, kind: 'requests' | 'tokens', now: number, pending: number, sentAs: number): Budget | undefined {
    const remaining = Number(headers.get(`x-ratelimit-remaining-${kind}`) ?? Number.NaN);
    const reset = parseDuration(headers.get(`x-ratelimit-reset-${kind}`));
    if (!Number.isFinite(remaining) || reset === undefined) return undefined;
    const limit = Number(headers.get(`x-ratelimit-limit-${kind}`) ?? Number.NaN);
    const perMs = Number.isFinite(limit) && limit > remaining && reset > 0 ? (limit - remaining) / reset : 0;
    return { remaining: remaining - pending, at: now, perMs, resetAt: now + reset, sentAs };
}

/**
 * The answer to a request sent after the one that told of the known budget
 * says what the server counted since: it replaces the pace's own count, whose
 * token estimates may be too high (kept, they would leave the budget partly
 * unused until its reset). Answers come back out of order, though: one to a
 * request sent earlier can only lower what is left, until the known budget
 * has reset.
 */
function merge(known: Budget | undefined, told: Budget | undefined, now: number): Budget | undefined {
    if (!told) return known;
    if (!known || known.resetAt <= now || told.sentAs > known.sentAs) return told;
    return told.remaining < available(known, now) ? told : known;
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
 * account-wide wait. Any other failure, or a 429 with no retries left, is
 * thrown. `onWait` hears of each wait before it starts, with its length;
 * `estimateTokens` is asked only while the server tells of a token budget.
 */
export async function withPace<T>(
    pace: RateLimitPace,
    retries: number,
    signal: AbortSignal,
    attempt: () => Promise<T>,
    onWait?: (ms: number) => void,
    estimateTokens: () => number = () => 0,
): Promise<T> {
    for (let tried = 0; ; tried++) {
        const tokens = pace.countsTokens() ? estimateTokens() : 0;
        const ms = pace.wait(tokens);
        if (ms > 0) onWait?.(ms);
        await pace.take(tokens, signal);
        try {
            return await attempt();
        } catch (error) {
            if (!(error instanceof RateLimitError) || tried >= retries) throw error;
        } finally {
            pace.finished(tokens);
        }
    }
}

/**
 * What one image is counted as. The API bills an image by its size in tiles,
 * not by the length of its URL: a 5 MB image's data: URL would read as well
 * over a million tokens and stall the pace. 765 is what OpenAI counts for a
 * 1024 × 1024 image at high detail (85 + 4 tiles × 170), a usual photo.
 */
export const IMAGE_TOKENS = 765;

/**
 * About how many tokens a request spends of a token budget: its JSON's length
 * over four, the usual characters per token, with each image (an `image_url`
 * part, in a chat message or a moderation input) counted as
 * {@link IMAGE_TOKENS} and its URL left out of the JSON. Rough on purpose,
 * and asked only while the server tells of a token budget.
 */
export function estimateTokens(request: unknown): number {
    let images = 0;
    try {
        const json = JSON.stringify(request, (key, value: unknown) => {
            if (key !== 'image_url') return value;
            images += 1;
            return undefined;
        });
        return Math.ceil((json?.length ?? 0) / 4) + images * IMAGE_TOKENS;
    } catch {
        return 0;
    }
}
