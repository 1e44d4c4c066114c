// Memory of the package's nodes: messages queued behind the in-flight limit,
// and chat histories of growing length. Each point runs in a fresh child
// (memory-process.ts); the straight-line fits tell whether the cost is linear.
import * as path from 'node:path';
import { forkChild } from '../child';
import type { ServerProcess } from '../server';
import type { BenchSettings } from '../settings';
import { linearFit, type LinearFit } from '../stats';
import { KINDS, type Kind } from '../workloads';
import type { ConversationMemory, ConversationPoint, HistoryMemory, HistoryPoint, QueueMemory, QueuePoint } from './memory-process';

/** The nodes' default maxInFlight. */
const IN_FLIGHT = 8;
/** Messages sent end to end per history length. */
const HISTORY_MESSAGES = 48;
/** Conversations one chat node keeps in the conversation memory scenario. */
const CONVERSATIONS = 100;

export interface QueueResults {
    points: (QueueMemory & { requestsAtServer: number })[];
    /** Extra live heap per queued message (slope of heap after − before over `queued`). */
    heapPerQueued: Record<Kind, LinearFit>;
    rssPerQueued: Record<Kind, LinearFit>;
}

export interface HistoryResults {
    points: HistoryMemory[];
    /** Per history message: CPU µs per request, peak heap growth, heap held per request in flight. */
    cpuPerMessage: LinearFit;
    peakHeapPerMessage: LinearFit;
    heldHeapPerMessage: LinearFit;
    timePerMessage: LinearFit;
}

export interface ConversationResults extends ConversationMemory {
    /** Live heap per stored message (slope of heap after − before over stored messages). */
    heapPerStoredMessage: LinearFit;
}

export interface MemoryResults {
    queue: QueueResults;
    history: HistoryResults;
    conversations: ConversationResults;
}

async function inFreshChild<T>(command: string, args: unknown, flags: string[] = []): Promise<T> {
    const child = await forkChild(path.join(__dirname, 'memory-process.js'), [], { execArgv: ['--expose-gc', ...flags] });
    try {
        return await child.call<T>(command, args);
    } finally {
        await child.stop();
    }
}

export async function runMemory(settings: BenchSettings, server: ServerProcess, log: (line: string) => void): Promise<MemoryResults> {
    const queuePoints: QueueResults['points'] = [];
    for (const kind of KINDS) {
        for (const queued of settings.queuedPoints) {
            await server.reset();
            const point: QueuePoint = { kind, queued, inFlight: IN_FLIGHT };
            const measured = await inFreshChild<QueueMemory>('queue', { point, urls: server.urls });
            const { requests } = await server.reset();
            queuePoints.push({ ...measured, requestsAtServer: requests });
            log(
                `  ${kind}: ${queued} queued + ${IN_FLIGHT} in flight: heap +${mb(measured.heapAfterBytes - measured.heapBeforeBytes)} MB, ` +
                    `RSS +${mb(measured.rssAfterBytes - measured.rssBeforeBytes)} MB, peak RSS ${mb(measured.maxRssBytes)} MB ` +
                    `(${requests} requests reached the server, ${measured.errors} errors)`,
            );
        }
    }
    const fitQueue = (kind: Kind, value: (point: QueueMemory) => number) => {
        const points = queuePoints.filter((point) => point.kind === kind);
        return linearFit(points.map((point) => point.queued), points.map(value));
    };
    const queue: QueueResults = {
        points: queuePoints,
        heapPerQueued: Object.fromEntries(
            KINDS.map((kind) => [kind, fitQueue(kind, (point) => point.heapAfterBytes - point.heapBeforeBytes)]),
        ) as Record<Kind, LinearFit>,
        rssPerQueued: Object.fromEntries(
            KINDS.map((kind) => [kind, fitQueue(kind, (point) => point.rssAfterBytes - point.rssBeforeBytes)]),
        ) as Record<Kind, LinearFit>,
    };

    const historyPoints: HistoryMemory[] = [];
    for (const length of settings.historyPoints) {
        await server.reset();
        const point: HistoryPoint = { length, messages: HISTORY_MESSAGES, held: IN_FLIGHT };
        const measured = await inFreshChild<HistoryMemory>('history', { point, urls: server.urls });
        historyPoints.push(measured);
        const run = measured.endToEnd;
        log(
            `  history ${length}: ${(run.elapsedMs / point.messages).toFixed(1)} ms and ` +
                `${Math.round(run.cpuUs / point.messages)} µs CPU per request, ` +
                `peak heap +${mb(run.peakHeapUsedBytes - run.startHeapUsedBytes)} MB, ` +
                `${mb(measured.heldBytesPerRequest)} MB held per request in flight (${run.errors} errors)`,
        );
    }
    await server.reset();
    const fitHistory = (value: (point: HistoryMemory) => number) =>
        linearFit(historyPoints.map((point) => point.length), historyPoints.map(value));
    const history: HistoryResults = {
        points: historyPoints,
        cpuPerMessage: fitHistory((point) => point.endToEnd.cpuUs / point.messages),
        timePerMessage: fitHistory((point) => point.endToEnd.elapsedMs / point.messages),
        peakHeapPerMessage: fitHistory((point) => point.endToEnd.peakHeapUsedBytes - point.endToEnd.startHeapUsedBytes),
        heldHeapPerMessage: fitHistory((point) => point.heldBytesPerRequest),
    };

    const point: ConversationPoint = { conversations: CONVERSATIONS, turnPoints: settings.conversationTurnPoints };
    // Heap measured again and again in one process: V8 would drop the bytecode of
    // functions it sees unused over several collections, a megabyte or two that
    // would come off the later points.
    const measured = await inFreshChild<ConversationMemory>('conversations', { point, urls: server.urls }, ['--no-flush-bytecode']);
    await server.reset();
    for (const { turns, storedMessages, heapBytes } of measured.points) {
        log(`  ${CONVERSATIONS} conversations × ${turns} turns: ${storedMessages} stored messages, heap +${mb(heapBytes - measured.heapBeforeBytes)} MB`);
    }
    const conversations: ConversationResults = {
        ...measured,
        heapPerStoredMessage: linearFit(
            measured.points.map((entry) => entry.storedMessages),
            measured.points.map((entry) => entry.heapBytes - measured.heapBeforeBytes),
        ),
    };
    return { queue, history, conversations };
}

function mb(bytes: number): string {
    return (bytes / 1024 / 1024).toFixed(1);
}
