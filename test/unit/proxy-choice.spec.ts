import { strict as assert } from 'node:assert';
import { proxyFor, proxyNodeVariables } from '../../nodes/lib/proxy-choice';

const PROXY = 'http://proxy.example:3128';

describe('proxy choice', () => {
    it('takes the variable of the target\'s scheme, lower case first, as Node-RED does', () => {
        assert.equal(proxyFor('https://api.openai.com/v1', { HTTPS_PROXY: PROXY }), PROXY);
        assert.equal(proxyFor('http://10.0.0.5:11434/v1', { HTTP_PROXY: PROXY }), PROXY);
        assert.equal(proxyFor('https://api.openai.com/v1', { HTTP_PROXY: PROXY }), undefined, 'HTTP_PROXY is not for https');
        assert.equal(proxyFor('http://10.0.0.5/v1', { HTTPS_PROXY: PROXY }), undefined, 'HTTPS_PROXY is not for http');
        assert.equal(proxyFor('https://x.example/v1', { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' }), 'http://lower:1');
        assert.equal(proxyFor('https://x.example/v1', { ALL_PROXY: PROXY }), PROXY);
        assert.equal(proxyFor('https://x.example/v1', { npm_config_https_proxy: 'http://npm:1', HTTPS_PROXY: PROXY }), 'http://npm:1');
        assert.equal(proxyFor('https://x.example/v1', {}), undefined);
    });

    it('follows Node-RED\'s proxyOptions: lowerCaseOnly, favourUpperCase, excludeNpm', () => {
        const both = { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' };
        assert.equal(proxyFor('https://x.example/v1', both, { favourUpperCase: true }), 'http://upper:2');
        assert.equal(proxyFor('https://x.example/v1', { HTTPS_PROXY: PROXY }, { lowerCaseOnly: true }), undefined);
        assert.equal(proxyFor('https://x.example/v1', { npm_config_https_proxy: 'http://npm:1', HTTPS_PROXY: PROXY }, { excludeNpm: true }), PROXY);
    });

    it('takes a proxy without a scheme as plain http://', () => {
        assert.equal(proxyFor('https://x.example/v1', { HTTPS_PROXY: 'proxy.example:3128' }), 'http://proxy.example:3128');
    });

    it('goes straight to a host that NO_PROXY names: exactly, by a .suffix or *.suffix, with or without a port, or *', () => {
        const proxied = (target: string, noProxy: string) => proxyFor(target, { HTTP_PROXY: PROXY, HTTPS_PROXY: PROXY, NO_PROXY: noProxy }) !== undefined;
        assert.equal(proxied('http://127.0.0.1:8000/v1', '127.0.0.1'), false);
        assert.equal(proxied('http://127.0.0.1:8000/v1', 'localhost, 127.0.0.1:8000'), false);
        assert.equal(proxied('http://127.0.0.1:8000/v1', '127.0.0.1:9000'), true, 'another port');
        assert.equal(proxied('https://api.openai.com/v1', 'api.openai.com:443'), false, 'the scheme\'s default port');
        assert.equal(proxied('https://res.openai.azure.com/openai/v1', '.openai.azure.com'), false);
        assert.equal(proxied('https://res.openai.azure.com/openai/v1', '*.azure.com'), false);
        assert.equal(proxied('https://openai.azure.com/openai/v1', '.openai.azure.com'), true, '.suffix is for hosts below it');
        assert.equal(proxied('https://notazure.com/v1', 'azure.com'), true, 'a plain name is that host only');
        assert.equal(proxied('https://API.OpenAI.com/v1', 'api.openai.com'), false, 'host names ignore case');
        assert.equal(proxied('https://anything.example/v1', '*'), false);
        assert.equal(proxied('http://[::1]:8000/v1', '[::1]'), false);
        assert.equal(proxied('https://x.example/v1', ''), true);
        assert.equal(proxyFor('http://127.0.0.1/v1', { HTTP_PROXY: PROXY, no_proxy: '127.0.0.1' }), undefined, 'lower-case no_proxy');
    });

    it('stands a proxy node for the variables: its URL for both schemes, its noproxy list', () => {
        const variables = proxyNodeVariables(' http://proxy.example:8080 ', ['127.0.0.1', '.internal']);
        assert.equal(proxyFor('https://api.openai.com/v1', variables), 'http://proxy.example:8080');
        assert.equal(proxyFor('http://10.1.1.1/v1', variables), 'http://proxy.example:8080');
        assert.equal(proxyFor('http://127.0.0.1:11434/v1', variables), undefined);
        assert.equal(proxyFor('http://ollama.internal:11434/v1', variables), undefined);
        // The node's own settings, not the environment: nothing set means no proxy.
        assert.equal(proxyFor('https://api.openai.com/v1', proxyNodeVariables('', undefined)), undefined);
    });

    it('never proxies what is no http(s) URL', () => {
        assert.equal(proxyFor('not a url', { HTTP_PROXY: PROXY, HTTPS_PROXY: PROXY }), undefined);
        assert.equal(proxyFor('file:///etc/hosts', { ALL_PROXY: PROXY }), undefined);
    });
});
