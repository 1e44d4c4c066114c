import { strict as assert } from 'node:assert';
import {
    accountKey,
    accountLabel,
    clientOptions,
    isOpenAIBaseURL,
    MAX_RETRIES,
    MAX_TIMEOUT_SECONDS,
    maxTokensField,
} from '../../nodes/lib/account-settings';

const LOCAL = 'http://127.0.0.1:9/v1';

describe('account settings', () => {
    it('leaves empty settings of an OpenAI account to the SDK', () => {
        assert.deepEqual(clientOptions({ baseURL: '', organization: '', project: '', timeout: '', maxRetries: '' }, 'k', {}), {
            apiKey: 'k',
            adminAPIKey: null,
        });
    });

    it('reads the editor\'s strings: timeout in seconds, retries as a count', () => {
        const options = clientOptions(
            { baseURL: ` ${LOCAL} `, organization: 'org-1', project: 'proj-1', timeout: '2.5', maxRetries: '0' },
            'k',
            {},
        );
        assert.deepEqual(options, {
            apiKey: 'k',
            adminAPIKey: null,
            baseURL: LOCAL,
            organization: 'org-1',
            project: 'proj-1',
            timeout: 2500,
            maxRetries: 0,
        });
        assert.equal(clientOptions({ timeout: 30 }, 'k', {}).timeout, 30000);
    });

    it('names a bad setting', () => {
        assert.throws(() => clientOptions({ timeout: 'soon' }, 'k', {}), /^InputError: timeout must be a number/);
        assert.throws(() => clientOptions({ maxRetries: '1.5' }, 'k', {}), /^InputError: maxRetries must be an integer from 0 to 10, got number 1.5$/);
        assert.throws(() => clientOptions({ timeout: 0 }, 'k', {}), /timeout/);
    });

    it('bounds the timeout at 24 days, where timers still work, and retries at 10', () => {
        assert.equal(MAX_TIMEOUT_SECONDS * 1000 < 2 ** 31, true);
        assert.equal(clientOptions({ timeout: MAX_TIMEOUT_SECONDS, maxRetries: MAX_RETRIES }, 'k', {}).timeout, MAX_TIMEOUT_SECONDS * 1000);
        assert.throws(() => clientOptions({ timeout: '2073600.5' }, 'k', {}), /^InputError: timeout must be a number from 0\.001 to 2073600, got number 2073600\.5$/);
        assert.throws(() => clientOptions({ maxRetries: 11 }, 'k', {}), /^InputError: maxRetries must be an integer from 0 to 10, got number 11$/);
    });

    it('refuses a base URL that is not plain http(s), naming baseURL without quoting it', () => {
        const refused: [unknown, RegExp][] = [
            ['ftp://example.com/v1', /baseURL must be an http or https URL/],
            ['localhost:11434/v1', /baseURL must be an http or https URL/],
            ['not a url', /baseURL must be an http or https URL/],
            [42, /baseURL must be an http or https URL, got number/],
            ['https://me:SECRET@example.com/v1', /baseURL must not hold a user name or password/],
            ['https://me@example.com/v1', /baseURL must not hold a user name or password/],
            [`${LOCAL}#top`, /baseURL must not hold a fragment/],
            [`${LOCAL}#`, /baseURL must not hold a fragment/],
        ];
        for (const [baseURL, expected] of refused) {
            assert.throws(() => clientOptions({ baseURL: baseURL as string }, 'k', {}), (error: Error) => {
                assert.equal(error.name, 'InputError');
                assert.match(error.message, expected);
                assert.ok(!error.message.includes('SECRET'), error.message);
                return true;
            });
        }
        assert.equal(clientOptions({ baseURL: 'https://res.openai.azure.com/openai/v1?api-version=preview' }, 'k', {}).baseURL, 'https://res.openai.azure.com/openai/v1?api-version=preview');
    });

    it('knows OpenAI\'s own base URLs: empty, or https://api.openai.com/…', () => {
        for (const baseURL of [undefined, '', '  ', 'https://api.openai.com/v1', 'https://API.openai.com:443/v1/', 'https://api.openai.com']) {
            assert.equal(isOpenAIBaseURL(baseURL), true, String(baseURL));
        }
        for (const baseURL of ['http://api.openai.com/v1', 'https://api.openai.com.evil.example/v1', 'https://api.openai.com:8443/v1', 'https://evil.example/api.openai.com', LOCAL, 'https://res.openai.azure.com/openai/v1', 'nonsense']) {
            assert.equal(isOpenAIBaseURL(baseURL), false, baseURL);
        }
    });

    it('takes the stored key, trimmed, and OPENAI_API_KEY only for OpenAI\'s own base URL', () => {
        const env = { OPENAI_API_KEY: ' sk-env\n' };
        assert.equal(accountKey('  sk-stored \n', LOCAL, env), 'sk-stored');
        assert.equal(accountKey(undefined, '', env), 'sk-env');
        assert.equal(accountKey('   ', 'https://api.openai.com/v1', env), 'sk-env');
        assert.equal(accountKey(undefined, LOCAL, env), undefined);
        assert.equal(accountKey('', 'http://localhost:11434/v1', env), undefined);
        assert.equal(accountKey(undefined, '', {}), undefined);
    });

    it('sends nothing from the environment to another server, and no Authorization header without a key', () => {
        const env = { OPENAI_CUSTOM_HEADERS: 'X-Gateway-Key: gw\nX-Other:  1\nno colon here' };
        assert.deepEqual(clientOptions({ baseURL: LOCAL }, undefined, env), {
            apiKey: 'no-key',
            adminAPIKey: null,
            baseURL: LOCAL,
            organization: null,
            project: null,
            defaultHeaders: { 'X-Gateway-Key': null, 'X-Other': null, Authorization: null },
        });
        const withKey = clientOptions({ baseURL: LOCAL, organization: 'org-1' }, 'k', {});
        assert.deepEqual(withKey, { apiKey: 'k', adminAPIKey: null, baseURL: LOCAL, organization: 'org-1', project: null });
    });

    it('refuses a key with spaces or a line break inside it, without quoting it', () => {
        for (const key of ['sk-SECRET part two', 'sk-SECRET\nline', 'sk-SECRET\tx', 'sk-SECRET\u0000']) {
            assert.throws(() => clientOptions({}, key, {}), (error: Error) => {
                assert.match(error.message, /^apiKey must not hold spaces, tabs or line breaks inside it/);
                assert.ok(!error.message.includes('SECRET'));
                return true;
            });
        }
    });

    it('reports a missing key only for OpenAI\'s own base URL, after the settings are checked', () => {
        assert.throws(() => clientOptions({ name: 'Main' }, undefined, {}), /^MissingKeyError: the account "Main" has no API key/);
        assert.throws(() => clientOptions({ baseURL: 'https://api.openai.com/v1' }, undefined, {}), /MissingKeyError/);
        assert.throws(() => clientOptions({ timeout: 'soon' }, undefined, {}), /^InputError: timeout/);
    });

    it('labels an account by its name, else its server\'s host, never with a password', () => {
        assert.equal(accountLabel({ name: 'Main', baseURL: LOCAL }), 'Main');
        assert.equal(accountLabel({ baseURL: 'http://me:SECRET@127.0.0.1:9/v1' }), '127.0.0.1:9');
        assert.equal(accountLabel({ baseURL: '' }), 'OpenAI');
        assert.equal(accountLabel({}), 'OpenAI');
        assert.equal(accountLabel({ baseURL: 'sk-SECRET pasted in the wrong field' }), 'unnamed');
    });

    it('picks the token limit field for the server', () => {
        assert.equal(maxTokensField('auto', 'https://api.openai.com/v1'), 'max_completion_tokens');
        assert.equal(maxTokensField(undefined, 'https://my-res.openai.azure.com/openai/v1'), 'max_completion_tokens');
        assert.equal(maxTokensField('auto', 'http://localhost:11434/v1'), 'max_tokens');
        assert.equal(maxTokensField('max_completion_tokens', 'http://localhost:11434/v1'), 'max_completion_tokens');
        assert.equal(maxTokensField('max_tokens', 'https://api.openai.com/v1'), 'max_tokens');
    });
});
