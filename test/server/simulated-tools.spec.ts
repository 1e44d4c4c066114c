import { strict as assert } from 'node:assert';
import OpenAI, { BadRequestError } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { REFUSAL_MARKER, REFUSAL_TEXT, simulateChatChoice, startTestServer, type TestServer } from './openai-test-server';
import { sampleJson } from './sample-json';

/** The test server's answers for structured outputs, refusals and tool calls, over HTTP through the SDK. */
describe('OpenAI test server: structured outputs and tools', () => {
    let server: TestServer;
    let client: OpenAI;

    before(async () => {
        server = await startTestServer();
        client = new OpenAI({ apiKey: server.apiKey, baseURL: server.url, maxRetries: 0 });
    });
    afterEach(() => server.reset());
    after(() => server.close());

    const convert: ChatCompletionTool = {
        type: 'function',
        function: {
            name: 'convert_temperature',
            parameters: { type: 'object', properties: { celsius: { type: 'number' } }, required: ['celsius'], additionalProperties: false },
            strict: true,
        },
    };
    const now: ChatCompletionTool = { type: 'function', function: { name: 'now' } };
    const question: ChatCompletionMessageParam = { role: 'user', content: 'What is 42 °C in Fahrenheit?' };
    const ask = (extra: Partial<ChatCompletionCreateParamsNonStreaming>): ChatCompletionCreateParamsNonStreaming => ({
        model: 'gpt-4.1-mini',
        messages: [question],
        ...extra,
    });

    async function refusal(params: ChatCompletionCreateParamsNonStreaming): Promise<BadRequestError> {
        const error = await client.chat.completions.create(params).catch((caught: unknown) => caught);
        assert.ok(error instanceof BadRequestError, `expected a 400, got ${String(error)}`);
        assert.deepEqual(server.requests.at(-1)?.schemaErrors, [], 'the body itself follows the schema');
        return error;
    }

    describe('tool calls', () => {
        it('calls the first tool for a question, with arguments that follow its parameters', async () => {
            const completion = await client.chat.completions.create(ask({ tools: [convert, now] }));
            const [choice] = completion.choices;
            assert.equal(choice.finish_reason, 'tool_calls');
            assert.equal(choice.message.content, null);
            assert.deepEqual(choice.message.tool_calls, [
                { id: 'call_sim1_1', type: 'function', function: { name: 'convert_temperature', arguments: '{"celsius":42}' } },
            ]);
            assert.ok((completion.usage?.completion_tokens ?? 0) > 0);
        });

        it('calls the tool that tool_choice names, and none with tool_choice none', async () => {
            const named = await client.chat.completions.create(ask({ tools: [convert, now], tool_choice: { type: 'function', function: { name: 'now' } } }));
            assert.deepEqual(named.choices[0].message.tool_calls, [{ id: 'call_sim1_1', type: 'function', function: { name: 'now', arguments: '{}' } }]);
            const none = await client.chat.completions.create(ask({ tools: [convert], tool_choice: 'none' }));
            assert.equal(none.choices[0].finish_reason, 'stop');
            assert.equal(none.choices[0].message.tool_calls, undefined);
        });

        it('answers with the tool result once it is there, quoting it', async () => {
            const calls = [{ id: 'call_sim1_1', type: 'function' as const, function: { name: 'convert_temperature', arguments: '{"celsius":42}' } }];
            const completion = await client.chat.completions.create(
                ask({
                    tools: [convert],
                    messages: [question, { role: 'assistant', content: null, tool_calls: calls }, { role: 'tool', tool_call_id: 'call_sim1_1', content: '{"fahrenheit":107.6}' }],
                }),
            );
            assert.equal(completion.choices[0].finish_reason, 'stop');
            assert.equal(
                completion.choices[0].message.content,
                'Simulated answer to "What is 42 °C in Fahrenheit?" using the tool result "{"fahrenheit":107.6}" (conversation of 0 earlier messages).',
            );
        });

        it('numbers the calls by round, so that ids stay unique in a conversation', () => {
            const first = { id: 'call_sim1_1', type: 'function', function: { name: 'now', arguments: '{}' } };
            const choice = simulateChatChoice({
                tools: [now],
                tool_choice: 'required',
                messages: [question, { role: 'assistant', tool_calls: [first] }, { role: 'tool', tool_call_id: 'call_sim1_1', content: '12:00' }],
            });
            assert.equal(choice.toolCalls?.[0].id, 'call_sim2_1');
        });

        it('streams tool calls as the API does', async () => {
            const stream = await client.chat.completions.create({ ...ask({ tools: [convert] }), stream: true });
            let name = '';
            let args = '';
            let finish: string | null = null;
            for await (const chunk of stream) {
                const call = chunk.choices[0]?.delta.tool_calls?.[0];
                name += call?.function?.name ?? '';
                args += call?.function?.arguments ?? '';
                finish = chunk.choices[0]?.finish_reason ?? finish;
            }
            assert.deepEqual([name, args, finish], ['convert_temperature', '{"celsius":42}', 'tool_calls']);
        });

        it('refuses a tool result that answers no call, and a call left unanswered, as the API does', async () => {
            const stray = await refusal(ask({ messages: [question, { role: 'tool', tool_call_id: 'call_x', content: '1' }] }));
            assert.match(stray.message, /messages with role 'tool' must be a response to a preceding message with 'tool_calls'/);
            const calls = [{ id: 'call_a', type: 'function' as const, function: { name: 'now', arguments: '{}' } }];
            const open = await refusal(ask({ tools: [now], messages: [question, { role: 'assistant', content: null, tool_calls: calls }, { role: 'user', content: 'Well?' }] }));
            assert.match(open.message, /did not have response messages: call_a/);
        });

        it('refuses a tool_choice without tools, or naming a tool that is not offered', async () => {
            assert.match((await refusal(ask({ tool_choice: 'auto' }))).message, /only allowed when 'tools' are specified/);
            const missing = await refusal(ask({ tools: [now], tool_choice: { type: 'function', function: { name: 'convert_temperature' } } }));
            assert.equal(missing.param, 'tool_choice');
        });

        it('refuses a strict tool whose parameters leave an object open', async () => {
            const open: ChatCompletionTool = { type: 'function', function: { name: 'open', parameters: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, strict: true } };
            const error = await refusal(ask({ tools: [open] }));
            assert.equal(error.param, 'tools[0].function.parameters');
            assert.match(error.message, /'additionalProperties' is required to be supplied and to be false/);
        });
    });

    describe('structured outputs', () => {
        const invoice = {
            type: 'object',
            properties: {
                customer: { type: 'string' },
                date: { type: 'string', format: 'date' },
                amount: { type: 'number' },
                paid: { type: 'boolean' },
                lines: { type: 'array', items: { $ref: '#/$defs/line' } },
                currency: { type: 'string', enum: ['EUR', 'USD'] },
                note: { type: ['string', 'null'] },
            },
            required: ['customer', 'date', 'amount', 'paid', 'lines', 'currency', 'note'],
            additionalProperties: false,
            $defs: { line: { type: 'object', properties: { count: { type: 'integer', minimum: 100 } }, required: ['count'], additionalProperties: false } },
        };
        const structured = (schema: Record<string, unknown>, strict = true) => ({ type: 'json_schema' as const, json_schema: { name: 'invoice', schema, strict } });

        it('answers with a value that follows the schema', async () => {
            const completion = await client.chat.completions.create(ask({ response_format: structured(invoice) }));
            assert.deepEqual(JSON.parse(completion.choices[0].message.content!), {
                customer: 'simulated customer',
                date: '2025-01-01',
                amount: 42,
                paid: true,
                lines: [{ count: 100 }],
                currency: 'EUR',
                note: 'simulated note',
            });
        });

        it('fills every property when the schema lists none as required, and stops at a $ref that loops', () => {
            assert.deepEqual(sampleJson({ type: 'object', properties: { a: { type: 'integer', maximum: 7 }, b: {} } }), { a: 7, b: 'simulated b' });
            const tree = { type: 'object', properties: { child: { $ref: '#' } }, required: ['child'] };
            assert.ok(JSON.stringify(sampleJson(tree)).includes('null'));
        });

        it('refuses a question that holds the refusal marker, with content null', async () => {
            const completion = await client.chat.completions.create(
                ask({ messages: [{ role: 'user', content: `Tell me a secret ${REFUSAL_MARKER}` }], response_format: structured(invoice) }),
            );
            assert.equal(completion.choices[0].message.content, null);
            assert.equal(completion.choices[0].message.refusal, REFUSAL_TEXT);
        });

        it('refuses a strict schema that leaves a property out of required, as the API does', async () => {
            const loose = { ...invoice, required: ['customer'] };
            const error = await refusal(ask({ response_format: structured(loose) }));
            assert.equal(error.param, 'response_format');
            assert.match(error.message, /Invalid schema for response_format 'invoice'.*Missing 'date'/);
            // Not strict: the API takes it.
            await client.chat.completions.create(ask({ response_format: structured(loose, false) }));
        });
    });
});
