import { strict as assert } from 'node:assert';
import { MODERATION_CATEGORIES, moderationScores } from '../server/openai-test-server';
import { helper, loadFlow, type Message, nodeById, send, settled, statusCalls } from '../support/flow';
import { useTestServer } from '../support/suite-server';
import { MODERATE_DEFAULTS } from '../support/node-configs';

describe('openai-moderate', () => {
    const server = useTestServer();

    function load(node: Record<string, unknown> = {}, account: Record<string, unknown> = {}) {
        return loadFlow({
            node: { ...MODERATE_DEFAULTS, ...node },
            account: { baseURL: server.url, maxRetries: '0', apiKey: server.apiKey, ...account },
        });
    }

    interface Verdict {
        flagged: boolean;
        categories: string[];
        categoryScores: Record<string, number>;
    }

    function payloadOf(msg: Message) {
        return msg.payload as Verdict & { results?: Verdict[] };
    }

    it('flags a threatening text, with its flagged categories highest score first', async () => {
        const outcome = await load();
        send({ payload: 'I will kill you', topic: 'kept', extra: { a: 1 } });
        await settled(outcome, 1);
        assert.equal(outcome.errors.length, 0);
        const [msg] = outcome.outputs;
        const result = payloadOf(msg);
        assert.equal(result.flagged, true);
        assert.ok(result.categories.includes('violence'));
        const scores = result.categories.map((name) => result.categoryScores[name]);
        assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
        assert.equal(msg.topic, 'kept');
        assert.deepEqual(msg.extra, { a: 1 });
        assert.deepEqual(server.requests[0].body, { input: 'I will kill you' });
    });

    it('passes a clean text with every category scored and none listed', async () => {
        const outcome = await load();
        send({ payload: 'What a lovely day for a picnic.' });
        await settled(outcome, 1);
        const result = payloadOf(outcome.outputs[0]);
        assert.equal(result.flagged, false);
        assert.deepEqual(result.categories, []);
        assert.deepEqual(Object.keys(result.categoryScores).sort(), [...MODERATION_CATEGORIES].sort());
        assert.ok(Object.values(result.categoryScores).every((score) => typeof score === 'number'));
    });

    it('keeps a single text\'s output to flagged, categories and categoryScores, as 0.1 gave it', async () => {
        const outcome = await load();
        send({ payload: 'I will kill you' });
        await settled(outcome, 1);
        assert.deepEqual(Object.keys(payloadOf(outcome.outputs[0])), ['flagged', 'categories', 'categoryScores']);
    });

    it('flags a list with one abusive text among clean ones, so a check of msg.payload.flagged holds', async () => {
        const outcome = await load();
        send({ payload: ['Nice weather.', 'I will kill you', 'Thanks!'] });
        await settled(outcome, 1);
        assert.equal(server.requests.length, 1);
        assert.deepEqual(server.requests[0].body, { input: ['Nice weather.', 'I will kill you', 'Thanks!'] });
        const result = payloadOf(outcome.outputs[0]);
        assert.equal(result.flagged, true);
        assert.ok(result.categories.includes('violence'));
        assert.deepEqual(statusCalls('n1').at(-1), { fill: 'green', shape: 'dot', text: 'status.flagged' });
    });

    it('sums a list up by each category\'s highest score, and keeps each text\'s own result in order', async () => {
        const texts = ['You idiot.', 'Nice weather.', 'I will kill you, idiot, and steal your car.'];
        const outcome = await load();
        send({ payload: texts });
        await settled(outcome, 1);
        const result = payloadOf(outcome.outputs[0]);
        const scores = texts.map(moderationScores);
        const highest = Object.fromEntries(MODERATION_CATEGORIES.map((name) => [name, Math.max(...scores.map((s) => s[name]))]));
        assert.deepEqual(result.categoryScores, highest);
        assert.deepEqual([...result.categories].sort(), ['harassment', 'illicit', 'violence']);
        assert.deepEqual(
            result.categories.map((name) => highest[name]),
            result.categories.map((name) => highest[name]).sort((a, b) => b - a),
        );
        assert.deepEqual(
            result.results?.map((own) => [own.flagged, [...own.categories].sort()]),
            [
                [true, ['harassment']],
                [false, []],
                [true, ['harassment', 'illicit', 'violence']],
            ],
        );
        assert.deepEqual(result.results?.[1].categoryScores, scores[1]);
    });

    it('passes a list of clean texts, with its status ok', async () => {
        const outcome = await load();
        send({ payload: ['Nice weather.', 'Thanks!'] });
        await settled(outcome, 1);
        const result = payloadOf(outcome.outputs[0]);
        assert.equal(result.flagged, false);
        assert.deepEqual(result.categories, []);
        assert.deepEqual(
            result.results?.map((own) => own.flagged),
            [false, false],
        );
        assert.deepEqual(statusCalls('n1').at(-1), { fill: 'green', shape: 'dot', text: 'status.ok' });
    });

    it('sends the model when one is set, and none when it is empty', async () => {
        const outcome = await load({ model: 'omni-moderation-2024-09-26' });
        send({ payload: 'hello' });
        await settled(outcome, 1);
        assert.equal((server.requests[0].body as { model?: string }).model, 'omni-moderation-2024-09-26');
        assert.deepEqual(server.requests[0].schemaErrors, []);
    });

    it('reads the text from another property or a literal', async () => {
        const outcome = await load({ text: 'question.text', textType: 'msg' });
        send({ payload: 'ignored', question: { text: 'from a property' } });
        await settled(outcome, 1);
        assert.deepEqual(server.requests[0].body, { input: 'from a property' });
        await helper.unload();
        server.reset();
        const literal = await load({ text: 'a literal', textType: 'str' });
        send({ payload: 'ignored' });
        await settled(literal, 1);
        assert.deepEqual(server.requests[0].body, { input: 'a literal' });
    });

    const badInputs: [string, unknown, RegExp][] = [
        ['an empty string', '', /^Error: text must not be empty$/],
        ['an empty array', [], /^Error: text must not be an empty array$/],
        ['a non-string item', ['ok', 5], /^Error: text\[1\] must be a string, got number$/],
        ['a number', 5, /^Error: text must be a string or an array of strings, got number$/],
        ['nothing', undefined, /got undefined$/],
    ];
    for (const [name, payload, message] of badInputs) {
        it(`refuses ${name} without sending anything`, async () => {
            const outcome = await load();
            const msg = { payload, _marker: name };
            send(msg);
            await settled(outcome, 1);
            assert.equal(outcome.outputs.length, 0);
            assert.equal(outcome.errors.length, 1);
            const caught = outcome.errors[0];
            assert.match((caught.error as { message: string }).message, message);
            assert.equal(caught._marker, name);
            assert.equal(server.requests.length, 0);
            const last = statusCalls('n1').at(-1);
            assert.deepEqual(last, { fill: 'red', shape: 'ring', text: 'status.error.input' });
        });
    }

    it('reports a wrong key to the Catch node with the status code and no key', async () => {
        const wrongKey = 'sk-wrong.key.0123456789abcdef';
        const outcome = await load({}, { apiKey: wrongKey });
        send({ payload: 'hello' });
        await settled(outcome, 1);
        const error = outcome.errors[0].error as { message: string };
        assert.match(error.message, /^Error: OpenAI API error 401 Incorrect API key provided/);
        assert.ok(!JSON.stringify(outcome.errors[0]).includes(wrongKey));
        assert.deepEqual(statusCalls('n1').at(-1), { fill: 'red', shape: 'ring', text: 'status.error.auth' });
    });

    it('reports a server error after the retries are spent', async () => {
        const outcome = await load({}, { maxRetries: '2' });
        server.failNext({ kind: 'status', status: 500, headers: { 'retry-after-ms': '1' } }, 3);
        send({ payload: 'hello' });
        await settled(outcome, 1);
        assert.equal(server.requests.length, 3);
        assert.match((outcome.errors[0].error as { message: string }).message, /OpenAI API error 500/);
        assert.deepEqual(statusCalls('n1').at(-1), { fill: 'red', shape: 'ring', text: 'status.error.server' });
    });

    it('shows a blue dot while working, then ok or flagged, and clears an old error', async () => {
        const outcome = await load();
        send({ payload: '' });
        await settled(outcome, 1);
        send({ payload: 'hello' });
        await settled(outcome, 2);
        send({ payload: 'I will kill you' });
        await settled(outcome, 3);
        const texts = statusCalls('n1').map((status) => `${status.fill}:${status.text}`);
        assert.deepEqual(texts, [
            'blue:status.requesting',
            'red:status.error.input',
            'blue:status.requesting',
            'green:status.ok',
            'blue:status.requesting',
            'green:status.flagged',
        ]);
    });

    it('stays blue with a count while several messages are pending, without flickering', async () => {
        server.latencyMs = 150;
        const outcome = await load({ maxInFlight: 1 });
        send({ payload: 'one' }, { payload: 'two' }, { payload: 'three' }, { payload: 'four' });
        await settled(outcome, 4);
        const calls = statusCalls('n1');
        const last = calls.pop();
        assert.deepEqual(last, { fill: 'green', shape: 'dot', text: 'status.ok' });
        assert.ok(calls.every((status) => status.fill === 'blue'), JSON.stringify(calls));
        assert.ok(calls.some((status) => status.text === 'status.queued'), 'the waiting messages are counted');
        assert.ok(calls.length < 8, `${calls.length} status updates for 4 messages`);
    });

    it('does not throw out of its input handler for a message without payload', async () => {
        const outcome = await load();
        nodeById('n1').receive({});
        await settled(outcome, 1);
        assert.equal(outcome.errors.length, 1);
    });
});
