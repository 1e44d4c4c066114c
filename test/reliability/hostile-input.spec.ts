import { strict as assert } from 'node:assert';
import { loadFlow, type Message, send, settled } from '../support/flow';
import { useTestServer } from '../support/suite-server';
import { CHAT, MODERATE } from './nodes-under-test';

/** A small seeded generator, so that a failing run can be repeated exactly. */
function random(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

function circular(): Record<string, unknown> {
    const value: Record<string, unknown> = { role: 'user', content: 'loop' };
    value.self = value;
    return value;
}

function deep(levels: number): Record<string, unknown> {
    let value: Record<string, unknown> = { content: 'bottom' };
    for (let level = 0; level < levels; level += 1) value = { role: 'user', inner: value };
    return value;
}

/** Values that have broken message handlers before: wrong types, extremes, traps. */
const NASTY: (() => unknown)[] = [
    () => undefined,
    () => null,
    () => true,
    () => 0,
    () => -0,
    () => Number.NaN,
    () => Number.POSITIVE_INFINITY,
    () => 1e308,
    () => -1,
    () => 1.5,
    () => '',
    () => ' ',
    () => '0.5',
    () => '1e3',
    () => 'x'.repeat(200000),
    () => '👍 ünïcödé \u0000 \ud800',
    () => '__proto__',
    () => '{"role":"user"',
    () => '[{"role":"user","content":"from a string"}]',
    () => [],
    () => [1, 2, 3],
    () => ['a', ''],
    () => ['ok', 'fine'],
    () => [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }],
    () => JSON.parse('[{"role":"user","content":"x","__proto__":{"polluted":1}}]'),
    () => JSON.parse('{"__proto__":{"polluted":1},"role":"user","content":"x"}'),
    () => [{ role: 'constructor', content: 'x' }],
    () => [{ role: 'user', content: { toString: 'x' } }],
    () => [circular()],
    () => circular(),
    () => deep(500),
    () => ({ history: [{ role: 'user', content: 'nested' }] }),
    () => Buffer.from('bytes'),
    () => new Date(0),
    () => () => 'function',
];

interface Field {
    /** Message property the node reads it from. */
    property: string;
    /** Node setting that points at that property. */
    setting: string;
}

const CHAT_FIELDS: Field[] = [
    { property: 'model', setting: 'model' },
    { property: 'system', setting: 'systemPrompt' },
    { property: 'payload', setting: 'userMessage' },
    { property: 'history', setting: 'history' },
    { property: 'fp', setting: 'frequencyPenalty' },
    { property: 'mt', setting: 'maxTokens' },
    { property: 'count', setting: 'responseCount' },
    { property: 'pp', setting: 'presencePenalty' },
    { property: 'temperature', setting: 'temperature' },
    { property: 'topP', setting: 'topP' },
    { property: 'schema', setting: 'jsonSchema' },
    { property: 'effort', setting: 'reasoningEffort' },
    { property: 'tools', setting: 'tools' },
    { property: 'toolChoice', setting: 'toolChoice' },
    { property: 'images', setting: 'images' },
];

const MODERATE_FIELDS: Field[] = [
    { property: 'payload', setting: 'text' },
    { property: 'model', setting: 'model' },
    { property: 'images', setting: 'images' },
];

/** Every field read from its own message property, so hostile values reach each one. */
function fromMessage(base: Record<string, unknown>, fields: Field[]): Record<string, unknown> {
    const config = { ...base };
    for (const field of fields) {
        config[field.setting] = field.property;
        config[`${field.setting}Type`] = 'msg';
    }
    return config;
}

const FIELD_NAMES = /^Error: (model|systemPrompt|userMessage|history(\[\d+\](\.[a-z_]+|\[\d+\])*)?|frequencyPenalty|maxTokens|responseCount|presencePenalty|temperature|topP|jsonSchema|reasoningEffort|tools(\[\d+\](\.[a-z_]+)*)?|toolChoice|text(\[\d+\])?|images(\[\d+\])?) /;
const API_ERROR = /^Error: OpenAI API error \d{3} /;

describe('hostile input', function () {
    this.timeout(60000);
    const server = useTestServer();

    const targets = [
        { target: CHAT, fields: CHAT_FIELDS, validModel: 'gpt-4.1-mini', payloadShape: ['responses', 'history', 'finishReason', 'raw', 'totalTokens'] },
        { target: MODERATE, fields: MODERATE_FIELDS, validModel: 'omni-moderation-latest', payloadShape: ['flagged', 'categories', 'categoryScores'] },
    ];

    for (const { target, fields, validModel, payloadShape } of targets) {
        it(`${target.name}: every hostile message ends in one clear error or one valid output, and only documented fields are sent`, async () => {
            const outcome = await loadFlow({
                node: { ...fromMessage(target.config, fields), maxInFlight: 16 },
                account: { baseURL: server.url, apiKey: server.apiKey, maxRetries: '0' },
            });
            const next = random(20261125);
            const pick = () => NASTY[Math.floor(next() * NASTY.length)]();
            const messages: Record<string, unknown>[] = [];
            for (let seq = 0; seq < 400; seq += 1) {
                const msg: Record<string, unknown> = { seq, payload: 'A harmless question?', model: validModel };
                // Break one to three fields; leave the rest valid, so that each field's checks are reached.
                const broken = 1 + Math.floor(next() * 3);
                for (let i = 0; i < broken; i += 1) msg[fields[Math.floor(next() * fields.length)].property] = pick();
                messages.push(msg);
            }
            send(...messages);
            await settled(outcome, messages.length, 50000);

            assert.equal(outcome.outputs.length + outcome.errors.length, messages.length);
            const seen = [...outcome.outputs, ...outcome.errors].map((msg) => msg.seq);
            assert.equal(new Set(seen).size, messages.length, 'each message ends exactly once');
            for (const caught of outcome.errors) {
                const message = String((caught.error as Error).message);
                assert.ok(FIELD_NAMES.test(message) || API_ERROR.test(message), `unclear error: ${message.slice(0, 200)}`);
            }
            for (const output of outcome.outputs as Message[]) {
                // A moderated list also holds each text's own result, in the same shape.
                const payload = output.payload as Record<string, unknown>;
                const own = Array.isArray(payload.results) ? (payload.results as object[]) : [];
                const shape = own.length > 0 ? [...payloadShape, 'results'] : payloadShape;
                assert.deepEqual(Object.keys(payload).sort(), [...shape].sort());
                for (const result of own) assert.deepEqual(Object.keys(result).sort(), [...payloadShape].sort());
            }
            for (const request of server.requests) {
                assert.equal(request.path, target.path);
                for (const key of Object.keys(request.body as object)) assert.ok(target.documentedFields.includes(key), `undocumented field ${key} sent`);
                assert.deepEqual(request.schemaErrors, []);
            }
            assert.ok(outcome.outputs.length > 0, 'some messages are valid and must succeed');
            assert.ok(outcome.errors.length > 0, 'some messages are invalid and must fail');
            assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype must stay clean');
        });
    }

    it('openai-chat: each nasty value in each field, one at a time', async () => {
        const outcome = await loadFlow({
            // With structured outputs, so that the schema is read too.
            node: { ...fromMessage(CHAT.config, CHAT_FIELDS), responseFormat: 'json_schema', maxInFlight: 16 },
            account: { baseURL: server.url, apiKey: server.apiKey, maxRetries: '0' },
        });
        let seq = 0;
        for (const field of CHAT_FIELDS) {
            for (const make of NASTY) {
                send({ seq: seq++, payload: 'Hi', model: 'gpt-4.1-mini', schema: { type: 'object', properties: {} }, [field.property]: make() });
            }
        }
        await settled(outcome, seq, 50000);
        assert.equal(outcome.outputs.length + outcome.errors.length, seq);
        for (const caught of outcome.errors) {
            const message = String((caught.error as Error).message);
            assert.ok(FIELD_NAMES.test(message) || API_ERROR.test(message), `unclear error: ${message.slice(0, 200)}`);
        }
        for (const request of server.requests) {
            for (const key of Object.keys(request.body as object)) assert.ok(CHAT.documentedFields.includes(key), `undocumented field ${key} sent`);
        }
    });
});
