import type { Node, NodeAPI } from 'node-red';
import type OpenAI from 'openai';
import type { AccountSettings } from '../lib/account-settings';
import type { MaxTokensField } from '../lib/chat';
import type { RateLimitPace } from '../lib/rate-limit';
import { InputError } from '../lib/input-error';

/** What the request nodes need of an `openai-account` config node. */
export interface OpenAIAccount {
    /** The SDK client, built once per deployed account; throws a MissingKeyError or an InputError (a bad setting, named). */
    client(): OpenAI;
    /** Which request field carries the chat node's token limit for this account's server. */
    maxTokensField(): MaxTokensField;
    /** Strings that must never appear in an error, a status or a log line: the key, exactly as it is sent. */
    secrets(): readonly string[];
    /** The account's rate-limit pace, shared by every node that uses it. */
    pace: RateLimitPace;
}

/** The deployed config node, as the model list's admin endpoint sees it. */
export type AccountNode = Node<{ apiKey?: string }> &
    OpenAIAccount & {
        /** The settings it was deployed with (`${NAME}` references already replaced by Node-RED). */
        deployedSettings(): AccountSettings;
    };

/** The account a node's `account` property points at, or an InputError naming the property. */
export function findAccount(RED: NodeAPI, id: unknown): OpenAIAccount {
    const account = typeof id === 'string' && id !== '' ? (RED.nodes.getNode(id) as AccountNode | null) : null;
    if (!account || typeof account.client !== 'function') {
        throw new InputError('account', 'is not set: choose an OpenAI account in the node\'s settings and deploy it');
    }
    return account;
}
