import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { buildFlow, collect, coreNode, helper, loadFlow, type Message, nodeById, onComplete, send, settled, statusCalls } from '../support/flow';
import { useTestServer } from '../support/suite-server';
import { BOTH, CHAT, MODERATE } from './nodes-under-test';
import accountNode = require('../../nodes/openai-account');
import chatNode = require('../../nodes/openai-chat');

/** Stopping or redeploying a node mid-request: every message still ends exactly once, quickly. */
describe('redeploy', () => {
    const server = useTestServer();

    for (const target of BOTH) {
        it(`${target.name}: aborts in-flight and queued requests, each message ends once with an error`, async () => {
            const options = {
                node: { ...target.config, maxInFlight: 3 },
                account: { baseURL: server.url, apiKey: server.apiKey, maxRetries: '0' },
            };
            const outcome = await loadFlow(options);
            server.failNext({ kind: 'hang' }, 100);
            for (let seq = 0; seq < 10; seq += 1) send(target.goodMessage(seq));
            while (server.requests.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));

            // Redeploy only the changed node, as the editor's "modified nodes" deploy does.
            const { flow, credentials } = buildFlow({ ...options, node: { ...options.node, maxInFlight: 4 } });
            const started = Date.now();
            await helper.setFlows(flow, 'nodes', credentials);
            const closeMs = Date.now() - started;
            await settled(outcome, 10);

            assert.equal(outcome.outputs.length, 0);
            assert.equal(outcome.errors.length, 10);
            assert.deepEqual(outcome.errors.map((msg) => msg.seq).sort((a, b) => Number(a) - Number(b)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
            for (const caught of outcome.errors) assert.match((caught.error as Error).message, /request aborted: the node was stopped or redeployed/);
            assert.equal(server.requests.length, 3, 'queued messages are never sent');
            assert.ok(closeMs < 2000, `close took ${closeMs} ms`);

            // The new node works.
            collect(outcome);
            server.reset();
            send(target.goodMessage(99));
            await settled(outcome, 11);
            assert.equal(outcome.outputs.at(-1)?.seq, 99);
            assert.deepEqual(statusCalls('n1').at(-1)?.fill, 'green');
        });
    }

    it('aborts a request that waits to retry, without waiting for the retry', async () => {
        await loadFlow({
            node: MODERATE.config,
            account: { baseURL: server.url, apiKey: server.apiKey, maxRetries: '3' },
        });
        // A full stop takes the Catch node down too, so the ending is read from Node-RED's onComplete hook.
        const errors: Error[] = [];
        const stopWatching = onComplete('n1', (_msg, error) => errors.push(error ?? new Error('ended without an error')));
        server.failNext({ kind: 'status', status: 429, headers: { 'retry-after': '30' } }, 5);
        send(MODERATE.goodMessage(1));
        while (server.requests.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
        const started = Date.now();
        await helper.unload();
        stopWatching();
        assert.ok(Date.now() - started < 1000, 'the retry wait was cut short');
        assert.equal(errors.length, 1);
        assert.match(errors[0].message, /stopped or redeployed/);
        assert.equal(server.requests.length, 1);
    });

    for (const target of BOTH) {
        it(`${target.name}: aborts requests whose answers stall after their headers, without a listener warning`, async () => {
            // More answers being read at once than Node.js allows listeners on one signal before it warns of a leak.
            const STALLED = 12;
            await loadFlow({
                node: { ...target.config, maxInFlight: STALLED },
                account: { baseURL: server.url, apiKey: server.apiKey, maxRetries: '0', timeout: '600' },
            });
            const errors: Error[] = [];
            const stopWatching = onComplete('n1', (_msg, error) => errors.push(error ?? new Error('ended without an error')));
            const warnings: Error[] = [];
            const onWarning = (warning: Error) => warnings.push(warning);
            process.on('warning', onWarning);
            try {
                server.failNext({ kind: 'stall' }, STALLED);
                for (let seq = 0; seq < STALLED; seq += 1) send(target.goodMessage(seq));
                while (server.requests.length < STALLED) await new Promise((resolve) => setTimeout(resolve, 5));
                // Time for the headers to reach the client, which then waits for the rest of each body.
                await new Promise((resolve) => setTimeout(resolve, 200));
                assert.equal(errors.length, 0, 'the messages are still waiting for their answers');
                const started = Date.now();
                await helper.unload();
                assert.ok(Date.now() - started < 1000, 'the close did not wait for its grace period');
            } finally {
                stopWatching();
                process.off('warning', onWarning);
            }
            assert.equal(errors.length, STALLED);
            for (const error of errors) assert.match(error.message, /stopped or redeployed/);
            assert.deepEqual(warnings.map(String), []);
        });
    }

    it('openai-chat: aborts a slow stream on a redeploy; the message ends once, with no partial after the close', async () => {
        const options = {
            node: { ...CHAT.config, stream: true },
            account: { baseURL: server.url, apiKey: server.apiKey, maxRetries: '0' },
        };
        // The chat node's output 2 → `partials`.
        const streamingFlow = (node: Record<string, unknown>) => {
            const { flow, credentials } = buildFlow({ ...options, node });
            const chat = flow.find((entry) => entry.id === 'n1') as { wires: string[][] };
            chat.wires = [chat.wires[0], ['partials']];
            flow.push({ id: 'partials', z: 'f1', type: 'helper' });
            return { flow, credentials };
        };
        const { flow, credentials } = streamingFlow(options.node);
        await helper.load([accountNode, chatNode, coreNode('common/25-catch.js')], flow, credentials);
        const outcome = collect();
        const partials: unknown[] = [];
        nodeById('partials').on('input', (msg: Message) => partials.push(msg.payload));
        const endings: string[] = [];
        const stopWatching = onComplete('n1', (_msg, error) => endings.push(error ? error.message : 'ok'));
        try {
            server.failNext({ kind: 'stream', gapMs: 100 });
            send(CHAT.goodMessage(1));
            const deadline = Date.now() + 5000;
            while (partials.length < 1) {
                if (Date.now() > deadline) throw new Error('no partial message within 5 s');
                await new Promise((resolve) => setTimeout(resolve, 5));
            }

            const started = Date.now();
            await helper.setFlows(streamingFlow({ ...options.node, maxInFlight: 4 }).flow, 'nodes', credentials);
            const closeMs = Date.now() - started;
            const sentAtClose = partials.length;
            await settled(outcome, 1);
            await new Promise((resolve) => setTimeout(resolve, 300));

            assert.ok(closeMs < 2000, `close took ${closeMs} ms`);
            assert.equal(outcome.outputs.length, 0);
            assert.equal(outcome.errors.length, 1);
            assert.match((outcome.errors[0].error as Error).message, /request aborted: the node was stopped or redeployed/);
            assert.equal(endings.length, 1);
            assert.match(endings[0], /stopped or redeployed/);
            assert.equal(partials.length, sentAtClose, 'no partial message leaves once the node is closed');
        } finally {
            stopWatching();
        }
    });

    it('leaves no timer or socket behind: a process that closed its flows exits by itself', async function () {
        this.timeout(30000);
        const script = path.join(__dirname, 'fixtures', 'close-and-exit.js');
        const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        let endedAt = 0;
        child.stdout.on('data', (chunk) => {
            output += chunk;
            if (!endedAt && /ended/.test(output)) endedAt = Date.now();
        });
        child.stderr.on('data', (chunk) => (output += chunk));
        const code = await new Promise<number | null>((resolve) => {
            const killer = setTimeout(() => {
                child.kill('SIGKILL');
                resolve(null);
            }, 20000);
            child.on('exit', (exitCode) => {
                clearTimeout(killer);
                resolve(exitCode);
            });
        });
        assert.equal(code, 0, `the process did not exit by itself:\n${output}`);
        assert.match(output, /ended 20 of 20 messages/);
        // Node-RED's close timeout is 15 s and the fixture's request timeout 600 s: a leftover
        // timer or socket of either kind would hold the process well past this.
        const lingerMs = Date.now() - endedAt;
        assert.ok(lingerMs < 2000, `the process lingered ${lingerMs} ms after its work was done`);
    });
});
