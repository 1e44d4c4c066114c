// Deterministic chat answers. They are pure functions of the request so that
// a test can predict the exact reply, and readable so that a demo makes sense.

export interface ChatMessageLike {
    role: string;
    content?: unknown;
}

/** The part of a chat completion request that shapes the answer (SDK params fit). */
export interface ChatRequestLike {
    model?: string;
    messages: readonly ChatMessageLike[];
    n?: number | null;
    response_format?: { type: string } | null;
    max_completion_tokens?: number | null;
    max_tokens?: number | null;
}

export type FinishReason = 'stop' | 'length';

export interface SimulatedChoice {
    content: string;
    finishReason: FinishReason;
}

/** In JSON mode, a last user message containing this marker gets an answer that is not JSON. */
export const NOT_JSON_MARKER = '[[not-json]]';

/** Roles that instruct the model rather than take part in the conversation. */
const INSTRUCTION_ROLES = new Set(['system', 'developer']);

const MAX_CHOICES = 128;
const INSTRUCTIONS_SHOWN = 60;

/**
 * Choice `index` (0-based) of the answer to `request`, cut to the token limit.
 *
 * The text reads `Simulated answer to "U" (conversation of H earlier messages).`
 * where U is the last user message and H counts the messages before it, system
 * and developer instructions left out; those are quoted briefly instead. Choices
 * after the first end in ` [choice N]`. In JSON mode (`json_object` or
 * `json_schema`) the content is `{"answer":…,"choice":N,"earlierMessages":H}`.
 */
export function simulateChatChoice(request: ChatRequestLike, index = 0): SimulatedChoice {
    const content = fullAnswer(request, index);
    const limit = request.max_completion_tokens ?? request.max_tokens;
    if (typeof limit === 'number' && limit >= 0 && limit < countTokens(content)) {
        const tokens = content.match(/\s*\S+/g) ?? [];
        return { content: tokens.slice(0, limit).join(''), finishReason: 'length' };
    }
    return { content, finishReason: 'stop' };
}

/** Just the content of `simulateChatChoice`. */
export function simulatedChatContent(request: ChatRequestLike, index = 0): string {
    return simulateChatChoice(request, index).content;
}

/** The simulator's tokens are words: runs of non-space characters. */
export function countTokens(text: string): number {
    return text.match(/\S+/g)?.length ?? 0;
}

export function promptTokens(request: ChatRequestLike): number {
    return request.messages.reduce((sum, message) => sum + countTokens(messageText(message.content)), 0);
}

/** How many choices the request asks for, `n`, kept within what the API allows. */
export function choiceCount(request: ChatRequestLike): number {
    const n = request.n;
    return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_CHOICES) : 1;
}

/** Plain text of a message's content: a string, or text parts with placeholders for media. */
export function messageText(content: unknown): string {
    if (typeof content === 'string') return content;
    if (!Array.isArray(content)) return '';
    return content.map(partText).filter(Boolean).join(' ');
}

export interface CompletionIdentity {
    id: string;
    created: number;
}

/** A complete `CreateChatCompletionResponse`. */
export function simulateChatCompletion(request: ChatRequestLike & { model: string }, identity: CompletionIdentity) {
    const choices = Array.from({ length: choiceCount(request) }, (_, index) => simulateChatChoice(request, index));
    const prompt = promptTokens(request);
    const completion = choices.reduce((sum, choice) => sum + countTokens(choice.content), 0);
    return {
        id: identity.id,
        object: 'chat.completion' as const,
        created: identity.created,
        model: request.model,
        choices: choices.map((choice, index) => ({
            index,
            message: { role: 'assistant' as const, content: choice.content, refusal: null, annotations: [] },
            logprobs: null,
            finish_reason: choice.finishReason,
        })),
        usage: {
            prompt_tokens: prompt,
            completion_tokens: completion,
            total_tokens: prompt + completion,
            prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
            completion_tokens_details: {
                reasoning_tokens: 0,
                audio_tokens: 0,
                accepted_prediction_tokens: 0,
                rejected_prediction_tokens: 0,
            },
        },
        service_tier: 'default' as const,
        system_fingerprint: 'fp_simulated',
    };
}

export type ChatCompletion = ReturnType<typeof simulateChatCompletion>;

/**
 * The same completion as `stream: true` delivers it: per choice a chunk with
 * the role, one per word, one with the finish reason; then, when asked for
 * with `stream_options.include_usage`, a last chunk with the usage only.
 */
export function chatCompletionChunks(completion: ChatCompletion, includeUsage: boolean): object[] {
    const { id, created, model, system_fingerprint, service_tier } = completion;
    const chunk = (choices: object[], usage?: object) => ({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        service_tier,
        system_fingerprint,
        choices,
        ...(includeUsage ? { usage: usage ?? null } : {}),
    });
    const delta = (index: number, content: object, finishReason: FinishReason | null = null) => ({
        index,
        delta: content,
        logprobs: null,
        finish_reason: finishReason,
    });
    const chunks = completion.choices.flatMap(({ index, message, finish_reason }) => [
        chunk([delta(index, { role: 'assistant', content: '', refusal: null })]),
        ...tokenPieces(message.content).map((piece) => chunk([delta(index, { content: piece })])),
        chunk([delta(index, {}, finish_reason)]),
    ]);
    return includeUsage ? [...chunks, chunk([], completion.usage)] : chunks;
}

interface Conversation {
    /** Text of the last user message, if there is one. */
    question: string | undefined;
    /** Messages before it, instructions left out. */
    earlier: number;
    /** Text of the first system or developer message, if there is one. */
    instructions: string | undefined;
}

function fullAnswer(request: ChatRequestLike, index: number): string {
    const conversation = readConversation(request.messages);
    const sentence = answerSentence(conversation);
    const jsonMode = request.response_format?.type === 'json_object' || request.response_format?.type === 'json_schema';
    if (jsonMode && !conversation.question?.includes(NOT_JSON_MARKER)) {
        return JSON.stringify({ answer: sentence, choice: index + 1, earlierMessages: conversation.earlier });
    }
    const numbered = index === 0 ? sentence : `${sentence} [choice ${index + 1}]`;
    return jsonMode ? `Not JSON, as ${NOT_JSON_MARKER} asked: ${numbered}` : numbered;
}

function readConversation(messages: readonly ChatMessageLike[]): Conversation {
    const lastUser = messages.findLastIndex((message) => message.role === 'user');
    const before = lastUser === -1 ? messages : messages.slice(0, lastUser);
    const instructions = messages.find((message) => INSTRUCTION_ROLES.has(message.role));
    return {
        question: lastUser === -1 ? undefined : messageText(messages[lastUser].content),
        earlier: before.filter((message) => !INSTRUCTION_ROLES.has(message.role)).length,
        instructions: instructions && messageText(instructions.content),
    };
}

function answerSentence({ question, earlier, instructions }: Conversation): string {
    const subject =
        question === undefined ? 'Simulated answer without a user message' : `Simulated answer to "${question}"`;
    const context = [`conversation of ${earlier} earlier message${earlier === 1 ? '' : 's'}`];
    if (instructions !== undefined) context.push(`following the instructions "${shorten(instructions)}"`);
    return `${subject} (${context.join(', ')}).`;
}

function shorten(text: string): string {
    const oneLine = text.replace(/\s+/g, ' ').trim();
    return oneLine.length > INSTRUCTIONS_SHOWN ? `${oneLine.slice(0, INSTRUCTIONS_SHOWN - 1)}…` : oneLine;
}

/** Pieces of one token each, with the space before it; together they make `text` again. */
function tokenPieces(text: string): string[] {
    return text.match(/\s*\S+|\s+$/g) ?? [];
}

function partText(part: unknown): string {
    if (typeof part !== 'object' || part === null) return '';
    const { type, text, refusal } = part as Record<string, unknown>;
    if (type === 'text' && typeof text === 'string') return text;
    if (type === 'refusal' && typeof refusal === 'string') return refusal;
    if (type === 'image_url') return '[image]';
    if (type === 'input_audio') return '[audio]';
    if (type === 'file') return '[file]';
    return '';
}
