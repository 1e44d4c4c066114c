// Pacing by the server's rate limits: a 429 makes the whole account wait for
// its retry-after (also beyond the SDK's 60 s cap) and the message is tried
// again, while the node's queue bound still holds; a burst against a request
// or a token budget spreads over it instead of failing; a redeploy ends a
// waiting message at once.
import { strict as assert } from 'node:assert';
import { helper, loadFlow, onComplete, send, settled, statusCalls } from '../support/flow';
import { useTestServer } from '../support/suite-server';
import { startTestServer, type TestServer } from '../server/openai-test-server';
import { CHAT } from './nodes-under-test';

describe('rate limits', function () {
    this.timeout(30000);
    const server = useTestServer();

    it('waits account-wide for a 429\'s retry-after, then tries the message again', async () => {
        const outcome = await loadFlow({ node: CHAT.config, account: { baseURL: server.url, apiKey: server.apiKey, maxRetries: '2' } });
        server.failNext({ kind: 'status', status: 429, headers: { 'retry-after-ms': '700' } });
        const started = Date.now();
        send(CHAT.goodMessage(1));
        while (server.requests.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
        // A second message, sent while the account waits, waits too.
        send(CHAT.goodMessage(2));
        await settled(outcome, 2);
        assert.equal(outcome.errors.length, 0, String((outcome.errors[0]?.error as Error)?.message));
        assert.ok(Date.now() - started >= 700, `both ended after the wait (${Date.now() - started} ms)`);
        assert.equal(server.requests.length, 3, 'the 429, its retry, and the second message, nothing more');
        assert.ok(
            statusCalls('n1').some((status) => status.text === 'status.rateLimitWait'),
            'the status said the node was waiting for the rate limit',
        );
    });

    it('ends the message with the 429 once the account\'s retries are spent', async () => {
        const outcome = await loadFlow({ node: CHAT.config, account: { baseURL: server.url, apiKey: server.apiKey, maxRetries: '1' } });
        server.failNext({ kind: 'status', status: 429, headers: { 'retry-after-ms': '10' } }, 5);
        send(CHAT.goodMessage(1));
        await settled(outcome, 1);
        assert.match(String((outcome.errors[0]?.error as Error)?.message), /OpenAI API error 429/);
        assert.equal(server.requests.length, 2, 'one try and one retry');
    });

    it('keeps the queue bound while the account waits: beyond it at once, the queued after the wait, each once', async () => {
        const outcome = await loadFlow({
            node: { ...CHAT.config, maxInFlight: 1, maxQueued: 3 },
            account: { baseURL: server.url, apiKey: server.apiKey, maxRetries: '2' },
        });
        const ended = new Map<unknown, number>();
        const stopWatching = onComplete('n1', (msg) => ended.set(msg.seq, (ended.get(msg.seq) ?? 0) + 1));
        server.failNext({ kind: 'status', status: 429, headers: { 'retry-after-ms': '600' } });
        send(CHAT.goodMessage(0));
        while (server.requests.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
        // Message 0 holds the one slot through its wait; 1 to 3 fill the queue, 4 and 5 find it full.
        for (let seq = 1; seq <= 5; seq++) send(CHAT.goodMessage(seq));
        await settled(outcome, 2);
        assert.deepEqual(outcome.errors.map((caught) => caught.seq), [4, 5]);
        for (const caught of outcome.errors) assert.match((caught.error as Error).message, /too many messages waiting \(maxQueued is 3\)/);
        assert.equal(outcome.outputs.length, 0, 'refused while the account still waited');
        assert.equal(server.requests.length, 1, 'nothing more was sent during the wait');
        await settled(outcome, 6);
        stopWatching();
        assert.deepEqual(outcome.outputs.map((msg) => msg.seq), [0, 1, 2, 3]);
        assert.equal(outcome.errors.length, 2);
        assert.equal(server.requests.length, 5, 'the 429, its retry and the three queued');
        assert.deepEqual([...ended.entries()].sort(([a], [b]) => Number(a) - Number(b)), [0, 1, 2, 3, 4, 5].map((seq) => [seq, 1]));
    });

    it('ends a message waiting for a long rate-limit wait at once when the flow stops', async () => {
        await loadFlow({ node: CHAT.config, account: { baseURL: server.url, apiKey: server.apiKey, maxRetries: '3' } });
        const errors: Error[] = [];
        const stopWatching = onComplete('n1', (_msg, error) => errors.push(error ?? new Error('ended without an error')));
        // Beyond the SDK's 60 s cap on retry-after.
        server.failNext({ kind: 'status', status: 429, headers: { 'retry-after': '90' } });
        send(CHAT.goodMessage(1));
        while (server.requests.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
        await new Promise((resolve) => setTimeout(resolve, 50));
        const started = Date.now();
        await helper.unload();
        stopWatching();
        assert.ok(Date.now() - started < 2000, `the stop took ${Date.now() - started} ms`);
        assert.equal(errors.length, 1, 'the message ended once');
        assert.match(errors[0].message, /request aborted/);
        assert.equal(server.requests.length, 1, 'it was never sent again');
    });

    describe('a burst against a request budget', () => {
        let limited: TestServer;
        before(async () => {
            // 120 requests a minute: the bucket starts full, then refills two a second.
            limited = await startTestServer({ rateLimits: { requestsPerMinute: 120 } });
        });
        after(() => limited.close());

        it('completes every message, spread over the budget, with few 429s', async () => {
            const outcome = await loadFlow({ node: { ...CHAT.config, maxInFlight: 8 }, account: { baseURL: limited.url, apiKey: limited.apiKey } });
            const count = 126;
            for (let seq = 0; seq < count; seq++) send(CHAT.goodMessage(seq));
            await settled(outcome, count, 20000);
            assert.equal(outcome.errors.length, 0, String((outcome.errors[0]?.error as Error)?.message));
            assert.equal(outcome.outputs.length, count);
            const refused = limited.requests.length - count;
            assert.ok(refused <= 3, `${refused} requests got a 429`);
        });
    });

    describe('a burst against a token budget', () => {
        let limited: TestServer;
        before(async () => {
            // A chat request here costs 14 tokens (see the test server's simulator): 3,000 a minute
            // is ~214 requests in the full bucket, then 50 tokens a second; the request budget never runs out.
            limited = await startTestServer({ rateLimits: { requestsPerMinute: 10_000, tokensPerMinute: 3000 } });
        });
        after(() => limited.close());

        it('completes every message, spread over the token budget, with few 429s, and says that it waits', async () => {
            const outcome = await loadFlow({ node: { ...CHAT.config, maxInFlight: 8 }, account: { baseURL: limited.url, apiKey: limited.apiKey } });
            const count = 222;
            for (let seq = 0; seq < count; seq++) send(CHAT.goodMessage(seq));
            await settled(outcome, count, 20000);
            assert.equal(outcome.errors.length, 0, String((outcome.errors[0]?.error as Error)?.message));
            assert.equal(outcome.outputs.length, count);
            const tally = limited.rateLimitTally();
            assert.equal(tally.accepted, count);
            assert.ok(tally.tokens > 3000, `the messages needed more than the full bucket (${tally.tokens} tokens)`);
            assert.ok(tally.refused <= 3, `${tally.refused} requests got a 429`);
            assert.ok(
                statusCalls('n1').some((status) => status.text === 'status.rateLimitWait'),
                'the status said the node was waiting for the rate limit',
            );
        });
    });
});
