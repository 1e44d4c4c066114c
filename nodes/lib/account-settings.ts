import type { ClientOptions } from 'openai';
import { isUnset, optionalNumber } from './fields';
import type { MaxTokensField } from './chat';

/** The account node's saved settings (the editor saves numbers as strings). */
export interface AccountSettings {
    name?: string;
    baseURL?: string;
    organization?: string;
    project?: string;
    /** Seconds per request; empty = the SDK's default. */
    timeout?: string | number;
    /** Retries on 408/409/429/5xx and connection errors; empty = the SDK's default (2). */
    maxRetries?: string | number;
    /** `auto` (default), `max_completion_tokens` or `max_tokens`. */
    maxTokensParam?: string;
}

/** Builds the SDK's client options; throws an InputError naming a bad setting. */
export function clientOptions(settings: AccountSettings, apiKey: string): ClientOptions {
    const timeoutSeconds = optionalNumber('timeout', settings.timeout, { min: 0.001 });
    const maxRetries = optionalNumber('maxRetries', settings.maxRetries, { min: 0, integer: true });
    const options: ClientOptions = { apiKey };
    // Empty fields are left out, so the SDK's defaults (and its OPENAI_BASE_URL,
    // OPENAI_ORG_ID and OPENAI_PROJECT_ID variables) apply.
    if (!isUnset(settings.baseURL)) options.baseURL = settings.baseURL.trim();
    if (!isUnset(settings.organization)) options.organization = settings.organization.trim();
    if (!isUnset(settings.project)) options.project = settings.project.trim();
    if (timeoutSeconds !== undefined) options.timeout = Math.round(timeoutSeconds * 1000);
    if (maxRetries !== undefined) options.maxRetries = maxRetries;
    return options;
}

/**
 * The request field that carries the chat node's token limit. OpenAI (and
 * Azure OpenAI) take `max_completion_tokens` and their reasoning models reject
 * `max_tokens`; many other OpenAI-compatible servers only know `max_tokens`.
 */
export function maxTokensField(setting: string | undefined, baseURL: string): MaxTokensField {
    if (setting === 'max_tokens' || setting === 'max_completion_tokens') return setting;
    const host = hostOf(baseURL);
    const isOpenAI = host === 'api.openai.com' || host.endsWith('.openai.azure.com');
    return isOpenAI ? 'max_completion_tokens' : 'max_tokens';
}

function hostOf(url: string): string {
    try {
        return new URL(url).hostname.toLowerCase();
    } catch {
        return '';
    }
}
