import { type ContentPart, readContentParts, type TextPart } from './content-parts';
import { isUnset } from './fields';
import { InputError, kindOf } from './input-error';
import { fromJsonText, isPlainObject } from './json-value';

export type Role = ChatMessage['role'];

/** One call of a function tool, as the API writes it on an assistant message. */
export interface ToolCall {
    id: string;
    type: 'function';
    function: { name: string; arguments: string };
}

export interface InstructionMessage {
    role: 'system' | 'developer';
    content: string | TextPart[];
}

export interface UserMessage {
    role: 'user';
    content: string | ContentPart[];
}

export interface AssistantMessage {
    role: 'assistant';
    /** `null` only beside `tool_calls`. */
    content: string | TextPart[] | null;
    tool_calls?: ToolCall[];
}

/** The result of one tool call, sent back for the model to go on with. */
export interface ToolMessage {
    role: 'tool';
    tool_call_id: string;
    content: string;
}

/** One message of a conversation, as the chat node reads and writes it. */
export type ChatMessage = InstructionMessage | UserMessage | AssistantMessage | ToolMessage;

type Item = Record<string, unknown>;

/** How each role's message is read; only the fields the API defines for it are copied. */
const READERS: Readonly<Record<Role, (item: Item, field: string) => ChatMessage>> = {
    system: (item, field) => ({ role: 'system', content: textContent(item.content, field) }),
    developer: (item, field) => ({ role: 'developer', content: textContent(item.content, field) }),
    user: (item, field) => ({ role: 'user', content: userContent(item.content, field) }),
    assistant: readAssistant,
    tool: readToolResult,
};

/**
 * Reads a conversation history: an array of messages or a JSON string of one.
 * Each message is `{role, content}` (role `system`, `developer`, `user` or
 * `assistant`; content a string or a list of content parts), an assistant
 * message with `tool_calls`, or a `tool` message with `tool_call_id`. Only the
 * fields the API defines are copied, so nothing else a message happens to
 * carry (ids, `__proto__` keys) reaches the API.
 */
export function parseHistory(value: unknown, field = 'history'): ChatMessage[] {
    if (isUnset(value)) return [];
    const list = fromJsonText(field, value);
    if (!Array.isArray(list)) {
        throw new InputError(field, `must be an array of {role, content} messages, got ${kindOf(list)}`);
    }
    return list.map((item: unknown, index) => readMessage(item, `${field}[${index}]`));
}

function readMessage(item: unknown, field: string): ChatMessage {
    if (!isPlainObject(item)) {
        throw new InputError(field, `must be an object with role and content, got ${kindOf(item)}`);
    }
    const { role } = item;
    // Own keys only: `constructor` or `toString` must not find a reader.
    if (typeof role !== 'string' || !Object.hasOwn(READERS, role)) {
        const got = typeof role === 'string' ? 'an unknown role' : kindOf(role);
        throw new InputError(`${field}.role`, `must be system, developer, user, assistant or tool, got ${got}`);
    }
    return READERS[role as Role](item, field);
}

/** System and developer messages: a string or text parts. */
function textContent(content: unknown, field: string): string | TextPart[] {
    return userContent(content, field, false) as string | TextPart[];
}

function userContent(content: unknown, field: string, images = true): string | ContentPart[] {
    if (typeof content === 'string') return content;
    if (Array.isArray(content)) return readContentParts(content, `${field}.content`, images);
    throw new InputError(`${field}.content`, `must be a string or an array of content parts, got ${kindOf(content)}`);
}

function readAssistant(item: Item, field: string): AssistantMessage {
    const calls = isUnset(item.tool_calls) ? [] : readToolCalls(item.tool_calls, `${field}.tool_calls`);
    if (calls.length === 0) return { role: 'assistant', content: textContent(item.content, field) };
    // Beside tool calls the content is usually null, and may be left out.
    const content = item.content === undefined || item.content === null ? null : textContent(item.content, field);
    return { role: 'assistant', content, tool_calls: calls };
}

function readToolCalls(value: unknown, field: string): ToolCall[] {
    if (!Array.isArray(value)) throw new InputError(field, `must be an array of tool calls, got ${kindOf(value)}`);
    return value.map((call: unknown, index) => readToolCall(call, `${field}[${index}]`));
}

function readToolCall(call: unknown, field: string): ToolCall {
    if (!isPlainObject(call)) throw new InputError(field, `must be an object with id, type and function, got ${kindOf(call)}`);
    const id = nonEmptyString(call.id, `${field}.id`);
    if (call.type !== 'function') {
        throw new InputError(`${field}.type`, `must be function, got ${typeof call.type === 'string' ? 'another type' : kindOf(call.type)}`);
    }
    const fn = call.function;
    if (!isPlainObject(fn)) throw new InputError(`${field}.function`, `must be an object with name and arguments, got ${kindOf(fn)}`);
    const name = nonEmptyString(fn.name, `${field}.function.name`);
    if (typeof fn.arguments !== 'string') {
        throw new InputError(`${field}.function.arguments`, `must be a string, got ${kindOf(fn.arguments)}`);
    }
    return { id, type: 'function', function: { name, arguments: fn.arguments } };
}

function readToolResult(item: Item, field: string): ToolMessage {
    const toolCallId = nonEmptyString(item.tool_call_id, `${field}.tool_call_id`);
    if (typeof item.content !== 'string') throw new InputError(`${field}.content`, `must be a string, got ${kindOf(item.content)}`);
    return { role: 'tool', tool_call_id: toolCallId, content: item.content };
}

function nonEmptyString(value: unknown, field: string): string {
    if (typeof value !== 'string') throw new InputError(field, `must be a string, got ${kindOf(value)}`);
    if (value === '') throw new InputError(field, 'must not be empty');
    return value;
}
