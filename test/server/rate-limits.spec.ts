import { strict as assert } from 'node:assert';
import { parseDuration } from '../../nodes/lib/rate-limit';
import { formatDuration, RateLimitBudget } from './rate-limits';

describe('test server rate limits', () => {
    function budgetAt(options: ConstructorParameters<typeof RateLimitBudget>[0]) {
        const clock = { now: 0 };
        return { budget: new RateLimitBudget(options, () => clock.now), clock };
    }

    it('writes reset times as OpenAI does, and the package reads them back', () => {
        for (const [ms, text] of [
            [20, '20ms'],
            [1500, '1.5s'],
            [360_000, '6m0s'],
            [61_250, '1m1.25s'],
        ] as const) {
            assert.equal(formatDuration(ms), text);
            assert.equal(parseDuration(text), ms);
        }
    });

    it('counts requests per minute, says what is left, and refuses with retry-after once spent', () => {
        const { budget, clock } = budgetAt({ requestsPerMinute: 2 });
        assert.deepEqual(budget.take(0).headers, { 'x-ratelimit-limit-requests': '2', 'x-ratelimit-remaining-requests': '1', 'x-ratelimit-reset-requests': '30s' });
        assert.equal(budget.take(0).retryAfterMs, undefined);
        const refused = budget.take(0);
        assert.equal(refused.retryAfterMs, 30_000);
        assert.equal(refused.headers['retry-after'], '30');
        assert.equal(refused.headers['retry-after-ms'], '30000');
        clock.now += 30_000;
        assert.equal(budget.take(0).retryAfterMs, undefined, 'one request came back in 30 s');
    });

    it('counts tokens per minute on its own budget', () => {
        const { budget } = budgetAt({ tokensPerMinute: 1000, requestsPerMinute: 100 });
        assert.equal(budget.take(800).retryAfterMs, undefined);
        const refused = budget.take(400);
        assert.equal(refused.retryAfterMs, 12_000, 'the 200 tokens missing take 12 s to come back');
        assert.equal(refused.headers['x-ratelimit-remaining-tokens'], '200');
        assert.equal(refused.headers['x-ratelimit-remaining-requests'], '99', 'a refused request takes nothing');
    });
});
