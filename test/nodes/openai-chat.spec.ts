import { strict as assert } from 'node:assert';
import { helper, loadFlow, type Message, nodeById, send, settled, statusCalls } from '../support/flow';
import { useTestServer } from '../support/suite-server';
import { CHAT_DEFAULTS } from '../support/node-configs';

interface ChatPayload {
    responses: unknown[];
    history: { role: string; content: string }[];
    finishReason: string;
    raw: { choices: { message: { content: string } }[]; usage: { total_tokens: number } };
    totalTokens: number;
}

describe('openai-chat', () => {
    const server = useTestServer();

    function load(node: Record<string, unknown> = {}, account: Record<string, unknown> = {}, next?: Record<string, unknown>[]) {
        return loadFlow({
            node: { ...CHAT_DEFAULTS, ...node },
            account: { baseURL: server.url, maxRetries: '0', apiKey: server.apiKey, ...account },
            next,
        });
    }

    function body(index = 0): Record<string, unknown> {
        const request = server.requests[index];
        assert.ok(request, `request ${index} was not sent`);
        assert.deepEqual(request.schemaErrors, [], 'the body must be valid for the OpenAPI schema');
        return request.body as Record<string, unknown>;
    }

    const payloadOf = (msg: Message) => msg.payload as ChatPayload;

    it('sends only the model and the user message when nothing else is set', async () => {
        const outcome = await load();
        send({ payload: 'What is the capital of France?' });
        await settled(outcome, 1);
        assert.deepEqual(body(), { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'What is the capital of France?' }] });
    });

    it('answers with responses, history, finish reason, raw answer and tokens (n = 1)', async () => {
        const outcome = await load({ systemPrompt: 'Be brief.' });
        send({ payload: 'Hello', topic: 'kept' });
        await settled(outcome, 1);
        const msg = outcome.outputs[0];
        const payload = payloadOf(msg);
        const content = payload.raw.choices[0].message.content;
        assert.deepEqual(payload.responses, [content]);
        assert.deepEqual(payload.history, [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'Hello' },
            { role: 'assistant', content },
        ]);
        assert.equal(payload.finishReason, 'stop');
        assert.equal(payload.totalTokens, payload.raw.usage.total_tokens);
        assert.ok(payload.totalTokens > 0);
        assert.equal(msg.topic, 'kept');
    });

    it('lists every choice in order and adds one assistant message each (n = 3)', async () => {
        const outcome = await load({ responseCount: '3' });
        send({ payload: 'Hi' });
        await settled(outcome, 1);
        assert.equal(body().n, 3);
        const payload = payloadOf(outcome.outputs[0]);
        const contents = payload.raw.choices.map((choice) => choice.message.content);
        assert.equal(contents.length, 3);
        assert.equal(new Set(contents).size, 3);
        assert.deepEqual(payload.responses, contents);
        assert.deepEqual(
            payload.history.slice(-3),
            contents.map((content) => ({ role: 'assistant', content })),
        );
    });

    it('sends every option under its API name', async () => {
        const outcome = await load(
            {
                frequencyPenalty: '0.5',
                presencePenalty: '-1',
                maxTokens: '100',
                responseCount: '2',
                temperature: '0.7',
                topP: '0.9',
                responseFormat: 'json',
                systemPrompt: 'Answer in JSON.',
            },
            { maxTokensParam: 'max_completion_tokens' },
        );
        send({ payload: 'List two colours' });
        await settled(outcome, 1);
        assert.deepEqual(body(), {
            model: 'gpt-4.1-mini',
            messages: [
                { role: 'system', content: 'Answer in JSON.' },
                { role: 'user', content: 'List two colours' },
            ],
            response_format: { type: 'json_object' },
            frequency_penalty: 0.5,
            max_completion_tokens: 100,
            n: 2,
            presence_penalty: -1,
            temperature: 0.7,
            top_p: 0.9,
        });
    });

    it('sends max_tokens to other OpenAI-compatible servers by default', async () => {
        const outcome = await load({ maxTokens: '20' });
        send({ payload: 'Hi' });
        await settled(outcome, 1);
        assert.equal(body().max_tokens, 20);
        assert.equal('max_completion_tokens' in body(), false);
    });

    it('parses each response in json format', async () => {
        const outcome = await load({ responseFormat: 'json', responseCount: '2' });
        send({ payload: 'Give me JSON' });
        await settled(outcome, 1);
        const payload = payloadOf(outcome.outputs[0]);
        assert.equal(payload.responses.length, 2);
        payload.responses.forEach((response, index) => {
            assert.equal(typeof response, 'object');
            assert.deepEqual(response, JSON.parse(payload.raw.choices[index].message.content));
        });
        assert.equal(typeof payload.history.at(-1)?.content, 'string');
    });

    it('reports content that is not JSON in json format', async () => {
        const outcome = await load({ responseFormat: 'json' });
        send({ payload: 'Break it [[not-json]]' });
        await settled(outcome, 1);
        assert.equal(outcome.outputs.length, 0);
        assert.match((outcome.errors[0].error as { message: string }).message, /responses\[0\] is not valid JSON/);
        assert.deepEqual(statusCalls('n1').at(-1), { fill: 'red', shape: 'ring', text: 'status.error.badResponse' });
    });

    const history = [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: 'What is the capital of France?' },
        { role: 'assistant', content: 'Paris.' },
    ];

    it('puts the history first, then the system prompt, then the user message', async () => {
        const outcome = await load({ systemPrompt: 'Now lie.', userMessage: 'question', userMessageType: 'msg', history: 'conversation', historyType: 'msg' });
        send({ question: 'And its population?', conversation: history });
        await settled(outcome, 1);
        assert.deepEqual(body().messages, [...history, { role: 'system', content: 'Now lie.' }, { role: 'user', content: 'And its population?' }]);
    });

    it('reads history given as a JSON string', async () => {
        const outcome = await load({ history: 'conversation', historyType: 'msg' });
        send({ payload: 'Next?', conversation: JSON.stringify(history) });
        await settled(outcome, 1);
        assert.deepEqual(body().messages, [...history, { role: 'user', content: 'Next?' }]);
    });

    it('carries one conversation through two chat nodes wired in a row', async () => {
        const outcome = await load({}, {}, [{ ...CHAT_DEFAULTS, type: 'openai-chat', userMessage: 'What is its population?', userMessageType: 'str' }]);
        send({ payload: 'What is the capital of France?' });
        await settled(outcome, 1);
        assert.equal(server.requests.length, 2);
        // The output is the second node's: its history starts with the first exchange.
        const firstAnswer = payloadOf(outcome.outputs[0]).history[1].content;
        assert.deepEqual(body(1).messages, [
            { role: 'user', content: 'What is the capital of France?' },
            { role: 'assistant', content: firstAnswer },
            { role: 'user', content: 'What is its population?' },
        ]);
        assert.equal(payloadOf(outcome.outputs[0]).history.length, 4);
    });

    describe('TypedInput sources', () => {
        it('reads flow and global context, env variables and JSONata', async () => {
            process.env.CHAT_TEST_MODEL = 'gpt-4o-mini';
            const outcome = await load({
                model: 'CHAT_TEST_MODEL',
                modelType: 'env',
                systemPrompt: 'persona',
                systemPromptType: 'flow',
                temperature: 'creativity',
                temperatureType: 'global',
                userMessage: '"Say: " & payload.word',
                userMessageType: 'jsonata',
                topP: '0.5',
                topPType: 'num',
                history: '[{"role":"user","content":"earlier"}]',
                historyType: 'json',
            });
            const chat = nodeById('n1');
            chat.context().flow.set('persona', 'You are a pirate.');
            chat.context().global.set('creativity', 1.2);
            send({ payload: { word: 'ahoy' } });
            await settled(outcome, 1);
            delete process.env.CHAT_TEST_MODEL;
            assert.equal(outcome.errors.length, 0, JSON.stringify(outcome.errors[0]?.error));
            const sent = body();
            assert.equal(sent.model, 'gpt-4o-mini');
            assert.equal(sent.temperature, 1.2);
            assert.equal(sent.top_p, 0.5);
            assert.deepEqual(sent.messages, [
                { role: 'user', content: 'earlier' },
                { role: 'system', content: 'You are a pirate.' },
                { role: 'user', content: 'Say: ahoy' },
            ]);
        });

        it('reads a message path written with msg. in front, as Node-RED\'s core nodes do', async () => {
            const outcome = await load({ userMessage: 'msg.payload.question', history: 'msg.earlier', model: 'msg.pick["model"]', modelType: 'msg' });
            send({ payload: { question: 'Hi?' }, earlier: [{ role: 'assistant', content: 'Hello.' }], pick: { model: 'gpt-4o-mini' } });
            await settled(outcome, 1);
            assert.equal(outcome.errors.length, 0, JSON.stringify(outcome.errors[0]?.error));
            assert.equal(body().model, 'gpt-4o-mini');
            assert.deepEqual(body().messages, [
                { role: 'assistant', content: 'Hello.' },
                { role: 'user', content: 'Hi?' },
            ]);
        });

        it('reads nothing through __proto__, constructor or prototype, also when the path is built from the message', async () => {
            const paths = ['payload.__proto__', 'payload.constructor', 'payload.constructor.prototype', 'payload[msg.key]'];
            for (const [seq, path] of paths.entries()) {
                const outcome = await load({ systemPrompt: path, systemPromptType: 'msg' });
                send({ seq, payload: 'Hi', key: '__proto__' });
                await settled(outcome, 1);
                // Without the guard these read Object.prototype or a function, which is not a string.
                assert.equal(outcome.errors.length, 0, `${path}: ${JSON.stringify(outcome.errors[0]?.error)}`);
                assert.deepEqual(body(seq).messages, [{ role: 'user', content: 'Hi' }], path);
                await helper.unload();
            }
        });

        it('names the field whose JSONata expression fails', async () => {
            const outcome = await load({ temperature: '$undefinedFunction(', temperatureType: 'jsonata' });
            send({ payload: 'Hi' });
            await settled(outcome, 1);
            assert.match((outcome.errors[0].error as { message: string }).message, /^Error: temperature could not be read/);
            assert.equal(server.requests.length, 0);
        });
    });

    describe('bad input: a clear error naming the field, nothing sent', () => {
        const cases: [string, Record<string, unknown>, Record<string, unknown>, RegExp][] = [
            ['a missing user message', {}, { other: 1 }, /userMessage must be a string, got undefined/],
            ['a user message that is a number', {}, { payload: 42 }, /userMessage must be a string, got number/],
            ['temperature out of range', { temperature: '3' }, { payload: 'x' }, /temperature must be a number from 0 to 2, got number 3/],
            ['temperature not a number', { temperature: 't', temperatureType: 'msg' }, { payload: 'x', t: 'hot' }, /temperature must be .* got string/],
            ['topP out of range', { topP: '-0.1' }, { payload: 'x' }, /topP must be a number from 0 to 1/],
            ['frequencyPenalty out of range', { frequencyPenalty: '2.5' }, { payload: 'x' }, /frequencyPenalty must be a number from -2 to 2/],
            ['presencePenalty out of range', { presencePenalty: '-9' }, { payload: 'x' }, /presencePenalty must be a number from -2 to 2/],
            ['maxTokens 0', { maxTokens: '0' }, { payload: 'x' }, /maxTokens must be an integer ≥ 1, got number 0/],
            ['responseCount 0', { responseCount: '0' }, { payload: 'x' }, /responseCount must be an integer from 1 to 128, got number 0/],
            ['responseCount 1.5', { responseCount: '1.5' }, { payload: 'x' }, /responseCount must be an integer from 1 to 128, got number 1.5/],
            ['history that is not a list', { history: 'h', historyType: 'msg' }, { payload: 'x', h: 7 }, /history must be an array .* got number/],
            ['a history item with an unknown role', { history: 'h', historyType: 'msg' }, { payload: 'x', h: [{ role: 'user', content: 'a' }, { role: 'tool', content: 'b' }] }, /history\[1\]\.role must be system, user or assistant/],
            ['a history item with content that is not a string', { history: 'h', historyType: 'msg' }, { payload: 'x', h: [{ role: 'user', content: ['a'] }] }, /history\[0\]\.content must be a string, got array/],
            ['invalid JSON in a history string', { history: 'h', historyType: 'msg' }, { payload: 'x', h: '[{"role":' }, /history is a string but not valid JSON/],
            ['an empty model', { model: '', modelType: 'str' }, { payload: 'x' }, /model must not be empty/],
        ];
        for (const [name, node, msg, message] of cases) {
            it(`refuses ${name}`, async () => {
                const outcome = await load(node);
                send({ ...msg, _marker: name });
                await settled(outcome, 1);
                assert.equal(outcome.outputs.length, 0);
                assert.equal(outcome.errors.length, 1);
                assert.match((outcome.errors[0].error as { message: string }).message, message);
                assert.equal(outcome.errors[0]._marker, name);
                assert.equal(server.requests.length, 0);
                assert.deepEqual(statusCalls('n1').at(-1), { fill: 'red', shape: 'ring', text: 'status.error.input' });
            });
        }
    });

    describe('API errors reach the Catch node with the status code and the API\'s message', () => {
        it('an unknown model (404)', async () => {
            const outcome = await load({ model: 'no-such-model' });
            send({ payload: 'Hi' });
            await settled(outcome, 1);
            const message = (outcome.errors[0].error as { message: string }).message;
            assert.match(message, /OpenAI API error 404 The model `no-such-model` does not exist/);
            assert.match(message, /request id req_/);
            assert.deepEqual(statusCalls('n1').at(-1), { fill: 'red', shape: 'ring', text: 'status.error.notFound' });
        });

        it('a parameter the model refuses (400)', async () => {
            const outcome = await load({ model: 'gpt-5-mini', maxTokens: '10' }, { maxTokensParam: 'max_tokens' });
            send({ payload: 'Hi' });
            await settled(outcome, 1);
            assert.match((outcome.errors[0].error as { message: string }).message, /OpenAI API error 400 .*max_tokens/);
            assert.deepEqual(statusCalls('n1').at(-1), { fill: 'red', shape: 'ring', text: 'status.error.badRequest' });
        });

        it('a missing key names the account and sends nothing', async () => {
            // Only OpenAI's own base URL needs a key: another server with none is sent none.
            const saved = { key: process.env.OPENAI_API_KEY, baseURL: process.env.OPENAI_BASE_URL };
            delete process.env.OPENAI_API_KEY;
            delete process.env.OPENAI_BASE_URL;
            try {
                const outcome = await load({}, { apiKey: undefined, baseURL: 'https://api.openai.com/v1' });
                send({ payload: 'Hi' });
                await settled(outcome, 1);
                assert.match((outcome.errors[0].error as { message: string }).message, /the account "test account" has no API key/);
                assert.equal(server.requests.length, 0);
                assert.deepEqual(statusCalls('n1').at(-1), { fill: 'red', shape: 'ring', text: 'status.error.noKey' });
            } finally {
                if (saved.key !== undefined) process.env.OPENAI_API_KEY = saved.key;
                if (saved.baseURL !== undefined) process.env.OPENAI_BASE_URL = saved.baseURL;
            }
        });
    });

    it('shows a blue dot while working, then the token count', async () => {
        const outcome = await load();
        send({ payload: 'Hi' });
        await settled(outcome, 1);
        const calls = statusCalls('n1');
        assert.deepEqual(calls[0], { fill: 'blue', shape: 'dot', text: 'status.requesting' });
        assert.deepEqual(calls.at(-1), { fill: 'green', shape: 'dot', text: 'status.tokens' });
    });
});
