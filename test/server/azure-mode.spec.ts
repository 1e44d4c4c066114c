import { strict as assert } from 'node:assert';
import { MODELS, startTestServer, type TestServer } from './openai-test-server';

/**
 * The test server's `azure` mode: the key only in `api-key`; the v1 API
 * under /openai/v1/; the older form under /openai/deployments/<name>/ (or
 * /v1/) with a required `api-version` and no model list; no moderations.
 */
describe('test server: azure mode', () => {
    let azure: TestServer;
    let plain: TestServer;

    before(async () => {
        azure = await startTestServer({ azure: true });
        plain = await startTestServer();
    });
    after(async () => {
        await azure.close();
        await plain.close();
    });
    afterEach(() => {
        azure.reset();
        plain.reset();
    });

    const origin = (server: TestServer) => server.url.replace(/\/v1$/, '');
    const ask = (server: TestServer, path: string, headers: Record<string, string>, body?: unknown) =>
        fetch(`${origin(server)}${path}`, {
            method: body === undefined ? 'GET' : 'POST',
            headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body),
        }).then(async (answer) => ({ status: answer.status, json: await answer.json() }));
    const key = () => ({ 'api-key': azure.apiKey });
    const chat = { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] };

    it('answers the v1 API with the key in api-key, with or without api-version, models included', async () => {
        const listed = await ask(azure, '/openai/v1/models', key());
        assert.equal(listed.status, 200);
        assert.deepEqual(listed.json.data.map((model: { id: string }) => model.id).sort(), [...MODELS].sort());
        assert.equal((await ask(azure, '/openai/v1/chat/completions?api-version=preview', key(), chat)).status, 200);
        assert.equal(azure.requests[0].path, '/openai/v1/models', 'the record keeps the path as sent');
        assert.deepEqual(azure.requests[1].query, { 'api-version': 'preview' });
        assert.deepEqual(azure.requests[1].schemaErrors, []);
    });

    it('answers the older form only with api-version, and lists no models there', async () => {
        for (const path of ['/openai/deployments/my-gpt/chat/completions', '/v1/chat/completions']) {
            assert.equal((await ask(azure, `${path}?api-version=2024-10-21`, key(), chat)).status, 200, path);
            assert.deepEqual(await ask(azure, path, key(), chat), { status: 404, json: { error: { code: '404', message: 'Resource not found' } } }, path);
        }
        assert.equal((await ask(azure, '/openai/deployments/my-gpt/models?api-version=2024-10-21', key())).status, 404);
    });

    it('has no moderation endpoint', async () => {
        assert.equal((await ask(azure, '/openai/v1/moderations', key(), { input: 'hi' })).status, 404);
    });

    it('refuses the key as a bearer token, beside api-key too, and a wrong api-key, with Azure\'s 401', async () => {
        const refused: Record<string, string>[] = [
            { authorization: `Bearer ${azure.apiKey}` },
            { authorization: `Bearer ${azure.apiKey}`, 'api-key': azure.apiKey },
            { 'api-key': 'wrong' },
            {},
        ];
        for (const headers of refused) {
            const answer = await ask(azure, '/openai/v1/models', headers);
            assert.equal(answer.status, 401, JSON.stringify(headers));
            assert.equal(answer.json.error.code, '401');
            assert.match(answer.json.error.message, /Access denied/);
        }
    });

    it('leaves the default mode as it was: a bearer key, no api-version needed, api-key ignored', async () => {
        assert.equal((await ask(plain, '/v1/models', { authorization: `Bearer ${plain.apiKey}` })).status, 200);
        assert.equal((await ask(plain, '/v1/models', { 'api-key': plain.apiKey })).status, 401);
        assert.deepEqual(plain.requests[0].query, {});
    });
});
