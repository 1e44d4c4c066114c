import { CHAT_DEFAULTS, MODERATE_DEFAULTS } from '../support/node-configs';

/** The two request nodes with their inputs set, for suites that run the same checks on both. */
export interface NodeUnderTest {
    name: string;
    config: Record<string, unknown>;
    /** A message each node answers with one output. */
    goodMessage(seq: number): Record<string, unknown>;
    /** The fields a request body of this node may hold. */
    documentedFields: readonly string[];
    path: string;
}

export const CHAT: NodeUnderTest = {
    name: 'openai-chat',
    // Temperature and n from the message, so that a test can send them.
    config: { ...CHAT_DEFAULTS, temperature: 'temperature', temperatureType: 'msg', responseCount: 'n', responseCountType: 'msg' },
    goodMessage: (seq) => ({ payload: `Question number ${seq}?`, seq }),
    documentedFields: ['model', 'messages', 'response_format', 'frequency_penalty', 'max_tokens', 'max_completion_tokens', 'n', 'presence_penalty', 'temperature', 'top_p', 'reasoning_effort', 'tools', 'tool_choice'],
    path: '/v1/chat/completions',
};

export const MODERATE: NodeUnderTest = {
    name: 'openai-moderate',
    config: { ...MODERATE_DEFAULTS, model: 'model', modelType: 'msg' },
    goodMessage: (seq) => ({ payload: `Text number ${seq}`, seq }),
    documentedFields: ['input', 'model'],
    path: '/v1/moderations',
};

export const BOTH = [CHAT, MODERATE];
