import { strict as assert } from 'node:assert';
import {
    APIConnectionError,
    APIConnectionTimeoutError,
    APIError,
    APIUserAbortError,
} from 'openai';
import { ClosedError, describeFailure, MAX_ERROR_TEXT, MissingKeyError, QueueFullError } from '../../nodes/lib/failure';
import { InputError } from '../../nodes/lib/input-error';
import { ResponseError } from '../../nodes/lib/response-error';

const KEY = 'sk-secret.0123456789.abcdefghij';

function apiError(status: number, message: string): APIError {
    const headers = new Headers({ 'x-request-id': 'req_42' });
    return APIError.generate(status, { error: { message } }, undefined, headers);
}

describe('failure', () => {
    const cases: [string, unknown, string, RegExp][] = [
        ['bad input', new InputError('temperature', 'must be a number from 0 to 2, got 3'), 'input', /^temperature must be/],
        ['a missing key', new MissingKeyError('Main'), 'noKey', /"Main" has no API key/],
        ['a full queue', new QueueFullError(10), 'queueFull', /maxQueued is 10/],
        ['a redeploy', new ClosedError(), 'aborted', /stopped or redeployed/],
        ['an SDK abort', new APIUserAbortError(), 'aborted', /stopped or redeployed/],
        ['a bad answer', new ResponseError('no choices'), 'badResponse', /unexpected answer from the API: no choices/],
        ['a timeout', new APIConnectionTimeoutError(), 'timeout', /did not answer in time/],
        ['a 401', apiError(401, 'Incorrect API key'), 'auth', /^OpenAI API error 401 Incorrect API key \(request id req_42\)$/],
        ['a 403', apiError(403, 'Forbidden'), 'forbidden', /403 Forbidden/],
        ['a 404', apiError(404, 'The model `x` does not exist'), 'notFound', /404 The model `x` does not exist/],
        ['a 400', apiError(400, 'Bad parameter'), 'badRequest', /400 Bad parameter/],
        ['a 429', apiError(429, 'Slow down'), 'rateLimited', /429 Slow down/],
        ['a 503', apiError(503, 'Overloaded'), 'server', /503 Overloaded/],
        ['a 418', apiError(418, 'Teapot'), 'failed', /418 Teapot/],
        ['a JSON parse error', new SyntaxError('Unexpected token'), 'badResponse', /Unexpected token/],
        ['anything else', 'weird', 'failed', /^weird$/],
    ];
    for (const [name, cause, status, message] of cases) {
        it(`describes ${name}`, () => {
            const failure = describeFailure(cause, [KEY]);
            assert.equal(failure.status, status);
            assert.match(failure.error.message, message);
            assert.equal(failure.error.name, 'Error');
        });
    }

    it('names the reason a connection failed', () => {
        const refused = new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') });
        const failure = describeFailure(new APIConnectionError({ cause: refused }), []);
        assert.equal(failure.status, 'connection');
        assert.match(failure.error.message, /Connection error.*fetch failed.*ECONNREFUSED/);
    });

    it('never repeats the key, wherever it came from', () => {
        for (const cause of [apiError(401, `Incorrect API key provided: ${KEY}`), new Error(`x ${KEY} y ${KEY}`), KEY]) {
            const failure = describeFailure(cause, [KEY]);
            assert.ok(!failure.error.message.includes(KEY), failure.error.message);
            assert.ok(!String(failure.error.stack).includes(KEY));
            assert.match(failure.error.message, /\[redacted\]/);
        }
    });
    it('cuts a long text from the server, after blanking the key, so a cut cannot leave part of it', () => {
        const page = 'x'.repeat(MAX_ERROR_TEXT - 10) + KEY + 'y'.repeat(100_000);
        const failure = describeFailure(apiError(502, page), [KEY]);
        assert.ok(failure.error.message.length < MAX_ERROR_TEXT + 100, `${failure.error.message.length} characters`);
        assert.ok(!failure.error.message.includes(KEY.slice(0, 8)), 'no part of the key is left');
        assert.match(failure.error.message, /^OpenAI API error 502 x+\[redac… \(\d+ more characters\) \(request id req_42\)$/);
        assert.equal(describeFailure(new Error('z'.repeat(10_000)), []).error.message.length, MAX_ERROR_TEXT + '… (9500 more characters)'.length);
    });

    it('describes whatever was thrown without throwing itself', () => {
        const trap = () => {
            throw Object.create(null);
        };
        const thrown: [string, unknown, RegExp][] = [
            ['undefined', undefined, /^an unexplained failure \(undefined thrown\)$/],
            ['null', null, /^an unexplained failure \(null thrown\)$/],
            ['a null-prototype object', Object.create(null), /^an unexplained failure \(object thrown\)$/],
            ['an Error whose message is not a string', Object.assign(new Error(), { message: Object.create(null) }), /^an unexplained failure \(object thrown\)$/],
            ['a Proxy that throws when looked at', new Proxy({}, { get: trap, getPrototypeOf: trap }), /^an unexplained failure \(object thrown\)$/],
            ['a number', 42, /^42$/],
        ];
        for (const [name, cause, message] of thrown) {
            const failure = describeFailure(cause, [KEY]);
            assert.equal(failure.status, 'failed', name);
            assert.match(failure.error.message, message, name);
        }
    });
});
