import type { Moderation, ModerationCreateParams, ModerationCreateResponse } from 'openai/resources/moderations';
import { optionalString } from './fields';
import { InputError, kindOf } from './input-error';
import { ResponseError } from './response-error';

/** The moderate node's inputs for one message, as resolved from its TypedInputs. */
export interface ModerationInputs {
    text: unknown;
    model: unknown;
}

/** A checked request; `many` is true when the text was a list, so the output is a list too. */
export interface ModerationRequest {
    params: ModerationCreateParams;
    many: boolean;
}

/** One text's verdict, the moderate node's `msg.payload` (or one item of it). */
export interface ModerationResult {
    flagged: boolean;
    /** Only the flagged categories, highest score first. */
    categories: string[];
    /** Every category the API scored. */
    categoryScores: Record<string, number>;
}

/**
 * Checks the text (a non-empty string, or a non-empty list of them: the API
 * takes a list in one request) and the model (empty = the API's default).
 */
export function buildModerationRequest(inputs: ModerationInputs): ModerationRequest {
    const input = readText(inputs.text);
    const model = optionalString('model', inputs.model);
    const params: ModerationCreateParams = model === undefined ? { input } : { input, model };
    return { params, many: Array.isArray(input) };
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

/** Turns the API's answer into one result per text, in the order of the input. */
export function formatModeration(request: ModerationRequest, raw: ModerationCreateResponse): ModerationResult | ModerationResult[] {
    const expected = request.many ? (request.params.input as string[]).length : 1;
    const results = raw?.results;
    if (!Array.isArray(results) || results.length !== expected) {
        throw new ResponseError(`the moderation answer has ${Array.isArray(results) ? results.length : 'no'} results for ${expected} texts`);
    }
    const verdicts = results.map(readVerdict);
    return request.many ? verdicts : verdicts[0];
}

function readVerdict(result: Moderation, index: number): ModerationResult {
    const scores = result?.category_scores as unknown as Record<string, number> | undefined;
    const flags = result?.categories as unknown as Record<string, boolean | null> | undefined;
    if (typeof scores !== 'object' || scores === null || typeof flags !== 'object' || flags === null) {
        throw new ResponseError(`results[${index}] has no categories or category_scores`);
    }
    const categories = Object.keys(flags)
        .filter((name) => flags[name] === true)
        .sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0));
    return { flagged: result.flagged === true, categories, categoryScores: { ...scores } };
}
