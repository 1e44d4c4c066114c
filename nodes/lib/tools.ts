// Function tools: the list a chat request offers, which one the model must
// use, and the calls the model answers with.
import type {
    ChatCompletionFunctionTool,
    ChatCompletionMessageToolCall,
    ChatCompletionToolChoiceOption,
} from 'openai/resources/chat/completions';
import type { FunctionDefinition } from 'openai/resources/shared';
import { isUnset } from './fields';
import { InputError, kindOf } from './input-error';
import { fromJsonText, isPlainObject, jsonCopy } from './json-value';
import { ResponseError } from './response-error';

/** The API's rule for function names (and for a JSON Schema's name). */
export const NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/** One tool call of the answer, as `msg.payload.toolCalls` lists it. */
export interface ToolCallOutput {
    id: string;
    name: string;
    /** Parsed from the API's JSON string. */
    arguments: unknown;
}

/**
 * Reads `tools`: an array (or the JSON text of one) of function tools, each
 * `{type: "function", function: {name, description?, parameters?, strict?}}`
 * or the short form `{name, description?, parameters?}`. Names follow
 * {@link NAME_PATTERN} and are unique. Nothing, or an empty list, is
 * `undefined`: no tools are sent.
 */
export function parseTools(value: unknown): ChatCompletionFunctionTool[] | undefined {
    if (isUnset(value)) return undefined;
    const list = fromJsonText('tools', value);
    if (!Array.isArray(list)) throw new InputError('tools', `must be an array of function tools, got ${kindOf(list)}`);
    if (list.length === 0) return undefined;
    const tools = list.map((item: unknown, index) => readTool(item, `tools[${index}]`));
    const seen = new Map<string, number>();
    tools.forEach((tool, index) => {
        const earlier = seen.get(tool.function.name);
        if (earlier !== undefined) {
            throw new InputError(nameField(list[index], `tools[${index}]`), `must be unique, but tools[${earlier}] has the same name`);
        }
        seen.set(tool.function.name, index);
    });
    return tools;
}

/**
 * Reads `toolChoice`: `auto`, `none`, `required`, or the name of one of
 * `tools` (sent as `{type: "function", function: {name}}`). Without tools,
 * `auto` and `none` change nothing and are not sent; `required` or a name
 * cannot be met, so they are bad input.
 */
export function parseToolChoice(value: unknown, tools: readonly ChatCompletionFunctionTool[] | undefined): ChatCompletionToolChoiceOption | undefined {
    if (isUnset(value)) return undefined;
    const expected = 'must be auto, none, required or the name of one of tools';
    if (typeof value !== 'string') throw new InputError('toolChoice', `${expected}, got ${kindOf(value)}`);
    if (value === 'auto' || value === 'none') return tools ? value : undefined;
    if (!tools) throw new InputError('toolChoice', `${expected}, but tools is empty`);
    if (value === 'required') return value;
    if (!tools.some((tool) => tool.function.name === value)) throw new InputError('toolChoice', `${expected}, got a name no tool has`);
    return { type: 'function', function: { name: value } };
}

/**
 * The tool calls of an answer's message, with each call's arguments parsed;
 * `undefined` when it called none. Arguments that are not valid JSON are a
 * {@link ResponseError} naming `toolCalls[i].arguments`.
 */
export function readToolCalls(calls: readonly ChatCompletionMessageToolCall[] | null | undefined): ToolCallOutput[] | undefined {
    if (!Array.isArray(calls) || calls.length === 0) return undefined;
    return calls.map((call, index) => {
        if (call?.type !== 'function' || !isPlainObject(call.function)) {
            throw new ResponseError(`toolCalls[${index}] is not a function call`);
        }
        return { id: call.id, name: call.function.name, arguments: parseArguments(call.function.arguments, index) };
    });
}

function parseArguments(text: unknown, index: number): unknown {
    if (typeof text === 'string') {
        try {
            return JSON.parse(text);
        } catch {
            // Falls through to the error below.
        }
    }
    throw new ResponseError(`toolCalls[${index}].arguments is not valid JSON`);
}

function readTool(item: unknown, field: string): ChatCompletionFunctionTool {
    if (!isPlainObject(item)) throw new InputError(field, `must be an object with a name or a function, got ${kindOf(item)}`);
    if (item.type !== undefined && item.type !== 'function') {
        const got = typeof item.type === 'string' ? 'another type' : kindOf(item.type);
        throw new InputError(`${field}.type`, `must be function (the only kind of tool the node sends), got ${got}`);
    }
    if (item.function === undefined) return { type: 'function', function: readFunction(item, field) };
    if (!isPlainObject(item.function)) {
        throw new InputError(`${field}.function`, `must be an object with a name, got ${kindOf(item.function)}`);
    }
    return { type: 'function', function: readFunction(item.function, `${field}.function`) };
}

/** A function's definition; only the fields the API defines are copied. */
function readFunction(source: Record<string, unknown>, field: string): FunctionDefinition {
    const { name, description, parameters, strict } = source;
    if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
        throw new InputError(`${field}.name`, `must be 1 to 64 letters, digits, _ or -, got ${describeName(name)}`);
    }
    const definition: FunctionDefinition = { name };
    if (!isUnset(description)) {
        if (typeof description !== 'string') throw new InputError(`${field}.description`, `must be a string, got ${kindOf(description)}`);
        definition.description = description;
    }
    if (!isUnset(parameters)) {
        if (!isPlainObject(parameters)) {
            throw new InputError(`${field}.parameters`, `must be a JSON Schema object, got ${kindOf(parameters)}`);
        }
        definition.parameters = jsonCopy(`${field}.parameters`, parameters);
    }
    if (!isUnset(strict)) {
        if (typeof strict !== 'boolean') throw new InputError(`${field}.strict`, `must be true or false, got ${kindOf(strict)}`);
        definition.strict = strict;
    }
    return definition;
}

/** Where an item's name was written: `tools[i].function.name` or, in the short form, `tools[i].name`. */
function nameField(item: unknown, field: string): string {
    return isPlainObject(item) && item.function !== undefined ? `${field}.function.name` : `${field}.name`;
}

function describeName(name: unknown): string {
    if (typeof name !== 'string') return kindOf(name);
    if (name === '') return 'an empty string';
    return name.length > 64 ? `a string of ${name.length} characters` : 'a string with other characters';
}
