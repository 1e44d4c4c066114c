import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import { MODELS } from '../server/openai-test-server';
import { coreNode, helper } from '../support/flow';
import { type ForwardProxy, startForwardProxy } from '../support/forward-proxy';
import { PROXY_ID, proxyNodeEntry } from '../support/proxy-flow';
import { useTestServer } from '../support/suite-server';
import accountNode = require('../../nodes/openai-account');

/** What the tests read of a supertest answer (the helper's typings leave `request()` out). */
interface AdminAnswer {
    status: number;
    body: { models?: string[]; error?: string };
    text: string;
}
interface AdminRequest extends PromiseLike<AdminAnswer> {
    send(body: unknown): PromiseLike<AdminAnswer>;
}
const admin = helper as unknown as { request(): { get(path: string): PromiseLike<AdminAnswer>; post(path: string): AdminRequest } };
// The helper's typings take modules of `(RED: unknown)`; ours want a NodeAPI.
const nodeModules = [accountNode, coreNode('network/06-httpproxy.js')] as unknown as Parameters<typeof helper.load>[0];

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

describe('model list admin endpoint: networks', () => {
    const server = useTestServer();
    let proxy: ForwardProxy;
    before(async () => {
        proxy = await startForwardProxy();
    });
    after(() => proxy.close());
    beforeEach(() => proxy.reset());

    it('asks through the account\'s proxy, with its headers and query', async () => {
        const { node, credentials } = proxyNodeEntry({ url: proxy.url });
        const flow = [
            { id: 'acct', type: 'openai-account', name: 'test account', baseURL: server.url, proxy: PROXY_ID, headers: '{"X-Title": "Line 4"}', query: '{"api-version": "2024-10-21"}' },
            node,
        ];
        await helper.load(nodeModules, flow, { acct: { apiKey: server.apiKey }, [PROXY_ID]: credentials });
        const answer = await admin.request().get('/openai-account/acct/models');
        assert.equal(answer.status, 200, answer.text);
        assert.deepEqual(answer.body, { models: [...MODELS].sort() });
        assert.deepEqual(proxy.requests.map((request) => request.target), [`${server.url}/models?api-version=2024-10-21`]);
        assert.equal(server.requests[0].headers['x-title'], 'Line 4');
        assert.deepEqual(server.requests[0].query, { 'api-version': '2024-10-21' });
    });
});

/**
 * The picker of a dialog: `POST /openai-account/models` with the account's
 * settings as the dialog holds them. A stored key goes only with exactly the
 * deployed settings; anything else gets the key typed in the dialog, or none.
 */
describe('model picker admin endpoint (POST)', () => {
    const server = useTestServer();
    // Another host, as someone would name to catch a key: it records what arrives.
    const other = useTestServer({ keyless: true, apiKey: 'sk-other.server.own.key' });
    const storedKey = () => server.apiKey;
    const saved = Object.fromEntries(OPENAI_ENV.map((name) => [name, process.env[name]]));

    beforeEach(() => {
        for (const name of OPENAI_ENV) delete process.env[name];
    });
    afterEach(() => {
        delete process.env.NR_TEST_PICKER_URL;
        for (const name of OPENAI_ENV) {
            if (saved[name] === undefined) delete process.env[name];
            else process.env[name] = saved[name];
        }
    });

    /** The account `acct` as deployed, with the stored key. */
    const deployedSettings = () => ({ baseURL: server.url, headers: '{"X-Title": "t"}', query: '', proxy: '', authHeader: '' });

    async function deploy(settings: Record<string, unknown> = deployedSettings()): Promise<void> {
        await helper.load(nodeModules, [{ id: 'acct', type: 'openai-account', name: 'test account', ...settings }], { acct: { apiKey: storedKey() } });
    }

    const ask = (body: unknown) => admin.request().post('/openai-account/models').send(body);

    /** Every header value any server received, to search for the stored key. */
    const everythingSent = () => JSON.stringify([...server.requests, ...other.requests].map((request) => [request.headers, request.query]));

    it('lists with the stored key when the settings are exactly the deployed ones', async () => {
        await deploy();
        const answer = await ask({ id: 'acct', settings: { ...deployedSettings(), name: 'renamed', timeout: '5' } });
        assert.equal(answer.status, 200, answer.text);
        assert.deepEqual(answer.body, { models: [...MODELS].sort() });
        assert.equal(server.requests[0].headers.authorization, `Bearer ${storedKey()}`);
        assert.equal(server.requests[0].headers['x-title'], 't');
    });

    it('never sends the stored key to another base URL asked with the account\'s id', async () => {
        await deploy();
        const answer = await ask({ id: 'acct', settings: { ...deployedSettings(), baseURL: other.url } });
        assert.equal(answer.status, 200, answer.text);
        assert.equal(other.requests.length, 1);
        assert.equal(other.requests[0].headers.authorization, undefined);
        assert.ok(!everythingSent().includes(storedKey()));
        assert.equal(server.requests.length, 0);
    });

    it('never sends the stored key with other headers, query, proxy or auth header', async () => {
        await deploy();
        const changes: Record<string, unknown>[] = [
            { headers: '{"X-Title": "t", "X-Copy": "1"}' },
            { query: '{"redirect": "elsewhere"}' },
            { authHeader: 'x-leak' },
            { proxy: 'some-proxy' },
        ];
        for (const change of changes) {
            const answer = await ask({ id: 'acct', settings: { ...deployedSettings(), ...change } });
            assert.notEqual(answer.status, 200, JSON.stringify(change));
            assert.ok(!answer.text.includes(storedKey()), answer.text);
        }
        // The server refused each request that got through for want of a key: it got none.
        for (const request of server.requests) {
            assert.equal(request.headers.authorization, undefined);
            assert.equal(request.headers['x-leak'], undefined);
        }
        assert.ok(!everythingSent().includes(storedKey()));
    });

    it('uses the key typed in the dialog for an account never deployed, and never echoes it', async () => {
        const typed = server.apiKey;
        await helper.load(nodeModules, [], {});
        const answer = await ask({ settings: { baseURL: server.url, headers: '{"X-Title": "new"}' }, apiKey: `  ${typed} ` });
        assert.equal(answer.status, 200, answer.text);
        assert.deepEqual(answer.body, { models: [...MODELS].sort() });
        assert.equal(server.requests[0].headers.authorization, `Bearer ${typed}`);
        assert.equal(server.requests[0].headers['x-title'], 'new');

        server.failNext({ kind: 'status', status: 500, body: { error: { message: `upstream saw ${typed}`, type: 'server_error' } } });
        const failed = await ask({ settings: { baseURL: server.url }, apiKey: typed });
        assert.equal(failed.status, 502);
        assert.ok(!failed.text.includes(typed), failed.text);
    });

    it('takes the typed key over the stored one with the deployed settings', async () => {
        await deploy();
        const answer = await ask({ id: 'acct', settings: deployedSettings(), apiKey: 'sk-typed.in.the.dialog' });
        assert.equal(answer.status, 502);
        assert.match(answer.body.error ?? '', /401/);
        assert.equal(server.requests[0].headers.authorization, 'Bearer sk-typed.in.the.dialog');
        assert.ok(!answer.text.includes('sk-typed.in.the.dialog'), answer.text);
    });

    it('lists with the authHeader and query of the dialog (a typed key in api-key)', async () => {
        await helper.load(nodeModules, [], {});
        const answer = await ask({ settings: { baseURL: other.url, authHeader: 'api-key', query: '{"api-version": "2024-10-21"}' }, apiKey: 'sk-other.server.own.key' });
        assert.equal(answer.status, 200, answer.text);
        assert.equal(other.requests[0].headers['api-key'], 'sk-other.server.own.key');
        assert.equal(other.requests[0].headers.authorization, undefined);
        assert.deepEqual(other.requests[0].query, { 'api-version': '2024-10-21' });
    });

    it('uses neither OPENAI_API_KEY nor a stored key for OpenAI\'s base URL outside the deployed settings, and says to type the key', async () => {
        Object.assign(process.env, { OPENAI_API_KEY: storedKey(), OPENAI_BASE_URL: server.url });
        await deploy({ baseURL: other.url });
        for (const body of [{ settings: { baseURL: '' } }, { id: 'acct', settings: { baseURL: '' } }]) {
            const answer = await ask(body);
            assert.equal(answer.status, 400, answer.text);
            assert.match(answer.body.error ?? '', /apiKey is needed to list the models of an account that is not deployed as it is/);
        }
        assert.equal(server.requests.length + other.requests.length, 0);
    });

    it('compares a ${NAME} setting with the value the deployed account read', async () => {
        process.env.NR_TEST_PICKER_URL = server.url;
        await deploy({ ...deployedSettings(), baseURL: '${NR_TEST_PICKER_URL}' });
        const answer = await ask({ id: 'acct', settings: { ...deployedSettings(), baseURL: '${NR_TEST_PICKER_URL}' } });
        assert.equal(answer.status, 200, answer.text);
        assert.equal(server.requests[0].headers.authorization, `Bearer ${storedKey()}`);
    });

    it('answers 400 for a body that is no question, naming what is wrong', async () => {
        await deploy();
        for (const [body, expected] of [
            [{}, /settings must be an object/],
            [{ settings: [] }, /settings must be an object/],
            [{ settings: {}, apiKey: 42 }, /apiKey must be a string/],
            [{ id: 7, settings: {} }, /id must be a string/],
        ] as const) {
            const answer = await ask(body);
            assert.equal(answer.status, 400, JSON.stringify(body));
            assert.match(answer.body.error ?? '', expected);
        }
        const bad = await ask({ settings: { baseURL: server.url, headers: '{"Authorization": "Bearer x"}' }, apiKey: 'k' });
        assert.equal(bad.status, 400);
        assert.match(bad.body.error ?? '', /headers must not set Authorization/);
        assert.equal(server.requests.length, 0);
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
