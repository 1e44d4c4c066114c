import { strict as assert } from 'node:assert';
import { CloseSignal } from '../../nodes/lib/close-signal';

describe('close signal', () => {
    it('starts unraised', () => {
        const signal = new CloseSignal();
        assert.equal(signal.aborted, false);
        assert.equal(signal.reason, undefined);
        assert.doesNotThrow(() => signal.throwIfAborted());
    });

    it('tells its listeners and onabort once, with the reason', () => {
        const signal = new CloseSignal();
        const heard: string[] = [];
        signal.addEventListener('abort', (event) => heard.push(`listener ${event.type}`));
        signal.onabort = (event) => heard.push(`onabort ${event.type}`);
        const reason = new Error('closed');
        signal.abort(reason);
        signal.abort(new Error('again'));
        assert.deepEqual(heard, ['onabort abort', 'listener abort']);
        assert.equal(signal.aborted, true);
        assert.equal(signal.reason, reason);
        assert.throws(() => signal.throwIfAborted(), reason);
    });

    it('aborts the attempt handed to it, with its reason', () => {
        const signal = new CloseSignal();
        const attempt = new AbortController();
        signal.attempt = attempt;
        const reason = new Error('closed');
        signal.abort(reason);
        assert.equal(attempt.signal.aborted, true);
        assert.equal(attempt.signal.reason, reason);
    });

    it('is not a native AbortSignal, so the openai SDK never composes it with AbortSignal.any', () => {
        assert.equal(new CloseSignal() instanceof AbortSignal, false);
    });
});
