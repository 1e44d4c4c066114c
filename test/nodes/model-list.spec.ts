import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import { MODELS } from '../server/openai-test-server';
import { helper } from '../support/flow';
import { useTestServer } from '../support/suite-server';
import accountNode = require('../../nodes/openai-account');

/** What the tests read of a supertest answer (the helper's typings leave `request()` out). */
interface AdminAnswer {
    status: number;
    body: { models?: string[]; error?: string };
    text: string;
}
const admin = helper as unknown as { request(): { get(path: string): PromiseLike<AdminAnswer> } };
// The helper's typings take modules of `(RED: unknown)`; ours want a NodeAPI.
const nodeModules = [accountNode] as unknown as Parameters<typeof helper.load>[0];

/** The environment variables the SDK would read on its own. */
const OPENAI_ENV = ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_ORG_ID', 'OPENAI_PROJECT_ID', 'OPENAI_CUSTOM_HEADERS'];

describe('model list admin endpoint', () => {
    const server = useTestServer();
    const saved = Object.fromEntries(OPENAI_ENV.map((name) => [name, process.env[name]]));

    beforeEach(() => {
        // The account's own key or none: never one from the machine running the tests.
        for (const name of OPENAI_ENV) delete process.env[name];
    });
    afterEach(() => {
        for (const name of OPENAI_ENV) {
            if (saved[name] === undefined) delete process.env[name];
            else process.env[name] = saved[name];
        }
    });

    /** Deploys one account, `acct`, and asks the endpoint for its models. */
    async function modelsOf(settings: Record<string, unknown>, apiKey?: string, id = 'acct'): Promise<AdminAnswer> {
        const flow = [{ id: 'acct', type: 'openai-account', name: 'test account', ...settings }];
        await helper.load(nodeModules, flow, apiKey === undefined ? {} : { acct: { apiKey } });
        return admin.request().get(`/openai-account/${id}/models`);
    }

    it('answers the models that the account\'s server lists, sorted', async () => {
        const answer = await modelsOf({ baseURL: server.url }, server.apiKey);
        assert.equal(answer.status, 200);
        assert.deepEqual(answer.body, { models: [...MODELS].sort() });
        assert.equal(server.requests.length, 1);
        assert.equal(server.requests[0].method, 'GET');
        assert.equal(server.requests[0].path, '/v1/models');
        assert.equal(server.requests[0].headers.authorization, `Bearer ${server.apiKey}`);
    });

    it('drops duplicate ids', async () => {
        server.failNext({ kind: 'body', body: { object: 'list', data: ['b', 'a', 'b'].map((id) => ({ id, object: 'model', created: 0, owned_by: 'x' })) } });
        const answer = await modelsOf({ baseURL: server.url }, server.apiKey);
        assert.deepEqual(answer.body, { models: ['a', 'b'] });
    });

    it('answers 404 for an id that no deployed account has', async () => {
        const answer = await modelsOf({ baseURL: server.url }, server.apiKey, 'not-deployed');
        assert.equal(answer.status, 404);
        assert.equal(typeof answer.body.error, 'string');
        assert.equal(answer.body.models, undefined);
        assert.equal(server.requests.length, 0);
    });

    it('never echoes the key, even when the server\'s error quotes it', async () => {
        server.failNext({ kind: 'status', status: 500, body: { error: { message: `upstream saw key ${server.apiKey}`, type: 'server_error' } } });
        const answer = await modelsOf({ baseURL: server.url }, server.apiKey);
        assert.equal(answer.status, 502);
        assert.match(answer.body.error ?? '', /500/);
        assert.ok(!answer.text.includes(server.apiKey), answer.text);
        // One attempt only: the editor should not wait through the account's retries.
        assert.equal(server.requests.length, 1);
    });

    it('answers 502 without the key when the server refuses the key', async () => {
        const wrongKey = 'sk-wrong.key.for.the.model.list';
        const answer = await modelsOf({ baseURL: server.url }, wrongKey);
        assert.equal(answer.status, 502);
        assert.match(answer.body.error ?? '', /401/);
        assert.ok(!answer.text.includes(wrongKey), answer.text);
    });

    it('answers 502 without the key when the server cannot be reached', async () => {
        const answer = await modelsOf({ baseURL: `http://127.0.0.1:${await closedPort()}/v1` }, server.apiKey);
        assert.equal(answer.status, 502);
        assert.match(answer.body.error ?? '', /could not reach the API/);
        assert.ok(!answer.text.includes(server.apiKey), answer.text);
    });

    it('answers 504 when the server does not answer within the account\'s timeout', async () => {
        server.failNext({ kind: 'hang' });
        const answer = await modelsOf({ baseURL: server.url, timeout: '0.2' }, server.apiKey);
        assert.equal(answer.status, 504);
        assert.match(answer.body.error ?? '', /did not answer in time/);
    });

    it('answers 400 when an account of OpenAI\'s own has no key, without asking any server', async () => {
        const answer = await modelsOf({ baseURL: 'https://api.openai.com/v1' });
        assert.equal(answer.status, 400);
        assert.match(answer.body.error ?? '', /no API key/);
    });

    it('answers 400 naming baseURL for a base URL with a password, without quoting it or asking the server', async () => {
        const answer = await modelsOf({ baseURL: server.url.replace('http://', 'http://me:pa55word-SECRET@') }, server.apiKey);
        assert.equal(answer.status, 400);
        assert.match(answer.body.error ?? '', /baseURL must not hold a user name or password/);
        assert.ok(!answer.text.includes('pa55word-SECRET'), answer.text);
        assert.equal(server.requests.length, 0);
    });

    describe('for a server that needs no key', () => {
        const keyless = useTestServer({ keyless: true });

        it('lists its models without sending the environment\'s key, organization or project there', async () => {
            Object.assign(process.env, {
                OPENAI_API_KEY: 'sk-from.the.environment.SECRET',
                OPENAI_ORG_ID: 'org-env',
                OPENAI_PROJECT_ID: 'proj_env',
            });
            const answer = await modelsOf({ baseURL: keyless.url });
            assert.equal(answer.status, 200);
            assert.deepEqual(answer.body, { models: [...MODELS].sort() });
            const { headers } = keyless.requests[0];
            assert.equal(headers.authorization, undefined);
            assert.equal(headers['openai-organization'], undefined);
            assert.equal(headers['openai-project'], undefined);
        });
    });
});

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return port;
}
