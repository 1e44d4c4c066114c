// Pacing by the server's rate limits: a 429 makes the whole account wait for
// its retry-after (also beyond the SDK's 60 s cap) and the message is tried
// again; a burst against a budget spreads over it instead of failing; a
// redeploy ends a waiting message at once.
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
});
