// The benchmark's verdict: which targets a run meets. Run on its own build,
// e.g. `mocha --no-config 'dist/bench/*.spec.js'` (npm test never sees bench/).
import { strict as assert } from 'node:assert';
import type { ContestantName } from './contestants/contestant';
import type { RateLimitResults, RateLimitSample } from './scenarios/rate-limits';
import type { ThroughputResults, ThroughputSample } from './scenarios/throughput';
import type { Budget, RateLimitSettings } from './settings';
import { judgeTargets, summariseRateLimits, summariseThroughput } from './summary';
import type { Kind } from './workloads';

const REQUESTS = 1000;

interface Round {
    /** Requests per second of A, B and C in this round. */
    perSecond: [number, number, number];
    /** CPU per request of A, B and C in this round, µs. */
    cpuUs: [number, number, number];
    /** Full collections in B's and C's measurement. */
    fullGcs?: [number, number];
}

const NAMES: ContestantName[] = ['sdk', 'thin-node', 'package-nodes'];

/** The samples of one cell, round by round. */
function cell(kind: Kind, latencyMs: number, concurrency: number, rounds: Round[]): ThroughputSample[] {
    return rounds.flatMap((round, index) =>
        NAMES.map((contestant, which) => ({
            kind,
            latencyMs,
            concurrency,
            requests: REQUESTS,
            contestant,
            round: index + 1,
            serverCpuUs: 0,
            elapsedMs: (REQUESTS / round.perSecond[which]) * 1000,
            cpuUs: round.cpuUs[which] * REQUESTS,
            mainThreadCpuUs: round.cpuUs[which] * REQUESTS,
            gcPauseMs: 0,
            majorGcs: which === 0 ? 0 : (round.fullGcs?.[which - 1] ?? 0),
            startRssBytes: 0,
            startHeapUsedBytes: 0,
            peakRssBytes: 0,
            peakHeapUsedBytes: 0,
            errors: 0,
        })),
    );
}

function results(samples: ThroughputSample[]): ThroughputResults {
    return { samples, lifetimeMaxRssBytes: { sdk: 0, 'thin-node': 0, 'package-nodes': 0 }, warmupRequests: 0 };
}

/** One round with these throughputs and the same CPU for everyone. */
const pace = (a: number, b: number, c: number): Round => ({ perSecond: [a, b, c], cpuUs: [300, 300, 300] });
/** One round with these CPU figures and the same throughput for everyone. */
const cpu = (a: number, b: number, c: number): Round => ({ perSecond: [1000, 1000, 1000], cpuUs: [a, b, c] });

const named = (prefix: string) => (targets: ReturnType<typeof judgeTargets>) => targets.filter((target) => target.name.startsWith(prefix));
const throughputTargets = named('throughput');
const cpuTargets = named('CPU per request');

describe('benchmark targets', () => {
    it('judges throughput as C/B ≥ 0.97 in every cell with C ≥ 16, and not at C = 1', () => {
        const cells = summariseThroughput(
            results([
                ...cell('chat', 20, 1, [pace(100, 100, 50)]),
                ...cell('chat', 20, 16, [pace(1000, 1000, 970)]),
                ...cell('moderation', 0, 128, [pace(1000, 1000, 969)]),
            ]),
        );
        const targets = throughputTargets(judgeTargets(cells, undefined));
        assert.deepEqual(
            targets.map((target) => [target.name, target.measured, target.met]),
            [
                ['throughput C/B ≥ 0.97, chat, 20 ms, C=16', '0.970', true],
                ['throughput C/B ≥ 0.97, moderation, 0 ms, C=128', '0.969', false],
            ],
        );
    });

    it('takes C/B as the median of the per-round pairs, not the ratio of the medians', () => {
        // Per round C/B: 0.90, 1.00, 1.00 (median 1.00); the medians: B 1000, C 900 (0.90).
        const [summary] = summariseThroughput(results(cell('chat', 0, 16, [pace(1000, 1000, 900), pace(1000, 900, 900), pace(1000, 1100, 1100)])));
        assert.equal(summary.throughputCOverB, 1);
        assert.equal(summary.figures['package-nodes'].requestsPerSecond / summary.figures['thin-node'].requestsPerSecond, 0.9);
    });

    it('reports C/A beside each throughput target without judging it', () => {
        const cells = summariseThroughput(results(cell('chat', 20, 16, [pace(1000, 900, 900)])));
        const [target] = throughputTargets(judgeTargets(cells, undefined));
        assert.equal(target.met, true);
        assert.equal(target.beside, 'C/A 0.900');
    });

    it('judges CPU as one target: the mean of the cells’ C − B at most 100 µs', () => {
        const cells = summariseThroughput(
            results([...cell('chat', 0, 1, [cpu(300, 300, 450)]), ...cell('chat', 0, 16, [cpu(300, 300, 340)])]),
        );
        const targets = cpuTargets(judgeTargets(cells, undefined));
        assert.deepEqual(
            targets.map((target) => [target.name, target.measured, target.met, target.beside]),
            [['CPU per request C−B ≤ 100 µs, mean of 2 cells', '+95 µs', true, 'cells from +40 to +150 µs']],
        );
    });

    it('misses the CPU target when the mean of the cells is above 100 µs', () => {
        const cells = summariseThroughput(
            results([...cell('chat', 0, 1, [cpu(300, 300, 420)]), ...cell('moderation', 0, 1, [cpu(300, 300, 385)])]),
        );
        const [target] = cpuTargets(judgeTargets(cells, undefined));
        assert.equal(target.measured, '+103 µs');
        assert.equal(target.met, false);
    });
});

/** A burst of 1,000 messages against 600 requests and 12,000 tokens a minute, on a 10 s minute. */
const RATE_SETTINGS: RateLimitSettings = {
    messages: 1000,
    concurrency: 8,
    latencyMs: 0,
    minuteMs: 10_000,
    warmupRequests: 0,
    settings: [
        { budget: 'requests', requestsPerMinute: 600, tokensPerMinute: 1_000_000 },
        { budget: 'tokens', requestsPerMinute: 600, tokensPerMinute: 12_000 },
    ],
};

/** One contestant's burst: what completed, the 429s, the seconds it took; 20 tokens a completed message. */
function burst(budget: Budget, contestant: ContestantName, completed: number, refused: number, seconds: number): RateLimitSample {
    return {
        budget,
        contestant,
        messages: RATE_SETTINGS.messages,
        completed,
        failed: RATE_SETTINGS.messages - completed,
        requests: completed + refused,
        refused,
        tokens: completed * 20,
        elapsedMs: seconds * 1000,
    };
}

const rateLimits = (samples: RateLimitSample[]): RateLimitResults => ({ settings: RATE_SETTINGS, samples });
const rateTargets = named('rate limits');

describe('rate-limit targets', () => {
    it('takes goodput as what completed over the full bucket plus its refill for the burst\'s time', () => {
        // 600 in the bucket, 60 a second: 1,000 messages in 6.67 s use all of it; in 10 s, 1,000 of 1,200.
        const [ideal, slow] = summariseRateLimits(rateLimits([burst('requests', 'package-nodes', 1000, 0, 20 / 3), burst('requests', 'sdk', 1000, 0, 10)]));
        assert.ok(Math.abs(ideal.shareOf.requests - 1) < 1e-9, String(ideal.shareOf.requests));
        assert.ok(Math.abs(slow.shareOf.requests - 1000 / 1200) < 1e-9, String(slow.shareOf.requests));
        assert.ok(Math.abs(slow.shareOf.tokens - 20_000 / 2_000_000) < 1e-9, 'the token budget, far from spent');
    });

    it('judges C on the budget that runs out: no message failed, 429s on at most 2% of its requests, goodput at least 0.9', () => {
        const summary = summariseRateLimits(
            rateLimits([
                burst('tokens', 'sdk', 700, 901, 3),
                burst('tokens', 'thin-node', 710, 880, 3),
                // 12,000 + 12,000 × 1.1 = 25,200 tokens allowed in 11 s; 1,000 × 20 used (0.794).
                burst('tokens', 'package-nodes', 1000, 20, 11),
            ]),
        );
        assert.deepEqual(
            rateTargets(judgeTargets([], undefined, summary)).map((target) => [target.name, target.measured, target.met, target.beside]),
            [
                ['rate limits, tokens budget: C fails no message', '0 of 1,000', true, 'failed: A 300, B 290'],
                ['rate limits, tokens budget: C 429s ≤ 2.0% of its requests', '2.0% (20 of 1,020)', true, 'A 56.3%, B 55.3%'],
                ['rate limits, tokens budget: C goodput ≥ 0.9 of the limit', '0.794', false, 'A 0.897, B 0.910'],
            ],
        );
    });

    it('misses when C fails a message or gets more 429s than 2% of its requests', () => {
        const summary = summariseRateLimits(
            rateLimits([burst('requests', 'sdk', 900, 300, 6), burst('requests', 'thin-node', 900, 300, 6), burst('requests', 'package-nodes', 999, 21, 20 / 3)]),
        );
        const met = rateTargets(judgeTargets([], undefined, summary)).map((target) => target.met);
        assert.deepEqual(met, [false, false, true]);
    });
});
