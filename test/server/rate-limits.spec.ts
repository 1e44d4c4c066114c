import { strict as assert } from 'node:assert';
import { parseDuration } from '../../nodes/lib/rate-limit';
import { DEFAULT_API_KEY, startTestServer } from './openai-test-server';
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

    it('runs a shortened minute, and tells of it in real milliseconds', () => {
        const { budget, clock } = budgetAt({ requestsPerMinute: 2, minuteMs: 6000 });
        assert.equal(budget.take(0).headers['x-ratelimit-reset-requests'], '3s');
        budget.take(0);
        assert.equal(budget.take(0).retryAfterMs, 3000, 'one request comes back in half of the 6 s minute');
        clock.now += 3000;
        assert.equal(budget.take(0).retryAfterMs, undefined);
    });

    it('tallies what it let through, with its tokens, and what it refused', () => {
        const { budget } = budgetAt({ requestsPerMinute: 2, tokensPerMinute: 1000 });
        budget.take(30);
        budget.take(20);
        budget.take(10);
        assert.deepEqual(budget.tally, { accepted: 2, refused: 1, tokens: 50 });
    });

    it('makes the test server send OpenAI\'s headers on every answer and a 429 once a budget is spent', async () => {
        const server = await startTestServer({ rateLimits: { requestsPerMinute: 2, tokensPerMinute: 100_000 } });
        try {
            const ask = () =>
                fetch(`${server.url}/chat/completions`, {
                    method: 'POST',
                    headers: { authorization: `Bearer ${DEFAULT_API_KEY}`, 'content-type': 'application/json' },
                    body: JSON.stringify({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'Hi' }] }),
                });
            const first = await ask();
            assert.equal(first.status, 200);
            assert.equal(first.headers.get('x-ratelimit-remaining-requests'), '1');
            assert.equal(first.headers.get('x-ratelimit-limit-tokens'), '100000');
            assert.ok(Number(first.headers.get('x-ratelimit-remaining-tokens')) < 100_000, 'the answer\'s tokens are counted');
            assert.equal((await ask()).status, 200);
            const refused = await ask();
            assert.equal(refused.status, 429);
            assert.ok(Number(refused.headers.get('retry-after-ms')) > 20_000);
            assert.match(((await refused.json()) as { error: { code: string } }).error.code, /rate_limit_exceeded/);
            const models = await fetch(`${server.url}/models`, { headers: { authorization: `Bearer ${DEFAULT_API_KEY}` } });
            assert.equal(models.status, 200, 'only chat and moderation requests are limited');
            const tally = server.rateLimitTally();
            assert.deepEqual({ accepted: tally.accepted, refused: tally.refused }, { accepted: 2, refused: 1 });
            assert.ok(tally.tokens > 0, 'the accepted requests\' tokens are tallied');
            server.reset();
            assert.deepEqual(server.rateLimitTally(), { accepted: 0, refused: 0, tokens: 0 }, 'reset clears the tally');
            assert.equal((await ask()).status, 200, 'reset refills the budgets');
        } finally {
            await server.close();
        }
    });
});
