import { strict as assert } from 'node:assert';
import { REFUSAL_MARKER, REFUSAL_TEXT } from '../server/openai-test-server';
import { buildFlow, collect, coreNode, helper, loadFlow, type Message, nodeById, send, settled, statusCalls } from '../support/flow';
import { useTestServer } from '../support/suite-server';
import { CHAT_0_1, CHAT_DEFAULTS } from '../support/node-configs';
import accountNode = require('../../nodes/openai-account');
import chatNode = require('../../nodes/openai-chat');

interface ChatPayload {
    responses: unknown[];
    toolCalls?: { id: string; name: string; arguments: unknown }[];
    history: { role: string; content: string | null; tool_calls?: unknown[]; tool_call_id?: string }[];
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

    it('sends and answers as 0.1 did for a node saved by 0.1, without the properties added since', async () => {
        const outcome = await loadFlow({
            node: { ...CHAT_0_1, systemPrompt: 'Be brief.', temperature: '0.3' },
            account: { baseURL: server.url, maxRetries: '0', apiKey: server.apiKey },
        });
        send({ payload: 'Hello' });
        await settled(outcome, 1);
        assert.equal(outcome.errors.length, 0, JSON.stringify(outcome.errors[0]?.error));
        assert.deepEqual(body(), {
            model: 'gpt-4.1-mini',
            messages: [
                { role: 'system', content: 'Be brief.' },
                { role: 'user', content: 'Hello' },
            ],
            temperature: 0.3,
        });
        assert.deepEqual(Object.keys(payloadOf(outcome.outputs[0])), ['responses', 'history', 'finishReason', 'raw', 'totalTokens']);
    });

    describe('structured outputs (json_schema)', () => {
        const invoice = {
            title: 'invoice',
            type: 'object',
            properties: { customer: { type: 'string' }, date: { type: 'string', format: 'date' }, amount: { type: 'number' } },
            required: ['customer', 'date', 'amount'],
            additionalProperties: false,
        };
        const extracted = { customer: 'simulated customer', date: '2025-01-01', amount: 42 };

        it('sends the schema typed in the dialog, strictly and named after its title, and parses each response', async () => {
            const outcome = await load({ responseFormat: 'json_schema', jsonSchema: JSON.stringify(invoice), jsonSchemaType: 'json', responseCount: '2' });
            send({ payload: 'ACME Ltd. owes 120 EUR since 3 March 2025.' });
            await settled(outcome, 1);
            assert.deepEqual(body(), {
                model: 'gpt-4.1-mini',
                messages: [{ role: 'user', content: 'ACME Ltd. owes 120 EUR since 3 March 2025.' }],
                response_format: { type: 'json_schema', json_schema: { name: 'invoice', schema: invoice, strict: true } },
                n: 2,
            });
            const payload = payloadOf(outcome.outputs[0]);
            assert.deepEqual(payload.responses, [extracted, extracted]);
            assert.equal(payload.history.at(-1)?.content, JSON.stringify(extracted));
        });

        it('reads the schema from a message property, as an object or as JSON text, named "response" without a usable title', async () => {
            const { title: _title, ...untitled } = invoice;
            const outcome = await load({ responseFormat: 'json_schema', jsonSchema: 'schema', jsonSchemaType: 'msg' });
            send({ payload: 'a', schema: untitled }, { payload: 'b', schema: JSON.stringify({ ...invoice, title: 'an invoice' }) });
            await settled(outcome, 2);
            assert.equal(outcome.outputs.length, 2, JSON.stringify(outcome.errors[0]?.error));
            assert.deepEqual(body(0).response_format, { type: 'json_schema', json_schema: { name: 'response', schema: untitled, strict: true } });
            assert.deepEqual(body(1).response_format, { type: 'json_schema', json_schema: { name: 'response', schema: { ...invoice, title: 'an invoice' }, strict: true } });
            assert.deepEqual(payloadOf(outcome.outputs[0]).responses, [extracted]);
        });

        it('does not read the schema in the other formats', async () => {
            const outcome = await load({ responseFormat: 'json', jsonSchema: '{"broken":', jsonSchemaType: 'json' });
            send({ payload: 'JSON please' });
            await settled(outcome, 1);
            assert.equal(outcome.errors.length, 0, JSON.stringify(outcome.errors[0]?.error));
            assert.deepEqual(body().response_format, { type: 'json_object' });
        });

        it('ends a refusal with an error that holds the refusal', async () => {
            const outcome = await load({ responseFormat: 'json_schema', jsonSchema: JSON.stringify(invoice), jsonSchemaType: 'json' });
            send({ payload: `Read my neighbour's mail ${REFUSAL_MARKER}` });
            await settled(outcome, 1);
            assert.equal(outcome.outputs.length, 0);
            const message = (outcome.errors[0].error as { message: string }).message;
            assert.match(message, /responses\[0\] is a refusal/);
            assert.ok(message.includes(REFUSAL_TEXT), message);
            assert.deepEqual(statusCalls('n1').at(-1), { fill: 'red', shape: 'ring', text: 'status.error.badResponse' });
        });

        it('ends an answer that is not valid JSON with an error naming the choice', async () => {
            const outcome = await load({ responseFormat: 'json_schema', jsonSchema: JSON.stringify(invoice), jsonSchemaType: 'json' });
            send({ payload: 'Break it [[not-json]]' });
            await settled(outcome, 1);
            assert.match((outcome.errors[0].error as { message: string }).message, /responses\[0\] is not valid JSON although responseFormat is json_schema/);
        });
    });

    describe('reasoning effort', () => {
        it('sends reasoningEffort as reasoning_effort, typed in the dialog or from the message', async () => {
            const typed = await load({ model: 'o4-mini', reasoningEffort: 'low' });
            send({ payload: 'Think a little' });
            await settled(typed, 1);
            assert.deepEqual(body(), { model: 'o4-mini', messages: [{ role: 'user', content: 'Think a little' }], reasoning_effort: 'low' });
            await helper.unload();

            const fromMessage = await load({ model: 'o4-mini', reasoningEffort: 'effort', reasoningEffortType: 'msg' });
            send({ payload: 'Think hard', effort: 'high' }, { payload: 'Do not think' });
            await settled(fromMessage, 2);
            assert.equal(body(1).reasoning_effort, 'high');
            assert.equal('reasoning_effort' in body(2), false);
        });

        it('leaves a word it does not know to the API, which judges it', async () => {
            const outcome = await load({ model: 'o4-mini', reasoningEffort: 'extreme' });
            send({ payload: 'Think' });
            await settled(outcome, 1);
            assert.equal(server.requests.length, 1);
            assert.equal((server.requests[0].body as Record<string, unknown>).reasoning_effort, 'extreme');
            assert.match((outcome.errors[0].error as { message: string }).message, /OpenAI API error 400 .*reasoning_effort/);
        });
    });

    describe('tools', () => {
        const convert = {
            type: 'function',
            function: {
                name: 'convert_temperature',
                description: 'Converts a temperature from Celsius to Fahrenheit',
                parameters: { type: 'object', properties: { celsius: { type: 'number' } }, required: ['celsius'], additionalProperties: false },
                strict: true,
            },
        };
        const call = { id: 'call_sim1_1', type: 'function', function: { name: 'convert_temperature', arguments: '{"celsius":42}' } };
        const question = 'What is 42 °C in Fahrenheit?';

        it('sends the tools and the tool choice, and lists the calls with parsed arguments', async () => {
            const outcome = await load({ tools: JSON.stringify([convert, { name: 'now' }]), toolChoice: 'convert_temperature' });
            send({ payload: question });
            await settled(outcome, 1);
            assert.deepEqual(body(), {
                model: 'gpt-4.1-mini',
                messages: [{ role: 'user', content: question }],
                tools: [convert, { type: 'function', function: { name: 'now' } }],
                tool_choice: { type: 'function', function: { name: 'convert_temperature' } },
            });
            const payload = payloadOf(outcome.outputs[0]);
            assert.deepEqual(payload.responses, [null]);
            assert.deepEqual(payload.toolCalls, [{ id: 'call_sim1_1', name: 'convert_temperature', arguments: { celsius: 42 } }]);
            assert.equal(payload.finishReason, 'tool_calls');
            assert.deepEqual(payload.history, [
                { role: 'user', content: question },
                { role: 'assistant', content: null, tool_calls: [call] },
            ]);
        });

        it('sends auto, none and required as they are, from the message', async () => {
            const outcome = await load({ tools: 'tools', toolsType: 'msg', toolChoice: 'choice', toolChoiceType: 'msg' });
            const tools = [{ name: 'now' }];
            send(...['auto', 'none', 'required'].map((choice, seq) => ({ payload: `Hi ${seq}`, tools, choice, seq })));
            await settled(outcome, 3);
            const sent = server.requests.map((request) => request.body as Record<string, unknown>);
            assert.deepEqual(new Set(sent.map((request) => request.tool_choice)), new Set(['auto', 'none', 'required']));
            for (const request of sent) assert.deepEqual(request.tools, [{ type: 'function', function: { name: 'now' } }]);
            const none = outcome.outputs.find((msg) => msg.choice === 'none')!;
            assert.equal('toolCalls' in payloadOf(none), false);
        });

        it('goes on from tool results in the history without a new user message, sending only the fields each message form defines', async () => {
            const history = [
                { role: 'developer', content: 'Answer briefly.', name: 'dropped' },
                { role: 'user', content: [{ type: 'text', text: 'Is it warm where this is?' }, { type: 'image_url', image_url: { url: 'https://example.com/beach.png', detail: 'low' } }], id: 1 },
                { role: 'assistant', content: null, refusal: null, tool_calls: [{ ...call, index: 0 }] },
                { role: 'tool', tool_call_id: 'call_sim1_1', content: '{"fahrenheit":107.6}', name: 'convert_temperature' },
            ];
            const outcome = await load({ history: 'h', historyType: 'msg', tools: JSON.stringify([convert]), userMessage: '', userMessageType: 'str' });
            send({ h: history });
            await settled(outcome, 1);
            assert.deepEqual(body().messages, [
                { role: 'developer', content: 'Answer briefly.' },
                { role: 'user', content: [{ type: 'text', text: 'Is it warm where this is?' }, { type: 'image_url', image_url: { url: 'https://example.com/beach.png', detail: 'low' } }] },
                { role: 'assistant', content: null, tool_calls: [call] },
                { role: 'tool', tool_call_id: 'call_sim1_1', content: '{"fahrenheit":107.6}' },
            ]);
            const payload = payloadOf(outcome.outputs[0]);
            assert.equal(payload.finishReason, 'stop');
            assert.match(String(payload.responses[0]), /using the tool result "\{"fahrenheit":107\.6\}"/);
        });

        it('answers a tool round across two chat nodes: the first asks, a function node runs the tool, the second sends the results', async () => {
            const runTools = [
                'const tools = { convert_temperature: ({ celsius }) => ({ fahrenheit: Math.round((celsius * 9 / 5 + 32) * 10) / 10 }) };',
                'for (const call of msg.payload.toolCalls) {',
                '    msg.payload.history.push({ role: "tool", tool_call_id: call.id, content: JSON.stringify(tools[call.name](call.arguments)) });',
                '}',
                'return msg;',
            ].join('\n');
            const tools = JSON.stringify([convert]);
            const { flow, credentials } = buildFlow({
                node: { ...CHAT_DEFAULTS, tools, systemPrompt: 'Use the tools to answer.' },
                account: { baseURL: server.url, maxRetries: '0', apiKey: server.apiKey },
                next: [
                    { type: 'function', name: 'run the tools', func: runTools, outputs: 1 },
                    { ...CHAT_DEFAULTS, tools, userMessage: '', userMessageType: 'str' },
                ],
            });
            await helper.load([accountNode, chatNode, coreNode('common/25-catch.js'), coreNode('function/10-function.js')], flow, credentials);
            const outcome = collect();
            send({ payload: question });
            await settled(outcome, 1);
            assert.equal(outcome.errors.length, 0, JSON.stringify(outcome.errors[0]?.error));
            assert.equal(server.requests.length, 2);
            const asked = [
                { role: 'system', content: 'Use the tools to answer.' },
                { role: 'user', content: question },
            ];
            assert.deepEqual(body(0), { model: 'gpt-4.1-mini', messages: asked, tools: [convert] });
            const result = { role: 'tool', tool_call_id: 'call_sim1_1', content: '{"fahrenheit":107.6}' };
            assert.deepEqual(body(1), { model: 'gpt-4.1-mini', messages: [...asked, { role: 'assistant', content: null, tool_calls: [call] }, result], tools: [convert] });
            const payload = payloadOf(outcome.outputs[0]);
            assert.equal(payload.finishReason, 'stop');
            assert.equal('toolCalls' in payload, false);
            assert.equal(payload.responses[0], `Simulated answer to "${question}" using the tool result "{"fahrenheit":107.6}" (conversation of 0 earlier messages, following the instructions "Use the tools to answer.").`);
            assert.deepEqual(payload.history.slice(0, 4), [...asked, { role: 'assistant', content: null, tool_calls: [call] }, result]);
            assert.deepEqual(payload.history[4], { role: 'assistant', content: payload.responses[0] });
        });

        it('ends tool-call arguments that are not valid JSON with an error naming them', async () => {
            const outcome = await load({ tools: JSON.stringify([convert]) });
            server.failNext({
                kind: 'body',
                body: {
                    id: 'chatcmpl-1',
                    object: 'chat.completion',
                    created: 1,
                    model: 'gpt-4.1-mini',
                    choices: [{ index: 0, finish_reason: 'tool_calls', logprobs: null, message: { role: 'assistant', content: null, refusal: null, tool_calls: [{ ...call, function: { name: 'convert_temperature', arguments: '{"celsius":' } }] } }],
                },
            });
            send({ payload: question });
            await settled(outcome, 1);
            assert.equal(outcome.outputs.length, 0);
            assert.match((outcome.errors[0].error as { message: string }).message, /toolCalls\[0\]\.arguments is not valid JSON/);
            assert.deepEqual(statusCalls('n1').at(-1), { fill: 'red', shape: 'ring', text: 'status.error.badResponse' });
        });
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
            ['a history item with an unknown role', { history: 'h', historyType: 'msg' }, { payload: 'x', h: [{ role: 'user', content: 'a' }, { role: 'robot', content: 'b' }] }, /history\[1\]\.role must be system, developer, user, assistant or tool, got an unknown role/],
            ['a history item with content that is a number', { history: 'h', historyType: 'msg' }, { payload: 'x', h: [{ role: 'user', content: 7 }] }, /history\[0\]\.content must be a string or an array of content parts, got number/],
            ['a history content part that is a string', { history: 'h', historyType: 'msg' }, { payload: 'x', h: [{ role: 'user', content: ['a'] }] }, /history\[0\]\.content\[0\] must be an object with a type, got string/],
            ['a tool result without tool_call_id', { history: 'h', historyType: 'msg' }, { payload: '', h: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }, { role: 'tool', content: 'd' }] }, /^Error: history\[3\]\.tool_call_id must be a string, got undefined$/],
            ['a tool call without an id in the history', { history: 'h', historyType: 'msg' }, { payload: 'x', h: [{ role: 'assistant', content: null, tool_calls: [{ type: 'function', function: { name: 'now', arguments: '{}' } }] }] }, /history\[0\]\.tool_calls\[0\]\.id must be a string, got undefined/],
            ['an empty user message when the history does not end with a tool result', { history: 'h', historyType: 'msg' }, { payload: '', h: [{ role: 'user', content: 'a' }] }, /userMessage must not be empty/],
            ['json_schema without a schema', { responseFormat: 'json_schema' }, { payload: 'x' }, /^Error: jsonSchema is required when responseFormat is json_schema, got undefined$/],
            ['a schema from the message that is a number', { responseFormat: 'json_schema', jsonSchema: 's', jsonSchemaType: 'msg' }, { payload: 'x', s: 5 }, /jsonSchema must be a JSON Schema object, got number/],
            ['a schema from the message that is not JSON', { responseFormat: 'json_schema', jsonSchema: 's', jsonSchemaType: 'msg' }, { payload: 'x', s: '{"type":' }, /jsonSchema is a string but not valid JSON/],
            ['a typed schema that is not JSON', { responseFormat: 'json_schema', jsonSchema: '{"type":', jsonSchemaType: 'json' }, { payload: 'x' }, /jsonSchema could not be read/],
            ['a response format the node does not know', { responseFormat: 'yaml' }, { payload: 'x' }, /responseFormat must be text, json or json_schema/],
            ['a reasoning effort that is not a word', { model: 'o4-mini', reasoningEffort: 'very-high' }, { payload: 'x' }, /^Error: reasoningEffort must be one word of letters \(such as low or high\), got a string with other characters$/],
            ['a reasoning effort from the message that is a number', { model: 'o4-mini', reasoningEffort: 'effort', reasoningEffortType: 'msg' }, { payload: 'x', effort: 2 }, /reasoningEffort must be a string, got number/],
            ['tools that are not a list', { tools: 't', toolsType: 'msg' }, { payload: 'x', t: { name: 'now' } }, /tools must be an array of function tools, got object/],
            ['a tool without a valid name', { tools: '[{"name":"now"},{"type":"function","function":{"name":"what time"}}]' }, { payload: 'x' }, /^Error: tools\[1\]\.function\.name must be 1 to 64 letters, digits, _ or -, got a string with other characters$/],
            ['a tool without a name', { tools: '[{"description":"nameless"}]' }, { payload: 'x' }, /tools\[0\]\.name must be 1 to 64 letters, digits, _ or -, got undefined/],
            ['two tools with one name', { tools: '[{"name":"now"},{"name":"now"}]' }, { payload: 'x' }, /tools\[1\]\.name must be unique, but tools\[0\] has the same name/],
            ['a tool choice naming no tool', { tools: '[{"name":"now"}]', toolChoice: 'weather' }, { payload: 'x' }, /^Error: toolChoice must be auto, none, required or the name of one of tools, got a name no tool has$/],
            ['tool choice required without tools', { toolChoice: 'required' }, { payload: 'x' }, /toolChoice must be .* but tools is empty/],
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
