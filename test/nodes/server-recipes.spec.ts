import { strict as assert } from 'node:assert';
import { CHAT_MODELS, MODELS } from '../server/openai-test-server';
import { helper, type Outcome, send, settled } from '../support/flow';
import { CHAT_DEFAULTS, MODERATE_DEFAULTS } from '../support/node-configs';
import { loadProxiedFlow } from '../support/proxy-flow';
import { useTestServer } from '../support/suite-server';

/** What the tests read of a supertest answer. */
interface AdminAnswer {
    status: number;
    body: { models?: string[]; error?: string };
}
const admin = helper as unknown as { request(): { get(path: string): PromiseLike<AdminAnswer> } };

const errorText = (outcome: Outcome) => (outcome.errors[0].error as { message: string }).message;

/**
 * The README's recipes for OpenAI-compatible servers, each with the account
 * settings it gives, against the test server in the matching mode (its host
 * stands for the real one). Each checks what the recipe says works: a chat,
 * the model list, and the moderation endpoint where there is one.
 */
describe('OpenAI-compatible server recipes (README)', () => {
    const azure = useTestServer({ azure: true });
    const bearer = useTestServer();
    const keyless = useTestServer({ keyless: true });
    const origin = (url: string) => url.replace(/\/v1$/, '');
    const models = () => admin.request().get('/openai-account/acct/models');

    async function chat(account: Record<string, unknown>, model = 'gpt-4.1-mini'): Promise<Outcome> {
        const outcome = await loadProxiedFlow({ node: { ...CHAT_DEFAULTS, model }, account: { maxRetries: 0, ...account } });
        send({ payload: 'Hello?' });
        return settled(outcome, 1);
    }

    async function moderate(account: Record<string, unknown>): Promise<Outcome> {
        await helper.unload();
        const outcome = await loadProxiedFlow({ node: MODERATE_DEFAULTS, account: { maxRetries: 0, ...account } });
        send({ payload: 'Hello?' });
        return settled(outcome, 1);
    }

    it('Azure OpenAI, v1 API: base URL …/openai/v1/, its key, auth header api-key; chat and models, no moderation', async () => {
        const account = { baseURL: `${origin(azure.url)}/openai/v1/`, apiKey: azure.apiKey, authHeader: 'api-key' };
        const outcome = await chat(account);
        assert.equal(outcome.outputs.length, 1, JSON.stringify(outcome.errors.map((msg) => msg.error)));
        assert.equal(azure.requests[0].path, '/openai/v1/chat/completions');
        assert.equal(azure.requests[0].headers['api-key'], azure.apiKey);
        assert.equal(azure.requests[0].headers.authorization, undefined);
        assert.deepEqual((await models()).body, { models: [...MODELS].sort() });
        assert.match(errorText(await moderate(account)), /404/);
    });

    it('Azure OpenAI, older form: base URL …/openai/deployments/NAME, query api-version, auth header api-key; chat, no model list', async () => {
        const account = {
            baseURL: `${origin(azure.url)}/openai/deployments/gpt-4.1-mini`,
            apiKey: azure.apiKey,
            authHeader: 'api-key',
            query: '{"api-version": "2024-10-21"}',
        };
        // Azure answers with the deployment the URL names; the model field names it too.
        const outcome = await chat(account, 'gpt-4.1-mini');
        assert.equal(outcome.outputs.length, 1, JSON.stringify(outcome.errors.map((msg) => msg.error)));
        assert.equal(azure.requests[0].path, '/openai/deployments/gpt-4.1-mini/chat/completions');
        assert.deepEqual(azure.requests[0].query, { 'api-version': '2024-10-21' });
        const listed = await models();
        assert.equal(listed.status, 502, 'the dialog keeps a free-text model field');
        assert.match(listed.body.error ?? '', /404/);
    });

    it('OpenRouter: its key and the optional HTTP-Referer and X-Title headers', async () => {
        const account = { baseURL: bearer.url, apiKey: bearer.apiKey, headers: '{"HTTP-Referer": "https://flows.example", "X-Title": "My flows"}' };
        const outcome = await chat(account, CHAT_MODELS[1]);
        assert.equal(outcome.outputs.length, 1);
        const [request] = bearer.requests;
        assert.equal(request.headers.authorization, `Bearer ${bearer.apiKey}`);
        assert.equal(request.headers['http-referer'], 'https://flows.example');
        assert.equal(request.headers['x-title'], 'My flows');
        assert.equal((await models()).status, 200);
    });

    for (const [name, port] of [['Ollama', 11434], ['vLLM', 8000], ['LM Studio', 1234]] as const) {
        it(`${name}: base URL http://localhost:${port}/v1 and no key; chat and models`, async () => {
            // The environment's key is for OpenAI only: a local server gets none.
            const saved = process.env.OPENAI_API_KEY;
            process.env.OPENAI_API_KEY = 'sk-from.the.environment';
            try {
                const outcome = await chat({ baseURL: keyless.url });
                assert.equal(outcome.outputs.length, 1);
                assert.equal(keyless.requests[0].headers.authorization, undefined);
                assert.equal((await models()).status, 200);
            } finally {
                if (saved === undefined) delete process.env.OPENAI_API_KEY;
                else process.env.OPENAI_API_KEY = saved;
            }
        });
    }

    it('vLLM started with --api-key: that key as the account\'s API key', async () => {
        const outcome = await chat({ baseURL: bearer.url, apiKey: bearer.apiKey });
        assert.equal(outcome.outputs.length, 1);
        assert.equal(bearer.requests[0].headers.authorization, `Bearer ${bearer.apiKey}`);
    });
});
