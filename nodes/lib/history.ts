import { isUnset } from './fields';
import { InputError, kindOf } from './input-error';

export type Role = 'system' | 'user' | 'assistant';

/** One message of a conversation, as the chat node reads and writes it. */
export interface ChatMessage {
    role: Role;
    content: string;
}

const ROLES: ReadonlySet<string> = new Set<Role>(['system', 'user', 'assistant']);

/**
 * Reads a conversation history: an array of `{role, content}` or a JSON
 * string of one. Only `role` and `content` are copied, so nothing else a
 * message happens to carry (ids, `__proto__` keys) reaches the API.
 */
export function parseHistory(value: unknown, field = 'history'): ChatMessage[] {
    if (isUnset(value)) return [];
    const list = typeof value === 'string' ? parseJson(value, field) : value;
    if (!Array.isArray(list)) {
        throw new InputError(field, `must be an array of {role, content} messages, got ${kindOf(list)}`);
    }
    return list.map((item: unknown, index) => readMessage(item, `${field}[${index}]`));
}

function parseJson(text: string, field: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        throw new InputError(field, 'is a string but not valid JSON');
    }
}

function readMessage(item: unknown, field: string): ChatMessage {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw new InputError(field, `must be an object with role and content, got ${kindOf(item)}`);
    }
    const { role, content } = item as Record<string, unknown>;
    if (typeof role !== 'string' || !ROLES.has(role)) {
        const got = typeof role === 'string' ? 'an unknown role' : kindOf(role);
        throw new InputError(`${field}.role`, `must be system, user or assistant, got ${got}`);
    }
    if (typeof content !== 'string') {
        throw new InputError(`${field}.content`, `must be a string, got ${kindOf(content)}`);
    }
    return { role: role as Role, content };
}
