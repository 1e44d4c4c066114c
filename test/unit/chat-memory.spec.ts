import { strict as assert } from 'node:assert';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import { buildChatRequest, type ChatInputs, type ChatRequest, formatChatResult } from '../../nodes/lib/chat';
import { converse, type MemoryTurn } from '../../nodes/lib/chat-memory';
import type { ConversationStore } from '../../nodes/lib/conversation';
import { InputError } from '../../nodes/lib/input-error';

/** A store in a Map, as a context store would hold the conversations. */
function mapStore(): ConversationStore & { held: Map<string, unknown[]> } {
    const held = new Map<string, unknown[]>();
    return {
        held,
        load: async (id) => structuredClone(held.get(id) ?? []),
        save: async (id, messages) => void held.set(id, structuredClone([...messages])),
        clear: async (id) => void held.delete(id),
    };
}

function request(userMessage: unknown, systemPrompt?: string): ChatRequest {
    const inputs = { model: 'gpt-4.1-mini', responseFormat: 'text', userMessage, systemPrompt } as ChatInputs;
    return buildChatRequest(inputs, 'max_completion_tokens', true);
}

function memory(store: ConversationStore, overrides: Partial<MemoryTurn> = {}): MemoryTurn {
    return { store, id: 'c', limit: 100, reset: false, history: undefined, userMessage: 'Hi', ...overrides };
}

/** Answers each request with one assistant message, recording what was sent. */
function answering(sent: unknown[][], message: Partial<ChatCompletion.Choice['message']> = { content: 'Hello!' }) {
    return async (ready: ChatRequest) => {
        sent.push(ready.params.messages);
        const choice = { index: 0, finish_reason: 'stop', logprobs: null, message: { role: 'assistant', content: null, refusal: null, ...message } } as ChatCompletion.Choice;
        return formatChatResult(ready, { id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [choice] });
    };
}

describe('a chat turn with conversation memory', () => {
    it('sends the system prompt, the stored conversation and the user message, and stores all but the prompt', async () => {
        const store = mapStore();
        store.held.set('c', [{ role: 'user', content: 'Earlier' }, { role: 'assistant', content: 'Yes?' }]);
        const sent: unknown[][] = [];
        const result = await converse(memory(store), request('Hi', 'Be brief.'), answering(sent));
        assert.deepEqual(sent[0], [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'Earlier' },
            { role: 'assistant', content: 'Yes?' },
            { role: 'user', content: 'Hi' },
        ]);
        assert.deepEqual(store.held.get('c'), [
            { role: 'user', content: 'Earlier' },
            { role: 'assistant', content: 'Yes?' },
            { role: 'user', content: 'Hi' },
            { role: 'assistant', content: 'Hello!' },
        ]);
        assert.equal(result?.history.length, 5, 'the output history is everything sent plus the answer');
    });

    it('stores nothing when the request fails', async () => {
        const store = mapStore();
        store.held.set('c', [{ role: 'user', content: 'Earlier' }, { role: 'assistant', content: 'Yes?' }]);
        const before = structuredClone(store.held.get('c'));
        await assert.rejects(converse(memory(store), request('Hi'), async () => Promise.reject(new Error('503'))), /503/);
        assert.deepEqual(store.held.get('c'), before);
    });

    it('clears the conversation on reset, asking nothing', async () => {
        const store = mapStore();
        store.held.set('c', [{ role: 'user', content: 'Earlier' }]);
        store.held.set('other', [{ role: 'user', content: 'Kept' }]);
        const result = await converse(memory(store, { reset: true }), request('Hi'), () => assert.fail('no request on reset'));
        assert.equal(result, undefined);
        assert.equal(store.held.has('c'), false);
        assert.equal(store.held.has('other'), true);
    });

    it('adds the tool results that answer the stored calls, and needs no user message then', async () => {
        const store = mapStore();
        const call = { id: 'call_1', type: 'function', function: { name: 'now', arguments: '{}' } };
        store.held.set('c', [{ role: 'user', content: 'Time?' }, { role: 'assistant', content: null, tool_calls: [call] }]);
        const result = { role: 'tool', tool_call_id: 'call_1', content: '12:00' };
        const history = [{ role: 'user', content: 'Time?' }, { role: 'assistant', content: null, tool_calls: [call] }, result];
        const sent: unknown[][] = [];
        await converse(memory(store, { history, userMessage: undefined }), request(undefined), answering(sent, { content: 'Noon.' }));
        assert.deepEqual(sent[0], [...history]);
        assert.deepEqual((store.held.get('c') as { role: string }[]).map((message) => message.role), ['user', 'assistant', 'tool', 'assistant']);
    });

    it('refuses a turn with neither a user message nor tool results, naming userMessage', async () => {
        const store = mapStore();
        await assert.rejects(
            converse(memory(store, { userMessage: undefined }), request(undefined), () => assert.fail('nothing is sent')),
            (error: unknown) => error instanceof InputError && error.field === 'userMessage',
        );
    });

    it('cuts the stored conversation to about the limit, from a user message', async () => {
        const store = mapStore();
        store.held.set('c', [
            { role: 'user', content: 'one' },
            { role: 'assistant', content: 'a' },
            { role: 'user', content: 'two' },
            { role: 'assistant', content: 'b' },
        ]);
        // The newest 3 would start at an answer: the cut moves back to the user message before it.
        await converse(memory(store, { limit: 3 }), request('three'), answering([]));
        assert.deepEqual((store.held.get('c') as { content: string }[]).map((message) => message.content), ['two', 'b', 'three', 'Hello!']);
        await converse(memory(store, { limit: 2 }), request('four'), answering([]));
        assert.deepEqual((store.held.get('c') as { content: string }[]).map((message) => message.content), ['four', 'Hello!']);
    });
});
