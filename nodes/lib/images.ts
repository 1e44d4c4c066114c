// Images sent with a message: an http(s) URL, a data: URL or a Buffer (from a
// file-in or http request node), or a list of up to 16 of them. Each becomes
// the URL the API takes; a Buffer becomes a data: URL of the type its first
// bytes show, whatever its file was called, written once per message.
import { type ContentPart, type ImageDetail, isImageDetail } from './content-parts';
import { unreadable } from './failure';
import { isUnset } from './fields';
import { InputError, kindOf } from './input-error';
import { isPlainObject } from './json-value';

/** The most images the node takes with one message. */
export const MAX_IMAGES = 16;

/** The image types the API takes. */
export type ImageType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

const EXPECTED = 'an http(s) URL, a data:image/…;base64, URL or a Buffer of a PNG, JPEG, GIF or WebP image';

const HTTP_URL = /^https?:\/\//i;
const DATA_URL_PREFIX = /^data:image\/(png|jpeg|gif|webp);base64,/;
/** The base64 text after the prefix: tried from where the prefix ends, so the URL is not copied. */
const BASE64_REST = /[A-Za-z0-9+/]+={0,2}$/y;

/**
 * Reads the `images` input: nothing (not given, or an empty list), one image,
 * or a list of up to {@link MAX_IMAGES}. Answers the URL of each image, in
 * order. Throws an InputError naming the bad element (`images[1]`).
 */
export function readImages(value: unknown, field = 'images'): string[] {
    if (isUnset(value)) return [];
    if (!Array.isArray(value)) return [guarded(field, () => readImage(value, field))];
    if (value.length > MAX_IMAGES) throw new InputError(field, `must hold at most ${MAX_IMAGES} images, got ${value.length}`);
    const urls: string[] = [];
    for (let index = 0; index < value.length; index++) {
        const element = `${field}[${index}]`;
        urls.push(guarded(element, () => readImage(value[index], element)));
    }
    return urls;
}

/** `imageDetail`: `auto`, `low` or `high`; empty = not sent. */
export function readImageDetail(value: unknown): ImageDetail | undefined {
    if (isUnset(value)) return undefined;
    if (isImageDetail(value)) return value;
    throw new InputError('imageDetail', `must be auto, low or high, got ${typeof value === 'string' ? 'another word' : kindOf(value)}`);
}

/**
 * A user message's content: the text alone, or with images a list of content
 * parts, the text first. `undefined` when there is neither (a tool round).
 */
export function userContent(text: string | undefined, images: readonly string[], detail?: ImageDetail): string | ContentPart[] | undefined {
    return images.length === 0 ? text : withImages(text, images, detail);
}

/** A text part (when there is a text), then one image part per image, with `detail` when given. */
export function withImages(text: string | undefined, images: readonly string[], detail?: ImageDetail): ContentPart[] {
    const parts: ContentPart[] = text === undefined || text === '' ? [] : [{ type: 'text', text }];
    for (const url of images) parts.push({ type: 'image_url', image_url: detail === undefined ? { url } : { url, detail } });
    return parts;
}

/** The type of an image by its first bytes, or `undefined` for none of the four. */
export function imageTypeOf(bytes: Uint8Array): ImageType | undefined {
    if (startsWith(bytes, 0, '\x89PNG\r\n\x1a\n')) return 'image/png';
    if (startsWith(bytes, 0, '\xff\xd8\xff')) return 'image/jpeg';
    if (startsWith(bytes, 0, 'GIF87a') || startsWith(bytes, 0, 'GIF89a')) return 'image/gif';
    // A RIFF container whose form is WEBP.
    if (startsWith(bytes, 0, 'RIFF') && startsWith(bytes, 8, 'WEBP')) return 'image/webp';
    return undefined;
}

function readImage(value: unknown, field: string): string {
    if (typeof value === 'string') return readUrl(value, field);
    if (Buffer.isBuffer(value)) return dataUrl(value, field);
    if (isPlainObject(value) && value.type === 'Buffer') return dataUrl(bufferFromJson(value.data, field), field);
    throw new InputError(field, `must be ${EXPECTED}, got ${kindOf(value)}`);
}

function readUrl(url: string, field: string): string {
    if (HTTP_URL.test(url)) {
        if (!URL.canParse(url)) throw new InputError(field, `must be ${EXPECTED}, got an http(s) URL that is not valid`);
        return url;
    }
    if (/^data:/i.test(url)) {
        const prefix = DATA_URL_PREFIX.exec(url);
        BASE64_REST.lastIndex = prefix ? prefix[0].length : 0;
        if (!prefix || !BASE64_REST.test(url)) {
            throw new InputError(field, `must be ${EXPECTED}, got a data: URL that is not a base64 PNG, JPEG, GIF or WebP image`);
        }
        return url;
    }
    throw new InputError(field, `must be ${EXPECTED}, got ${url === '' ? 'an empty string' : 'a string that is no http(s) or data: URL'}`);
}

function dataUrl(bytes: Buffer, field: string): string {
    const type = imageTypeOf(bytes);
    if (!type) throw new InputError(field, `must be ${EXPECTED}, got ${bytes.length === 0 ? 'an empty buffer' : 'a buffer of none of these types'}`);
    return `data:${type};base64,${bytes.toString('base64')}`;
}

/**
 * A Buffer that went through JSON (a flow file, an HTTP body, a context store)
 * is `{type: "Buffer", data: [bytes…]}`: its bytes are taken when each is one.
 */
function bufferFromJson(data: unknown, field: string): Buffer {
    const bytes = Array.isArray(data) && data.every((byte) => Number.isInteger(byte) && byte >= 0 && byte <= 255);
    if (!bytes) throw new InputError(field, `must be ${EXPECTED}, got an object of type Buffer whose data is not a list of bytes`);
    return Buffer.from(data as number[]);
}

function startsWith(bytes: Uint8Array, offset: number, signature: string): boolean {
    if (bytes.length < offset + signature.length) return false;
    for (let index = 0; index < signature.length; index++) {
        if (bytes[offset + index] !== signature.charCodeAt(index)) return false;
    }
    return true;
}

/** A value a function node built may throw when read (a getter): bad input naming the element. */
function guarded(field: string, read: () => string): string {
    try {
        return read();
    } catch (error) {
        throw isInputError(error) ? error : unreadable(field, error);
    }
}

function isInputError(error: unknown): boolean {
    try {
        return error instanceof InputError;
    } catch {
        // A Proxy can throw even from instanceof.
        return false;
    }
}
