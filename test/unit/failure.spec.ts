import { strict as assert } from 'node:assert';
import {
    APIConnectionError,
    APIConnectionTimeoutError,
    APIError,
    APIUserAbortError,
} from 'openai';
import { ClosedError, describeFailure, MissingKeyError, QueueFullError } from '../../nodes/lib/failure';
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
});
