import { strict as assert } from 'node:assert';
import { clientOptions, sameNetworkSettings } from '../../nodes/lib/account-settings';
import { authHeaderName, extraHeaders, extraQuery } from '../../nodes/lib/request-extras';

const LOCAL = 'http://127.0.0.1:9/v1';

/** Asserts an InputError whose message matches and never shows `hidden`. */
function refused(run: () => unknown, expected: RegExp, hidden = 'SECRET'): void {
    assert.throws(run, (error: Error) => {
        assert.equal(error.name, 'InputError');
        assert.match(error.message, expected);
        assert.ok(!error.message.includes(hidden), error.message);
        return true;
    });
}

describe('request extras: headers, query, authHeader', () => {
    it('reads headers and query from JSON text, or as objects; empty means none', () => {
        assert.deepEqual(extraHeaders('{"HTTP-Referer": "https://example.com", "X-Title": "My flow"}', undefined), {
            'HTTP-Referer': 'https://example.com',
            'X-Title': 'My flow',
        });
        assert.deepEqual(extraHeaders({ 'X-Title': 'hand-written' }, undefined), { 'X-Title': 'hand-written' });
        for (const empty of [undefined, null, '', '  ', '{}']) {
            assert.deepEqual(extraHeaders(empty, undefined), {});
            assert.deepEqual(extraQuery(empty), {});
        }
        assert.deepEqual(extraQuery('{"api-version": "2024-10-21"}'), { 'api-version': '2024-10-21' });
    });

    it('refuses what is not a JSON object of strings, naming headers or query, without quoting values', () => {
        refused(() => extraHeaders('{"X-Key": SECRET}', undefined), /^headers must be a JSON object of strings, .*not valid JSON/);
        refused(() => extraHeaders('["SECRET"]', undefined), /^headers must be a JSON object of strings, .*got array/);
        refused(() => extraHeaders('"SECRET"', undefined), /^headers must be a JSON object of strings, .*got string/);
        refused(() => extraHeaders(42, undefined), /^headers must be a JSON object of strings, .*got number/);
        refused(() => extraHeaders('{"X-Count": 3}', undefined), /^headers\.X-Count must be a string, got number/);
        refused(() => extraQuery('{"api-version": null}'), /^query\.api-version must be a string, got null/);
        refused(() => extraQuery('nope SECRET'), /^query must be a JSON object of strings/);
        refused(() => extraQuery('{"": "SECRET"}'), /^query has a parameter with an empty name/);
    });

    it('refuses an Authorization header in any case, and the header the key goes in', () => {
        for (const name of ['Authorization', 'authorization', 'AUTHORIZATION']) {
            refused(() => extraHeaders(JSON.stringify({ [name]: 'Bearer SECRET' }), undefined), /^headers must not set Authorization: put the key in the account's API key/);
        }
        refused(() => extraHeaders('{"API-Key": "SECRET"}', 'api-key'), /^headers must not set api-key: the account's API key goes there/);
        refused(() => extraHeaders('{"Proxy-Authorization": "Basic SECRET"}', undefined), /^headers must not set Proxy-Authorization/);
        refused(() => extraHeaders('{"Content-Length": "1"}', undefined), /^headers must not set Content-Length/);
    });

    it('refuses header names that are no HTTP token, values with line breaks, and a name twice', () => {
        refused(() => extraHeaders('{"X Title": "a"}', undefined), /^headers has a name that is no header name/);
        refused(() => extraHeaders('{"X-Title": "a\\r\\nX-Injected: SECRET"}', undefined), /^headers\.X-Title must not hold line breaks/);
        refused(() => extraHeaders('{"X-Title": "€"}', undefined), /^headers\.X-Title must not hold .*beyond Latin-1/);
        refused(() => extraHeaders('{"X-Title": "a", "x-title": "b"}', undefined), /^headers sets x-title twice/);
    });

    it('takes an authHeader name, refusing Authorization and what is no header name', () => {
        assert.equal(authHeaderName(' api-key '), 'api-key');
        for (const empty of [undefined, null, '', '  ']) assert.equal(authHeaderName(empty), undefined);
        refused(() => authHeaderName('Authorization'), /^authHeader must not be Authorization: leave it empty/);
        refused(() => authHeaderName('api key'), /^authHeader must be a header name/);
        refused(() => authHeaderName(7), /^authHeader must be a header name, got number/);
    });
});

describe('client options with headers, query and authHeader', () => {
    it('adds the headers and query parameters to every request', () => {
        const options = clientOptions({ baseURL: LOCAL, headers: '{"X-Title": "My flow"}', query: '{"api-version": "2024-10-21"}' }, 'k', {});
        assert.deepEqual(options.defaultHeaders, { 'X-Title': 'My flow' });
        assert.deepEqual(options.defaultQuery, { 'api-version': '2024-10-21' });
        assert.equal(options.apiKey, 'k');
    });

    it('with authHeader, puts the bare key in that header and sends no Authorization', () => {
        const options = clientOptions({ baseURL: LOCAL, authHeader: 'api-key', headers: '{"X-Title": "t"}' }, 'sk-SECRET', {});
        assert.deepEqual(options.defaultHeaders, { 'X-Title': 't', Authorization: null, 'api-key': 'sk-SECRET' });
        assert.notEqual(options.apiKey, 'sk-SECRET', 'the key is not also the bearer key');
        const keyless = clientOptions({ baseURL: LOCAL, authHeader: 'api-key' }, undefined, {});
        assert.deepEqual(keyless.defaultHeaders, { Authorization: null });
    });

    it('lets the account set a header that OPENAI_CUSTOM_HEADERS names, but sends none of the environment\'s to another server', () => {
        const env = { OPENAI_CUSTOM_HEADERS: 'X-Gateway: from-env\nX-Other: env' };
        assert.deepEqual(clientOptions({ baseURL: LOCAL, headers: '{"X-Gateway": "mine"}' }, 'k', env).defaultHeaders, { 'X-Other': null, 'X-Gateway': 'mine' });
    });

    it('names a bad headers, query or authHeader setting', () => {
        refused(() => clientOptions({ baseURL: LOCAL, headers: '{"Authorization": "Bearer SECRET"}' }, 'k', {}), /^headers must not set Authorization/);
        refused(() => clientOptions({ baseURL: LOCAL, query: '[1]' }, 'k', {}), /^query must be a JSON object of strings/);
        refused(() => clientOptions({ baseURL: LOCAL, authHeader: 'Authorization' }, 'k', {}), /^authHeader must not be Authorization/);
    });
});

describe('same network settings', () => {
    const deployed = { baseURL: LOCAL, headers: '{"X-Title": "t"}', query: '', proxy: 'p1', authHeader: '', name: 'a', timeout: '5' };

    it('holds when base URL, headers, query, proxy and auth header are exactly the deployed ones, missing = empty', () => {
        assert.equal(sameNetworkSettings({ baseURL: LOCAL, headers: '{"X-Title": "t"}', proxy: 'p1' }, deployed), true);
        assert.equal(sameNetworkSettings({ ...deployed, name: 'other', timeout: '9', organization: 'org' }, deployed), true, 'other settings do not count');
        assert.equal(sameNetworkSettings({}, {}), true);
    });

    it('fails on any difference in those five, even of spacing', () => {
        const changes: Record<string, unknown>[] = [
            { baseURL: 'http://127.0.0.1:10/v1' },
            { baseURL: `${LOCAL} ` },
            { headers: '{"X-Title":"t"}' },
            { query: '{"api-version": "1"}' },
            { proxy: '' },
            { authHeader: 'api-key' },
        ];
        for (const change of changes) assert.equal(sameNetworkSettings({ ...deployed, ...change }, deployed), false, JSON.stringify(change));
    });

    it('compares a value as the runtime reads it, through resolve', () => {
        const resolve = (value: unknown) => (value === '${BASE}' ? LOCAL : value);
        assert.equal(sameNetworkSettings({ ...deployed, baseURL: '${BASE}' }, deployed, resolve), true);
        assert.equal(sameNetworkSettings({ ...deployed, baseURL: '${BASE}' }, deployed), false);
    });
});
