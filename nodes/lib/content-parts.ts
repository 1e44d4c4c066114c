// A message's content given as a list of parts (text, images), as the API
// takes it and as the chat node writes a user message that carried images.
import { isUnset } from './fields';
import { InputError, kindOf } from './input-error';
import { isPlainObject } from './json-value';

export interface TextPart {
    type: 'text';
    text: string;
}

export type ImageDetail = 'auto' | 'low' | 'high';

export interface ImagePart {
    type: 'image_url';
    image_url: { url: string; detail?: ImageDetail };
}

export type ContentPart = TextPart | ImagePart;

const DETAILS: ReadonlySet<unknown> = new Set<ImageDetail>(['auto', 'low', 'high']);

export function isImageDetail(value: unknown): value is ImageDetail {
    return DETAILS.has(value);
}

/**
 * Reads a list of content parts. Only user messages may carry images (the
 * API takes text parts alone from the other roles), so `images` says whether
 * an `image_url` part is allowed. Only the fields the API defines are copied.
 */
export function readContentParts(list: readonly unknown[], field: string, images: boolean): ContentPart[] {
    if (list.length === 0) throw new InputError(field, 'must hold at least one content part, got an empty array');
    return list.map((part, index) => readPart(part, `${field}[${index}]`, images));
}

function readPart(part: unknown, field: string, images: boolean): ContentPart {
    if (!isPlainObject(part)) throw new InputError(field, `must be an object with a type, got ${kindOf(part)}`);
    if (part.type === 'text') {
        if (typeof part.text !== 'string') throw new InputError(`${field}.text`, `must be a string, got ${kindOf(part.text)}`);
        return { type: 'text', text: part.text };
    }
    if (part.type === 'image_url' && images) return { type: 'image_url', image_url: readImage(part.image_url, `${field}.image_url`) };
    const allowed = images ? 'text or image_url' : 'text (only user messages carry images)';
    const got = typeof part.type === 'string' ? (part.type === 'image_url' ? 'image_url' : 'an unknown type') : kindOf(part.type);
    throw new InputError(`${field}.type`, `must be ${allowed}, got ${got}`);
}

function readImage(image: unknown, field: string): ImagePart['image_url'] {
    if (!isPlainObject(image)) throw new InputError(field, `must be an object with a url, got ${kindOf(image)}`);
    const { url, detail } = image;
    if (typeof url !== 'string') throw new InputError(`${field}.url`, `must be a string, got ${kindOf(url)}`);
    if (url === '') throw new InputError(`${field}.url`, 'must not be empty');
    if (isUnset(detail)) return { url };
    if (!isImageDetail(detail)) {
        throw new InputError(`${field}.detail`, `must be auto, low or high, got ${typeof detail === 'string' ? 'another word' : kindOf(detail)}`);
    }
    return { url, detail };
}
