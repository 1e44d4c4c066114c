import { strict as assert } from 'node:assert';
import type { ModerationCreateResponse } from 'openai/resources/moderations';
import { buildModerationRequest, formatModeration } from '../../nodes/lib/moderation';
import { assertInputError } from '../support/assert-input-error';
import { dataUrl, IMAGES } from '../support/images';

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

    it('sends the text and the images as one multi-modal input, the text first', () => {
        const request = buildModerationRequest({ text: 'Is this fine?', model: '', images: ['https://example.com/a.png', IMAGES.webp] });
        assert.deepEqual(request, {
            params: {
                input: [
                    { type: 'text', text: 'Is this fine?' },
                    { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
                    { type: 'image_url', image_url: { url: dataUrl('webp') } },
                ],
            },
            many: false,
        });
    });

    it('sends the images alone when the text is empty or missing', () => {
        for (const text of ['', undefined, null]) {
            assert.deepEqual(buildModerationRequest({ text, model: '', images: IMAGES.png }).params.input, [{ type: 'image_url', image_url: { url: dataUrl('png') } }]);
        }
    });

    it('sends the text alone when the list of images is empty', () => {
        assert.deepEqual(buildModerationRequest({ text: ['a', 'b'], model: '', images: [] }), { params: { input: ['a', 'b'] }, many: true });
    });

    it('refuses a list of texts with images, and a bad image, naming the field', () => {
        assertInputError(() => buildModerationRequest({ text: ['a', 'b'], model: '', images: IMAGES.png }), 'text', /^text must be one string when images are given .*got array$/);
        assertInputError(() => buildModerationRequest({ text: 'a', model: '', images: [IMAGES.png, 'photo.png'] }), 'images[1]', /got a string that is no http\(s\) or data: URL$/);
        assertInputError(() => buildModerationRequest({ text: 'a', model: '', images: { type: 'Buffer' } }), 'images', /whose data is not a list of bytes$/);
    });

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

    it('keeps a single text\'s result to flagged, categories and categoryScores, as 0.1 gave it', () => {
        const result = formatModeration(buildModerationRequest({ text: 'x', model: '' }), answer([flaggedTwice]));
        assert.deepEqual(Object.keys(result), ['flagged', 'categories', 'categoryScores']);
    });

    const clean = { flagged: false, categories: { hate: false, violence: false }, scores: { hate: 0.001, violence: 0.002 } };

    it('flags a list when one abusive text hides among clean ones', () => {
        const result = formatModeration(buildModerationRequest({ text: ['a', 'b', 'c'], model: '' }), answer([clean, flaggedTwice, clean]));
        assert.equal(result.flagged, true);
        assert.deepEqual(result.categories, ['violence', 'hate']);
    });

    it('flags a list whose result is flagged even with no category marked', () => {
        const flaggedBare = { flagged: true, categories: { hate: false }, scores: { hate: 0.4 } };
        const result = formatModeration(buildModerationRequest({ text: ['a', 'b'], model: '' }), answer([clean, flaggedBare]));
        assert.equal(result.flagged, true);
        assert.deepEqual(result.categories, []);
    });

    it('passes a list of clean texts, with every category at its highest score', () => {
        const cleaner = { flagged: false, categories: { hate: false, violence: false }, scores: { hate: 0.003, violence: 0.001 } };
        const result = formatModeration(buildModerationRequest({ text: ['a', 'b'], model: '' }), answer([clean, cleaner]));
        assert.deepEqual(
            { flagged: result.flagged, categories: result.categories, categoryScores: result.categoryScores },
            { flagged: false, categories: [], categoryScores: { hate: 0.003, violence: 0.002 } },
        );
    });

    it('sums a list up: every flagged category by its highest score, and each category\'s highest score', () => {
        const other = {
            flagged: true,
            categories: { hate: true, violence: false, sexual: false, harassment: true },
            scores: { hate: 0.95, violence: 0.2, sexual: 0.8, harassment: 0.7 },
        };
        const result = formatModeration(buildModerationRequest({ text: ['a', 'b'], model: '' }), answer([flaggedTwice, other]));
        // sexual scores 0.8 but is flagged in neither result, so it is not listed.
        assert.deepEqual(result.categories, ['hate', 'violence', 'harassment']);
        assert.deepEqual(result.categoryScores, { hate: 0.95, violence: 0.9, sexual: 0.8, illicit: 0.01, harassment: 0.7 });
    });

    it('orders flagged categories with equal highest scores as they are first flagged in the list', () => {
        const first = { flagged: true, categories: { b: true, a: false }, scores: { b: 0.8, a: 0.1 } };
        const second = { flagged: true, categories: { c: true, a: true }, scores: { c: 0.8, a: 0.8 } };
        const request = buildModerationRequest({ text: ['x', 'y'], model: '' });
        // a is scored in the first text but flagged only in the second, after c.
        assert.deepEqual(formatModeration(request, answer([first, second])).categories, ['b', 'c', 'a']);
        assert.deepEqual(formatModeration(request, answer([second, first])).categories, ['c', 'a', 'b']);
    });

    it('sums up categories whose names are also object properties, as any other name', () => {
        const named = (scores: string, flags: string) => ({ flagged: true, categories: JSON.parse(flags), scores: JSON.parse(scores) });
        const first = named('{"constructor": 0.2, "__proto__": 0.7}', '{"constructor": false, "__proto__": true}');
        const second = named('{"constructor": 0.6, "__proto__": 0.1}', '{"constructor": true, "__proto__": false}');
        const result = formatModeration(buildModerationRequest({ text: ['a', 'b'], model: '' }), answer([first, second]));
        assert.deepEqual(result.categoryScores, JSON.parse('{"constructor": 0.6, "__proto__": 0.7}'));
        assert.deepEqual(result.categories, ['__proto__', 'constructor']);
    });

    it('gives each text its own result in results, in the order of the input', () => {
        const result = formatModeration(buildModerationRequest({ text: ['a', 'b', 'c'], model: '' }), answer([clean, flaggedTwice, clean]));
        assert.ok('results' in result);
        assert.deepEqual(result.results, [
            { flagged: false, categories: [], categoryScores: { hate: 0.001, violence: 0.002 } },
            { flagged: true, categories: ['violence', 'hate'], categoryScores: { hate: 0.6, violence: 0.9, sexual: 0.7, illicit: 0.01 } },
            { flagged: false, categories: [], categoryScores: { hate: 0.001, violence: 0.002 } },
        ]);
    });

    it('gives a list of one text results too, so a list always has the same shape', () => {
        const result = formatModeration(buildModerationRequest({ text: ['x'], model: '' }), answer([flaggedTwice]));
        const own = { flagged: true, categories: ['violence', 'hate'], categoryScores: { hate: 0.6, violence: 0.9, sexual: 0.7, illicit: 0.01 } };
        assert.deepEqual(result, { ...own, results: [own] });
    });

    it('tells, with images, what each flagged category was flagged for, and nothing of the others', () => {
        const request = buildModerationRequest({ text: 'x', model: '', images: 'https://example.com/a.png' });
        const applied = { hate: ['text'], violence: ['text', 'image'], sexual: ['text', 'image'], illicit: ['text'] };
        const raw = answer([flaggedTwice]);
        Object.assign(raw.results[0], { category_applied_input_types: applied });
        assert.deepEqual(formatModeration(request, raw), {
            flagged: true,
            categories: ['violence', 'hate'],
            categoryScores: flaggedTwice.scores,
            appliedInputTypes: { violence: ['text', 'image'], hate: ['text'] },
        });
        const passed = answer([clean]);
        Object.assign(passed.results[0], { category_applied_input_types: { hate: ['text'], violence: ['text', 'image'] } });
        assert.deepEqual(formatModeration(request, passed).appliedInputTypes, {});
    });

    it('leaves out of appliedInputTypes a category the server says nothing of', () => {
        const request = buildModerationRequest({ text: '', model: '', images: 'https://example.com/a.png' });
        assert.deepEqual(formatModeration(request, answer([flaggedTwice])).appliedInputTypes, {});
        const odd = answer([flaggedTwice]);
        Object.assign(odd.results[0], { category_applied_input_types: { violence: 'image', hate: ['image', 3] } });
        assert.deepEqual(formatModeration(request, odd).appliedInputTypes, { hate: ['image'] });
    });

    it('refuses an answer with the wrong number of results', () => {
        const request = buildModerationRequest({ text: ['a', 'b'], model: '' });
        assert.throws(() => formatModeration(request, answer([flaggedTwice])), /1 results for 2 texts/);
        assert.throws(() => formatModeration(request, { id: 'x', model: 'm' } as ModerationCreateResponse), /no results/);
    });
});
