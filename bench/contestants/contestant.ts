// What the three contestants have in common: each makes `requests` requests
// of one kind against the test server at one latency, at most `concurrency`
// at once, and reports how many failed.
import type { Usage } from '../measure';
import type { FlowDriver } from '../node-red/flow-driver';
import type { FlowNode } from '../node-red/runtime';
import type { ServerUrls } from '../server';
import type { Kind } from '../workloads';

export interface RunOutcome {
    errors: number;
    firstError?: string;
}

/** One measurement: a kind of request, a server latency, a concurrency and a count. */
export interface Cell {
    kind: Kind;
    latencyMs: number;
    concurrency: number;
    requests: number;
}

export type CellMeasurement = Usage & RunOutcome;

export interface Contestant {
    run(kind: Kind, latencyMs: number, concurrency: number, requests: number): Promise<RunOutcome>;
}

export type ContestantName = 'sdk' | 'thin-node' | 'package-nodes';

/** The contestants, in their order of the first round, with the letters of the report. */
export const CONTESTANTS: readonly { name: ContestantName; letter: string; label: string }[] = [
    { name: 'sdk', letter: 'A', label: 'A: openai SDK' },
    { name: 'thin-node', letter: 'B', label: 'B: thinnest Node-RED node' },
    { name: 'package-nodes', letter: 'C', label: 'C: openai-chat / openai-moderate' },
];

/**
 * The contestants' child processes: A alone, B and C in one Node-RED runtime.
 * B and C share a process so that they share its heap and its cycle of full
 * collections, which separate processes do not (BENCHMARKS.md, "Design decisions").
 */
export const PROCESSES: readonly (readonly ContestantName[])[] = [['sdk'], ['thin-node', 'package-nodes']];

/** A contestant made of Node-RED nodes: what it adds to the flow, and how it runs once the flow is deployed. */
export interface FlowContestant {
    nodes: FlowNode[];
    /** Credentials by node id. */
    credentials: Record<string, Record<string, string>>;
    contestant(driver: FlowDriver): Contestant;
}

export interface ContestantSetup {
    urls: ServerUrls;
    /** Every latency with a server, the warm-up's (0 ms) included. */
    latenciesMs: number[];
    concurrencies: number[];
}

/** The base URL of the server with this latency. */
export function urlFor(urls: ServerUrls, latencyMs: number): string {
    const url = urls.byLatency[String(latencyMs)];
    if (!url) throw new Error(`no test server with a latency of ${latencyMs} ms`);
    return url;
}
