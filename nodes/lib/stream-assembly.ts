import type { ChatCompletion, ChatCompletionChunk, ChatCompletionMessageToolCall } from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import { OpenAIError } from 'openai';
import { ResponseError } from './response-error';

/** One partial message of a streamed answer: the new text of one choice, and that choice's text so far. */
export interface PartialText {
    delta: string;
    content: string;
    choice: number;
    /** Counts the partial texts of one answer, from 0. */
    sequence: number;
}

/** What a choice has said so far. */
interface ChoiceSoFar {
    content: string | null;
    refusal: string | null;
    /** Tool calls by their index in the stream, their arguments growing chunk by chunk. */
    toolCalls: Map<number, { id: string; name: string; arguments: string }>;
    finishReason: ChatCompletion.Choice['finish_reason'] | null;
}

/**
 * Puts a streamed chat answer back together, chunk by chunk: every choice's
 * text, refusal and tool calls (their arguments arrive in pieces) and the
 * usage that the last chunk may carry. {@link completion} gives the answer as
 * the API would have sent it without streaming, so that the node's output is
 * the same either way. Chunks come from a server: anything of the wrong type
 * in one is skipped rather than trusted.
 */
export class StreamAssembly {
    private readonly choices = new Map<number, ChoiceSoFar>();
    private id = '';
    private created = 0;
    private model = '';
    private systemFingerprint: string | undefined;
    private serviceTier: ChatCompletion['service_tier'] | undefined;
    private usage: CompletionUsage | undefined;
    private sequence = 0;

    /** Takes one chunk; returns a partial text for each choice whose content it adds to. */
    add(chunk: ChatCompletionChunk): PartialText[] {
        if (typeof chunk !== 'object' || chunk === null) return [];
        if (typeof chunk.id === 'string' && this.id === '') this.id = chunk.id;
        if (typeof chunk.created === 'number' && this.created === 0) this.created = chunk.created;
        if (typeof chunk.model === 'string' && this.model === '') this.model = chunk.model;
        if (typeof chunk.system_fingerprint === 'string') this.systemFingerprint = chunk.system_fingerprint;
        if (typeof chunk.service_tier === 'string') this.serviceTier = chunk.service_tier;
        if (typeof chunk.usage === 'object' && chunk.usage !== null) this.usage = chunk.usage;
        const partials: PartialText[] = [];
        for (const choice of Array.isArray(chunk.choices) ? chunk.choices : []) {
            const partial = this.addChoice(choice);
            if (partial) partials.push(partial);
        }
        return partials;
    }

    /**
     * The answer as one `chat.completion`, its choices in index order. Throws a
     * ResponseError when the stream ended before every choice had finished
     * (a server that closed it early without an error).
     */
    completion(): ChatCompletion {
        const indexes = [...this.choices.keys()].sort((a, b) => a - b);
        const unfinished = indexes.find((index) => this.choices.get(index)?.finishReason === null);
        if (indexes.length === 0) throw new ResponseError('the stream ended without an answer');
        if (unfinished !== undefined) throw new ResponseError(`the stream ended before choices[${unfinished}] was complete`);
        const completion: ChatCompletion = {
            id: this.id,
            object: 'chat.completion',
            created: this.created,
            model: this.model,
            choices: indexes.map((index) => finishedChoice(index, this.choices.get(index) as ChoiceSoFar)),
        };
        if (this.serviceTier !== undefined) completion.service_tier = this.serviceTier;
        if (this.systemFingerprint !== undefined) completion.system_fingerprint = this.systemFingerprint;
        if (this.usage !== undefined) completion.usage = this.usage;
        return completion;
    }

    private addChoice(choice: ChatCompletionChunk.Choice): PartialText | undefined {
        if (typeof choice !== 'object' || choice === null || !Number.isInteger(choice.index) || choice.index < 0) return undefined;
        let soFar = this.choices.get(choice.index);
        if (!soFar) {
            soFar = { content: null, refusal: null, toolCalls: new Map(), finishReason: null };
            this.choices.set(choice.index, soFar);
        }
        if (typeof choice.finish_reason === 'string') soFar.finishReason = choice.finish_reason;
        const delta = typeof choice.delta === 'object' && choice.delta !== null ? choice.delta : {};
        if (typeof delta.refusal === 'string') soFar.refusal = (soFar.refusal ?? '') + delta.refusal;
        if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls) addToolCall(soFar, call);
        if (typeof delta.content !== 'string' || delta.content === '') return undefined;
        soFar.content = (soFar.content ?? '') + delta.content;
        return { delta: delta.content, content: soFar.content, choice: choice.index, sequence: this.sequence++ };
    }
}

/**
 * Reads a streamed answer to its end, handing on each partial text as its
 * chunk arrives, and gives the answer assembled as one `chat.completion`.
 * Rejects with the abort's reason when `signal` aborts the stream.
 */
export async function readStream(
    chunks: AsyncIterable<ChatCompletionChunk>,
    onPartial: (partial: PartialText) => void,
    signal: AbortSignal,
): Promise<ChatCompletion> {
    const assembly = new StreamAssembly();
    const iterator = chunks[Symbol.asyncIterator]();
    let finished = false;
    try {
        for (;;) {
            const step = await iterator.next().catch((error: unknown) => Promise.reject(streamFailure(error, signal)));
            if (step.done) break;
            for (const partial of assembly.add(step.value)) onPartial(partial);
        }
        finished = true;
    } finally {
        // Leaving early (onPartial threw) must end the request, as a `break` out of the SDK's stream does.
        if (!finished) await iterator.return?.();
    }
    // The SDK ends an aborted stream quietly, as if it were complete: the abort's own reason ends the message.
    signal.throwIfAborted();
    return assembly.completion();
}

/**
 * What reading the next chunk failed with, for the message's error. The API's
 * own error event (an OpenAIError) and a malformed event (a SyntaxError) say
 * what went wrong; fetch fails a body cut off mid-answer with a bare
 * TypeError ("terminated"), its reason ("other side closed") in its cause.
 */
function streamFailure(error: unknown, signal: AbortSignal): unknown {
    if (signal.aborted) return signal.reason;
    if (error instanceof OpenAIError || !(error instanceof TypeError)) return error;
    return new ResponseError(`the stream broke off before the answer was complete (${causes(error)})`);
}

/** An error's message and those of its causes, a few deep. */
function causes(error: Error): string {
    const reasons: string[] = [];
    for (let cause: unknown = error; cause instanceof Error && reasons.length < 3; cause = cause.cause) {
        if (cause.message && !reasons.includes(cause.message)) reasons.push(cause.message);
    }
    return reasons.join(': ');
}

/** The first piece of a tool call names it; the pieces after it add to its arguments. */
function addToolCall(soFar: ChoiceSoFar, call: ChatCompletionChunk.Choice.Delta.ToolCall): void {
    if (typeof call !== 'object' || call === null || !Number.isInteger(call.index)) return;
    let known = soFar.toolCalls.get(call.index);
    if (!known) {
        known = { id: '', name: '', arguments: '' };
        soFar.toolCalls.set(call.index, known);
    }
    if (typeof call.id === 'string') known.id += call.id;
    if (typeof call.function?.name === 'string') known.name += call.function.name;
    if (typeof call.function?.arguments === 'string') known.arguments += call.function.arguments;
}

/** A choice whose finish reason has come (see {@link StreamAssembly.completion}). */
function finishedChoice(index: number, soFar: ChoiceSoFar): ChatCompletion.Choice {
    const message: ChatCompletion.Choice['message'] = { role: 'assistant', content: soFar.content, refusal: soFar.refusal };
    if (soFar.toolCalls.size > 0) {
        message.tool_calls = [...soFar.toolCalls.entries()]
            .sort(([a], [b]) => a - b)
            .map(([, call]): ChatCompletionMessageToolCall => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
    }
    return { index, message, finish_reason: soFar.finishReason as ChatCompletion.Choice['finish_reason'], logprobs: null };
}
