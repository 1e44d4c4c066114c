// What one benchmark run measures, from the command line and the environment:
//   node dist/bench/run.js [--quick] [--rounds N] [--only throughput,memory,startup,first-partial,images,rate-limits]
//                          [--latency 0,20] [--concurrency 1,16,128] [--profile]
// BENCH_QUICK=1 is the same as --quick. --latency and --concurrency narrow the
// throughput matrix, e.g. to profile one cell.
import { parseArgs } from 'node:util';

export type Section = 'throughput' | 'memory' | 'startup' | 'first-partial' | 'images' | 'rate-limits';
const SECTIONS: readonly Section[] = ['throughput', 'memory', 'startup', 'first-partial', 'images', 'rate-limits'];

/** Which of a server's budgets a rate-limits setting makes run out first. */
export type Budget = 'requests' | 'tokens';

/** The rate-limits section: one burst of chat messages per setting, against a server with these budgets. */
export interface RateLimitSettings {
    /** Chat messages fed at once. */
    messages: number;
    /** Requests in flight at once: A's loops, B's window, C's maxInFlight. */
    concurrency: number;
    /** The rate-limited servers' answer latency. */
    latencyMs: number;
    /** How long the servers' minute lasts: a shortened clock, so that a burst against a per-minute limit takes seconds. */
    minuteMs: number;
    /** Requests each contestant makes, against the plain 0 ms server, before its bursts. */
    warmupRequests: number;
    settings: { budget: Budget; requestsPerMinute: number; tokensPerMinute: number }[];
}

export interface BenchSettings {
    quick: boolean;
    /** Rounds per throughput cell; the report gives their medians. */
    rounds: number;
    /** Requests per measurement (N). */
    requests: number;
    /**
     * Requests per measurement where latency alone sets the pace (concurrency 1,
     * latency > 0): 2,000 × 20 ms would take 40 s per contestant and round and
     * tell nothing more than a few hundred do.
     */
    latencyBoundRequests: number;
    /** Requests each contestant makes, at 0 ms, before anything is measured. */
    warmupRequests: number;
    concurrencies: number[];
    latenciesMs: number[];
    /** Messages waiting behind the in-flight limit, for the queue memory scenario. */
    queuedPoints: number[];
    /** History lengths for the history scenario. */
    historyPoints: number[];
    /** Turns per conversation for the conversation memory scenario (CONVERSATIONS conversations each). */
    conversationTurnPoints: number[];
    /** Fresh processes per start-up variant. */
    startupSamples: number;
    /** Streamed answers per contestant in the first-partial section, and those before them that warm up. */
    firstPartialSamples: number;
    firstPartialWarmup: number;
    rateLimits: RateLimitSettings;
    /** Run the throughput contestants under `--cpu-prof`. */
    profile: boolean;
    sections: Section[];
}

const FULL: Omit<BenchSettings, 'quick' | 'profile' | 'sections'> = {
    rounds: 6,
    requests: 2000,
    latencyBoundRequests: 150,
    warmupRequests: 8000,
    concurrencies: [1, 16, 128],
    latenciesMs: [0, 20],
    queuedPoints: [0, 2500, 5000, 10000],
    historyPoints: [0, 1000, 2500, 5000, 10000],
    conversationTurnPoints: [10, 20, 40, 80],
    startupSamples: 7,
    firstPartialSamples: 400,
    firstPartialWarmup: 100,
    // A chat request of the bench costs 26 tokens at the test server (9 of prompt, 17 of answer):
    // 24,000 tokens a minute is ~920 requests, fewer than the 1,200 the request budget allows.
    rateLimits: {
        messages: 2000,
        concurrency: 8,
        latencyMs: 20,
        minuteMs: 20_000,
        warmupRequests: 1000,
        settings: [
            { budget: 'requests', requestsPerMinute: 1200, tokensPerMinute: 1_000_000 },
            { budget: 'tokens', requestsPerMinute: 1200, tokensPerMinute: 24_000 },
        ],
    },
};

const QUICK: typeof FULL = {
    rounds: 1,
    requests: 200,
    latencyBoundRequests: 40,
    warmupRequests: 500,
    concurrencies: [1, 16, 128],
    latenciesMs: [0, 20],
    queuedPoints: [0, 10000],
    historyPoints: [0, 1000, 10000],
    conversationTurnPoints: [10, 40],
    startupSamples: 1,
    firstPartialSamples: 60,
    firstPartialWarmup: 20,
    rateLimits: {
        messages: 200,
        concurrency: 8,
        latencyMs: 20,
        minuteMs: 4000,
        warmupRequests: 200,
        settings: [
            { budget: 'requests', requestsPerMinute: 120, tokensPerMinute: 100_000 },
            { budget: 'tokens', requestsPerMinute: 120, tokensPerMinute: 2400 },
        ],
    },
};

export const USAGE =
    'Usage: node dist/bench/run.js [--quick] [--rounds N] [--only throughput,memory,startup,first-partial,images,rate-limits] [--latency 0,20] [--concurrency 1,16,128] [--profile]';

export function readSettings(args: string[], env: NodeJS.ProcessEnv): BenchSettings {
    const { values } = parseArgs({
        args,
        options: {
            quick: { type: 'boolean' },
            rounds: { type: 'string' },
            only: { type: 'string' },
            profile: { type: 'boolean' },
            latency: { type: 'string' },
            concurrency: { type: 'string' },
        },
    });
    const quick = values.quick === true || env.BENCH_QUICK === '1';
    const base = quick ? QUICK : FULL;
    const rounds = values.rounds === undefined ? base.rounds : Number(values.rounds);
    if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a whole number ≥ 1, not ${values.rounds}`);
    const sections = values.only === undefined ? [...SECTIONS] : values.only.split(',').map(readSection);
    return {
        ...base,
        quick,
        rounds,
        latenciesMs: values.latency === undefined ? base.latenciesMs : numbers('--latency', values.latency),
        concurrencies: values.concurrency === undefined ? base.concurrencies : numbers('--concurrency', values.concurrency),
        profile: values.profile === true,
        sections,
    };
}

function numbers(option: string, text: string): number[] {
    const list = text.split(',').map(Number);
    if (list.some((value) => !Number.isInteger(value) || value < 0)) throw new Error(`${option} takes whole numbers, not ${text}`);
    return list;
}

function readSection(name: string): Section {
    const section = SECTIONS.find((candidate) => candidate === name.trim());
    if (!section) throw new Error(`--only takes ${SECTIONS.join(', ')}; not "${name}"`);
    return section;
}

/** Warm-up always runs against the 0 ms server: it is about the client's code, and fast. */
export const WARMUP_LATENCY_MS = 0;

/** Every server latency a run needs: the measured ones and the warm-up's. */
export function serverLatencies(settings: BenchSettings): number[] {
    return [...new Set([WARMUP_LATENCY_MS, ...settings.latenciesMs])].sort((a, b) => a - b);
}

/** Requests for one measurement at this latency and concurrency. */
export function requestsFor(settings: BenchSettings, latencyMs: number, concurrency: number): number {
    return latencyMs > 0 && concurrency === 1 ? settings.latencyBoundRequests : settings.requests;
}

/** The whole default matrix, unprofiled: a run whose chart may be committed. */
export function isFullRun(settings: BenchSettings): boolean {
    const same = (a: number[], b: number[]) => a.length === b.length && a.every((value, index) => value === b[index]);
    return (
        !settings.quick &&
        !settings.profile &&
        settings.rounds >= 3 &&
        settings.sections.includes('throughput') &&
        same(settings.latenciesMs, FULL.latenciesMs) &&
        same(settings.concurrencies, FULL.concurrencies)
    );
}
