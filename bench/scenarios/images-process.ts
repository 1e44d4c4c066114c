// A fresh child per image variant, so that each one's RSS growth is its own.
// The messages go one at a time; the image is built before the baseline, as a
// file-in node would have read it: what is measured is what sending it adds.
// Then, for the chat node, a few messages are held in flight at a server that
// never answers, to see what each one keeps alive while it waits.
import type { NodeMessage } from 'node-red';
import OpenAI from 'openai';
import { runChild, serve } from '../child';
import { liveHeapBytes, measure, settle, type Usage } from '../measure';
import { FlowDriver, sinkNodes, SINK_ID } from '../node-red/flow-driver';
import { accountNode, chatNodeSettings } from '../node-red/package-flow';
import { startNodeRed } from '../node-red/runtime';
import { latencyServer, type ServerUrls, urlFor } from '../server';
import { CHAT_MODEL, userText } from '../workloads';

/** `text`: the chat node without an image; `image`: the chat node with a JPEG Buffer; `sdk-image`: the bare SDK sending the same image as a ready data: URL. */
export type ImageVariant = 'text' | 'image' | 'sdk-image';

export interface ImagePoint {
    variant: ImageVariant;
    imageBytes: number;
    messages: number;
    warmup: number;
}

export interface ImageMeasurement extends ImagePoint {
    usage: Usage;
    /** Live heap after the run less before it: what the messages left behind. */
    leftBytes: number;
    /** Live heap each message (the SDK: each request) in flight holds beyond the message itself. */
    inFlightBytes: number;
}

/** Messages held in flight at the server that never answers. */
const HELD = 4;
/** Time for the held messages to reach the server. */
const SETTLE_MS = 1000;

/** `bytes` of a JPEG: its first bytes are a JPEG's, the rest filler, which is all that is read of it. */
function jpeg(bytes: number): Buffer {
    const image = Buffer.alloc(bytes, 0x5a);
    image.set([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);
    return image;
}

interface Sender {
    /** Sends `count` messages one after the other; rejects on the first error. */
    send(count: number): Promise<void>;
    /** Live heap per message (or request) held in flight. */
    heldInFlight(): Promise<number>;
}

async function nodeSender(urls: ServerUrls, image: Buffer | undefined): Promise<Sender> {
    const tab = 'images-tab';
    const chat = (id: string, account: string) => ({ ...chatNodeSettings({ images: 'image', imagesType: 'msg' }), id, z: tab, account, wires: [[SINK_ID]] });
    const driver = new FlowDriver(
        await startNodeRed({
            flows: [
                { id: tab, type: 'tab' },
                ...sinkNodes(tab),
                accountNode('account-fast', urlFor(urls, latencyServer(0))),
                accountNode('account-hold', urls.hold),
                chat('chat', 'account-fast'),
                chat('held', 'account-hold'),
            ],
            credentials: { 'account-fast': { apiKey: urls.apiKey }, 'account-hold': { apiKey: urls.apiKey } },
        }),
    );
    const message = (index: number) => ({ payload: userText(index), image }) as NodeMessage;
    return {
        async send(count) {
            const outcome = await driver.drive('chat', count, message, { window: 1 });
            if (outcome.errors > 0) throw new Error(`chat messages failed: ${outcome.firstError}`);
        },
        async heldInFlight() {
            const messages = Array.from({ length: HELD }, (_, index) => message(index));
            const before = liveHeapBytes();
            const outcome = driver.feed('held', HELD, (index) => messages[index]);
            await settle(SETTLE_MS);
            if (outcome.errors > 0) throw new Error(`held chat messages failed: ${outcome.firstError}`);
            return (liveHeapBytes() - before) / HELD;
        },
    };
}

function sdkSender(urls: ServerUrls, image: Buffer): Sender {
    const client = new OpenAI({ apiKey: urls.apiKey, baseURL: urlFor(urls, latencyServer(0)), maxRetries: 0 });
    const holding = new OpenAI({ apiKey: urls.apiKey, baseURL: urls.hold, maxRetries: 0 });
    const url = `data:image/jpeg;base64,${image.toString('base64')}`;
    const params = (index: number) => ({
        model: CHAT_MODEL,
        messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: userText(index) }, { type: 'image_url' as const, image_url: { url } }] }],
    });
    return {
        async send(count) {
            for (let index = 0; index < count; index++) await client.chat.completions.create(params(index));
        },
        async heldInFlight() {
            const before = liveHeapBytes();
            // Never answered: they end with the process.
            for (let index = 0; index < HELD; index++) void holding.chat.completions.create(params(index)).catch(() => undefined);
            await settle(SETTLE_MS);
            return (liveHeapBytes() - before) / HELD;
        },
    };
}

async function measureVariant(point: ImagePoint, urls: ServerUrls): Promise<ImageMeasurement> {
    const image = jpeg(point.imageBytes);
    const sender = point.variant === 'sdk-image' ? sdkSender(urls, image) : await nodeSender(urls, point.variant === 'image' ? image : undefined);
    await sender.send(point.warmup);
    const heapBefore = liveHeapBytes();
    const { usage } = await measure(() => sender.send(point.messages), { sampleEveryMs: 5, collectFirst: true });
    const leftBytes = liveHeapBytes() - heapBefore;
    return { ...point, usage, leftBytes, inFlightBytes: await sender.heldInFlight() };
}

runChild(async () => {
    serve({ variant: ({ point, urls }: { point: ImagePoint; urls: ServerUrls }) => measureVariant(point, urls) });
});
