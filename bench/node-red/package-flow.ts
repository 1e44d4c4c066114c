// Flow nodes of this package, with the settings the editor saves for a new
// node, so the bench deploys what a user who drags the node in would get.
import type { FlowNode } from './runtime';
import { CHAT_MODEL } from '../workloads';

/** A flow node without its id. */
export type NodeSettings = Record<string, unknown> & { type: string };

/** The settings the editor saves for a new chat node, with the bench's model. */
export function chatNodeSettings(overrides: Record<string, unknown> = {}): NodeSettings {
    const settings: NodeSettings = {
        type: 'openai-chat',
        model: CHAT_MODEL,
        modelType: 'str',
        responseFormat: 'text',
        systemPrompt: '',
        systemPromptType: 'str',
        userMessage: 'payload',
        userMessageType: 'msg',
        history: 'payload.history',
        historyType: 'msg',
        maxInFlight: 8,
        maxQueued: 10000,
    };
    for (const name of ['frequencyPenalty', 'presencePenalty', 'maxTokens', 'responseCount', 'temperature', 'topP']) {
        settings[name] = '';
        settings[`${name}Type`] = 'num';
    }
    return { ...settings, ...overrides };
}

/** The settings the editor saves for a new moderate node. */
export function moderateNodeSettings(overrides: Record<string, unknown> = {}): NodeSettings {
    return { type: 'openai-moderate', text: 'payload', textType: 'msg', model: '', modelType: 'str', maxInFlight: 8, maxQueued: 10000, ...overrides };
}

/** An account node for `baseURL`; its key goes in the credentials. */
export function accountNode(id: string, baseURL: string): FlowNode {
    // The name must not equal a config node's id: Node-RED would take it for a reference.
    const name = `test server ${baseURL}`;
    return { id, type: 'openai-account', name, baseURL, organization: '', project: '', timeout: '', maxRetries: '', maxTokensParam: 'auto' };
}
