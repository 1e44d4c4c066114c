/**
 * Small images of the four types the API takes. Only their first bytes are
 * real (what tells the type); the rest is filler, which is all the node and
 * the test server look at.
 */
export const IMAGES = {
    png: image('89504e470d0a1a0a0000000d49484452'),
    jpeg: image('ffd8ffe000104a464946000101000001'),
    gif: image('474946383961010001008000'),
    webp: image('52494646240000005745425056503820'),
};

export type ImageKind = keyof typeof IMAGES;

/** The data: URL the node writes for `bytes` of `kind`. */
export function dataUrl(kind: ImageKind, bytes: Buffer = IMAGES[kind]): string {
    return `data:image/${kind};base64,${bytes.toString('base64')}`;
}

function image(hex: string): Buffer {
    return Buffer.concat([Buffer.from(hex, 'hex'), Buffer.from('simulated image bytes')]);
}
