import {
    APIConnectionError,
    APIConnectionTimeoutError,
    APIError,
    APIUserAbortError,
} from 'openai';
import { InputError } from './input-error';
import { ResponseError } from './response-error';

/** Keys of the short status texts (the `status.error.*` catalogue entries). */
export type FailureStatus =
    | 'input'
    | 'noKey'
    | 'auth'
    | 'forbidden'
    | 'notFound'
    | 'rateLimited'
    | 'badRequest'
    | 'server'
    | 'timeout'
    | 'connection'
    | 'aborted'
    | 'badResponse'
    | 'queueFull'
    | 'failed';

/** What a node reports when a message fails: an error for `done(err)` and a status key. */
export interface Failure {
    error: Error;
    status: FailureStatus;
}

/** The account has no API key; thrown before anything is sent. */
export class MissingKeyError extends Error {
    constructor(accountLabel: string) {
        super(
            `the account "${accountLabel}" has no API key: set one in its settings or set the OPENAI_API_KEY environment variable`,
        );
        this.name = 'MissingKeyError';
    }
}

/** The node's queue of waiting messages is full; the message was not sent. */
export class QueueFullError extends Error {
    constructor(limit: number) {
        super(`too many messages waiting (maxQueued is ${limit}); the message was not sent`);
        this.name = 'QueueFullError';
    }
}

/** The node was stopped or redeployed while the message waited or was in flight. */
export class ClosedError extends Error {
    constructor() {
        super('request aborted: the node was stopped or redeployed');
        this.name = 'ClosedError';
    }
}

const FAILURES_BY_STATUS: Record<number, FailureStatus> = {
    400: 'badRequest',
    401: 'auth',
    403: 'forbidden',
    404: 'notFound',
    408: 'timeout',
    422: 'badRequest',
    429: 'rateLimited',
};

/**
 * The one place that turns whatever went wrong into what the user sees: a
 * plain `Error` with a clear message (the field, or the HTTP status with the
 * API's own text and request id) and a short status key. Every `secrets`
 * string is blanked out of the message, whatever its source.
 */
export function describeFailure(cause: unknown, secrets: readonly string[]): Failure {
    const { message, status } = explain(cause);
    return { error: new Error(redact(message, secrets)), status };
}

function explain(cause: unknown): { message: string; status: FailureStatus } {
    if (cause instanceof InputError) return { message: cause.message, status: 'input' };
    if (cause instanceof MissingKeyError) return { message: cause.message, status: 'noKey' };
    if (cause instanceof QueueFullError) return { message: cause.message, status: 'queueFull' };
    if (cause instanceof ClosedError || cause instanceof APIUserAbortError) {
        return { message: new ClosedError().message, status: 'aborted' };
    }
    if (cause instanceof ResponseError) return { message: `unexpected answer from the API: ${cause.message}`, status: 'badResponse' };
    if (cause instanceof APIConnectionTimeoutError) {
        return { message: 'the API did not answer in time (see the account\'s timeout and maxRetries)', status: 'timeout' };
    }
    if (cause instanceof APIConnectionError) {
        return { message: `could not reach the API: ${connectionDetail(cause)}`, status: 'connection' };
    }
    if (cause instanceof APIError && typeof cause.status === 'number') {
        const status = FAILURES_BY_STATUS[cause.status] ?? (cause.status >= 500 ? 'server' : 'failed');
        const requestId = cause.requestID ? ` (request id ${cause.requestID})` : '';
        return { message: `OpenAI API error ${cause.message}${requestId}`, status };
    }
    if (cause instanceof SyntaxError) return { message: `unexpected answer from the API: ${cause.message}`, status: 'badResponse' };
    return { message: cause instanceof Error ? cause.message : String(cause), status: 'failed' };
}

/** fetch hides the useful part (`ECONNREFUSED`, `socket hang up`) a cause or two deep. */
function connectionDetail(error: APIConnectionError): string {
    const reasons = [error.message];
    for (let cause = error.cause; cause instanceof Error && reasons.length < 4; cause = cause.cause) {
        if (!reasons.includes(cause.message)) reasons.push(cause.message);
    }
    return reasons.join(': ');
}

function redact(text: string, secrets: readonly string[]): string {
    let clean = text;
    for (const secret of secrets) {
        if (secret) clean = clean.split(secret).join('[redacted]');
    }
    return clean;
}
