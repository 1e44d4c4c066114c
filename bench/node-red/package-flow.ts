// Flow nodes of this package, with the settings the editor saves for a new
// node, so the bench deploys what a user who drags the node in would get.
import type { FlowNode } from './runtime';
import { CHAT_DEFAULTS, MODERATE_DEFAULTS } from '../../test/support/node-configs';
import { CHAT_MODEL } from '../workloads';

/** The in-flight limit and queue bound a new node gets in the editor. */
const EDITOR_LIMITS = { maxInFlight: 8, maxQueued: 10000 };

/** A flow node without its id. */
export type NodeSettings = Record<string, unknown> & { type: string };

/** The settings the editor saves for a new chat node, with the bench's model. */
export function chatNodeSettings(overrides: Record<string, unknown> = {}): NodeSettings {
    return { ...CHAT_DEFAULTS, model: CHAT_MODEL, ...EDITOR_LIMITS, ...overrides };
}

/** The settings the editor saves for a new moderate node. */
export function moderateNodeSettings(overrides: Record<string, unknown> = {}): NodeSettings {
    return { ...MODERATE_DEFAULTS, ...EDITOR_LIMITS, ...overrides };
}

/** An account node for `baseURL`; its key goes in the credentials. */
export function accountNode(id: string, baseURL: string): FlowNode {
    // The name must not equal a config node's id: Node-RED would take it for a reference.
    const name = `test server ${baseURL}`;
    return { id, type: 'openai-account', name, baseURL, organization: '', project: '', timeout: '', maxRetries: '', maxTokensParam: 'auto' };
}
