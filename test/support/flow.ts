/**
 * Runs the package's nodes in node-red-node-test-helper, wired to a capture
 * node and a Catch node, so a test can send messages and read what came out.
 * NODE_RED_RUNTIME picks the runtime package (`node-red` by default; the
 * Node-RED 4 alias for the compatibility run).
 */
import helper from 'node-red-node-test-helper';
import type { Node, NodeMessage } from 'node-red';
import accountNode = require('../../nodes/openai-account');
import chatNode = require('../../nodes/openai-chat');
import moderateNode = require('../../nodes/openai-moderate');
/** One of Node-RED's core nodes, from the runtime under test, e.g. `common/25-catch.js`. */
export function coreNode(file: string): (RED: never) => void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(require.resolve(`@node-red/nodes/core/${file}`, { paths: [runtimeDir()] }));
}

// Node-RED's own Catch node, so errors are observed the way a flow sees them.
const catchNode = coreNode('common/25-catch.js');

// The runtime's hooks, to see every `done()` a node calls, even while flows stop.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { hooks } = require(require.resolve('@node-red/util', { paths: [runtimeDir()] })) as {
    hooks: { add(name: string, hook: (event: CompleteEvent) => void): void; remove(name: string): void };
};

helper.init(require.resolve(process.env.NODE_RED_RUNTIME || 'node-red'));

// The suites talk to their own servers on 127.0.0.1. The accounts honour the
// proxy variables, as Node-RED's http request node does, so a proxy the machine
// (or npm, through npm_config_*) is set up with must not come between; the
// proxy tests set their own.
for (const name of Object.keys(process.env)) {
    if (/^(npm_config_)?(https?_|all_|no_)?proxy$/i.test(name)) delete process.env[name];
}

function runtimeDir(): string {
    return require.resolve(`${process.env.NODE_RED_RUNTIME || 'node-red'}/package.json`);
}

export { helper };

interface CompleteEvent {
    msg: Record<string, unknown>;
    error?: Error;
    node: { id: string };
}

/**
 * Calls `listener` each time node `id` ends a message (`done()` or `done(err)`),
 * through Node-RED's onComplete hook. Returns the function that removes it.
 */
export function onComplete(id: string, listener: (msg: Record<string, unknown>, error?: Error) => void): () => void {
    const name = `onComplete.test${Math.random().toString(36).slice(2)}`;
    hooks.add(name, (event) => {
        if (event.node.id === id) listener(event.msg, event.error);
    });
    return () => hooks.remove(name);
}

/** A message a node sent on, or the error message a Catch node received. */
export type Message = NodeMessage & Record<string, unknown>;

export interface Outcome {
    outputs: Message[];
    errors: Message[];
}

export interface FlowOptions {
    /** The node under test, without id, wires or z. */
    node: Record<string, unknown>;
    /** Account settings; `apiKey` goes to its credentials. */
    account: Record<string, unknown> & { apiKey?: string };
    /** Further nodes placed after the node under test (e.g. a second chat node). */
    next?: Record<string, unknown>[];
}

/** The flow and credentials {@link loadFlow} loads, for tests that redeploy it. */
export function buildFlow({ node, account, next = [] }: FlowOptions): { flow: Record<string, unknown>[]; credentials: Record<string, object> } {
    const { apiKey, ...settings } = account;
    const chain = [{ id: 'n1', ...node }, ...next.map((extra, index) => ({ id: `n${index + 2}`, ...extra }))];
    const flow: Record<string, unknown>[] = [
        { id: 'f1', type: 'tab' },
        { id: 'acct', type: 'openai-account', name: 'test account', ...settings },
        ...chain.map((entry, index) => ({
            z: 'f1',
            account: 'acct',
            ...entry,
            wires: [[index + 1 < chain.length ? chain[index + 1].id : 'out']],
        })),
        { id: 'out', z: 'f1', type: 'helper' },
        { id: 'catcher', z: 'f1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', z: 'f1', type: 'helper' },
    ];
    const credentials: Record<string, object> = apiKey === undefined ? {} : { acct: { apiKey } };
    return { flow, credentials };
}

/**
 * Loads: account ← `node` (id `n1`) → [next…] → `out`; and a Catch node → `caught`.
 * Returns the collected outcome, filled as messages arrive.
 */
export async function loadFlow(options: FlowOptions): Promise<Outcome> {
    const { flow, credentials } = buildFlow(options);
    await helper.load([accountNode, moderateNode, chatNode, catchNode], flow, credentials);
    return collect();
}

/** Starts collecting what reaches `out` and `caught` (again after a redeploy replaced them). */
export function collect(outcome: Outcome = { outputs: [], errors: [] }): Outcome {
    nodeById('out').on('input', (msg: Message) => outcome.outputs.push(msg));
    nodeById('caught').on('input', (msg: Message) => outcome.errors.push(msg));
    return outcome;
}

export function nodeById(id: string): Node & Record<string, unknown> {
    const node = helper.getNode(id);
    if (!node) throw new Error(`no node ${id} in the flow`);
    return node;
}

/** Sends messages into `n1`. */
export function send(...messages: Record<string, unknown>[]): void {
    const node = nodeById('n1');
    for (const msg of messages) node.receive(msg);
}

/** Waits until `count` messages have ended (as outputs or errors), then a little more to catch extras. */
export async function settled(outcome: Outcome, count: number, timeoutMs = 10000): Promise<Outcome> {
    const start = Date.now();
    while (outcome.outputs.length + outcome.errors.length < count) {
        if (Date.now() - start > timeoutMs) {
            throw new Error(`only ${outcome.outputs.length} outputs and ${outcome.errors.length} errors of ${count} after ${timeoutMs} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await new Promise((resolve) => setTimeout(resolve, 30));
    return outcome;
}

/** The status calls a node made, in order. */
export function statusCalls(id: string): Record<string, unknown>[] {
    // The helper spies on the Node prototype, so the calls of every node are in one list.
    const status = nodeById(id).status as unknown as { getCalls(): { thisValue: { id: string }; args: unknown[] }[] };
    return status
        .getCalls()
        .filter((call) => call.thisValue.id === id)
        .map((call) => call.args[0] as Record<string, unknown>);
}
