// Conversation memory: one chat node that talks in many conversations, each
// kept in flow or global context under its own key, its turns answered in
// order while other conversations run beside it.
import { strict as assert } from 'node:assert';
import { conversationKey } from '../../nodes/lib/conversation';
import { buildFlow, collect, coreNode, helper, loadFlow, type Message, nodeById, send, settled, statusCalls } from '../support/flow';
import accountNode = require('../../nodes/openai-account');
import chatNode = require('../../nodes/openai-chat');
import { useTestServer } from '../support/suite-server';
import { CHAT_DEFAULTS } from '../support/node-configs';

interface Turn {
    role: string;
    content: string | null;
    tool_calls?: { id: string }[];
    tool_call_id?: string;
}

interface ChatPayload {
    responses: string[];
    history: Turn[];
    finishReason: string;
    toolCalls?: { id: string; name: string; arguments: unknown }[];
}

const MEMORY = { conversation: 'topic', conversationType: 'msg', memoryScope: 'flow', memoryStore: '', memoryLimit: '', memoryLimitType: 'num' };

const TOOLS = JSON.stringify([
    { type: 'function', function: { name: 'now', description: 'The current time.', parameters: { type: 'object', properties: {}, additionalProperties: false } } },
]);

describe('openai-chat conversation memory', function () {
    this.timeout(30000);
    const server = useTestServer();

    function load(node: Record<string, unknown> = {}, account: Record<string, unknown> = {}) {
        return loadFlow({
            node: { ...CHAT_DEFAULTS, ...MEMORY, ...node },
            account: { baseURL: server.url, maxRetries: '0', apiKey: server.apiKey, ...account },
        });
    }

    function sentMessages(index: number): Turn[] {
        const request = server.requests[index];
        assert.ok(request, `request ${index} was not sent`);
        assert.deepEqual(request.schemaErrors, [], 'the body must be valid for the OpenAPI schema');
        return (request.body as { messages: Turn[] }).messages;
    }

    function stored(id: string | number, scope: 'flow' | 'global' = 'flow'): unknown {
        return nodeById('n1').context()[scope].get(conversationKey(String(id)));
    }

    const payloadOf = (msg: Message) => msg.payload as ChatPayload;

    /** Sends one message and waits for it to end. */
    async function turn(outcome: Awaited<ReturnType<typeof load>>, msg: Record<string, unknown>): Promise<void> {
        const before = outcome.outputs.length + outcome.errors.length;
        send(msg);
        await settled(outcome, before + 1);
    }

    it('sends the system prompt, the stored conversation and the user message, and stores all but the prompt', async () => {
        const outcome = await load({ systemPrompt: 'Be brief.' });
        await turn(outcome, { topic: 'alice', payload: 'Hello' });
        await turn(outcome, { topic: 'alice', payload: 'And then?' });
        assert.equal(outcome.errors.length, 0);
        const first = payloadOf(outcome.outputs[0]).responses[0];
        const second = payloadOf(outcome.outputs[1]).responses[0];
        assert.deepEqual(sentMessages(1), [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'Hello' },
            { role: 'assistant', content: first },
            { role: 'user', content: 'And then?' },
        ]);
        assert.deepEqual(stored('alice'), [
            { role: 'user', content: 'Hello' },
            { role: 'assistant', content: first },
            { role: 'user', content: 'And then?' },
            { role: 'assistant', content: second },
        ]);
        assert.deepEqual(payloadOf(outcome.outputs[1]).history, [...sentMessages(1), { role: 'assistant', content: second }], 'the output history is every message sent plus the answer');
    });

    it('keeps the stored conversation apart from the output, which a flow may change', async () => {
        const outcome = await load();
        await turn(outcome, { topic: 'copy', payload: 'Hello' });
        payloadOf(outcome.outputs[0]).history[0].content = 'changed downstream';
        assert.equal((stored('copy') as Turn[])[0].content, 'Hello');
    });

    it('uses a changed system prompt at once, never piling it up', async () => {
        const outcome = await load({ systemPrompt: 'persona', systemPromptType: 'msg' });
        await turn(outcome, { topic: 'p', persona: 'Be a pirate.', payload: 'Hi' });
        await turn(outcome, { topic: 'p', persona: 'Be a poet.', payload: 'Hi again' });
        const messages = sentMessages(1);
        assert.deepEqual(messages.filter((message) => message.role === 'system'), [{ role: 'system', content: 'Be a poet.' }]);
        assert.equal(messages[0].role, 'system');
    });

    it('keeps conversations apart, and does not read the history input of an ordinary turn', async () => {
        const outcome = await load({ history: 'history' });
        await turn(outcome, { topic: 'a', payload: 'I am A' });
        // Without memory this history would be refused; with memory it is not read.
        await turn(outcome, { topic: 'b', payload: 'I am B', history: 'not a history' });
        await turn(outcome, { topic: 'a', payload: 'Who am I?', history: [{ role: 'user', content: 'from elsewhere' }] });
        assert.equal(outcome.errors.length, 0, String((outcome.errors[0]?.error as Error)?.message));
        assert.deepEqual(
            sentMessages(2).map((message) => message.content),
            ['I am A', payloadOf(outcome.outputs[0]).responses[0], 'Who am I?'],
        );
        assert.equal((stored('b') as Turn[]).length, 2);
    });

    it('answers the turns of one conversation in order while other conversations run beside it', async () => {
        server.latencyMs = 40;
        const outcome = await load({ maxInFlight: '8' });
        const conversations = ['one', 'two', 'three'];
        const turns = 10;
        for (let index = 1; index <= turns; index++) {
            for (const topic of conversations) send({ topic, payload: `${topic} ${index}` });
        }
        await settled(outcome, conversations.length * turns, 20000);
        assert.equal(outcome.errors.length, 0, String((outcome.errors[0]?.error as Error)?.message));
        for (const topic of conversations) {
            const history = stored(topic) as Turn[];
            assert.deepEqual(
                history.filter((message) => message.role === 'user').map((message) => message.content),
                Array.from({ length: turns }, (_, index) => `${topic} ${index + 1}`),
                `${topic}: every turn, in the order sent`,
            );
            assert.deepEqual(history.map((message) => message.role), Array.from({ length: turns }, () => ['user', 'assistant']).flat());
        }
        // Each request saw every earlier turn of its conversation.
        for (let index = 0; index < server.requests.length; index++) {
            const messages = sentMessages(index);
            const last = messages.at(-1)?.content as string;
            const number = Number(last.split(' ')[1]);
            assert.equal(messages.length, 2 * number - 1, `${last} was sent after its ${number - 1} earlier turns`);
        }
        // A conversation's next turn waits for its answer, so the first three requests
        // (one per conversation) were in flight together.
        const firstThree = server.requests.slice(0, 3).map((request) => (request.body as { messages: Turn[] }).messages.at(-1)?.content);
        assert.deepEqual(firstThree, ['one 1', 'two 1', 'three 1']);
    });

    it('keeps the arrival order when a later message\'s inputs are read first', async () => {
        // JSONata answers asynchronously, a longer evaluation later: the first message's prompt takes longer to read.
        const outcome = await load({ systemPrompt: '"Count " & $string($count($map([1..n], function($v) { $v * 2 })))', systemPromptType: 'jsonata' });
        send({ topic: 'order', n: 3000, payload: 'first' }, { topic: 'order', n: 1, payload: 'second' });
        await settled(outcome, 2);
        assert.equal(outcome.errors.length, 0, String((outcome.errors[0]?.error as Error)?.message));
        assert.deepEqual(
            server.requests.map((request) => (request.body as { messages: Turn[] }).messages.at(-1)?.content),
            ['first', 'second'],
        );
        assert.deepEqual(
            (stored('order') as Turn[]).filter((message) => message.role === 'user').map((message) => message.content),
            ['first', 'second'],
        );
    });

    it('keeps the newest memoryLimit messages, cut at a user message', async () => {
        const outcome = await load({ memoryLimit: '4' });
        for (const text of ['first', 'second', 'third']) await turn(outcome, { topic: 'limit', payload: text });
        const history = stored('limit') as Turn[];
        assert.deepEqual(
            history.map((message) => message.role === 'user' ? message.content : 'answer'),
            ['second', 'answer', 'third', 'answer'],
        );
    });

    it('leaves the stored conversation as it was when a request fails', async () => {
        const outcome = await load();
        await turn(outcome, { topic: 'f', payload: 'kept' });
        const before = structuredClone(stored('f'));
        server.failNext({ kind: 'status', status: 500 });
        await turn(outcome, { topic: 'f', payload: 'lost' });
        assert.equal(outcome.errors.length, 1);
        assert.deepEqual(stored('f'), before);
    });

    it('adds the tool results of the history input to a conversation whose last answer called tools, then goes on', async () => {
        // The user message comes from msg.text, so the same node can take the tool round.
        const outcome = await load({ tools: TOOLS, userMessage: 'text' });
        await turn(outcome, { topic: 'tools', text: 'What time is it?' });
        const asked = outcome.outputs[0];
        assert.equal(payloadOf(asked).finishReason, 'tool_calls');
        const call = payloadOf(asked).toolCalls?.[0];
        assert.ok(call);
        const result = { role: 'tool', tool_call_id: call.id, content: '12:00' };
        // As without memory, the flow appends the results to the output's history.
        const next = { topic: 'tools', payload: { ...payloadOf(asked), history: [...payloadOf(asked).history, { role: 'tool', tool_call_id: 'call_other', content: 'not asked' }, result] } };
        await turn(outcome, next);
        assert.equal(outcome.errors.length, 0, String((outcome.errors[0]?.error as Error)?.message));
        const sent = sentMessages(1);
        assert.deepEqual(sent.slice(-1), [result], 'exactly the result that answers the stored call, and no user message');
        const conversation = stored('tools') as Turn[];
        assert.deepEqual(conversation.map((message) => message.role), ['user', 'assistant', 'tool', 'assistant']);
        assert.deepEqual(conversation[2], result);
    });

    it('goes on in a second chat node of the same conversation, which adds the results a function node appended', async () => {
        const runTools = 'for (const call of msg.payload.toolCalls) msg.payload.history.push({ role: "tool", tool_call_id: call.id, content: "12:00" });\nreturn msg;';
        const chat = { ...CHAT_DEFAULTS, ...MEMORY, tools: TOOLS, systemPrompt: 'Use the tools.' };
        const { flow, credentials } = buildFlow({
            node: chat,
            account: { baseURL: server.url, maxRetries: '0', apiKey: server.apiKey },
            next: [
                { type: 'function', name: 'run the tools', func: runTools, outputs: 1 },
                // The system prompt is not stored, so the second node gives it too.
                { ...chat, userMessage: '', userMessageType: 'str' },
            ],
        });
        await helper.load([accountNode, chatNode, coreNode('common/25-catch.js'), coreNode('function/10-function.js')], flow, credentials);
        const outcome = collect();
        send({ topic: 'two nodes', payload: 'What time is it?' });
        await settled(outcome, 1);
        assert.equal(outcome.errors.length, 0, JSON.stringify(outcome.errors[0]?.error));
        const asked = sentMessages(0);
        const called = (stored('two nodes') as Turn[])[1];
        assert.ok(called.tool_calls?.length, 'the first answer called the tool');
        assert.deepEqual(sentMessages(1), [...asked, called, { role: 'tool', tool_call_id: called.tool_calls[0].id, content: '12:00' }]);
        assert.deepEqual(
            (stored('two nodes') as Turn[]).map((message) => message.role),
            ['user', 'assistant', 'tool', 'assistant'],
        );
    });

    it('refuses a turn with neither a user message nor tool results, naming userMessage, and sends nothing', async () => {
        const outcome = await load({ userMessage: 'text' });
        await turn(outcome, { topic: 'empty' });
        assert.equal(server.requests.length, 0);
        assert.match(String((outcome.errors[0]?.error as Error)?.message), /userMessage must be a string, got undefined/);
    });

    it('clears one conversation on msg.reset, with no request and no output', async () => {
        const outcome = await load();
        await turn(outcome, { topic: 'r', payload: 'remember me' });
        await turn(outcome, { topic: 'other', payload: 'and me' });
        const requests = server.requests.length;
        send({ topic: 'r', reset: true });
        // The reset ends with no output: wait for its done() by the status it leaves.
        const start = Date.now();
        while (!statusCalls('n1').some((status) => status.text === 'status.cleared')) {
            assert.ok(Date.now() - start < 5000, 'the reset ended');
            await new Promise((resolve) => setTimeout(resolve, 5));
        }
        assert.equal(server.requests.length, requests, 'nothing sent');
        assert.equal(outcome.outputs.length, 2, 'no output');
        assert.equal(outcome.errors.length, 0);
        assert.equal(stored('r'), undefined);
        assert.equal((stored('other') as Turn[]).length, 2, 'the other conversation is kept');
        await turn(outcome, { topic: 'r', payload: 'new start' });
        assert.deepEqual(sentMessages(requests), [{ role: 'user', content: 'new start' }]);
    });

    it('keeps ids with any characters literally, a number as its decimal string', async () => {
        const outcome = await load();
        const ids = ['a.b', 'x[0]', 'two words', 42, "it's ~(*)!"];
        for (const topic of ids) await turn(outcome, { topic, payload: `hi ${topic}` });
        assert.equal(outcome.errors.length, 0);
        for (const id of ids) assert.equal((stored(id) as Turn[])[0].content, `hi ${id}`, String(id));
        assert.equal(stored('a'), undefined, 'a.b is not b inside a');
    });

    it('sends no memory for a message without a conversation id', async () => {
        const outcome = await load({ history: 'history' });
        await turn(outcome, { topic: 'kept', payload: 'one' });
        await turn(outcome, { payload: 'two', history: [{ role: 'user', content: 'earlier' }] });
        assert.deepEqual(sentMessages(1).map((message) => message.content), ['earlier', 'two'], 'the history input is read as without memory');
    });

    it('keeps conversations in global context when asked', async () => {
        const outcome = await load({ memoryScope: 'global' });
        await turn(outcome, { topic: 'g', payload: 'hello' });
        assert.equal(outcome.errors.length, 0, String((outcome.errors[0]?.error as Error)?.message));
        assert.equal((stored('g', 'global') as Turn[]).length, 2);
        assert.equal(stored('g', 'flow'), undefined, 'not in flow context');
    });

    it('stores the whole streamed answer', async () => {
        const outcome = await load({ stream: true });
        await turn(outcome, { topic: 's', payload: 'Tell me' });
        const answer = payloadOf(outcome.outputs.at(-1) as Message).responses[0];
        assert.deepEqual(stored('s'), [{ role: 'user', content: 'Tell me' }, { role: 'assistant', content: answer }]);
    });

    it('stores the JSON format\'s answer as the text the model wrote, and gives it parsed', async () => {
        const outcome = await load({ responseFormat: 'json', systemPrompt: 'Answer in JSON.' });
        await turn(outcome, { topic: 'j', payload: 'Give me JSON' });
        const msg = outcome.outputs[0];
        const parsed = (msg.payload as { responses: unknown[] }).responses[0];
        assert.equal(typeof parsed, 'object');
        const kept = stored('j') as Turn[];
        assert.equal(kept[1].role, 'assistant');
        assert.deepEqual(JSON.parse(kept[1].content as string), parsed);
    });

    it('stores a user message that carried images as its content parts, so the next turn is about the same image', async () => {
        const outcome = await load({ images: 'image', imagesType: 'msg' });
        const url = 'https://example.com/snapshot.jpg';
        await turn(outcome, { topic: 'pic', payload: 'What is this?', image: url });
        await turn(outcome, { topic: 'pic', payload: 'And its colour?' });
        assert.equal(outcome.errors.length, 0, String((outcome.errors[0]?.error as Error)?.message));
        const withImage = { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url } }] };
        assert.deepEqual((stored('pic') as Turn[])[0], withImage);
        assert.deepEqual(sentMessages(1)[0], withImage);
        assert.deepEqual(sentMessages(1).at(-1), { role: 'user', content: 'And its colour?' });
    });

    for (const [name, node, msg, detail] of [
        ['a conversation id that is an object', {}, { topic: { id: 1 }, payload: 'hi' }, /conversation must be a string or a number, got object/],
        ['a memory limit below 2', { memoryLimit: '1' }, { topic: 't', payload: 'hi' }, /memoryLimit must be an integer ≥ 2, got number 1/],
        ['an unknown scope', { memoryScope: 'node' }, { topic: 't', payload: 'hi' }, /memoryScope must be flow or global/],
    ] as const) {
        it(`refuses ${name}, naming the field, and sends nothing`, async () => {
            const outcome = await load(node);
            await turn(outcome, msg);
            assert.equal(server.requests.length, 0);
            assert.match(String((outcome.errors[0]?.error as Error)?.message), detail);
        });
    }
});
