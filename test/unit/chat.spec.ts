import { strict as assert } from 'node:assert';
import type { ChatCompletion, ChatCompletionMessageToolCall } from 'openai/resources/chat/completions';
import { buildChatRequest, type ChatInputs, formatChatResult, streamingParams } from '../../nodes/lib/chat';
import { InputError } from '../../nodes/lib/input-error';
import { ResponseError } from '../../nodes/lib/response-error';
import { dataUrl, IMAGES } from '../support/images';

function inputs(overrides: Partial<ChatInputs> = {}): ChatInputs {
    return {
        model: 'gpt-4.1-mini',
        responseFormat: 'text',
        systemPrompt: undefined,
        userMessage: 'Hello',
        history: undefined,
        frequencyPenalty: undefined,
        maxTokens: undefined,
        responseCount: undefined,
        presencePenalty: undefined,
        temperature: undefined,
        topP: undefined,
        jsonSchema: undefined,
        reasoningEffort: undefined,
        tools: undefined,
        toolChoice: undefined,
        ...overrides,
    };
}

function calling(calls: ChatCompletionMessageToolCall[], content: string | null = null): ChatCompletion.Choice {
    return { index: 0, message: { role: 'assistant', content, refusal: null, tool_calls: calls }, logprobs: null, finish_reason: 'tool_calls' };
}

function completion(contents: (string | null)[], extra: Partial<ChatCompletion> = {}): ChatCompletion {
    return {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: 'gpt-4.1-mini',
        choices: contents.map((content, index) => ({
            index,
            message: { role: 'assistant', content, refusal: null },
            logprobs: null,
            finish_reason: index === 0 ? 'length' : 'stop',
        })),
        usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
        ...extra,
    };
}

function assertInputError(action: () => unknown, field: string, detail: RegExp): void {
    assert.throws(action, (error: unknown) => {
        assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
        assert.equal(error.field, field);
        assert.match(error.message, detail);
        return true;
    });
}

const call = { id: 'call_1', type: 'function', function: { name: 'convert', arguments: '{"celsius":20}' } };

/** A history that ends with the result of the tool call the model asked for. */
const toolRound = [
    { role: 'user', content: 'How warm is 20 °C in Fahrenheit?' },
    { role: 'assistant', content: null, tool_calls: [call] },
    { role: 'tool', tool_call_id: 'call_1', content: '{"fahrenheit":68}' },
];

const schema = { type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'], additionalProperties: false };

describe('chat request', () => {
    it('sends only the model and the user message when nothing else is given', () => {
        const { params } = buildChatRequest(inputs(), 'max_completion_tokens');
        assert.deepEqual(params, { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Hello' }] });
    });

    it('orders the messages: history, then the system prompt, then the user message', () => {
        const history = [
            { role: 'user', content: 'Hi' },
            { role: 'assistant', content: 'Hello!' },
        ];
        const { params } = buildChatRequest(inputs({ history, systemPrompt: 'Be brief.' }), 'max_tokens');
        assert.deepEqual(params.messages, [...history, { role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }]);
    });

    it('maps every option to the API field, with the token limit in the chosen field', () => {
        const all = inputs({
            responseFormat: 'json',
            frequencyPenalty: -2,
            maxTokens: 50,
            responseCount: 3,
            presencePenalty: 2,
            temperature: 0,
            topP: 1,
        });
        const modern = buildChatRequest(all, 'max_completion_tokens').params;
        assert.deepEqual(modern.response_format, { type: 'json_object' });
        assert.equal(modern.frequency_penalty, -2);
        assert.equal(modern.max_completion_tokens, 50);
        assert.equal(modern.n, 3);
        assert.equal(modern.presence_penalty, 2);
        assert.equal(modern.temperature, 0);
        assert.equal(modern.top_p, 1);
        assert.equal('max_tokens' in modern, false);
        const legacy = buildChatRequest(all, 'max_tokens').params;
        assert.equal(legacy.max_tokens, 50);
        assert.equal('max_completion_tokens' in legacy, false);
    });

    it('accepts numeric strings, as message properties often are', () => {
        const { params } = buildChatRequest(inputs({ temperature: '0.5', responseCount: '2' }), 'max_tokens');
        assert.equal(params.temperature, 0.5);
        assert.equal(params.n, 2);
    });

    it('leaves out empty, null and undefined options', () => {
        const { params } = buildChatRequest(inputs({ temperature: '', topP: null, systemPrompt: '' }), 'max_tokens');
        assert.deepEqual(Object.keys(params).sort(), ['messages', 'model']);
    });

    it('builds the same request as 0.1 from the inputs 0.1 knew', () => {
        const old = inputs({ systemPrompt: 'S', history: [{ role: 'user', content: 'Earlier' }], temperature: 1 });
        for (const key of ['jsonSchema', 'reasoningEffort', 'tools', 'toolChoice'] as const) delete old[key];
        assert.deepEqual(buildChatRequest(old, 'max_tokens').params, {
            model: 'gpt-4.1-mini',
            messages: [{ role: 'user', content: 'Earlier' }, { role: 'system', content: 'S' }, { role: 'user', content: 'Hello' }],
            temperature: 1,
        });
    });

    it('sends a json_schema response format, reasoning effort, tools and tool choice under their API names', () => {
        const { params } = buildChatRequest(
            inputs({
                model: 'o4-mini',
                responseFormat: 'json_schema',
                jsonSchema: { title: 'amount', ...schema },
                reasoningEffort: 'low',
                tools: [{ name: 'convert', parameters: schema }],
                toolChoice: 'convert',
            }),
            'max_completion_tokens',
        );
        assert.deepEqual(params, {
            model: 'o4-mini',
            messages: [{ role: 'user', content: 'Hello' }],
            response_format: { type: 'json_schema', json_schema: { name: 'amount', schema: { title: 'amount', ...schema }, strict: true } },
            reasoning_effort: 'low',
            tools: [{ type: 'function', function: { name: 'convert', parameters: schema } }],
            tool_choice: { type: 'function', function: { name: 'convert' } },
        });
    });

    it('sends a reasoning effort the SDK does not know yet: the API judges it', () => {
        assert.equal(buildChatRequest(inputs({ reasoningEffort: 'Extreme' }), 'max_tokens').params.reasoning_effort, 'Extreme');
    });

    it('sends no user message when the history ends with a tool result and the user message is empty', () => {
        for (const userMessage of [undefined, null, '']) {
            const { params } = buildChatRequest(inputs({ history: toolRound, userMessage }), 'max_tokens');
            assert.deepEqual(params.messages, toolRound);
        }
    });

    it('sends a user message after the tool results when one is given', () => {
        const { params } = buildChatRequest(inputs({ history: toolRound, userMessage: 'And in Kelvin?', systemPrompt: 'Be brief.' }), 'max_tokens');
        assert.deepEqual(params.messages.slice(3), [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'And in Kelvin?' },
        ]);
    });

    it('sends images after the text in the user message, each with the detail when one is set', () => {
        const { params } = buildChatRequest(inputs({ userMessage: 'What is it?', images: ['https://example.com/a.png', IMAGES.jpeg], imageDetail: 'high', systemPrompt: 'Be brief.' }), 'max_tokens');
        assert.deepEqual(params.messages, [
            { role: 'system', content: 'Be brief.' },
            {
                role: 'user',
                content: [
                    { type: 'text', text: 'What is it?' },
                    { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'high' } },
                    { type: 'image_url', image_url: { url: dataUrl('jpeg'), detail: 'high' } },
                ],
            },
        ]);
    });

    it('sends a plain text user message when the images are empty, and no detail when imageDetail is', () => {
        assert.deepEqual(buildChatRequest(inputs({ images: [], imageDetail: 'low' }), 'max_tokens').params.messages, [{ role: 'user', content: 'Hello' }]);
        assert.deepEqual(buildChatRequest(inputs({ images: IMAGES.gif, imageDetail: '' }), 'max_tokens').params.messages, [
            { role: 'user', content: [{ type: 'text', text: 'Hello' }, { type: 'image_url', image_url: { url: dataUrl('gif') } }] },
        ]);
    });

    it('keeps the user message with its images in the output history, as it was sent', () => {
        const request = buildChatRequest(inputs({ images: IMAGES.png }), 'max_tokens');
        const { history } = formatChatResult(request, completion(['A small picture.']));
        assert.deepEqual(history, [
            { role: 'user', content: [{ type: 'text', text: 'Hello' }, { type: 'image_url', image_url: { url: dataUrl('png') } }] },
            { role: 'assistant', content: 'A small picture.' },
        ]);
        // The next chat node reads that history as it is.
        const next = buildChatRequest(inputs({ history, userMessage: 'What colour is it?' }), 'max_tokens');
        assert.deepEqual(next.params.messages.slice(0, 2), history);
    });

    const badInputs: [string, Partial<ChatInputs>, string, RegExp][] = [
        ['an image that is a number', { images: 7 }, 'images', /^images must be an http\(s\) URL, .* got number$/],
        ['a list with a Buffer that is no image', { images: ['https://example.com/a.png', Buffer.from('text')] }, 'images[1]', /got a buffer of none of these types$/],
        ['17 images', { images: Array.from({ length: 17 }, () => 'https://example.com/a.png') }, 'images', /at most 16 images, got 17/],
        ['an image detail that is not auto, low or high', { images: IMAGES.png, imageDetail: 'max' }, 'imageDetail', /must be auto, low or high, got another word/],
        ['a missing user message', { userMessage: undefined }, 'userMessage', /got undefined/],
        ['a user message that is an object', { userMessage: { text: 'hi' } }, 'userMessage', /got object/],
        ['an empty user message', { userMessage: '' }, 'userMessage', /empty/],
        ['a missing model', { model: '' }, 'model', /empty/],
        ['a system prompt that is a number', { systemPrompt: 5 }, 'systemPrompt', /got number/],
        ['temperature above 2', { temperature: 2.5 }, 'temperature', /from 0 to 2, got number 2.5/],
        ['temperature that is not a number', { temperature: 'hot' }, 'temperature', /got string/],
        ['topP above 1', { topP: 1.1 }, 'topP', /from 0 to 1/],
        ['frequencyPenalty below -2', { frequencyPenalty: -3 }, 'frequencyPenalty', /from -2 to 2/],
        ['presencePenalty that is a boolean', { presencePenalty: true }, 'presencePenalty', /got boolean/],
        ['responseCount 0', { responseCount: 0 }, 'responseCount', /an integer from 1 to 128, got number 0/],
        ['responseCount 1.5', { responseCount: 1.5 }, 'responseCount', /an integer from 1 to 128, got number 1.5/],
        ['responseCount 129', { responseCount: 129 }, 'responseCount', /an integer from 1 to 128, got number 129/],
        ['maxTokens 0', { maxTokens: 0 }, 'maxTokens', /integer ≥ 1/],
        ['maxTokens NaN', { maxTokens: Number.NaN }, 'maxTokens', /got NaN/],
        ['an unknown response format', { responseFormat: 'xml' }, 'responseFormat', /must be text, json or json_schema/],
        ['json_schema without a schema', { responseFormat: 'json_schema' }, 'jsonSchema', /is required when responseFormat is json_schema, got undefined/],
        ['a schema that is a list', { responseFormat: 'json_schema', jsonSchema: [] }, 'jsonSchema', /must be a JSON Schema object, got array/],
        ['a reasoning effort that is two words', { model: 'o4-mini', reasoningEffort: 'very high' }, 'reasoningEffort', /^reasoningEffort must be one word of letters \(such as low or high\), got a string with other characters$/],
        ['a reasoning effort of spaces', { model: 'o4-mini', reasoningEffort: '  ' }, 'reasoningEffort', /got a string with only spaces/],
        ['a reasoning effort that is a number', { model: 'o4-mini', reasoningEffort: 3 }, 'reasoningEffort', /must be a string, got number/],
        ['tools that are not a list', { tools: { name: 'now' } }, 'tools', /got object/],
        ['a tool with a bad name', { tools: [{ name: 'now' }, { type: 'function', function: { name: 'what time' } }] }, 'tools[1].function.name', /1 to 64 letters/],
        ['a tool choice naming no tool', { tools: [{ name: 'now' }], toolChoice: 'convert' }, 'toolChoice', /got a name no tool has/],
        ['a tool result without tool_call_id', { history: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }, { role: 'tool', content: 'd' }] }, 'history[3].tool_call_id', /must be a string, got undefined/],
        ['history that is not a list', { history: { role: 'user' } }, 'history', /got object/],
        ['history with an unknown role', { history: [{ role: 'robot', content: 'x' }] }, 'history[0].role', /unknown role/],
        ['an empty user message after a history that does not end with a tool result', { history: [{ role: 'assistant', content: null, tool_calls: [call] }], userMessage: '' }, 'userMessage', /must not be empty/],
        ['a user message that is an object in a tool round', { history: toolRound, userMessage: { responses: [] } }, 'userMessage', /must be a string, got object/],
        ['history with content that is not a string', { history: [{ role: 'user', content: 'a' }, { role: 'user', content: 3 }] }, 'history[1].content', /got number/],
        ['history that is invalid JSON', { history: '[{"role": ' }, 'history', /not valid JSON/],
    ];
    for (const [name, overrides, field, detail] of badInputs) {
        it(`refuses ${name}, naming ${field}`, () => {
            assertInputError(() => buildChatRequest(inputs(overrides), 'max_tokens'), field, detail);
        });
    }
});

describe('chat request, streamed', () => {
    it('asks for a stream with a usage chunk, and leaves the request it came from as it was', () => {
        const request = buildChatRequest(inputs({ temperature: 0.5 }), 'max_tokens');
        const before = structuredClone(request.params);
        assert.deepEqual(streamingParams(request.params), { ...before, stream: true, stream_options: { include_usage: true } });
        assert.deepEqual(request.params, before);
    });
});

describe('chat result', () => {
    it('gives totalTokens null when the answer carries no usage', () => {
        const { usage: _usage, ...withoutUsage } = completion(['One']);
        const result = formatChatResult(buildChatRequest(inputs(), 'max_tokens'), withoutUsage as ChatCompletion);
        assert.equal(result.totalTokens, null);
    });

    it('lists every choice, extends the history and keeps the raw answer', () => {
        const request = buildChatRequest(inputs({ systemPrompt: 'S', history: [{ role: 'user', content: 'Earlier' }] }), 'max_tokens');
        const raw = completion(['One', 'Two']);
        const result = formatChatResult(request, raw);
        assert.deepEqual(result.responses, ['One', 'Two']);
        assert.deepEqual(result.history, [
            { role: 'user', content: 'Earlier' },
            { role: 'system', content: 'S' },
            { role: 'user', content: 'Hello' },
            { role: 'assistant', content: 'One' },
            { role: 'assistant', content: 'Two' },
        ]);
        assert.equal(result.finishReason, 'length');
        assert.equal(result.raw, raw);
        assert.equal(result.totalTokens, 7);
    });

    it('parses each choice in json format and keeps the text in the history', () => {
        const request = buildChatRequest(inputs({ responseFormat: 'json' }), 'max_tokens');
        const result = formatChatResult(request, completion(['{"a":1}', '[2]']));
        assert.deepEqual(result.responses, [{ a: 1 }, [2]]);
        assert.deepEqual(result.history.slice(-2), [
            { role: 'assistant', content: '{"a":1}' },
            { role: 'assistant', content: '[2]' },
        ]);
    });

    it('names the choice that is not valid JSON', () => {
        const request = buildChatRequest(inputs({ responseFormat: 'json' }), 'max_tokens');
        assert.throws(() => formatChatResult(request, completion(['{}', 'nope'])), /responses\[1\] is not valid JSON/);
    });

    it('refuses an answer without choices', () => {
        const request = buildChatRequest(inputs(), 'max_tokens');
        assert.throws(() => formatChatResult(request, completion([], {})), ResponseError);
        const noChoices = { ...completion(['x']), choices: undefined } as unknown as ChatCompletion;
        assert.throws(() => formatChatResult(request, noChoices), /no choices/);
    });

    it('uses the refusal text when a choice has no content', () => {
        const request = buildChatRequest(inputs(), 'max_tokens');
        const raw = completion([null]);
        raw.choices[0].message.refusal = 'I cannot help with that.';
        assert.deepEqual(formatChatResult(request, raw).responses, ['I cannot help with that.']);
    });

    it('lists the first choice\'s tool calls with parsed arguments, and keeps them in the history as the API returned them', () => {
        const request = buildChatRequest(inputs({ userMessage: 'How warm is 20 °C in Fahrenheit?', tools: [{ name: 'convert' }] }), 'max_tokens');
        const returned = [{ ...call, function: { ...call.function } }] as ChatCompletionMessageToolCall[];
        const raw = completion([]);
        raw.choices = [calling(returned)];
        const result = formatChatResult(request, raw);
        assert.deepEqual(Object.keys(result), ['responses', 'toolCalls', 'history', 'finishReason', 'raw', 'totalTokens']);
        assert.deepEqual(result.responses, [null]);
        assert.deepEqual(result.toolCalls, [{ id: 'call_1', name: 'convert', arguments: { celsius: 20 } }]);
        assert.deepEqual(result.history.at(-1), { role: 'assistant', content: null, tool_calls: returned });
        assert.equal(result.finishReason, 'tool_calls');
    });

    it('keeps the text a model wrote beside its tool calls', () => {
        const request = buildChatRequest(inputs({ tools: [{ name: 'convert' }] }), 'max_tokens');
        const raw = completion([]);
        raw.choices = [calling([call as ChatCompletionMessageToolCall], 'Let me convert that.')];
        const result = formatChatResult(request, raw);
        assert.deepEqual(result.responses, ['Let me convert that.']);
        assert.deepEqual(result.history.at(-1), { role: 'assistant', content: 'Let me convert that.', tool_calls: [call] });
    });

    it('has no toolCalls when the first choice called none', () => {
        const request = buildChatRequest(inputs({ tools: [{ name: 'convert' }] }), 'max_tokens');
        const raw = completion(['It is 68 °F.', 'x']);
        raw.choices[1] = { ...calling([call as ChatCompletionMessageToolCall]), index: 1 };
        const result = formatChatResult(request, raw);
        assert.equal('toolCalls' in result, false);
        assert.deepEqual(result.responses, ['It is 68 °F.', null]);
    });

    it('ends the message when tool-call arguments are not valid JSON, naming them', () => {
        const request = buildChatRequest(inputs({ tools: [{ name: 'convert' }] }), 'max_tokens');
        const raw = completion([]);
        raw.choices = [calling([call as ChatCompletionMessageToolCall, { id: 'call_2', type: 'function', function: { name: 'convert', arguments: '{celsius: 1}' } }])];
        assert.throws(() => formatChatResult(request, raw), /^ResponseError: toolCalls\[1\]\.arguments is not valid JSON$/);
    });

    it('answers a tool round with the history that goes on from the tool results', () => {
        const request = buildChatRequest(inputs({ history: toolRound, userMessage: '' }), 'max_tokens');
        const result = formatChatResult(request, completion(['20 °C is 68 °F.']));
        assert.deepEqual(result.history, [...toolRound, { role: 'assistant', content: '20 °C is 68 °F.' }]);
    });

    it('parses each json_schema answer, and ends a refusal with its text', () => {
        const request = buildChatRequest(inputs({ responseFormat: 'json_schema', jsonSchema: schema }), 'max_tokens');
        assert.deepEqual(formatChatResult(request, completion(['{"amount":1}', '{"amount":2}'])).responses, [{ amount: 1 }, { amount: 2 }]);
        const refused = completion(['{"amount":1}', null]);
        refused.choices[1].message.refusal = 'I will not do that.';
        assert.throws(() => formatChatResult(request, refused), /responses\[1\] is a refusal.*I will not do that\./);
        assert.throws(() => formatChatResult(request, completion(['{"amount":'])), /responses\[0\] is not valid JSON although responseFormat is json_schema/);
    });
});
