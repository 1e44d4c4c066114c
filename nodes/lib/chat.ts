import type {
    ChatCompletion,
    ChatCompletionCreateParamsNonStreaming,
    ChatCompletionCreateParamsStreaming,
    ChatCompletionMessage,
} from 'openai/resources/chat/completions';
import { optionalNumber, optionalString, requiredString } from './fields';
import { type AssistantMessage, type ChatMessage, type InstructionMessage, parseHistory, type ToolCall, type UserMessage } from './history';
import { readImageDetail, readImages, userContent } from './images';
import { InputError } from './input-error';
import { answerText, onlyCalledTools, readResponse, readResponseFormat, type ResponseFormat, responseFormatParam } from './response-format';
import { ResponseError } from './response-error';
import { parseToolChoice, parseTools, readToolCalls, type ToolCallOutput } from './tools';

export type { ResponseFormat } from './response-format';

/** Which request field carries the token limit; servers differ (see the account node). */
export type MaxTokensField = 'max_completion_tokens' | 'max_tokens';

/**
 * The chat node's inputs for one message, as resolved from its TypedInputs.
 * Those added after 0.1 may be missing, and then mean "not given".
 */
export interface ChatInputs {
    model: unknown;
    responseFormat: unknown;
    systemPrompt: unknown;
    userMessage: unknown;
    history: unknown;
    frequencyPenalty: unknown;
    maxTokens: unknown;
    responseCount: unknown;
    presencePenalty: unknown;
    temperature: unknown;
    topP: unknown;
    jsonSchema?: unknown;
    reasoningEffort?: unknown;
    tools?: unknown;
    toolChoice?: unknown;
    images?: unknown;
    imageDetail?: unknown;
}

/** A checked request, ready for the SDK, and what the output needs of it. */
export interface ChatRequest {
    params: ChatCompletionCreateParamsNonStreaming;
    format: ResponseFormat;
    /** This turn's own messages, also found in `params.messages`; conversation memory places them itself. */
    turn: { system?: InstructionMessage; user?: UserMessage };
}

/** The chat node's `msg.payload`. */
export interface ChatResult {
    responses: unknown[];
    /** Only when the first choice called tools. */
    toolCalls?: ToolCallOutput[];
    history: ChatMessage[];
    finishReason: string | undefined;
    raw: ChatCompletion;
    /** `null` when the server sent no usage (some servers leave it out of a stream). */
    totalTokens: number | null;
}

/** A word of letters: which ones a model takes is the API's to judge. */
const REASONING_EFFORT = /^[A-Za-z]+$/;

/**
 * Checks the inputs and builds the request body. Inputs left empty are not
 * sent, so the API's own defaults apply. Throws an {@link InputError} naming
 * the first bad field; nothing is sent then. With `memory`, the history input
 * is left for conversation memory to read and the user message may be empty:
 * whether this turn answers tool calls is known only from the stored conversation.
 */
export function buildChatRequest(inputs: ChatInputs, maxTokensField: MaxTokensField, memory = false): ChatRequest {
    const format = readResponseFormat(inputs.responseFormat, inputs.jsonSchema);
    const model = requiredString('model', inputs.model);
    const history = memory ? [] : parseHistory(inputs.history);
    const systemPrompt = optionalString('systemPrompt', inputs.systemPrompt);
    // A turn that answers tool calls needs no new user message.
    const toolRound = memory || history.at(-1)?.role === 'tool';
    const userMessage = toolRound ? optionalString('userMessage', inputs.userMessage) : requiredString('userMessage', inputs.userMessage);
    const tools = parseTools(inputs.tools);
    const toolChoice = parseToolChoice(inputs.toolChoice, tools);
    const content = userContent(userMessage, readImages(inputs.images), readImageDetail(inputs.imageDetail));

    const system: InstructionMessage | undefined = systemPrompt === undefined ? undefined : { role: 'system', content: systemPrompt };
    const user: UserMessage | undefined = content === undefined ? undefined : { role: 'user', content };
    const messages: ChatMessage[] = [...history];
    if (system) messages.push(system);
    if (user) messages.push(user);

    const params: ChatCompletionCreateParamsNonStreaming = { model, messages };
    setIfGiven(params, 'response_format', responseFormatParam(format));
    setIfGiven(params, 'frequency_penalty', optionalNumber('frequencyPenalty', inputs.frequencyPenalty, { min: -2, max: 2 }));
    setIfGiven(params, maxTokensField, optionalNumber('maxTokens', inputs.maxTokens, { min: 1, integer: true }));
    // The API takes at most 128 choices per request.
    setIfGiven(params, 'n', optionalNumber('responseCount', inputs.responseCount, { min: 1, max: 128, integer: true }));
    setIfGiven(params, 'presence_penalty', optionalNumber('presencePenalty', inputs.presencePenalty, { min: -2, max: 2 }));
    setIfGiven(params, 'temperature', optionalNumber('temperature', inputs.temperature, { min: 0, max: 2 }));
    setIfGiven(params, 'top_p', optionalNumber('topP', inputs.topP, { min: 0, max: 1 }));
    setIfGiven(params, 'reasoning_effort', readReasoningEffort(inputs.reasoningEffort));
    setIfGiven(params, 'tools', tools);
    setIfGiven(params, 'tool_choice', toolChoice);
    return { params, format, turn: { system, user } };
}

/**
 * The same request, streamed: the answer comes in chunks, and the usage in a
 * last chunk of its own, which the API sends only when asked to.
 */
export function streamingParams(params: ChatCompletionCreateParamsNonStreaming): ChatCompletionCreateParamsStreaming {
    return { ...params, stream: true, stream_options: { include_usage: true } };
}

function readReasoningEffort(value: unknown): ChatCompletionCreateParamsNonStreaming['reasoning_effort'] | undefined {
    const effort = optionalString('reasoningEffort', value);
    if (effort === undefined) return undefined;
    if (!REASONING_EFFORT.test(effort)) {
        throw new InputError('reasoningEffort', `must be one word of letters (such as low or high), got a string with ${effort.trim() === '' ? 'only spaces' : 'other characters'}`);
    }
    // Newer values than the SDK knows are sent as they are.
    return effort as ChatCompletionCreateParamsNonStreaming['reasoning_effort'];
}

function setIfGiven<K extends keyof ChatCompletionCreateParamsNonStreaming>(
    params: ChatCompletionCreateParamsNonStreaming,
    key: K,
    value: ChatCompletionCreateParamsNonStreaming[K] | undefined,
): void {
    if (value !== undefined) params[key] = value;
}

/**
 * Turns the API's answer into the node's output: every choice's answer
 * (parsed in the JSON formats, `null` for a choice that only called tools),
 * the first choice's tool calls, the history extended with this turn, the
 * first choice's finish reason, the raw answer and the total token count.
 */
export function formatChatResult(request: ChatRequest, raw: ChatCompletion): ChatResult {
    const choices = raw?.choices;
    if (!Array.isArray(choices) || choices.length === 0) {
        throw new ResponseError('the chat completion answer has no choices');
    }
    const messages = choices.map((choice, index) => messageOf(choice, index));
    const responses = messages.map((message, index) => readResponse(request.format, message, index));
    const toolCalls = readToolCalls(messages[0].tool_calls);
    const history = request.params.messages as ChatMessage[];
    return {
        responses,
        ...(toolCalls ? { toolCalls } : {}),
        history: [...history, ...messages.map(historyEntry)],
        finishReason: choices[0].finish_reason ?? undefined,
        raw,
        totalTokens: typeof raw.usage?.total_tokens === 'number' ? raw.usage.total_tokens : null,
    };
}

function messageOf(choice: ChatCompletion.Choice | undefined, index: number): ChatCompletionMessage {
    const message = choice?.message;
    if (typeof message !== 'object' || message === null) {
        throw new ResponseError(`choices[${index}] has no message`);
    }
    return message;
}

/** The assistant's message as the history keeps it: its text, and its tool calls as the API returned them. */
function historyEntry(message: ChatCompletionMessage): AssistantMessage {
    const calls = message.tool_calls;
    if (!Array.isArray(calls) || calls.length === 0) return { role: 'assistant', content: answerText(message) };
    const content = onlyCalledTools(message) ? null : answerText(message);
    return { role: 'assistant', content, tool_calls: calls as ToolCall[] };
}
