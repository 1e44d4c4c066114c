// What the three contestants have in common: each makes `requests` requests
// of one kind against one of the test servers, at most `concurrency` at
// once, and reports how many failed.
import type { Usage } from '../measure';
import type { FlowDriver } from '../node-red/flow-driver';
import type { FlowNode } from '../node-red/runtime';
import type { ServerUrls } from '../server';
import type { Kind } from '../workloads';

export interface RunOutcome {
    errors: number;
    firstError?: string;
}

/** One throughput measurement: a kind of request, a server latency, a concurrency and a count. */
export interface Cell {
    kind: Kind;
    latencyMs: number;
    concurrency: number;
    requests: number;
}

/** What a contestant is asked to do: `requests` requests of `kind` against the test server named `server`. */
export interface Run {
    kind: Kind;
    server: string;
    concurrency: number;
    requests: number;
}

export type CellMeasurement = Usage & RunOutcome;

export interface Contestant {
    run(run: Run): Promise<RunOutcome>;
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
    /** The names of the servers the runs will use, the warm-up's (0 ms) included. */
    servers: string[];
    concurrencies: number[];
}
