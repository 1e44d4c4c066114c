import { strict as assert } from 'node:assert';
import { helper, onComplete, type Outcome, send, settled } from '../support/flow';
import { type ForwardProxy, startForwardProxy } from '../support/forward-proxy';
import { CHAT_DEFAULTS, MODERATE_DEFAULTS } from '../support/node-configs';
import { loadProxiedFlow, PROXY_ID, type ProxyNodeConfig } from '../support/proxy-flow';
import { useTestServer } from '../support/suite-server';

/** The variables that choose a proxy or hand the SDK a key; each test starts without them. */
const ENV = ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_ORG_ID', 'OPENAI_PROJECT_ID', 'OPENAI_CUSTOM_HEADERS',
    'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy',
    'npm_config_proxy', 'npm_config_http_proxy', 'npm_config_https_proxy', 'npm_config_no_proxy'];

const errorText = (outcome: Outcome, index = 0) => (outcome.errors[index].error as { message: string }).message;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('openai-account: proxies, headers, query and authHeader', () => {
    const server = useTestServer();
    const saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]));
    let proxy: ForwardProxy;

    before(async () => {
        proxy = await startForwardProxy();
    });
    after(() => proxy.close());
    beforeEach(() => {
        for (const name of ENV) delete process.env[name];
        proxy.reset();
    });
    afterEach(() => {
        for (const name of ENV) {
            if (saved[name] === undefined) delete process.env[name];
            else process.env[name] = saved[name];
        }
    });

    function moderate(account: Record<string, unknown>, proxyNode?: ProxyNodeConfig) {
        return loadProxiedFlow({ node: MODERATE_DEFAULTS, account: { baseURL: server.url, apiKey: server.apiKey, ...account } }, proxyNode);
    }

    describe('through an http proxy node', () => {
        it('sends every request through the node\'s proxy, as a forwarded request', async () => {
            const outcome = await moderate({ proxy: PROXY_ID }, { url: proxy.url });
            send({ payload: 'one' }, { payload: 'two' });
            await settled(outcome, 2);
            assert.equal(outcome.outputs.length, 2, JSON.stringify(outcome.errors.map((msg) => msg.error)));
            assert.deepEqual(proxy.requests.map((request) => [request.method, request.target]), [
                ['POST', `${server.url}/moderations`],
                ['POST', `${server.url}/moderations`],
            ]);
            assert.equal(server.requests.length, 2);
            assert.equal(server.requests[0].headers.authorization, `Bearer ${server.apiKey}`);
            assert.equal(proxy.requests[0].headers['proxy-authorization'], undefined, 'a node without credentials sends none');
        });

        it('gives the proxy the node\'s user name and password, and the server never sees them', async () => {
            const guarded = await startForwardProxy({ username: 'factory', password: 'pr0xy-pass' });
            try {
                const outcome = await moderate({ proxy: PROXY_ID }, { url: guarded.url, username: 'factory', password: 'pr0xy-pass' });
                send({ payload: 'hi' });
                await settled(outcome, 1);
                assert.equal(outcome.outputs.length, 1, JSON.stringify(outcome.errors.map((msg) => msg.error)));
                assert.equal(guarded.requests[0].headers['proxy-authorization'], basic('factory', 'pr0xy-pass'));
                assert.equal(guarded.requests[0].forwarded, true);
                assert.equal(server.requests[0].headers['proxy-authorization'], undefined);
            } finally {
                await guarded.close();
            }
        });

        it('ends the message with the proxy\'s 407 when the password is wrong, never quoting it', async () => {
            const guarded = await startForwardProxy({ username: 'factory', password: 'right' });
            try {
                const outcome = await moderate({ proxy: PROXY_ID, maxRetries: 0 }, { url: guarded.url, username: 'factory', password: 'wr0ng-SECRET' });
                send({ payload: 'hi' });
                await settled(outcome, 1);
                assert.match(errorText(outcome), /407/);
                assert.ok(!JSON.stringify(outcome.errors).includes('wr0ng-SECRET'));
                assert.equal(server.requests.length, 0);
            } finally {
                await guarded.close();
            }
        });

        it('tunnels an https base URL with CONNECT, carrying the proxy\'s credentials', async () => {
            const guarded = await startForwardProxy({ username: 'factory', password: 'pr0xy-pass' });
            try {
                // A plain HTTP server behind the tunnel: the TLS handshake fails after the CONNECT.
                const httpsURL = server.url.replace('http://', 'https://');
                const outcome = await moderate({ proxy: PROXY_ID, baseURL: httpsURL, maxRetries: 0 }, { url: guarded.url, username: 'factory', password: 'pr0xy-pass' });
                send({ payload: 'hi' });
                await settled(outcome, 1);
                assert.match(errorText(outcome), /could not reach the API/);
                assert.deepEqual(guarded.requests.map((request) => [request.method, request.target, request.headers['proxy-authorization']]), [
                    ['CONNECT', new URL(server.url).host, basic('factory', 'pr0xy-pass')],
                ]);
            } finally {
                await guarded.close();
            }
        });

        it('ends a message in flight through the proxy once when the flow is stopped', async () => {
            await moderate({ proxy: PROXY_ID }, { url: proxy.url });
            const ended: (Error | undefined)[] = [];
            const stopListening = onComplete('n1', (_msg, error) => ended.push(error));
            try {
                server.failNext({ kind: 'hang' });
                send({ payload: 'hi' });
                while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
                const stopped = Date.now();
                await helper.unload();
                assert.ok(Date.now() - stopped < 5000, 'stopping waited for the hung request');
                await new Promise((resolve) => setTimeout(resolve, 50));
                assert.equal(ended.length, 1);
                assert.match(String(ended[0]?.message), /aborted/);
            } finally {
                stopListening();
            }
        });

        it('goes straight to a host in the node\'s noproxy list', async () => {
            const outcome = await moderate({ proxy: PROXY_ID }, { url: proxy.url, noproxy: ['localhost', '127.0.0.1'] });
            send({ payload: 'hi' });
            await settled(outcome, 1);
            assert.equal(outcome.outputs.length, 1);
            assert.equal(server.requests.length, 1);
            assert.deepEqual(proxy.requests, []);
        });

        it('uses the node rather than the environment\'s proxy', async () => {
            process.env.HTTP_PROXY = 'http://127.0.0.1:9';
            const outcome = await moderate({ proxy: PROXY_ID }, { url: proxy.url });
            send({ payload: 'hi' });
            await settled(outcome, 1);
            assert.equal(outcome.outputs.length, 1);
            assert.equal(proxy.requests.length, 1);
        });

        it('names proxy when the node it points at is not deployed, and sends nothing', async () => {
            const outcome = await moderate({ proxy: 'no-such-node' });
            send({ payload: 'hi' });
            await settled(outcome, 1);
            assert.match(errorText(outcome), /account "test account" cannot be used: proxy is not a deployed http proxy node/);
            assert.equal(server.requests.length, 0);
        });

        it('names proxy when the node\'s URL is no http(s) URL, without quoting it', async () => {
            const outcome = await moderate({ proxy: PROXY_ID }, { url: 'socks://user:SECRET@127.0.0.1:1080' });
            send({ payload: 'hi' });
            await settled(outcome, 1);
            assert.match(errorText(outcome), /proxy cannot be used: the http proxy node's URL is not an http:\/\/ or https:\/\/ URL/);
            assert.ok(!errorText(outcome).includes('SECRET'));
            assert.equal(server.requests.length, 0);
        });
    });

    describe('through the environment, as Node-RED\'s http request node', () => {
        it('takes HTTP_PROXY for an http base URL', async () => {
            process.env.HTTP_PROXY = proxy.url;
            const outcome = await moderate({});
            send({ payload: 'hi' });
            await settled(outcome, 1);
            assert.equal(outcome.outputs.length, 1);
            assert.deepEqual(proxy.requests.map((request) => request.target), [`${server.url}/moderations`]);
        });

        it('sends the user name and password of a proxy URL that holds them', async () => {
            const guarded = await startForwardProxy({ username: 'env user', password: 'p@ss' });
            try {
                process.env.HTTP_PROXY = guarded.url.replace('http://', 'http://env%20user:p%40ss@');
                const outcome = await moderate({});
                send({ payload: 'hi' });
                await settled(outcome, 1);
                assert.equal(outcome.outputs.length, 1, JSON.stringify(outcome.errors.map((msg) => msg.error)));
                assert.equal(guarded.requests[0].headers['proxy-authorization'], basic('env user', 'p@ss'));
            } finally {
                await guarded.close();
            }
        });

        it('honours NO_PROXY', async () => {
            process.env.HTTP_PROXY = proxy.url;
            process.env.NO_PROXY = `example.com,${new URL(server.url).host}`;
            const outcome = await moderate({});
            send({ payload: 'hi' });
            await settled(outcome, 1);
            assert.equal(outcome.outputs.length, 1);
            assert.deepEqual(proxy.requests, []);
            assert.equal(server.requests.length, 1);
        });

        it('leaves an http base URL alone when only HTTPS_PROXY is set', async () => {
            process.env.HTTPS_PROXY = proxy.url;
            const outcome = await moderate({});
            send({ payload: 'hi' });
            await settled(outcome, 1);
            assert.equal(outcome.outputs.length, 1);
            assert.deepEqual(proxy.requests, []);
        });

        it('names proxy when the variable is no http(s) URL', async () => {
            process.env.HTTP_PROXY = 'ftp://127.0.0.1:21';
            const outcome = await moderate({});
            send({ payload: 'hi' });
            await settled(outcome, 1);
            assert.match(errorText(outcome), /proxy cannot be used: the HTTP_PROXY \/ HTTPS_PROXY environment variable is not an http/);
            assert.equal(server.requests.length, 0);
        });
    });

    describe('extra headers and query parameters', () => {
        it('go on every request of every node, beside the key', async () => {
            const outcome = await loadProxiedFlow({
                node: { ...CHAT_DEFAULTS },
                next: [{ ...MODERATE_DEFAULTS, text: 'again', textType: 'str' }],
                account: {
                    baseURL: server.url,
                    apiKey: server.apiKey,
                    headers: '{"HTTP-Referer": "https://flows.example", "X-Title": "Line 4"}',
                    query: '{"api-version": "2024-10-21", "tenant": "plant-7"}',
                },
            });
            send({ payload: 'hi' });
            await settled(outcome, 1);
            assert.equal(outcome.outputs.length, 1, JSON.stringify(outcome.errors.map((msg) => msg.error)));
            assert.deepEqual(server.requests.map((request) => request.path), ['/v1/chat/completions', '/v1/moderations']);
            for (const request of server.requests) {
                assert.equal(request.headers['http-referer'], 'https://flows.example');
                assert.equal(request.headers['x-title'], 'Line 4');
                assert.equal(request.headers.authorization, `Bearer ${server.apiKey}`);
                assert.deepEqual(request.query, { 'api-version': '2024-10-21', tenant: 'plant-7' });
                assert.deepEqual(request.schemaErrors, []);
            }
        });

        it('refuse a headers setting with Authorization, naming headers, and send nothing', async () => {
            const outcome = await moderate({ headers: '{"authorization": "Bearer sk-in.the.flow.file"}' });
            send({ payload: 'hi' });
            await settled(outcome, 1);
            assert.match(errorText(outcome), /account "test account" cannot be used: headers must not set Authorization/);
            assert.ok(!errorText(outcome).includes('sk-in.the.flow.file'));
            assert.equal(server.requests.length, 0);
        });

        it('refuse headers or query that are not JSON objects of strings, naming them', async () => {
            const cases: [Record<string, unknown>, RegExp][] = [
                [{ headers: '{"X-Title": ' }, /headers must be a JSON object of strings/],
                [{ headers: '{"X-Count": 1}' }, /headers\.X-Count must be a string, got number/],
                [{ query: '["api-version"]' }, /query must be a JSON object of strings, .*got array/],
                [{ authHeader: 'api key' }, /authHeader must be a header name/],
            ];
            for (const [settings, expected] of cases) {
                const outcome = await moderate(settings);
                send({ payload: 'hi' });
                await settled(outcome, 1);
                assert.match(errorText(outcome), expected);
                await helper.unload();
            }
            assert.equal(server.requests.length, 0);
        });
    });

    describe('a server that takes the key in api-key and needs api-version (Azure OpenAI)', () => {
        const azure = useTestServer({ azure: true });

        function azureAccount(settings: Record<string, unknown>) {
            // Chat: Azure OpenAI has no moderation endpoint.
            return loadProxiedFlow({ node: CHAT_DEFAULTS, account: { baseURL: azure.url, apiKey: azure.apiKey, maxRetries: 0, ...settings } });
        }

        it('with authHeader api-key and the api-version query: the bare key in api-key, no Authorization', async () => {
            const outcome = await azureAccount({ authHeader: 'api-key', query: '{"api-version": "2024-10-21"}' });
            send({ payload: 'hi' });
            await settled(outcome, 1);
            assert.equal(outcome.outputs.length, 1, JSON.stringify(outcome.errors.map((msg) => msg.error)));
            const [request] = azure.requests;
            assert.equal(request.headers['api-key'], azure.apiKey);
            assert.equal(request.headers.authorization, undefined);
            assert.deepEqual(request.query, { 'api-version': '2024-10-21' });
        });

        it('is refused with a bearer key, and without api-version', async () => {
            for (const [settings, expected] of [
                [{ query: '{"api-version": "2024-10-21"}' }, /401/],
                [{ authHeader: 'api-key' }, /404/],
            ] as const) {
                const outcome = await azureAccount(settings);
                send({ payload: 'hi' });
                await settled(outcome, 1);
                assert.match(errorText(outcome), expected);
                await helper.unload();
            }
        });
    });

    describe('a server that needs no key, with authHeader set', () => {
        const keyless = useTestServer({ keyless: true });

        it('sends neither the auth header nor Authorization', async () => {
            process.env.OPENAI_API_KEY = 'sk-from.the.environment';
            const outcome = await loadProxiedFlow({ node: MODERATE_DEFAULTS, account: { baseURL: keyless.url, authHeader: 'api-key' } });
            send({ payload: 'hi' });
            await settled(outcome, 1);
            assert.equal(outcome.outputs.length, 1);
            assert.equal(keyless.requests[0].headers['api-key'], undefined);
            assert.equal(keyless.requests[0].headers.authorization, undefined);
        });
    });
});
