import { strict as assert } from 'node:assert';
import { conversationKey, DEFAULT_MEMORY_LIMIT, readConversationId, readMemoryLimit, toolResultsFor, trimConversation } from '../../nodes/lib/conversation';
import { InputError } from '../../nodes/lib/input-error';

const user = (content: string) => ({ role: 'user', content });
const assistant = (content: string) => ({ role: 'assistant', content });
const calling = (...ids: string[]) => ({ role: 'assistant', content: null, tool_calls: ids.map((id) => ({ id, type: 'function', function: { name: 'now', arguments: '{}' } })) });
const result = (id: string) => ({ role: 'tool', tool_call_id: id, content: `result of ${id}` });

describe('conversation memory rules', () => {
    it('keeps every id literally in the context key, so none reads as a property path', () => {
        assert.equal(conversationKey('a.b'), 'openai-conversation:a%2Eb');
        assert.equal(conversationKey('x[0]'), 'openai-conversation:x%5B0%5D');
        assert.equal(conversationKey("it's (a) *test*!~"), 'openai-conversation:it%27s%20%28a%29%20%2Atest%2A%21%7E');
        assert.equal(conversationKey('Ana López'), 'openai-conversation:Ana%20L%C3%B3pez');
        const ids = ['a.b', 'a%2Eb', 'a', 'a b', 'a+b'];
        assert.equal(new Set(ids.map(conversationKey)).size, ids.length, 'different ids, different keys');
    });

    it('reads a conversation id from a string or a number, and no id as no memory', () => {
        assert.equal(readConversationId('chat-42'), 'chat-42');
        assert.equal(readConversationId(42), '42');
        assert.equal(readConversationId(1.5), '1.5');
        for (const none of [undefined, null, '']) assert.equal(readConversationId(none), undefined);
        for (const bad of [{}, [], true, Number.NaN, Buffer.from('x')]) {
            assert.throws(() => readConversationId(bad), (error: Error) => error instanceof InputError && /^conversation must be a string or a number, got /.test(error.message));
        }
    });

    it('reads memoryLimit as an integer of at least 2, 100 when empty', () => {
        assert.equal(readMemoryLimit(''), DEFAULT_MEMORY_LIMIT);
        assert.equal(readMemoryLimit(undefined), 100);
        assert.equal(readMemoryLimit('6'), 6);
        for (const bad of [1, 2.5, 'x', -4]) assert.throws(() => readMemoryLimit(bad), /^InputError: memoryLimit must be an integer ≥ 2/);
    });

    it('keeps the newest messages, cut at a user message', () => {
        const turns = [user('1'), assistant('1'), user('2'), assistant('2'), user('3'), assistant('3')];
        assert.deepEqual(trimConversation(turns, 4), turns.slice(2));
        assert.deepEqual(trimConversation(turns, 10), turns);
        // A limit that would start at an answer moves back to its question.
        assert.deepEqual(trimConversation(turns, 3), turns.slice(2));
    });

    it('never separates a tool call from its results, keeping a little more than the limit then', () => {
        const turns = [user('1'), assistant('1'), user('time?'), calling('c1', 'c2'), result('c1'), result('c2'), assistant('It is noon.')];
        assert.deepEqual(trimConversation(turns, 4), turns.slice(2));
        assert.deepEqual(trimConversation([calling('c1'), result('c1'), assistant('x')], 2), [calling('c1'), result('c1'), assistant('x')], 'no user message: all kept');
    });

    it('takes the tool results at the end of the history that answer the stored conversation\'s last calls', () => {
        const stored = [user('time?'), calling('c1', 'c2')];
        const history = [user('time?'), calling('c1', 'c2'), result('c0'), user('x'), result('c1'), result('zz'), result('c2')];
        assert.deepEqual(toolResultsFor(stored, () => history), [result('c1'), result('c2')]);
        assert.deepEqual(toolResultsFor([user('hi'), assistant('hello')], () => assert.fail('the history is read only when tools were called')), [], 'no open tool calls');
        assert.deepEqual(toolResultsFor(stored, () => [result('c1'), user('later')]), [], 'only results at the end');
        assert.deepEqual(toolResultsFor([], () => history), []);
    });
});
