import { strict as assert } from 'node:assert';
import type { Fault } from '../server/openai-test-server';
import { buildFlow, helper, loadFlow, type Outcome, send, settled, statusCalls } from '../support/flow';
import { type ForwardProxy, startForwardProxy } from '../support/forward-proxy';
import { loadProxiedFlow, PROXY_ID } from '../support/proxy-flow';
import { useTestServer } from '../support/suite-server';
import { BOTH } from './nodes-under-test';

/**
 * The key goes through every kind of failure, including answers that repeat
 * it in full, and must come out in no error, status, log line, console line
 * or message.
 */
describe('the API key stays secret', () => {
    const server = useTestServer({ apiKey: 'sk-proj.SECRET.abcdefghijklmnopqrstuvwxyz.0123456789' });
    const console_ = { log: console.log, warn: console.warn, error: console.error, info: console.info, debug: console.debug };
    let consoleLines: string[] = [];

    beforeEach(() => {
        consoleLines = [];
        for (const level of Object.keys(console_) as (keyof typeof console_)[]) {
            console[level] = (...args: unknown[]) => consoleLines.push(args.map(String).join(' '));
        }
    });
    afterEach(() => Object.assign(console, console_));

    const echo = (status: number): Fault => ({
        kind: 'status',
        status,
        body: { error: { message: `Key ${server.apiKey} was used`, type: 'invalid_request_error', param: server.apiKey, code: server.apiKey } },
        headers: { 'x-echo': server.apiKey, 'retry-after-ms': '1' },
    });

    function assertNoKey(outcome: Outcome, id = 'n1', key = server.apiKey): void {
        const places: [string, unknown][] = [
            ['errors', outcome.errors.map((msg) => ({ msg, message: (msg.error as Error)?.message, stack: (msg.error as Error)?.stack }))],
            ['outputs', outcome.outputs],
            ['status', statusCalls(id)],
            ['logs', helper.log().getCalls().map((call) => call.args)],
            ['console', consoleLines],
        ];
        for (const [where, value] of places) {
            const text = JSON.stringify(value, (_key, item) => (item instanceof Error ? { message: item.message, stack: item.stack } : item));
            assert.ok(!text.includes(key), `the key appears in the ${where}`);
            assert.ok(!text.includes(key.slice(8, 30)), `part of the key appears in the ${where}`);
        }
    }

    for (const target of BOTH) {
        describe(target.name, () => {
            const failures: [string, () => Fault | undefined, Record<string, unknown>][] = [
                ['a 401 that repeats the key', () => echo(401), {}],
                ['a 400 that repeats the key', () => echo(400), {}],
                ['a 500 that repeats the key, after retries', () => echo(500), {}],
                ['a 429 that repeats the key, after retries', () => echo(429), {}],
                ['a body that is not JSON', () => ({ kind: 'malformed' }), {}],
                ['an answer without results that repeats the key', () => ({ kind: 'body', body: { note: server.apiKey } }), {}],
                ['a dropped connection', () => ({ kind: 'drop' }), {}],
                ['a timeout', () => ({ kind: 'hang' }), { timeout: '0.2' }],
            ];
            for (const [name, fault, account] of failures) {
                it(name, async () => {
                    const outcome = await loadFlow({
                        node: target.config,
                        account: { baseURL: server.url, apiKey: server.apiKey, maxRetries: '1', ...account },
                    });
                    const planned = fault();
                    if (planned) server.failNext(planned, 5);
                    send(target.goodMessage(1));
                    await settled(outcome, 1);
                    assert.equal(outcome.errors.length, 1);
                    assertNoKey(outcome);
                });
            }

            it('bad input, a full queue and a redeploy', async () => {
                const options = {
                    node: { ...target.config, maxInFlight: 1, maxQueued: 1 },
                    account: { baseURL: server.url, apiKey: server.apiKey },
                };
                const outcome = await loadFlow(options);
                server.failNext({ kind: 'hang' }, 10);
                send({ payload: 42 }, target.goodMessage(1), target.goodMessage(2), target.goodMessage(3));
                await settled(outcome, 2);
                const { flow, credentials } = buildFlow({ ...options, node: { ...options.node, maxQueued: 2 } });
                await helper.setFlows(flow, 'nodes', credentials);
                await settled(outcome, 4);
                assert.equal(outcome.errors.length, 4);
                assertNoKey(outcome);
            });

            it('a key stored with spaces around it, repeated by the server', async () => {
                const outcome = await loadFlow({
                    node: target.config,
                    account: { baseURL: server.url, apiKey: `  ${server.apiKey}\n`, maxRetries: '0' },
                });
                server.failNext(echo(401));
                send(target.goodMessage(1));
                await settled(outcome, 1);
                assert.equal(outcome.errors.length, 1);
                assertNoKey(outcome);
            });

            it('a base URL with a password in it', async () => {
                const password = 'pa55word.SECRET.abcdefghijklmnopqrstuvwxyz';
                const outcome = await loadFlow({
                    node: target.config,
                    account: { name: '', baseURL: server.url.replace('http://', `http://user:${password}@`), apiKey: server.apiKey },
                });
                send(target.goodMessage(1));
                await settled(outcome, 1);
                assert.equal(outcome.errors.length, 1);
                assertNoKey(outcome, 'n1', password);
            });

            describe('behind a proxy that needs a password, with the key in api-key', () => {
                const proxyPassword = 'pr0xy.SECRET.abcdefghijklmnopqrstuvwxyz';
                let proxy: ForwardProxy;
                before(async () => {
                    proxy = await startForwardProxy({ username: 'plant', password: proxyPassword });
                });
                after(() => proxy.close());

                const proxied = (password: string) =>
                    loadProxiedFlow(
                        { node: target.config, account: { baseURL: server.url, apiKey: server.apiKey, authHeader: 'api-key', proxy: PROXY_ID, maxRetries: '0' } },
                        { url: proxy.url, username: 'plant', password },
                    );
                const token = (password: string) => Buffer.from(`plant:${password}`).toString('base64');

                it('a 401 that repeats the key, through the proxy', async () => {
                    const outcome = await proxied(proxyPassword);
                    server.failNext(echo(401));
                    send(target.goodMessage(1));
                    await settled(outcome, 1);
                    assert.equal(outcome.errors.length, 1);
                    assert.equal(server.requests[0].headers['api-key'], server.apiKey, 'the request went through, with the key');
                    assertNoKey(outcome);
                    assertNoKey(outcome, 'n1', proxyPassword);
                    assertNoKey(outcome, 'n1', token(proxyPassword));
                });

                it('a 407 from the proxy for a wrong password', async () => {
                    const wrong = 'wr0ng.SECRET.abcdefghijklmnopqrstuvwxyz';
                    const outcome = await proxied(wrong);
                    send(target.goodMessage(1));
                    await settled(outcome, 1);
                    assert.equal(outcome.errors.length, 1);
                    assert.equal(server.requests.length, 0);
                    assertNoKey(outcome, 'n1', wrong);
                    assertNoKey(outcome, 'n1', token(wrong));
                });
            });

            it('a successful answer', async () => {
                const outcome = await loadFlow({ node: target.config, account: { baseURL: server.url, apiKey: server.apiKey } });
                send(target.goodMessage(1));
                await settled(outcome, 1);
                assert.equal(outcome.outputs.length, 1);
                assertNoKey(outcome);
            });
        });
    }
});
