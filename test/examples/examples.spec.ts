import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { coreNode, helper, nodeById, type Message } from '../support/flow';
import { countTokens, simulatedChatContent } from '../server/openai-test-server';
import { useTestServer } from '../support/suite-server';
import accountNode = require('../../nodes/openai-account');
import chatNode = require('../../nodes/openai-chat');
import moderateNode = require('../../nodes/openai-moderate');

/**
 * Runs every example flow as a user would after importing it: the inject
 * buttons are pressed and each debug node's messages are checked. The
 * examples' account has no base URL and no key, so the test points it at
 * the local test server, as `npm start` does with its simulator.
 */
const examplesDir = path.join(__dirname, '..', '..', '..', 'examples');
const CORE = ['common/20-inject.js', 'common/90-comment.js', 'function/10-function.js', 'function/10-switch.js', 'function/15-change.js'].map(coreNode);

describe('examples', () => {
    const server = useTestServer();

    /**
     * Loads an example with its debug nodes as capture nodes; returns what each debug node (by name) receives.
     * Waits for `expected` debug messages in all, by default one per inject node.
     */
    async function run(file: string, expected?: number): Promise<Record<string, Message[]>> {
        const flow = JSON.parse(fs.readFileSync(path.join(examplesDir, file), 'utf8')) as Record<string, unknown>[];
        const tab = { id: 'examples-tab', type: 'tab' };
        const received: Record<string, Message[]> = {};
        const debugNames = new Map<string, string>();
        const loaded = flow.map((node) => {
            if (node.type === 'openai-account') return { ...node, baseURL: server.url };
            const placed = { ...node, z: tab.id };
            if (node.type !== 'debug') return placed;
            debugNames.set(String(node.id), String(node.name));
            return { ...placed, type: 'helper' };
        });
        const account = flow.find((node) => node.type === 'openai-account');
        assert.ok(account, `${file} has an account`);
        await helper.load([accountNode, moderateNode, chatNode, ...CORE], [tab, ...loaded], { [String(account.id)]: { apiKey: server.apiKey } });
        for (const [id, name] of debugNames) {
            received[name] = [];
            nodeById(id).on('input', (msg: Message) => received[name].push(msg));
        }
        for (const inject of flow.filter((node) => node.type === 'inject')) nodeById(String(inject.id)).receive({});
        const awaited = expected ?? flow.filter((node) => node.type === 'inject').length;
        const start = Date.now();
        while (Object.values(received).flat().length < awaited && Date.now() - start < 5000) {
            await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
        return received;
    }

    const files = fs.readdirSync(examplesDir).filter((file) => file.endsWith('.json'));

    it('are the documented ones', () => {
        assert.deepEqual(files.sort(), [
            '01 - Moderate text and route flagged content.json',
            '02 - Single chat.json',
            '03 - Chat in JSON format.json',
            '04 - Chained chat with history.json',
            '05 - Moderate then chat.json',
            '06 - Tool call loop.json',
            '07 - Structured extraction.json',
            '08 - Streaming chat.json',
            '09 - Describe and moderate an image.json',
            '10 - Conversation memory.json',
        ]);
    });

    it('01 routes the threatening text and the list that holds one to "flagged", the friendly text to "clean"', async () => {
        const seen = await run('01 - Moderate text and route flagged content.json');
        assert.equal(seen.flagged.length, 2);
        assert.equal(seen.clean.length, 1);
        const payloads = seen.flagged.map((msg) => msg.payload as { categories: string[]; results?: { flagged: boolean }[] });
        assert.ok(payloads.every((payload) => payload.categories.includes('violence')));
        const list = payloads.find((payload) => payload.results);
        assert.deepEqual(
            list?.results?.map((result) => result.flagged),
            [false, true],
        );
        assert.deepEqual((seen.clean[0].payload as { categories: string[] }).categories, []);
    });

    it('02 answers the question with the system prompt in place', async () => {
        const seen = await run('02 - Single chat.json');
        const [result] = Object.values(seen).flat();
        const payload = result.payload as { responses: string[]; history: { role: string }[] };
        assert.equal(payload.responses.length, 1);
        assert.deepEqual(
            payload.history.map((message) => message.role),
            ['system', 'user', 'assistant'],
        );
    });

    it('03 gives a parsed JSON object', async () => {
        const seen = await run('03 - Chat in JSON format.json');
        const body = server.requests[0].body as { response_format: unknown };
        assert.deepEqual(body.response_format, { type: 'json_object' });
        const results = Object.values(seen).flat();
        assert.ok(results.length >= 1);
        for (const msg of results) {
            const value = typeof msg.payload === 'object' && msg.payload !== null && 'responses' in msg.payload ? (msg.payload as { responses: unknown[] }).responses[0] : msg.payload;
            assert.equal(typeof value, 'object');
        }
    });

    it('04 carries the first answer into the follow-up', async () => {
        const seen = await run('04 - Chained chat with history.json');
        assert.equal(server.requests.length, 2);
        const second = server.requests[1].body as { messages: { role: string; content: string }[] };
        const first = server.requests[0].body as { messages: { role: string; content: string }[] };
        // The follow-up holds the whole first exchange, then its own question.
        assert.deepEqual(second.messages.slice(0, first.messages.length), first.messages);
        assert.equal(second.messages.at(-2)?.role, 'assistant');
        assert.deepEqual(second.messages.at(-1), { role: 'user', content: 'What is its population?' });
        const conversation = seen.conversation[0].payload as { history: unknown[] };
        assert.equal(conversation.history.length, second.messages.length + 1);
    });

    it('05 answers the clean question and refuses the abusive one without a chat request', async () => {
        const seen = await run('05 - Moderate then chat.json');
        assert.equal(seen.refused.length, 1);
        assert.equal(seen.answer.length, 1);
        const chats = server.requests.filter((request) => request.path.endsWith('/chat/completions'));
        assert.equal(chats.length, 1);
        assert.match(JSON.stringify(chats[0].body), /bakery/);
    });

    it('06 calls the tool, answers the call in the function node and gives the final answer from the second chat node', async () => {
        const seen = await run('06 - Tool call loop.json', 2);
        const chats = server.requests.map((request) => request.body as { messages: { role: string; content: unknown; tool_calls?: unknown }[]; tools?: unknown[] });
        assert.equal(chats.length, 2);
        // The debug nodes run as capture nodes, which get the whole message.
        assert.deepEqual(
            seen['tool calls'].map((msg) => (msg.payload as { toolCalls: unknown }).toolCalls),
            [[{ id: 'call_sim1_1', name: 'convert_temperature', arguments: { celsius: 42 } }]],
        );
        // The second request is the first exchange, the tool call and its result, with no new user message.
        assert.deepEqual(chats[1].messages.slice(0, 2), chats[0].messages);
        assert.deepEqual(chats[1].messages.slice(2).map((message) => message.role), ['assistant', 'tool']);
        assert.deepEqual(chats[1].messages[3], { role: 'tool', tool_call_id: 'call_sim1_1', content: '{"fahrenheit":107.6}' });
        assert.deepEqual(chats[1].tools, chats[0].tools);
        assert.equal(seen.answer.length, 1);
        const answer = seen.answer[0].payload as { responses: string[]; finishReason: string; history: unknown[] };
        assert.equal(answer.finishReason, 'stop');
        assert.match(answer.responses[0], /using the tool result "\{"fahrenheit":107\.6\}"/);
        assert.equal(answer.history.length, 5);
        assert.ok(server.requests.every((request) => request.schemaErrors.length === 0));
    });

    it('07 turns the e-mail into {customer, date, amount} with a strict JSON schema', async () => {
        const seen = await run('07 - Structured extraction.json');
        assert.equal(server.requests.length, 1);
        const body = server.requests[0].body as { response_format: { type: string; json_schema: { name: string; strict: boolean; schema: { required: string[] } } }; messages: { content: string }[] };
        assert.equal(body.response_format.type, 'json_schema');
        assert.equal(body.response_format.json_schema.name, 'invoice');
        assert.equal(body.response_format.json_schema.strict, true);
        assert.deepEqual(body.response_format.json_schema.schema.required, ['customer', 'date', 'amount']);
        assert.match(body.messages.at(-1)?.content ?? '', /Greenleaf Interiors/);
        assert.deepEqual(server.requests[0].schemaErrors, []);
        assert.equal(seen.extracted.length, 1);
        // The debug nodes run as capture nodes, which get the whole message.
        const extracted = (seen.extracted[0].payload as { responses: Record<string, unknown>[] }).responses[0];
        assert.deepEqual(Object.keys(extracted), ['customer', 'date', 'amount']);
        assert.equal(typeof extracted.customer, 'string');
        assert.match(String(extracted.date), /^\d{4}-\d{2}-\d{2}$/);
        assert.equal(typeof extracted.amount, 'number');
    });

    it('08 streams the answer piece by piece to one debug node and the whole answer once to the other', async () => {
        const file = '08 - Streaming chat.json';
        const flow = JSON.parse(fs.readFileSync(path.join(examplesDir, file), 'utf8')) as Record<string, unknown>[];
        const chat = flow.find((node) => node.type === 'openai-chat') as Record<string, string>;
        const question = String(flow.find((node) => node.type === 'inject')?.payload);
        const answer = simulatedChatContent({ messages: [{ role: 'system', content: chat.systemPrompt }, { role: 'user', content: question }] });
        // One partial message per word, then the final one.
        const seen = await run(file, countTokens(answer) + 1);
        const body = server.requests[0].body as Record<string, unknown>;
        assert.equal(body.stream, true);
        assert.deepEqual(server.requests[0].schemaErrors, []);
        const partials = seen['partial answer'].map((msg) => msg.payload as { delta: string; content: string; sequence: number });
        assert.equal(partials.length, countTokens(answer));
        assert.deepEqual(
            partials.map((partial) => partial.sequence),
            partials.map((_, index) => index),
        );
        assert.equal(partials.at(-1)?.content, answer);
        assert.equal(seen['final answer'].length, 1);
        assert.deepEqual((seen['final answer'][0].payload as { responses: string[] }).responses, [answer]);
    });

    it('09 sends the picture after the question to the chat node, and moderates the picture alone', async () => {
        const file = '09 - Describe and moderate an image.json';
        const flow = JSON.parse(fs.readFileSync(path.join(examplesDir, file), 'utf8')) as Record<string, unknown>[];
        const picture = String(flow.find((node) => node.type === 'inject')?.payload);
        assert.match(picture, /^data:image\/png;base64,iVBORw0KGgo/);
        const seen = await run(file, 2);
        assert.ok(server.requests.every((request) => request.schemaErrors.length === 0));
        const chat = server.requests.find((request) => request.path.endsWith('/chat/completions'))?.body as { messages: unknown[] };
        assert.deepEqual(chat.messages, [
            {
                role: 'user',
                content: [
                    { type: 'text', text: 'What does this picture show? Answer in one sentence.' },
                    { type: 'image_url', image_url: { url: picture, detail: 'low' } },
                ],
            },
        ]);
        const moderation = server.requests.find((request) => request.path.endsWith('/moderations'))?.body;
        assert.deepEqual(moderation, { input: [{ type: 'image_url', image_url: { url: picture } }] });
        // The debug nodes run as capture nodes, which get the whole message.
        const described = seen.description[0].payload as { responses: string[]; history: { content: unknown }[] };
        assert.match(described.responses[0], / about 1 image: image\/png /);
        assert.deepEqual(described.history[0], chat.messages[0]);
        const verdict = seen.moderation[0].payload as { flagged: boolean; appliedInputTypes: object };
        assert.equal(verdict.flagged, false);
        assert.deepEqual(verdict.appliedInputTypes, {});
    });

    it('10 remembers each user apart, and forgets Alice on reset', async () => {
        const seen = await run('10 - Conversation memory.json', 4);
        assert.equal(seen.answer.length, 4, 'one answer per question, none for the reset');
        const sent = server.requests.map((request) => {
            assert.deepEqual(request.schemaErrors, []);
            return (request.body as { messages: { role: string; content: string }[] }).messages;
        });
        assert.equal(sent.length, 4, 'the reset sends nothing');
        const aliceAsks = sent.find((messages) => String(messages.at(-1)?.content).startsWith('What is my name'));
        assert.ok(aliceAsks);
        assert.deepEqual(
            aliceAsks.map((message) => message.role),
            ['system', 'user', 'assistant', 'user'],
        );
        assert.match(aliceAsks[1].content, /Alice/);
        assert.ok(!aliceAsks.some((message) => /Bob/.test(message.content)), "Bob's conversation is his own");
        const flow = nodeById('c10c0a7e5e3f0002').context().flow;
        assert.equal(flow.get('openai-conversation:alice'), undefined, 'Alice is forgotten');
        assert.equal((flow.get('openai-conversation:bob') as unknown[]).length, 4);
    });
});
