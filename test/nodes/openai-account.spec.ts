import { strict as assert } from 'node:assert';
import { helper, loadFlow, send, settled } from '../support/flow';
import { MODERATE_DEFAULTS } from '../support/node-configs';
import { useTestServer } from '../support/suite-server';

describe('openai-account', () => {
    const server = useTestServer();
    const savedKey = process.env.OPENAI_API_KEY;

    afterEach(() => {
        if (savedKey === undefined) delete process.env.OPENAI_API_KEY;
        else process.env.OPENAI_API_KEY = savedKey;
    });

    function moderateWith(account: Record<string, unknown>) {
        return loadFlow({
            node: MODERATE_DEFAULTS,
            account: { baseURL: server.url, ...account },
        });
    }

    const header = (name: string, index = 0) => server.requests[index].headers[name];

    it('sends the key from its credentials, to its base URL', async () => {
        const outcome = await moderateWith({ apiKey: server.apiKey });
        send({ payload: 'hi' });
        await settled(outcome, 1);
        assert.equal(outcome.outputs.length, 1);
        assert.equal(server.requests[0].path, '/v1/moderations');
        assert.equal(header('authorization'), `Bearer ${server.apiKey}`);
    });

    it('falls back to OPENAI_API_KEY when no key is stored', async () => {
        process.env.OPENAI_API_KEY = server.apiKey;
        const outcome = await moderateWith({});
        send({ payload: 'hi' });
        await settled(outcome, 1);
        assert.equal(outcome.outputs.length, 1);
        assert.equal(header('authorization'), `Bearer ${server.apiKey}`);
    });

    it('prefers the stored key to the environment', async () => {
        process.env.OPENAI_API_KEY = 'sk-from.the.environment';
        const outcome = await moderateWith({ apiKey: server.apiKey });
        send({ payload: 'hi' });
        await settled(outcome, 1);
        assert.equal(header('authorization'), `Bearer ${server.apiKey}`);
    });

    it('sends the organization and project headers', async () => {
        const outcome = await moderateWith({ apiKey: server.apiKey, organization: 'org-123', project: 'proj_456' });
        send({ payload: 'hi' });
        await settled(outcome, 1);
        assert.equal(header('openai-organization'), 'org-123');
        assert.equal(header('openai-project'), 'proj_456');
    });

    it('retries as often as maxRetries says, honouring retry-after', async () => {
        const outcome = await moderateWith({ apiKey: server.apiKey, maxRetries: '3' });
        server.failNext({ kind: 'status', status: 429, headers: { 'retry-after': '0' } }, 3);
        send({ payload: 'hi' });
        await settled(outcome, 1);
        assert.equal(outcome.outputs.length, 1);
        assert.equal(server.requests.length, 4);
    });

    it('gives up after maxRetries (0 = one attempt)', async () => {
        const outcome = await moderateWith({ apiKey: server.apiKey, maxRetries: 0 });
        server.failNext({ kind: 'status', status: 503 }, 2);
        send({ payload: 'hi' });
        await settled(outcome, 1);
        assert.equal(server.requests.length, 1);
        assert.match((outcome.errors[0].error as { message: string }).message, /503/);
    });

    it('stops waiting after the timeout, in seconds', async () => {
        const outcome = await moderateWith({ apiKey: server.apiKey, timeout: '0.3', maxRetries: '0' });
        server.failNext({ kind: 'hang' });
        const started = Date.now();
        send({ payload: 'hi' });
        await settled(outcome, 1);
        const elapsed = Date.now() - started;
        assert.match((outcome.errors[0].error as { message: string }).message, /did not answer in time/);
        assert.ok(elapsed >= 250 && elapsed < 5000, `took ${elapsed} ms`);
    });

    it('names a bad setting when a message needs the client, without crashing at deploy', async () => {
        const outcome = await moderateWith({ apiKey: server.apiKey, timeout: 'soon' });
        send({ payload: 'hi' });
        await settled(outcome, 1);
        assert.match((outcome.errors[0].error as { message: string }).message, /account "test account" cannot be used: timeout must be a number/);
        assert.equal(server.requests.length, 0);
    });

    it('reports a missing key at request time, naming the account', async () => {
        delete process.env.OPENAI_API_KEY;
        const outcome = await moderateWith({});
        send({ payload: 'hi' });
        await settled(outcome, 1);
        assert.match((outcome.errors[0].error as { message: string }).message, /the account "test account" has no API key: set one in its settings or set the OPENAI_API_KEY/);
        assert.equal(server.requests.length, 0);
    });

    it('builds one client and shares it between the nodes that use it', async () => {
        const outcome = await loadFlow({
            node: MODERATE_DEFAULTS,
            next: [{ ...MODERATE_DEFAULTS, text: 'again', textType: 'str' }],
            account: { baseURL: server.url, apiKey: server.apiKey },
        });
        const account = helper.getNode('acct') as unknown as { client(): unknown };
        const first = account.client();
        send({ payload: 'hi' });
        await settled(outcome, 1);
        assert.equal(account.client(), first);
        assert.equal(server.requests.length, 2);
    });
});
