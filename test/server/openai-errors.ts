// Error answers in the shape and wording of the real OpenAI API, so the nodes
// meet the same `error.message`, `type`, `param` and `code` as in production.
import { STATUS_CODES } from 'node:http';

export interface OpenAIErrorBody {
    error: { message: string; type: string; param: string | null; code: string | null };
}

export interface ErrorReply {
    status: number;
    json: OpenAIErrorBody;
}

interface ErrorDetails {
    type?: string;
    param?: string | null;
    code?: string | null;
}

export function apiError(status: number, message: string, details: ErrorDetails = {}): ErrorReply {
    const { type = 'invalid_request_error', param = null, code = null } = details;
    return { status, json: { error: { message, type, param, code } } };
}

export function missingApiKey(): ErrorReply {
    return apiError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth " +
            "(i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing " +
            'the API from your browser and are prompted for a username and password. ' +
            'You can obtain an API key from https://platform.openai.com/account/api-keys.',
    );
}

export function incorrectApiKey(presented: string): ErrorReply {
    return apiError(
        401,
        `Incorrect API key provided: ${maskApiKey(presented)}. ` +
            'You can find your API key at https://platform.openai.com/account/api-keys.',
        { code: 'invalid_api_key' },
    );
}

/** Like the API: the first 5 and the last 4 characters, so a log never shows a whole key. */
export function maskApiKey(key: string): string {
    return key.length > 9 ? `${key.slice(0, 5)}****${key.slice(-4)}` : '****';
}

export function invalidJson(): ErrorReply {
    return apiError(
        400,
        'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP ' +
            'library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. ' +
            'If you have trouble figuring out how to fix this, please contact us through our help center at ' +
            'help.openai.com.)',
    );
}

export function modelNotFound(model: string): ErrorReply {
    return apiError(404, `The model \`${model}\` does not exist or you do not have access to it.`, {
        code: 'model_not_found',
    });
}

export function unsupportedParameter(param: string, advice = ''): ErrorReply {
    const message = `Unsupported parameter: '${param}' is not supported with this model.${advice ? ` ${advice}` : ''}`;
    return apiError(400, message, { param, code: 'unsupported_parameter' });
}

export function unsupportedValue(param: string, value: unknown): ErrorReply {
    return apiError(
        400,
        `Unsupported value: '${param}' does not support ${JSON.stringify(value)} with this model. ` +
            'Only the default (1) value is supported.',
        { param, code: 'unsupported_value' },
    );
}

export function invalidUrl(method: string, path: string): ErrorReply {
    return apiError(404, `Invalid URL (${method} ${path})`);
}

export function methodNotAllowed(method: string, path: string, allowed: readonly string[]): ErrorReply {
    return apiError(405, `Method ${method} is not allowed for ${path}; use ${allowed.join(' or ')}.`);
}

export function bodyTooLarge(limitBytes: number): ErrorReply {
    return apiError(413, `Request body too large: the limit is ${limitBytes / (1024 * 1024)} MB.`);
}

/** Type and code as the real API sends them, for the failures tests simulate most. */
const KNOWN_FAILURES: Partial<Record<number, { message: string; type: string; code: string | null }>> = {
    429: {
        message: 'Rate limit reached for requests. Please try again later.',
        type: 'requests',
        code: 'rate_limit_exceeded',
    },
    500: {
        message: 'The server had an error while processing your request. Sorry about that!',
        type: 'server_error',
        code: null,
    },
    503: {
        message: 'The engine is currently overloaded, please try again later.',
        type: 'server_error',
        code: null,
    },
};

/** What a `failNext({ kind: 'status' })` answers when the test gives no body of its own. */
export function simulatedStatusError(status: number): OpenAIErrorBody {
    const known = KNOWN_FAILURES[status];
    const type = known?.type ?? (status >= 500 ? 'server_error' : 'invalid_request_error');
    const message = `${known?.message ?? 'The request failed.'} (simulated ${status} ${STATUS_CODES[status] ?? 'error'})`;
    return apiError(status, message, { type, code: known?.code ?? null }).json;
}
