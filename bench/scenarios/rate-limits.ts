// A burst against rate limits: all the chat messages at once, into a test
// server whose budgets allow fewer a minute, for each contestant in turn,
// once per setting (one budget or the other runs out first). The server's
// minute is shortened (RateLimitSettings.minuteMs) so that each burst takes
// seconds; every header tells of that minute in real milliseconds, so the
// SDK and the package wait as they would against the real API. The budgets
// are refilled before each burst. Failed messages are counted, not fatal.
import { startContestants } from '../contestants/children';
import { CONTESTANTS, type ContestantName } from '../contestants/contestant';
import { latencyServer, type RateLimitedServer, type ServerProcess } from '../server';
import type { BenchSettings, Budget, RateLimitSettings } from '../settings';
import { WARMUP_LATENCY_MS } from '../settings';
import { turnOrder } from '../turn-order';

export interface RateLimitSample {
    budget: Budget;
    contestant: ContestantName;
    messages: number;
    completed: number;
    failed: number;
    firstError?: string;
    /** Requests that reached the server, 429s included. */
    requests: number;
    /** Requests the server answered with a 429. */
    refused: number;
    /** Tokens of the requests the server let through. */
    tokens: number;
    /** From the first message fed to the last one ended. */
    elapsedMs: number;
}

export interface RateLimitResults {
    settings: RateLimitSettings;
    samples: RateLimitSample[];
}

const serverName = (budget: Budget) => `rate-limited-${budget}`;

/** The rate-limited test servers the section needs, one per setting. */
export function rateLimitedServers({ rateLimits }: BenchSettings): RateLimitedServer[] {
    return rateLimits.settings.map(({ budget, requestsPerMinute, tokensPerMinute }) => ({
        name: serverName(budget),
        latencyMs: rateLimits.latencyMs,
        limits: { requestsPerMinute, tokensPerMinute, minuteMs: rateLimits.minuteMs },
    }));
}

export async function runRateLimits(settings: BenchSettings, server: ServerProcess, log: (line: string) => void): Promise<RateLimitResults> {
    const { rateLimits } = settings;
    const servers = [latencyServer(WARMUP_LATENCY_MS), ...rateLimits.settings.map(({ budget }) => serverName(budget))];
    const contestants = await startContestants(
        { urls: server.urls, servers, concurrencies: [rateLimits.concurrency] },
        { warmupRequests: rateLimits.warmupRequests },
        server,
        log,
    );
    try {
        const samples: RateLimitSample[] = [];
        for (const [index, { budget }] of rateLimits.settings.entries()) {
            const line: string[] = [];
            for (const { name, letter } of turnOrder(CONTESTANTS, index)) {
                await server.reset();
                const run = { kind: 'chat' as const, server: serverName(budget), concurrency: rateLimits.concurrency, requests: rateLimits.messages };
                const measured = await contestants.measure(name, run);
                const activity = await server.reset();
                const sample: RateLimitSample = {
                    budget,
                    contestant: name,
                    messages: rateLimits.messages,
                    completed: rateLimits.messages - measured.errors,
                    failed: measured.errors,
                    firstError: measured.firstError,
                    requests: activity.requests,
                    refused: activity.rateLimits.refused,
                    tokens: activity.rateLimits.tokens,
                    elapsedMs: measured.elapsedMs,
                };
                samples.push(sample);
                line.push(`${letter} ${sample.completed} done, ${sample.failed} failed, ${sample.refused} × 429 in ${(sample.elapsedMs / 1000).toFixed(1)} s`);
            }
            log(`  ${budget} budget: ${line.join('  ')}`);
        }
        return { settings: rateLimits, samples };
    } finally {
        await contestants.stop();
    }
}
