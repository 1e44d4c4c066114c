import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { optionalNumber, optionalString, requiredString } from './fields';
import { type ChatMessage, parseHistory } from './history';
import { InputError } from './input-error';
import { ResponseError } from './response-error';

export type ResponseFormat = 'text' | 'json';

/** Which request field carries the token limit; servers differ (see the account node). */
export type MaxTokensField = 'max_completion_tokens' | 'max_tokens';

/** The chat node's inputs for one message, as resolved from its TypedInputs. */
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
}

/** A checked request, ready for the SDK, and what the output needs of it. */
export interface ChatRequest {
    params: ChatCompletionCreateParamsNonStreaming;
    format: ResponseFormat;
}

/** The chat node's `msg.payload`. */
export interface ChatResult {
    responses: unknown[];
    history: ChatMessage[];
    finishReason: string | undefined;
    raw: ChatCompletion;
    totalTokens: number | undefined;
}

/**
 * Checks the inputs and builds the request body. Inputs left empty are not
 * sent, so the API's own defaults apply. Throws an {@link InputError} naming
 * the first bad field; nothing is sent then.
 */
export function buildChatRequest(inputs: ChatInputs, maxTokensField: MaxTokensField): ChatRequest {
    const format = readFormat(inputs.responseFormat);
    const model = requiredString('model', inputs.model);
    const history = parseHistory(inputs.history);
    const systemPrompt = optionalString('systemPrompt', inputs.systemPrompt);
    const userMessage = requiredString('userMessage', inputs.userMessage);

    const messages: ChatMessage[] = [...history];
    if (systemPrompt !== undefined) messages.push({ role: 'system', content: systemPrompt });
    messages.push({ role: 'user', content: userMessage });

    const params: ChatCompletionCreateParamsNonStreaming = { model, messages };
    if (format === 'json') params.response_format = { type: 'json_object' };
    setIfGiven(params, 'frequency_penalty', optionalNumber('frequencyPenalty', inputs.frequencyPenalty, { min: -2, max: 2 }));
    setIfGiven(params, maxTokensField, optionalNumber('maxTokens', inputs.maxTokens, { min: 1, integer: true }));
    // The API takes at most 128 choices per request.
    setIfGiven(params, 'n', optionalNumber('responseCount', inputs.responseCount, { min: 1, max: 128, integer: true }));
    setIfGiven(params, 'presence_penalty', optionalNumber('presencePenalty', inputs.presencePenalty, { min: -2, max: 2 }));
    setIfGiven(params, 'temperature', optionalNumber('temperature', inputs.temperature, { min: 0, max: 2 }));
    setIfGiven(params, 'top_p', optionalNumber('topP', inputs.topP, { min: 0, max: 1 }));
    return { params, format };
}

function readFormat(value: unknown): ResponseFormat {
    if (value === undefined || value === '' || value === 'text') return 'text';
    if (value === 'json') return 'json';
    throw new InputError('responseFormat', 'must be text or json');
}

function setIfGiven<K extends keyof ChatCompletionCreateParamsNonStreaming>(
    params: ChatCompletionCreateParamsNonStreaming,
    key: K,
    value: ChatCompletionCreateParamsNonStreaming[K] | undefined,
): void {
    if (value !== undefined) params[key] = value;
}

/**
 * Turns the API's answer into the node's output: every choice's content (parsed
 * in `json` format), the history extended with this turn, the first choice's
 * finish reason, the raw answer and the total token count.
 */
export function formatChatResult(request: ChatRequest, raw: ChatCompletion): ChatResult {
    const choices = raw?.choices;
    if (!Array.isArray(choices) || choices.length === 0) {
        throw new ResponseError('the chat completion answer has no choices');
    }
    const contents = choices.map((choice, index) => readContent(choice, index));
    const responses = request.format === 'json' ? contents.map(parseJsonContent) : contents;
    const history = request.params.messages as ChatMessage[];
    return {
        responses,
        history: [...history, ...contents.map((content): ChatMessage => ({ role: 'assistant', content }))],
        finishReason: choices[0].finish_reason ?? undefined,
        raw,
        totalTokens: raw.usage?.total_tokens,
    };
}

function readContent(choice: ChatCompletion.Choice | undefined, index: number): string {
    const message = choice?.message;
    if (typeof message !== 'object' || message === null) {
        throw new ResponseError(`choices[${index}] has no message`);
    }
    // A refusal comes with `content: null`; its text is the answer the user sees.
    return message.content ?? message.refusal ?? '';
}

function parseJsonContent(content: string, index: number): unknown {
    try {
        return JSON.parse(content);
    } catch {
        throw new ResponseError(`responses[${index}] is not valid JSON although responseFormat is json`);
    }
}
