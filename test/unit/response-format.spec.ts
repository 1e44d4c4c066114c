import { strict as assert } from 'node:assert';
import type { ChatCompletionMessage } from 'openai/resources/chat/completions';
import { readResponse, readResponseFormat, responseFormatParam } from '../../nodes/lib/response-format';
import { ResponseError } from '../../nodes/lib/response-error';
import { assertInputError } from '../support/assert-input-error';

const schema = {
    title: 'invoice',
    type: 'object',
    properties: { customer: { type: 'string' }, amount: { type: 'number' } },
    required: ['customer', 'amount'],
    additionalProperties: false,
};

function message(fields: Partial<ChatCompletionMessage>): ChatCompletionMessage {
    return { role: 'assistant', content: null, refusal: null, ...fields };
}

describe('response format', () => {
    it('asks for nothing in text format, and for a JSON object in json format', () => {
        assert.equal(responseFormatParam(readResponseFormat(undefined, undefined)), undefined);
        assert.equal(responseFormatParam(readResponseFormat('text', schema)), undefined);
        assert.deepEqual(responseFormatParam(readResponseFormat('json', schema)), { type: 'json_object' });
    });

    it('sends a json_schema strictly, named after its title', () => {
        assert.deepEqual(responseFormatParam(readResponseFormat('json_schema', schema)), {
            type: 'json_schema',
            json_schema: { name: 'invoice', schema, strict: true },
        });
    });

    it('names the schema "response" when its title is missing or cannot be a name', () => {
        for (const title of [undefined, 'An invoice', 'x'.repeat(65), '', 7]) {
            const format = readResponseFormat('json_schema', { ...schema, title });
            assert.equal(format.type === 'json_schema' && format.name, 'response', String(title));
        }
        const longest = 'a'.repeat(64);
        const format = readResponseFormat('json_schema', { ...schema, title: longest });
        assert.equal(format.type === 'json_schema' && format.name, longest);
    });

    it('reads a schema given as JSON text', () => {
        assert.deepEqual(readResponseFormat('json_schema', JSON.stringify(schema)), { type: 'json_schema', name: 'invoice', schema });
    });

    it('refuses a missing schema, one that is not an object and one that is not JSON', () => {
        for (const missing of [undefined, null, '']) {
            assertInputError(() => readResponseFormat('json_schema', missing), 'jsonSchema', /is required when responseFormat is json_schema/);
        }
        assertInputError(() => readResponseFormat('json_schema', [schema]), 'jsonSchema', /must be a JSON Schema object, got array/);
        assertInputError(() => readResponseFormat('json_schema', '"string"'), 'jsonSchema', /must be a JSON Schema object, got string/);
        assertInputError(() => readResponseFormat('json_schema', '{"type":'), 'jsonSchema', /is a string but not valid JSON/);
        assertInputError(() => readResponseFormat('xml', schema), 'responseFormat', /must be text, json or json_schema/);
    });

    it('does not read the schema in the other formats', () => {
        assert.deepEqual(readResponseFormat('json', '{"type":'), { type: 'json' });
    });

    describe('reading an answer', () => {
        const structured = readResponseFormat('json_schema', schema);

        it('parses a json_schema answer', () => {
            assert.deepEqual(readResponse(structured, message({ content: '{"customer":"ACME","amount":12.5}' }), 0), { customer: 'ACME', amount: 12.5 });
        });

        it('ends a refusal with an error that holds its text', () => {
            const refused = message({ refusal: 'I cannot help with that.' });
            assert.throws(
                () => readResponse(structured, refused, 2),
                (error: unknown) => error instanceof ResponseError && /^responses\[2\] is a refusal.*: I cannot help with that\.$/.test(error.message),
            );
        });

        it('names the choice whose answer is not JSON', () => {
            assert.throws(() => readResponse(structured, message({ content: 'Sure! Here it is' }), 1), /^ResponseError: responses\[1\] is not valid JSON although responseFormat is json_schema$/);
            assert.throws(() => readResponse(structured, message({ content: null }), 0), /responses\[0\] is not valid JSON/);
        });

        it('gives null for a choice that only called tools, in every format', () => {
            const calling = message({ tool_calls: [{ id: 'c', type: 'function', function: { name: 'now', arguments: '{}' } }] });
            for (const format of ['text', 'json', 'json_schema']) {
                assert.equal(readResponse(readResponseFormat(format, schema), calling, 0), null, format);
            }
        });

        it('keeps the text of a refusal in text format, as 0.1 did', () => {
            assert.equal(readResponse(readResponseFormat('text', undefined), message({ refusal: 'No.' }), 0), 'No.');
        });
    });
});
