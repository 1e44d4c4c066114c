// Deterministic chat answers. They are pure functions of the request so that
// a test can predict the exact reply, and readable so that a demo makes sense.
import { imageKinds } from './image-urls';
import { sampleJson } from './sample-json';

export interface ChatMessageLike {
    role: string;
    content?: unknown;
    tool_calls?: unknown;
    tool_call_id?: unknown;
}

/** A tool as the request offers it; only function tools are ever called. */
export interface ToolLike {
    type?: string;
    function?: { name?: string; parameters?: unknown };
}

/** The part of a chat completion request that shapes the answer (SDK params fit). */
export interface ChatRequestLike {
    model?: string;
    messages: readonly ChatMessageLike[];
    n?: number | null;
    response_format?: { type: string; json_schema?: { schema?: unknown } } | null;
    max_completion_tokens?: number | null;
    max_tokens?: number | null;
    tools?: readonly ToolLike[] | null;
    tool_choice?: unknown;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls';

export interface SimulatedToolCall {
    id: string;
    type: 'function';
    function: { name: string; arguments: string };
}

/** One choice: a text answer, a refusal (`content` null) or tool calls (`content` null). */
export interface SimulatedChoice {
    content: string | null;
    finishReason: FinishReason;
    refusal?: string;
    toolCalls?: SimulatedToolCall[];
}

/** In JSON mode, a last user message containing this marker gets an answer that is not JSON. */
export const NOT_JSON_MARKER = '[[not-json]]';

/** A last user message containing this marker is refused, in every response format. */
export const REFUSAL_MARKER = '[[refuse]]';

/** The refusal's text. */
export const REFUSAL_TEXT = "I'm sorry, but I can't help with that request.";

/** Roles that instruct the model rather than take part in the conversation. */
const INSTRUCTION_ROLES = new Set(['system', 'developer']);

const MAX_CHOICES = 128;
const INSTRUCTIONS_SHOWN = 60;
const TOOL_RESULT_SHOWN = 200;

/**
 * Choice `index` (0-based) of the answer to `request`, cut to the token limit.
 *
 * The text reads `Simulated answer to "U" (conversation of H earlier messages).`
 * where U is the last user message and H counts the messages before it, system
 * and developer instructions left out; those are quoted briefly instead. After
 * tool results it reads `Simulated answer to "U" using the tool result "R" (…).`.
 * U is the text of the message; its images are told after it, by media type
 * (`URL` for a link): `… to "U" about 2 images: image/png, URL (conversation
 * of H earlier messages with 1 image).`, the images of the earlier messages
 * counted at the end.
 * Choices after the first end in ` [choice N]`. In `json_object` mode the
 * content is `{"answer":…,"choice":N,"earlierMessages":H}`; in `json_schema`
 * mode it is a value that follows the schema (see `sampleJson`).
 *
 * With function tools, when the user spoke last (or `tool_choice` is
 * `required` or names a function), the choice calls the first tool (or the
 * named one), with arguments that follow its parameters' schema; its id is
 * `call_sim<R>_<N>`, R counting the tool rounds of the conversation.
 * A last user message holding `REFUSAL_MARKER` is refused.
 */
export function simulateChatChoice(request: ChatRequestLike, index = 0): SimulatedChoice {
    const conversation = readConversation(request.messages);
    if (conversation.question?.includes(REFUSAL_MARKER)) return { content: null, refusal: REFUSAL_TEXT, finishReason: 'stop' };
    const tool = toolToCall(request, conversation);
    if (tool) return { content: null, toolCalls: [toolCall(tool, request.messages, index)], finishReason: 'tool_calls' };
    const content = fullAnswer(request, conversation, index);
    const limit = request.max_completion_tokens ?? request.max_tokens;
    if (typeof limit === 'number' && limit >= 0 && limit < countTokens(content)) {
        const tokens = content.match(/\s*\S+/g) ?? [];
        return { content: tokens.slice(0, limit).join(''), finishReason: 'length' };
    }
    return { content, finishReason: 'stop' };
}

/** Just the content of `simulateChatChoice`; '' for a refusal or tool calls. */
export function simulatedChatContent(request: ChatRequestLike, index = 0): string {
    return simulateChatChoice(request, index).content ?? '';
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
    const completion = choices.reduce((sum, choice) => sum + countTokens(choiceText(choice)), 0);
    return {
        id: identity.id,
        object: 'chat.completion' as const,
        created: identity.created,
        model: request.model,
        choices: choices.map((choice, index) => ({
            index,
            message: {
                role: 'assistant' as const,
                content: choice.content,
                refusal: choice.refusal ?? null,
                annotations: [],
                ...(choice.toolCalls ? { tool_calls: choice.toolCalls } : {}),
            },
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
 * the role, one per word of the content (or of the refusal), one per tool
 * call with its name and then one with its arguments, one with the finish
 * reason; the choices interleaved, one chunk of each in turn, as the API
 * sends several; then, when asked for with `stream_options.include_usage`, a
 * last chunk with the usage only.
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
    const perChoice = completion.choices.map(({ index, message, finish_reason }) => [
        chunk([delta(index, { role: 'assistant', content: message.content === null ? null : '', refusal: null })]),
        ...tokenPieces(message.content ?? '').map((piece) => chunk([delta(index, { content: piece })])),
        ...tokenPieces(message.refusal ?? '').map((piece) => chunk([delta(index, { refusal: piece })])),
        ...(message.tool_calls ?? []).flatMap((call, callIndex) => [
            chunk([delta(index, { tool_calls: [{ index: callIndex, id: call.id, type: call.type, function: { name: call.function.name, arguments: '' } }] })]),
            chunk([delta(index, { tool_calls: [{ index: callIndex, function: { arguments: call.function.arguments } }] })]),
        ]),
        chunk([delta(index, {}, finish_reason)]),
    ]);
    const longest = Math.max(0, ...perChoice.map((chunks) => chunks.length));
    const chunks = Array.from({ length: longest }, (_, turn) => perChoice.flatMap((chunks) => (turn < chunks.length ? [chunks[turn]] : []))).flat();
    return includeUsage ? [...chunks, chunk([], completion.usage)] : chunks;
}

interface Conversation {
    /** Text of the last user message, if there is one. */
    question: string | undefined;
    /** What its images are: each one's media type, or `URL`. */
    images: string[];
    /** Messages before it, instructions left out. */
    earlier: number;
    /** How many images those earlier messages hold. */
    earlierImages: number;
    /** Text of the first system or developer message, if there is one. */
    instructions: string | undefined;
    /** Role of the last message that is not an instruction. */
    lastRole: string | undefined;
    /** The tool results the conversation ends with, in order. */
    toolResults: string[];
}

function fullAnswer(request: ChatRequestLike, conversation: Conversation, index: number): string {
    const sentence = answerSentence(conversation);
    const format = request.response_format;
    const jsonMode = format?.type === 'json_object' || format?.type === 'json_schema';
    if (jsonMode && !conversation.question?.includes(NOT_JSON_MARKER)) {
        const schema = format?.type === 'json_schema' ? format.json_schema?.schema : undefined;
        if (isObject(schema)) return JSON.stringify(sampleJson(schema));
        return JSON.stringify({ answer: sentence, choice: index + 1, earlierMessages: conversation.earlier });
    }
    const numbered = index === 0 ? sentence : `${sentence} [choice ${index + 1}]`;
    return jsonMode ? `Not JSON, as ${NOT_JSON_MARKER} asked: ${numbered}` : numbered;
}

function readConversation(messages: readonly ChatMessageLike[]): Conversation {
    const lastUser = messages.findLastIndex((message) => message.role === 'user');
    const before = lastUser === -1 ? messages : messages.slice(0, lastUser);
    const instructions = messages.find((message) => INSTRUCTION_ROLES.has(message.role));
    const spoken = messages.filter((message) => !INSTRUCTION_ROLES.has(message.role));
    const lastOther = spoken.findLastIndex((message) => message.role !== 'tool');
    const earlier = before.filter((message) => !INSTRUCTION_ROLES.has(message.role));
    return {
        question: lastUser === -1 ? undefined : textOf(messages[lastUser].content),
        images: lastUser === -1 ? [] : imageKinds(messages[lastUser].content),
        earlier: earlier.length,
        earlierImages: earlier.reduce((sum, message) => sum + imageKinds(message.content).length, 0),
        instructions: instructions && messageText(instructions.content),
        lastRole: spoken.at(-1)?.role,
        toolResults: spoken.slice(lastOther + 1).map((message) => messageText(message.content)),
    };
}

/** The function tool this choice calls, if it calls one. */
function toolToCall(request: ChatRequestLike, conversation: Conversation): { name: string; parameters?: unknown } | undefined {
    const tools = (request.tools ?? []).flatMap((tool) =>
        tool?.type === 'function' && typeof tool.function?.name === 'string' ? [{ ...tool.function, name: tool.function.name }] : [],
    );
    const choice = request.tool_choice;
    if (tools.length === 0 || choice === 'none') return undefined;
    if (isObject(choice) && choice.type === 'function' && isObject(choice.function)) {
        return tools.find((tool) => tool.name === (choice.function as Record<string, unknown>).name);
    }
    // Like a model left to choose: it calls a tool for a question, and answers once it has the results.
    return choice === 'required' || conversation.lastRole === 'user' ? tools[0] : undefined;
}

function toolCall(tool: { name: string; parameters?: unknown }, messages: readonly ChatMessageLike[], index: number): SimulatedToolCall {
    const round = messages.filter((message) => message.role === 'assistant' && Array.isArray(message.tool_calls) && message.tool_calls.length > 0).length + 1;
    const args = isObject(tool.parameters) ? sampleJson(tool.parameters) : {};
    return { id: `call_sim${round}_${index + 1}`, type: 'function', function: { name: tool.name, arguments: JSON.stringify(args) } };
}

/** What the usage counts of a choice: its text and its tool calls' arguments. */
function choiceText(choice: SimulatedChoice): string {
    const calls = (choice.toolCalls ?? []).map((call) => call.function.arguments);
    return [choice.content ?? choice.refusal ?? '', ...calls].join(' ');
}

function answerSentence({ question, images, earlier, earlierImages, instructions, toolResults }: Conversation): string {
    const subject =
        question === undefined ? 'Simulated answer without a user message' : `Simulated answer to "${question}"`;
    const about = images.length === 0 ? '' : ` about ${plural(images.length, 'image')}: ${images.join(', ')}`;
    const results = toolResults.map((result) => `"${shorten(result, TOOL_RESULT_SHOWN)}"`);
    const using = results.length === 0 ? '' : ` using the tool result${results.length === 1 ? '' : 's'} ${results.join(', ')}`;
    const withImages = earlierImages === 0 ? '' : ` with ${plural(earlierImages, 'image')}`;
    const context = [`conversation of ${plural(earlier, 'earlier message')}${withImages}`];
    if (instructions !== undefined) context.push(`following the instructions "${shorten(instructions, INSTRUCTIONS_SHOWN)}"`);
    return `${subject}${about}${using} (${context.join(', ')}).`;
}

function plural(count: number, noun: string): string {
    return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The text of a message's content, its media left out. */
function textOf(content: unknown): string {
    if (!Array.isArray(content)) return messageText(content);
    return messageText(content.filter((part) => isObject(part) && (part.type === 'text' || part.type === 'refusal')));
}

function shorten(text: string, length: number): string {
    const oneLine = text.replace(/\s+/g, ' ').trim();
    return oneLine.length > length ? `${oneLine.slice(0, length - 1)}…` : oneLine;
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

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
