// The editor as a user sees it: Node-RED started by the project's own
// `npm start` script (offline simulator, fresh user directory), driven in
// Debian's chromium through playwright-core. The steps share one page and
// run in order, like a user's session.
import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { DEFAULT_API_KEY, MODELS, MODERATION_MODELS } from '../server/openai-test-server';

/** The build folder this file was compiled into (`dist/` or `BUILD_DIR`). */
const buildDir = path.join(__dirname, '..', '..');
/** The package root, as `scripts/start.ts` computes it. */
const root = path.join(buildDir, '..');
const startScript = path.join(buildDir, 'scripts', 'start.js');
const screenshots = path.join(root, '.artifacts', 'screenshots');
/** CI installs Debian's chromium; CHROMIUM_PATH points elsewhere when needed. */
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

/** The editor's English texts, from the catalogues the build copied. */
const chatText = readCatalogue('openai-chat')['openai-chat'];
const accountText = readCatalogue('openai-account')['openai-account'];

/** Every property of the chat node's dialog, as the contract names it. */
const CHAT_FIELDS = [
    'model',
    'responseFormat',
    'systemPrompt',
    'userMessage',
    'history',
    'frequencyPenalty',
    'maxTokens',
    'responseCount',
    'presencePenalty',
    'temperature',
    'topP',
    'maxInFlight',
    'maxQueued',
] as const;
/** Fields that are plain inputs or selects; the rest are TypedInputs. */
const PLAIN_FIELDS = new Set(['responseFormat', 'maxInFlight', 'maxQueued']);

/** A catalogue key shown as such means a missing translation. */
const RAW_I18N_KEY = /\bopenai-(chat|moderate|account)\.[a-zA-Z]+\.|@connector-labs\/node-red-openai\/openai-/;

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
    const browserErrors: string[] = [];

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

        // A non-persistent launch gets a fresh temporary profile every run.
        browser = await chromium.launch({
            executablePath: chromiumPath,
            args: [
                '--headless',
                '--no-sandbox',
                '--disable-gpu',
                '--no-first-run',
                '--disable-background-networking',
                '--disable-component-update',
                '--disable-sync',
                // Containers often have a tiny /dev/shm, where chromium would crash.
                '--disable-dev-shm-usage',
            ],
        });
        // Tall enough for the chat dialog with its options open, in one screenshot.
        // English whatever the machine's language: the texts checked are en-US.
        page = await browser.newPage({ viewport: { width: 1400, height: 1300 }, locale: 'en-US' });
        page.setDefaultTimeout(15_000);
        page.on('console', (message) => {
            if (message.type() === 'error') browserErrors.push(`console: ${message.text()} (${message.location().url})`);
        });
        page.on('pageerror', (error) => browserErrors.push(`page error: ${error.message}`));
        // The test stays offline: anything but Node-RED itself is refused,
        // and counts as an error...
        await page.route(
            (url) => url.host !== new URL(baseUrl).host,
            (route) => {
                browserErrors.push(`request outside Node-RED: ${route.request().url()}`);
                return route.abort();
            },
        );
        // ...except the flow library's catalogue, which the palette manager
        // always fetches: it gets an empty one.
        await page.route('https://catalogue.nodered.org/**', (route) =>
            route.fulfill({ json: { name: 'offline', updated_at: new Date().toISOString(), modules: [] } }),
        );
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

        for (const field of CHAT_FIELDS) {
            const label = page.locator(`label[for="node-input-${field}"]`);
            assert.ok(await label.isVisible(), `${field}: label hidden`);
            assert.equal((await label.innerText()).trim(), chatText.label[field], `${field}: label`);
            const control = PLAIN_FIELDS.has(field)
                ? page.locator(`#node-input-${field}`)
                : page.locator(`#node-input-${field} ~ .red-ui-typedInput-container`);
            assert.ok(await control.isVisible(), `${field}: no visible control`);
        }
        const tray = page.locator('.red-ui-tray').last();
        assert.doesNotMatch(await tray.innerText(), RAW_I18N_KEY);
        await tray.screenshot({ path: path.join(screenshots, 'chat-dialog.png') });
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

        // Not deployed yet: the model field says so and stays a free text field.
        const accountId = await page.locator('#node-input-account').inputValue();
        assert.notEqual(accountId, '_ADD_');
        await expectText(page.locator('#openai-chat-model-hint'), accountText.modelList.notDeployed);
        assert.equal(await page.locator('#openai-chat-model-list option').count(), 0);
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

    it('lists the package\'s five examples under Import > Examples', async () => {
        await openExamples();
        const expected = fs
            .readdirSync(path.join(root, 'examples'))
            .filter((file) => file.endsWith('.json'))
            .map((file) => file.slice(0, -'.json'.length))
            .sort();
        assert.equal(expected.length, 5);
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
        await page.click('#node-dialog-cancel');
        await page.locator('#node-input-name').waitFor({ state: 'detached' });

        assert.doesNotMatch(await page.locator('body').innerText(), RAW_I18N_KEY);
        assertNoBrowserErrors();
    });

    // --- helpers, over the shared page ---

    function paletteNode(type: string): Locator {
        return page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`);
    }

    function workspaceNode(label: string): Locator {
        return page.locator('#red-ui-workspace-chart g.red-ui-flow-node-group').filter({
            has: page.locator('text.red-ui-flow-node-label-text', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }),
        });
    }

    /** Drags a node from the palette to a point of the workspace, as a user does. */
    async function dropFromPalette(type: string, x: number, y: number): Promise<void> {
        const source = paletteNode(type);
        await source.scrollIntoViewIfNeeded();
        const from = await source.boundingBox();
        const chart = await page.locator('#red-ui-workspace-chart').boundingBox();
        assert.ok(from && chart);
        const before = await page.locator('#red-ui-workspace-chart g.red-ui-flow-node-group').count();
        await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
        await page.mouse.down();
        // jQuery UI starts a drag only after the pointer has moved a little.
        await page.mouse.move(from.x + from.width / 2 + 10, from.y + from.height / 2 + 5, { steps: 3 });
        await page.mouse.move(chart.x + x, chart.y + y, { steps: 15 });
        await page.mouse.up();
        await page.waitForFunction(
            (count) => document.querySelectorAll('#red-ui-workspace-chart g.red-ui-flow-node-group').length > count,
            before,
        );
    }

    /** The sidebar's tab buttons toggle: a click on the tab shown hides it. */
    async function showSidebarTab(id: string): Promise<void> {
        const button = page.locator(`button[data-tab-id="${id}"]`);
        if (!(await button.evaluate((element) => element.classList.contains('selected')))) await button.click();
        await page.locator(`button[data-tab-id="${id}"].selected`).waitFor();
    }

    async function openEditor(node: Locator): Promise<void> {
        await node.locator('rect.red-ui-flow-node').dblclick();
        await page.locator('#node-input-name').waitFor();
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

/** Waits until the locator's text holds `text` (texts may arrive after an answer from the server). */
async function expectText(locator: Locator, text: string): Promise<void> {
    await locator.filter({ hasText: text }).first().waitFor();
}

/**
 * A fresh user directory makes the editor ask whether to enable update
 * notifications, in a modal that blocks the page; it asks exactly when this
 * setting is unset.
 */
async function dismissTelemetryQuestion(page: Page): Promise<void> {
    const asks = await page.evaluate(() => (window as unknown as { RED: { settings: { telemetryEnabled?: boolean } } }).RED.settings.telemetryEnabled === undefined);
    if (!asks) return;
    await page.getByRole('button', { name: 'No, do not enable notifications' }).click();
    // The shade behind it fades out and swallows the mouse until it is gone.
    await page.locator('.red-ui-shade').waitFor({ state: 'hidden' });
}

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

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function freePort(): Promise<number> {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return port;
}

/** Polls the editor until Node-RED answers; fails at once if the start script exits. */
async function waitUntilAnswering(url: string, child: ChildProcess): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let exited = false;
    child.once('exit', () => {
        exited = true;
    });
    while (Date.now() < deadline) {
        if (exited) throw new Error(`the start script exited with ${child.exitCode ?? child.signalCode}`);
        try {
            const answer = await fetch(url, { signal: AbortSignal.timeout(2000) });
            if (answer.ok) return;
        } catch {
            // not listening yet
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`Node-RED did not answer at ${url} within ${READY_TIMEOUT_MS} ms`);
}

/** SIGTERM to the start script's group (it stops Node-RED and the simulator); SIGKILL if it lingers. */
async function stopProcessGroup(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const pid = child.pid;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const signal = (name: NodeJS.Signals) => {
        try {
            process.kill(-pid, name);
        } catch {
            // already gone
        }
    };
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
}
