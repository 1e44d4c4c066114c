import { strict as assert } from 'node:assert';
import { pacedFetch } from '../../nodes/lib/paced-fetch';
import { APIError, RateLimitError } from 'openai';
import { DEFAULT_RATE_LIMIT_WAIT_MS, estimateTokens, IMAGE_TOKENS, parseDuration, RateLimitPace, withPace } from '../../nodes/lib/rate-limit';

/** A pace on a clock the test moves. */
function paceAt(start = 1_000_000) {
    const clock = { now: start };
    return { pace: new RateLimitPace(() => clock.now), clock };
}

const headers = (values: Record<string, string>) => new Headers(values);

describe('rate-limit pace', () => {
    it('reads reset times as OpenAI writes them', () => {
        assert.equal(parseDuration('20ms'), 20);
        assert.equal(parseDuration('1s'), 1000);
        assert.equal(parseDuration('6m0s'), 360_000);
        assert.equal(parseDuration('1h2m3.5s'), 3_723_500);
        assert.equal(parseDuration('2m'), 120_000);
        assert.equal(parseDuration('0.5'), 500);
        for (const bad of [null, '', 'soon', '5x', '-1s', '25h']) assert.equal(parseDuration(bad), undefined, String(bad));
    });

    it('never paces a server that sends no rate-limit headers', () => {
        const { pace } = paceAt();
        for (let i = 0; i < 1000; i++) {
            assert.equal(pace.wait(500), 0);
            pace.started(500);
            pace.observe(headers({}), 200);
        }
    });

    it('counts the requests started since an answer against what it said was left, and waits for the reset once it is spent', () => {
        const { pace, clock } = paceAt();
        pace.observe(headers({ 'x-ratelimit-remaining-requests': '2', 'x-ratelimit-reset-requests': '1s' }), 200);
        assert.equal(pace.wait(), 0);
        pace.started();
        pace.started();
        assert.equal(pace.wait(), 1000, 'both requests left are in flight');
        clock.now += 400;
        assert.equal(pace.wait(), 600);
        clock.now += 600;
        assert.equal(pace.wait(), 0, 'the budget has reset');
    });

    it('waits for the token budget when a request would need more than is left', () => {
        const { pace, clock } = paceAt();
        pace.observe(headers({ 'x-ratelimit-remaining-tokens': '1000', 'x-ratelimit-reset-tokens': '6m0s', 'x-ratelimit-remaining-requests': '50', 'x-ratelimit-reset-requests': '1s' }), 200);
        assert.equal(pace.wait(800), 0);
        pace.started(800);
        assert.equal(pace.wait(100), 0);
        assert.equal(pace.wait(300), 360_000);
        clock.now += 360_000;
        assert.equal(pace.wait(300), 0);
    });

    it('lets an answer that comes late only lower what is left in its window', () => {
        const { pace } = paceAt();
        pace.observe(headers({ 'x-ratelimit-remaining-requests': '1', 'x-ratelimit-reset-requests': '10s' }), 200);
        pace.observe(headers({ 'x-ratelimit-remaining-requests': '9', 'x-ratelimit-reset-requests': '9s' }), 200);
        pace.started();
        assert.equal(pace.wait(), 10_000);
    });

    it('takes the count of an answer to a request sent later over its own estimates, which may be too high', () => {
        const { pace } = paceAt();
        const tokensLeft = (remaining: number) =>
            headers({ 'x-ratelimit-remaining-tokens': String(remaining), 'x-ratelimit-reset-tokens': '1m0s' });
        pace.observe(tokensLeft(250), 200, pace.sending());
        // Two requests estimated at 100 tokens each, which the server counts as 50 each.
        const second = pace.sending();
        pace.started(100);
        const third = pace.sending();
        pace.started(100);
        assert.ok(pace.wait(100) > 0, 'by its own estimates, 50 tokens are left');
        pace.observe(tokensLeft(150), 200, third);
        assert.equal(pace.wait(100), 0, 'the server says 150 are left after both');
        pace.observe(tokensLeft(80), 200, second);
        assert.ok(pace.wait(100) > 0, 'an answer to a request sent earlier still lowers what is left');
        pace.observe(tokensLeft(200), 200, second);
        assert.ok(pace.wait(100) > 0, 'but never raises it');
    });

    it('blocks every start after a 429 for its retry-after-ms or retry-after, also beyond a minute', () => {
        const cases: [Record<string, string>, number][] = [
            [{ 'retry-after-ms': '250' }, 250],
            [{ 'retry-after': '2' }, 2000],
            [{ 'retry-after': '90' }, 90_000],
            [{ 'retry-after': new Date(1_000_000 + 5000).toUTCString() }, 5000],
            [{ 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '6m0s' }, 360_000],
            [{}, DEFAULT_RATE_LIMIT_WAIT_MS],
        ];
        for (const [told, wait] of cases) {
            const { pace } = paceAt();
            pace.observe(headers(told), 429);
            // An HTTP date has whole seconds only.
            assert.ok(Math.abs(pace.wait() - wait) < 1000, `${JSON.stringify(told)}: ${pace.wait()} ms, expected ${wait}`);
            pace.observe(headers({ 'x-ratelimit-remaining-requests': '100', 'x-ratelimit-reset-requests': '1s' }), 200);
            assert.ok(pace.wait() > 0, 'an answer after the 429 does not lift its wait');
        }
    });

    it('waits until a request may start and counts it, and stops waiting at once when aborted', async () => {
        const pace = new RateLimitPace();
        pace.observe(headers({ 'retry-after-ms': '30' }), 429);
        const started = Date.now();
        await pace.take(0, new AbortController().signal);
        assert.ok(Date.now() - started >= 25, 'it waited for the 429');
        pace.observe(headers({ 'retry-after': '600' }), 429);
        const controller = new AbortController();
        const waiting = pace.take(0, controller.signal);
        const reason = new Error('redeployed');
        controller.abort(reason);
        await assert.rejects(waiting, (error) => error === reason);
    });

    describe('paced fetch', () => {
        it('reads each answer, and tells the SDK not to retry a 429 itself', async () => {
            const { pace } = paceAt();
            const answers = [
                new Response('{}', { status: 200, headers: { 'x-ratelimit-remaining-requests': '1', 'x-ratelimit-reset-requests': '1s' } }),
                new Response('{"error":{"message":"slow down"}}', { status: 429, statusText: 'Too Many Requests', headers: { 'retry-after-ms': '5000', 'x-request-id': 'req_1' } }),
            ];
            const sent: unknown[] = [];
            const paced = pacedFetch(pace, async (_input, init) => {
                sent.push(init?.body);
                return answers.shift() as Response;
            });
            const first = await paced('http://127.0.0.1/v1/chat/completions', { method: 'POST', body: 'x'.repeat(40) });
            assert.equal(first.status, 200);
            assert.equal(first.headers.get('x-should-retry'), null);
            assert.equal(pace.wait(), 0, 'the server says one request is left after this one');
            pace.started();
            assert.ok(pace.wait() > 0, 'and once it is taken, none');
            const limited = await paced('http://127.0.0.1/v1/chat/completions', { method: 'POST', body: '{}' });
            assert.equal(limited.status, 429);
            assert.equal(limited.statusText, 'Too Many Requests');
            assert.equal(limited.headers.get('x-should-retry'), 'false');
            assert.equal(limited.headers.get('x-request-id'), 'req_1');
            assert.deepEqual(await limited.json(), { error: { message: 'slow down' } });
            assert.equal(pace.wait(), 5000);
            assert.equal(sent.length, 2);
        });

        it('tells the pace which request each answer belongs to, so that a newer count prevails and a late one only lowers', async () => {
            const { pace } = paceAt();
            const tokensLeft = (remaining: number) =>
                new Response('{}', { status: 200, headers: { 'x-ratelimit-remaining-tokens': String(remaining), 'x-ratelimit-reset-tokens': '1m0s' } });
            const answers: ((response: Response) => void)[] = [];
            const paced = pacedFetch(pace, () => new Promise<Response>((resolve) => answers.push(resolve)));
            const ask = () => paced('http://127.0.0.1/v1/chat/completions', { method: 'POST', body: '{}' });
            const first = ask();
            answers[0](tokensLeft(250));
            await first;
            pace.started(100);
            const second = ask();
            pace.started(100);
            const third = ask();
            assert.ok(pace.wait(100) > 0, 'by its own estimates, 50 tokens are left');
            answers[2](tokensLeft(150));
            await third;
            assert.equal(pace.wait(100), 0, 'the third request\'s answer counts what the server charged');
            answers[1](tokensLeft(220));
            await second;
            assert.equal(pace.wait(100), 0, 'the second\'s, which came late, changes nothing');
            assert.ok(pace.wait(160) > 0);
        });

        it('estimates a request\'s tokens from its JSON', () => {
            assert.equal(estimateTokens({ text: 'x'.repeat(393) }), 101);
            assert.equal(estimateTokens(undefined), 0);
        });

        it('counts each image as a fixed number of tokens, however long its data: URL', () => {
            const image = (url: string) => ({ type: 'image_url', image_url: { url, detail: 'high' } });
            const chat = (url: string) => ({ params: { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'What is it?' }, image(url)] }] } });
            const small = estimateTokens(chat('https://example.com/a.png'));
            const large = estimateTokens(chat(`data:image/jpeg;base64,${'A'.repeat(7_000_000)}`));
            assert.equal(large, small);
            const withoutImage = estimateTokens({ params: { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'What is it?' }, { type: 'image_url' }] }] } });
            assert.equal(small, withoutImage + IMAGE_TOKENS);
            // Moderation inputs hold image parts too, one per image.
            const moderation = estimateTokens({ params: { input: [image('data:image/png;base64,AAAA'), image('data:image/png;base64,AAAA')] } });
            assert.ok(moderation >= 2 * IMAGE_TOKENS && moderation < 2 * IMAGE_TOKENS + 50, String(moderation));
        });
    });

    describe('with pace', () => {
        const limited = () => APIError.generate(429, { error: { message: 'slow down' } }, undefined, new Headers()) as RateLimitError;

        it('tries a 429\'d request again once the wait is over, within the retries, then gives up with the 429', async () => {
            const pace = new RateLimitPace();
            const attempts: number[] = [];
            const started = Date.now();
            const signal = new AbortController().signal;
            const answer = await withPace(pace, 2, signal, async () => {
                attempts.push(Date.now() - started);
                if (attempts.length < 3) {
                    pace.observe(new Headers({ 'retry-after-ms': '40' }), 429);
                    throw limited();
                }
                return 'done';
            });
            assert.equal(answer, 'done');
            assert.equal(attempts.length, 3);
            assert.ok(attempts[1] >= 35 && attempts[2] - attempts[1] >= 35, `each retry waited: ${attempts}`);
            let tries = 0;
            await assert.rejects(
                withPace(pace, 1, signal, async () => {
                    tries += 1;
                    throw limited();
                }),
                RateLimitError,
            );
            assert.equal(tries, 2, 'one try and one retry');
        });

        it('passes any other failure on at once', async () => {
            let tries = 0;
            const broken = new Error('broken');
            await assert.rejects(
                withPace(new RateLimitPace(), 5, new AbortController().signal, async () => {
                    tries += 1;
                    throw broken;
                }),
                (error) => error === broken,
            );
            assert.equal(tries, 1);
        });
    });
});
