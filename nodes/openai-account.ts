import type { NodeAPI, NodeDef } from 'node-red';
import type OpenAI from 'openai';
import { accountKey, accountLabel, type AccountSettings, maxTokensField } from './lib/account-settings';
import { MissingKeyError } from './lib/failure';
import { InputError } from './lib/input-error';
import { RateLimitPace } from './lib/rate-limit';
import type { MaxTokensField } from './lib/chat';
import type { AccountNode } from './runtime/account';
import { type AccountClient, buildAccountClient } from './runtime/account-client';
import { registerModelList } from './runtime/model-list';

type AccountDef = NodeDef & AccountSettings;

/**
 * `openai-account`: where to reach the API and with which key. One SDK
 * client per deployed account, built on first use and shared by every node
 * that points here; through its proxy, with its extra headers and query.
 * A missing key or a bad setting is reported on the messages that need the
 * client, never as a crash at deploy. The environment's key goes only to
 * OpenAI's own base URL (see accountKey).
 */
export = function register(RED: NodeAPI): void {
    function OpenAIAccountNode(this: AccountNode, config: AccountDef) {
        RED.nodes.createNode(this, config);
        const label = accountLabel(config);
        // Read once, at deploy: the same trimmed string is sent and redacted.
        const apiKey = accountKey(this.credentials?.apiKey, config.baseURL, process.env);
        let built: AccountClient | undefined;
        let tokenField: MaxTokensField | undefined;
        // One pace per deployed account: its nodes share what the server says of its limits.
        this.pace = new RateLimitPace();

        this.client = (): OpenAI => {
            if (built) return built.client;
            try {
                built = buildAccountClient(RED, config, apiKey, process.env, this.pace);
            } catch (error) {
                if (error instanceof MissingKeyError) throw error;
                const reason = error instanceof Error ? error.message : String(error);
                throw new InputError(`account "${label}"`, `cannot be used: ${reason}`);
            }
            return built.client;
        };
        // Asked on every chat message: the base URL is parsed once.
        this.maxTokensField = () => (tokenField ??= maxTokensField(config.maxTokensParam, this.client().baseURL));
        this.secrets = () => built?.secrets ?? (apiKey ? [apiKey] : []);
        this.deployedSettings = () => config;
        this.on('close', () => built?.close());
    }

    RED.nodes.registerType<AccountNode, AccountDef, unknown, { apiKey?: string }>('openai-account', OpenAIAccountNode, {
        credentials: { apiKey: { type: 'password' } },
    });
    registerModelList(RED);
};
