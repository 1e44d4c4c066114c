// The API's checks of the images a request holds as data: URLs: base64 bytes
// of a PNG, JPEG, GIF or WebP image, said to be what they are. An http(s) URL
// cannot be fetched here and is taken as it is. The wording follows the real API's.
import { apiError, type ErrorReply } from './openai-errors';

/** The first bytes of each image type the API takes; `null` stands for any byte. */
const MAGIC: readonly (readonly [type: string, signature: readonly (number | null)[]])[] = [
    ['image/png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
    ['image/jpeg', [0xff, 0xd8, 0xff]],
    ['image/gif', [0x47, 0x49, 0x46, 0x38]],
    // A RIFF container (its size in the next four bytes) of the form WEBP.
    ['image/webp', [0x52, 0x49, 0x46, 0x46, null, null, null, null, 0x57, 0x45, 0x42, 0x50]],
];

const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*),/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The first bad data: URL among the content parts of the request's messages, as the API answers it. */
export function chatImagesProblem(messages: unknown): ErrorReply | undefined {
    if (!Array.isArray(messages)) return undefined;
    for (const [index, message] of messages.entries()) {
        const content = isObject(message) ? message.content : undefined;
        const problem = partsProblem(content, `messages[${index}].content`);
        if (problem) return problem;
    }
    return undefined;
}

/** The same for a moderation request's multi-modal `input`. */
export function moderationImagesProblem(input: unknown): ErrorReply | undefined {
    return partsProblem(input, 'input');
}

/** The media type of each image a message's content holds: a data: URL's, or `URL` for a link. */
export function imageKinds(content: unknown): string[] {
    if (!Array.isArray(content)) return [];
    return content.flatMap((part) => {
        const url = imageUrlOf(part);
        return url === undefined ? [] : [DATA_URL.exec(url)?.[1] || 'URL'];
    });
}

function partsProblem(parts: unknown, param: string): ErrorReply | undefined {
    if (!Array.isArray(parts)) return undefined;
    for (const [index, part] of parts.entries()) {
        const url = imageUrlOf(part);
        const problem = url?.startsWith('data:') ? dataUrlProblem(url, `${param}[${index}].image_url.url`) : undefined;
        if (problem) return problem;
    }
    return undefined;
}

function dataUrlProblem(url: string, param: string): ErrorReply | undefined {
    const header = DATA_URL.exec(url);
    const type = header?.[1] ?? '';
    const invalid = (got: string) =>
        apiError(
            400,
            `Invalid image URL: '${param}'. Expected a base64-encoded data URL with an image MIME type ` +
                `(e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got ${got}.`,
            { param, code: 'invalid_value' },
        );
    if (!header || !header[2].split(';').includes('base64')) return invalid('a value that is not base64-encoded');
    if (!MAGIC.some(([known]) => known === type)) return invalid(`unsupported MIME type '${type}'`);
    const encoded = url.slice(header[0].length);
    if (encoded === '') return invalid('empty base64-encoded bytes');
    if (!BASE64.test(encoded)) return invalid('invalid base64-encoded bytes');
    // The first bytes tell the type; 16 characters decode to 12 bytes, enough for every signature.
    if (typeOf(Buffer.from(encoded.slice(0, 16), 'base64')) !== type) {
        return apiError(400, 'You uploaded an unsupported image. Please make sure your image is valid.', { param, code: 'invalid_image_format' });
    }
    return undefined;
}

function typeOf(bytes: Buffer): string | undefined {
    return MAGIC.find(([, signature]) => signature.every((byte, index) => byte === null || bytes[index] === byte))?.[0];
}

function imageUrlOf(part: unknown): string | undefined {
    if (!isObject(part) || part.type !== 'image_url' || !isObject(part.image_url)) return undefined;
    return typeof part.image_url.url === 'string' ? part.image_url.url : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
