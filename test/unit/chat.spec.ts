import { strict as assert } from 'node:assert';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import { buildChatRequest, type ChatInputs, formatChatResult } from '../../nodes/lib/chat';
import { InputError } from '../../nodes/lib/input-error';
import { ResponseError } from '../../nodes/lib/response-error';

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
        ...overrides,
    };
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

    const badInputs: [string, Partial<ChatInputs>, string, RegExp][] = [
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
        ['an unknown response format', { responseFormat: 'xml' }, 'responseFormat', /text or json/],
        ['history that is not a list', { history: { role: 'user' } }, 'history', /got object/],
        ['history with an unknown role', { history: [{ role: 'robot', content: 'x' }] }, 'history[0].role', /unknown role/],
        ['history with content that is not a string', { history: [{ role: 'user', content: 'a' }, { role: 'user', content: 3 }] }, 'history[1].content', /got number/],
        ['history that is invalid JSON', { history: '[{"role": ' }, 'history', /not valid JSON/],
    ];
    for (const [name, overrides, field, detail] of badInputs) {
        it(`refuses ${name}, naming ${field}`, () => {
            assertInputError(() => buildChatRequest(inputs(overrides), 'max_tokens'), field, detail);
        });
    }
});

describe('chat result', () => {
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
});
