import { strict as assert } from 'node:assert';
import net from 'node:net';
import type { Fault } from '../server/openai-test-server';
import { loadFlow, send, settled } from '../support/flow';
import { useTestServer } from '../support/suite-server';
import { BOTH } from './nodes-under-test';

/**
 * Every fault the API or the network can throw at the nodes: each message
 * that came in ends as exactly one output or one error, and the process
 * sees no unhandled rejection.
 */
describe('faults', () => {
    const server = useTestServer();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);

    before(() => process.on('unhandledRejection', onUnhandled));
    after(() => process.off('unhandledRejection', onUnhandled));
    afterEach(() => assert.deepEqual(unhandled, [], 'no promise may be left rejected without a handler'));

    interface FaultCase {
        name: string;
        fault?: Fault;
        times?: number;
        account?: Record<string, unknown>;
        node?: Record<string, unknown>;
        /** What the error says, or null when the retries recover and the message succeeds. */
        error: RegExp | null;
    }

    const cases: FaultCase[] = [
        { name: '429 with retry-after, recovered by a retry', fault: { kind: 'status', status: 429, headers: { 'retry-after': '0' } }, error: null },
        { name: '429 without retry-after, recovered by a retry', fault: { kind: 'status', status: 429 }, error: null },
        { name: '429 until the retries are spent', fault: { kind: 'status', status: 429, headers: { 'retry-after-ms': '1' } }, times: 9, error: /OpenAI API error 429/ },
        { name: '500 until the retries are spent', fault: { kind: 'status', status: 500, headers: { 'retry-after-ms': '1' } }, times: 9, error: /OpenAI API error 500/ },
        { name: '502, recovered by a retry', fault: { kind: 'status', status: 502, headers: { 'retry-after-ms': '1' } }, error: null },
        { name: '503 until the retries are spent', fault: { kind: 'status', status: 503, headers: { 'retry-after-ms': '1' } }, times: 9, error: /OpenAI API error 503/ },
        { name: 'a dropped connection, recovered by a retry', fault: { kind: 'drop' }, error: null },
        { name: 'dropped connections until the retries are spent', fault: { kind: 'drop' }, times: 9, error: /could not reach the API/ },
        { name: 'a hung server (timeout)', fault: { kind: 'hang' }, times: 9, account: { timeout: '0.2' }, error: /did not answer in time/ },
        { name: 'a body that is not JSON', fault: { kind: 'malformed' }, error: /unexpected answer from the API/ },
        { name: 'a 200 with the main field missing', fault: { kind: 'body', body: { id: 'x', object: 'chat.completion', results: [], model: 'm' } }, error: /unexpected answer from the API/ },
        { name: 'a wrong key', account: { apiKey: 'sk-not.the.right.key' }, error: /OpenAI API error 401/ },
        { name: 'an unknown model', node: { model: 'no-such-model', modelType: 'str' }, error: /OpenAI API error 404/ },
        { name: 'a refused connection', account: { baseURL: 'closed port' }, error: /could not reach the API.*ECONNREFUSED/ },
    ];

    for (const target of BOTH) {
        describe(target.name, () => {
            for (const fault of cases) {
                it(fault.name, async () => {
                    const account = { baseURL: server.url, apiKey: server.apiKey, maxRetries: '1', ...fault.account };
                    if (account.baseURL === 'closed port') account.baseURL = `http://127.0.0.1:${await closedPort()}/v1`;
                    const outcome = await loadFlow({ node: { ...target.config, ...fault.node }, account });
                    if (fault.fault) server.failNext(fault.fault, fault.times ?? 1);
                    const count = 3;
                    for (let seq = 0; seq < count; seq += 1) send(target.goodMessage(seq));
                    await settled(outcome, count);
                    assert.equal(outcome.outputs.length + outcome.errors.length, count, 'every message ends exactly once');
                    if (fault.error === null) {
                        assert.equal(outcome.errors.length, 0, String((outcome.errors[0]?.error as Error)?.message));
                    } else {
                        assert.ok(outcome.errors.length >= 1);
                        for (const caught of outcome.errors) assert.match((caught.error as Error).message, fault.error);
                    }
                    const seqs = [...outcome.outputs, ...outcome.errors].map((msg) => msg.seq).sort();
                    assert.deepEqual(seqs, [0, 1, 2]);
                });
            }
        });
    }
});

/** A port on which nothing listens: one the system just handed out and took back. */
function closedPort(): Promise<number> {
    return new Promise((resolve) => {
        const probe = net.createServer().listen(0, '127.0.0.1', () => {
            const { port } = probe.address() as net.AddressInfo;
            probe.close(() => resolve(port));
        });
    });
}
