// The child process that runs the project's local OpenAI-compatible test
// servers for the benchmark, one per latency and one per rate-limited
// setting, so that the server's CPU is never counted in a contestant's process.
import { startTestServer, type TestServer } from '../test/server/openai-test-server';
import { runChild, serve } from './child';
import { HOLD_LATENCY_MS, latencyServer, type RateLimitedServer, type ServerActivity, type ServerUrls } from './server';

runChild(async () => {
    const latencies = (process.argv[2] ?? '0').split(',').map(Number);
    const rateLimited = JSON.parse(process.argv[3] ?? '[]') as RateLimitedServer[];
    const servers = new Map<string, TestServer>();
    // Validation off: the schemas are the tests' business and would make the server the bottleneck.
    for (const latencyMs of latencies) servers.set(latencyServer(latencyMs), await startTestServer({ latencyMs, validate: false }));
    for (const { name, latencyMs, limits } of rateLimited) {
        servers.set(name, await startTestServer({ latencyMs, validate: false, rateLimits: limits }));
    }
    const hold = await startTestServer({ latencyMs: HOLD_LATENCY_MS, validate: false });
    const all = [...servers.values(), hold];
    let cpuSince = process.cpuUsage();

    serve({
        urls: (): ServerUrls => ({
            apiKey: hold.apiKey,
            servers: Object.fromEntries([...servers].map(([name, server]) => [name, server.url])),
            hold: hold.url,
        }),
        // The servers record every request; forgetting them between measurements keeps their memory flat.
        reset: (): ServerActivity => {
            const activity: ServerActivity = { requests: 0, cpuUs: 0, rateLimits: { accepted: 0, refused: 0, tokens: 0 } };
            for (const server of all) {
                activity.requests += server.requests.length;
                const tally = server.rateLimitTally();
                activity.rateLimits.accepted += tally.accepted;
                activity.rateLimits.refused += tally.refused;
                activity.rateLimits.tokens += tally.tokens;
                server.reset();
            }
            const cpu = process.cpuUsage(cpuSince);
            cpuSince = process.cpuUsage();
            activity.cpuUs = cpu.user + cpu.system;
            return activity;
        },
        close: async () => {
            await Promise.all(all.map((server) => server.close()));
        },
    });
});
