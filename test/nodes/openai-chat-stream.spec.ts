import { strict as assert } from 'node:assert';
import type { Fault } from '../server/openai-test-server';
import { buildFlow, coreNode, helper, type Message, nodeById, onComplete, type Outcome, send, settled, statusCalls } from '../support/flow';
import { useTestServer } from '../support/suite-server';
import { CHAT_DEFAULTS } from '../support/node-configs';
import accountNode = require('../../nodes/openai-account');
import chatNode = require('../../nodes/openai-chat');

interface Partial {
    delta: string;
    content: string;
    choice: number;
    sequence: number;
}

interface ChatPayload {
    responses: unknown[];
    toolCalls?: { id: string; name: string; arguments: unknown }[];
    history: unknown[];
    finishReason: string;
    raw: {
        object: string;
        choices: { index: number; message: { content: string | null; tool_calls?: unknown[] }; finish_reason: string }[];
        usage?: unknown;
    };
    totalTokens: number | null;
}

/** What one input gave: its final messages (output 1), partial messages (output 2), errors, and how often it ended. */
interface StreamOutcome extends Outcome {
    partials: Message[];
    /** One entry per `done` the node called: the error's message, or 'ok'. */
    endings: string[];
}

const TOOLS = [{ name: 'get_weather', description: 'The weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } }];

describe('openai-chat streaming', () => {
    const server = useTestServer();
    let stopWatching: (() => void) | undefined;

    afterEach(() => stopWatching?.());

    /** Loads account ← chat (`n1`, stream on unless told) with output 1 → `out`, output 2 → `partials`, and a Catch node. */
    async function load(node: Record<string, unknown> = {}, next: Record<string, unknown>[] = []): Promise<StreamOutcome> {
        const { flow, credentials } = buildFlow({
            node: { ...CHAT_DEFAULTS, stream: true, ...node },
            account: { baseURL: server.url, maxRetries: '0', apiKey: server.apiKey },
            next,
        });
        const chat = flow.find((entry) => entry.id === 'n1') as { wires: string[][] };
        chat.wires = [chat.wires[0], ['partials']];
        flow.push({ id: 'partials', z: 'f1', type: 'helper' });
        await helper.load([accountNode, chatNode, coreNode('common/25-catch.js')], flow, credentials);
        const outcome: StreamOutcome = { outputs: [], errors: [], partials: [], endings: [] };
        nodeById('out').on('input', (msg: Message) => outcome.outputs.push(msg));
        nodeById('caught').on('input', (msg: Message) => outcome.errors.push(msg));
        nodeById('partials').on('input', (msg: Message) => outcome.partials.push(msg));
        stopWatching = onComplete('n1', (_msg, error) => outcome.endings.push(error ? error.message : 'ok'));
        return outcome;
    }

    /** The same input answered without streaming, by a fresh flow: the payload streaming must match. */
    async function unstreamed(node: Record<string, unknown>, msg: Record<string, unknown>): Promise<ChatPayload> {
        await helper.unload();
        stopWatching?.();
        const outcome = await load({ ...node, stream: false });
        send(msg);
        await settled(outcome, 1);
        assert.equal(outcome.errors.length, 0, JSON.stringify(outcome.errors[0]?.error));
        assert.equal(outcome.partials.length, 0, 'no partial messages without streaming');
        return payloadOf(outcome.outputs[0]);
    }

    const payloadOf = (msg: Message) => msg.payload as ChatPayload;
    const partialsOf = (outcome: StreamOutcome) => outcome.partials.map((msg) => msg.payload as Partial);

    /** Everything but the parts of `raw` only a server's stream can differ in (its id, time, and what chunks do not carry). */
    function comparable(payload: ChatPayload) {
        const { raw, ...rest } = payload;
        return {
            ...rest,
            object: raw.object,
            choices: raw.choices.map((choice) => ({ index: choice.index, content: choice.message.content, toolCalls: choice.message.tool_calls, finish: choice.finish_reason })),
            usage: raw.usage,
        };
    }

    it('asks for a stream with usage, sends each piece of text on output 2 in order, and the whole answer once on output 1', async () => {
        const outcome = await load();
        send({ payload: 'Hello there', topic: 'kept' });
        await settled(outcome, 1);
        assert.deepEqual(outcome.errors, []);
        const body = server.requests[0].body as Record<string, unknown>;
        assert.deepEqual(server.requests[0].schemaErrors, []);
        assert.equal(body.stream, true);
        assert.deepEqual(body.stream_options, { include_usage: true });

        assert.equal(outcome.outputs.length, 1);
        const final = payloadOf(outcome.outputs[0]);
        const partials = partialsOf(outcome);
        const answer = final.responses[0] as string;
        assert.ok(partials.length > 3, `one partial per word, got ${partials.length}`);
        assert.deepEqual(
            partials.map((partial) => partial.sequence),
            partials.map((_, index) => index),
        );
        let soFar = '';
        for (const partial of partials) {
            soFar += partial.delta;
            assert.equal(partial.content, soFar);
            assert.equal(partial.choice, 0);
        }
        assert.equal(soFar, answer);
        assert.deepEqual(Object.keys(partials[0]), ['delta', 'content', 'choice', 'sequence']);
        for (const msg of outcome.partials) {
            assert.equal(msg._msgid, outcome.outputs[0]._msgid);
            assert.equal(msg.topic, 'kept');
        }
        assert.equal(final.raw.object, 'chat.completion');
        assert.equal(typeof final.totalTokens, 'number');
        assert.deepEqual(outcome.endings, ['ok']);

        assert.deepEqual(comparable(final), comparable(await unstreamed({}, { payload: 'Hello there', topic: 'kept' })));
    });

    it('keeps interleaved choices apart and gives every choice in the final message (responseCount 3)', async () => {
        const outcome = await load({ responseCount: '3' });
        send({ payload: 'Hi' });
        await settled(outcome, 1);
        const partials = partialsOf(outcome);
        // The server sends one chunk of each choice in turn.
        assert.deepEqual(
            partials.slice(0, 6).map((partial) => partial.choice),
            [0, 1, 2, 0, 1, 2],
        );
        const final = payloadOf(outcome.outputs[0]);
        for (const choice of [0, 1, 2]) {
            const own = partials.filter((partial) => partial.choice === choice);
            assert.equal(own.at(-1)?.content, final.responses[choice]);
            assert.equal(own.map((partial) => partial.delta).join(''), final.responses[choice]);
        }
        assert.equal(new Set(final.responses).size, 3);
        assert.deepEqual(comparable(final), comparable(await unstreamed({ responseCount: '3' }, { payload: 'Hi' })));
    });

    it('assembles tool calls from their deltas, with no partial messages for their arguments', async () => {
        const node = { tools: JSON.stringify(TOOLS), toolsType: 'json' };
        const outcome = await load(node);
        send({ payload: 'Weather in Oslo?' });
        await settled(outcome, 1);
        assert.deepEqual(outcome.errors, []);
        assert.deepEqual(outcome.partials, []);
        const final = payloadOf(outcome.outputs[0]);
        assert.equal(final.finishReason, 'tool_calls');
        assert.equal(final.toolCalls?.[0].name, 'get_weather');
        assert.deepEqual(Object.keys(final.toolCalls?.[0].arguments as object), ['city']);
        assert.deepEqual(comparable(final), comparable(await unstreamed(node, { payload: 'Weather in Oslo?' })));
    });

    for (const format of [
        { responseFormat: 'json', systemPrompt: 'Answer in JSON.' },
        { responseFormat: 'json_schema', jsonSchema: JSON.stringify({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }), jsonSchemaType: 'json' },
    ]) {
        it(`parses the whole text in the final message with responseFormat ${format.responseFormat}; the partials carry the text`, async () => {
            const outcome = await load(format);
            send({ payload: 'Where?' });
            await settled(outcome, 1);
            assert.deepEqual(outcome.errors, []);
            const final = payloadOf(outcome.outputs[0]);
            assert.equal(typeof final.responses[0], 'object');
            assert.deepEqual(JSON.parse(partialsOf(outcome).at(-1)?.content ?? ''), final.responses[0]);
            assert.deepEqual(comparable(final), comparable(await unstreamed(format, { payload: 'Where?' })));
        });
    }

    it('gives totalTokens null when the server sends no usage chunk', async () => {
        const outcome = await load();
        server.failNext({ kind: 'stream', usage: false });
        send({ payload: 'Hi' });
        await settled(outcome, 1);
        assert.deepEqual(outcome.errors, []);
        const final = payloadOf(outcome.outputs[0]);
        assert.equal(final.totalTokens, null);
        assert.equal(final.raw.usage, undefined);
        assert.ok(outcome.partials.length > 0);
        assert.deepEqual(outcome.endings, ['ok']);
    });

    it('ends a message whose stream is cut in the middle with one error; the partials sent stay sent', async () => {
        const outcome = await load();
        server.failNext({ kind: 'stream', cutAfter: 4 });
        send({ payload: 'Tell me a long story' });
        await settled(outcome, 1);
        assert.equal(outcome.outputs.length, 0);
        assert.equal(outcome.errors.length, 1);
        assert.equal(outcome.endings.length, 1);
        assert.notEqual(outcome.endings[0], 'ok');
        // The role chunk, then three words.
        assert.deepEqual(
            partialsOf(outcome).map((partial) => partial.sequence),
            [0, 1, 2],
        );
        const message = (outcome.errors[0].error as Error).message;
        assert.match(message, /unexpected answer from the API: the stream broke off before the answer was complete \(terminated/, message);
        assert.doesNotMatch(message, new RegExp(server.apiKey));
        assert.equal(statusCalls('n1').at(-1)?.fill, 'red');
    });

    it('ends a message with the error event a server sends in mid-stream, once', async () => {
        const outcome = await load();
        server.failNext({ kind: 'stream', errorAfter: 3 });
        send({ payload: 'Tell me a long story' });
        await settled(outcome, 1);
        assert.equal(outcome.outputs.length, 0);
        assert.equal(outcome.errors.length, 1);
        assert.equal(outcome.endings.length, 1);
        assert.match((outcome.errors[0].error as Error).message, /The server had an error while processing your request/);
        assert.equal(outcome.partials.length, 2);
    });

    it('shows that a message is streaming while it is the only one pending', async () => {
        const outcome = await load();
        server.failNext({ kind: 'stream', gapMs: 20 });
        send({ payload: 'Hi' });
        await settled(outcome, 1);
        const texts = statusCalls('n1').map((status) => status.text);
        assert.deepEqual(texts, ['status.requesting', 'status.streaming', `status.tokens`]);
    });

    it('carries the history to a chat node wired to output 1, which answers as usual', async () => {
        const outcome = await load({}, [{ ...CHAT_DEFAULTS, userMessage: 'And then?', userMessageType: 'str' }]);
        send({ payload: 'First question' });
        await settled(outcome, 1);
        assert.deepEqual(outcome.errors, []);
        const second = server.requests[1].body as { messages: { role: string; content: string }[]; stream?: boolean };
        assert.equal(second.stream, undefined);
        assert.deepEqual(
            second.messages.map((message) => message.role),
            ['user', 'assistant', 'user'],
        );
        const first = outcome.partials.at(-1)?.payload as Partial;
        assert.equal(second.messages[1].content, first.content, 'the streamed answer is in the history');
    });

    it('streams messages through the in-flight limit and queue: each ends once, its partials counted from 0', async () => {
        const outcome = await load({ maxInFlight: 2 });
        server.failNext({ kind: 'stream', gapMs: 5 }, 5);
        send(...[0, 1, 2, 3, 4].map((seq) => ({ payload: `Question ${seq}`, seq })));
        await settled(outcome, 5);
        assert.equal(outcome.outputs.length, 5);
        assert.deepEqual(outcome.endings, ['ok', 'ok', 'ok', 'ok', 'ok']);
        for (const final of outcome.outputs) {
            const own = outcome.partials.filter((msg) => msg._msgid === final._msgid).map((msg) => msg.payload as Partial);
            assert.deepEqual(
                own.map((partial) => partial.sequence),
                own.map((_, index) => index),
            );
            assert.equal(own.at(-1)?.content, payloadOf(final).responses[0]);
            assert.match(payloadOf(final).responses[0] as string, new RegExp(`"Question ${final.seq}"`));
        }
    });

    it('has one output and sends no partials with stream off, and reads a node saved without stream as off', async () => {
        const withoutStream: Record<string, unknown> = { ...CHAT_DEFAULTS };
        const outcome = await load({ ...withoutStream, stream: undefined });
        send({ payload: 'Hi' });
        await settled(outcome, 1);
        assert.equal(outcome.outputs.length, 1);
        assert.deepEqual(outcome.partials, []);
        assert.equal((server.requests[0].body as Record<string, unknown>).stream, undefined);
    });

    it('treats the string "true" of a flow written by hand as on', async () => {
        const outcome = await load({ stream: 'true' });
        send({ payload: 'Hi' });
        await settled(outcome, 1);
        assert.ok(outcome.partials.length > 0);
    });

    it('sends nothing on bad input, with streaming as without', async () => {
        const outcome = await load({ temperature: '7' });
        send({ payload: 'Hi' });
        await settled(outcome, 1);
        assert.equal(server.requests.length, 0);
        assert.match((outcome.errors[0].error as Error).message, /temperature/);
        assert.deepEqual(outcome.partials, []);
    });

    it('ends a message once when an API error comes instead of a stream', async () => {
        const outcome = await load();
        const fault: Fault = { kind: 'status', status: 500 };
        server.failNext(fault);
        send({ payload: 'Hi' });
        await settled(outcome, 1);
        assert.equal(outcome.errors.length, 1);
        assert.match((outcome.errors[0].error as Error).message, /500/);
        assert.equal(outcome.endings.length, 1);
    });
});
