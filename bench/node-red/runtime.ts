// An embedded Node-RED runtime, started the way a user's Node-RED starts:
// from a user directory with flows.json, this package installed under
// node_modules (linked to the build being benchmarked) and the bench's own
// nodes in the user directory's `nodes/` folder. Editor and HTTP are off:
// only the runtime runs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Node } from 'node-red';
import { BUILD_DIR, PACKAGE_NAME, ROOT } from '../paths';

/** The little of Node-RED's embedding API the bench uses. */
interface NodeRedApp {
    init(server: undefined, settings: Record<string, unknown>): void;
    start(): Promise<void>;
    stop(): Promise<void>;
    events: { once(event: string, listener: (...args: unknown[]) => void): void };
    nodes: {
        getNode(id: string): Node | null;
        getType(type: string): unknown;
    };
}

export type FlowNode = Record<string, unknown> & { id: string; type: string };

export interface UserDirContents {
    flows: FlowNode[];
    /** Credentials by node id, stored unencrypted (credentialSecret: false). */
    credentials?: Record<string, Record<string, string>>;
    /** Install this package under node_modules (default true). */
    withPackage?: boolean;
    /** Put the bench's own nodes in `nodes/` (default true); they load the SDK. */
    withBenchNodes?: boolean;
}

export interface NodeRedRuntime {
    readonly app: NodeRedApp;
    readonly userDir: string;
    getNode(id: string): Node;
}

/** Writes a fresh user directory; it is removed when the process exits. */
export function makeUserDir({ flows, credentials = {}, withPackage = true, withBenchNodes = true }: UserDirContents): string {
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nr-openai-bench-'));
    process.on('exit', () => fs.rmSync(userDir, { recursive: true, force: true }));
    fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flows));
    fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify(credentials));
    if (withBenchNodes) {
        // Node-RED loads a `.js` in `nodes/` only when a `.html` of the same name is beside it.
        const nodesDir = path.join(userDir, 'nodes');
        fs.mkdirSync(nodesDir);
        const benchNodes = path.join(__dirname, 'bench-nodes.js');
        fs.writeFileSync(path.join(nodesDir, 'bench-nodes.js'), `module.exports = require(${JSON.stringify(benchNodes)});\n`);
        fs.writeFileSync(path.join(nodesDir, 'bench-nodes.html'), '<!-- benchmark nodes: runtime only -->\n');
    }
    if (withPackage) installPackage(userDir);
    return userDir;
}

/**
 * Puts this package in `<userDir>/node_modules` as npm would, but with its
 * `dist` pointing at the build being benchmarked (which may be another
 * BUILD_DIR). The compiled files keep their real path, so `openai` resolves
 * from the repository's node_modules.
 */
export function installPackage(userDir: string): void {
    const target = path.join(userDir, 'node_modules', ...PACKAGE_NAME.split('/'));
    fs.mkdirSync(target, { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(target, 'package.json'));
    fs.symlinkSync(BUILD_DIR, path.join(target, 'dist'), 'dir');
    for (const folder of ['examples', 'icons']) {
        if (fs.existsSync(path.join(ROOT, folder))) fs.symlinkSync(path.join(ROOT, folder), path.join(target, folder), 'dir');
    }
}

/** Initialises Node-RED on `userDir` without starting it. */
export function initNodeRed(userDir: string): NodeRedApp {
    const app = require('node-red') as NodeRedApp;
    app.init(undefined, {
        userDir,
        flowFile: 'flows.json',
        credentialSecret: false,
        httpAdminRoot: false,
        httpNodeRoot: false,
        disableEditor: true,
        // The bench counts errors itself (a Catch node); warnings about the settings above are noise.
        logging: { console: { level: process.env.BENCH_NODE_RED_LOG ?? 'error', metrics: false, audit: false } },
        telemetry: { enabled: false },
        diagnostics: { enabled: false },
        externalModules: { autoInstall: false, palette: { allowInstall: false } },
    });
    return app;
}

/** Starts Node-RED on a fresh user directory and deploys `flows`. */
export async function startNodeRed(contents: UserDirContents): Promise<NodeRedRuntime> {
    const userDir = makeUserDir(contents);
    const app = initNodeRed(userDir);
    // start() resolves once the nodes are loaded; the flows start a little later.
    const flowsStarted = new Promise<void>((resolve) => app.events.once('flows:started', () => resolve()));
    await app.start();
    await flowsStarted;
    return {
        app,
        userDir,
        getNode(id: string): Node {
            const node = app.nodes.getNode(id);
            if (!node) throw new Error(`the flow has no node ${id}; did every node type load?`);
            return node;
        },
    };
}

/** Node-RED's registry, the same instance as the runtime's. */
export function nodeRedRegistry(): { addModule(name: string): Promise<unknown> } {
    const nodeRedDir = path.dirname(require.resolve('node-red/package.json'));
    return require(require.resolve('@node-red/registry', { paths: [nodeRedDir] }));
}
