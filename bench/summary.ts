// Turns the raw samples into the figures of the report: medians per cell and
// contestant, the paired ratios C/B and C/A and differences C−B, the rate-limit
// bursts' share of the limit, and the targets.
import { CONTESTANTS, type ContestantName } from './contestants/contestant';
import type { MemoryResults } from './scenarios/memory';
import type { RateLimitResults, RateLimitSample } from './scenarios/rate-limits';
import type { StartupResults } from './scenarios/startup';
import type { ThroughputResults, ThroughputSample } from './scenarios/throughput';
import type { Budget } from './settings';
import { median } from './stats';
import type { Kind } from './workloads';

export interface ContestantFigures {
    requestsPerSecond: number;
    cpuPerRequestUs: number;
    peakRssBytes: number;
    serverCpuPerRequestUs: number;
}

export interface CellSummary {
    kind: Kind;
    latencyMs: number;
    concurrency: number;
    requests: number;
    rounds: number;
    figures: Record<ContestantName, ContestantFigures>;
    /** Median over rounds of (C req/s ÷ B req/s), each pair measured back to back. */
    throughputCOverB: number;
    /** Median over rounds of (C req/s ÷ A req/s), likewise. */
    throughputCOverA: number;
    /** Median over rounds of (C − B) CPU per request, µs. */
    cpuCMinusBUs: number;
    /** Median over rounds of (C − A) CPU per request, µs. */
    cpuCMinusAUs: number;
    /** The rounds' C − B, grouped by which of the two processes ran a full collection while it was measured. */
    cpuCMinusBByFullGc: Record<FullGcPlace, { rounds: number; medianUs: number }>;
}

/** Where full collections fell in a C − B pair: in neither measurement, in one of them, or in both. */
export type FullGcPlace = 'neither' | 'C only' | 'B only' | 'both';
export const FULL_GC_PLACES: readonly FullGcPlace[] = ['neither', 'C only', 'B only', 'both'];

export interface Target {
    name: string;
    measured: string;
    met: boolean;
    /** A figure shown beside the target, not judged (e.g. C/A beside C/B); '' when none. */
    beside: string;
}

/** One contestant's burst against one rate-limit setting. */
export interface RateLimitSummary extends RateLimitSample {
    /** The 429s as a share of the requests it made. */
    refusedShare: number;
    /**
     * Goodput as a share of each limit: what completed ÷ what the budget
     * allowed over the burst (the full bucket it starts with, plus its refill
     * at the limit's rate for the burst's time); 1 = nothing of it unused.
     */
    shareOf: Record<Budget, number>;
}

export interface StartupSummary {
    preloadedSdk: boolean;
    samples: number;
    nodeRedStartMs: number;
    sdkRequireMs?: number;
    packageLoadMs: number;
    rssGrowthBytes: number;
}

const perSecond = (sample: ThroughputSample) => (sample.requests / sample.elapsedMs) * 1000;
const cpuPerRequest = (sample: ThroughputSample) => sample.cpuUs / sample.requests;

export function summariseThroughput(results: ThroughputResults): CellSummary[] {
    const cells = new Map<string, ThroughputSample[]>();
    for (const sample of results.samples) {
        const key = `${sample.kind}|${sample.latencyMs}|${sample.concurrency}`;
        cells.set(key, [...(cells.get(key) ?? []), sample]);
    }
    return [...cells.values()].map((samples) => {
        const first = samples[0];
        const of = (name: ContestantName) => samples.filter((sample) => sample.contestant === name);
        const figures = Object.fromEntries(
            CONTESTANTS.map(({ name }) => {
                const mine = of(name);
                return [
                    name,
                    {
                        requestsPerSecond: median(mine.map(perSecond)),
                        cpuPerRequestUs: median(mine.map(cpuPerRequest)),
                        peakRssBytes: median(mine.map((sample) => sample.peakRssBytes)),
                        serverCpuPerRequestUs: median(mine.map((sample) => sample.serverCpuUs / sample.requests)),
                    },
                ];
            }),
        ) as Record<ContestantName, ContestantFigures>;
        const pairs = (other: ContestantName) => {
            const mine = of('package-nodes');
            return of(other).flatMap((sample) => {
                const match = mine.find((candidate) => candidate.round === sample.round);
                return match ? [[match, sample] as const] : [];
            });
        };
        const paired = (other: ContestantName, combine: (c: ThroughputSample, o: ThroughputSample) => number) =>
            median(pairs(other).map(([c, o]) => combine(c, o)));
        const cMinusB = pairs('thin-node').map(([c, b]) => ({ place: fullGcPlace(c, b), us: cpuPerRequest(c) - cpuPerRequest(b) }));
        return {
            kind: first.kind,
            latencyMs: first.latencyMs,
            concurrency: first.concurrency,
            requests: first.requests,
            rounds: of('package-nodes').length,
            figures,
            throughputCOverB: paired('thin-node', (c, b) => perSecond(c) / perSecond(b)),
            throughputCOverA: paired('sdk', (c, a) => perSecond(c) / perSecond(a)),
            cpuCMinusBUs: paired('thin-node', (c, b) => cpuPerRequest(c) - cpuPerRequest(b)),
            cpuCMinusAUs: paired('sdk', (c, a) => cpuPerRequest(c) - cpuPerRequest(a)),
            cpuCMinusBByFullGc: Object.fromEntries(
                FULL_GC_PLACES.map((place) => {
                    const values = cMinusB.filter((pair) => pair.place === place).map((pair) => pair.us);
                    return [place, { rounds: values.length, medianUs: values.length > 0 ? median(values) : NaN }];
                }),
            ) as CellSummary['cpuCMinusBByFullGc'],
        };
    });
}

export function summariseRateLimits({ settings, samples }: RateLimitResults): RateLimitSummary[] {
    return samples.map((sample) => {
        const limits = settings.settings.find((setting) => setting.budget === sample.budget)!;
        const allowed = (perMinute: number) => perMinute * (1 + sample.elapsedMs / settings.minuteMs);
        return {
            ...sample,
            refusedShare: sample.requests > 0 ? sample.refused / sample.requests : 0,
            shareOf: { requests: sample.completed / allowed(limits.requestsPerMinute), tokens: sample.tokens / allowed(limits.tokensPerMinute) },
        };
    });
}

function fullGcPlace(c: ThroughputSample, b: ThroughputSample): FullGcPlace {
    if (c.majorGcs > 0) return b.majorGcs > 0 ? 'both' : 'C only';
    return b.majorGcs > 0 ? 'B only' : 'neither';
}

/** Throughput: C/B at least this in every cell with at least THROUGHPUT_FROM_C requests in flight. */
const THROUGHPUT_GOAL = 0.97;
/** At C = 1 a cell measures latency, not what a node can do about throughput. */
const THROUGHPUT_FROM_C = 16;
/** CPU: the mean over the cells of C − B, µs per request, at most this. */
const CPU_GOAL_US = 100;

/** Rate limits: C completes every message, with 429s on at most this share of its requests… */
const REFUSED_GOAL = 0.02;
/** …and uses at least this share of the budget that runs out. */
const SHARE_GOAL = 0.9;

/**
 * The targets, judged on this run's figures. Both are measured against B,
 * Node-RED's own floor, where a node can act: C/A is shown beside C/B, not
 * judged. CPU is judged on the mean of the cells, since one cell's C − B
 * moves by more than 50 µs from run to run with where full collections fall.
 * Of a rate-limit burst, C's figures are judged, A's and B's shown beside.
 */
export function judgeTargets(cells: CellSummary[], memory: MemoryResults | undefined, rateLimits: RateLimitSummary[] = []): Target[] {
    const targets: Target[] = [];
    for (const cell of cells.filter((candidate) => candidate.concurrency >= THROUGHPUT_FROM_C)) {
        targets.push({
            name: `throughput C/B ≥ ${THROUGHPUT_GOAL}, ${cell.kind}, ${cell.latencyMs} ms, C=${cell.concurrency}`,
            measured: cell.throughputCOverB.toFixed(3),
            met: cell.throughputCOverB >= THROUGHPUT_GOAL,
            beside: `C/A ${cell.throughputCOverA.toFixed(3)}`,
        });
    }
    if (cells.length > 0) {
        const perCell = cells.map((cell) => cell.cpuCMinusBUs);
        const mean = perCell.reduce((sum, value) => sum + value, 0) / perCell.length;
        targets.push({
            name: `CPU per request C−B ≤ ${CPU_GOAL_US} µs, mean of ${cells.length} cells`,
            measured: `${signedUs(mean)} µs`,
            met: mean <= CPU_GOAL_US,
            beside: `cells from ${signedUs(Math.min(...perCell))} to ${signedUs(Math.max(...perCell))} µs`,
        });
    }
    if (memory) {
        // Linear: the points lie on a line (R² close to 1).
        const linear = (name: string, fit: { slope: number; r2: number }, unit: string) =>
            targets.push({ name, measured: `${formatSlope(fit.slope)} ${unit}, R² ${fit.r2.toFixed(4)}`, met: fit.r2 >= 0.98, beside: '' });
        for (const [kind, fit] of Object.entries(memory.queue.heapPerQueued)) {
            linear(`heap linear in queued messages (${kind})`, fit, 'B per queued message');
        }
        linear('CPU linear in history length', memory.history.cpuPerMessage, 'µs per history message');
        linear('heap held per request linear in history length', memory.history.heldHeapPerMessage, 'B per history message');
        linear('conversation memory heap linear in stored messages', memory.conversations.heapPerStoredMessage, 'B per stored message');
    }
    for (const budget of [...new Set(rateLimits.map((row) => row.budget))]) {
        const of = (name: ContestantName) => rateLimits.find((row) => row.budget === budget && row.contestant === name)!;
        const others = (figure: (row: RateLimitSummary) => string) => `A ${figure(of('sdk'))}, B ${figure(of('thin-node'))}`;
        const c = of('package-nodes');
        const count = (value: number) => value.toLocaleString('en-US');
        const failed = (row: RateLimitSummary) => count(row.failed);
        const refused = (row: RateLimitSummary) => percent(row.refusedShare);
        const share = (row: RateLimitSummary) => row.shareOf[budget].toFixed(3);
        const name = `rate limits, ${budget} budget:`;
        targets.push(
            { name: `${name} C fails no message`, measured: `${failed(c)} of ${count(c.messages)}`, met: c.failed === 0, beside: `failed: ${others(failed)}` },
            { name: `${name} C 429s ≤ ${percent(REFUSED_GOAL)} of its requests`, measured: `${refused(c)} (${count(c.refused)} of ${count(c.requests)})`, met: c.refusedShare <= REFUSED_GOAL, beside: others(refused) },
            { name: `${name} C goodput ≥ ${SHARE_GOAL} of the limit`, measured: share(c), met: c.shareOf[budget] >= SHARE_GOAL, beside: others(share) },
        );
    }
    return targets;
}

function percent(share: number): string {
    return `${(share * 100).toFixed(1)}%`;
}

function signedUs(value: number): string {
    const rounded = Math.round(value);
    return `${rounded >= 0 ? '+' : ''}${rounded}`;
}

function formatSlope(value: number): string {
    return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2);
}

export function summariseStartup(results: StartupResults): StartupSummary[] {
    return [false, true].map((preloadedSdk) => {
        const samples = results.samples.filter((sample) => sample.preloadedSdk === preloadedSdk);
        const sdk = samples.map((sample) => sample.sdkRequireMs).filter((value): value is number => value !== undefined);
        return {
            preloadedSdk,
            samples: samples.length,
            nodeRedStartMs: median(samples.map((sample) => sample.nodeRedStartMs)),
            sdkRequireMs: sdk.length > 0 ? median(sdk) : undefined,
            packageLoadMs: median(samples.map((sample) => sample.packageLoadMs)),
            rssGrowthBytes: median(samples.map((sample) => sample.rssAfterBytes - sample.rssBeforeBytes)),
        };
    });
}
