import { strict as assert } from 'node:assert';
import { clientOptions, maxTokensField } from '../../nodes/lib/account-settings';

describe('account settings', () => {
    it('leaves empty settings to the SDK', () => {
        assert.deepEqual(clientOptions({ baseURL: '', organization: '', project: '', timeout: '', maxRetries: '' }, 'k'), { apiKey: 'k' });
    });

    it('reads the editor\'s strings: timeout in seconds, retries as a count', () => {
        const options = clientOptions(
            { baseURL: ' http://127.0.0.1:9/v1 ', organization: 'org-1', project: 'proj-1', timeout: '2.5', maxRetries: '0' },
            'k',
        );
        assert.deepEqual(options, {
            apiKey: 'k',
            baseURL: 'http://127.0.0.1:9/v1',
            organization: 'org-1',
            project: 'proj-1',
            timeout: 2500,
            maxRetries: 0,
        });
        assert.equal(clientOptions({ timeout: 30 }, 'k').timeout, 30000);
    });

    it('names a bad setting', () => {
        assert.throws(() => clientOptions({ timeout: 'soon' }, 'k'), /^InputError: timeout must be a number/);
        assert.throws(() => clientOptions({ maxRetries: '1.5' }, 'k'), /^InputError: maxRetries must be an integer ≥ 0, got number 1.5$/);
        assert.throws(() => clientOptions({ timeout: 0 }, 'k'), /timeout/);
    });

    it('picks the token limit field for the server', () => {
        assert.equal(maxTokensField('auto', 'https://api.openai.com/v1'), 'max_completion_tokens');
        assert.equal(maxTokensField(undefined, 'https://my-res.openai.azure.com/openai/v1'), 'max_completion_tokens');
        assert.equal(maxTokensField('auto', 'http://localhost:11434/v1'), 'max_tokens');
        assert.equal(maxTokensField('max_completion_tokens', 'http://localhost:11434/v1'), 'max_completion_tokens');
        assert.equal(maxTokensField('max_tokens', 'https://api.openai.com/v1'), 'max_tokens');
    });
});
