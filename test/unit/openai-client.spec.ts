import { strict as assert } from 'node:assert';
import { APIUserAbortError } from 'openai';
import { CloseSignal } from '../../nodes/lib/close-signal';
import { OpenAIClient } from '../../nodes/lib/openai-client';
import { useTestServer } from '../support/suite-server';

const hello = { model: 'gpt-4.1-mini', messages: [{ role: 'user' as const, content: 'Hello' }] };

/** A CloseSignal that counts the listeners on it: added less removed. */
function countedSignal() {
    const signal = new CloseSignal();
    let listeners = 0;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = (...args: Parameters<CloseSignal['addEventListener']>) => {
        listeners += 1;
        add(...args);
    };
    signal.removeEventListener = (...args: Parameters<CloseSignal['removeEventListener']>) => {
        listeners -= 1;
        remove(...args);
    };
    return { signal, listeners: () => listeners };
}

describe('openai client', () => {
    const server = useTestServer();
    const client = () => new OpenAIClient({ apiKey: server.apiKey, baseURL: server.url, maxRetries: 0 });

    // Left to itself, the SDK would follow the signal through a listener kept until a finalizer has run.
    it('hands a CloseSignal the controller of the attempt, and the SDK keeps no listener on it', async () => {
        const { signal, listeners } = countedSignal();
        const answer = await client().chat.completions.create(hello, { signal });
        assert.equal(answer.object, 'chat.completion');
        assert.ok(signal.attempt instanceof AbortController);
        assert.equal(signal.attempt.signal.aborted, false);
        assert.equal(listeners(), 0);
    });

    it('aborts a request in flight when the CloseSignal is raised, with the reason as the cause', async () => {
        server.failNext({ kind: 'hang' });
        const signal = new CloseSignal();
        const request = client().chat.completions.create(hello, { signal }).catch((error: unknown) => error);
        while (server.requests.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
        const reason = new Error('closed');
        signal.abort(reason);
        const error = await request;
        assert.ok(error instanceof APIUserAbortError, String(error));
        assert.equal((error as Error).cause, reason);
    });

    it('does not send a request whose CloseSignal was raised before', async () => {
        const signal = new CloseSignal();
        signal.abort(new Error('closed'));
        await assert.rejects(client().chat.completions.create(hello, { signal }), APIUserAbortError);
        assert.equal(server.requests.length, 0);
    });

    it('leaves any other signal to the SDK', async () => {
        server.failNext({ kind: 'hang' });
        const controller = new AbortController();
        const request = client().chat.completions.create(hello, { signal: controller.signal }).catch((error: unknown) => error);
        while (server.requests.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
        controller.abort();
        assert.ok((await request) instanceof APIUserAbortError);
    });
});
