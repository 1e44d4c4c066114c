// The chat node's response formats: what each one asks of the API, and how
// each choice's answer is read back (a string, or a parsed JSON value).
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionMessage } from 'openai/resources/chat/completions';
import { isUnset } from './fields';
import { InputError, kindOf } from './input-error';
import { fromJsonText, isPlainObject, jsonCopy } from './json-value';
import { ResponseError } from './response-error';
import { NAME_PATTERN } from './tools';

/** `text`, `json` (any JSON object) or `json_schema` (structured outputs, following `schema`). */
export type ResponseFormat =
    | { type: 'text' }
    | { type: 'json' }
    | { type: 'json_schema'; name: string; schema: Record<string, unknown> };

/** The name sent when the schema's `title` cannot be one. */
export const DEFAULT_SCHEMA_NAME = 'response';

/**
 * Reads the `responseFormat` setting and, with `json_schema`, the
 * `jsonSchema` input it needs (an object, or the JSON text of one).
 * `jsonSchema` is not read with the other formats.
 */
export function readResponseFormat(responseFormat: unknown, jsonSchema: unknown): ResponseFormat {
    if (isUnset(responseFormat) || responseFormat === 'text') return { type: 'text' };
    if (responseFormat === 'json') return { type: 'json' };
    if (responseFormat !== 'json_schema') throw new InputError('responseFormat', 'must be text, json or json_schema');
    if (isUnset(jsonSchema)) throw new InputError('jsonSchema', `is required when responseFormat is json_schema, got ${kindOf(jsonSchema)}`);
    const schema = fromJsonText('jsonSchema', jsonSchema);
    if (!isPlainObject(schema)) throw new InputError('jsonSchema', `must be a JSON Schema object, got ${kindOf(schema)}`);
    const title = schema.title;
    const name = typeof title === 'string' && NAME_PATTERN.test(title) ? title : DEFAULT_SCHEMA_NAME;
    return { type: 'json_schema', name, schema: jsonCopy('jsonSchema', schema) };
}

/** The request's `response_format`, or `undefined` for plain text (the API's default). */
export function responseFormatParam(format: ResponseFormat): ChatCompletionCreateParamsNonStreaming['response_format'] {
    if (format.type === 'json') return { type: 'json_object' };
    if (format.type === 'json_schema') {
        // Strict, so that the model's answer always follows the schema.
        return { type: 'json_schema', json_schema: { name: format.name, schema: format.schema, strict: true } };
    }
    return undefined;
}

/**
 * The answer of choice `index`: its text, parsed in the JSON formats; `null`
 * for a choice that only called tools. With `json_schema` a refusal is a
 * {@link ResponseError} holding the refusal's text; in the JSON formats an
 * answer that does not parse is one naming `responses[index]`.
 */
export function readResponse(format: ResponseFormat, message: ChatCompletionMessage, index: number): unknown {
    if (onlyCalledTools(message)) return null;
    if (format.type === 'json_schema' && typeof message.refusal === 'string' && message.refusal !== '') {
        throw new ResponseError(`responses[${index}] is a refusal, not an answer that follows jsonSchema: ${message.refusal}`);
    }
    const text = answerText(message);
    if (format.type === 'text') return text;
    try {
        return JSON.parse(text);
    } catch {
        throw new ResponseError(`responses[${index}] is not valid JSON although responseFormat is ${format.type}`);
    }
}

/** The text of an answer as the history keeps it: a refusal comes with `content: null`, and its text is what the user sees. */
export function answerText(message: ChatCompletionMessage): string {
    return message.content ?? message.refusal ?? '';
}

/** A message with tool calls and no text beside them. */
export function onlyCalledTools(message: ChatCompletionMessage): boolean {
    return Array.isArray(message.tool_calls) && message.tool_calls.length > 0 && (message.content === null || message.content === undefined || message.content === '');
}
