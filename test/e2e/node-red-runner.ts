// Runs Node-RED as its own process, as a user would start it, and talks to
// its admin HTTP API. Everything listens on 127.0.0.1 only.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';

const HOST = '127.0.0.1';

export interface NodeRedOptions {
    userDir: string;
    /** Where the settings file is written; outside userDir so it is not mistaken for data. */
    settingsFile: string;
    username: string;
    password: string;
    /** Default 30 s. */
    startTimeoutMs?: number;
    /** More users beside the one with every permission, e.g. one that may only read. */
    moreUsers?: { username: string; password: string; permissions: string | string[] }[];
    /** Variables added to the process's environment (which never holds OPENAI_*), e.g. HTTP_PROXY. */
    env?: Record<string, string>;
    /** The key of the credentials file; default a new one. A restart that must read the file again passes the same. */
    credentialSecret?: string;
    /** More settings, as plain JSON (e.g. `contextStorage`). */
    settings?: Record<string, unknown>;
}

export interface NodeRedProcess {
    /** e.g. `http://127.0.0.1:41234`: the editor, the admin API and the HTTP-in routes. */
    readonly url: string;
    /** Everything the process wrote to stdout and stderr so far. */
    log(): string;
    /** Resolves once `text` appears in the log after its first `offset` characters. */
    waitForLog(text: string, offset: number, timeoutMs?: number): Promise<void>;
    /** Whether the process is still running. */
    running(): boolean;
    /** SIGINT, as Ctrl-C would; SIGKILL if it has not exited within `timeoutMs`. */
    stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }>;
}

/**
 * The Node-RED copy to run: NODE_RED_RUNTIME names another install (the
 * Node-RED 4 alias of the compatibility run), as in test/support/flow.ts.
 */
export function nodeRedDir(): string {
    return path.dirname(require.resolve(`${process.env.NODE_RED_RUNTIME || 'node-red'}/package.json`));
}

/** A bcrypt hash, as adminAuth expects, made with the bcryptjs that Node-RED itself ships. */
function bcryptHash(password: string): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bcrypt = require(require.resolve('bcryptjs', { paths: [nodeRedDir()] })) as { hashSync(text: string, rounds: number): string };
    return bcrypt.hashSync(password, 8);
}

export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const probe = createServer();
        probe.once('error', reject);
        probe.listen(0, HOST, () => {
            const { port } = probe.address() as { port: number };
            probe.close(() => resolve(port));
        });
    });
}

/**
 * The process's environment minus anything that would hand the nodes a key,
 * an endpoint or a proxy (the machine's own proxy would not reach the test
 * server on 127.0.0.1); a test adds the proxy variables it means.
 */
function environmentWithoutOpenAI(): NodeJS.ProcessEnv {
    return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OPENAI_') && !/(^|_)(no_)?proxy$/i.test(name)));
}

export async function startNodeRed(options: NodeRedOptions): Promise<NodeRedProcess> {
    const credentialSecret = options.credentialSecret ?? randomBytes(24).toString('hex');
    const settings = {
        uiHost: HOST,
        flowFile: 'flows.json',
        credentialSecret,
        // The log is read for "Started flows", whatever the machine's locale.
        lang: 'en-US',
        adminAuth: {
            type: 'credentials',
            users: [
                { username: options.username, password: bcryptHash(options.password), permissions: '*' },
                ...(options.moreUsers ?? []).map((user) => ({ ...user, password: bcryptHash(user.password) })),
            ],
        },
        // The most verbose level and the audit log, so that all the runtime and the nodes log is checked for the key.
        logging: { console: { level: 'trace', metrics: false, audit: true } },
        // Nothing that would reach out to the internet or wait for a user.
        telemetry: { enabled: false, updateNotification: false },
        diagnostics: { enabled: false, ui: false },
        externalModules: { autoInstall: false, palette: { allowInstall: false } },
        editorTheme: { projects: { enabled: false }, tours: false },
        ...options.settings,
    };
    fs.writeFileSync(options.settingsFile, `module.exports = ${JSON.stringify(settings, null, 4)};\n`);

    const port = await freePort();
    const url = `http://${HOST}:${port}`;
    const args = [path.join(nodeRedDir(), 'red.js'), '--userDir', options.userDir, '--settings', options.settingsFile, '--port', String(port)];
    const env = { ...environmentWithoutOpenAI(), ...options.env };
    const child = spawn(process.execPath, args, { cwd: options.userDir, env, stdio: ['ignore', 'pipe', 'pipe'] });

    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    // A failed spawn emits 'error' and maybe no 'exit'; the wait below then times out with this in the log.
    child.once('error', (error) => (output += `\n[spawn error] ${error.message}\n`));

    const handle: NodeRedProcess = {
        url,
        log: () => output,
        waitForLog: async (text, offset, timeoutMs = 10000) => {
            const deadline = Date.now() + timeoutMs;
            while (!output.includes(text, offset)) {
                if (Date.now() > deadline) throw new Error(`"${text}" not logged within ${timeoutMs} ms:\n${output.slice(offset)}`);
                await new Promise((resolve) => setTimeout(resolve, 20));
            }
        },
        running: () => child.exitCode === null && child.signalCode === null,
        stop: (timeoutMs = 15000) => stopProcess(child, exited, timeoutMs),
    };
    try {
        await waitUntilAnswering(handle, options.startTimeoutMs ?? 30000);
    } catch (error) {
        await handle.stop();
        throw error;
    }
    return handle;
}

/** Polls the login endpoint: Node-RED listens only once its nodes are loaded. */
async function waitUntilAnswering(nodeRed: NodeRedProcess, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (!nodeRed.running()) throw new Error(`Node-RED exited while starting:\n${nodeRed.log()}`);
        try {
            const response = await fetch(`${nodeRed.url}/auth/login`);
            if (response.ok) return;
        } catch {
            // Not listening yet.
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`Node-RED did not answer on ${nodeRed.url} within ${timeoutMs} ms:\n${nodeRed.log()}`);
}

async function stopProcess(
    child: ChildProcess,
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
    timeoutMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }> {
    if (child.exitCode !== null || child.signalCode !== null) return { ...(await exited), killed: false };
    child.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const first = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (first !== 'timeout') return { ...first, killed: false };
    child.kill('SIGKILL');
    return { ...(await exited), killed: true };
}

/** A client of the admin API, logged in with the password grant as the editor's login does. */
export class AdminClient {
    private constructor(
        readonly url: string,
        private readonly token: string,
    ) {}

    static async login(url: string, username: string, password: string, scope = '*'): Promise<AdminClient> {
        const response = await fetch(`${url}/auth/token`, {
            method: 'POST',
            body: new URLSearchParams({ client_id: 'node-red-admin', grant_type: 'password', scope, username, password }),
        });
        if (!response.ok) throw new Error(`login failed: HTTP ${response.status} ${await response.text()}`);
        const { access_token: token } = (await response.json()) as { access_token?: string };
        if (!token) throw new Error('login answered without an access_token');
        return new AdminClient(url, token);
    }

    /** Any admin request; the caller reads the response. */
    request(method: string, route: string, init: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
        const headers: Record<string, string> = { Authorization: `Bearer ${this.token}`, Accept: 'application/json', ...init.headers };
        if (init.body !== undefined) headers['Content-Type'] = 'application/json';
        return fetch(`${this.url}${route}`, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    }

    /** GET that must succeed, parsed as JSON; also returns the raw text for searching. */
    async getJson<T>(route: string, headers: Record<string, string> = {}): Promise<{ json: T; text: string }> {
        const response = await this.request('GET', route, { headers });
        const text = await response.text();
        if (!response.ok) throw new Error(`GET ${route}: HTTP ${response.status} ${text}`);
        return { json: JSON.parse(text) as T, text };
    }
}

/**
 * The hooks an end-to-end suite ends with: the process's log printed when a
 * step fails (the first thing one needs then), and after the last step the
 * process stopped and `cleanUp` run, also when `before` or a step failed.
 */
export function stopAfterSuite(current: () => NodeRedProcess | undefined, cleanUp: () => Promise<void> | void): void {
    afterEach(function () {
        const nodeRed = current();
        if (this.currentTest?.state === 'failed' && nodeRed) console.log(`--- Node-RED log ---\n${nodeRed.log()}--- end of log ---`);
    });
    after(async function () {
        this.timeout(30000);
        try {
            const nodeRed = current();
            if (nodeRed?.running()) await nodeRed.stop();
        } finally {
            await cleanUp();
        }
    });
}
