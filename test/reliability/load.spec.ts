import { strict as assert } from 'node:assert';
import { loadFlow, send, settled } from '../support/flow';
import { useTestServer } from '../support/suite-server';
import { BOTH } from './nodes-under-test';

/** Thousands of messages at once: all accounted for exactly once, memory bounded. */
describe('load', function () {
    this.timeout(120000);
    const server = useTestServer({ latencyMs: 20, validate: false });

    const MESSAGES = 5000;

    for (const target of BOTH) {
        it(`${target.name}: ${MESSAGES} messages sent at once with 20 ms latency end once each`, async () => {
            const outcome = await loadFlow({
                node: { ...target.config, maxInFlight: 64, maxQueued: MESSAGES },
                account: { baseURL: server.url, apiKey: server.apiKey, maxRetries: '0' },
            });
            const rssBefore = process.memoryUsage().rss;
            let peakRss = rssBefore;
            const sampler = setInterval(() => {
                peakRss = Math.max(peakRss, process.memoryUsage().rss);
            }, 20);
            const started = Date.now();
            try {
                for (let seq = 0; seq < MESSAGES; seq += 1) send(target.goodMessage(seq));
                await settled(outcome, MESSAGES, 100000);
            } finally {
                clearInterval(sampler);
            }
            const seconds = (Date.now() - started) / 1000;
            assert.equal(outcome.errors.length, 0, String((outcome.errors[0]?.error as Error)?.message));
            assert.equal(outcome.outputs.length, MESSAGES);
            const seen = new Set(outcome.outputs.map((msg) => msg.seq));
            assert.equal(seen.size, MESSAGES, 'no message is lost or sent twice');
            assert.equal(server.requests.length, MESSAGES);
            const growthMb = (peakRss - rssBefore) / 2 ** 20;
            console.log(`      ${MESSAGES} messages in ${seconds.toFixed(1)} s; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (+${growthMb.toFixed(0)} MiB)`);
            // The outputs themselves are kept by the test; the node must not add much on top.
            assert.ok(growthMb < 400, `RSS grew by ${growthMb.toFixed(0)} MiB`);
        });

        it(`${target.name}: messages beyond maxQueued end with an error at once`, async () => {
            server.latencyMs = 200;
            const outcome = await loadFlow({
                node: { ...target.config, maxInFlight: 2, maxQueued: 3 },
                account: { baseURL: server.url, apiKey: server.apiKey, maxRetries: '0' },
            });
            for (let seq = 0; seq < 10; seq += 1) send(target.goodMessage(seq));
            await settled(outcome, 5, 2000);
            // The first two are in flight and three wait; the other five are refused before any answer.
            assert.equal(outcome.errors.length, 5);
            assert.equal(outcome.outputs.length, 0);
            for (const caught of outcome.errors) assert.match((caught.error as Error).message, /too many messages waiting \(maxQueued is 3\)/);
            await settled(outcome, 10);
            assert.equal(outcome.outputs.length, 5);
            assert.equal(server.requests.length, 5);
        });

        it(`${target.name}: no more than maxInFlight requests reach the server at once`, async () => {
            server.latencyMs = 50;
            const outcome = await loadFlow({
                node: { ...target.config, maxInFlight: 3 },
                account: { baseURL: server.url, apiKey: server.apiKey, maxRetries: '0' },
            });
            let most = 0;
            const sampler = setInterval(() => {
                most = Math.max(most, server.requests.length - outcome.outputs.length - outcome.errors.length);
            }, 2);
            for (let seq = 0; seq < 12; seq += 1) send(target.goodMessage(seq));
            await settled(outcome, 12);
            clearInterval(sampler);
            assert.equal(outcome.outputs.length, 12);
            assert.ok(most <= 3, `saw ${most} requests in flight`);
            assert.ok(most >= 2, `saw only ${most} requests in flight: the limit was not used`);
        });
    }
});
