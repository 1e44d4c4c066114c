// The human-readable side of a run: tables for the console and for
// BENCHMARKS.md (same rows, two renderings), and the throughput chart.
import { CONTESTANTS, type ContestantName } from './contestants/contestant';
import type { Machine } from './machine';
import type { FirstPartialResults } from './scenarios/first-partial';
import { summariseFirstPartial } from './scenarios/first-partial';
import type { MemoryResults } from './scenarios/memory';
import type { RateLimitSettings } from './settings';
import { type CellSummary, FULL_GC_PLACES, type RateLimitSummary, type StartupSummary, type Target } from './summary';
import { type ChartSpec, lineChartSvg } from './svg-chart';
import { KINDS } from './workloads';

type Table = { title: string; headers: string[]; rows: string[][]; notes?: string[] };

const MB = 1024 * 1024;
const mb = (bytes: number) => (bytes / MB).toFixed(1);
// IPC carries JSON, where NaN ("not measurable") arrives as null.
const int = (value: number | null) => (value !== null && Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–');

export function throughputTable(cells: CellSummary[], lifetimeMaxRssBytes: Record<ContestantName, number>): Table {
    const letters = CONTESTANTS.map(({ letter }) => letter);
    return {
        title: 'Throughput, CPU per request and peak RSS (medians of the rounds)',
        headers: [
            'kind',
            'latency',
            'C',
            'N',
            ...letters.map((letter) => `${letter} req/s`),
            'C/B',
            'C/A',
            ...letters.map((letter) => `${letter} CPU µs/req`),
            'C−B µs',
            ...letters.map((letter) => `${letter} RSS MB`),
        ],
        rows: cells.map((cell) => [
            cell.kind,
            `${cell.latencyMs} ms`,
            String(cell.concurrency),
            int(cell.requests),
            ...CONTESTANTS.map(({ name }) => int(cell.figures[name].requestsPerSecond)),
            cell.throughputCOverB.toFixed(3),
            cell.throughputCOverA.toFixed(3),
            ...CONTESTANTS.map(({ name }) => int(cell.figures[name].cpuPerRequestUs)),
            signed(cell.cpuCMinusBUs),
            ...CONTESTANTS.map(({ name }) => mb(cell.figures[name].peakRssBytes)),
        ]),
        notes: [
            'C/B, C/A and C−B are medians of the per-round pairs (each pair measured back to back), not ratios of the medians.',
            'CPU: process.cpuUsage() of the contestant\'s process (user + system, all threads) ÷ N, measured while only that contestant runs; the test server runs in another process.',
            'RSS: peak sampled every 100 ms during the cell, of the contestant\'s process: B and C share one (one Node-RED runtime), so their RSS columns are of the same process. Whole-run peak RSS: ' +
                `A ${mb(lifetimeMaxRssBytes.sdk)} MB, B and C ${mb(lifetimeMaxRssBytes['package-nodes'])} MB.`,
        ],
    };
}

export function fullGcTable(cells: CellSummary[]): Table {
    return {
        title: 'C − B by where full collections fell (rounds, and the median C − B µs of those rounds)',
        headers: ['kind', 'latency', 'C', 'C−B µs, all rounds', ...FULL_GC_PLACES.map((place) => `full GC in ${place}`)],
        rows: cells.map((cell) => [
            cell.kind,
            `${cell.latencyMs} ms`,
            String(cell.concurrency),
            signed(cell.cpuCMinusBUs),
            ...FULL_GC_PLACES.map((place) => {
                const { rounds, medianUs } = cell.cpuCMinusBByFullGc[place];
                return rounds === 0 ? '–' : `${rounds}: ${signed(medianUs)}`;
            }),
        ]),
        notes: [
            'A full (mark-compact) collection costs a Node-RED process a few hundred ms of CPU: 100–300 µs per request of the 2,000-request measurement it falls in.',
        ],
    };
}

export function targetsTable(targets: Target[]): Table {
    return {
        title: 'Targets',
        headers: ['target', 'measured', 'met', 'beside it, not judged'],
        rows: targets.map((target) => [target.name, target.measured, target.met ? 'yes' : 'NO', target.beside || '–']),
    };
}

export function queueTable(memory: MemoryResults): Table {
    const { queue } = memory;
    return {
        title: 'Memory with messages queued behind the in-flight limit (maxInFlight 8, server never answers)',
        headers: ['kind', 'queued', 'msg B', 'heap +MB', 'RSS +MB', 'peak RSS MB', 'requests sent', 'errors'],
        rows: queue.points.map((point) => [
            point.kind,
            int(point.queued),
            int(point.messageBytes),
            mb(point.heapAfterBytes - point.heapBeforeBytes),
            mb(point.rssAfterBytes - point.rssBeforeBytes),
            mb(point.maxRssBytes),
            String(point.requestsAtServer),
            String(point.errors),
        ]),
        notes: KINDS.map((kind) => {
            const heap = queue.heapPerQueued[kind];
            const rss = queue.rssPerQueued[kind];
            return (
                `${kind}: ${int(heap.slope)} B of heap per queued message (R² ${heap.r2.toFixed(4)}), ` +
                `${int(rss.slope)} B of RSS (R² ${rss.r2.toFixed(4)}); messages themselves (msg B) not included.`
            );
        }),
    };
}

export function historyTable(memory: MemoryResults): Table {
    const { history } = memory;
    const first = history.points[0];
    return {
        title: `Chat history length (${first?.messages ?? 0} messages end to end at maxInFlight 8, 0 ms server, after the same run unmeasured; ${first?.held ?? 0} held in flight)`,
        headers: ['history', 'msg KB', 'ms/req', 'CPU µs/req', 'peak heap +MB', 'held KB/req', 'peak RSS MB', 'errors'],
        rows: history.points.map((point) => [
            int(point.length),
            point.messageBytes === null ? '–' : int(point.messageBytes / 1024),
            (point.endToEnd.elapsedMs / point.messages).toFixed(2),
            int(point.endToEnd.cpuUs / point.messages),
            mb(point.endToEnd.peakHeapUsedBytes - point.endToEnd.startHeapUsedBytes),
            int(point.heldBytesPerRequest / 1024),
            mb(point.maxRssBytes),
            String(point.endToEnd.errors),
        ]),
        notes: [
            `CPU per request: ${history.cpuPerMessage.slope.toFixed(2)} µs per history message (R² ${history.cpuPerMessage.r2.toFixed(4)})`,
            `heap held per request in flight: ${int(history.heldHeapPerMessage.slope)} B per history message ` +
                `(R² ${history.heldHeapPerMessage.r2.toFixed(4)})`,
            `peak heap growth: ${int(history.peakHeapPerMessage.slope)} B per history message (R² ${history.peakHeapPerMessage.r2.toFixed(4)}; ` +
                'the run does not start from a collection, so what the rehearsal left is collected at times of its own)',
        ],
    };
}

export function conversationTable(memory: MemoryResults): Table {
    const { conversations } = memory;
    const fit = conversations.heapPerStoredMessage;
    const grown = (heapBytes: number) => heapBytes - conversations.heapBeforeBytes;
    return {
        title: `Conversation memory (${conversations.conversations} conversations in one chat node, flow context, memory store; heap measured as they grow)`,
        headers: ['turns each', 'stored messages', 'heap +MB', 'B per stored message'],
        rows: conversations.points.map((point) => [int(point.turns), int(point.storedMessages), mb(grown(point.heapBytes)), int(grown(point.heapBytes) / point.storedMessages)]),
        notes: [
            `heap: ${int(fit.slope)} B per stored message (R² ${fit.r2.toFixed(4)}); a stored message is a user text of ~520 characters or the simulated answer that quotes it; ` +
                `${conversations.errors} errors.`,
        ],
    };
}

export function startupTable(startup: StartupSummary[]): Table {
    return {
        title: 'Start-up: Node-RED loading this package (registry addModule, until the three types are registered)',
        headers: ['SDK already loaded', 'samples', 'package load ms', 'SDK require ms', 'RSS +MB', 'Node-RED start ms'],
        rows: startup.map((entry) => [
            entry.preloadedSdk ? 'yes' : 'no',
            String(entry.samples),
            entry.packageLoadMs.toFixed(1),
            entry.sdkRequireMs === undefined ? '–' : entry.sdkRequireMs.toFixed(1),
            mb(entry.rssGrowthBytes),
            int(entry.nodeRedStartMs),
        ]),
    };
}

export function firstPartialTable(results: FirstPartialResults): Table {
    const [sdk, pkg] = summariseFirstPartial(results);
    const ms = (value: number) => `${value.toFixed(2)} ms`;
    return {
        title: 'First partial: from the server writing the first text chunk to the contestant seeing it',
        headers: ['contestant', 'samples', 'median', 'p95'],
        rows: [sdk, pkg].map((entry) => [entry.contestant, String(entry.samples), ms(entry.medianMs), ms(entry.p95Ms)]),
        notes: [
            `C − A: ${ms(pkg.medianMs - sdk.medianMs)} at the median, ${ms(pkg.p95Ms - sdk.p95Ms)} at p95 (target: within 2 ms at the median).`,
            `The server waits ${results.gapMs} ms after the headers, then writes the first chunk alone; C is the chat node with stream on, timed at a node wired to its output 2.`,
        ],
    };
}

export function rateLimitTable(rows: RateLimitSummary[], settings: RateLimitSettings): Table {
    const label = (name: ContestantName) => CONTESTANTS.find((contestant) => contestant.name === name)!.label;
    const limits = settings.settings
        .map((setting) => `${setting.budget} budget: ${int(setting.requestsPerMinute)} requests and ${int(setting.tokensPerMinute)} tokens a minute`)
        .join('; ');
    return {
        title:
            `Rate limits: ${int(settings.messages)} chat messages at once, ${settings.concurrency} in flight, ` +
            `against a server answering in ${settings.latencyMs} ms whose minute lasts ${settings.minuteMs / 1000} s`,
        headers: ['budget that runs out', 'contestant', 'completed', 'failed', '429s', '429s of requests', 'time', 'share of request limit', 'share of token limit'],
        rows: order(rows, settings).map((row) => [
            row.budget,
            label(row.contestant),
            int(row.completed),
            int(row.failed),
            int(row.refused),
            `${(row.refusedShare * 100).toFixed(1)}%`,
            `${(row.elapsedMs / 1000).toFixed(1)} s`,
            row.shareOf.requests.toFixed(3),
            row.shareOf.tokens.toFixed(3),
        ]),
        notes: [
            `${limits}; each burst starts with the budgets full.`,
            'Share of a limit: what completed (messages, or their tokens as the server counted them) ÷ what the budget allowed over the burst: ' +
                'its full bucket at the start plus its refill at the limit\'s rate for the burst\'s time. 1 = none of it left unused.',
            'A and B use the SDK\'s default retries (2, after the 429\'s retry-after-ms); C is the chat node with the editor\'s defaults and maxInFlight ' +
                `${settings.concurrency}, fed every message at once.`,
        ],
    };
}

/** The bursts setting by setting, A B C within each, whichever order they ran in. */
function order(rows: RateLimitSummary[], settings: RateLimitSettings): RateLimitSummary[] {
    const rank = (row: RateLimitSummary) =>
        settings.settings.findIndex((setting) => setting.budget === row.budget) * CONTESTANTS.length +
        CONTESTANTS.findIndex((contestant) => contestant.name === row.contestant);
    return [...rows].sort((a, b) => rank(a) - rank(b));
}

export function machineTable(machine: Machine): Table {
    return {
        title: 'Machine',
        headers: ['what', 'value'],
        rows: [
            ['CPUs (nproc)', `${machine.cpus} × ${machine.cpuModel}`],
            ['memory', `${(machine.totalMemoryBytes / 1024 ** 3).toFixed(1)} GiB`],
            ['OS', machine.os],
            ['Node.js', machine.node],
            ['Node-RED', machine.nodeRed],
            ['openai SDK', machine.openai],
            ['commit measured', machine.source],
            ['load average before / after', `${loads(machine.loadBefore)} / ${loads(machine.loadAfter)}`],
        ],
    };
}

/** A table as aligned plain text, for the console. */
export function renderText(table: Table): string {
    const widths = table.headers.map((header, column) =>
        Math.max(header.length, ...table.rows.map((row) => row[column].length)),
    );
    const line = (cells: string[]) =>
        cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
    return [
        table.title,
        line(table.headers),
        widths.map((width) => '-'.repeat(width)).join('  '),
        ...table.rows.map(line),
        ...(table.notes ?? []).map((note) => `  ${note}`),
    ].join('\n');
}

/** A cell that reads as a number (with an optional sign or unit): right-aligned in Markdown. */
const NUMBER = /^([+−-]?[\d,.]+( ms| µs| MB| s|%)?|–)$/;

/** The same table in Markdown, for BENCHMARKS.md. */
export function renderMarkdown(table: Table): string {
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
    return [
        `### ${table.title}`,
        '',
        line(table.headers),
        line(table.headers.map((_, column) => (column > 0 && table.rows.every((row) => NUMBER.test(row[column])) ? '---:' : '---'))),
        ...table.rows.map(line),
        ...(table.notes && table.notes.length > 0 ? ['', ...table.notes.map((note) => `- ${note}`)] : []),
    ].join('\n');
}

const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c'];

/** Requests per second by concurrency: one panel per latency and kind, one line per contestant. */
export function throughputChart(cells: CellSummary[], machine: Machine): string {
    const latencies = [...new Set(cells.map((cell) => cell.latencyMs))];
    const concurrencies = [...new Set(cells.map((cell) => cell.concurrency))].sort((a, b) => a - b);
    const spec: ChartSpec = {
        title: '@connector-labs/node-red-openai: throughput by concurrency',
        subtitle: `medians of ${cells[0]?.rounds ?? 0} rounds; ${machine.cpus} CPUs, Node.js ${machine.node}; local test server in its own process`,
        xTitle: 'concurrency (requests in flight)',
        yTitle: 'requests per second',
        columns: KINDS.length,
        panels: latencies.flatMap((latencyMs) =>
            KINDS.map((kind) => ({
                title: `${kind}, server latency ${latencyMs} ms`,
                xLabels: concurrencies.map(String),
                series: CONTESTANTS.map(({ name, label }, index) => ({
                    name: label,
                    color: COLOURS[index],
                    values: concurrencies.map(
                        (concurrency) =>
                            cells.find((cell) => cell.kind === kind && cell.latencyMs === latencyMs && cell.concurrency === concurrency)
                                ?.figures[name].requestsPerSecond ?? Number.NaN,
                    ),
                })),
            })),
        ),
    };
    return lineChartSvg(spec);
}

function loads(averages: number[]): string {
    return averages.map((value) => value.toFixed(2)).join(' ');
}

function signed(value: number): string {
    return `${value >= 0 ? '+' : ''}${Math.round(value)}`;
}
