// The child process that runs the project's local OpenAI-compatible test
// servers for the benchmark, one per latency, so that the server's CPU is
// never counted in a contestant's process.
import { startTestServer, type TestServer } from '../test/server/openai-test-server';
import { runChild, serve } from './child';
import { HOLD_LATENCY_MS, type ServerActivity, type ServerUrls } from './server';

runChild(async () => {
    const latencies = (process.argv[2] ?? '0').split(',').map(Number);
    const servers = new Map<string, TestServer>();
    // Validation off: the schemas are the tests' business and would make the server the bottleneck.
    for (const latencyMs of latencies) servers.set(String(latencyMs), await startTestServer({ latencyMs, validate: false }));
    const hold = await startTestServer({ latencyMs: HOLD_LATENCY_MS, validate: false });
    const all = [...servers.values(), hold];
    let cpuSince = process.cpuUsage();

    serve({
        urls: (): ServerUrls => ({
            apiKey: hold.apiKey,
            byLatency: Object.fromEntries([...servers].map(([latency, server]) => [latency, server.url])),
            hold: hold.url,
        }),
        // The servers record every request; forgetting them between measurements keeps their memory flat.
        reset: (): ServerActivity => {
            let requests = 0;
            for (const server of all) {
                requests += server.requests.length;
                server.reset();
            }
            const cpu = process.cpuUsage(cpuSince);
            cpuSince = process.cpuUsage();
            return { requests, cpuUs: cpu.user + cpu.system };
        },
        close: async () => {
            await Promise.all(all.map((server) => server.close()));
        },
    });
});
