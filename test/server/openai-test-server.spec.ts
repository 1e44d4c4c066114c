import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import OpenAI, {
    type ClientOptions,
    APIConnectionError,
    APIConnectionTimeoutError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
} from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import {
    countTokens,
    FLAG_THRESHOLD,
    MAX_BODY_BYTES,
    MODELS,
    MODERATION_CATEGORIES,
    MODERATION_TRIGGERS,
    moderationResult,
    moderationScores,
    NOT_JSON_MARKER,
    openApiSchemaPath,
    simulateChatChoice,
    simulatedChatContent,
    startTestServer,
    type TestServer,
} from './openai-test-server';
import { dataUrl, IMAGES } from '../support/images';

/** A request answered with the raw `fetch`, for what the SDK would not send or would hide. */
interface RawAnswer {
    status: number;
    headers: Headers;
    text: string;
    json: any;
}

function clientFor(server: TestServer, options: ClientOptions = {}): OpenAI {
    return new OpenAI({ apiKey: server.apiKey, baseURL: server.url, maxRetries: 0, ...options });
}

async function raw(
    server: TestServer,
    path: string,
    init: { method?: string; body?: unknown; rawBody?: string; apiKey?: string | null } = {},
): Promise<RawAnswer> {
    const { method = 'POST', body, rawBody, apiKey = server.apiKey } = init;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (apiKey !== null) headers.authorization = `Bearer ${apiKey}`;
    const response = await fetch(`${server.url}${path}`, {
        method,
        headers,
        body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await response.text();
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch {
        json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
}

async function elapsedMs(action: () => Promise<unknown>): Promise<number> {
    const start = performance.now();
    await action();
    return performance.now() - start;
}

const hello: ChatCompletionCreateParamsNonStreaming = {
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Hello there' }],
};

describe('OpenAI test server', () => {
    let server: TestServer;
    let client: OpenAI;

    before(async () => {
        server = await startTestServer();
        client = clientFor(server);
    });
    afterEach(() => server.reset());
    after(() => server.close());

    describe('models', () => {
        it('lists the fixed models in the shape of the API', async () => {
            const page = await client.models.list();
            assert.deepEqual(
                page.data.map((model) => model.id),
                [...MODELS],
            );
            assert.ok(MODELS.includes('gpt-4.1-mini') && MODELS.includes('omni-moderation-latest'));
            for (const model of page.data) {
                assert.equal(model.object, 'model');
                assert.equal(typeof model.created, 'number');
                assert.equal(typeof model.owned_by, 'string');
            }
        });

        it('retrieves one model, and answers 404 for a model it does not have', async () => {
            assert.equal((await client.models.retrieve('o4-mini')).id, 'o4-mini');
            await assert.rejects(client.models.retrieve('gpt-2'), NotFoundError);
        });
    });

    describe('chat completions', () => {
        it('answers n choices with predictable, distinct contents and word-counted usage', async () => {
            const params: ChatCompletionCreateParamsNonStreaming = { ...hello, n: 3 };
            const { data, request_id } = await client.chat.completions.create(params).withResponse();

            assert.match(data.id, /^chatcmpl-/);
            assert.equal(data.object, 'chat.completion');
            assert.equal(data.model, 'gpt-4o-mini');
            assert.equal(data.choices.length, 3);
            data.choices.forEach((choice, index) => {
                assert.equal(choice.index, index);
                assert.equal(choice.finish_reason, 'stop');
                assert.equal(choice.message.role, 'assistant');
                assert.equal(choice.message.refusal, null);
                assert.equal(choice.message.content, simulatedChatContent(params, index));
            });
            assert.equal(new Set(data.choices.map((choice) => choice.message.content)).size, 3);
            assert.equal(data.choices[2].message.content, `${data.choices[0].message.content} [choice 3]`);

            const completionWords = data.choices.reduce((sum, choice) => sum + countTokens(choice.message.content!), 0);
            assert.deepEqual(
                [data.usage?.prompt_tokens, data.usage?.completion_tokens, data.usage?.total_tokens],
                [2, completionWords, 2 + completionWords],
            );
            assert.match(request_id ?? '', /^req_[0-9a-f]+$/);

            assert.equal(server.requests.length, 1);
            const [recorded] = server.requests;
            assert.equal(recorded.method, 'POST');
            assert.equal(recorded.path, '/v1/chat/completions');
            assert.deepEqual(recorded.body, params);
            assert.deepEqual(recorded.schemaErrors, []);
            assert.equal(recorded.headers.authorization, `Bearer ${server.apiKey}`);
        });

        it('reads the last user message, counts the earlier ones and quotes the instructions', async () => {
            const params: ChatCompletionCreateParamsNonStreaming = {
                model: 'gpt-4.1-mini',
                messages: [
                    { role: 'system', content: 'Answer like a pirate.' },
                    { role: 'user', content: 'Hi' },
                    { role: 'assistant', content: 'Ahoy!' },
                    { role: 'user', content: [{ type: 'text', text: 'Where is the treasure?' }] },
                ],
            };
            const completion = await client.chat.completions.create(params);
            assert.equal(
                completion.choices[0].message.content,
                'Simulated answer to "Where is the treasure?" (conversation of 2 earlier messages, ' +
                    'following the instructions "Answer like a pirate.").',
            );
        });

        it('tells the images of the last user message by type, and counts those of the earlier ones', async () => {
            const params: ChatCompletionCreateParamsNonStreaming = {
                model: 'gpt-4.1-mini',
                messages: [
                    { role: 'user', content: [{ type: 'text', text: 'Look:' }, { type: 'image_url', image_url: { url: dataUrl('gif') } }] },
                    { role: 'assistant', content: 'A cat.' },
                    {
                        role: 'user',
                        content: [
                            { type: 'text', text: 'And these?' },
                            { type: 'image_url', image_url: { url: dataUrl('png'), detail: 'low' } },
                            { type: 'image_url', image_url: { url: 'https://example.com/b.jpg' } },
                            { type: 'image_url', image_url: { url: dataUrl('webp') } },
                        ],
                    },
                ],
            };
            const completion = await client.chat.completions.create(params);
            assert.equal(
                completion.choices[0].message.content,
                'Simulated answer to "And these?" about 3 images: image/png, URL, image/webp (conversation of 2 earlier messages with 1 image).',
            );
            assert.deepEqual(server.requests[0].schemaErrors, []);
        });

        describe('refuses a data: URL that is no image of a known type, as the API does', () => {
            const cases: [string, string, RegExp][] = [
                ['an unsupported type', 'data:image/svg+xml;base64,PHN2Zz4=', /but got unsupported MIME type 'image\/svg\+xml'\.$/],
                ['one that is not base64', 'data:image/png,abc', /but got a value that is not base64-encoded\.$/],
                ['no bytes', 'data:image/png;base64,', /but got empty base64-encoded bytes\.$/],
                ['bytes that are not base64', 'data:image/png;base64,iVBOR*w0K', /but got invalid base64-encoded bytes\.$/],
                ['bytes of another type than it says', dataUrl('png', IMAGES.jpeg), /^You uploaded an unsupported image/],
                ['bytes of no image at all', `data:image/jpeg;base64,${Buffer.from('just some text').toString('base64')}`, /^You uploaded an unsupported image/],
            ];
            for (const [name, url, message] of cases) {
                it(name, async () => {
                    const content = [{ type: 'text', text: 'What is it?' }, { type: 'image_url', image_url: { url } }];
                    const chat = await raw(server, '/chat/completions', { body: { model: 'gpt-4.1-mini', messages: [{ role: 'user', content }] } });
                    assert.equal(chat.status, 400);
                    assert.match(chat.json.error.message, message);
                    assert.equal(chat.json.error.param, 'messages[0].content[1].image_url.url');
                    const moderation = await raw(server, '/moderations', { body: { input: content } });
                    assert.equal(moderation.status, 400);
                    assert.match(moderation.json.error.message, message);
                    assert.equal(moderation.json.error.param, 'input[1].image_url.url');
                });
            }
        });

        it('answers JSON in json_object mode, and deliberately not when asked to', async () => {
            const params: ChatCompletionCreateParamsNonStreaming = {
                model: 'gpt-4.1',
                response_format: { type: 'json_object' },
                messages: [
                    { role: 'user', content: 'Reply in JSON' },
                    { role: 'assistant', content: '{}' },
                    { role: 'user', content: 'Again, in JSON' },
                ],
            };
            const json = await client.chat.completions.create(params);
            assert.deepEqual(JSON.parse(json.choices[0].message.content!), {
                answer: 'Simulated answer to "Again, in JSON" (conversation of 2 earlier messages).',
                choice: 1,
                earlierMessages: 2,
            });

            const broken = await client.chat.completions.create({
                ...params,
                messages: [{ role: 'user', content: `Break it ${NOT_JSON_MARKER}` }],
            });
            assert.throws(() => JSON.parse(broken.choices[0].message.content!), SyntaxError);
        });

        it('cuts the answer at max_completion_tokens and reports finish_reason length', async () => {
            const params: ChatCompletionCreateParamsNonStreaming = { ...hello, max_completion_tokens: 3 };
            const completion = await client.chat.completions.create(params);
            const [choice] = completion.choices;
            assert.equal(choice.finish_reason, 'length');
            assert.equal(choice.message.content, 'Simulated answer to');
            assert.equal(completion.usage?.completion_tokens, 3);
            assert.deepEqual(simulateChatChoice(params), { content: 'Simulated answer to', finishReason: 'length' });
        });

        it('refuses max_tokens and a non-default temperature or top_p on reasoning models', async () => {
            const reasoning = { ...hello, model: 'o4-mini' };
            const maxTokens = await client.chat.completions.create({ ...reasoning, max_tokens: 50 }).catch((e) => e);
            assert.ok(maxTokens instanceof BadRequestError);
            assert.equal(maxTokens.param, 'max_tokens');
            assert.equal(maxTokens.code, 'unsupported_parameter');
            assert.match(maxTokens.message, /Use 'max_completion_tokens' instead/);

            for (const [param, model] of [
                ['temperature', 'gpt-5-mini'],
                ['top_p', 'gpt-5.4-mini'],
            ]) {
                const error = await client.chat.completions.create({ ...hello, model, [param]: 0.5 }).catch((e) => e);
                assert.ok(error instanceof BadRequestError, `${param} on ${model}`);
                assert.equal(error.param, param);
                assert.equal(error.code, 'unsupported_value');
            }

            const accepted = await client.chat.completions.create({
                ...reasoning,
                temperature: 1,
                max_completion_tokens: 100,
                reasoning_effort: 'low',
            });
            assert.equal(accepted.choices[0].finish_reason, 'stop');
            // The same parameters are fine on an older model.
            await client.chat.completions.create({ ...hello, max_tokens: 50, temperature: 0.2 });
        });

        it('refuses reasoning_effort on a model that does not reason', async () => {
            const error = await client.chat.completions.create({ ...hello, reasoning_effort: 'low' }).catch((e) => e);
            assert.ok(error instanceof BadRequestError);
            assert.equal(error.param, 'reasoning_effort');
        });

        it('streams the same answer word by word, with usage when asked for', async () => {
            const stream = await client.chat.completions.create({
                ...hello,
                stream: true,
                stream_options: { include_usage: true },
            });
            let text = '';
            let chunks = 0;
            let usage: OpenAI.CompletionUsage | null | undefined;
            let finishReason: string | null = null;
            for await (const chunk of stream) {
                chunks++;
                text += chunk.choices[0]?.delta.content ?? '';
                finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
                usage = chunk.usage ?? usage;
            }
            const expected = simulatedChatContent(hello);
            assert.equal(text, expected);
            assert.equal(finishReason, 'stop');
            assert.ok(chunks > countTokens(expected), 'one chunk per word, and more');
            assert.equal(usage?.completion_tokens, countTokens(expected));
        });

        it('answers 404 model_not_found for an unknown model, and for a moderation model', async () => {
            const error = await client.chat.completions.create({ ...hello, model: 'gpt-9-ultra' }).catch((e) => e);
            assert.ok(error instanceof NotFoundError);
            assert.equal(error.code, 'model_not_found');
            assert.equal(error.message, '404 The model `gpt-9-ultra` does not exist or you do not have access to it.');
            const moderationModel = client.chat.completions.create({ ...hello, model: 'omni-moderation-latest' });
            await assert.rejects(moderationModel, NotFoundError);
        });

        it('rejects a body that breaks the schema with 400 and records the errors', async () => {
            const answer = await raw(server, '/chat/completions', {
                body: { model: 'gpt-4o-mini', temperature: 5, messages: [{ role: 'robot', content: 'beep' }] },
            });
            assert.equal(answer.status, 400);
            assert.equal(answer.json.error.type, 'invalid_request_error');
            assert.equal(answer.json.error.param, 'temperature');
            assert.match(answer.json.error.message, /\/temperature must be <= 2/);
            assert.deepEqual(server.requests[0].schemaErrors, [
                '/temperature must be <= 2',
                '/messages/0/role must be one of the known values, not "robot"',
            ]);
        });

        it('names an argument the API does not know, as the API does', async () => {
            const answer = await raw(server, '/chat/completions', { body: { ...hello, temprature: 0.5 } });
            assert.equal(answer.status, 400);
            assert.equal(answer.json.error.message, 'Unrecognized request argument supplied: temprature');
            assert.deepEqual(server.requests[0].schemaErrors, ["(body) has unrecognized property 'temprature'"]);
        });

        it('answers 400 when the body is not JSON', async () => {
            const answer = await raw(server, '/chat/completions', { rawBody: '{"model": ' });
            assert.equal(answer.status, 400);
            assert.match(answer.json.error.message, /We could not parse the JSON body of your request/);
            assert.equal(server.requests[0].body, undefined);
        });
    });

    describe('moderations', () => {
        it('scores one text in every category, as predicted', async () => {
            const text = 'I will kill you';
            const moderation = await client.moderations.create({ input: text });
            assert.match(moderation.id, /^modr-/);
            assert.equal(moderation.model, 'omni-moderation-latest');
            assert.equal(moderation.results.length, 1);
            const [result] = moderation.results;
            assert.deepEqual(Object.keys(result.categories).sort(), [...MODERATION_CATEGORIES].sort());
            assert.deepEqual(Object.keys(result.category_scores).sort(), [...MODERATION_CATEGORIES].sort());
            for (const category of MODERATION_CATEGORIES) {
                const score = result.category_scores[category];
                assert.ok(score >= 0 && score <= 1, `${category} score ${score}`);
                assert.equal(result.categories[category], score > FLAG_THRESHOLD, category);
                assert.deepEqual(result.category_applied_input_types[category], ['text']);
            }
            assert.equal(result.flagged, true);
            assert.equal(result.categories.violence, true);
            assert.deepEqual(result, moderationResult(text));
            assert.deepEqual(server.requests[0].schemaErrors, []);
        });

        it('answers a list of texts with one result each, in order', async () => {
            const input = ['What a lovely day.', 'I hate you, you idiot', 'Thanks!'];
            const moderation = await client.moderations.create({ input, model: 'omni-moderation-2024-09-26' });
            assert.equal(moderation.model, 'omni-moderation-2024-09-26');
            assert.deepEqual(
                moderation.results.map((result) => result.flagged),
                [false, true, false],
            );
            assert.equal(moderation.results[1].categories.hate, true);
            assert.equal(moderation.results[1].categories.harassment, true);
            assert.deepEqual(moderation.results, input.map(moderationResult));
        });

        it('gives stable scores without ties, in an order that depends on the text', async () => {
            const first = (await client.moderations.create({ input: 'a calm sentence' })).results[0].category_scores;
            const again = (await client.moderations.create({ input: 'a calm sentence' })).results[0].category_scores;
            assert.deepEqual(first, again);
            const values = Object.values(first);
            assert.equal(new Set(values).size, MODERATION_CATEGORIES.length);
            const ranking = (text: string) => {
                const scores = moderationScores(text);
                return [...MODERATION_CATEGORIES].sort((a, b) => scores[b] - scores[a]).join();
            };
            assert.notEqual(ranking('a calm sentence'), ranking('another calm sentence'));
        });

        it('moderates a text with images as one input, telling which categories looked at the images', async () => {
            const input = [
                { type: 'text' as const, text: 'I will kill you' },
                { type: 'image_url' as const, image_url: { url: dataUrl('jpeg') } },
            ];
            const moderation = await client.moderations.create({ input });
            assert.equal(moderation.results.length, 1);
            const [result] = moderation.results;
            assert.equal(result.categories.violence, true);
            assert.deepEqual(result.category_applied_input_types.violence, ['text', 'image']);
            assert.deepEqual(result.category_applied_input_types.hate, ['text']);
            assert.deepEqual(server.requests[0].schemaErrors, []);
            const imageOnly = (await client.moderations.create({ input: [input[1]] })).results[0];
            assert.equal(imageOnly.flagged, false);
            assert.deepEqual(imageOnly.category_applied_input_types.violence, ['image']);
            assert.deepEqual(imageOnly.category_applied_input_types.hate, []);
        });

        it('answers 404 for an unknown moderation model', async () => {
            const error = await client.moderations.create({ input: 'hi', model: 'text-moderation-007' }).catch((e) => e);
            assert.ok(error instanceof NotFoundError);
            assert.equal(error.code, 'model_not_found');
        });

        it('rejects an input that is neither text nor a list of texts', async () => {
            const answer = await raw(server, '/moderations', { body: { input: [1, 2] } });
            assert.equal(answer.status, 400);
            assert.ok(server.requests[0].schemaErrors.length > 0);
        });
    });

    describe('authentication and routing', () => {
        it('answers 401 invalid_api_key to a wrong key, showing it masked', async () => {
            const wrongKey = 'sk-wrong.abcdefghijklmnopqrstuvwxyz';
            const error = await clientFor(server, { apiKey: wrongKey })
                .chat.completions.create(hello)
                .catch((e) => e);
            assert.ok(error instanceof AuthenticationError);
            assert.equal(error.status, 401);
            assert.equal(error.code, 'invalid_api_key');
            assert.equal(
                error.message,
                '401 Incorrect API key provided: sk-wr****wxyz. ' +
                    'You can find your API key at https://platform.openai.com/account/api-keys.',
            );
            assert.match(error.requestID ?? '', /^req_/);
            assert.equal(server.requests.length, 1, 'refused requests are recorded too');
        });

        it("answers 401 with OpenAI's message when no key is sent", async () => {
            const answer = await raw(server, '/models', { method: 'GET', apiKey: null });
            assert.equal(answer.status, 401);
            assert.match(answer.json.error.message, /^You didn't provide an API key/);
            assert.equal(answer.json.error.code, null);
        });

        it('answers 404 to an unknown path and 405 to a wrong method, each with a request id', async () => {
            const unknown = await raw(server, '/engines', { method: 'GET' });
            assert.equal(unknown.status, 404);
            assert.equal(unknown.json.error.message, 'Invalid URL (GET /v1/engines)');

            const wrongMethod = await raw(server, '/chat/completions', { method: 'GET' });
            assert.equal(wrongMethod.status, 405);
            assert.equal(wrongMethod.headers.get('allow'), 'POST');

            const ids = [unknown, wrongMethod].map((answer) => answer.headers.get('x-request-id'));
            assert.ok(ids.every((id) => /^req_[0-9a-f]+$/.test(id ?? '')));
            assert.notEqual(ids[0], ids[1]);
        });

        it('refuses a body over the size limit with 413 and keeps serving', async () => {
            const answer = await raw(server, '/chat/completions', { rawBody: 'x'.repeat(MAX_BODY_BYTES + 1) });
            assert.equal(answer.status, 413);
            assert.equal((await client.chat.completions.create(hello)).object, 'chat.completion');
        });
    });

    describe('faults', () => {
        it('answers a queued status with an OpenAI error body naming it', async () => {
            server.failNext({ kind: 'status', status: 429 });
            const error = await client.chat.completions.create(hello).catch((e) => e);
            assert.ok(error instanceof RateLimitError);
            assert.equal(error.type, 'requests');
            assert.equal(error.code, 'rate_limit_exceeded');
            assert.match(error.message, /429/);
        });

        it('lets the SDK retry after retry-after, so the second request succeeds', async () => {
            server.failNext({ kind: 'status', status: 429, headers: { 'retry-after': '1' } });
            let completion: OpenAI.ChatCompletion | undefined;
            const took = await elapsedMs(async () => {
                completion = await clientFor(server, { maxRetries: 1 }).chat.completions.create(hello);
            });
            assert.equal(completion?.choices[0].message.content, simulatedChatContent(hello));
            assert.equal(server.requests.length, 2);
            // The SDK's own first back-off is at most 0.5 s; a full second means it obeyed the header.
            assert.ok(took >= 950, `retried after ${Math.round(took)} ms`);
        });

        it('applies queued faults in order, `times` each, before the normal answers', async () => {
            server.failNext({ kind: 'status', status: 500 });
            server.failNext({ kind: 'status', status: 503, body: { error: { message: 'custom', type: 'x' } } }, 2);
            const statuses: number[] = [];
            for (let i = 0; i < 4; i++) statuses.push((await raw(server, '/chat/completions', { body: hello })).status);
            assert.deepEqual(statuses, [500, 503, 503, 200]);

            server.failNext({ kind: 'status', status: 500 });
            const error = await client.chat.completions.create(hello).catch((e) => e);
            assert.ok(error instanceof InternalServerError);
            assert.equal(error.type, 'server_error');
        });

        it('sends the custom body and headers of a status fault', async () => {
            const body = { error: { message: 'custom' } };
            server.failNext({ kind: 'status', status: 503, body, headers: { 'x-extra': 'yes' } });
            const answer = await raw(server, '/chat/completions', { body: hello });
            assert.equal(answer.status, 503);
            assert.deepEqual(answer.json, { error: { message: 'custom' } });
            assert.equal(answer.headers.get('x-extra'), 'yes');
        });

        it('applies a fault before checking the key', async () => {
            server.failNext({ kind: 'body', body: { ok: true } });
            const answer = await raw(server, '/chat/completions', { body: hello, apiKey: 'sk-wrong' });
            assert.equal(answer.status, 200);
            assert.deepEqual(answer.json, { ok: true });
        });

        it('drops the connection: the SDK reports a connection error', async () => {
            server.failNext({ kind: 'drop' });
            const error = await client.chat.completions.create(hello).catch((e) => e);
            assert.ok(error instanceof APIConnectionError);
            assert.ok(!(error instanceof APIConnectionTimeoutError));
            assert.equal(server.requests.length, 1);
        });

        it('hangs: the SDK gives up after its timeout', async () => {
            server.failNext({ kind: 'hang' });
            let error: unknown;
            const took = await elapsedMs(async () => {
                error = await clientFor(server, { timeout: 200 }).chat.completions.create(hello).catch((e) => e);
            });
            assert.ok(error instanceof APIConnectionTimeoutError);
            assert.ok(took >= 150 && took < 2000, `gave up after ${Math.round(took)} ms`);
        });

        it('stalls after the headers: the answer comes, its body never ends', async () => {
            server.failNext({ kind: 'stall' });
            const response = await client.chat.completions.create(hello).asResponse();
            assert.equal(response.status, 200);
            const reading = response.text().then(() => 'ended', () => 'failed');
            const later = new Promise((resolve) => setTimeout(resolve, 300, 'still reading'));
            assert.equal(await Promise.race([reading, later]), 'still reading');
        });

        it('answers malformed JSON with a JSON content type', async () => {
            server.failNext({ kind: 'malformed' });
            await assert.rejects(client.chat.completions.create(hello), SyntaxError);

            server.failNext({ kind: 'malformed' });
            const answer = await raw(server, '/chat/completions', { body: hello });
            assert.equal(answer.status, 200);
            assert.equal(answer.headers.get('content-type'), 'application/json');
            assert.equal(answer.json, undefined);
            assert.ok(answer.text.length > 0);
        });

        it('answers a given body with 200, such as a completion without choices', async () => {
            server.failNext({ kind: 'body', body: { id: 'chatcmpl-odd', object: 'chat.completion' } });
            const completion = await client.chat.completions.create(hello);
            assert.equal(completion.id, 'chatcmpl-odd');
            assert.equal(completion.choices, undefined);
        });

        it('refuses a status fault that is not an HTTP status', () => {
            assert.throws(() => server.failNext({ kind: 'status', status: 42 }), RangeError);
        });
    });

    describe('latency and reset', () => {
        it('waits latencyMs before answering', async () => {
            server.latencyMs = 150;
            const took = await elapsedMs(() => client.chat.completions.create(hello));
            assert.ok(took >= 140, `answered after ${Math.round(took)} ms`);
        });

        it('reset forgets requests and faults and restores the starting latency', async () => {
            const slow = await startTestServer({ latencyMs: 20 });
            try {
                slow.failNext({ kind: 'status', status: 500 }, 3);
                assert.equal((await raw(slow, '/models', { method: 'GET' })).status, 500);
                assert.equal(slow.requests.length, 1);
                slow.latencyMs = 1000;

                slow.reset();
                assert.equal(slow.requests.length, 0);
                assert.equal(slow.latencyMs, 20);
                const answer = await raw(slow, '/models', { method: 'GET' });
                assert.equal(answer.status, 200, 'the queued faults are gone');
                assert.equal(slow.requests.length, 1);
            } finally {
                await slow.close();
            }
        });
    });

    describe('life cycle and options', () => {
        it('close ends hung connections at once', async () => {
            const other = await startTestServer();
            other.failNext({ kind: 'hang' });
            const pending = raw(other, '/models', { method: 'GET' }).then(
                () => 'answered',
                () => 'failed',
            );
            while (other.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
            const took = await elapsedMs(() => other.close());
            assert.ok(took < 1000, `closed after ${Math.round(took)} ms`);
            assert.equal(await pending, 'failed');
            await other.close(); // a second close is harmless
        });

        it('lets the process exit after close, with a request hung and another waiting out its latency', async () => {
            // A leftover socket or timer would keep this child process alive.
            const script = `
                const { startTestServer } = require(${JSON.stringify(require.resolve('./openai-test-server'))});
                (async () => {
                    const server = await startTestServer({ latencyMs: 60000 });
                    server.failNext({ kind: 'hang' });
                    for (let i = 0; i < 2; i++) fetch(server.url + '/models').catch(() => {});
                    while (server.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
                    await server.close();
                })();`;
            const runChild = () =>
                new Promise<void>((resolve, reject) => {
                    execFile(process.execPath, ['-e', script], { timeout: 10_000 }, (error) => (error ? reject(error) : resolve()));
                });
            const took = await elapsedMs(runChild);
            assert.ok(took < 5000, `the process ended after ${Math.round(took)} ms`);
        });

        it('with validate off, records no schema errors and answers what it can', async () => {
            const lenient = await startTestServer({ validate: false, apiKey: 'sk-other.key.1234567890' });
            try {
                const answer = await raw(lenient, '/chat/completions', { body: { ...hello, temperature: 5, extra: true } });
                assert.equal(answer.status, 200);
                assert.deepEqual(lenient.requests[0].schemaErrors, []);
                assert.equal(lenient.apiKey, 'sk-other.key.1234567890');
                const refused = await raw(lenient, '/chat/completions', { body: { model: 'gpt-4o-mini' } });
                assert.equal(refused.status, 400);
            } finally {
                await lenient.close();
            }
        });

        it('with keyless on, answers a request without a key, records its headers, and still refuses a wrong key', async () => {
            const open = await startTestServer({ keyless: true });
            try {
                const answer = await raw(open, '/models', { method: 'GET', apiKey: null });
                assert.equal(answer.status, 200);
                assert.equal(open.requests[0].headers.authorization, undefined);
                assert.equal((await raw(open, '/models', { method: 'GET', apiKey: 'sk-wrong.key.0123456789' })).status, 401);
                assert.equal((await raw(open, '/models', { method: 'GET' })).status, 200);
            } finally {
                await open.close();
            }
        });

        it('with maxRecorded, keeps only the newest requests', async () => {
            const bounded = await startTestServer({ maxRecorded: 2 });
            try {
                for (const path of ['/models/o4-mini', '/models/gpt-4o-mini', '/models/gpt-4.1-mini']) {
                    await raw(bounded, path, { method: 'GET' });
                }
                assert.deepEqual(
                    bounded.requests.map((request) => request.path),
                    ['/v1/models/gpt-4o-mini', '/v1/models/gpt-4.1-mini'],
                );
            } finally {
                await bounded.close();
            }
            await assert.rejects(startTestServer({ maxRecorded: -1 }), RangeError);
        });

        it('reads the schema from inside the repository, so a clone needs nothing beside it', () => {
            const root = path.resolve(__dirname, '..', '..', '..');
            const file = openApiSchemaPath();
            assert.equal(path.relative(root, file), path.join('test', 'server', 'openapi', 'openai-openapi-subset.json'));
            assert.ok(fs.existsSync(file));
        });
    });

    describe('predictions for other tests', () => {
        it('phrases the chat answer from the last user message', () => {
            assert.equal(
                simulatedChatContent({ messages: [{ role: 'user', content: 'Hi' }] }),
                'Simulated answer to "Hi" (conversation of 0 earlier messages).',
            );
            const followUp = {
                messages: [
                    { role: 'assistant', content: 'Yes?' },
                    { role: 'user', content: 'Hi' },
                ],
            };
            assert.equal(
                simulatedChatContent(followUp, 1),
                'Simulated answer to "Hi" (conversation of 1 earlier message). [choice 2]',
            );
        });

        it('counts words as tokens', () => {
            assert.equal(countTokens('  one two\nthree  '), 3);
            assert.equal(countTokens(''), 0);
        });

        it('flags each category through its triggers, at the start of a word only', () => {
            for (const category of MODERATION_CATEGORIES) {
                for (const trigger of MODERATION_TRIGGERS[category]) {
                    assert.ok(moderationScores(`text with ${trigger} inside`)[category] > FLAG_THRESHOLD, trigger);
                }
            }
            assert.equal(moderationResult('a useful skill').flagged, false);
        });
    });
});
