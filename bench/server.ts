// The parent's handle on the test-server child (see server-process.ts).
import * as path from 'node:path';
import { type Child, forkChild } from './child';

/** A latency long enough that requests stay in flight while memory is measured. */
export const HOLD_LATENCY_MS = 10 * 60 * 1000;

export interface ServerUrls {
    apiKey: string;
    /** Base URL per latency in ms, keyed by the latency as a string (IPC carries JSON). */
    byLatency: Record<string, string>;
    /** A server that does not answer within a scenario: its requests stay in flight. */
    hold: string;
}

/** What the servers did since the last reset. */
export interface ServerActivity {
    requests: number;
    /** CPU the server process used, in µs. */
    cpuUs: number;
}

export interface ServerProcess {
    readonly urls: ServerUrls;
    /** Forgets the requests the servers recorded (they would pile up over a run). */
    reset(): Promise<ServerActivity>;
    stop(): Promise<void>;
}

export async function startServerProcess(latenciesMs: readonly number[]): Promise<ServerProcess> {
    const child: Child = await forkChild(path.join(__dirname, 'server-process.js'), [latenciesMs.join(',')]);
    const urls = await child.call<ServerUrls>('urls');
    return {
        urls,
        reset: () => child.call<ServerActivity>('reset'),
        async stop() {
            await child.call('close');
            await child.stop();
        },
    };
}
