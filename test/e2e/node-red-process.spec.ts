// End to end: the packed package, installed with npm into a fresh user
// directory, run by a real Node-RED process with admin authentication and an
// encrypted credentials file, driven over HTTP like a user's flow would be.
// It checks what the unit and node tests cannot: that the tarball is
// complete, that the key travels from the editor's deploy to the API and to
// nowhere else (files, admin API, logs).
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { moderationResult, simulateChatCompletion, startTestServer, type TestServer } from '../server/openai-test-server';
import { ACCOUNT_ID, CHAT_MODEL, CHAT_ROUTE, e2eFlow, MODERATE_ROUTE, SYSTEM_PROMPT } from './e2e-flow';
import { AdminClient, type NodeRedProcess, startNodeRed, stopAfterSuite } from './node-red-runner';
import { installPackage, packPackage, type PackedPackage, readManifest } from './packed-package';

const USERNAME = 'e2e-admin';
const PACKAGE_TYPES = ['openai-account', 'openai-moderate', 'openai-chat'];

interface ChatPayload {
    responses: unknown[];
    history: { role: string; content: string }[];
    finishReason: string;
    raw: { id: string; created: number; usage: { total_tokens: number } };
    totalTokens: number;
}

interface NodeSet {
    module: string;
    version?: string;
    types: string[];
    enabled: boolean;
    err?: unknown;
}

describe('the packed package in a Node-RED process', function () {
    // Distinctive, so that any copy of it anywhere is found.
    const apiKey = `sk-e2e-${randomBytes(16).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    let workDir: string;
    let userDir: string;
    let server: TestServer;
    let packed: PackedPackage;
    let nodeRed: NodeRedProcess | undefined;
    let admin: AdminClient;

    before(async function () {
        // npm may have to fetch the `openai` dependency from the registry on a cold run.
        this.timeout(120000);
        workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-red-openai-e2e-'));
        userDir = path.join(workDir, 'user');
        server = await startTestServer({ apiKey });
        packed = await packPackage(workDir);
        await installPackage(userDir, packed.tarball);
        nodeRed = await startNodeRed({ userDir, settingsFile: path.join(workDir, 'settings.js'), username: USERNAME, password });
        admin = await AdminClient.login(nodeRed.url, USERNAME, password);
    });

    stopAfterSuite(
        () => nodeRed,
        async () => {
            await server?.close();
            if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
        },
    );

    const post = (route: string, body: unknown) =>
        fetch(`${nodeRed!.url}${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

    it('packs the registered nodes with their editor files, and no tests', () => {
        const manifest = readManifest();
        for (const file of Object.values(manifest['node-red'].nodes)) {
            assert.ok(packed.files.includes(file), `${file} is missing from the tarball`);
            assert.ok(packed.files.includes(file.replace(/\.js$/, '.html')), `the editor file of ${file} is missing from the tarball`);
        }
        assert.ok(packed.files.some((file) => file.startsWith('examples/')), 'the examples are missing from the tarball');
        assert.deepEqual(packed.files.filter((file) => /(^|\/)test\//.test(file) || file.endsWith('.ts')), []);
    });

    it('refuses the admin API without a token', async () => {
        const response = await fetch(`${nodeRed!.url}/flows`);
        assert.equal(response.status, 401);
    });

    it('lists the three node types, loaded from the installed package', async () => {
        const { json: sets } = await admin.getJson<NodeSet[]>('/nodes');
        const manifest = readManifest();
        const ours = sets.filter((set) => set.module === manifest.name);
        assert.deepEqual(ours.flatMap((set) => set.types).sort(), [...PACKAGE_TYPES].sort());
        for (const set of ours) {
            assert.equal(set.version, manifest.version);
            assert.equal(set.enabled, true);
            assert.equal(set.err, undefined, `${set.types.join(', ')} did not load: ${String(set.err)}`);
        }
    });

    it('deploys a flow whose account key is sent inline, as the editor does', async () => {
        const logMark = nodeRed!.log().length;
        const response = await admin.request('POST', '/flows', {
            headers: { 'Node-RED-Deployment-Type': 'full', 'Node-RED-API-Version': 'v2' },
            body: { flows: e2eFlow(server.url, apiKey) },
        });
        const text = await response.text();
        assert.equal(response.status, 200, text);
        assert.equal(typeof (JSON.parse(text) as { rev?: unknown }).rev, 'string');
        // Node-RED answers the deploy before the new flows have started (and their HTTP routes exist).
        await nodeRed!.waitForLog('Started flows', logMark);
    });

    it('answers a chat request with the documented payload, having sent the expected body', async () => {
        const response = await post(CHAT_ROUTE, { text: 'What does Node-RED do?', temperature: 0.2 });
        const text = await response.text();
        assert.equal(response.status, 200, text);
        assert.ok(!text.includes(apiKey), 'the key is in the HTTP answer');

        assert.equal(server.requests.length, 1);
        const [request] = server.requests;
        assert.equal(request.method, 'POST');
        assert.equal(request.path, '/v1/chat/completions');
        // The key reached the API: the runtime decrypted it from the credentials file.
        assert.equal(request.headers.authorization, `Bearer ${apiKey}`);
        assert.deepEqual(request.schemaErrors, []);
        const sent = {
            model: CHAT_MODEL,
            messages: [
                { role: 'system', content: SYSTEM_PROMPT },
                { role: 'user', content: 'What does Node-RED do?' },
            ],
            temperature: 0.2,
        };
        assert.deepEqual(request.body, sent);

        const payload = JSON.parse(text) as ChatPayload;
        assert.deepEqual(Object.keys(payload).sort(), ['finishReason', 'history', 'raw', 'responses', 'totalTokens']);
        const completion = simulateChatCompletion(sent, { id: payload.raw.id, created: payload.raw.created });
        const answer = completion.choices[0].message.content;
        assert.deepEqual(payload.raw, completion);
        assert.deepEqual(payload.responses, [answer]);
        assert.deepEqual(payload.history, [...sent.messages, { role: 'assistant', content: answer }]);
        assert.equal(payload.finishReason, 'stop');
        assert.equal(payload.totalTokens, completion.usage.total_tokens);
    });

    it('answers a moderation request with flagged, categories and categoryScores', async () => {
        server.reset();
        const input = 'I will steal your bike, then threaten you.';
        const response = await post(MODERATE_ROUTE, { text: input });
        const text = await response.text();
        assert.equal(response.status, 200, text);

        assert.equal(server.requests.length, 1);
        assert.equal(server.requests[0].path, '/v1/moderations');
        assert.deepEqual(server.requests[0].body, { input });

        const expected = moderationResult(input);
        const scores: Record<string, number> = expected.category_scores;
        const flaggedByScore = Object.entries(expected.categories)
            .filter(([, flagged]) => flagged)
            .map(([name]) => name)
            .sort((a, b) => scores[b] - scores[a]);
        assert.ok(flaggedByScore.length >= 2, 'the text was chosen to flag two categories');
        assert.deepEqual(JSON.parse(text), { flagged: true, categories: flaggedByScore, categoryScores: scores });
    });

    it('answers bad chat input with HTTP 500 naming the field, and sends nothing to the API', async () => {
        server.reset();
        const response = await post(CHAT_ROUTE, { text: 'Too hot?', temperature: 5 });
        const text = await response.text();
        assert.equal(response.status, 500, text);
        assert.match(text, /\btemperature\b.*\b5\b/);
        assert.deepEqual(server.requests, []);
    });

    it('answers an empty text to moderate with HTTP 500 naming the field, and sends nothing to the API', async () => {
        server.reset();
        const response = await post(MODERATE_ROUTE, { text: '' });
        const text = await response.text();
        assert.equal(response.status, 500, text);
        assert.match(text, /\btext\b.*empty/);
        assert.deepEqual(server.requests, []);
    });

    it('keeps the key out of flows.json and stores it encrypted in flows_cred.json', () => {
        const flows = fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8');
        assert.ok(flows.includes(ACCOUNT_ID), 'flows.json does not hold the deployed flow');
        assert.ok(!flows.includes(apiKey), 'the key is in flows.json');
        assert.ok(!flows.includes('"credentials"'), 'flows.json holds a credentials property');

        const credentialsFile = fs.readFileSync(path.join(userDir, 'flows_cred.json'), 'utf8');
        assert.ok(!credentialsFile.includes(apiKey), 'the key is in clear in flows_cred.json');
        assert.ok(!credentialsFile.includes('apiKey'), 'flows_cred.json is not encrypted');
        const stored = JSON.parse(credentialsFile) as Record<string, unknown>;
        assert.deepEqual(Object.keys(stored), ['$']);
        assert.equal(typeof stored.$, 'string');
        assert.ok((stored.$ as string).length > 32);
    });

    it('keeps the key out of every other file of the user directory', () => {
        const files = fs.readdirSync(userDir, { recursive: true, encoding: 'utf8' }).filter((file) => !file.startsWith('node_modules'));
        for (const file of files) {
            const full = path.join(userDir, file);
            if (fs.statSync(full).isFile()) assert.ok(!fs.readFileSync(full, 'utf8').includes(apiKey), `the key is in ${file}`);
        }
    });

    it('keeps the key out of the admin API: GET /flows and GET /credentials', async () => {
        const { json: flows, text } = await admin.getJson<{ flows: Record<string, unknown>[] }>('/flows', { 'Node-RED-API-Version': 'v2' });
        assert.ok(!text.includes(apiKey), 'the key is in GET /flows');
        const account = flows.flows.find((node) => node.id === ACCOUNT_ID);
        assert.ok(account, 'GET /flows lacks the account node');
        assert.equal(account.baseURL, server.url);

        const credentials = await admin.getJson<Record<string, unknown>>(`/credentials/openai-account/${ACCOUNT_ID}`);
        assert.ok(!credentials.text.includes(apiKey), 'the key is in GET /credentials');
        assert.deepEqual(credentials.json, { has_apiKey: true });
    });

    it('stops cleanly on SIGINT, having logged nothing of the key', async () => {
        const exit = await nodeRed!.stop();
        assert.deepEqual(exit, { code: 0, signal: null, killed: false });
        const log = nodeRed!.log();
        assert.match(log, /Started flows/, 'the log is not the one of a running Node-RED');
        assert.ok(!log.includes(apiKey), 'the key is in the Node-RED log');
        // Also a part of it, in case something logs it cut or masked loosely.
        assert.ok(!log.includes(apiKey.slice(7, 27)), 'part of the key is in the Node-RED log');
    });
});
