import { strict as assert } from 'node:assert';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { ResponseError } from '../../nodes/lib/response-error';
import { APIError } from 'openai';
import { type PartialText, readStream, StreamAssembly } from '../../nodes/lib/stream-assembly';

/** A chunk as the API streams it; `choices` are the deltas of this chunk. */
function chunk(choices: unknown[], extra: Record<string, unknown> = {}): ChatCompletionChunk {
    return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4.1-mini', choices, ...extra } as ChatCompletionChunk;
}

const text = (index: number, content: string, finish: string | null = null) => ({ index, delta: { content }, finish_reason: finish });

describe('stream assembly', () => {
    it('gives a partial text per chunk of content, and the answer as one chat.completion with the usage', () => {
        const assembly = new StreamAssembly();
        const partials = [
            ...assembly.add(chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }])),
            ...assembly.add(chunk([text(0, 'Hel')])),
            ...assembly.add(chunk([text(0, 'lo.')])),
            ...assembly.add(chunk([{ index: 0, delta: {}, finish_reason: 'stop' }])),
            ...assembly.add(chunk([], { usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } })),
        ];
        assert.deepEqual(partials, [
            { delta: 'Hel', content: 'Hel', choice: 0, sequence: 0 },
            { delta: 'lo.', content: 'Hello.', choice: 0, sequence: 1 },
        ]);
        assert.deepEqual(assembly.completion(), {
            id: 'chatcmpl-1',
            object: 'chat.completion',
            created: 1700000000,
            model: 'gpt-4.1-mini',
            choices: [{ index: 0, message: { role: 'assistant', content: 'Hello.', refusal: null }, finish_reason: 'stop', logprobs: null }],
            usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
        });
    });

    it('keeps interleaved choices apart and puts them in index order, counting partials over all of them', () => {
        const assembly = new StreamAssembly();
        const partials = [
            ...assembly.add(chunk([text(1, 'B1'), text(0, 'A1')])),
            ...assembly.add(chunk([text(0, 'A2', 'stop')])),
            ...assembly.add(chunk([text(1, 'B2', 'length')])),
        ];
        assert.deepEqual(
            partials.map((partial) => [partial.choice, partial.delta, partial.content, partial.sequence]),
            [
                [1, 'B1', 'B1', 0],
                [0, 'A1', 'A1', 1],
                [0, 'A2', 'A1A2', 2],
                [1, 'B2', 'B1B2', 3],
            ],
        );
        const { choices, usage } = assembly.completion();
        assert.deepEqual(
            choices.map((choice) => [choice.index, choice.message.content, choice.finish_reason]),
            [
                [0, 'A1A2', 'stop'],
                [1, 'B1B2', 'length'],
            ],
        );
        assert.equal(usage, undefined, 'a server that sends no usage chunk');
    });

    it('assembles tool calls from their pieces, and sends no partial text for them', () => {
        const assembly = new StreamAssembly();
        const pieces = [
            chunk([{ index: 0, delta: { role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'now', arguments: '' } }] }, finish_reason: null }]),
            chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"zone":' } }] }, finish_reason: null }]),
            chunk([{ index: 0, delta: { tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'convert', arguments: '{}' } }] }, finish_reason: null }]),
            chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"UTC"}' } }] }, finish_reason: 'tool_calls' }]),
        ];
        assert.deepEqual(pieces.flatMap((piece) => assembly.add(piece)), []);
        assert.deepEqual(assembly.completion().choices[0], {
            index: 0,
            message: {
                role: 'assistant',
                content: null,
                refusal: null,
                tool_calls: [
                    { id: 'call_1', type: 'function', function: { name: 'now', arguments: '{"zone":"UTC"}' } },
                    { id: 'call_2', type: 'function', function: { name: 'convert', arguments: '{}' } },
                ],
            },
            finish_reason: 'tool_calls',
            logprobs: null,
        });
    });

    it('collects a refusal', () => {
        const assembly = new StreamAssembly();
        assembly.add(chunk([{ index: 0, delta: { refusal: 'I cannot ' }, finish_reason: null }]));
        assembly.add(chunk([{ index: 0, delta: { refusal: 'help.' }, finish_reason: 'stop' }]));
        assert.equal(assembly.completion().choices[0].message.refusal, 'I cannot help.');
    });

    it('refuses to call an answer complete when the stream ended early', () => {
        const early = new StreamAssembly();
        early.add(chunk([text(0, 'Half an ans')]));
        assert.throws(() => early.completion(), (error: Error) => error instanceof ResponseError && /choices\[0\] was complete/.test(error.message));
        assert.throws(() => new StreamAssembly().completion(), ResponseError);
    });

    it('skips what a server should not send instead of trusting it', () => {
        const assembly = new StreamAssembly();
        const odd = [null, 'text', { index: -1, delta: { content: 'x' } }, { index: 0.5, delta: { content: 'x' } }, { index: 0, delta: { content: 7 } }, { index: 0, delta: null }];
        assert.deepEqual(assembly.add(chunk(odd)), []);
        assert.deepEqual(assembly.add(null as unknown as ChatCompletionChunk), []);
        assert.deepEqual(assembly.add(chunk([{ index: 0, delta: { tool_calls: [null, { index: 'x' }] }, finish_reason: 'stop' }])), []);
        assert.deepEqual(assembly.completion().choices, [{ index: 0, message: { role: 'assistant', content: null, refusal: null }, finish_reason: 'stop', logprobs: null }]);
    });

    it('keeps the service tier and system fingerprint of the chunks', () => {
        const assembly = new StreamAssembly();
        assembly.add(chunk([text(0, 'Hi', 'stop')], { service_tier: 'default', system_fingerprint: 'fp_1' }));
        const { service_tier, system_fingerprint } = assembly.completion();
        assert.deepEqual([service_tier, system_fingerprint], ['default', 'fp_1']);
    });
});

describe('reading a stream', () => {
    /** A stream of these chunks, then `end` (a throw) if given; records whether it was closed early. */
    function stream(chunks: ChatCompletionChunk[], end?: unknown) {
        const state = { returned: false };
        const iterable: AsyncIterable<ChatCompletionChunk> = {
            [Symbol.asyncIterator]() {
                let next = 0;
                return {
                    async next() {
                        if (next < chunks.length) return { done: false, value: chunks[next++] };
                        if (end !== undefined) throw end;
                        return { done: true, value: undefined };
                    },
                    async return() {
                        state.returned = true;
                        return { done: true, value: undefined };
                    },
                };
            },
        };
        return { iterable, state };
    }

    const answer = [chunk([text(0, 'Hel')]), chunk([text(0, 'lo', 'stop')]), chunk([], { usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } })];

    it('hands on each partial text as its chunk arrives and gives the assembled completion', async () => {
        const partials: PartialText[] = [];
        const completion = await readStream(stream(answer).iterable, (partial) => partials.push(partial), new AbortController().signal);
        assert.deepEqual(partials.map((partial) => partial.content), ['Hel', 'Hello']);
        assert.equal(completion.choices[0].message.content, 'Hello');
        assert.equal(completion.usage?.total_tokens, 3);
    });

    it("rejects with the abort's reason when the stream is aborted, though the SDK ends it quietly", async () => {
        const controller = new AbortController();
        const reason = new Error('closed');
        const partials: PartialText[] = [];
        const reading = readStream(stream(answer.slice(0, 1)).iterable, (partial) => {
            partials.push(partial);
            controller.abort(reason);
        }, controller.signal);
        await assert.rejects(reading, (error) => error === reason);
        assert.equal(partials.length, 1);
    });

    it('names a connection cut in mid-answer, with the reason fetch gives', async () => {
        const cut = new TypeError('terminated', { cause: new Error('other side closed') });
        const reading = readStream(stream(answer.slice(0, 1), cut).iterable, () => undefined, new AbortController().signal);
        await assert.rejects(reading, (error: Error) => error instanceof ResponseError && /stream broke off before the answer was complete \(terminated: other side closed\)/.test(error.message));
    });

    it("passes on the API's own error event as it is", async () => {
        const failure = new APIError(undefined, { message: 'The server had an error' }, undefined, new Headers());
        await assert.rejects(readStream(stream(answer.slice(0, 1), failure).iterable, () => undefined, new AbortController().signal), (error) => error === failure);
    });

    it('closes the stream, ending its request, when handing on a partial throws', async () => {
        const { iterable, state } = stream(answer);
        const thrown = new TypeError('a getter of the message threw');
        await assert.rejects(readStream(iterable, () => { throw thrown; }, new AbortController().signal), (error) => error === thrown);
        assert.equal(state.returned, true);
    });
});
