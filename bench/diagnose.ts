// Experiments that explain the CPU gap between contestants C and B. Each one
// runs its variants in one warm process, in alternating blocks, and prints
// the medians of CPU per request and of the paired differences from the
// first variant and from the one before (paired blocks ran back to back, so
// slow spells of the machine mostly cancel out):
//   signal: the openai SDK with no AbortSignal, a new one per request (what
//           the nodes pass, so that closing a flow aborts what is in flight),
//           and one shared by all requests;
//   node:   B's thin node, then openai-chat fed 16 at a time (as B is fed),
//           all at once (as in the benchmark), and all at once with the
//           AbortSignal withheld from the SDK: C − B taken apart;
//   scheduling: the SDK with the next request started from the previous
//           one's `await` (as contestant A does) or from setImmediate (as
//           Node-RED's message delivery does): why B can beat A;
//   gc:     the SDK with and without a forced full GC before each block:
//           why the benchmark never forces one between cells.
//   node dist/bench/diagnose.js [--blocks 8] [--requests 2000]
//       [--experiment signal|node|scheduling|gc] [--variant N]
// --variant N runs only variant N (0 = the first), for a CPU profile of it:
//   node --cpu-prof dist/bench/diagnose.js --experiment node --variant 2
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import OpenAI from 'openai';
import { measure } from './measure';
import { FlowDriver, sinkNodes, SINK_ID } from './node-red/flow-driver';
import { accountNode, chatNodeSettings } from './node-red/package-flow';
import { type NodeRedRuntime, startNodeRed } from './node-red/runtime';
import { startServerProcess, type ServerProcess } from './server';
import { median } from './stats';
import { chatParams, userText } from './workloads';

const CONCURRENCY = 16;
const TAB = 'diagnose';

type Block = (requests: number) => Promise<unknown>;

interface Variant {
    name: string;
    block: Block;
}

interface Outcome {
    name: string;
    /** Median CPU µs per request. */
    cpuUs: number;
    /** Medians of the paired differences from the first variant and from the one before, µs per request. */
    overFirstUs: number;
    overPreviousUs: number;
    /** Median GC pause µs per request. */
    gcUs: number;
    /** Median CPU µs per request off the main thread (GC helper threads and the like). */
    offMainUs: number;
}

interface Options {
    blocks: number;
    requests: number;
    variant?: number;
}

/** Time the main thread spent in garbage collection since `start()`, from V8's GC events. */
function gcClock() {
    let totalMs = 0;
    const observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) totalMs += entry.duration;
    });
    observer.observe({ entryTypes: ['gc'] });
    return {
        start: () => (totalMs = 0),
        // GC entries arrive asynchronously; a turn of the event loop delivers the last ones.
        read: () => new Promise<number>((resolve) => setImmediate(() => resolve(totalMs))),
        stop: () => observer.disconnect(),
    };
}

/** Runs the variants in turns, `blocks` times, and compares their CPU and GC time per request. */
async function compare(server: ServerProcess, options: Options, all: Variant[]): Promise<Outcome[]> {
    const variants = options.variant === undefined ? all : [all[options.variant]];
    const { blocks, requests } = options;
    // Warm every path well past the point where the SDK's cost settles.
    for (let i = 0; i < 3; i++) {
        for (const { block } of variants) await block(requests);
        await server.reset();
    }
    const cpu = variants.map((): number[] => []);
    const gc = variants.map((): number[] => []);
    const offMain = variants.map((): number[] => []);
    const clock = gcClock();
    for (let i = 0; i < blocks; i++) {
        for (const [index, { block }] of variants.entries()) {
            clock.start();
            const { usage } = await measure(() => block(requests), { sampleEveryMs: 100, collectFirst: false });
            gc[index].push(((await clock.read()) * 1000) / requests);
            cpu[index].push(usage.cpuUs / requests);
            offMain[index].push((usage.cpuUs - usage.mainThreadCpuUs) / requests);
            await server.reset();
        }
    }
    clock.stop();
    return variants.map(({ name }, index) => ({
        name,
        cpuUs: median(cpu[index]),
        overFirstUs: median(cpu[index].map((value, block) => value - cpu[0][block])),
        overPreviousUs: median(cpu[index].map((value, block) => value - cpu[Math.max(0, index - 1)][block])),
        gcUs: median(gc[index]),
        offMainUs: median(offMain[index]),
    }));
}

function print(title: string, outcomes: Outcome[], options: Options): void {
    console.log(`${title} (${options.blocks} blocks of ${options.requests} requests each, medians)`);
    const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(0)} µs`;
    for (const [index, outcome] of outcomes.entries()) {
        const over = index === 0 ? '' : `; ${signed(outcome.overFirstUs)} over the first, ${signed(outcome.overPreviousUs)} over the one above`;
        const cpu = `${outcome.cpuUs.toFixed(0).padStart(5)} µs CPU/request (GC pauses ${outcome.gcUs.toFixed(0)}, off main thread ${outcome.offMainUs.toFixed(0)})`;
        console.log(`  ${outcome.name.padEnd(52)} ${cpu}${over}`);
    }
}

async function signalExperiment(server: ServerProcess, options: Options): Promise<void> {
    const client = new OpenAI({ apiKey: server.urls.apiKey, baseURL: server.urls.byLatency['0'] });
    const sdk =
        (signal: () => AbortSignal | undefined): Block =>
        async (requests) => {
            let next = 0;
            const loop = async () => {
                while (next < requests) await client.chat.completions.create(chatParams(userText(next++)), { signal: signal() });
            };
            await Promise.all(Array.from({ length: CONCURRENCY }, loop));
        };
    // One controller for every request: what a node could abort on close instead of one per request.
    const shared = new AbortController();
    const outcomes = await compare(server, options, [
        { name: 'no signal', block: sdk(() => undefined) },
        { name: 'a new AbortSignal per request', block: sdk(() => new AbortController().signal) },
        { name: 'one shared AbortSignal', block: sdk(() => shared.signal) },
    ]);
    print(`signal: openai SDK chat requests, concurrency ${CONCURRENCY}`, outcomes, options);
}

async function schedulingExperiment(server: ServerProcess, options: Options): Promise<void> {
    const client = new OpenAI({ apiKey: server.urls.apiKey, baseURL: server.urls.byLatency['0'] });
    const request = (index: number) => client.chat.completions.create(chatParams(userText(index)));
    const awaitLoops: Block = async (requests) => {
        let next = 0;
        const loop = async () => {
            while (next < requests) await request(next++);
        };
        await Promise.all(Array.from({ length: CONCURRENCY }, loop));
    };
    const fromSetImmediate: Block = (requests) =>
        new Promise<void>((resolve, reject) => {
            let sent = 0;
            let ended = 0;
            const one = () => {
                request(sent++).then(() => {
                    ended += 1;
                    if (ended === requests) resolve();
                    else if (sent < requests) setImmediate(one);
                }, reject);
            };
            for (let i = 0; i < Math.min(CONCURRENCY, requests); i++) one();
        });
    const outcomes = await compare(server, options, [
        { name: 'next request from the await (A)', block: awaitLoops },
        { name: 'next request from setImmediate (as Node-RED)', block: fromSetImmediate },
    ]);
    print(`scheduling: openai SDK chat requests, concurrency ${CONCURRENCY}`, outcomes, options);
}

async function gcExperiment(server: ServerProcess, options: Options): Promise<void> {
    // The same as node --expose-gc, without needing the flag on the command line.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const client = new OpenAI({ apiKey: server.urls.apiKey, baseURL: server.urls.byLatency['0'] });
    const block =
        (before: () => void): Block =>
        async (requests) => {
            before();
            let next = 0;
            const loop = async () => {
                while (next < requests) await client.chat.completions.create(chatParams(userText(next++)));
            };
            await Promise.all(Array.from({ length: CONCURRENCY }, loop));
        };
    const outcomes = await compare(server, options, [
        { name: 'no forced GC', block: block(() => undefined) },
        { name: 'global.gc() before the block', block: block(gc) },
    ]);
    print(`gc: openai SDK chat requests, concurrency ${CONCURRENCY}`, outcomes, options);
}

/**
 * Makes the account's client drop the `signal` option before it reaches the
 * SDK: the same node, less the cost of abortable requests. For this
 * experiment only; the nodes need the signal to abort on close.
 */
function withholdSignal(runtime: NodeRedRuntime, accountId: string): void {
    const account = runtime.getNode(accountId) as unknown as { client(): OpenAI };
    const real = account.client.bind(account);
    account.client = () => {
        const client = real();
        const completions = {
            create: (body: never, options?: object) => client.chat.completions.create(body, { ...options, signal: undefined }),
        };
        return { chat: { completions } } as unknown as OpenAI;
    };
}

async function nodeExperiment(server: ServerProcess, options: Options): Promise<void> {
    const url = server.urls.byLatency['0'];
    const chat = (id: string, account: string) => ({
        ...chatNodeSettings({ z: TAB, account, maxInFlight: CONCURRENCY, wires: [[SINK_ID]] }),
        id,
    });
    const runtime = await startNodeRed({
        flows: [
            { id: TAB, type: 'tab' },
            ...sinkNodes(TAB),
            { id: 'thin', z: TAB, type: 'bench-thin', endpoint: 'chat', baseURL: url, apiKey: server.urls.apiKey, wires: [[SINK_ID]] },
            accountNode('account', url),
            accountNode('account-unsignalled', url),
            chat('chat', 'account'),
            chat('chat-unsignalled', 'account-unsignalled'),
        ],
        credentials: { account: { apiKey: server.urls.apiKey }, 'account-unsignalled': { apiKey: server.urls.apiKey } },
    });
    withholdSignal(runtime, 'account-unsignalled');
    const driver = new FlowDriver(runtime);
    const feed =
        (node: string, window: number, payload: (index: number) => unknown): Block =>
        (requests) =>
            driver.drive(node, requests, (index) => ({ payload: payload(index) }), { window });
    const text = (index: number) => userText(index);
    const body = (index: number) => chatParams(userText(index));
    const outcomes = await compare(server, options, [
        { name: `B: thin node, fed ${CONCURRENCY} at a time`, block: feed('thin', CONCURRENCY, body) },
        { name: `openai-chat, fed ${CONCURRENCY} at a time`, block: feed('chat', CONCURRENCY, text) },
        { name: 'openai-chat, fed all at once (= C)', block: feed('chat', Infinity, text) },
        { name: 'openai-chat, fed all at once, no AbortSignal to SDK', block: feed('chat-unsignalled', Infinity, text) },
    ]);
    print(`node: C − B taken apart, maxInFlight ${CONCURRENCY}`, outcomes, options);
}

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: { blocks: { type: 'string' }, requests: { type: 'string' }, experiment: { type: 'string' }, variant: { type: 'string' } },
    });
    const options: Options = {
        blocks: Number(values.blocks ?? 8),
        requests: Number(values.requests ?? 2000),
        variant: values.variant === undefined ? undefined : Number(values.variant),
    };
    const server = await startServerProcess([0]);
    try {
        const experiments: Record<string, (server: ServerProcess, options: Options) => Promise<void>> = {
            signal: signalExperiment,
            node: nodeExperiment,
            scheduling: schedulingExperiment,
            gc: gcExperiment,
        };
        if (values.experiment !== undefined && !(values.experiment in experiments)) {
            throw new Error(`--experiment takes ${Object.keys(experiments).join(', ')}`);
        }
        for (const [name, experiment] of Object.entries(experiments)) {
            if (values.experiment === undefined || values.experiment === name) await experiment(server, options);
        }
    } finally {
        await server.stop();
    }
}

main().then(
    // Node-RED keeps timers alive; a normal exit also writes a --cpu-prof profile.
    () => process.exit(0),
    (error: unknown) => {
        console.error(error);
        process.exit(1);
    },
);
