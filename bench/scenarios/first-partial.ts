// First partial: how long the first piece of a streamed answer takes from the
// server's socket to the flow. A small server in this process streams an
// answer after a gap (the model "thinking") and notes the moment it writes the
// first text chunk; from that moment the bench times (a) the openai SDK's
// stream yielding that chunk and (b) this package's chat node, with `stream`
// on, delivering its first partial message to a node wired to its output 2.
// Server and clients share one process and one clock, so the figure holds no
// clock skew, and both contestants pay the same event loop.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Node } from 'node-red';
import OpenAI from 'openai';
import { accountNode, chatNodeSettings } from '../node-red/package-flow';
import { type NodeRedRuntime, startNodeRed } from '../node-red/runtime';
import { listen } from '../node-red/sink-hub';
import { median } from '../stats';
import { CHAT_MODEL } from '../workloads';

/** The server's pause between the response headers and the first chunk. */
const GAP_MS = 20;
const API_KEY = 'sk-bench-first-partial';
const WORDS = ['Streaming', ' answers', ' arrive', ' piece', ' by', ' piece.'];

export interface FirstPartialSettings {
    samples: number;
    warmup: number;
}

export interface FirstPartialResults {
    gapMs: number;
    samples: number;
    /** Milliseconds from the server writing the first text chunk to each contestant seeing it. */
    sdkMs: number[];
    packageMs: number[];
}

export interface FirstPartialSummary {
    contestant: 'A: openai SDK stream' | 'C: package, partial message at the next node';
    samples: number;
    medianMs: number;
    p95Ms: number;
}

/** The value below which 95 % of the samples lie (nearest rank). */
export function p95(values: readonly number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.max(0, Math.ceil(sorted.length * 0.95) - 1)];
}

export function summariseFirstPartial(results: FirstPartialResults): FirstPartialSummary[] {
    return [
        { contestant: 'A: openai SDK stream', samples: results.sdkMs.length, medianMs: median(results.sdkMs), p95Ms: p95(results.sdkMs) },
        { contestant: 'C: package, partial message at the next node', samples: results.packageMs.length, medianMs: median(results.packageMs), p95Ms: p95(results.packageMs) },
    ];
}

/** Alternates the two contestants, one streamed answer at a time, so that both see the same machine. */
export async function runFirstPartial(settings: FirstPartialSettings, log: (line: string) => void): Promise<FirstPartialResults> {
    const server = await startStreamingServer();
    let runtime: NodeRedRuntime | undefined;
    try {
        const client = new OpenAI({ apiKey: API_KEY, baseURL: server.url, maxRetries: 0 });
        runtime = await startChatFlow(server.url);
        const chat = runtime.getNode(CHAT_ID);
        const sdkMs: number[] = [];
        const packageMs: number[] = [];
        for (let sample = 0; sample < settings.warmup + settings.samples; sample += 1) {
            const sdk = await sdkFirstChunk(client, server);
            const pkg = await packageFirstPartial(chat, server, sample);
            if (sample >= settings.warmup) {
                sdkMs.push(sdk);
                packageMs.push(pkg);
            }
        }
        log(`  ${settings.samples} streamed answers each, after ${settings.warmup} to warm up`);
        return { gapMs: GAP_MS, samples: settings.samples, sdkMs, packageMs };
    } finally {
        await runtime?.app.stop();
        await server.close();
    }
}

const CHAT_ID = 'first-partial-chat';
const PARTIALS_ID = 'first-partial-partials';
const FINAL_ID = 'first-partial-final';

async function startChatFlow(baseURL: string): Promise<NodeRedRuntime> {
    const tab = 'first-partial-tab';
    return startNodeRed({
        flows: [
            { id: tab, type: 'tab', label: 'first partial' },
            accountNode('first-partial-account', baseURL),
            { id: CHAT_ID, z: tab, ...chatNodeSettings({ account: 'first-partial-account', stream: true, outputs: 2 }), wires: [[FINAL_ID], [PARTIALS_ID]] },
            { id: PARTIALS_ID, z: tab, type: 'bench-sink', wires: [] },
            { id: FINAL_ID, z: tab, type: 'bench-sink', wires: [] },
        ],
        credentials: { 'first-partial-account': { apiKey: API_KEY } },
    });
}

async function sdkFirstChunk(client: OpenAI, server: StreamingServer): Promise<number> {
    const stream = await client.chat.completions.create({
        model: CHAT_MODEL,
        messages: [{ role: 'user', content: 'Hi' }],
        stream: true,
        stream_options: { include_usage: true },
    });
    let seenAt: number | undefined;
    for await (const chunk of stream) {
        if (seenAt === undefined && chunk.choices[0]?.delta.content) seenAt = performance.now();
    }
    return (seenAt as number) - server.firstChunkAt;
}

/** Sends one message into the chat node; resolves once its final message has come, with the first partial's delay. */
function packageFirstPartial(chat: Node, server: StreamingServer, sample: number): Promise<number> {
    return new Promise((resolve) => {
        let seenAt: number | undefined;
        listen(PARTIALS_ID, (msg) => {
            if (seenAt === undefined && (msg.payload as { sequence?: number }).sequence === 0) seenAt = performance.now();
        });
        listen(FINAL_ID, () => resolve((seenAt as number) - server.firstChunkAt));
        chat.receive({ payload: `Hi ${sample}` });
    });
}

interface StreamingServer {
    url: string;
    /** performance.now() just before the latest answer's first text chunk was written. */
    firstChunkAt: number;
    close(): Promise<void>;
}

/** Answers every chat request with a stream: headers, the gap, then the chunks at once and the usage. */
async function startStreamingServer(): Promise<StreamingServer> {
    const state: StreamingServer = { url: '', firstChunkAt: 0, close: () => Promise.resolve() };
    const chunk = (delta: object, finish: string | null = null, usage: object | null = null) =>
        `data: ${JSON.stringify({
            id: 'chatcmpl-bench',
            object: 'chat.completion.chunk',
            created: 1,
            model: CHAT_MODEL,
            choices: usage ? [] : [{ index: 0, delta, logprobs: null, finish_reason: finish }],
            usage,
        })}\n\n`;
    const rest = [...WORDS.slice(1).map((word) => chunk({ content: word })), chunk({}, 'stop'), chunk({}, null, { prompt_tokens: 2, completion_tokens: 6, total_tokens: 8 }), 'data: [DONE]\n\n'].join('');
    const http: Server = createServer((request, response) => {
        request.resume();
        request.on('end', () => {
            response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
            response.write(chunk({ role: 'assistant', content: '' }));
            setTimeout(() => {
                state.firstChunkAt = performance.now();
                response.write(chunk({ content: WORDS[0] }));
                // The rest after a turn of the event loop, so the first chunk travels alone.
                setImmediate(() => response.end(rest));
            }, GAP_MS);
        });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    state.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/v1`;
    state.close = () =>
        new Promise<void>((resolve) => {
            http.closeAllConnections();
            http.close(() => resolve());
        });
    return state;
}
