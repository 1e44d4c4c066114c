import { strict as assert } from 'node:assert';
import { helper, loadFlow, type Outcome, send, settled, statusCalls } from '../support/flow';
import { MODERATE_DEFAULTS } from '../support/node-configs';
import { useTestServer } from '../support/suite-server';

/** The environment variables the SDK would read on its own; each test starts without them. */
const OPENAI_ENV = ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_ORG_ID', 'OPENAI_PROJECT_ID', 'OPENAI_CUSTOM_HEADERS'];

describe('openai-account', () => {
    const server = useTestServer();
    const saved = Object.fromEntries(OPENAI_ENV.map((name) => [name, process.env[name]]));

    beforeEach(() => {
        for (const name of OPENAI_ENV) delete process.env[name];
    });
    afterEach(() => {
        for (const name of OPENAI_ENV) {
            if (saved[name] === undefined) delete process.env[name];
            else process.env[name] = saved[name];
        }
    });

    function moderateWith(account: Record<string, unknown>) {
        return loadFlow({
            node: MODERATE_DEFAULTS,
            account: { baseURL: server.url, ...account },
        });
    }

    const errorText = (outcome: Outcome, index = 0) => (outcome.errors[index].error as { message: string }).message;

    const header = (name: string, index = 0) => server.requests[index].headers[name];

    it('sends the key from its credentials, to its base URL', async () => {
        const outcome = await moderateWith({ apiKey: server.apiKey });
        send({ payload: 'hi' });
        await settled(outcome, 1);
        assert.equal(outcome.outputs.length, 1);
        assert.equal(server.requests[0].path, '/v1/moderations');
        assert.equal(header('authorization'), `Bearer ${server.apiKey}`);
    });

    it('sends a key pasted with spaces around it without them', async () => {
        const outcome = await moderateWith({ apiKey: `  ${server.apiKey} \n` });
        send({ payload: 'hi' });
        await settled(outcome, 1);
        assert.equal(outcome.outputs.length, 1);
        assert.equal(header('authorization'), `Bearer ${server.apiKey}`);
    });

    it('refuses a key with a space inside it, naming apiKey, and sends nothing', async () => {
        const outcome = await moderateWith({ apiKey: 'sk-half.of.a.key other.half' });
        send({ payload: 'hi' });
        await settled(outcome, 1);
        assert.match(errorText(outcome), /account "test account" cannot be used: apiKey must not hold spaces/);
        assert.ok(!errorText(outcome).includes('other.half'));
        assert.equal(server.requests.length, 0);
    });

    it('with an empty base URL, takes OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_ORG_ID and OPENAI_PROJECT_ID (as npm start does)', async () => {
        Object.assign(process.env, {
            OPENAI_BASE_URL: server.url,
            OPENAI_API_KEY: server.apiKey,
            OPENAI_ORG_ID: 'org-env',
            OPENAI_PROJECT_ID: 'proj_env',
        });
        const outcome = await moderateWith({ baseURL: '' });
        send({ payload: 'hi' });
        await settled(outcome, 1);
        assert.equal(outcome.outputs.length, 1);
        assert.equal(header('authorization'), `Bearer ${server.apiKey}`);
        assert.equal(header('openai-organization'), 'org-env');
        assert.equal(header('openai-project'), 'proj_env');
    });

    describe('another base URL, with no key stored', () => {
        const keyless = useTestServer({ keyless: true });

        it('gets no key, organization, project or custom header from the environment', async () => {
            Object.assign(process.env, {
                OPENAI_API_KEY: 'sk-from.the.environment.SECRET',
                OPENAI_ORG_ID: 'org-env',
                OPENAI_PROJECT_ID: 'proj_env',
                OPENAI_CUSTOM_HEADERS: 'X-Gateway-Key: gateway-SECRET',
            });
            const outcome = await moderateWith({ baseURL: keyless.url });
            send({ payload: 'hi' });
            await settled(outcome, 1);
            assert.equal(outcome.outputs.length, 1, 'a server that needs no key answers');
            const { headers } = keyless.requests[0];
            assert.equal(headers.authorization, undefined);
            assert.equal(headers['openai-organization'], undefined);
            assert.equal(headers['openai-project'], undefined);
            assert.equal(headers['x-gateway-key'], undefined);
        });

        it('sends no key for a key of spaces only', async () => {
            const outcome = await moderateWith({ baseURL: keyless.url, apiKey: '   ' });
            send({ payload: 'hi' });
            await settled(outcome, 1);
            assert.equal(outcome.outputs.length, 1);
            assert.equal(keyless.requests[0].headers.authorization, undefined);
        });

        it('still sends the organization and project of the account itself', async () => {
            process.env.OPENAI_ORG_ID = 'org-env';
            const outcome = await moderateWith({ baseURL: keyless.url, organization: 'org-123', project: 'proj_456' });
            send({ payload: 'hi' });
            await settled(outcome, 1);
            assert.equal(keyless.requests[0].headers['openai-organization'], 'org-123');
            assert.equal(keyless.requests[0].headers['openai-project'], 'proj_456');
        });
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

    it('reports a missing key at request time for OpenAI\'s own base URL, naming the account', async () => {
        for (const baseURL of ['', 'https://api.openai.com/v1']) {
            const outcome = await moderateWith({ baseURL });
            send({ payload: 'hi' });
            await settled(outcome, 1);
            assert.match(errorText(outcome), /the account "test account" has no API key: set one in its settings or set the OPENAI_API_KEY/, baseURL);
            await helper.unload();
        }
    });

    it('refuses a base URL with a user name or password, naming baseURL and never quoting the password', async () => {
        const password = 'pa55word-SECRET';
        const baseURL = server.url.replace('http://', `http://user:${password}@`);
        for (const name of ['test account', '']) {
            const outcome = await moderateWith({ apiKey: server.apiKey, baseURL, name });
            send({ payload: 'hi' });
            await settled(outcome, 1);
            assert.match(errorText(outcome), /baseURL must not hold a user name or password/);
            const seen = JSON.stringify([errorText(outcome), statusCalls('n1'), helper.log().getCalls().map((call) => call.args)]);
            assert.ok(!seen.includes(password), seen);
            await helper.unload();
        }
        assert.equal(server.requests.length, 0);
    });

    it('refuses a base URL that is not http(s) or that holds a fragment, before any request', async () => {
        const bad = ['ftp://127.0.0.1/v1', 'file:///etc/hosts', 'localhost:11434/v1', `${server.url}#part`, `${server.url}#`];
        for (const baseURL of bad) {
            const outcome = await moderateWith({ apiKey: server.apiKey, baseURL });
            send({ payload: 'hi' });
            await settled(outcome, 1);
            assert.match(errorText(outcome), /account "test account" cannot be used: baseURL must (be an http or https URL|not hold a fragment)/, baseURL);
            await helper.unload();
        }
        assert.equal(server.requests.length, 0);
    });

    it('refuses a timeout above 24 days and more than 10 retries, naming the field', async () => {
        const cases: [Record<string, unknown>, RegExp][] = [
            [{ timeout: '2073601' }, /timeout must be a number from 0\.001 to 2073600, got number 2073601/],
            [{ maxRetries: 11 }, /maxRetries must be an integer from 0 to 10, got number 11/],
        ];
        for (const [settings, expected] of cases) {
            const outcome = await moderateWith({ apiKey: server.apiKey, ...settings });
            send({ payload: 'hi' });
            await settled(outcome, 1);
            assert.match(errorText(outcome), expected);
            await helper.unload();
        }
        assert.equal(server.requests.length, 0);
        const longest = await moderateWith({ apiKey: server.apiKey, timeout: '2073600', maxRetries: '10' });
        send({ payload: 'hi' });
        await settled(longest, 1);
        assert.equal(longest.outputs.length, 1);
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
