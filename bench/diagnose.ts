// Experiments that explain the CPU gap between contestants C and B. Each one
// runs its variants in one warm process, in alternating blocks (the order
// rotating from block to block), and prints the medians of CPU per request
// and of the paired differences from the first variant and from the one
// before (paired blocks ran close together, so slow spells of the machine
// mostly cancel out), with GC time, throughput, how busy the event loop was
// and how often its thread slept waiting for work:
//   signal: the openai SDK, answered from memory, with no signal, a native
//           AbortSignal per request, one shared native AbortSignal, one
//           shared CloseSignal that the SDK follows, and the package's way
//           (a CloseSignal per request, handed the attempt's controller by
//           OpenAIClient): what abortable requests cost;
//   node:   B's thin node, B with a native AbortSignal per request, then
//           openai-chat fed C at a time (as B is fed), all at once (as in
//           the benchmark), and all at once with its SDK calls made as B's
//           (a plain client, no signal): C − B taken apart;
//   pipeline: B's thin node and openai-chat with the SDK's answer replaced by
//           an instant one (no HTTP at all), fed C at a time and (openai-chat)
//           all at once: the node's own cost per message, which the
//           network's noise hides elsewhere;
//   refill: openai-chat fed all at once, its queue refilling freed slots in
//           the package's way (at once unless the event loop is busy), all
//           on the next turn, all at once, or the first of each turn at once
//           (the package's way before); with A's await loops beside them;
//   scheduling: the SDK with the next request started from the previous
//           one's `await` (as contestant A does) or from setImmediate (as
//           Node-RED's message delivery does): why B can beat A;
//   gc:     the SDK with and without a forced full GC at the start of each
//           block or just before it: why the benchmark never forces one
//           between cells.
//   node dist/bench/diagnose.js [--latency 0] [--concurrency 16] [--blocks 8] [--requests 2000]
//       [--answer-delay 0] (pipeline: ms before each instant answer)
//       [--experiment signal|node|pipeline|refill|scheduling|gc] [--variant N]
// --variant N runs only variant N (0 = the first), for a CPU profile of it:
//   node --cpu-prof dist/bench/diagnose.js --experiment node --variant 2
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import OpenAI from 'openai';
import { Completions } from 'openai/resources/chat/completions';
import { measure } from './measure';
import { FlowDriver, sinkNodes, SINK_ID } from './node-red/flow-driver';
import { accountNode, chatNodeSettings } from './node-red/package-flow';
import { startNodeRed } from './node-red/runtime';
import { startServerProcess, type ServerProcess } from './server';
import { median } from './stats';
import { turnOrder } from './turn-order';
import { CloseSignal } from '../nodes/lib/close-signal';
import { OpenAIClient } from '../nodes/lib/openai-client';
import { RequestQueue } from '../nodes/lib/request-queue';
import { CHAT_MODEL, chatParams, userText } from './workloads';

const TAB = 'diagnose';

type Block = (requests: number) => Promise<unknown>;

interface Variant {
    name: string;
    block: Block;
    /** Runs before each of the variant's blocks, outside the measurement. */
    before?: () => void;
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
    /** Median requests per second. */
    perSecond: number;
    /** Median event-loop utilization. */
    utilization: number;
    /** Full (mark-compact) collections in all blocks. */
    majorGcs: number;
    /** Median times per request the main thread went to sleep waiting for work (Linux only, else NaN). */
    sleeps: number;
}

interface Options {
    /** Latency of the test server, ms. */
    latencyMs: number;
    /** Requests at once: the SDK loops, the thin node's window and the chat node's maxInFlight. */
    concurrency: number;
    /** How long the pipeline experiment's answers take, ms; 0 = at once. */
    answerDelayMs: number;
    blocks: number;
    requests: number;
    variant?: number;
}

/** How many times the main thread has gone to sleep waiting (for I/O or a timer), from Linux's /proc; NaN elsewhere. */
function mainThreadSleeps(): number {
    try {
        return Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync('/proc/thread-self/status', 'utf8'))?.[1]);
    } catch {
        return NaN;
    }
}

/** Runs the variants in turns, `blocks` times, and compares their CPU and GC time per request (paired within a block). */
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
    const perSecond = variants.map((): number[] => []);
    const utilization = variants.map((): number[] => []);
    const majors = variants.map(() => 0);
    const sleeps = variants.map((): number[] => []);
    for (let i = 0; i < blocks; i++) {
        for (const index of turnOrder([...variants.keys()], i)) {
            const { block, before } = variants[index];
            before?.();
            const loopBefore = performance.eventLoopUtilization();
            const sleepsBefore = mainThreadSleeps();
            const { usage } = await measure(() => block(requests), { sampleEveryMs: 100, collectFirst: false });
            sleeps[index].push((mainThreadSleeps() - sleepsBefore) / requests);
            utilization[index].push(performance.eventLoopUtilization(loopBefore).utilization);
            gc[index].push((usage.gcPauseMs * 1000) / requests);
            majors[index] += usage.majorGcs;
            cpu[index].push(usage.cpuUs / requests);
            offMain[index].push((usage.cpuUs - usage.mainThreadCpuUs) / requests);
            perSecond[index].push((requests * 1000) / usage.elapsedMs);
            await server.reset();
        }
    }
    return variants.map(({ name }, index) => ({
        name,
        cpuUs: median(cpu[index]),
        overFirstUs: median(cpu[index].map((value, block) => value - cpu[0][block])),
        overPreviousUs: median(cpu[index].map((value, block) => value - cpu[Math.max(0, index - 1)][block])),
        gcUs: median(gc[index]),
        offMainUs: median(offMain[index]),
        perSecond: median(perSecond[index]),
        utilization: median(utilization[index]),
        majorGcs: majors[index],
        sleeps: median(sleeps[index]),
    }));
}

function print(title: string, outcomes: Outcome[], options: Options): void {
    console.log(`${title} (${options.blocks} blocks of ${options.requests} requests each, medians)`);
    const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(0)} µs`;
    for (const [index, outcome] of outcomes.entries()) {
        const over = index === 0 ? '' : `; ${signed(outcome.overFirstUs)} over the first, ${signed(outcome.overPreviousUs)} over the one above`;
        const cpu = `${outcome.cpuUs.toFixed(0).padStart(5)} µs CPU/request (GC pauses ${outcome.gcUs.toFixed(0)}, off main thread ${outcome.offMainUs.toFixed(0)}, ${outcome.majorGcs} full GCs), ${outcome.perSecond.toFixed(0)}/s, loop ${(outcome.utilization * 100).toFixed(0)}% busy, slept ${outcome.sleeps.toFixed(2)} times/request`;
        console.log(`  ${outcome.name.padEnd(52)} ${cpu}${over}`);
    }
}

/** The SDK's own client, as A and B make it, for the server of the experiment's latency. */
function plainClient(server: ServerProcess, options: Options): OpenAI {
    return new OpenAI({ apiKey: server.urls.apiKey, baseURL: server.urls.byLatency[String(options.latencyMs)] });
}

/** `requests` calls of `request`, `concurrency` loops each awaiting one at a time (as contestant A does). */
async function inAwaitLoops(concurrency: number, requests: number, request: (index: number) => Promise<unknown>): Promise<void> {
    let next = 0;
    const loop = async () => {
        while (next < requests) await request(next++);
    };
    await Promise.all(Array.from({ length: concurrency }, loop));
}

/** The answer every request gets at once in the signal and pipeline experiments. */
const INSTANT_ANSWER = {
    id: 'chatcmpl-instant',
    object: 'chat.completion',
    created: 0,
    model: CHAT_MODEL,
    choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Yes, it is fine.', refusal: null } }],
    usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
};

async function signalExperiment(server: ServerProcess, options: Options): Promise<void> {
    // The answer comes from memory through the SDK's `fetch` option: what is left is the SDK's own
    // work on each request, without the sockets and the server whose noise hides ~10 µs differences.
    const answer = JSON.stringify(INSTANT_ANSWER);
    const fetch = async () => new Response(answer, { status: 200, headers: { 'content-type': 'application/json' } });
    const settings = { apiKey: server.urls.apiKey, baseURL: server.urls.byLatency[String(options.latencyMs)], fetch };
    const plain = new OpenAI(settings);
    const packaged = new OpenAIClient(settings);
    const sdk =
        (signal: () => AbortSignal | undefined, client: OpenAI = plain): Block =>
        (requests) =>
            inAwaitLoops(options.concurrency, requests, (index) =>
                client.chat.completions.create(chatParams(userText(index)), { signal: signal() }),
            );
    // One native signal for every request: the trap described in BENCHMARKS.md.
    const shared = new AbortController();
    const closing = new CloseSignal();
    const outcomes = await compare(server, options, [
        { name: 'no signal', block: sdk(() => undefined) },
        { name: 'a native AbortSignal per request', block: sdk(() => new AbortController().signal) },
        { name: 'one shared native AbortSignal', block: sdk(() => shared.signal) },
        { name: 'one shared CloseSignal, followed by the SDK', block: sdk(() => closing) },
        { name: "a CloseSignal per request, OpenAIClient (the package's)", block: sdk(() => new CloseSignal(), packaged) },
    ]);
    print(`signal: openai SDK chat requests answered from memory, concurrency ${options.concurrency}`, outcomes, options);
}

async function schedulingExperiment(server: ServerProcess, options: Options): Promise<void> {
    const client = plainClient(server, options);
    const request = (index: number) => client.chat.completions.create(chatParams(userText(index)));
    const awaitLoops: Block = (requests) => inAwaitLoops(options.concurrency, requests, request);
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
            for (let i = 0; i < Math.min(options.concurrency, requests); i++) one();
        });
    const outcomes = await compare(server, options, [
        { name: 'next request from the await (A)', block: awaitLoops },
        { name: 'next request from setImmediate (as Node-RED)', block: fromSetImmediate },
    ]);
    print(`scheduling: openai SDK chat requests, concurrency ${options.concurrency}`, outcomes, options);
}

async function gcExperiment(server: ServerProcess, options: Options): Promise<void> {
    // The same as node --expose-gc, without needing the flag on the command line.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const client = plainClient(server, options);
    const block =
        (before: () => void): Block =>
        (requests) => {
            before();
            return inAwaitLoops(options.concurrency, requests, (index) => client.chat.completions.create(chatParams(userText(index))));
        };
    const outcomes = await compare(server, options, [
        { name: 'no forced GC', block: block(() => undefined) },
        { name: 'global.gc() at the start of the block', block: block(gc) },
        { name: 'global.gc() before the block, not measured', block: block(() => undefined), before: gc },
    ]);
    print(`gc: openai SDK chat requests, concurrency ${options.concurrency}`, outcomes, options);
}

/** A Node-RED runtime with B's thin node (plain and with a native AbortSignal per request) and an openai-chat node. */
async function diagnoseFlow(server: ServerProcess, options: Options) {
    const url = server.urls.byLatency[String(options.latencyMs)];
    const thin = (id: string, withSignal: boolean) => ({
        id,
        z: TAB,
        type: 'bench-thin',
        endpoint: 'chat',
        baseURL: url,
        apiKey: server.urls.apiKey,
        withSignal,
        wires: [[SINK_ID]],
    });
    const runtime = await startNodeRed({
        flows: [
            { id: TAB, type: 'tab' },
            ...sinkNodes(TAB),
            thin('thin', false),
            thin('thin-signalled', true),
            accountNode('account', url),
            { ...chatNodeSettings({ z: TAB, account: 'account', maxInFlight: options.concurrency, wires: [[SINK_ID]] }), id: 'chat' },
        ],
        credentials: { account: { apiKey: server.urls.apiKey } },
    });
    const driver = new FlowDriver(runtime);
    const feed =
        (node: string, window: number): Block =>
        (requests) => {
            const payload = node === 'chat' ? userText : (index: number) => chatParams(userText(index));
            return driver.drive(node, requests, (index) => ({ payload: payload(index) }), { window });
        };
    return { feed, runtime };
}

async function nodeExperiment(server: ServerProcess, options: Options): Promise<void> {
    const { feed, runtime } = await diagnoseFlow(server, options);
    const account = runtime.getNode('account') as unknown as { client(): OpenAI };
    const packaged = account.client.bind(account);
    // The chat node's SDK calls made as B makes them: a plain client, no signal.
    const plain = plainClient(server, options);
    const unsignalled = { chat: { completions: { create: (params: never) => plain.chat.completions.create(params) } } };
    const withClient =
        (client: () => unknown, block: Block): Block =>
        (requests) => {
            account.client = client as () => OpenAI;
            return block(requests);
        };
    const outcomes = await compare(server, options, [
        { name: `B: thin node, fed ${options.concurrency} at a time`, block: feed('thin', options.concurrency) },
        { name: 'B with a native AbortSignal per request', block: feed('thin-signalled', options.concurrency) },
        { name: `openai-chat, fed ${options.concurrency} at a time`, block: withClient(packaged, feed('chat', options.concurrency)) },
        { name: 'openai-chat, fed all at once (= C)', block: withClient(packaged, feed('chat', Infinity)) },
        { name: 'openai-chat, fed all at once, calls as B makes them', block: withClient(() => unsignalled, feed('chat', Infinity)) },
    ]);
    print(`node: C − B taken apart, ${options.latencyMs} ms, maxInFlight ${options.concurrency}`, outcomes, options);
}

async function pipelineExperiment(server: ServerProcess, options: Options): Promise<void> {
    const { feed, runtime } = await diagnoseFlow(server, options);
    // Both nodes' SDK calls are answered from memory: the thin node's through the SDK class, the chat node's through its account.
    // With --answer-delay, each answer comes that much later: requests then hold their objects as long as real ones do.
    const answer = () => structuredClone(INSTANT_ANSWER);
    const delayMs = options.answerDelayMs;
    const instant = () =>
        delayMs > 0 ? new Promise((resolve) => setTimeout(() => resolve(answer()), delayMs)) : Promise.resolve(answer());
    Completions.prototype.create = instant as unknown as typeof Completions.prototype.create;
    const account = runtime.getNode('account') as unknown as { client(): unknown };
    account.client = () => ({ chat: { completions: { create: instant } } });
    const outcomes = await compare(server, options, [
        { name: `B: thin node, fed ${options.concurrency} at a time`, block: feed('thin', options.concurrency) },
        { name: `openai-chat, fed ${options.concurrency} at a time`, block: feed('chat', options.concurrency) },
        { name: 'openai-chat, fed all at once (as C)', block: feed('chat', Infinity) },
    ]);
    print(`pipeline: the SDK's answer replaced by one from memory after ${delayMs} ms, maxInFlight ${options.concurrency}`, outcomes, options);
}

/** How a queue refills freed slots: the package's own way, or one of the ways it chooses between or replaced. */
interface RequestQueueInternals {
    closed: boolean;
    queued: number;
    refillScheduled: boolean;
    startWaiting(most: number): void;
}
type Refill = (this: RequestQueueInternals) => void;
type RefillPolicy = 'package' | 'next turn' | 'at once' | 'first of a turn at once';
let packageRefill: Refill | undefined;

function setRefill(policy: RefillPolicy): void {
    const prototype = RequestQueue.prototype as unknown as { refill: Refill };
    packageRefill ??= prototype.refill;
    const nextTurn: Refill = function () {
        if (this.closed || this.queued === 0 || this.refillScheduled) return;
        this.refillScheduled = true;
        setImmediate(() => {
            this.refillScheduled = false;
            this.startWaiting(Infinity);
        });
    };
    const policies: Record<RefillPolicy, Refill> = {
        package: packageRefill,
        'next turn': nextTurn,
        'at once': function () {
            this.startWaiting(Infinity);
        },
        // The package's way until it asked how busy the event loop is.
        'first of a turn at once': function () {
            if (this.closed || this.queued === 0 || this.refillScheduled) return;
            nextTurn.call(this);
            this.startWaiting(1);
        },
    };
    prototype.refill = policies[policy];
}

async function refillExperiment(server: ServerProcess, options: Options): Promise<void> {
    const { feed } = await diagnoseFlow(server, options);
    const client = plainClient(server, options);
    const sdk: Block = (requests) =>
        inAwaitLoops(options.concurrency, requests, (index) => client.chat.completions.create(chatParams(userText(index))));
    const chat =
        (policy: RefillPolicy): Block =>
        (requests) => {
            setRefill(policy);
            return feed('chat', Infinity)(requests);
        };
    const outcomes = await compare(server, options, [
        { name: `B: thin node, fed ${options.concurrency} at a time`, block: feed('thin', options.concurrency) },
        { name: 'openai-chat (C), at once unless the loop is busy', block: chat('package') },
        { name: 'openai-chat (C), every slot on the next turn', block: chat('next turn') },
        { name: 'openai-chat (C), every slot at once', block: chat('at once') },
        { name: 'openai-chat (C), first slot of a turn at once', block: chat('first of a turn at once') },
        { name: 'A: the SDK in await loops', block: sdk },
    ]);
    setRefill('package');
    print(`refill: how freed slots are refilled, ${options.latencyMs} ms, maxInFlight ${options.concurrency}`, outcomes, options);
}

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            blocks: { type: 'string' },
            requests: { type: 'string' },
            experiment: { type: 'string' },
            variant: { type: 'string' },
            latency: { type: 'string' },
            concurrency: { type: 'string' },
            'answer-delay': { type: 'string' },
        },
    });
    const options: Options = {
        latencyMs: Number(values.latency ?? 0),
        concurrency: Number(values.concurrency ?? 16),
        answerDelayMs: Number(values['answer-delay'] ?? 0),
        blocks: Number(values.blocks ?? 8),
        requests: Number(values.requests ?? 2000),
        variant: values.variant === undefined ? undefined : Number(values.variant),
    };
    const server = await startServerProcess([options.latencyMs]);
    try {
        const experiments: Record<string, (server: ServerProcess, options: Options) => Promise<void>> = {
            signal: signalExperiment,
            node: nodeExperiment,
            scheduling: schedulingExperiment,
            gc: gcExperiment,
            pipeline: pipelineExperiment,
            refill: refillExperiment,
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
