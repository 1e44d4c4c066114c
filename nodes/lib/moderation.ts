import type { Moderation, ModerationCreateParams, ModerationCreateResponse } from 'openai/resources/moderations';
import { optionalString } from './fields';
import { readImages, withImages } from './images';
import { InputError, kindOf } from './input-error';
import { ResponseError } from './response-error';

/** The moderate node's inputs for one message, as resolved from its TypedInputs. */
export interface ModerationInputs {
    text: unknown;
    model: unknown;
    /** Added in 0.2; missing means no images. */
    images?: unknown;
}

/** A checked request; `many` is true when the text was a list, so the output sums the list up. */
export interface ModerationRequest {
    params: ModerationCreateParams;
    many: boolean;
}

/** One text's verdict: the moderate node's `msg.payload` for a single text. */
export interface ModerationResult {
    flagged: boolean;
    /** Only the flagged categories, highest score first. */
    categories: string[];
    /** Every category the API scored. */
    categoryScores: Record<string, number>;
    /** With images only: for each flagged category, what it was flagged for (`text`, `image`). */
    appliedInputTypes?: Record<string, string[]>;
}

/**
 * The verdict on a list of texts: the same three fields as for one text, so
 * that a flow checking `flagged` cannot be passed by sending a list, and each
 * text's own verdict in `results`, in the order of the input.
 */
export interface ModerationListResult extends ModerationResult {
    results: ModerationResult[];
}

/**
 * Checks the text (a non-empty string, or a non-empty list of them: the API
 * takes a list in one request), the images and the model (empty = the API's
 * default). With images the input is one list of content parts, which the API
 * moderates as one: the text then may be empty, but not a list.
 */
export function buildModerationRequest(inputs: ModerationInputs): ModerationRequest {
    const images = readImages(inputs.images);
    const input = images.length === 0 ? readText(inputs.text) : withImages(readImagesText(inputs.text), images);
    const model = optionalString('model', inputs.model);
    const params: ModerationCreateParams = model === undefined ? { input } : { input, model };
    return { params, many: images.length === 0 && Array.isArray(input) };
}

/** The text beside images: one string, or nothing to moderate the images alone. */
function readImagesText(text: unknown): string | undefined {
    if (Array.isArray(text)) throw new InputError('text', 'must be one string when images are given (they are moderated together), got array');
    return optionalString('text', text);
}

function readText(text: unknown): string | string[] {
    if (typeof text === 'string') {
        if (text === '') throw new InputError('text', 'must not be empty');
        return text;
    }
    if (!Array.isArray(text)) throw new InputError('text', `must be a string or an array of strings, got ${kindOf(text)}`);
    if (text.length === 0) throw new InputError('text', 'must not be an empty array');
    text.forEach((item: unknown, index) => {
        if (typeof item !== 'string') throw new InputError(`text[${index}]`, `must be a string, got ${kindOf(item)}`);
        if (item === '') throw new InputError(`text[${index}]`, 'must not be empty');
    });
    return text as string[];
}

/**
 * Turns the API's answer into the node's output: one text's verdict, or for a
 * list (even of one text) the list's verdict with every text's own in `results`.
 */
export function formatModeration(request: ModerationRequest, raw: ModerationCreateResponse): ModerationResult | ModerationListResult {
    const expected = request.many ? (request.params.input as string[]).length : 1;
    const results = raw?.results;
    if (!Array.isArray(results) || results.length !== expected) {
        throw new ResponseError(`the moderation answer has ${Array.isArray(results) ? results.length : 'no'} results for ${expected} texts`);
    }
    // Only content parts (a text with images) make an input list that is not `many`.
    const withImages = !request.many && Array.isArray(request.params.input);
    const verdicts = results.map((result, index) => readVerdict(result, index, withImages));
    return request.many ? { ...sumUp(verdicts), results: verdicts } : verdicts[0];
}

/**
 * A list is flagged when any text is; each category keeps its highest score,
 * and every category flagged for any text is listed, highest score first.
 * Categories with equal scores keep the order in which they are first
 * flagged, text by text in input order (the sort is stable), so the output is
 * deterministic, and the verdict of a one-text list equals that text's own.
 */
function sumUp(verdicts: ModerationResult[]): ModerationResult {
    // A Map, because the names come from the server: one such as `__proto__` is then just a name.
    const highest = new Map<string, number>();
    const flagged = new Set<string>();
    for (const verdict of verdicts) {
        for (const [name, score] of Object.entries(verdict.categoryScores)) {
            const known = highest.get(name);
            if (known === undefined || score > known) highest.set(name, score);
        }
        verdict.categories.forEach((name) => flagged.add(name));
    }
    const categories = [...flagged].sort((a, b) => (highest.get(b) ?? 0) - (highest.get(a) ?? 0));
    return { flagged: verdicts.some((verdict) => verdict.flagged), categories, categoryScores: Object.fromEntries(highest) };
}

function readVerdict(result: Moderation, index: number, withImages: boolean): ModerationResult {
    const scores = result?.category_scores as unknown as Record<string, number> | undefined;
    const flags = result?.categories as unknown as Record<string, boolean | null> | undefined;
    if (typeof scores !== 'object' || scores === null || typeof flags !== 'object' || flags === null) {
        throw new ResponseError(`results[${index}] has no categories or category_scores`);
    }
    const categories = Object.keys(flags)
        .filter((name) => flags[name] === true)
        .sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0));
    const verdict: ModerationResult = { flagged: result.flagged === true, categories, categoryScores: { ...scores } };
    if (withImages) verdict.appliedInputTypes = appliedInputTypes(result, categories);
    return verdict;
}

/** What each flagged category was flagged for, from the API's `category_applied_input_types`. */
function appliedInputTypes(result: Moderation, categories: readonly string[]): Record<string, string[]> {
    const applied = result.category_applied_input_types as unknown;
    const entries = categories.flatMap((name) => {
        const types = typeof applied === 'object' && applied !== null && Object.hasOwn(applied, name) ? (applied as Record<string, unknown>)[name] : undefined;
        return Array.isArray(types) ? [[name, types.filter((type): type is string => typeof type === 'string')] as const] : [];
    });
    return Object.fromEntries(entries);
}
