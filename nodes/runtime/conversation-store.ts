// Where conversation memory lives: Node-RED's flow or global context, in the
// store the node names, through the context API only (`get` and `set` with
// the store's name and a callback), so that any context store plugin works,
// persistent ones and ones that several Node-RED instances share included.
import type { Node } from 'node-red';
import { type ConversationStore, conversationKey } from '../lib/conversation';
import { reasonOf } from '../lib/failure';
import { InputError } from '../lib/input-error';

/**
 * The store of `scope` (`flow`, the default, or `global`) and `store` (a
 * context store's name; empty = the default store). Throws an InputError
 * naming `memoryScope` for any other scope. What is stored is a copy:
 * Node-RED's memory store keeps the very objects it is given, and a flow that
 * changes `msg.payload.history` must not change the stored conversation with
 * it. What is loaded is the store's own value, to be read, not changed (a turn
 * parses it into messages of its own).
 */
export function conversationStore(node: Node, scope: unknown, store: unknown): ConversationStore {
    const context = readScope(scope) === 'global' ? node.context().global : node.context().flow;
    const storeName = typeof store === 'string' && store.trim() !== '' ? store.trim() : undefined;

    function get(key: string): Promise<unknown> {
        return new Promise((resolve, reject) => {
            context.get(key, storeName, (error: Error | undefined, value: unknown) => (error ? reject(unavailable(error)) : resolve(value)));
        });
    }
    function set(key: string, value: unknown): Promise<void> {
        return new Promise((resolve, reject) => {
            context.set(key, value, storeName, (error?: Error) => (error ? reject(unavailable(error)) : resolve()));
        });
    }

    return {
        async load(id) {
            const value = await get(conversationKey(id));
            if (value === undefined || value === null) return [];
            if (!Array.isArray(value)) throw new InputError('conversation', `${JSON.stringify(id)} holds something that is not a stored conversation in context`);
            return value;
        },
        save: (id, messages) => set(conversationKey(id), structuredClone(messages)),
        clear: (id) => set(conversationKey(id), undefined),
    };
}

function readScope(scope: unknown): 'flow' | 'global' {
    if (scope === undefined || scope === null || scope === '' || scope === 'flow') return 'flow';
    if (scope === 'global') return 'global';
    throw new InputError('memoryScope', 'must be flow or global');
}

function unavailable(error: unknown): InputError {
    return new InputError('memoryStore', `could not be used: ${reasonOf(error)}`);
}
