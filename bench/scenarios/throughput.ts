// Throughput and CPU per request of the three contestants. A lives in a
// long-running child process of its own, B and C share one Node-RED runtime
// in another (PROCESSES); each is set up and warmed once. The contestants
// then take turns cell by cell (A B C, A B C …) and round by round, so that a
// slow moment of the machine hits all three alike. The order changes from
// round to round (turnOrder): A B C, C B A, B C A, A C B, C A B, B A C. B and C
// share a process and the turns run on from cell to cell, so the order also
// decides which of the two comes straight after the other, inheriting
// whatever collecting it left, and which comes after A's turn, while their
// process idles; over any two rounds each has each place once.
import * as fs from 'node:fs';
import { startContestants } from '../contestants/children';
import { type Cell, type CellMeasurement, CONTESTANTS, type ContestantName, type Run } from '../contestants/contestant';
import { latencyServer, type ServerProcess } from '../server';
import { turnOrder } from '../turn-order';
import { type BenchSettings, requestsFor, serverLatencies } from '../settings';
import { KINDS } from '../workloads';

export interface ThroughputSample extends Cell, CellMeasurement {
    contestant: ContestantName;
    round: number;
    /** CPU of the test server's process during the measurement, in µs. */
    serverCpuUs: number;
}

export interface ThroughputResults {
    samples: ThroughputSample[];
    /** Peak RSS of each contestant's process over the whole run, warm-up included. */
    lifetimeMaxRssBytes: Record<ContestantName, number>;
    warmupRequests: number;
    profiles?: string;
}

export function throughputCells(settings: BenchSettings): Cell[] {
    return settings.latenciesMs.flatMap((latencyMs) =>
        settings.concurrencies.flatMap((concurrency) =>
            KINDS.map((kind) => ({ kind, latencyMs, concurrency, requests: requestsFor(settings, latencyMs, concurrency) })),
        ),
    );
}

export async function runThroughput(
    settings: BenchSettings,
    server: ServerProcess,
    profileDir: string,
    log: (line: string) => void,
): Promise<ThroughputResults> {
    const setup = { urls: server.urls, servers: serverLatencies(settings).map(latencyServer), concurrencies: settings.concurrencies };
    if (settings.profile) fs.mkdirSync(profileDir, { recursive: true });
    const contestants = await startContestants(
        setup,
        { warmupRequests: settings.warmupRequests, execArgv: settings.profile ? (names) => profileFlags(profileDir, names) : undefined },
        server,
        log,
    );
    try {
        const samples: ThroughputSample[] = [];
        const cells = throughputCells(settings);
        // Round 0 is not counted: going from the warm-up to each cell's own pace (and heap) takes
        // the first measurement of each cell, which came out slower for every contestant.
        for (let round = 0; round <= settings.rounds; round++) {
            for (const cell of cells) {
                const line: string[] = [];
                for (const { name, letter } of turnOrder(CONTESTANTS, round - 1)) {
                    const measured = await contestants.measure(name, runOf(cell));
                    const activity = await server.reset();
                    if (measured.errors > 0 || activity.requests !== cell.requests) {
                        throw new Error(
                            `contestant ${letter}, ${describeCell(cell)}: ${measured.errors} errors (${measured.firstError}), ` +
                                `${activity.requests} requests reached the server`,
                        );
                    }
                    if (round > 0) samples.push({ ...cell, ...measured, contestant: name, round, serverCpuUs: activity.cpuUs });
                    const perSecond = Math.round((cell.requests / measured.elapsedMs) * 1000);
                    const cpu = Math.round(measured.cpuUs / cell.requests);
                    const serverCpu = Math.round(activity.cpuUs / cell.requests);
                    const gc = Math.round((measured.gcPauseMs * 1000) / cell.requests);
                    line.push(`${letter} ${perSecond}/s ${cpu}µs (gc ${gc}µs ${measured.majorGcs} full, server ${serverCpu}µs)`);
                }
                const counted = round === 0 ? 'round 0 (not counted)' : `round ${round}/${settings.rounds}`;
                log(`  ${counted} ${describeCell(cell)}: ${line.join('  ')}`);
            }
        }
        return {
            samples,
            lifetimeMaxRssBytes: await contestants.maxRss(),
            warmupRequests: contestants.warmupRequests,
            profiles: settings.profile ? profileDir : undefined,
        };
    } finally {
        // Profiles are written when a child exits normally.
        await contestants.stop();
    }
}

function profileFlags(dir: string, names: readonly ContestantName[]): string[] {
    return ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${names.join('+')}.cpuprofile`];
}

/** What a contestant is asked to do for a cell: its requests against the plain server of its latency. */
function runOf({ kind, latencyMs, concurrency, requests }: Cell): Run {
    return { kind, server: latencyServer(latencyMs), concurrency, requests };
}

export function describeCell(cell: Cell): string {
    return `${cell.kind} ${cell.latencyMs} ms C=${cell.concurrency} N=${cell.requests}`;
}
