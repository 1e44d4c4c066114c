// Messages built by function nodes can hold getters that throw, and what they
// throw need not be an Error: a null-prototype object cannot even be turned
// into a string. Whatever is thrown, on the synchronous read path or after an
// input that has to be waited for, the message must end once with an error,
// the node's count of pending messages must stay right, and nothing may reach
// the process as an unhandled rejection (which stops Node-RED).
import { strict as assert } from 'node:assert';
import { loadFlow, onComplete, type Outcome, send, settled, statusCalls } from '../support/flow';
import { useTestServer } from '../support/suite-server';
import { CHAT_DEFAULTS, MODERATE_DEFAULTS } from '../support/node-configs';

/**
 * What getters throw: Errors and values that are none. `hiddenFromCatch`: the
 * test helper wraps Node#error in a sinon spy, which swallows a thrown
 * `undefined`, so Node-RED's failure to copy such a message for the Catch node
 * never reaches the node, and the Catch node gets nothing. The message still
 * ends once, which is what the onComplete hook counts.
 */
const THROWN: { name: string; make: () => unknown; hiddenFromCatch?: true }[] = [
    { name: 'an Error', make: () => new Error('the getter broke') },
    { name: 'a null-prototype object', make: () => Object.create(null) },
    { name: 'undefined', make: () => undefined, hiddenFromCatch: true },
    { name: 'a string', make: () => 'broken' },
    {
        name: 'an Error whose message is not a string',
        make: () => Object.assign(new Error(), { message: Object.create(null) }),
    },
    {
        name: 'a Proxy that throws when looked at',
        make: () =>
            new Proxy(
                {},
                {
                    get: () => {
                        throw Object.create(null);
                    },
                    getPrototypeOf: () => {
                        throw Object.create(null);
                    },
                },
            ),
    },
];

/** A message whose property `name` throws `thrown` when read; the other properties are valid. */
function throwingAt(base: Record<string, unknown>, name: string, thrown: () => unknown): Record<string, unknown> {
    const msg = { ...base };
    Object.defineProperty(msg, name, {
        enumerable: true,
        configurable: true,
        get() {
            throw thrown();
        },
    });
    return msg;
}

interface ReadPath {
    title: string;
    node: Record<string, unknown>;
    /** Message properties the node reads, and the field each one is. */
    fields: Record<string, string>;
    valid: Record<string, unknown>;
}

const ASYNC_MODEL = 'THROWING_VALUES_MODEL';

const CHAT_FROM_MESSAGE = {
    systemPrompt: 'system',
    systemPromptType: 'msg',
    temperature: 'temperature',
    temperatureType: 'msg',
    maxTokens: 'maxTokens',
    maxTokensType: 'msg',
};

const PATHS: ReadPath[] = [
    {
        title: 'openai-chat, every input read at once',
        node: { ...CHAT_DEFAULTS, ...CHAT_FROM_MESSAGE, model: 'model', modelType: 'msg' },
        fields: { model: 'model', system: 'systemPrompt', payload: 'userMessage', temperature: 'temperature', maxTokens: 'maxTokens' },
        valid: { model: 'gpt-4.1-mini', payload: 'Hi', system: 'Be brief', temperature: 1, maxTokens: 50 },
    },
    {
        // The model comes from the environment, so the node reads the rest after waiting for it.
        title: 'openai-chat, inputs read after one that is waited for',
        node: { ...CHAT_DEFAULTS, ...CHAT_FROM_MESSAGE, model: ASYNC_MODEL, modelType: 'env' },
        fields: { system: 'systemPrompt', payload: 'userMessage', temperature: 'temperature', maxTokens: 'maxTokens' },
        valid: { payload: 'Hi', system: 'Be brief', temperature: 1, maxTokens: 50 },
    },
    {
        title: 'openai-chat with conversation memory',
        node: { ...CHAT_DEFAULTS, conversation: 'topic', conversationType: 'msg', memoryLimit: 'limit', memoryLimitType: 'msg' },
        fields: { topic: 'conversation', limit: 'memoryLimit', reset: 'reset', payload: 'userMessage' },
        valid: { topic: 'a conversation', limit: 10, reset: false, payload: 'Hi' },
    },
    {
        title: 'openai-moderate, every input read at once',
        node: { ...MODERATE_DEFAULTS, model: 'model', modelType: 'msg' },
        fields: { payload: 'text', model: 'model' },
        valid: { payload: 'A harmless text', model: 'omni-moderation-latest' },
    },
    {
        // JSONata is evaluated asynchronously and reports through a callback.
        title: 'openai-moderate, the text read by a JSONata expression',
        node: { ...MODERATE_DEFAULTS, text: 'payload', textType: 'jsonata' },
        fields: { payload: 'text' },
        valid: { payload: 'A harmless text' },
    },
];

describe('thrown values', function () {
    this.timeout(30000);
    const server = useTestServer();
    const unhandled: unknown[] = [];
    const keep = (reason: unknown) => unhandled.push(reason);
    const savedModel = process.env[ASYNC_MODEL];

    before(() => {
        process.env[ASYNC_MODEL] = 'gpt-4.1-mini';
        process.on('unhandledRejection', keep);
        process.on('uncaughtException', keep);
    });
    after(() => {
        process.off('unhandledRejection', keep);
        process.off('uncaughtException', keep);
        if (savedModel === undefined) delete process.env[ASYNC_MODEL];
        else process.env[ASYNC_MODEL] = savedModel;
    });
    beforeEach(() => {
        unhandled.length = 0;
    });

    /** Every message the node under test ended, with its error, as Node-RED's onComplete hook saw it. */
    let ended: { seq: unknown; error?: Error }[] = [];
    let stopWatching = () => undefined as void;
    beforeEach(() => {
        ended = [];
        stopWatching = onComplete('n1', (msg, error) => ended.push({ seq: msg.seq, error }));
    });
    afterEach(() => stopWatching());

    /**
     * Waits for the test's messages to reach the Catch node, then checks that each
     * ended once with an error, nothing was sent, and the node is idle again.
     * Node-RED cannot copy a message whose getter throws, so the Catch node gets
     * such an error without the message: the ends are counted by the hook.
     */
    async function expectOneErrorEach(outcome: Outcome, count: number, caught: number): Promise<Map<unknown, string>> {
        await settled(outcome, caught, 10000);
        assert.equal(outcome.outputs.length, 0, 'no message gets an output');
        assert.equal(outcome.errors.length, caught, 'each error reaches the Catch node once');
        assert.equal(ended.length, count, 'each message ends once');
        assert.equal(new Set(ended.map((end) => end.seq)).size, count, 'each message ends exactly once');
        assert.ok(ended.every((end) => end.error instanceof Error), 'each with an error');
        const last = statusCalls('n1').at(-1);
        assert.equal(last?.fill, 'red', 'the node is idle again, its status showing the last error');
        assert.deepEqual(unhandled, [], 'nothing reaches the process unhandled');
        assert.equal(server.requests.length, 0, 'nothing is sent');
        return new Map(ended.map((end) => [end.seq, String(end.error?.message)]));
    }

    for (const path of PATHS) {
        it(`${path.title}: a throwing getter ends the message once, with an error naming the field`, async () => {
            const outcome = await loadFlow({
                node: path.node,
                account: { baseURL: server.url, apiKey: server.apiKey, maxRetries: '0' },
            });
            const expected: string[] = [];
            let seq = 0;
            let caught = 0;
            for (const [property, field] of Object.entries(path.fields)) {
                for (const thrown of THROWN) {
                    send(throwingAt({ ...path.valid, seq: seq++ }, property, thrown.make));
                    expected.push(field);
                    if (!thrown.hiddenFromCatch) caught += 1;
                }
            }
            const messages = await expectOneErrorEach(outcome, seq, caught);
            expected.forEach((field, index) => {
                assert.match(String(messages.get(index)), new RegExp(`^${field} could not be read: .+`), `message ${index}`);
            });
        });
    }

    for (const [name, node] of [['openai-chat', CHAT_DEFAULTS], ['openai-moderate', MODERATE_DEFAULTS]] as const) {
        it(`${name}: an image whose getter throws ends the message once, with an error naming the element`, async () => {
            const outcome = await loadFlow({
                node: { ...node, images: 'images', imagesType: 'msg' },
                account: { baseURL: server.url, apiKey: server.apiKey, maxRetries: '0' },
            });
            THROWN.forEach((thrown, seq) => send({ seq, payload: 'Hi', images: Object.defineProperty(['https://example.com/a.png'], 1, { enumerable: true, get: () => { throw thrown.make(); } }) }));
            const messages = await expectOneErrorEach(outcome, THROWN.length, THROWN.filter((thrown) => !thrown.hiddenFromCatch).length);
            for (const text of messages.values()) assert.match(text, /^images\[1\] could not be read: .+/);
        });
    }

    it('openai-chat: a history item whose getters throw ends the message once', async () => {
        const outcome = await loadFlow({
            node: { ...CHAT_DEFAULTS, model: ASYNC_MODEL, modelType: 'env' },
            account: { baseURL: server.url, apiKey: server.apiKey, maxRetries: '0' },
        });
        THROWN.forEach((thrown, seq) => {
            const item = throwingAt({ content: 'hi' }, 'role', thrown.make);
            // The history is read (from msg.payload.history) before the user message is checked.
            send({ seq, payload: { history: [item] } });
        });
        const messages = await expectOneErrorEach(outcome, THROWN.length, THROWN.filter((thrown) => !thrown.hiddenFromCatch).length);
        assert.ok([...messages.values()].every((text) => text !== '' && text !== 'undefined'));
    });
});
