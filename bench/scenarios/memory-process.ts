// A fresh child per memory point, so that each point's peak RSS is its own.
// Messages are built before the baseline is taken: what is measured is what
// the node adds to messages that exist anyway.
import { runChild, serve } from '../child';
import { FlowDriver, sinkNodes, SINK_ID } from '../node-red/flow-driver';
import { accountNode, chatNodeSettings, moderateNodeSettings } from '../node-red/package-flow';
import { type FlowNode, startNodeRed } from '../node-red/runtime';
import { liveHeapBytes, maxRssBytes, measure, settle, type Usage } from '../measure';
import { latencyServer, type ServerUrls, urlFor } from '../server';
import { historyJson, type Kind, userText } from '../workloads';
import type { NodeMessage } from 'node-red';

const TAB = 'bench-tab';
/** Time for fed messages to reach the queue and the in-flight ones the server. */
const SETTLE_MS = 1000;
/** The peak heap of a history run is short-lived: sample often. */
const SAMPLE_EVERY_MS = 5;
/** Chat requests made before the history runs, so that they do not pay for JIT compilation. */
const WARMUP_MESSAGES = 1000;

export interface QueuePoint {
    kind: Kind;
    queued: number;
    inFlight: number;
}

/** Memory with `queued` messages waiting behind `inFlight` requests that never finish. */
export interface QueueMemory extends QueuePoint {
    /** Live heap of the messages themselves, per message. */
    messageBytes: number;
    /** Live heap and RSS before and after the messages were fed in. */
    heapBeforeBytes: number;
    heapAfterBytes: number;
    rssBeforeBytes: number;
    rssAfterBytes: number;
    /** Peak RSS of the process (a fresh one) up to the measurement. */
    maxRssBytes: number;
    outputs: number;
    errors: number;
}

export interface HistoryPoint {
    length: number;
    /** Messages sent through end to end. */
    messages: number;
    /** Messages held in flight for the retained-memory measurement. */
    held: number;
}

export interface HistoryMemory extends HistoryPoint {
    /** Live heap of one input message with its history. */
    messageBytes: number;
    /** End to end against the 0 ms server, all messages at once, maxInFlight 8. */
    endToEnd: Usage & { errors: number };
    /** Live heap the node and the SDK add per request in flight (beyond the message). */
    heldBytesPerRequest: number;
    maxRssBytes: number;
}

/**
 * Makes each user message about 500 characters, as a chat turn often is, so that
 * what the conversations hold stands well above the heap's own noise (a few
 * hundred kB, from compiled code coming and going).
 */
const CHAT_TURN_FILLER = 'Some more words about the question, as people write them when they explain what they need. '.repeat(5);

export interface ConversationPoint {
    conversations: number;
    /** After how many turns of each conversation the heap is measured, in increasing order. */
    turnPoints: number[];
}

/** Live heap held by the conversations a chat node keeps in (memory) flow context, after each point. */
export interface ConversationMemory {
    conversations: number;
    heapBeforeBytes: number;
    points: { turns: number; storedMessages: number; heapBytes: number }[];
    errors: number;
}

function chatMessage(index: number, history: unknown): NodeMessage {
    return { question: userText(index), payload: { history } } as NodeMessage;
}

/** Below this, a difference of live heap is mostly the heap's own noise. */
const MEASURABLE_BYTES = 256 * 1024;

/**
 * Builds `count` messages and returns them with the live heap they take, per
 * message (NaN when they are too small in all to measure).
 */
function buildMessages<T>(count: number, make: (index: number) => T): { messages: (T | undefined)[]; bytesEach: number } {
    const before = liveHeapBytes();
    const messages: (T | undefined)[] = Array.from({ length: count }, (_, index) => make(index));
    const grown = liveHeapBytes() - before;
    return { messages, bytesEach: grown < MEASURABLE_BYTES ? Number.NaN : grown / count };
}

/** Hands out message `index` and forgets it, so the driver's list keeps nothing alive. */
function takeFrom<T>(messages: (T | undefined)[]): (index: number) => T {
    return (index) => {
        const msg = messages[index]!;
        messages[index] = undefined;
        return msg;
    };
}

async function queueMemory(point: QueuePoint, urls: ServerUrls): Promise<QueueMemory> {
    const node =
        point.kind === 'chat'
            ? chatNodeSettings({ maxInFlight: point.inFlight })
            : moderateNodeSettings({ maxInFlight: point.inFlight });
    const flows: FlowNode[] = [
        { id: TAB, type: 'tab' },
        ...sinkNodes(TAB),
        accountNode('account', urls.hold),
        { ...node, id: 'node', z: TAB, account: 'account', wires: [[SINK_ID]] },
    ];
    const driver = new FlowDriver(await startNodeRed({ flows, credentials: { account: { apiKey: urls.apiKey } } }));
    const total = point.inFlight + point.queued;
    const { messages, bytesEach } = buildMessages(total, (index) => ({ payload: userText(index) }) as NodeMessage);
    const heapBeforeBytes = liveHeapBytes();
    const rssBeforeBytes = process.memoryUsage.rss();
    const outcome = driver.feed('node', total, takeFrom(messages));
    await settle(SETTLE_MS);
    return {
        ...point,
        messageBytes: bytesEach,
        heapBeforeBytes,
        heapAfterBytes: liveHeapBytes(),
        rssBeforeBytes,
        rssAfterBytes: process.memoryUsage.rss(),
        maxRssBytes: maxRssBytes(),
        outputs: outcome.outputs,
        errors: outcome.errors,
    };
}

async function historyMemory(point: HistoryPoint, urls: ServerUrls): Promise<HistoryMemory> {
    const common = { z: TAB, userMessage: 'question', userMessageType: 'msg', wires: [[SINK_ID]] };
    const flows: FlowNode[] = [
        { id: TAB, type: 'tab' },
        ...sinkNodes(TAB),
        accountNode('account-fast', urlFor(urls, latencyServer(0))),
        accountNode('account-hold', urls.hold),
        { ...chatNodeSettings({ ...common, account: 'account-fast' }), id: 'end-to-end' },
        { ...chatNodeSettings({ ...common, account: 'account-hold' }), id: 'held' },
    ];
    const credentials = { 'account-fast': { apiKey: urls.apiKey }, 'account-hold': { apiKey: urls.apiKey } };
    const driver = new FlowDriver(await startNodeRed({ flows, credentials }));
    // Parsing gives every message its own history objects, as an earlier chat node's output would.
    const json = historyJson(point.length);

    const warmup = await driver.drive('end-to-end', WARMUP_MESSAGES, (index) => chatMessage(index, []), { window: Infinity });
    if (warmup.errors > 0) throw new Error(`warm-up chat requests failed: ${warmup.firstError}`);

    const fast = buildMessages(point.messages, (index) => chatMessage(index, JSON.parse(json)));
    // The same run once unmeasured, so that the paths of long histories are compiled too, and
    // after the collections that measuring the messages forces: one just before the measured run
    // would throw compiled code away and double the CPU measured (BENCHMARKS.md).
    const rehearsal = buildMessages(point.messages, (index) => chatMessage(index, JSON.parse(json)));
    const rehearsed = await driver.drive('end-to-end', point.messages, takeFrom(rehearsal.messages), { window: Infinity });
    if (rehearsed.errors > 0) throw new Error(`history chat requests failed: ${rehearsed.firstError}`);
    const { usage, result } = await measure(
        () => driver.drive('end-to-end', point.messages, takeFrom(fast.messages), { window: Infinity }),
        { sampleEveryMs: SAMPLE_EVERY_MS, collectFirst: false },
    );

    const held = buildMessages(point.held, (index) => chatMessage(index, JSON.parse(json)));
    const heapBefore = liveHeapBytes();
    const outcome = driver.feed('held', point.held, takeFrom(held.messages));
    await settle(SETTLE_MS);
    const heldBytesPerRequest = (liveHeapBytes() - heapBefore) / point.held;
    if (outcome.errors > 0) throw new Error(`held chat requests failed: ${outcome.firstError}`);

    return {
        ...point,
        messageBytes: fast.bytesEach,
        endToEnd: { ...usage, errors: result.errors },
        heldBytesPerRequest,
        maxRssBytes: maxRssBytes(),
    };
}

async function conversationMemory(point: ConversationPoint, urls: ServerUrls): Promise<ConversationMemory> {
    const most = Math.max(...point.turnPoints);
    const memory = { conversation: 'topic', conversationType: 'msg', memoryLimit: String(2 * most), memoryLimitType: 'num' };
    const flows: FlowNode[] = [
        { id: TAB, type: 'tab' },
        ...sinkNodes(TAB),
        accountNode('account', urlFor(urls, latencyServer(0))),
        { ...chatNodeSettings(memory), id: 'node', z: TAB, account: 'account', wires: [[SINK_ID]] },
    ];
    const driver = new FlowDriver(await startNodeRed({ flows, credentials: { account: { apiKey: urls.apiKey } } }));
    // One turn of every conversation; the warm-up's conversations are part of the baseline.
    let sent = 0;
    const round = (topic: (index: number) => string) =>
        driver.drive('node', point.conversations, (index) => ({ topic: topic(index), payload: `${userText(sent++)} ${CHAT_TURN_FILLER}` }) as NodeMessage, {
            window: Infinity,
        });
    for (let turn = 0; turn < WARMUP_MESSAGES / point.conversations; turn++) await round((index) => `warm-${index}`);
    const heapBeforeBytes = liveHeapBytes();
    const points: ConversationMemory['points'] = [];
    let errors = 0;
    for (let turns = 1; turns <= most; turns++) {
        errors += (await round((index) => `user-${index}`)).errors;
        if (point.turnPoints.includes(turns)) points.push({ turns, storedMessages: 2 * turns * point.conversations, heapBytes: liveHeapBytes() });
    }
    return { conversations: point.conversations, heapBeforeBytes, points, errors };
}

runChild(async () => {
    serve({
        conversations: ({ point, urls }: { point: ConversationPoint; urls: ServerUrls }) => conversationMemory(point, urls),
        queue: ({ point, urls }: { point: QueuePoint; urls: ServerUrls }) => queueMemory(point, urls),
        history: ({ point, urls }: { point: HistoryPoint; urls: ServerUrls }) => historyMemory(point, urls),
    });
});
