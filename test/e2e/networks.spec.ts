// End to end, networks: the packed package in a Node-RED process started with
// HTTP_PROXY and NO_PROXY, as in a company network. One account reaches its
// server through the environment's proxy, one goes straight to a host that
// NO_PROXY names, one goes through an `http proxy` node with a password to a
// server that answers as Azure OpenAI's v1 API does. The model picker's
// permissions and key rule are checked with a user who may only read.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MODELS, startTestServer, type TestServer } from '../server/openai-test-server';
import { type ForwardProxy, startForwardProxy } from '../support/forward-proxy';
import { CHAT_DEFAULTS, MODERATE_DEFAULTS } from '../support/node-configs';
import { AdminClient, type NodeRedProcess, startNodeRed, stopAfterSuite } from './node-red-runner';
import { installPackage, packPackage } from './packed-package';

const TAB = 'net0000000000tab';
/** Reached through HTTP_PROXY. */
const VIA_ENV = 'net00000000acct1';
/** Named by NO_PROXY: reached directly. */
const DIRECT = 'net00000000acct2';
/** Through an http proxy node, to Azure OpenAI's v1 path, with the key in api-key and an api-version. */
const VIA_NODE = 'net00000000acct3';
const PROXY_NODE = 'net0000000proxy1';
const ROUTES: Record<string, string> = { [VIA_ENV]: '/net-env', [DIRECT]: '/net-direct', [VIA_NODE]: '/net-node' };

describe('networks in a Node-RED process: proxies, Azure OpenAI\'s key header, the model picker', function () {
    const keys: Record<string, string> = { [VIA_ENV]: `sk-net1-${randomBytes(12).toString('hex')}`, [DIRECT]: `sk-net2-${randomBytes(12).toString('hex')}`, [VIA_NODE]: `sk-net3-${randomBytes(12).toString('hex')}` };
    const proxyPassword = `proxy-${randomBytes(12).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    const readerPassword = randomBytes(12).toString('hex');
    let workDir: string;
    let userDir: string;
    const servers: Record<string, TestServer> = {};
    let envProxy: ForwardProxy;
    let nodeProxy: ForwardProxy;
    let nodeRed: NodeRedProcess | undefined;
    let admin: AdminClient;
    let reader: AdminClient;

    /** Each account as deployed, and as the editor sends it to the model picker. */
    const accountSettings = (id: string): Record<string, string> => {
        const common = { organization: '', project: '', timeout: '', maxRetries: '0', maxTokensParam: 'auto', headers: '', query: '', authHeader: '', proxy: '' };
        if (id !== VIA_NODE) return { ...common, name: `account ${ROUTES[id]}`, baseURL: servers[id].url };
        const azureV1 = `${servers[id].url.replace(/\/v1$/, '')}/openai/v1/`;
        return { ...common, name: 'account via its proxy node', baseURL: azureV1, proxy: PROXY_NODE, authHeader: 'api-key', query: '{"api-version": "2024-10-21"}', headers: '{"X-Title": "e2e"}' };
    };

    before(async function () {
        this.timeout(120000);
        workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-red-openai-networks-'));
        userDir = path.join(workDir, 'user');
        servers[VIA_ENV] = await startTestServer({ apiKey: keys[VIA_ENV] });
        servers[DIRECT] = await startTestServer({ apiKey: keys[DIRECT] });
        servers[VIA_NODE] = await startTestServer({ apiKey: keys[VIA_NODE], azure: true });
        envProxy = await startForwardProxy();
        nodeProxy = await startForwardProxy({ username: 'plant-7', password: proxyPassword });
        const packed = await packPackage(workDir);
        await installPackage(userDir, packed.tarball);
        nodeRed = await startNodeRed({
            userDir,
            settingsFile: path.join(workDir, 'settings.js'),
            username: 'admin',
            password,
            moreUsers: [{ username: 'reader', password: readerPassword, permissions: 'read' }],
            env: { HTTP_PROXY: envProxy.url, NO_PROXY: `localhost,${new URL(servers[DIRECT].url).host}` },
        });
        admin = await AdminClient.login(nodeRed.url, 'admin', password);
        reader = await AdminClient.login(nodeRed.url, 'reader', readerPassword, 'read');
    });

    stopAfterSuite(
        () => nodeRed,
        async () => {
            for (const server of Object.values(servers)) await server.close();
            await envProxy?.close();
            await nodeProxy?.close();
            if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
        },
    );

    const resetAll = () => {
        for (const server of Object.values(servers)) server.reset();
        envProxy.reset();
        nodeProxy.reset();
    };
    const post = (route: string, body: unknown) =>
        fetch(`${nodeRed!.url}${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const askModels = (client: AdminClient, body: unknown) => client.request('POST', '/openai-account/models', { body });

    it('deploys three accounts, one with an http proxy node that has a password', async () => {
        const inTab = (node: Record<string, unknown>) => ({ z: TAB, x: 100, y: 100, ...node });
        const flow: Record<string, unknown>[] = [
            { id: TAB, type: 'tab', label: 'networks', disabled: false, info: '' },
            { id: PROXY_NODE, type: 'http proxy', name: 'plant proxy', url: nodeProxy.url, noproxy: [], credentials: { username: 'plant-7', password: proxyPassword } },
            inTab({ id: 'net0000000catch1', type: 'catch', name: '', scope: null, uncaught: false, wires: [['net00000000to500']] }),
            inTab({
                id: 'net00000000to500', type: 'change', name: '',
                rules: [{ t: 'set', p: 'statusCode', pt: 'msg', to: '500', tot: 'num' }, { t: 'set', p: 'payload', pt: 'msg', to: 'error.message', tot: 'msg' }],
                wires: [['net0000000reply9']],
            }),
            inTab({ id: 'net0000000reply9', type: 'http response', name: '', statusCode: '', headers: {}, wires: [] }),
        ];
        for (const [index, id] of [VIA_ENV, DIRECT, VIA_NODE].entries()) {
            flow.push({ id, type: 'openai-account', ...accountSettings(id), credentials: { apiKey: keys[id] } });
            flow.push(inTab({ id: `net00000000in${index}0`, type: 'http in', name: '', url: ROUTES[id], method: 'post', upload: false, swaggerDoc: '', wires: [[`net0000000mod${index}0`]] }));
            // Chat for Azure OpenAI, which has no moderation endpoint.
            const node = id === VIA_NODE ? { ...CHAT_DEFAULTS, userMessage: 'payload.text' } : { ...MODERATE_DEFAULTS, text: 'payload.text' };
            flow.push(inTab({ id: `net0000000mod${index}0`, ...node, name: '', account: id, wires: [[`net000000reply${index}0`]] }));
            flow.push(inTab({ id: `net000000reply${index}0`, type: 'http response', name: '', statusCode: '', headers: {}, wires: [] }));
        }
        const logMark = nodeRed!.log().length;
        const response = await admin.request('POST', '/flows', { headers: { 'Node-RED-Deployment-Type': 'full', 'Node-RED-API-Version': 'v2' }, body: { flows: flow } });
        assert.equal(response.status, 200, await response.text());
        await nodeRed!.waitForLog('Started flows', logMark);
    });

    it('sends an account through HTTP_PROXY, as a forwarded request', async () => {
        resetAll();
        const response = await post(ROUTES[VIA_ENV], { text: 'hello' });
        assert.equal(response.status, 200, await response.text());
        assert.deepEqual(envProxy.requests.map((request) => [request.method, request.target]), [['POST', `${servers[VIA_ENV].url}/moderations`]]);
        assert.equal(servers[VIA_ENV].requests[0].headers.authorization, `Bearer ${keys[VIA_ENV]}`);
    });

    it('sends an account whose host NO_PROXY names straight to its server', async () => {
        resetAll();
        const response = await post(ROUTES[DIRECT], { text: 'hello' });
        assert.equal(response.status, 200, await response.text());
        assert.deepEqual(envProxy.requests, []);
        assert.equal(servers[DIRECT].requests.length, 1);
    });

    it('sends an account through its http proxy node with the node\'s password, the key in api-key, api-version and its headers', async () => {
        resetAll();
        const response = await post(ROUTES[VIA_NODE], { text: 'hello' });
        assert.equal(response.status, 200, await response.text());
        assert.deepEqual(envProxy.requests, [], 'the node, not the environment, decides');
        assert.equal(nodeProxy.requests.length, 1);
        assert.equal(nodeProxy.requests[0].headers['proxy-authorization'], `Basic ${Buffer.from(`plant-7:${proxyPassword}`).toString('base64')}`);
        const [request] = servers[VIA_NODE].requests;
        assert.equal(request.path, '/openai/v1/chat/completions');
        assert.equal(request.headers['api-key'], keys[VIA_NODE]);
        assert.equal(request.headers.authorization, undefined);
        assert.equal(request.headers['x-title'], 'e2e');
        assert.deepEqual(request.query, { 'api-version': '2024-10-21' });
    });

    it('lets a reader list the models of a deployed account, with its deployed settings, through its proxy', async () => {
        resetAll();
        for (const answer of [
            await reader.request('GET', `/openai-account/${VIA_NODE}/models`),
            await askModels(reader, { id: VIA_NODE, settings: accountSettings(VIA_NODE) }),
        ]) {
            const text = await answer.text();
            assert.equal(answer.status, 200, text);
            assert.deepEqual(JSON.parse(text), { models: [...MODELS].sort() });
        }
        assert.equal(nodeProxy.requests.length, 2);
        assert.ok(servers[VIA_NODE].requests.every((request) => request.headers['api-key'] === keys[VIA_NODE]));
    });

    it('refuses a reader other settings (openai-account.write), sending nothing', async () => {
        resetAll();
        const answer = await askModels(reader, { id: VIA_ENV, settings: { ...accountSettings(VIA_ENV), baseURL: servers[DIRECT].url } });
        assert.equal(answer.status, 401);
        assert.equal(servers[DIRECT].requests.length + servers[VIA_ENV].requests.length, 0);
    });

    it('never sends a stored key to another base URL asked with its account\'s id, even for an admin', async () => {
        resetAll();
        const answer = await askModels(admin, { id: VIA_ENV, settings: { ...accountSettings(VIA_ENV), baseURL: servers[DIRECT].url } });
        const text = await answer.text();
        assert.equal(answer.status, 502, text);
        assert.match(text, /401/);
        assert.equal(servers[DIRECT].requests.length, 1);
        assert.equal(servers[DIRECT].requests[0].headers.authorization, undefined, 'the stored key went to another host');
        assert.ok(!JSON.stringify(servers[DIRECT].requests).includes(keys[VIA_ENV]));
    });

    it('lists the models of an account never deployed with the key typed in its dialog', async () => {
        resetAll();
        const answer = await askModels(admin, { settings: { name: 'new', baseURL: servers[DIRECT].url }, apiKey: keys[DIRECT] });
        const text = await answer.text();
        assert.equal(answer.status, 200, text);
        assert.ok(!text.includes(keys[DIRECT]));
        assert.equal(servers[DIRECT].requests[0].headers.authorization, `Bearer ${keys[DIRECT]}`);
    });

    it('keeps the keys and the proxy password out of the flow file and the log', async () => {
        const flows = fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8');
        assert.ok(flows.includes(PROXY_NODE), 'flows.json does not hold the deployed flow');
        const exit = await nodeRed!.stop();
        assert.equal(exit.code, 0);
        const log = nodeRed!.log();
        for (const secret of [...Object.values(keys), proxyPassword]) {
            assert.ok(!flows.includes(secret), 'a secret is in flows.json');
            assert.ok(!log.includes(secret), 'a secret is in the Node-RED log');
        }
    });
});
