// Conversation memory's rules that need no Node-RED: the context key of a
// conversation, which stored messages to keep, and which tool results from
// the flow belong to the stored conversation.
import { optionalNumber } from './fields';
import { InputError, kindOf } from './input-error';

/** The most messages a stored conversation keeps when `memoryLimit` is empty. */
export const DEFAULT_MEMORY_LIMIT = 100;

const KEY_PREFIX = 'openai-conversation:';

/** Where a node's conversations are kept, by conversation id. */
export interface ConversationStore {
    /** The stored messages of a conversation, to be read, not changed; none yet is an empty list. */
    load(id: string): Promise<readonly unknown[]>;
    /** Replaces the stored messages of a conversation. */
    save(id: string, messages: readonly unknown[]): Promise<void>;
    /** Forgets a conversation. */
    clear(id: string): Promise<void>;
}

/** The shape of a message as far as these rules look at it. */
export interface ConversationMessage {
    role: string;
    tool_calls?: readonly { id: string }[];
    tool_call_id?: string;
}

/**
 * The conversation a message belongs to: a non-empty string, or a number as
 * its decimal string. `undefined`, `null` and `''` mean no memory.
 */
export function readConversationId(value: unknown): string | undefined {
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    throw new InputError('conversation', `must be a string or a number, got ${kindOf(value)}`);
}

/** `memoryLimit`: an integer ≥ 2; empty = {@link DEFAULT_MEMORY_LIMIT}. */
export function readMemoryLimit(value: unknown): number {
    return optionalNumber('memoryLimit', value, { min: 2, integer: true }) ?? DEFAULT_MEMORY_LIMIT;
}

/**
 * The context key of a conversation. The id is percent-encoded, `.`, `!`,
 * `'`, `(`, `)`, `*` and `~` too, so that no id can be read as a property
 * path by a context store (`a.b` would otherwise be `b` inside `a`).
 */
export function conversationKey(id: string): string {
    const encoded = encodeURIComponent(id).replace(/[.!'()*~]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
    return KEY_PREFIX + encoded;
}

/**
 * The newest `limit` messages of a conversation, cut at a user message so
 * that an assistant message that called tools keeps its tool results: the cut
 * moves back to the user message before it, and the kept part may then be a
 * little longer than `limit`. With no user message to cut at, all is kept.
 */
export function trimConversation<Message extends ConversationMessage>(messages: readonly Message[], limit: number): Message[] {
    if (messages.length <= limit) return [...messages];
    for (let start = messages.length - limit; start >= 0; start--) {
        if (messages[start].role === 'user') return messages.slice(start);
    }
    return [...messages];
}

/**
 * The tool results a flow sends back for the stored conversation: when it ends
 * with an assistant message that called tools, the `tool` messages at the end
 * of the node's history input that answer one of those calls. The history is
 * read only then: with memory, it is otherwise not read at all.
 */
export function toolResultsFor<Message extends ConversationMessage>(stored: readonly Message[], readHistory: () => readonly Message[]): Message[] {
    const last = stored.at(-1);
    if (!last || last.role !== 'assistant' || !last.tool_calls?.length) return [];
    const asked = new Set(last.tool_calls.map((call) => call.id));
    const history = readHistory();
    let start = history.length;
    while (start > 0 && history[start - 1].role === 'tool') start--;
    return history.slice(start).filter((message) => message.tool_call_id !== undefined && asked.has(message.tool_call_id));
}
