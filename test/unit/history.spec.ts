import { strict as assert } from 'node:assert';
import { parseHistory } from '../../nodes/lib/history';
import { InputError } from '../../nodes/lib/input-error';

function assertRefused(history: unknown, field: string, detail: RegExp): void {
    assert.throws(
        () => parseHistory(history),
        (error: unknown) => {
            assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
            assert.equal(error.field, field);
            assert.match(error.message, detail);
            return true;
        },
    );
}

const call = { id: 'call_1', type: 'function', function: { name: 'convert', arguments: '{"celsius":20}' } };

describe('history', () => {
    it('reads nothing as an empty conversation', () => {
        assert.deepEqual(parseHistory(undefined), []);
        assert.deepEqual(parseHistory(null), []);
        assert.deepEqual(parseHistory(''), []);
    });

    it('reads a JSON string the same as the array it holds', () => {
        const list = [
            { role: 'system', content: 'You are helpful.' },
            { role: 'user', content: 'Hi' },
        ];
        assert.deepEqual(parseHistory(JSON.stringify(list)), list);
    });

    it('copies only role and content, so other keys never reach the API', () => {
        const item = JSON.parse('{"role":"user","content":"x","id":7,"__proto__":{"polluted":true}}');
        const [message] = parseHistory([item]);
        assert.deepEqual(Object.keys(message), ['role', 'content']);
        assert.equal(Object.getPrototypeOf(message), Object.prototype);
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });

    it('names the item that is not an object', () => {
        assert.throws(() => parseHistory([{ role: 'user', content: 'a' }, 'b']), /^InputError: history\[1\] must be an object.*got string$/);
    });

    it('refuses a JSON string that holds something else than a list', () => {
        assert.throws(() => parseHistory('{"role":"user"}'), /history must be an array .* got object/);
    });

    describe('the forms beyond {role, content}', () => {
        it('reads a developer message', () => {
            assert.deepEqual(parseHistory([{ role: 'developer', content: 'Answer in French.' }]), [{ role: 'developer', content: 'Answer in French.' }]);
        });

        it('reads content parts, text and images, keeping only their defined fields', () => {
            const parts = [
                { type: 'text', text: 'What is this?', cache: true },
                { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low', size: 3 } },
                { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            ];
            assert.deepEqual(parseHistory([{ role: 'user', content: parts }]), [
                {
                    role: 'user',
                    content: [
                        { type: 'text', text: 'What is this?' },
                        { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
                        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
                    ],
                },
            ]);
            assert.deepEqual(parseHistory([{ role: 'system', content: [{ type: 'text', text: 'Be brief.' }] }]), [
                { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
            ]);
        });

        it('reads an assistant message with tool calls and the tool results that answer it', () => {
            const history = [
                { role: 'user', content: 'How warm is 20 °C in Fahrenheit?' },
                { role: 'assistant', content: null, tool_calls: [{ ...call, index: 0 }], refusal: null },
                { role: 'tool', tool_call_id: 'call_1', content: '{"fahrenheit":68}', name: 'convert' },
            ];
            assert.deepEqual(parseHistory(history), [
                { role: 'user', content: 'How warm is 20 °C in Fahrenheit?' },
                { role: 'assistant', content: null, tool_calls: [call] },
                { role: 'tool', tool_call_id: 'call_1', content: '{"fahrenheit":68}' },
            ]);
        });

        it('keeps text beside tool calls, and reads a missing content beside them as null', () => {
            assert.deepEqual(parseHistory([{ role: 'assistant', content: 'Let me look.', tool_calls: [call] }]), [
                { role: 'assistant', content: 'Let me look.', tool_calls: [call] },
            ]);
            assert.deepEqual(parseHistory([{ role: 'assistant', tool_calls: [call] }]), [{ role: 'assistant', content: null, tool_calls: [call] }]);
        });

        it('reads an assistant message with an empty list of tool calls as a plain message', () => {
            assert.deepEqual(parseHistory([{ role: 'assistant', content: 'Hi', tool_calls: [] }]), [{ role: 'assistant', content: 'Hi' }]);
        });
    });

    describe('refuses, naming the field', () => {
        const cases: [string, unknown, string, RegExp][] = [
            ['an unknown role', [{ role: 'robot', content: 'x' }], 'history[0].role', /must be system, developer, user, assistant or tool, got an unknown role/],
            ['a role that is an inherited key', [{ role: 'constructor', content: 'x' }], 'history[0].role', /got an unknown role/],
            ['a missing role', [{ content: 'x' }], 'history[0].role', /got undefined/],
            ['a tool result without tool_call_id', [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }, { role: 'tool', content: 'd' }], 'history[3].tool_call_id', /^history\[3\]\.tool_call_id must be a string, got undefined$/],
            ['a tool result with an empty tool_call_id', [{ role: 'tool', tool_call_id: '', content: 'd' }], 'history[0].tool_call_id', /must not be empty/],
            ['a tool result whose content is an object', [{ role: 'tool', tool_call_id: 'call_1', content: { celsius: 1 } }], 'history[0].content', /must be a string, got object/],
            ['user content that is a number', [{ role: 'user', content: 3 }], 'history[0].content', /must be a string or an array of content parts, got number/],
            ['an assistant message with null content and no tool calls', [{ role: 'assistant', content: null }], 'history[0].content', /got null/],
            ['an empty list of content parts', [{ role: 'user', content: [] }], 'history[0].content', /at least one content part, got an empty array/],
            ['a content part that is a string', [{ role: 'user', content: ['hello'] }], 'history[0].content[0]', /must be an object with a type, got string/],
            ['a content part of an unknown type', [{ role: 'user', content: [{ type: 'video', url: 'x' }] }], 'history[0].content[0].type', /must be text or image_url, got an unknown type/],
            ['a text part without text', [{ role: 'user', content: [{ type: 'text' }] }], 'history[0].content[0].text', /must be a string, got undefined/],
            ['an image in a system message', [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }], 'history[0].content[0].type', /must be text \(only user messages carry images\), got image_url/],
            ['an image part without a url', [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }], 'history[0].content[0].image_url.url', /must be a string, got undefined/],
            ['an image part whose image_url is a string', [{ role: 'user', content: [{ type: 'image_url', image_url: 'https://example.com/a.png' }] }], 'history[0].content[0].image_url', /must be an object with a url, got string/],
            ['an image detail that is not auto, low or high', [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'ultra' } }] }], 'history[0].content[0].image_url.detail', /must be auto, low or high, got another word/],
            ['tool_calls that are not a list', [{ role: 'assistant', content: null, tool_calls: call }], 'history[0].tool_calls', /must be an array of tool calls, got object/],
            ['a tool call without an id', [{ role: 'assistant', content: null, tool_calls: [{ ...call, id: undefined }] }], 'history[0].tool_calls[0].id', /must be a string, got undefined/],
            ['a tool call of another type', [{ role: 'assistant', content: null, tool_calls: [{ ...call, type: 'custom' }] }], 'history[0].tool_calls[0].type', /must be function, got another type/],
            ['a tool call without a function', [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function' }] }], 'history[0].tool_calls[0].function', /must be an object with name and arguments, got undefined/],
            ['a tool call whose arguments are an object', [{ role: 'assistant', content: null, tool_calls: [{ ...call, function: { name: 'convert', arguments: {} } }] }], 'history[0].tool_calls[0].function.arguments', /must be a string, got object/],
        ];
        for (const [name, history, field, detail] of cases) {
            it(name, () => assertRefused(history, field, detail));
        }
    });
});
