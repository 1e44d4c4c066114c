import type { NodeAPI, NodeDef } from 'node-red';
import OpenAI from 'openai';
import { type AccountSettings, clientOptions, maxTokensField } from './lib/account-settings';
import { MissingKeyError } from './lib/failure';
import { InputError } from './lib/input-error';
import type { MaxTokensField } from './lib/chat';
import type { AccountNode } from './runtime/account';
import { registerModelList } from './runtime/model-list';

type AccountDef = NodeDef & AccountSettings;

/**
 * `openai-account`: where to reach the API and with which key. One SDK
 * client per deployed account, built on first use and shared by every node
 * that points here. A missing key or a bad setting is reported on the
 * messages that need the client, never as a crash at deploy.
 */
export = function register(RED: NodeAPI): void {
    function OpenAIAccountNode(this: AccountNode, config: AccountDef) {
        RED.nodes.createNode(this, config);
        const label = config.name || config.baseURL || 'OpenAI';
        const apiKey = this.credentials?.apiKey || process.env.OPENAI_API_KEY || '';
        let client: OpenAI | undefined;
        let tokenField: MaxTokensField | undefined;

        this.client = () => {
            if (client) return client;
            if (!apiKey) throw new MissingKeyError(label);
            try {
                client = new OpenAI(clientOptions(config, apiKey));
            } catch (error) {
                const reason = error instanceof Error ? error.message : String(error);
                throw new InputError(`account "${label}"`, `cannot be used: ${reason}`);
            }
            return client;
        };
        // Asked on every chat message: the base URL is parsed once.
        this.maxTokensField = () => (tokenField ??= maxTokensField(config.maxTokensParam, this.client().baseURL));
        this.secrets = () => (apiKey ? [apiKey] : []);
    }

    RED.nodes.registerType<AccountNode, AccountDef, unknown, { apiKey?: string }>('openai-account', OpenAIAccountNode, {
        credentials: { apiKey: { type: 'password' } },
    });
    registerModelList(RED);
};
