// The parent's handle on the test-server child (see server-process.ts).
import * as path from 'node:path';
import type { RateLimitOptions, RateLimitTally } from '../test/server/rate-limits';
import { type Child, forkChild } from './child';

/** A latency long enough that requests stay in flight while memory is measured. */
export const HOLD_LATENCY_MS = 10 * 60 * 1000;

/** The name of the plain test server with this latency. */
export function latencyServer(latencyMs: number): string {
    return `latency-${latencyMs}`;
}

/** A test server that enforces rate limits, answering after `latencyMs`. */
export interface RateLimitedServer {
    name: string;
    latencyMs: number;
    limits: RateLimitOptions;
}

export interface ServerUrls {
    apiKey: string;
    /** Base URL of each test server by name: `latencyServer(ms)` for the plain ones, its own name for a rate-limited one. */
    servers: Record<string, string>;
    /** A server that does not answer within a scenario: its requests stay in flight. */
    hold: string;
}

/** What the servers did since the last reset. */
export interface ServerActivity {
    requests: number;
    /** CPU the server process used, in µs. */
    cpuUs: number;
    /** What the rate-limited servers' budgets let through and refused. */
    rateLimits: RateLimitTally;
}

export interface ServerProcess {
    readonly urls: ServerUrls;
    /** Forgets the requests the servers recorded (they would pile up over a run) and refills their budgets. */
    reset(): Promise<ServerActivity>;
    stop(): Promise<void>;
}

export async function startServerProcess(latenciesMs: readonly number[], rateLimited: readonly RateLimitedServer[] = []): Promise<ServerProcess> {
    const child: Child = await forkChild(path.join(__dirname, 'server-process.js'), [latenciesMs.join(','), JSON.stringify(rateLimited)]);
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

/** The base URL of the named server. */
export function urlFor(urls: ServerUrls, server: string): string {
    const url = urls.servers[server];
    if (!url) throw new Error(`no test server named ${server}`);
    return url;
}
