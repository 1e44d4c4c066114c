import { strict as assert } from 'node:assert';
import type { ModerationCreateResponse } from 'openai/resources/moderations';
import { buildModerationRequest, formatModeration } from '../../nodes/lib/moderation';

function answer(results: { flagged: boolean; categories: Record<string, boolean | null>; scores: Record<string, number> }[]): ModerationCreateResponse {
    return {
        id: 'modr-1',
        model: 'omni-moderation-latest',
        results: results.map((r) => ({ flagged: r.flagged, categories: r.categories, category_scores: r.scores })),
    } as unknown as ModerationCreateResponse;
}

describe('moderation request', () => {
    it('sends the text alone when no model is set, so the API picks its default', () => {
        assert.deepEqual(buildModerationRequest({ text: 'hi', model: '' }), { params: { input: 'hi' }, many: false });
    });

    it('sends the model when one is set', () => {
        assert.deepEqual(buildModerationRequest({ text: 'hi', model: 'omni-moderation-2024-09-26' }).params, {
            input: 'hi',
            model: 'omni-moderation-2024-09-26',
        });
    });

    it('sends a list of texts as one request', () => {
        assert.deepEqual(buildModerationRequest({ text: ['a', 'b'], model: undefined }), { params: { input: ['a', 'b'] }, many: true });
    });

    const bad: [string, unknown, RegExp][] = [
        ['an empty string', '', /^text must not be empty$/],
        ['an empty array', [], /^text must not be an empty array$/],
        ['a number', 42, /^text must be a string or an array of strings, got number$/],
        ['undefined', undefined, /got undefined$/],
        ['an object', { text: 'x' }, /got object$/],
        ['an array with a number', ['ok', 3], /^text\[1\] must be a string, got number$/],
        ['an array with an empty string', ['ok', ''], /^text\[1\] must not be empty$/],
    ];
    for (const [name, text, message] of bad) {
        it(`refuses ${name}`, () => {
            assert.throws(() => buildModerationRequest({ text, model: '' }), (error: Error) => message.test(error.message));
        });
    }

    it('refuses a model that is not a string', () => {
        assert.throws(() => buildModerationRequest({ text: 'x', model: 5 }), /^InputError: model must be a string, got number$/);
    });
});

describe('moderation result', () => {
    const flaggedTwice = {
        flagged: true,
        categories: { hate: true, violence: true, sexual: false, illicit: null },
        scores: { hate: 0.6, violence: 0.9, sexual: 0.7, illicit: 0.01 },
    };

    it('lists only flagged categories, highest score first, and every score', () => {
        const result = formatModeration(buildModerationRequest({ text: 'x', model: '' }), answer([flaggedTwice]));
        assert.deepEqual(result, {
            flagged: true,
            categories: ['violence', 'hate'],
            categoryScores: { hate: 0.6, violence: 0.9, sexual: 0.7, illicit: 0.01 },
        });
    });

    it('gives one result per text, in order, for a list', () => {
        const clean = { flagged: false, categories: { hate: false }, scores: { hate: 0.001 } };
        const result = formatModeration(buildModerationRequest({ text: ['a', 'b'], model: '' }), answer([clean, flaggedTwice]));
        assert.ok(Array.isArray(result));
        assert.deepEqual(
            result.map((r) => r.flagged),
            [false, true],
        );
    });

    it('refuses an answer with the wrong number of results', () => {
        const request = buildModerationRequest({ text: ['a', 'b'], model: '' });
        assert.throws(() => formatModeration(request, answer([flaggedTwice])), /1 results for 2 texts/);
        assert.throws(() => formatModeration(request, { id: 'x', model: 'm' } as ModerationCreateResponse), /no results/);
    });
});
