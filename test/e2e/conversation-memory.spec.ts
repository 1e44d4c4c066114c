// End to end: conversation memory in a real Node-RED process whose chat node
// keeps its conversations in a `localfilesystem` context store, and the
// conversation goes on after Node-RED is stopped and started again.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTestServer, type TestServer } from '../server/openai-test-server';
import { CHAT_DEFAULTS } from '../support/node-configs';
import { AdminClient, type NodeRedProcess, startNodeRed, stopAfterSuite } from './node-red-runner';
import { installPackage, packPackage } from './packed-package';

const USERNAME = 'memory-admin';
const ROUTE = '/memory-chat';
const TAB = 'a0e2e0000000tab1';
const CHAT = 'a0e2e000000chat1';

/** An HTTP endpoint in front of a chat node that remembers each `user` of the request body in the `file` store. */
function memoryFlow(baseURL: string, apiKey: string): Record<string, unknown>[] {
    const inTab = (node: Record<string, unknown>) => ({ z: TAB, x: 100, y: 100, ...node });
    return [
        { id: TAB, type: 'tab', label: 'memory', disabled: false, info: '' },
        { id: 'a0e2e0000000acc1', type: 'openai-account', name: '', baseURL, maxRetries: '0', credentials: { apiKey } },
        inTab({ id: 'a0e2e00000000in1', type: 'http in', name: '', url: ROUTE, method: 'post', upload: false, swaggerDoc: '', wires: [[CHAT]] }),
        inTab({
            id: CHAT,
            name: '',
            account: 'a0e2e0000000acc1',
            ...CHAT_DEFAULTS,
            userMessage: 'payload.text',
            systemPrompt: 'Be brief.',
            conversation: 'payload.user',
            conversationType: 'msg',
            memoryScope: 'flow',
            memoryStore: 'file',
            wires: [['a0e2e00000reply1']],
        }),
        inTab({ id: 'a0e2e00000reply1', type: 'http response', name: '', statusCode: '', headers: {}, wires: [] }),
    ];
}

describe('conversation memory in a Node-RED process, across a restart', function () {
    this.timeout(60000);
    const apiKey = `sk-memory-${randomBytes(8).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    // The same on both starts, so that the restarted process reads the account's key.
    const credentialSecret = randomBytes(24).toString('hex');
    let workDir: string;
    let userDir: string;
    let server: TestServer;
    let nodeRed: NodeRedProcess | undefined;

    function start(): Promise<NodeRedProcess> {
        return startNodeRed({
            userDir,
            settingsFile: path.join(workDir, 'settings.js'),
            username: USERNAME,
            password,
            credentialSecret,
            settings: { contextStorage: { default: { module: 'memory' }, file: { module: 'localfilesystem' } } },
        });
    }

    async function say(user: string, text: string): Promise<{ responses: string[]; history: { role: string; content: string }[] }> {
        const response = await fetch(`${nodeRed!.url}${ROUTE}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user, text }) });
        const body = await response.text();
        assert.equal(response.status, 200, body);
        return JSON.parse(body);
    }

    before(async function () {
        // npm may have to fetch the dependencies from the registry on a cold run.
        this.timeout(120000);
        workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-red-openai-memory-'));
        userDir = path.join(workDir, 'user');
        server = await startTestServer({ apiKey });
        await installPackage(userDir, (await packPackage(workDir)).tarball);
        nodeRed = await start();
        const admin = await AdminClient.login(nodeRed.url, USERNAME, password);
        const logMark = nodeRed.log().length;
        const response = await admin.request('POST', '/flows', {
            headers: { 'Node-RED-Deployment-Type': 'full', 'Node-RED-API-Version': 'v2' },
            body: { flows: memoryFlow(server.url, apiKey) },
        });
        assert.equal(response.status, 200, await response.text());
        await nodeRed.waitForLog('Started flows', logMark);
    });

    stopAfterSuite(
        () => nodeRed,
        async () => {
            await server?.close();
            if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
        },
    );

    it('remembers each user, keeps the conversations on disk, and goes on with them after a restart', async () => {
        const first = await say('ana', 'My name is Ana.');
        await say('luis', 'My name is Luis.');
        const exit = await nodeRed!.stop();
        assert.equal(exit.code, 0);
        // localfilesystem writes what it holds when Node-RED stops.
        const files = fs.readdirSync(path.join(userDir, 'context'), { recursive: true, encoding: 'utf8' });
        const onDisk = files.map((file) => path.join(userDir, 'context', file)).filter((file) => fs.statSync(file).isFile()).map((file) => fs.readFileSync(file, 'utf8')).join('\n');
        assert.match(onDisk, /openai-conversation:ana/);
        assert.ok(!onDisk.includes(apiKey), 'the key is in the context store');

        nodeRed = await start();
        server.reset();
        const again = await say('ana', 'What is my name?');
        const sent = (server.requests[0].body as { messages: { role: string; content: string }[] }).messages;
        assert.deepEqual(sent, [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'My name is Ana.' },
            { role: 'assistant', content: first.responses[0] },
            { role: 'user', content: 'What is my name?' },
        ]);
        assert.deepEqual(server.requests[0].schemaErrors, []);
        assert.equal(again.history.length, 5);
        assert.ok(!sent.some((message) => message.content.includes('Luis')), "Luis's conversation stays his own");
    });
});
