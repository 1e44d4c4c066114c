// The simulated API itself: which paths exist, and what each one answers.
// Everything here is synchronous and free of HTTP; the server does the I/O.
import { chatRuleProblem } from './chat-rules';
import { moderationImagesProblem } from './image-urls';
import type { BodyCheck, RequestSchema } from './openapi-validation';
import {
    apiError,
    type ErrorReply,
    invalidJson,
    invalidUrl,
    methodNotAllowed,
    modelNotFound,
    unsupportedParameter,
    unsupportedValue,
} from './openai-errors';
import { chatCompletionChunks, type ChatRequestLike, simulateChatCompletion } from './simulated-chat';
import { moderationResult, type ModerationInput } from './simulated-moderation';

export const CHAT_MODELS: readonly string[] = [
    'gpt-4.1-mini',
    'gpt-4.1',
    'gpt-4o-mini',
    'gpt-5.4-mini',
    'gpt-5-mini',
    'o4-mini',
];
export const MODERATION_MODELS: readonly string[] = ['omni-moderation-latest', 'omni-moderation-2024-09-26'];
/** Every model the simulated account can use, as `GET /v1/models` lists them. */
export const MODELS: readonly string[] = [...CHAT_MODELS, ...MODERATION_MODELS];

export const DEFAULT_MODERATION_MODEL = 'omni-moderation-latest';

/** A fixed date (2025-01-01) so that model listings never change. */
const MODELS_CREATED = 1_735_689_600;

/** A rejected body's message quotes this many schema errors at most. */
const ERRORS_IN_MESSAGE = 5;

/** Models that reason, and so refuse the sampling parameters of older models. */
const REASONING_MODEL = /^(o\d|gpt-5)/;

export type ParsedJson = { ok: true; value: unknown } | { ok: false };

export interface ApiRequest {
    method: string;
    path: string;
    json: ParsedJson;
    /** The schema check of the body, when validation is on and the route has a schema. */
    check?: BodyCheck;
    /** Unique per request; makes the ids of completions and moderations. */
    id: string;
}

export type Reply =
    | { status: number; json: unknown; headers?: Record<string, string> }
    /** Server-sent events, as `stream: true` asks for. */
    | { status: 200; events: object[] };

interface Endpoint {
    method: 'GET' | 'POST';
    path: RegExp;
    schema?: RequestSchema;
    answer(request: ApiRequest, match: RegExpExecArray): Reply;
}

const ENDPOINTS: readonly Endpoint[] = [
    { method: 'GET', path: /^\/v1\/models$/, answer: listModels },
    { method: 'GET', path: /^\/v1\/models\/([^/]+)$/, answer: (_, match) => retrieveModel(match[1]) },
    { method: 'POST', path: /^\/v1\/chat\/completions$/, schema: 'chat', answer: createChatCompletion },
    { method: 'POST', path: /^\/v1\/moderations$/, schema: 'moderation', answer: createModeration },
];

/** Which schema the body of this request must follow, if any. */
export function schemaFor(method: string, path: string): RequestSchema | undefined {
    return ENDPOINTS.find((endpoint) => endpoint.method === method && endpoint.path.test(path))?.schema;
}

export function answer(request: ApiRequest): Reply {
    const atPath = ENDPOINTS.filter((endpoint) => endpoint.path.test(request.path));
    if (atPath.length === 0) return invalidUrl(request.method, request.path);
    const endpoint = atPath.find((candidate) => candidate.method === request.method);
    if (!endpoint) {
        const allowed = atPath.map((candidate) => candidate.method);
        return { ...methodNotAllowed(request.method, request.path, allowed), headers: { allow: allowed.join(', ') } };
    }
    return endpoint.answer(request, endpoint.path.exec(request.path)!);
}

function listModels(): Reply {
    return { status: 200, json: { object: 'list', data: MODELS.map(modelObject) } };
}

function retrieveModel(encodedId: string): Reply {
    const id = decodePathPart(encodedId);
    return MODELS.includes(id) ? { status: 200, json: modelObject(id) } : modelNotFound(id);
}

function modelObject(id: string) {
    return { id, object: 'model', created: MODELS_CREATED, owned_by: 'system' };
}

type ChatRequest = ChatRequestLike & {
    model: string;
    stream?: boolean | null;
    stream_options?: { include_usage?: boolean } | null;
    [parameter: string]: unknown;
};

function createChatCompletion(request: ApiRequest): Reply {
    if (!request.json.ok) return invalidJson();
    const body = request.json.value;
    const rejection = schemaRejection(request.check) ?? chatShapeProblem(body);
    if (rejection) return rejection;
    const chat = body as ChatRequest;
    const problem = chatModelProblem(chat.model) ?? parameterProblem(chat) ?? chatRuleProblem(chat);
    if (problem) return problem;

    const completion = simulateChatCompletion(chat, { id: `chatcmpl-${request.id}`, created: unixTime() });
    if (!chat.stream) return { status: 200, json: completion };
    return { status: 200, events: chatCompletionChunks(completion, chat.stream_options?.include_usage === true) };
}

function createModeration(request: ApiRequest): Reply {
    if (!request.json.ok) return invalidJson();
    const body = request.json.value;
    const rejection = schemaRejection(request.check);
    if (rejection) return rejection;
    if (!isObject(body)) return apiError(400, "'input' is a required property", { param: 'input' });
    const model = body.model ?? DEFAULT_MODERATION_MODEL;
    if (typeof model !== 'string' || !MODERATION_MODELS.includes(model)) {
        return modelNotFound(String(model));
    }
    const inputs = moderationInputs(body.input);
    if (!inputs) return apiError(400, "Invalid value for 'input'.", { param: 'input', code: 'invalid_value' });
    const imageProblem = moderationImagesProblem(body.input);
    if (imageProblem) return imageProblem;
    return {
        status: 200,
        json: { id: `modr-${request.id}`, model, results: inputs.map(moderationResult) },
    };
}

/** Strings are moderated one by one; content parts (text and images) together, as one input. */
function moderationInputs(input: unknown): ModerationInput[] | undefined {
    if (typeof input === 'string') return [{ text: input }];
    if (!Array.isArray(input)) return undefined;
    if (input.every((item) => typeof item === 'string')) return input.map((text: string) => ({ text }));
    if (!input.every(isObject)) return undefined;
    const texts = input.filter((part) => part.type === 'text' && typeof part.text === 'string').map((part) => part.text);
    return [
        {
            text: texts.join('\n'),
            hasText: texts.length > 0,
            hasImage: input.some((part) => part.type === 'image_url'),
        },
    ];
}

/** The API names unknown arguments first; other schema errors come as one message. */
function schemaRejection(check: BodyCheck | undefined): ErrorReply | undefined {
    if (!check || check.errors.length === 0) return undefined;
    if (check.unrecognized.length > 0) {
        const plural = check.unrecognized.length > 1 ? 's' : '';
        return apiError(400, `Unrecognized request argument${plural} supplied: ${check.unrecognized.join(', ')}`);
    }
    const shown = check.errors.slice(0, ERRORS_IN_MESSAGE);
    const more = check.errors.length - shown.length;
    const message = `Invalid request body: ${shown.join('; ')}${more > 0 ? ` (and ${more} more)` : ''}`;
    return apiError(400, message, { param: check.param });
}

/** The minimum the simulation needs; only reached when schema validation is off. */
function chatShapeProblem(body: unknown): ErrorReply | undefined {
    if (!isObject(body) || typeof body.model !== 'string') {
        return apiError(400, 'you must provide a model parameter');
    }
    const messages = body.messages;
    const isMessage = (message: unknown) => isObject(message) && typeof message.role === 'string';
    if (!Array.isArray(messages) || messages.length === 0 || !messages.every(isMessage)) {
        return apiError(400, "Invalid 'messages': expected a non-empty array of messages with a role.", {
            param: 'messages',
        });
    }
    return undefined;
}

function chatModelProblem(model: string): ErrorReply | undefined {
    if (MODERATION_MODELS.includes(model)) {
        return apiError(
            404,
            'This is not a chat model and thus not supported in the v1/chat/completions endpoint. ' +
                'Did you mean to use v1/completions?',
            { param: 'model' },
        );
    }
    return CHAT_MODELS.includes(model) ? undefined : modelNotFound(model);
}

/** Reasoning models refuse the old sampling parameters; the others refuse reasoning ones. */
function parameterProblem(chat: ChatRequest): ErrorReply | undefined {
    if (!REASONING_MODEL.test(chat.model)) {
        return chat.reasoning_effort == null ? undefined : unsupportedParameter('reasoning_effort');
    }
    if (chat.max_tokens != null) {
        return unsupportedParameter('max_tokens', "Use 'max_completion_tokens' instead.");
    }
    for (const param of ['temperature', 'top_p']) {
        if (chat[param] != null && chat[param] !== 1) return unsupportedValue(param, chat[param]);
    }
    return undefined;
}

function decodePathPart(part: string): string {
    try {
        return decodeURIComponent(part);
    } catch {
        return part;
    }
}

function unixTime(): number {
    return Math.floor(Date.now() / 1000);
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
