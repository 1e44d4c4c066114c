// The flow the end-to-end test deploys, in the shape the editor sends to
// POST /flows: two HTTP endpoints in front of the package's nodes, and a
// Catch node that answers a failed request with HTTP 500 and the error text.

import { CHAT_DEFAULTS } from '../support/node-configs';

export const ACCOUNT_ID = 'e2e0000000000acc';
export const CHAT_ROUTE = '/e2e-chat';
export const MODERATE_ROUTE = '/e2e-moderate';
export const CHAT_MODEL = 'gpt-4.1-mini';
export const SYSTEM_PROMPT = 'Answer in one sentence.';

/** The chat node reads its text and temperature from the request body, so that a test can send a value out of range. */
const CHAT_INPUTS = {
    ...CHAT_DEFAULTS,
    model: CHAT_MODEL,
    systemPrompt: SYSTEM_PROMPT,
    userMessage: 'payload.text',
    temperature: 'payload.temperature',
    temperatureType: 'msg',
};

export function e2eFlow(baseURL: string, apiKey: string): Record<string, unknown>[] {
    const tab = 'e2e00000000000ab';
    const inTab = (node: Record<string, unknown>) => ({ z: tab, x: 100, y: 100, ...node });
    const httpIn = (id: string, url: string, next: string) =>
        inTab({ id, type: 'http in', name: '', url, method: 'post', upload: false, swaggerDoc: '', wires: [[next]] });
    const httpResponse = (id: string, headers: Record<string, string> = {}) =>
        inTab({ id, type: 'http response', name: '', statusCode: '', headers, wires: [] });

    return [
        { id: tab, type: 'tab', label: 'e2e', disabled: false, info: '' },
        {
            id: ACCOUNT_ID,
            type: 'openai-account',
            name: 'e2e account',
            baseURL,
            organization: '',
            project: '',
            timeout: '',
            maxRetries: '0',
            maxTokensParam: 'auto',
            // The editor sends a changed password inline on deploy; the runtime moves it to the credentials file.
            credentials: { apiKey },
        },

        httpIn('e2e0000000chatin', CHAT_ROUTE, 'e2e000000000chat'),
        inTab({ id: 'e2e000000000chat', name: '', account: ACCOUNT_ID, ...CHAT_INPUTS, wires: [['e2e0000000reply1']] }),
        httpResponse('e2e0000000reply1'),

        httpIn('e2e00000000modin', MODERATE_ROUTE, 'e2e0000000000mod'),
        inTab({
            id: 'e2e0000000000mod',
            type: 'openai-moderate',
            name: '',
            account: ACCOUNT_ID,
            text: 'payload.text',
            textType: 'msg',
            model: '',
            modelType: 'str',
            wires: [['e2e0000000reply2']],
        }),
        httpResponse('e2e0000000reply2'),

        // The caught message still carries msg.res, so the failed request is answered here.
        inTab({ id: 'e2e00000000catch', type: 'catch', name: '', scope: null, uncaught: false, wires: [['e2e00000000to500']] }),
        inTab({
            id: 'e2e00000000to500',
            type: 'change',
            name: 'error to HTTP 500',
            rules: [
                { t: 'set', p: 'statusCode', pt: 'msg', to: '500', tot: 'num' },
                { t: 'set', p: 'payload', pt: 'msg', to: 'error.message', tot: 'msg' },
            ],
            wires: [['e2e00000000reply3']],
        }),
        httpResponse('e2e00000000reply3', { 'content-type': 'text/plain; charset=utf-8' }),
    ];
}
