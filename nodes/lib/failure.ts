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

/** The most of a server's error text that reaches `msg.error`, the log or the editor: an error page can be megabytes. */
export const MAX_ERROR_TEXT = 500;

/**
 * The one place that turns whatever went wrong into what the user sees: a
 * plain `Error` with a clear message (the field, or the HTTP status with the
 * API's own text and request id) and a short status key. Every `secrets`
 * string is blanked out of the message, whatever its source. Whatever was
 * thrown (an Error, `undefined`, an object that cannot be turned into a
 * string, a Proxy that throws when looked at), this never throws.
 */
export function describeFailure(cause: unknown, secrets: readonly string[]): Failure {
    // Texts from outside are redacted before they are cut, so a cut cannot leave part of a key.
    const outside = (text: string) => clip(redact(text, secrets));
    let explained: { message: string; status: FailureStatus };
    try {
        explained = explain(cause, outside);
    } catch {
        explained = { message: outside(reasonOf(cause)), status: 'failed' };
    }
    return { error: new Error(redact(explained.message, secrets)), status: explained.status };
}

/**
 * What a thrown value says about itself, as a string, without ever throwing:
 * an Error's message when it is a string, a string or number as it is, and
 * for anything else its kind.
 */
export function reasonOf(thrown: unknown): string {
    try {
        if (typeof thrown === 'string') return thrown;
        if (typeof thrown === 'number' || typeof thrown === 'boolean' || typeof thrown === 'bigint') return String(thrown);
        if (thrown instanceof Error && typeof thrown.message === 'string' && thrown.message !== '') return thrown.message;
    } catch {
        // A Proxy can throw even from instanceof; it is described by its kind below.
    }
    return `an unexplained failure (${thrown === null ? 'null' : typeof thrown} thrown)`;
}

/** The error of an input whose value could not be read (a getter, a context store or an expression failed). */
export function unreadable(field: string, thrown: unknown): InputError {
    return new InputError(field, `could not be read: ${reasonOf(thrown)}`);
}

function explain(cause: unknown, outside: (text: string) => string): { message: string; status: FailureStatus } {
    if (cause instanceof InputError) return { message: cause.message, status: 'input' };
    if (cause instanceof MissingKeyError) return { message: cause.message, status: 'noKey' };
    if (cause instanceof QueueFullError) return { message: cause.message, status: 'queueFull' };
    if (cause instanceof ClosedError || cause instanceof APIUserAbortError) {
        return { message: new ClosedError().message, status: 'aborted' };
    }
    if (cause instanceof ResponseError) return { message: `unexpected answer from the API: ${outside(cause.message)}`, status: 'badResponse' };
    if (cause instanceof APIConnectionTimeoutError) {
        return { message: 'the API did not answer in time (see the account\'s timeout and maxRetries)', status: 'timeout' };
    }
    if (cause instanceof APIConnectionError) {
        return { message: `could not reach the API: ${outside(connectionDetail(cause))}`, status: 'connection' };
    }
    if (cause instanceof APIError && typeof cause.status === 'number') {
        const status = FAILURES_BY_STATUS[cause.status] ?? (cause.status >= 500 ? 'server' : 'failed');
        const requestId = typeof cause.requestID === 'string' && cause.requestID !== '' ? ` (request id ${outside(cause.requestID)})` : '';
        return { message: `OpenAI API error ${outside(cause.message)}${requestId}`, status };
    }
    if (cause instanceof SyntaxError) return { message: `unexpected answer from the API: ${outside(cause.message)}`, status: 'badResponse' };
    return { message: outside(reasonOf(cause)), status: 'failed' };
}

/** A text from outside (a server, a thrown value) cut to MAX_ERROR_TEXT characters, saying that it was cut. */
function clip(text: string): string {
    return text.length <= MAX_ERROR_TEXT ? text : `${text.slice(0, MAX_ERROR_TEXT)}… (${text.length - MAX_ERROR_TEXT} more characters)`;
}

/** fetch hides the useful part (`ECONNREFUSED`, `socket hang up`) a cause or two deep. */
function connectionDetail(error: APIConnectionError): string {
    const reasons = [error.message];
    for (let cause = error.cause; cause instanceof Error && reasons.length < 4; cause = cause.cause) {
        if (typeof cause.message === 'string' && !reasons.includes(cause.message)) reasons.push(cause.message);
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
