// The editor as a user sees it: Node-RED started by the project's own
// `npm start` script (offline simulator, fresh user directory), driven in
// Debian's chromium through playwright-core. The steps share one page and
// run in order, like a user's session.
import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { DEFAULT_API_KEY, MODELS, MODERATION_MODELS } from '../server/openai-test-server';
import {
    dismissTelemetryQuestion,
    dropFromPalette as dropOnPage,
    expectText,
    freePort,
    openEditor as openOnPage,
    openEditorPage,
    paletteNode as paletteNodeOf,
    RAW_I18N_KEY,
    stopProcessGroup,
    waitUntilAnswering,
    workspaceNode as workspaceNodeOf,
} from './browser-support';

/** The build folder this file was compiled into (`dist/` or `BUILD_DIR`). */
const buildDir = path.join(__dirname, '..', '..');
/** The package root, as `scripts/start.ts` computes it. */
const root = path.join(buildDir, '..');
const startScript = path.join(buildDir, 'scripts', 'start.js');
const screenshots = path.join(root, '.artifacts', 'screenshots');
/** The editor's English texts, from the catalogues the build copied. */
const chatText = readCatalogue('openai-chat')['openai-chat'];
const accountText = readCatalogue('openai-account')['openai-account'];
const moderateText = readCatalogue('openai-moderate')['openai-moderate'];

/** Every property of the chat node's dialog, as the contract names it. */
const CHAT_FIELDS = [
    'model',
    'responseFormat',
    'jsonSchema',
    'systemPrompt',
    'userMessage',
    'history',
    'images',
    'imageDetail',
    'tools',
    'toolChoice',
    'conversation',
    'frequencyPenalty',
    'maxTokens',
    'responseCount',
    'presencePenalty',
    'temperature',
    'topP',
    'reasoningEffort',
    'maxInFlight',
    'maxQueued',
] as const;
/** Fields that are plain inputs or selects; the rest are TypedInputs. */
const PLAIN_FIELDS = new Set(['responseFormat', 'imageDetail', 'maxInFlight', 'maxQueued']);

/**
 * Nodes as 0.1 saved them, or as a script writes them: only the properties of
 * the contract's 0.1 tables. The second chat node leaves optional TypedInputs
 * empty with types whose empty value is no valid expression.
 */
const FLOW_0_1: Record<string, unknown>[] = [
    { id: 'old-account', type: 'openai-account', name: '0.1 account', baseURL: '', organization: '', project: '', timeout: '', maxRetries: '' },
    {
        id: 'old-chat', type: 'openai-chat', x: 200, y: 0, wires: [[]],
        account: 'old-account', model: 'gpt-4.1-mini', modelType: 'str', responseFormat: 'text',
        systemPrompt: '', systemPromptType: 'str', userMessage: 'payload', userMessageType: 'msg', history: 'payload.history', historyType: 'msg',
        frequencyPenalty: '', frequencyPenaltyType: 'num', maxTokens: '', maxTokensType: 'num', responseCount: '', responseCountType: 'num',
        presencePenalty: '', presencePenaltyType: 'num', temperature: '', temperatureType: 'num', topP: '', topPType: 'num',
    },
    {
        id: 'old-chat-empty', type: 'openai-chat', x: 200, y: 60, wires: [[]], name: 'chat with empty inputs',
        account: 'old-account', model: 'gpt-4.1-mini', modelType: 'str', responseFormat: 'json',
        systemPrompt: '', systemPromptType: 'jsonata', userMessage: 'payload', userMessageType: 'msg', history: '', historyType: 'json',
        frequencyPenalty: '', frequencyPenaltyType: 'msg', maxTokens: '', maxTokensType: 'flow', responseCount: '', responseCountType: 'jsonata',
        presencePenalty: '', presencePenaltyType: 'global', temperature: '', temperatureType: 'env', topP: '', topPType: 'num',
    },
    {
        id: 'old-moderate', type: 'openai-moderate', x: 200, y: 120, wires: [[]], name: 'moderate 0.1',
        account: 'old-account', text: 'payload', textType: 'msg', model: '', modelType: 'msg',
    },
];

describe('editor (browser)', function () {
    this.timeout(90_000);
    // Each step builds on the one before; after a failure the rest would only fail with it.
    this.bail(true);

    let userDir = '';
    let nodeRed: ChildProcess | undefined;
    let nodeRedOutput = '';
    let browser: Browser | undefined;
    let page: Page;
    let baseUrl = '';
    let browserErrors: string[] = [];

    before(async function () {
        this.timeout(60_000);
        userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-red-openai-editor-'));
        fs.mkdirSync(screenshots, { recursive: true });
        const port = await freePort();
        baseUrl = `http://127.0.0.1:${port}/`;

        const env: NodeJS.ProcessEnv = {
            ...process.env,
            NODE_RED_PORT: String(port),
            NODE_RED_USER_DIR: userDir,
            SIMULATOR_PORT: '0',
            SIMULATOR_LATENCY_MS: '20',
        };
        // Without a key the start script brings up the offline simulator.
        delete env.OPENAI_API_KEY;
        delete env.OPENAI_BASE_URL;
        // Its own process group, so that `after` can stop Node-RED with it.
        nodeRed = spawn(process.execPath, [startScript], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
        const keep = (chunk: Buffer) => {
            nodeRedOutput = (nodeRedOutput + chunk.toString()).slice(-20_000);
        };
        nodeRed.stdout?.on('data', keep);
        nodeRed.stderr?.on('data', keep);
        await waitUntilAnswering(baseUrl, nodeRed);

        const opened = await openEditorPage(baseUrl);
        browser = opened.browser;
        page = opened.page;
        browserErrors = opened.errors;
    });

    after(async () => {
        await browser?.close().catch(() => undefined);
        if (nodeRed) await stopProcessGroup(nodeRed);
        if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
    });

    afterEach(function () {
        if (this.currentTest?.state === 'failed') {
            console.log(`--- Node-RED output (last lines) ---\n${nodeRedOutput.split('\n').slice(-40).join('\n')}`);
        }
    });

    /** Ends every step: any error in the browser's console fails the step it happened in. */
    function assertNoBrowserErrors(): void {
        assert.deepEqual(browserErrors.splice(0), [], 'errors in the browser console');
    }

    it('shows chat and moderate in the palette under AI, with their icons', async () => {
        await page.goto(baseUrl);
        const chat = paletteNode('openai-chat');
        await chat.waitFor();
        await dismissTelemetryQuestion(page);

        for (const [type, label] of [
            ['openai-chat', 'chat'],
            ['openai-moderate', 'moderate'],
        ]) {
            const node = paletteNode(type);
            assert.equal((await node.locator('.red-ui-palette-label').innerText()).trim(), label);
            const category = node.locator('xpath=ancestor::div[contains(@class, "red-ui-palette-category")]');
            assert.equal((await category.locator('.red-ui-palette-header').innerText()).trim(), 'AI');
            // The icon is this package's own SVG, and the browser could load it.
            const icon = node.locator('.red-ui-palette-icon');
            const image = await icon.evaluate((element) => getComputedStyle(element).backgroundImage);
            assert.match(image, new RegExp(`icons/@connector-labs/node-red-openai/${type}\\.svg`));
            const iconUrl = new URL(`icons/@connector-labs/node-red-openai/${type}.svg`, baseUrl).href;
            const loaded = await page.evaluate(async (url) => {
                const answer = await fetch(url);
                return { status: answer.status, type: answer.headers.get('content-type') ?? '', size: (await answer.text()).length };
            }, iconUrl);
            assert.equal(loaded.status, 200);
            assert.match(loaded.type, /svg/);
            assert.ok(loaded.size > 100, `the ${type} icon is empty`);
        }

        await page.locator('#red-ui-palette-container-AI').scrollIntoViewIfNeeded();
        await page.locator('#red-ui-palette-container').screenshot({ path: path.join(screenshots, 'palette.png') });
        assertNoBrowserErrors();
    });

    it('opens the chat node\'s dialog with every field, labelled in English', async () => {
        await dropFromPalette('openai-chat', 260, 120);
        await openEditor(workspaceNode('chat: gpt-4.1-mini'));
        // The less used fields sit in a collapsed "Options" group.
        if (!(await page.locator('#openai-chat-options').isVisible())) await page.click('#openai-chat-options-toggle');
        // The JSON schema field shows with its format only.
        assert.equal(await page.locator('#node-input-jsonSchema ~ .red-ui-typedInput-container').isVisible(), false);
        await page.selectOption('#node-input-responseFormat', 'json_schema');

        for (const field of CHAT_FIELDS) {
            const label = page.locator(`label[for="node-input-${field}"]`);
            assert.ok(await label.isVisible(), `${field}: label hidden`);
            assert.equal((await label.innerText()).trim(), chatText.label[field], `${field}: label`);
            const control = PLAIN_FIELDS.has(field)
                ? page.locator(`#node-input-${field}`)
                : page.locator(`#node-input-${field} ~ .red-ui-typedInput-container`);
            assert.ok(await control.isVisible(), `${field}: no visible control`);
        }
        // Reasoning effort suggests the known words and takes any other.
        const effort = page.locator('#node-input-reasoningEffort ~ .red-ui-typedInput-container input.red-ui-typedInput-input');
        const effortList = await effort.getAttribute('list');
        assert.ok(effortList, 'reasoning effort has no suggestions');
        assert.deepEqual(await page.locator(`#${effortList} option`).evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value)), ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']);
        const tray = page.locator('.red-ui-tray').last();
        assert.doesNotMatch(await tray.innerText(), RAW_I18N_KEY);
        await tray.screenshot({ path: path.join(screenshots, 'chat-dialog.png') });
        // Back to text, so that the node is saved complete: a schema is required with json_schema.
        await page.selectOption('#node-input-responseFormat', 'text');
        await page.locator('#node-input-jsonSchema ~ .red-ui-typedInput-container').waitFor({ state: 'hidden' });
        assertNoBrowserErrors();
    });

    it('toggles the chat node\'s Options from the keyboard, its state told by aria-expanded', async () => {
        // Opened by the step before.
        await expectDisclosure('openai-chat', true);
        await page.focus('#openai-chat-options-toggle');
        await page.keyboard.press('Enter');
        await expectDisclosure('openai-chat', false);
        await page.keyboard.press('Space');
        await expectDisclosure('openai-chat', true);
        assertNoBrowserErrors();
    });

    it('shows where and how much the chat node remembers once a conversation is set', async () => {
        const memoryFields = ['memoryScope', 'memoryStore', 'memoryLimit'];
        for (const field of memoryFields) assert.equal(await page.locator(`label[for="node-input-${field}"]`).isVisible(), false, `${field} shows without a conversation`);
        const conversation = page.locator('#node-input-conversation ~ .red-ui-typedInput-container input.red-ui-typedInput-input');
        await conversation.fill('topic');
        await conversation.press('Tab');
        for (const field of memoryFields) {
            const label = page.locator(`label[for="node-input-${field}"]`);
            await label.waitFor();
            assert.equal((await label.innerText()).trim(), chatText.label[field], `${field}: label`);
        }
        assert.equal(await page.locator('#node-input-memoryScope').inputValue(), 'flow');
        // The context stores Node-RED runs with are offered by name.
        const stores = await page.locator('#openai-chat-context-stores option').evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
        assert.ok(stores.includes('memory'), `stores offered: ${stores.join(', ')}`);
        await conversation.fill('');
        await conversation.press('Tab');
        await page.locator('label[for="node-input-memoryScope"]').waitFor({ state: 'hidden' });
        assertNoBrowserErrors();
    });

    it('stores an account key and never shows it again', async () => {
        // Still in the chat dialog: add a new account from its account field.
        await page.click('#node-input-btn-account-add');
        const keyInput = page.locator('#node-config-input-apiKey');
        await keyInput.waitFor();
        await page.fill('#node-config-input-name', 'browser test');
        // The simulator's key, so that the account also works for the model list.
        await keyInput.fill(DEFAULT_API_KEY);
        assert.equal(await page.locator('#openai-account-key-tip').innerText(), accountText.tip.keyNew);
        await page.click('#node-config-dialog-ok');
        await keyInput.waitFor({ state: 'detached' });

        // Not deployed yet: the model field lists what the server lists with the typed key.
        const accountId = await page.locator('#node-input-account').inputValue();
        assert.notEqual(accountId, '_ADD_');
        await expectText(page.locator('#openai-chat-model-hint'), accountText.modelList.listedDraft.replace('__number__', String(MODELS.length)));
        assert.equal(await page.locator('#openai-chat-model-list option').count(), MODELS.length);
        await page.click('#node-dialog-ok');
        await deploy();

        // Reopened, the account dialog tells that a key is stored, not which.
        await openEditor(workspaceNode('chat: gpt-4.1-mini'));
        await page.click('#node-input-btn-account-edit');
        await keyInput.waitFor();
        await expectText(page.locator('#openai-account-key-tip'), accountText.tip.keyStored);
        assert.notEqual(await keyInput.inputValue(), DEFAULT_API_KEY);
        assert.ok(!(await page.content()).includes(DEFAULT_API_KEY), 'the key is in the page');
        const credentials = await page.evaluate(async (id) => (await fetch(`credentials/openai-account/${id}`)).text(), accountId);
        assert.deepEqual(JSON.parse(credentials), { has_apiKey: true });
        assert.ok(!fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8').includes(DEFAULT_API_KEY), 'the key is in flows.json');
        await page.click('#node-config-dialog-cancel');
        await keyInput.waitFor({ state: 'detached' });
        await page.click('#node-dialog-cancel');
        await page.locator('#node-input-name').waitFor({ state: 'detached' });
        assertNoBrowserErrors();
    });

    it('shows the chat node\'s help in the help sidebar', async () => {
        await showSidebarTab('help');
        await workspaceNode('chat: gpt-4.1-mini').click();
        const help = page.locator('.red-ui-sidebar-help-stack .red-ui-help').filter({ hasText: helpSummary('openai-chat') }).first();
        await help.waitFor();
        const text = await help.innerText();
        assert.match(text, /^chat\n/, 'the help is titled with the palette label');
        for (const heading of ['Inputs', 'Outputs', 'Details']) assert.match(text, new RegExp(`\\n${heading}\\n`));
        assert.match(text, /msg\.payload\.history|payload\.history/);
        assertNoBrowserErrors();
    });

    it('lists the package\'s ten examples under Import > Examples', async () => {
        await openExamples();
        const expected = fs
            .readdirSync(path.join(root, 'examples'))
            .filter((file) => file.endsWith('.json'))
            .map((file) => file.slice(0, -'.json'.length))
            .sort();
        assert.equal(expected.length, 10);
        const shown = await page
            .locator('#red-ui-clipboard-dialog-import-tab-examples .red-ui-treeList-label-text')
            .filter({ hasText: /^\d\d - / })
            .allInnerTexts();
        assert.deepEqual(shown.map((name) => name.trim()).sort(), expected);
        assertNoBrowserErrors();
    });

    it('runs "04 - Chained chat with history": the answer shows in the debug sidebar', async () => {
        await page.locator('#red-ui-clipboard-dialog-import-tab-examples .red-ui-treeList-label-text', { hasText: '04 - Chained chat with history' }).click();
        await page.click('#red-ui-clipboard-dialog-ok');
        // Imported nodes follow the mouse until a click drops them.
        const chart = await page.locator('#red-ui-workspace-chart').boundingBox();
        assert.ok(chart);
        await page.mouse.move(chart.x + 40, chart.y + 220, { steps: 4 });
        await page.mouse.click(chart.x + 40, chart.y + 220);
        await workspaceNode('question').waitFor();
        await deploy();

        await showSidebarTab('debug');
        await workspaceNode('question').locator('.red-ui-flow-node-button').click();
        const answer = page.locator('.red-ui-debug-msg').filter({ has: page.locator('.red-ui-debug-msg-name', { hasText: 'conversation' }) });
        await answer.waitFor();
        // Open msg.payload, then its `responses`, to show the answer's text.
        await answer.locator('.red-ui-debug-msg-object-handle').first().click();
        await answer.locator('.red-ui-debug-msg-row', { hasText: /^responses/ }).first().click();
        await expectText(answer, 'Simulated answer to "What is its population?"');
        await expectText(answer, 'finishReason');
        // The status under each chat node is translated by Node-RED with the answer's token count filled in.
        for (const label of ['first question', 'follow-up']) {
            await workspaceNode(label).locator('text.red-ui-flow-node-status-label').filter({ hasText: /^[1-9][0-9]* tokens$/ }).waitFor();
        }
        await dismissNotifications();
        // Opening the message reveals its debug node at the edge of the view; show the whole flow.
        await workspaceNode('first answer').evaluate((node) => node.scrollIntoView({ block: 'center', inline: 'center' }));
        await page.screenshot({ path: path.join(screenshots, 'debug-output.png') });
        assertNoBrowserErrors();
    });

    it('offers the models that the account\'s server lists in the model fields', async () => {
        await openEditor(workspaceNode('first question'));
        const hint = page.locator('#openai-chat-model-hint');
        await expectText(hint, accountText.modelList.listed.replace('__number__', String(MODELS.length)));
        const offered = await page.locator('#openai-chat-model-list option').evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
        assert.deepEqual(offered, [...MODELS].sort());
        const field = page.locator('#node-input-model ~ .red-ui-typedInput-container input.red-ui-typedInput-input');
        assert.equal(await field.getAttribute('list'), 'openai-chat-model-list');
        assert.equal(await field.inputValue(), 'gpt-4.1-mini');
        await page.locator('.red-ui-tray').last().screenshot({ path: path.join(screenshots, 'chat-dialog-models.png') });

        // A model read from msg is a property path: no model suggestions there.
        await page.evaluate(() => (window as unknown as { $: (selector: string) => { typedInput(name: string, value: string): void } }).$('#node-input-model').typedInput('type', 'msg'));
        assert.equal(await field.getAttribute('list'), null);
        assert.ok(!(await hint.isVisible()), 'the hint stays for a msg property');
        await page.click('#node-dialog-cancel');
        await page.locator('#node-input-name').waitFor({ state: 'detached' });

        // The moderate node offers the moderation models of the same server.
        await dropFromPalette('openai-moderate', 260, 60);
        await openEditor(workspaceNode('moderate'));
        await page.locator('#node-input-account').selectOption({ label: 'OpenAI' });
        await expectText(page.locator('#openai-moderate-model-hint'), accountText.modelList.listed.replace('__number__', String(MODERATION_MODELS.length)));
        const moderation = await page.locator('#openai-moderate-model-list option').evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
        assert.deepEqual(moderation, [...MODERATION_MODELS].sort());
        // Kept with its account, so that the flow stays deployable without a question.
        await page.click('#node-dialog-ok');
        await page.locator('#node-input-name').waitFor({ state: 'detached' });

        assert.doesNotMatch(await page.locator('body').innerText(), RAW_I18N_KEY);
        assertNoBrowserErrors();
    });

    it('picks a model from the list in the dialog of an account that was never deployed', async () => {
        // The simulator of `npm start`, named in its console, as another server with its own key.
        const simulatorURL = /offline OpenAI simulator at (http\S+)/.exec(nodeRedOutput)?.[1];
        assert.ok(simulatorURL, 'the start script did not name its simulator');
        await dropFromPalette('openai-chat', 560, 60);
        await openEditor(workspaceNode('chat: gpt-4.1-mini').last());
        await page.click('#node-input-btn-account-add');
        await page.locator('#node-config-input-apiKey').waitFor();
        for (const field of ['proxy', 'headers', 'query', 'authHeader']) {
            const label = page.locator(`label[for="node-config-input-${field}"]`);
            assert.equal((await label.innerText()).trim(), accountText.label[field], `${field}: label`);
        }
        // The proxy is chosen with Node-RED's config-node picker: none, or an http proxy node.
        assert.equal(await page.locator('select#node-config-input-proxy').isVisible(), true, 'no proxy picker');
        await page.fill('#node-config-input-name', 'never deployed');
        await page.fill('#node-config-input-baseURL', simulatorURL);
        await page.fill('#node-config-input-apiKey', DEFAULT_API_KEY);
        await page.fill('#node-config-input-headers ~ .red-ui-typedInput-container input.red-ui-typedInput-input', '{"X-Title": "browser test"}');
        const accountTray = page.locator('.red-ui-tray').last();
        assert.doesNotMatch(await accountTray.innerText(), RAW_I18N_KEY);
        await accountTray.screenshot({ path: path.join(screenshots, 'account-dialog-network.png') });
        await page.click('#node-config-dialog-ok');
        await page.locator('#node-config-input-apiKey').waitFor({ state: 'detached' });

        const asked = await page.evaluate(() => {
            const red = (window as unknown as { RED: { nodes: { node(id: string): { changed?: boolean; type: string } | null } } }).RED;
            const id = (document.querySelector('#node-input-account') as HTMLSelectElement).value;
            return { type: red.nodes.node(id)?.type, changed: red.nodes.node(id)?.changed };
        });
        assert.deepEqual(asked, { type: 'openai-account', changed: true }, 'the account is new, not deployed');
        await expectText(page.locator('#openai-chat-model-hint'), accountText.modelList.listedDraft.replace('__number__', String(MODELS.length)));
        const offered = await page.locator('#openai-chat-model-list option').evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
        assert.deepEqual(offered, [...MODELS].sort());
        const field = page.locator('#node-input-model ~ .red-ui-typedInput-container input.red-ui-typedInput-input');
        assert.equal(await field.getAttribute('list'), 'openai-chat-model-list');
        // Choosing a suggestion fills the field with it, as typing it would.
        const picked = offered.find((id) => id !== 'gpt-4.1-mini' && !id.includes('moderation'));
        assert.ok(picked);
        await field.fill(picked);
        await page.click('#node-dialog-ok');
        await page.locator('#node-input-name').waitFor({ state: 'detached' });
        await workspaceNode(`chat: ${picked}`).waitFor();
        assert.ok(!(await page.content()).includes(DEFAULT_API_KEY), 'the key is in the page');
        assertNoBrowserErrors();
    });

    it('checks the account\'s headers, query and auth header, with translated reasons', async () => {
        const checked = await page.evaluate(() => {
            type Validate = (this: object, value: string, opt: { label: string }) => true | string;
            const red = (
                window as unknown as { RED: { nodes: { getType(type: string): { defaults: Record<string, { validate: Validate }> } } } }
            ).RED;
            const account = red.nodes.getType('openai-account');
            const check = (prop: string, value: string, node: object = {}) => account.defaults[prop].validate.call(node, value, { label: prop });
            return {
                headers: [
                    check('headers', '{"X-Title": "t"}'),
                    check('headers', ''),
                    check('headers', '{"X-Title": '),
                    check('headers', '{"X-Count": 1}'),
                    check('headers', '{"authorization": "Bearer sk-x"}'),
                    check('headers', '{"api-key": "sk-x"}', { authHeader: 'api-key' }),
                ],
                query: [check('query', '{"api-version": "2024-10-21"}'), check('query', '[1]')],
                authHeader: [check('authHeader', 'api-key'), check('authHeader', 'Authorization'), check('authHeader', 'api key')],
            };
        });
        const reason = (key: string, name = '') => accountText.errors[key].replace('__prop__', key.startsWith('authHeader') ? 'authHeader' : 'headers').replace('__name__', name);
        assert.deepEqual(checked.headers, [true, true, reason('json'), reason('objectOfStrings'), reason('headersAuthorization'), reason('headersAuthHeader', 'api-key')]);
        assert.deepEqual(checked.query, [true, accountText.errors.objectOfStrings.replace('__prop__', 'query')]);
        assert.deepEqual(checked.authHeader, [true, reason('authHeaderAuthorization'), reason('authHeaderName')]);
        assertNoBrowserErrors();
    });

    it('opens and deploys a flow saved with only the 0.1 properties: no invalid mark, no question', async () => {
        await importFlow(FLOW_0_1);
        // Every node of this package in the editor, the ones just imported included.
        const validity = await page.evaluate(() => {
            type EditorNode = { id: string; type: string; valid?: boolean; validationErrors?: string[] };
            const red = (
                window as unknown as {
                    RED: { nodes: { eachNode(f: (n: EditorNode) => void): void; eachConfig(f: (n: EditorNode) => void): void }; editor: { validateNode(n: EditorNode): void } };
                }
            ).RED;
            const found: { type: string; valid?: boolean; errors: string[] }[] = [];
            const check = (node: EditorNode) => {
                // Config nodes are validated on demand, as Deploy does.
                if (node.valid === undefined) red.editor.validateNode(node);
                if (node.type.startsWith('openai-')) found.push({ type: node.type, valid: node.valid, errors: node.validationErrors ?? [] });
            };
            red.nodes.eachNode(check);
            red.nodes.eachConfig(check);
            return found;
        });
        assert.ok(validity.filter((node) => node.type === 'openai-chat').length >= 2, JSON.stringify(validity));
        assert.deepEqual(validity.filter((node) => node.valid !== true), [], 'nodes marked as not properly configured');
        for (const label of ['chat: gpt-4.1-mini', 'chat with empty inputs', 'moderate 0.1']) {
            assert.equal(await workspaceNode(label).locator('path.red-ui-flow-node-error:not(.hide)').count(), 0, `${label}: invalid mark`);
        }
        await deployWithoutQuestion();

        // A missing limit reads as its default in the dialog, collapsed.
        await openEditor(workspaceNode('moderate 0.1'));
        await expectDisclosure('openai-moderate', false);
        await page.focus('#openai-moderate-options-toggle');
        await page.keyboard.press('Enter');
        await expectDisclosure('openai-moderate', true);
        assert.equal(await page.locator('#node-input-maxInFlight').inputValue(), '8');
        assert.equal(await page.locator('#node-input-maxQueued').inputValue(), '10000');
        await page.keyboard.press('Space');
        await expectDisclosure('openai-moderate', false);
        await page.click('#node-dialog-cancel');
        await page.locator('#node-input-name').waitFor({ state: 'detached' });
        assertNoBrowserErrors();
    });

    it('refuses a base URL with a password, a fragment or another scheme, and never labels an account with it', async () => {
        const checked = await page.evaluate(() => {
            type Validate = (this: object, value: string, opt: { label: string }) => true | string;
            const red = (
                window as unknown as {
                    RED: { nodes: { getType(type: string): { defaults: Record<string, { validate: Validate }>; label(this: object): string } } };
                }
            ).RED;
            const account = red.nodes.getType('openai-account');
            const check = (prop: string, value: string) => account.defaults[prop].validate.call({}, value, { label: prop });
            const label = (baseURL: string) => account.label.call({ name: '', baseURL });
            return {
                baseURL: ['http://127.0.0.1:11434/v1', 'https://user:s3cret@example.com/v1', 'https://:s3cret@example.com/v1', 'https://example.com/v1#part', 'ftp://example.com/v1', '${OPENAI_URL}'].map((v) => check('baseURL', v)),
                timeout: ['2073600', '2073601', '0.5', '0'].map((v) => check('timeout', v)),
                maxRetries: ['10', '11', '0'].map((v) => check('maxRetries', v)),
                labels: ['https://user:s3cret@example.com:8443/v1', 'https://user:s3cret@', 'not a url s3cret', ''].map(label),
            };
        });
        const [good, password, passwordOnly, fragment, scheme, env] = checked.baseURL;
        assert.equal(good, true);
        assert.equal(env, true);
        for (const refused of [password, passwordOnly]) assert.equal(refused, accountText.errors.baseURLCredentials.replace('__prop__', 'baseURL'));
        assert.equal(fragment, accountText.errors.baseURLFragment.replace('__prop__', 'baseURL'));
        assert.equal(scheme, accountText.errors.baseURL.replace('__prop__', 'baseURL'));
        assert.deepEqual(checked.timeout, [true, accountText.errors.timeoutMax.replace('__prop__', 'timeout').replace('__max__', '2073600'), true, accountText.errors.timeout.replace('__prop__', 'timeout')]);
        assert.deepEqual(checked.maxRetries, [true, accountText.errors.maxRetries.replace('__prop__', 'maxRetries').replace('__max__', '10'), true]);
        assert.equal(checked.labels[0], 'example.com:8443');
        assert.equal(checked.labels[3], 'OpenAI');
        for (const shown of checked.labels) assert.ok(!shown.includes('s3cret'), `a label shows the password: ${shown}`);
        assertNoBrowserErrors();
    });

    it('checks the chat node\'s JSON schema, tools, tool choice and reasoning effort, with translated reasons', async () => {
        // No dialog is open: the validators read the node's saved types.
        const checked = await page.evaluate(() => {
            type Validate = (this: object, value: string, opt: { label: string }) => true | string;
            const red = (window as unknown as { RED: { nodes: { getType(type: string): { defaults: Record<string, { validate: Validate }> } } } }).RED;
            const chat = red.nodes.getType('openai-chat');
            const check = (prop: string, node: object, values: string[]) => values.map((value) => chat.defaults[prop].validate.call(node, value, { label: prop }));
            const tools = '[{"name":"now"},{"type":"function","function":{"name":"convert"}}]';
            return {
                schema: check('jsonSchema', { responseFormat: 'json_schema', jsonSchemaType: 'json' }, ['{"type":"object"}', '{"type":', '[1]', '']),
                schemaElsewhere: [
                    ...check('jsonSchema', { responseFormat: 'text', jsonSchemaType: 'json' }, ['', '{"type":']),
                    ...check('jsonSchema', { responseFormat: 'json_schema', jsonSchemaType: 'msg' }, ['schema']),
                    // A node saved before the property existed.
                    ...check('jsonSchema', {}, [undefined as unknown as string]),
                ],
                tools: check('tools', { toolsType: 'json' }, ['', tools, '{"name":"now"}', '[{"name":"the time"}]', '[{"name":"now"},{"type":"function","function":{"name":"now"}}]']),
                toolsFromMessage: check('tools', { toolsType: 'msg' }, ['tools']),
                toolChoice: check('toolChoice', { toolChoiceType: 'str', toolsType: 'json', tools }, ['', 'auto', 'none', 'required', 'convert', 'weather']),
                reasoningEffort: check('reasoningEffort', { reasoningEffortType: 'str' }, ['', 'low', 'ultra', 'very high']),
                imageDetail: check('imageDetail', {}, ['', 'auto', 'low', 'high', 'ultra', undefined as unknown as string]),
                images: check('images', { imagesType: 'msg' }, ['', 'payload', undefined as unknown as string]),
            };
        });
        const reason = (key: string, prop: string) => String(chatText.errors[key]).replace('__prop__', prop);
        const [schemaOk, schemaBroken, schemaList, schemaMissing] = checked.schema;
        assert.equal(schemaOk, true);
        assert.ok(String(schemaBroken).startsWith(reason('jsonSchemaJson', 'jsonSchema').split(' (')[0]), String(schemaBroken));
        assert.equal(schemaList, reason('jsonSchemaObject', 'jsonSchema'));
        assert.equal(schemaMissing, reason('jsonSchemaRequired', 'jsonSchema'));
        assert.deepEqual(checked.schemaElsewhere, [true, true, true, true]);
        assert.deepEqual(checked.tools.slice(0, 2), [true, true]);
        assert.equal(checked.tools[2], reason('toolsList', 'tools'));
        assert.equal(checked.tools[3], reason('toolName', 'tools').replace('__index__', '0'));
        assert.equal(checked.tools[4], reason('toolDuplicate', 'tools').replace('__index__', '1').replace('__first__', '0'));
        assert.deepEqual(checked.toolsFromMessage, [true]);
        assert.deepEqual(checked.toolChoice, [true, true, true, true, true, reason('toolChoice', 'toolChoice')]);
        assert.deepEqual(checked.reasoningEffort, [true, true, true, reason('reasoningEffort', 'reasoningEffort')]);
        assert.deepEqual(checked.imageDetail, [true, true, true, true, reason('imageDetail', 'imageDetail'), true]);
        assert.deepEqual(checked.images, [true, true, true]);
        assertNoBrowserErrors();
    });

    it('lets the moderate node\'s text be empty only when images are given', async () => {
        const checked = await page.evaluate(() => {
            type Validate = (this: object, value: string, opt: { label: string }) => true | string;
            const red = (window as unknown as { RED: { nodes: { getType(type: string): { defaults: Record<string, { validate: Validate }> } } } }).RED;
            const moderate = red.nodes.getType('openai-moderate');
            const check = (node: object, value: string) => moderate.defaults.text.validate.call(node, value, { label: 'text' });
            return [check({ textType: 'msg' }, 'payload'), check({ textType: 'str', images: 'payload', imagesType: 'msg' }, ''), check({ textType: 'str', images: '' }, ''), check({ textType: 'str' }, '')];
        });
        const required = String(moderateText.errors.textRequired).replace('__prop__', 'text');
        assert.deepEqual(checked, [true, true, required, required]);
        assertNoBrowserErrors();
    });

    it('gives the chat node a second output when stream is ticked, keeping the wire of output 1, with labels for both', async () => {
        await page.waitForFunction(() => Boolean((window as unknown as { RED?: { nodes?: { getType?(type: string): unknown } } }).RED?.nodes?.getType?.('openai-chat')));
        // A chat node wired to a debug node, placed straight into the open tab.
        const ids = await page.evaluate(() => {
            const red = (
                window as unknown as {
                    RED: {
                        nodes: { id(): string; import(flow: object[]): unknown; dirty(d: boolean): void };
                        workspaces: { active(): string };
                        view: { redraw(full: boolean): void };
                    };
                }
            ).RED;
            const chat = red.nodes.id();
            const debug = red.nodes.id();
            const z = red.workspaces.active();
            red.nodes.import([
                { id: chat, type: 'openai-chat', z, name: 'stream toggle', x: 300, y: 520, wires: [[debug]] },
                { id: debug, type: 'debug', z, name: 'after stream toggle', x: 560, y: 520, wires: [] },
            ]);
            red.nodes.dirty(true);
            red.view.redraw(true);
            return { chat, debug };
        });
        const ports = () =>
            page.evaluate(({ chat }) => {
                type Link = { source: { id: string }; sourcePort: number; target: { id: string } };
                type Node = { outputs: number; stream?: boolean; _def: { outputLabels(this: object, index: number): string } };
                const red = (window as unknown as { RED: { nodes: { node(id: string): Node; filterLinks(filter: object): Link[] } } }).RED;
                const node = red.nodes.node(chat);
                return {
                    outputs: Number(node.outputs),
                    // A node added without the property (as saved before 0.2) has none: that is off.
                    stream: node.stream === true,
                    links: red.nodes.filterLinks({ source: node }).map((link) => [link.sourcePort, link.target.id]),
                    labels: Array.from({ length: Number(node.outputs) }, (_, index) => node._def.outputLabels.call(node, index)),
                };
            }, ids);
        const toggleStream = async () => {
            await openEditor(workspaceNode('stream toggle'));
            await page.click('#node-input-stream');
            await page.click('#node-dialog-ok');
            await page.locator('#node-input-name').waitFor({ state: 'detached' });
        };
        assert.deepEqual(await ports(), { outputs: 1, stream: false, links: [[0, ids.debug]], labels: [chatText.label.output] });

        await toggleStream();
        assert.deepEqual(await ports(), { outputs: 2, stream: true, links: [[0, ids.debug]], labels: [chatText.label.finalOutput, chatText.label.partialOutput] });
        assert.equal(await workspaceNode('stream toggle').locator('g.red-ui-flow-port-output').count(), 2);

        await toggleStream();
        assert.deepEqual(await ports(), { outputs: 1, stream: false, links: [[0, ids.debug]], labels: [chatText.label.output] });
        assertNoBrowserErrors();
    });

    // --- helpers, over the shared page ---

    function paletteNode(type: string): Locator {
        return paletteNodeOf(page, type);
    }

    function workspaceNode(label: string): Locator {
        return workspaceNodeOf(page, label);
    }

    function dropFromPalette(type: string, x: number, y: number): Promise<void> {
        return dropOnPage(page, type, x, y);
    }

    /** The sidebar's tab buttons toggle: a click on the tab shown hides it. */
    async function showSidebarTab(id: string): Promise<void> {
        const button = page.locator(`button[data-tab-id="${id}"]`);
        if (!(await button.evaluate((element) => element.classList.contains('selected')))) await button.click();
        await page.locator(`button[data-tab-id="${id}"].selected`).waitFor();
    }

    function openEditor(node: Locator): Promise<void> {
        return openOnPage(page, node);
    }

    /** Deploy and inject notices would cover the screenshots; a click closes each. */
    async function dismissNotifications(): Promise<void> {
        await page.evaluate(() => document.querySelectorAll<HTMLElement>('#red-ui-notifications .red-ui-notification').forEach((notice) => notice.click()));
        await page.waitForFunction(() => document.querySelectorAll('#red-ui-notifications .red-ui-notification').length === 0);
    }

    async function deploy(): Promise<void> {
        const saved = page.waitForResponse((answer) => answer.request().method() === 'POST' && new URL(answer.url()).pathname === '/flows');
        await page.click('#red-ui-header-button-deploy');
        assert.equal((await saved).status(), 200, 'deploy refused');
        // Disabled again once nothing is left to deploy.
        await page.locator('#red-ui-header-button-deploy.disabled').waitFor();
    }

    /** Deploys with the Deploy button and fails if the editor asks to confirm (invalid, unknown or unused nodes). */
    async function deployWithoutQuestion(): Promise<void> {
        const saved = page.waitForResponse((answer) => answer.request().method() === 'POST' && new URL(answer.url()).pathname === '/flows');
        const asked = page.locator('#red-ui-deploy-dialog-confirm-deploy-deploy, .red-ui-deploy-dialog-confirm-list');
        await page.click('#red-ui-header-button-deploy');
        const first = await Promise.race([saved.then(() => 'deployed'), asked.first().waitFor().then(async () => `asked: ${await page.locator('#red-ui-notifications').innerText()}`)]);
        assert.equal(first, 'deployed');
        assert.equal((await saved).status(), 200, 'deploy refused');
        await page.locator('#red-ui-header-button-deploy.disabled').waitFor();
    }

    /** The Options toggle of a dialog: a button that says whether the group it controls is shown. */
    async function expectDisclosure(type: string, expanded: boolean): Promise<void> {
        const toggle = page.locator(`#${type}-options-toggle`);
        assert.equal(await toggle.evaluate((element) => element.tagName), 'BUTTON');
        assert.equal(await toggle.getAttribute('aria-controls'), `${type}-options`);
        await page.locator(`#${type}-options-toggle[aria-expanded="${expanded}"]`).waitFor();
        await page.locator(`#${type}-options`).waitFor({ state: expanded ? 'visible' : 'hidden' });
    }

    /** Menu > Import > Clipboard, as a user pastes a flow; the nodes follow the mouse until a click drops them. */
    async function importFlow(flow: object[]): Promise<void> {
        await page.click('#red-ui-header-button-sidemenu');
        await page.click('#menu-item-import');
        await page.click('#red-ui-tab-red-ui-clipboard-dialog-import-tab-clipboard');
        await page.fill('#red-ui-clipboard-dialog-import-text', JSON.stringify(flow));
        // The dialog checks the text on keyup, as when typing.
        await page.press('#red-ui-clipboard-dialog-import-text', 'End');
        await page.click('#red-ui-clipboard-dialog-ok');
        const chart = await page.locator('#red-ui-workspace-chart').boundingBox();
        assert.ok(chart);
        await page.mouse.move(chart.x + 40, chart.y + 420, { steps: 4 });
        await page.mouse.click(chart.x + 40, chart.y + 420);
        await workspaceNode('moderate 0.1').waitFor();
    }

    async function openExamples(): Promise<void> {
        await page.click('#red-ui-header-button-sidemenu');
        await page.click('#menu-item-import');
        await page.click('#red-ui-tab-red-ui-clipboard-dialog-import-tab-examples');
        await page
            .locator('#red-ui-clipboard-dialog-import-tab-examples .red-ui-treeList-label-text', { hasText: '@connector-labs/node-red-openai' })
            .click();
        await page.locator('#red-ui-clipboard-dialog-import-tab-examples .red-ui-treeList-label-text', { hasText: /^01 - / }).waitFor();
    }
});

function readCatalogue(set: string) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return JSON.parse(fs.readFileSync(path.join(buildDir, 'nodes', 'locales', 'en-US', `${set}.json`), 'utf8')) as Record<string, any>;
}

/** The first sentence of a node's help: its one-line summary. */
function helpSummary(set: string): string {
    const html = fs.readFileSync(path.join(buildDir, 'nodes', 'locales', 'en-US', `${set}.html`), 'utf8');
    const first = /<p>([\s\S]*?)<\/p>/.exec(html);
    assert.ok(first, `no summary paragraph in the ${set} help`);
    return first[1].replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim().split('. ')[0];
}
