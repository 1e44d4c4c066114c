// Installing the packed package from the palette manager (upload), into a
// running editor, and using its nodes at once, without a reload. After an
// install the editor fetches each node set's HTML on its own, so they may
// arrive in any order: here the account's (the first in package.json) is held
// back until the chat's and the moderate's have arrived.
import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { packPackage, readManifest } from '../e2e/packed-package';
import {
    dismissTelemetryQuestion,
    dropFromPalette,
    freePort,
    openEditor,
    openEditorPage,
    paletteNode,
    RAW_I18N_KEY,
    stopProcessGroup,
    waitUntilAnswering,
    workspaceNode,
} from './browser-support';

const SETS = '/nodes/@connector-labs/node-red-openai/';
const ACCOUNT_HTML = `${SETS}openai-account`;
/** How long the account's HTML waits at most for the others (they come within a second). */
const HOLD_MAX_MS = 20_000;
const screenshots = path.join(__dirname, '..', '..', '..', '.artifacts', 'screenshots');

describe('palette install (browser)', function () {
    this.timeout(180_000);
    this.bail(true);

    let workDir = '';
    let nodeRed: ChildProcess | undefined;
    let nodeRedOutput = '';
    let browser: Browser | undefined;
    let page: Page;
    let errors: string[] = [];
    let baseUrl = '';
    let tarball = '';

    before(async function () {
        this.timeout(120_000);
        workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-red-openai-palette-'));
        fs.mkdirSync(screenshots, { recursive: true });
        tarball = (await packPackage(workDir)).tarball;

        const userDir = path.join(workDir, 'user');
        fs.mkdirSync(userDir, { recursive: true });
        // The palette manager runs `npm install <tarball>` here. npm reads this
        // folder's .npmrc: offline, the SDK comes from npm's cache, which
        // `npm ci` filled, and a missing one fails the install instead of a download.
        fs.writeFileSync(path.join(userDir, '.npmrc'), 'offline=true\naudit=false\nfund=false\n');
        const port = await freePort();
        baseUrl = `http://127.0.0.1:${port}/`;
        const settings = {
            uiHost: '127.0.0.1',
            uiPort: port,
            flowFile: 'flows.json',
            telemetry: { enabled: false },
            // The palette manager and its upload are on by default; said here so that the test does not depend on it.
            externalModules: { palette: { allowInstall: true, allowUpload: true } },
            editorTheme: { tours: false, palette: { catalogues: [] } },
            logging: { console: { level: 'info', metrics: false, audit: false } },
        };
        const settingsFile = path.join(userDir, 'settings.js');
        fs.writeFileSync(settingsFile, `module.exports = ${JSON.stringify(settings, null, 4)};\n`);

        // npm runs on this process's Node.js (the package wants Node 22), also where Node-RED starts `npm` from PATH.
        const env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}` };
        const redJs = require.resolve(`${process.env.NODE_RED_RUNTIME || 'node-red'}/red.js`);
        nodeRed = spawn(process.execPath, [redJs, '--userDir', userDir, '--settings', settingsFile], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
        const keep = (chunk: Buffer) => {
            nodeRedOutput = (nodeRedOutput + chunk.toString()).slice(-20_000);
        };
        nodeRed.stdout?.on('data', keep);
        nodeRed.stderr?.on('data', keep);
        await waitUntilAnswering(baseUrl, nodeRed);

        ({ browser, page, errors } = await openEditorPage(baseUrl));
    });

    after(async () => {
        await browser?.close().catch(() => undefined);
        if (nodeRed) await stopProcessGroup(nodeRed);
        if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    });

    afterEach(async function () {
        if (this.currentTest?.state === 'failed') {
            await page?.screenshot({ path: path.join(screenshots, 'palette-install-failed.png') }).catch(() => undefined);
            console.log(`--- Node-RED output (last lines) ---\n${nodeRedOutput.split('\n').slice(-40).join('\n')}`);
        }
    });

    function assertNoBrowserErrors(): void {
        assert.deepEqual(errors.splice(0), [], 'errors in the browser console');
    }

    it('installs the packed package by upload, its node sets\' HTML arriving account last', async () => {
        await page.goto(baseUrl);
        await paletteNode(page, 'inject').waitFor();
        await dismissTelemetryQuestion(page);
        assert.equal(await paletteNode(page, 'openai-chat').count(), 0, 'the package is already there');

        // The account's HTML waits until the chat's and the moderate's have been answered.
        const arrived: string[] = [];
        page.on('response', (answer) => {
            const { pathname } = new URL(answer.url());
            if (pathname.startsWith(SETS) && (answer.request().headers().accept ?? '').includes('text/html')) arrived.push(pathname.slice(SETS.length));
        });
        const others = Promise.all(
            ['openai-chat', 'openai-moderate'].map((set) => page.waitForResponse((answer) => new URL(answer.url()).pathname === `${SETS}${set}`, { timeout: HOLD_MAX_MS })),
        ).catch(() => undefined);
        await page.route(
            (url) => url.pathname === ACCOUNT_HTML,
            async (route) => {
                if ((route.request().headers().accept ?? '').includes('text/html')) await others;
                await route.continue();
            },
        );

        await page.click('#red-ui-header-button-sidemenu');
        await page.click('#menu-item-edit-palette');
        await page.locator('#red-ui-palette-editor-tabs a', { hasText: 'Install' }).click();
        await page.locator('.red-ui-palette-editor-upload-button input[type="file"]').setInputFiles(tarball);
        await page.locator('.red-ui-palette-editor-upload-buttons button.primary').click();

        const { name } = readManifest();
        await page.locator('.red-ui-notification', { hasText: /Nodes added to palette/ }).waitFor({ timeout: 120_000 });
        // Registered once each node set's HTML has run; give the last one a moment to arrive.
        const types = ['openai-account', 'openai-chat', 'openai-moderate'];
        const missing = () =>
            page.evaluate((wanted) => wanted.filter((type) => !(window as unknown as { RED: { nodes: { getType(t: string): unknown } } }).RED.nodes.getType(type)), types);
        for (let waited = 0; (await missing()).length > 0 && waited < HOLD_MAX_MS + 10_000; waited += 250) await page.waitForTimeout(250);
        assert.deepEqual(await missing(), [], `node types not registered; browser errors: ${errors.join(' | ')}`);
        assert.equal(arrived.at(-1), 'openai-account', `the account's HTML came last: ${arrived.join(', ')}`);
        assert.equal(arrived.length, 3, arrived.join(', '));
        assert.ok(fs.existsSync(path.join(workDir, 'user', 'node_modules', ...name.split('/'), 'resources')), 'installed with its resources folder');
        await page.click('#node-dialog-ok');
        // The closing tray and the install notices would catch the drags that follow.
        await page.waitForFunction(() => !document.querySelector('.red-ui-tray'));
        await page.evaluate(() => document.querySelectorAll<HTMLElement>('#red-ui-notifications .red-ui-notification').forEach((notice) => notice.click()));
        await page.waitForFunction(() => document.querySelectorAll('#red-ui-notifications .red-ui-notification').length === 0);
        await paletteNode(page, 'openai-chat').waitFor();
        await paletteNode(page, 'openai-moderate').waitFor();
        assertNoBrowserErrors();
    });

    it('opens the chat, account and moderate dialogs right away, with no reload', async () => {
        await dropFromPalette(page, 'openai-chat', 260, 120);
        await openEditor(page, workspaceNode(page, 'chat: gpt-4.1-mini'));
        await page.locator('#node-input-model ~ .red-ui-typedInput-container').waitFor();
        await page.locator('#openai-chat-options-toggle[aria-expanded="false"]').waitFor();
        assert.doesNotMatch(await page.locator('.red-ui-tray').last().innerText(), RAW_I18N_KEY);

        await page.click('#node-input-btn-account-add');
        await page.locator('#node-config-input-apiKey').waitFor();
        assert.doesNotMatch(await page.locator('.red-ui-tray').last().innerText(), RAW_I18N_KEY);
        await page.locator('.red-ui-tray').last().screenshot({ path: path.join(screenshots, 'palette-install-account.png') });
        await page.click('#node-config-dialog-cancel');
        await page.locator('#node-config-input-apiKey').waitFor({ state: 'detached' });
        await page.click('#node-dialog-cancel');
        await page.locator('#node-input-name').waitFor({ state: 'detached' });

        await dropFromPalette(page, 'openai-moderate', 260, 220);
        await openEditor(page, workspaceNode(page, 'moderate'));
        await page.locator('#node-input-text ~ .red-ui-typedInput-container').waitFor();
        await page.locator('#openai-moderate-options-toggle[aria-expanded="false"]').waitFor();
        assert.doesNotMatch(await page.locator('.red-ui-tray').last().innerText(), RAW_I18N_KEY);
        await page.click('#node-dialog-cancel');
        await page.locator('#node-input-name').waitFor({ state: 'detached' });
        assertNoBrowserErrors();
    });
});
