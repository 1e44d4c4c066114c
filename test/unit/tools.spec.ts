import { strict as assert } from 'node:assert';
import type { ChatCompletionMessageToolCall } from 'openai/resources/chat/completions';
import { ResponseError } from '../../nodes/lib/response-error';
import { parseToolChoice, parseTools, readToolCalls } from '../../nodes/lib/tools';
import { assertInputError } from '../support/assert-input-error';

const parameters = { type: 'object', properties: { celsius: { type: 'number' } }, required: ['celsius'], additionalProperties: false };

describe('tools', () => {
    describe('the list of tools', () => {
        it('reads nothing, and an empty list, as no tools', () => {
            for (const value of [undefined, null, '', [], '[]']) assert.equal(parseTools(value), undefined, JSON.stringify(value));
        });

        it('keeps the full form and writes the short form out in full, with only the defined fields', () => {
            const tools = parseTools([
                { type: 'function', function: { name: 'convert', description: 'Celsius to Fahrenheit', parameters, strict: true, extra: 1 } },
                { name: 'now', description: 'The current time', note: 'dropped' },
                { type: 'function', name: 'moon_phase', parameters: { type: 'object', properties: {} } },
            ]);
            assert.deepEqual(tools, [
                { type: 'function', function: { name: 'convert', description: 'Celsius to Fahrenheit', parameters, strict: true } },
                { type: 'function', function: { name: 'now', description: 'The current time' } },
                { type: 'function', function: { name: 'moon_phase', parameters: { type: 'object', properties: {} } } },
            ]);
        });

        it('reads a JSON string the same as the list it holds', () => {
            assert.deepEqual(parseTools('[{"name":"now"}]'), [{ type: 'function', function: { name: 'now' } }]);
        });

        it('copies the parameters, so a later change to the input does not change the request', () => {
            const input = { type: 'object', properties: {} as Record<string, unknown> };
            const [tool] = parseTools([{ name: 'now', parameters: input }])!;
            input.properties.zone = { type: 'string' };
            assert.deepEqual(tool.function.parameters, { type: 'object', properties: {} });
        });

        const bad: [string, unknown, string, RegExp][] = [
            ['a single tool instead of a list', { name: 'now' }, 'tools', /must be an array of function tools, got object/],
            ['invalid JSON', '[{"name":', 'tools', /is a string but not valid JSON/],
            ['an item that is a string', ['now'], 'tools[0]', /must be an object with a name or a function, got string/],
            ['a tool of another type', [{ type: 'custom', custom: { name: 'x' } }], 'tools[0].type', /must be function .*got another type/],
            ['a function that is not an object', [{ type: 'function', function: 'now' }], 'tools[0].function', /must be an object with a name, got string/],
            ['a name with a space', [{ name: 'now' }, { type: 'function', function: { name: 'the time' } }], 'tools[1].function.name', /^tools\[1\]\.function\.name must be 1 to 64 letters, digits, _ or -, got a string with other characters$/],
            ['a name of 65 characters', [{ name: 'x'.repeat(65) }], 'tools[0].name', /got a string of 65 characters/],
            ['an empty name', [{ name: '' }], 'tools[0].name', /got an empty string/],
            ['a missing name', [{ description: 'nameless' }], 'tools[0].name', /got undefined/],
            ['two tools with one name', [{ name: 'now' }, { name: 'convert' }, { type: 'function', function: { name: 'now' } }], 'tools[2].function.name', /must be unique, but tools\[0\] has the same name/],
            ['a description that is a number', [{ name: 'now', description: 5 }], 'tools[0].description', /must be a string, got number/],
            ['parameters that are a list', [{ name: 'now', parameters: [] }], 'tools[0].parameters', /must be a JSON Schema object, got array/],
            ['parameters that cannot be written as JSON', [{ name: 'now', parameters: { big: 1n } }], 'tools[0].parameters', /must be plain JSON/],
            ['strict that is a string', [{ type: 'function', function: { name: 'now', strict: 'yes' } }], 'tools[0].function.strict', /must be true or false, got string/],
        ];
        for (const [name, value, field, detail] of bad) {
            it(`refuses ${name}, naming ${field}`, () => assertInputError(() => parseTools(value), field, detail));
        }
    });

    describe('the tool choice', () => {
        const tools = parseTools([{ name: 'now' }, { name: 'convert' }]);

        it('sends auto, none and required as they are, and a tool name as a named choice', () => {
            assert.equal(parseToolChoice('auto', tools), 'auto');
            assert.equal(parseToolChoice('none', tools), 'none');
            assert.equal(parseToolChoice('required', tools), 'required');
            assert.deepEqual(parseToolChoice('convert', tools), { type: 'function', function: { name: 'convert' } });
            assert.equal(parseToolChoice('', tools), undefined);
        });

        it('leaves out auto and none when there are no tools, as they change nothing then', () => {
            assert.equal(parseToolChoice('auto', undefined), undefined);
            assert.equal(parseToolChoice('none', undefined), undefined);
        });

        it('refuses a name no tool has, required without tools, and a value that is not a string', () => {
            assertInputError(() => parseToolChoice('weather', tools), 'toolChoice', /^toolChoice must be auto, none, required or the name of one of tools, got a name no tool has$/);
            assertInputError(() => parseToolChoice('required', undefined), 'toolChoice', /but tools is empty/);
            assertInputError(() => parseToolChoice('now', undefined), 'toolChoice', /but tools is empty/);
            assertInputError(() => parseToolChoice({ type: 'function' }, tools), 'toolChoice', /got object/);
        });
    });

    describe('the calls of an answer', () => {
        const calls = (argumentsText: string): ChatCompletionMessageToolCall[] => [
            { id: 'call_1', type: 'function', function: { name: 'now', arguments: '{}' } },
            { id: 'call_2', type: 'function', function: { name: 'convert', arguments: argumentsText } },
        ];

        it('lists each call with its arguments parsed', () => {
            assert.deepEqual(readToolCalls(calls('{"celsius":20}')), [
                { id: 'call_1', name: 'now', arguments: {} },
                { id: 'call_2', name: 'convert', arguments: { celsius: 20 } },
            ]);
        });

        it('is undefined for a message that called no tool', () => {
            assert.equal(readToolCalls(undefined), undefined);
            assert.equal(readToolCalls(null), undefined);
            assert.equal(readToolCalls([]), undefined);
        });

        it('names the call whose arguments are not valid JSON', () => {
            assert.throws(() => readToolCalls(calls('{"celsius":')), (error: unknown) => error instanceof ResponseError && error.message === 'toolCalls[1].arguments is not valid JSON');
            assert.throws(() => readToolCalls(calls('')), /toolCalls\[1\]\.arguments is not valid JSON/);
        });

        it('refuses a call that is not a function call', () => {
            const custom = [{ id: 'c', type: 'custom', custom: { name: 'x', input: 'y' } }] as ChatCompletionMessageToolCall[];
            assert.throws(() => readToolCalls(custom), /toolCalls\[0\] is not a function call/);
        });
    });
});
