import type { ClientOptions } from 'openai';
import { isUnset, optionalNumber } from './fields';
import type { MaxTokensField } from './chat';
import { MissingKeyError } from './failure';
import { InputError, kindOf } from './input-error';
import { authHeaderName, extraHeaders, extraQuery } from './request-extras';

/** The account node's saved settings (the editor saves numbers as strings). */
export interface AccountSettings {
    name?: string;
    baseURL?: string;
    organization?: string;
    project?: string;
    /** Seconds per request attempt, at most {@link MAX_TIMEOUT_SECONDS}; empty = the SDK's default. */
    timeout?: string | number;
    /** Retries on 408/409/429/5xx and connection errors, at most {@link MAX_RETRIES}; empty = the SDK's default (2). */
    maxRetries?: string | number;
    /** `auto` (default), `max_completion_tokens` or `max_tokens`. */
    maxTokensParam?: string;
    /** The id of an `http proxy` config node; empty = the proxy environment variables. */
    proxy?: string;
    /** Extra headers on every request: a JSON object of strings (see request-extras). */
    headers?: string | Record<string, unknown>;
    /** Extra query parameters on every request: a JSON object of strings. */
    query?: string | Record<string, unknown>;
    /** The header that carries the bare key; empty = `Authorization: Bearer <key>`. */
    authHeader?: string;
}

/**
 * The settings that decide where the account's requests go and what they
 * carry besides the key. A stored key is used only with exactly these.
 */
export const NETWORK_SETTINGS = ['baseURL', 'headers', 'query', 'proxy', 'authHeader'] as const;

/** The environment variables the account reads, e.g. `process.env`. */
export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * 24 days. Timers take at most 2^31 - 1 ms (24.8 days): above that Node fires
 * them at once, so every attempt would time out immediately.
 */
export const MAX_TIMEOUT_SECONDS = 24 * 24 * 60 * 60;

/** More retries than this only multiply the load on a server that is already failing. */
export const MAX_RETRIES = 10;

/**
 * Stands in for the key where a server needs none: the SDK refuses to build a
 * client without one, and the `Authorization: null` default header keeps it
 * from being sent.
 */
const NO_KEY = 'no-key';

/**
 * The account's name for messages: its name, else its server's host. Never
 * the base URL itself, which may hold a password.
 */
export function accountLabel(settings: AccountSettings): string {
    if (!isUnset(settings.name)) return settings.name;
    if (isUnset(settings.baseURL) || settings.baseURL.trim() === '') return 'OpenAI';
    return parseURL(settings.baseURL.trim())?.host || 'unnamed';
}

/**
 * Whether the base URL is OpenAI's own: empty (the SDK's default, or
 * OPENAI_BASE_URL, which the same environment set) or `https://api.openai.com/…`.
 * Only these get the environment's key, organization and project.
 */
export function isOpenAIBaseURL(baseURL: string | undefined): boolean {
    if (isUnset(baseURL) || baseURL.trim() === '') return true;
    const url = parseURL(baseURL.trim());
    return url?.protocol === 'https:' && url.host === 'api.openai.com' && url.username === '' && url.password === '';
}

/**
 * The key the account sends, trimmed (a pasted key often carries spaces or a
 * newline, and the trimmed string is the one to redact): the stored one, else
 * OPENAI_API_KEY for OpenAI's own base URL, else none.
 */
export function accountKey(storedKey: string | undefined, baseURL: string | undefined, env: Environment): string | undefined {
    const stored = storedKey?.trim();
    if (stored) return stored;
    return isOpenAIBaseURL(baseURL) ? env.OPENAI_API_KEY?.trim() || undefined : undefined;
}

/**
 * Builds the SDK's client options for `apiKey` (from {@link accountKey}).
 * Throws an InputError naming a bad setting, or a MissingKeyError for
 * OpenAI's own base URL without a key. Another server without a key gets
 * no `Authorization` header, and nothing from the environment. The extra
 * headers and query parameters go on every request; with `authHeader`, the
 * key goes bare in that header instead of `Authorization`.
 */
export function clientOptions(settings: AccountSettings, apiKey: string | undefined, env: Environment): ClientOptions {
    const baseURL = checkedBaseURL(settings.baseURL);
    const timeoutSeconds = optionalNumber('timeout', settings.timeout, { min: 0.001, max: MAX_TIMEOUT_SECONDS });
    const maxRetries = optionalNumber('maxRetries', settings.maxRetries, { min: 0, max: MAX_RETRIES, integer: true });
    const authHeader = authHeaderName(settings.authHeader);
    const headers = extraHeaders(settings.headers, authHeader);
    const query = extraQuery(settings.query);
    const openAI = isOpenAIBaseURL(baseURL);
    if (!apiKey && openAI) throw new MissingKeyError(accountLabel(settings));
    // No key has spaces inside; a header cannot hold a line break, and fetch would quote the key refusing it.
    if (apiKey && /[\s\p{Cc}]/u.test(apiKey)) {
        throw new InputError('apiKey', 'must not hold spaces, tabs or line breaks inside it: paste the key again');
    }

    // An admin key is for OpenAI's admin endpoints, which no node calls.
    const options: ClientOptions = { apiKey: (authHeader ? undefined : apiKey) || NO_KEY, adminAPIKey: null };
    if (baseURL !== undefined) options.baseURL = baseURL;
    const organization = trimmed(settings.organization);
    const project = trimmed(settings.project);
    if (organization) options.organization = organization;
    if (project) options.project = project;
    if (timeoutSeconds !== undefined) options.timeout = Math.round(timeoutSeconds * 1000);
    if (maxRetries !== undefined) options.maxRetries = maxRetries;
    const defaultHeaders: Record<string, string | null> = {};
    if (!openAI) {
        // Left out, these would be read from OPENAI_ORG_ID, OPENAI_PROJECT_ID
        // and OPENAI_CUSTOM_HEADERS, which are meant for OpenAI.
        options.organization ??= null;
        options.project ??= null;
        for (const name of customHeaderNames(env)) defaultHeaders[name] = null;
    }
    // After the nulls: a header the account sets itself is sent.
    Object.assign(defaultHeaders, headers);
    if (authHeader) {
        defaultHeaders.Authorization = null;
        if (apiKey) defaultHeaders[authHeader] = apiKey;
    } else if (!apiKey) {
        defaultHeaders.Authorization = null;
    }
    if (Object.keys(defaultHeaders).length > 0) options.defaultHeaders = defaultHeaders;
    if (Object.keys(query).length > 0) options.defaultQuery = query;
    return options;
}

/**
 * Whether `asked` has exactly the network settings of `deployed` (see
 * {@link NETWORK_SETTINGS}): missing and empty are the same; anything else
 * must be equal as saved, character for character. `resolve` turns a value
 * of `asked` into what the runtime would read (the editor sends `${NAME}`
 * as typed, while a deployed node holds the variable's value).
 */
export function sameNetworkSettings(
    asked: Readonly<Record<string, unknown>>,
    deployed: AccountSettings,
    resolve: (value: unknown) => unknown = (value) => value,
): boolean {
    return NETWORK_SETTINGS.every((name) => comparable(resolve(asked[name])) === comparable(deployed[name]));
}

function comparable(value: unknown): string {
    if (value === undefined || value === null) return '';
    return typeof value === 'string' ? value : JSON.stringify(value) ?? '';
}

/** The base URL, trimmed, or undefined when empty; an InputError unless it is a plain http(s) URL. */
function checkedBaseURL(value: unknown): string | undefined {
    if (isUnset(value)) return undefined;
    if (typeof value !== 'string') throw new InputError('baseURL', `must be an http or https URL, got ${kindOf(value)}`);
    const text = value.trim();
    if (text === '') return undefined;
    const url = parseURL(text);
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        throw new InputError('baseURL', 'must be an http or https URL, such as http://localhost:11434/v1');
    }
    if (url.username !== '' || url.password !== '') {
        throw new InputError('baseURL', 'must not hold a user name or password: put the key in the account\'s API key');
    }
    // The SDK appends each endpoint's path, which would land inside the fragment.
    if (text.includes('#')) throw new InputError('baseURL', 'must not hold a fragment (#…)');
    return text;
}

/** The header names of OPENAI_CUSTOM_HEADERS, one `Name: value` a line, as the SDK reads them. */
function customHeaderNames(env: Environment): string[] {
    const lines = env.OPENAI_CUSTOM_HEADERS?.split('\n') ?? [];
    return lines
        .filter((line) => line.includes(':'))
        .map((line) => line.slice(0, line.indexOf(':')).trim())
        .filter((name) => name !== '');
}

function trimmed(value: unknown): string | undefined {
    return typeof value === 'string' ? value.trim() || undefined : undefined;
}

function parseURL(text: string): URL | undefined {
    try {
        return new URL(text);
    } catch {
        return undefined;
    }
}

/**
 * The request field that carries the chat node's token limit. OpenAI (and
 * Azure OpenAI) take `max_completion_tokens` and their reasoning models reject
 * `max_tokens`; many other OpenAI-compatible servers only know `max_tokens`.
 */
export function maxTokensField(setting: string | undefined, baseURL: string): MaxTokensField {
    if (setting === 'max_tokens' || setting === 'max_completion_tokens') return setting;
    const host = parseURL(baseURL)?.hostname.toLowerCase() ?? '';
    const isOpenAI = host === 'api.openai.com' || host.endsWith('.openai.azure.com');
    return isOpenAI ? 'max_completion_tokens' : 'max_tokens';
}
