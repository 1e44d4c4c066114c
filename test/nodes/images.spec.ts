import { strict as assert } from 'node:assert';
import type { RecordedRequest } from '../server/openai-test-server';
import { helper, loadFlow, type Message, nodeById, send, settled, statusCalls } from '../support/flow';
import { dataUrl, IMAGES } from '../support/images';
import { CHAT_0_1, CHAT_DEFAULTS, MODERATE_0_1, MODERATE_DEFAULTS } from '../support/node-configs';
import { useTestServer } from '../support/suite-server';

interface ChatPayload {
    responses: string[];
    history: { role: string; content: unknown }[];
}

interface Verdict {
    flagged: boolean;
    categories: string[];
    categoryScores: Record<string, number>;
    appliedInputTypes?: Record<string, string[]>;
}

const text = (value: string) => ({ type: 'text', text: value });
const image = (url: string, detail?: string) => ({ type: 'image_url', image_url: detail ? { url, detail } : { url } });

/** An array whose element `index` throws when read, as a function node can build one. */
function throwingAt(list: unknown[], index: number): unknown[] {
    const copy = [...list];
    Object.defineProperty(copy, index, {
        enumerable: true,
        get() {
            throw new Error('the snapshot is gone');
        },
    });
    return copy;
}

describe('images', () => {
    const server = useTestServer();
    const account = () => ({ baseURL: server.url, maxRetries: '0', apiKey: server.apiKey });

    function body(index = 0): Record<string, unknown> {
        const request: RecordedRequest | undefined = server.requests[index];
        assert.ok(request, `request ${index} was not sent`);
        assert.deepEqual(request.schemaErrors, [], 'the body must be valid for the OpenAPI schema');
        return request.body as Record<string, unknown>;
    }

    /** Expects every message to have ended with an error matching `message`, and nothing sent. */
    function assertRefused(outcome: { outputs: Message[]; errors: Message[] }, message: RegExp): void {
        assert.equal(outcome.outputs.length, 0);
        assert.ok(outcome.errors.length > 0);
        for (const caught of outcome.errors) assert.match((caught.error as Error).message, message);
        assert.equal(server.requests.length, 0, 'nothing is sent');
        assert.deepEqual(statusCalls('n1').at(-1), { fill: 'red', shape: 'ring', text: 'status.error.input' });
    }

    describe('openai-chat', () => {
        const load = (node: Record<string, unknown> = {}, next?: Record<string, unknown>[]) =>
            loadFlow({ node: { ...CHAT_DEFAULTS, images: 'image', ...node }, account: account(), next });
        const payloadOf = (msg: Message) => msg.payload as ChatPayload;

        it('sends an http(s) URL after the text, and the answer tells what the server received', async () => {
            const outcome = await load();
            send({ payload: 'What is on this picture?', image: 'https://example.com/cat.jpg' });
            await settled(outcome, 1);
            assert.deepEqual(body(), {
                model: 'gpt-4.1-mini',
                messages: [{ role: 'user', content: [text('What is on this picture?'), image('https://example.com/cat.jpg')] }],
            });
            assert.equal(payloadOf(outcome.outputs[0]).responses[0], 'Simulated answer to "What is on this picture?" about 1 image: URL (conversation of 0 earlier messages).');
        });

        it('sends a data: URL as it is', async () => {
            const outcome = await load();
            send({ payload: 'And this one?', image: dataUrl('png') });
            await settled(outcome, 1);
            assert.deepEqual(body().messages, [{ role: 'user', content: [text('And this one?'), image(dataUrl('png'))] }]);
        });

        it('sends each kind of Buffer as a data: URL of the type its bytes show', async () => {
            const outcome = await load();
            const kinds = ['png', 'jpeg', 'gif', 'webp'] as const;
            for (const [seq, kind] of kinds.entries()) {
                send({ seq, payload: 'What is it?', image: IMAGES[kind] });
                await settled(outcome, seq + 1);
            }
            kinds.forEach((kind, index) => {
                assert.deepEqual(body(index).messages, [{ role: 'user', content: [text('What is it?'), image(dataUrl(kind))] }], kind);
                assert.match(payloadOf(outcome.outputs[index]).responses[0], new RegExp(`about 1 image: image/${kind} `));
            });
        });

        it('sends a list in order, each image with the detail chosen in the dialog', async () => {
            const outcome = await load({ imageDetail: 'low' });
            send({ payload: 'Compare them.', image: ['https://example.com/a.webp', IMAGES.jpeg, dataUrl('gif'), JSON.parse(JSON.stringify(IMAGES.png))] });
            await settled(outcome, 1);
            assert.deepEqual(body().messages, [
                {
                    role: 'user',
                    content: [
                        text('Compare them.'),
                        image('https://example.com/a.webp', 'low'),
                        image(dataUrl('jpeg'), 'low'),
                        image(dataUrl('gif'), 'low'),
                        image(dataUrl('png'), 'low'),
                    ],
                },
            ]);
            assert.match(payloadOf(outcome.outputs[0]).responses[0], / about 4 images: URL, image\/jpeg, image\/gif, image\/png /);
        });

        it('sends a plain user message for an empty list, or without the property', async () => {
            const outcome = await load();
            send({ seq: 0, payload: 'Hi', image: [] }, { seq: 1, payload: 'Hi' });
            await settled(outcome, 2);
            for (const index of [0, 1]) assert.deepEqual(body(index).messages, [{ role: 'user', content: 'Hi' }]);
        });

        it('reads the images from flow context, or from a property of a node saved without their type', async () => {
            const fromFlow = await load({ images: 'snapshot', imagesType: 'flow' });
            nodeById('n1').context().flow.set('snapshot', IMAGES.gif);
            send({ payload: 'What is it?' });
            await settled(fromFlow, 1);
            assert.deepEqual(body(0).messages, [{ role: 'user', content: [text('What is it?'), image(dataUrl('gif'))] }]);
            await helper.unload();

            const { imagesType: _type, ...untyped } = { ...CHAT_DEFAULTS, images: 'photo' };
            const outcome = await loadFlow({ node: untyped, account: account() });
            send({ payload: 'What is it?', photo: IMAGES.png });
            await settled(outcome, 1);
            assert.deepEqual(body(1).messages, [{ role: 'user', content: [text('What is it?'), image(dataUrl('png'))] }]);
        });

        it('reads no images in a node saved by 0.1, whatever the message holds', async () => {
            const outcome = await loadFlow({ node: CHAT_0_1, account: account() });
            send({ payload: 'Hi', images: [IMAGES.png], image: IMAGES.png });
            await settled(outcome, 1);
            assert.deepEqual(body(), { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Hi' }] });
        });

        it('keeps the user message as it was sent in the history, so the next chat node talks about the same image', async () => {
            const outcome = await load({}, [{ ...CHAT_DEFAULTS, userMessage: 'What colour is it?', userMessageType: 'str' }]);
            send({ payload: 'What is it?', image: IMAGES.jpeg });
            await settled(outcome, 1);
            assert.equal(server.requests.length, 2);
            const asked = { role: 'user', content: [text('What is it?'), image(dataUrl('jpeg'))] };
            const first = body(0).messages as unknown[];
            assert.deepEqual(first, [asked]);
            const second = body(1).messages as { role: string; content: unknown }[];
            assert.deepEqual(second[0], asked);
            assert.deepEqual(second.slice(1).map((message) => message.role), ['assistant', 'user']);
            const payload = payloadOf(outcome.outputs[0]);
            assert.equal(payload.responses[0], 'Simulated answer to "What colour is it?" (conversation of 2 earlier messages with 1 image).');
            assert.deepEqual(payload.history[0], asked);
        });

        it('sends a 5 MB image in one request, and gives it back in the history', async () => {
            const large = Buffer.concat([IMAGES.jpeg, Buffer.alloc(5 * 1024 * 1024, 0x5a)]);
            const outcome = await load();
            send({ payload: 'What is it?', image: large });
            await settled(outcome, 1);
            assert.equal(server.requests.length, 1);
            const url = dataUrl('jpeg', large);
            assert.deepEqual(body().messages, [{ role: 'user', content: [text('What is it?'), image(url)] }]);
            assert.equal((payloadOf(outcome.outputs[0]).history[0].content as { image_url?: { url: string } }[])[1].image_url?.url, url);
        });

        describe('refuses a bad image, naming it, and sends nothing', () => {
            const cases: [string, unknown, RegExp][] = [
                ['a number', 42, /^Error: images must be an http\(s\) URL, a data:image\/…;base64, URL or a Buffer of a PNG, JPEG, GIF or WebP image, got number$/],
                ['a file name', 'snapshot.jpg', /^Error: images must be .* got a string that is no http\(s\) or data: URL$/],
                ['a Buffer of text', Buffer.from('not an image'), /^Error: images must be .* got a buffer of none of these types$/],
                ['a data: URL of another type', 'data:image/svg+xml;base64,PHN2Zz4=', /^Error: images must be .* got a data: URL that is not a base64 PNG, JPEG, GIF or WebP image$/],
                ['the second element of a list', [IMAGES.png, { url: 'https://example.com/a.png' }], /^Error: images\[1\] must be .* got object$/],
                ['an empty Buffer in a list', ['https://example.com/a.png', IMAGES.gif, Buffer.alloc(0)], /^Error: images\[2\] must be .* got an empty buffer$/],
                ['17 images', Array.from({ length: 17 }, () => IMAGES.png), /^Error: images must hold at most 16 images, got 17$/],
                ['an element whose getter throws', throwingAt([IMAGES.png, IMAGES.png], 1), /^Error: images\[1\] could not be read: the snapshot is gone$/],
            ];
            for (const [name, value, message] of cases) {
                it(name, async () => {
                    const outcome = await load();
                    send({ payload: 'What is it?', image: value });
                    await settled(outcome, 1);
                    assertRefused(outcome, message);
                });
            }

            it('an imageDetail written by hand that is not auto, low or high', async () => {
                const outcome = await load({ imageDetail: 'ultra' });
                send({ payload: 'What is it?', image: IMAGES.png });
                await settled(outcome, 1);
                assertRefused(outcome, /^Error: imageDetail must be auto, low or high, got another word$/);
            });
        });
    });

    describe('openai-moderate', () => {
        const load = (node: Record<string, unknown> = {}) => loadFlow({ node: { ...MODERATE_DEFAULTS, images: 'image', ...node }, account: account() });
        const payloadOf = (msg: Message) => msg.payload as Verdict & { results?: Verdict[] };

        it('sends the text and the images as one multi-modal input, and tells what each flagged category looked at', async () => {
            const outcome = await load();
            send({ payload: 'I will kill you', image: ['https://example.com/a.png', IMAGES.webp] });
            await settled(outcome, 1);
            assert.deepEqual(body(), { input: [text('I will kill you'), image('https://example.com/a.png'), image(dataUrl('webp'))] });
            const result = payloadOf(outcome.outputs[0]);
            assert.deepEqual(Object.keys(result), ['flagged', 'categories', 'categoryScores', 'appliedInputTypes']);
            assert.equal(result.flagged, true);
            assert.deepEqual(result.categories, ['violence']);
            assert.deepEqual(result.appliedInputTypes, { violence: ['text', 'image'] });
            assert.deepEqual(statusCalls('n1').at(-1), { fill: 'green', shape: 'dot', text: 'status.flagged' });
        });

        it('moderates an image alone when the text is empty, with nothing flagged and appliedInputTypes {}', async () => {
            // A file-in node puts the picture in msg.payload; the text is left empty.
            const outcome = await load({ text: '', textType: 'str', images: 'payload' });
            send({ payload: IMAGES.jpeg });
            await settled(outcome, 1);
            assert.deepEqual(body(), { input: [image(dataUrl('jpeg'))] });
            const result = payloadOf(outcome.outputs[0]);
            assert.equal(result.flagged, false);
            assert.deepEqual(result.appliedInputTypes, {});
        });

        it('keeps the output of a text without images as 0.1 gave it, also in a node saved by 0.1', async () => {
            for (const node of [{ ...MODERATE_DEFAULTS, images: 'image' }, MODERATE_0_1]) {
                const outcome = await loadFlow({ node, account: account() });
                send({ payload: 'I will kill you', image: [] });
                await settled(outcome, 1);
                assert.deepEqual(server.requests.at(-1)?.body, { input: 'I will kill you' });
                assert.deepEqual(Object.keys(payloadOf(outcome.outputs[0])), ['flagged', 'categories', 'categoryScores']);
                await helper.unload();
            }
        });

        const cases: [string, Record<string, unknown>, RegExp][] = [
            ['a list of texts with images', { payload: ['a', 'b'], image: IMAGES.png }, /^Error: text must be one string when images are given \(they are moderated together\), got array$/],
            ['a bad image in a list', { payload: 'Fine?', image: [IMAGES.png, 'photo.png'] }, /^Error: images\[1\] must be .* got a string that is no http\(s\) or data: URL$/],
            ['no text and no images', { image: [] }, /^Error: text must be a string or an array of strings, got undefined$/],
            ['an element whose getter throws', { payload: 'Fine?', image: throwingAt([IMAGES.gif, IMAGES.gif], 1) }, /^Error: images\[1\] could not be read: the snapshot is gone$/],
        ];
        for (const [name, msg, message] of cases) {
            it(`refuses ${name}, naming the field, and sends nothing`, async () => {
                const outcome = await load();
                send(msg);
                await settled(outcome, 1);
                assertRefused(outcome, message);
            });
        }
    });
});
