// Turns the raw samples into the figures of the report: medians per cell and
// contestant, the paired ratios C/A and differences C−B, and the targets.
import { CONTESTANTS, type ContestantName } from './contestants/contestant';
import type { MemoryResults } from './scenarios/memory';
import type { StartupResults } from './scenarios/startup';
import type { ThroughputResults, ThroughputSample } from './scenarios/throughput';
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
    /** Median over rounds of (C req/s ÷ A req/s), each pair measured back to back. */
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

function fullGcPlace(c: ThroughputSample, b: ThroughputSample): FullGcPlace {
    if (c.majorGcs > 0) return b.majorGcs > 0 ? 'both' : 'C only';
    return b.majorGcs > 0 ? 'B only' : 'neither';
}

/** The targets, judged on this run's figures. */
export function judgeTargets(cells: CellSummary[], memory: MemoryResults | undefined): Target[] {
    const targets: Target[] = [];
    const atC16 = (latencyMs: number) => cells.filter((cell) => cell.concurrency === 16 && cell.latencyMs === latencyMs);
    for (const [latencyMs, goal] of [
        [20, 0.97],
        [0, 0.85],
    ] as const) {
        for (const cell of atC16(latencyMs)) {
            targets.push({
                name: `throughput C/A ≥ ${goal}, ${cell.kind}, ${latencyMs} ms, C=16`,
                measured: cell.throughputCOverA.toFixed(3),
                met: cell.throughputCOverA >= goal,
            });
        }
    }
    for (const cell of cells) {
        targets.push({
            name: `CPU per request C−B ≤ 50 µs, ${cell.kind}, ${cell.latencyMs} ms, C=${cell.concurrency}`,
            measured: `${cell.cpuCMinusBUs.toFixed(0)} µs`,
            met: cell.cpuCMinusBUs <= 50,
        });
    }
    if (memory) {
        // Linear: the points lie on a line (R² close to 1).
        const linear = (name: string, fit: { slope: number; r2: number }, unit: string) =>
            targets.push({ name, measured: `${formatSlope(fit.slope)} ${unit}, R² ${fit.r2.toFixed(4)}`, met: fit.r2 >= 0.98 });
        for (const [kind, fit] of Object.entries(memory.queue.heapPerQueued)) {
            linear(`heap linear in queued messages (${kind})`, fit, 'B per queued message');
        }
        linear('CPU linear in history length', memory.history.cpuPerMessage, 'µs per history message');
        linear('heap held per request linear in history length', memory.history.heldHeapPerMessage, 'B per history message');
    }
    return targets;
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
