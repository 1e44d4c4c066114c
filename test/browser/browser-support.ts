// What the browser suites share: a free port, waiting for Node-RED and
// stopping it, and a headless chromium page that stays offline.
import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';

/** CI installs Debian's chromium; CHROMIUM_PATH points elsewhere when needed. */
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

/** A catalogue key shown as such means a missing translation. */
export const RAW_I18N_KEY = /\bopenai-(chat|moderate|account)\.[a-zA-Z]+\.|@connector-labs\/node-red-openai\/openai-/;

export interface EditorPage {
    browser: Browser;
    page: Page;
    /** Console errors, page errors and requests outside Node-RED, in order; a step empties it. */
    errors: string[];
}

/**
 * A fresh headless chromium (temporary profile) with one English page that
 * may only talk to Node-RED at `baseUrl`: any other request is refused and
 * recorded as an error, except the flow library's catalogue, which the
 * palette manager always fetches and which gets an empty one.
 */
export async function openEditorPage(baseUrl: string): Promise<EditorPage> {
    const browser = await chromium.launch({
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
    const page = await browser.newPage({ viewport: { width: 1400, height: 1300 }, locale: 'en-US' });
    page.setDefaultTimeout(15_000);
    const errors: string[] = [];
    page.on('console', (message) => {
        if (message.type() === 'error') errors.push(`console: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    await page.route(
        (url) => url.host !== new URL(baseUrl).host,
        (route) => {
            errors.push(`request outside Node-RED: ${route.request().url()}`);
            return route.abort();
        },
    );
    await page.route('https://catalogue.nodered.org/**', (route) =>
        route.fulfill({ json: { name: 'offline', updated_at: new Date().toISOString(), modules: [] } }),
    );
    return { browser, page, errors };
}

/**
 * A fresh user directory makes the editor ask whether to enable update
 * notifications, in a modal that blocks the page; it asks exactly when this
 * setting is unset.
 */
export async function dismissTelemetryQuestion(page: Page): Promise<void> {
    const asks = await page.evaluate(() => (window as unknown as { RED: { settings: { telemetryEnabled?: boolean } } }).RED.settings.telemetryEnabled === undefined);
    if (!asks) return;
    await page.getByRole('button', { name: 'No, do not enable notifications' }).click();
    // The shade behind it fades out and swallows the mouse until it is gone.
    await page.locator('.red-ui-shade').waitFor({ state: 'hidden' });
}

export function paletteNode(page: Page, type: string): Locator {
    return page.locator(`.red-ui-palette-node[data-palette-type="${type}"]`);
}

export function workspaceNode(page: Page, label: string): Locator {
    return page.locator('#red-ui-workspace-chart g.red-ui-flow-node-group').filter({
        has: page.locator('text.red-ui-flow-node-label-text', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }),
    });
}

/** Drags a node from the palette to a point of the workspace, as a user does. */
export async function dropFromPalette(page: Page, type: string, x: number, y: number): Promise<void> {
    const source = paletteNode(page, type);
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

/** Opens a node's edit dialog with a double click. */
export async function openEditor(page: Page, node: Locator): Promise<void> {
    await node.locator('rect.red-ui-flow-node').dblclick();
    await page.locator('#node-input-name').waitFor();
    // The tray moves the focus to its first field once it has slid open (150 ms
    // later); until then a key press could go to an element it then leaves.
    await page.waitForFunction(() => document.activeElement?.closest('.red-ui-tray-body') != null);
}

/** Waits until the locator's text holds `text` (texts may arrive after an answer from the server). */
export async function expectText(locator: Locator, text: string): Promise<void> {
    await locator.filter({ hasText: text }).first().waitFor();
}

export function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function freePort(): Promise<number> {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return port;
}

/** Polls the editor until Node-RED answers; fails at once if the process exits. */
export async function waitUntilAnswering(url: string, child: ChildProcess): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let exited = false;
    child.once('exit', () => {
        exited = true;
    });
    while (Date.now() < deadline) {
        if (exited) throw new Error(`Node-RED's process exited with ${child.exitCode ?? child.signalCode}`);
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

/** SIGTERM to the process's group (the start script stops Node-RED and the simulator with it); SIGKILL if it lingers. */
export async function stopProcessGroup(child: ChildProcess): Promise<void> {
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
