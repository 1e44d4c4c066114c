import type { NodeAPI } from 'node-red';
import OpenAI from 'openai';
import { type AccountSettings, clientOptions, type Environment } from '../lib/account-settings';
import { type Fetch, pacedFetch } from '../lib/paced-fetch';
import type { RateLimitPace } from '../lib/rate-limit';
import { proxyTransport } from './proxy';

/** The SDK's default per attempt when the account sets no timeout: 10 minutes. */
const SDK_DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

/** An SDK client for some account settings, with what must be freed and hidden. */
export interface AccountClient {
    client: OpenAI;
    /** The key, exactly as sent, and the proxy's password: blanked out of every error. */
    secrets: readonly string[];
    /** Frees the proxy's connections, if any, once their requests have ended. */
    close(): void;
}

/**
 * Builds the client for `settings` and `apiKey` (see clientOptions), going
 * through the account's proxy when it has one for its base URL (see
 * proxyTransport). With a `pace`, every attempt is counted against it and
 * every answer read into it (see pacedFetch). Throws what those throw: an
 * InputError naming a bad setting, a MissingKeyError.
 */
export function buildAccountClient(
    RED: NodeAPI,
    settings: AccountSettings,
    apiKey: string | undefined,
    env: Environment,
    pace?: RateLimitPace,
): AccountClient {
    const options = clientOptions(settings, apiKey, env);
    // Where the SDK sends an account with an empty base URL.
    const target = options.baseURL ?? (env.OPENAI_BASE_URL?.trim() || 'https://api.openai.com/v1');
    const transport = proxyTransport(RED, settings.proxy, target, options.timeout ?? SDK_DEFAULT_TIMEOUT_MS);
    try {
        const fetch = (transport?.options.fetch as Fetch | undefined) ?? globalThis.fetch;
        const client = new OpenAI({ ...options, ...transport?.options, ...(pace ? { fetch: pacedFetch(pace, fetch) } : {}) });
        return { client, secrets: [...(apiKey ? [apiKey] : []), ...(transport?.secrets ?? [])], close: () => transport?.close() };
    } catch (error) {
        transport?.close();
        throw error;
    }
}
