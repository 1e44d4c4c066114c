// Images: what a 5 MB photo costs the chat node per message, against the same
// message without an image, and against the bare SDK sending the same image
// as a ready data: URL (what is left when the node's own work is taken away).
// One message at a time against the 0 ms test server, each variant in a
// fresh child (images-process.ts).
import * as path from 'node:path';
import { forkChild } from '../child';
import type { ServerProcess } from '../server';
import type { BenchSettings } from '../settings';
import type { ImageMeasurement, ImagePoint, ImageVariant } from './images-process';

/** A 5 MB photo, as a file-in node reads it. */
export const IMAGE_BYTES = 5 * 1024 * 1024;
const VARIANTS: readonly ImageVariant[] = ['text', 'image', 'sdk-image'];
const LABELS: Record<ImageVariant, string> = {
    text: 'chat node, text only',
    image: 'chat node, 5 MB JPEG Buffer',
    'sdk-image': 'openai SDK, the same image as a data: URL',
};

export interface ImagesResults {
    points: ImageMeasurement[];
}

export async function runImages(settings: BenchSettings, server: ServerProcess, log: (line: string) => void): Promise<ImagesResults> {
    const points: ImageMeasurement[] = [];
    for (const variant of VARIANTS) {
        const point: ImagePoint = { variant, imageBytes: IMAGE_BYTES, messages: settings.quick ? 5 : 20, warmup: settings.quick ? 2 : 5 };
        await server.reset();
        const child = await forkChild(path.join(__dirname, 'images-process.js'), [], { execArgv: ['--expose-gc'] });
        try {
            const measured = await child.call<ImageMeasurement>('variant', { point, urls: server.urls });
            points.push(measured);
            log(`  ${LABELS[variant]}: ${(measured.usage.elapsedMs / point.messages).toFixed(1)} ms per message, peak heap +${mb(measured.usage.peakHeapUsedBytes - measured.usage.startHeapUsedBytes)} MB`);
        } finally {
            await child.stop();
        }
    }
    await server.reset();
    return { points };
}

/** The section's table, in the shape report.ts renders. */
export function imagesTable({ points }: ImagesResults) {
    const perMessage = (point: ImageMeasurement, value: number) => (value / point.messages).toFixed(1);
    const text = points.find((point) => point.variant === 'text');
    const image = points.find((point) => point.variant === 'image');
    const sdk = points.find((point) => point.variant === 'sdk-image');
    const ms = (point: ImageMeasurement | undefined) => (point ? point.usage.elapsedMs / point.messages : Number.NaN);
    return {
        title: 'Images: a 5 MB JPEG Buffer per chat message, one message at a time, 0 ms server',
        headers: ['what', 'messages', 'ms/msg', 'CPU ms/msg', 'peak heap +MB', 'peak RSS +MB', 'heap left after MB', 'held in flight MB/msg'],
        rows: points.map((point) => [
            LABELS[point.variant],
            String(point.messages),
            perMessage(point, point.usage.elapsedMs),
            perMessage(point, point.usage.cpuUs / 1000),
            mb(point.usage.peakHeapUsedBytes - point.usage.startHeapUsedBytes),
            mb(point.usage.peakRssBytes - point.usage.startRssBytes),
            mb(point.leftBytes),
            mb(point.inFlightBytes),
        ]),
        notes: [
            `Per message, image − text only: ${signed(ms(image) - ms(text))} ms; chat node − bare SDK, both with the image: ${signed(ms(image) - ms(sdk))} ms (the node reads the Buffer and writes its base64 once).`,
            'Time includes the test server (another process) reading the 7 MB body. Peak heap and RSS: above the start of the run, after a full collection, sampled every 5 ms (garbage not yet collected included); left after: live heap after the run less before it; ' +
                `held in flight: live heap per message while 4 wait at a server that never answers, beyond the message itself. A fresh process per row.`,
        ],
    };
}

function signed(value: number): string {
    return `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
}

function mb(bytes: number): string {
    return (bytes / 1024 / 1024).toFixed(1);
}
