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

    it('adds a listener once, forgets a removed one, and calls listener objects', () => {
        const signal = new CloseSignal();
        const heard: string[] = [];
        const twice = () => heard.push('added twice');
        const removed = () => heard.push('removed');
        signal.addEventListener('abort', twice);
        signal.addEventListener('abort', twice);
        signal.addEventListener('abort', removed);
        signal.removeEventListener('abort', removed);
        signal.addEventListener('abort', { handleEvent: (event) => heard.push(`object ${event.type}`) });
        signal.addEventListener('other', () => heard.push('other'));
        signal.abort(new Error('closed'));
        assert.deepEqual(heard, ['added twice', 'object abort']);
    });

    it('tells every listener even when one throws, and throws that error on the next tick', async () => {
        const signal = new CloseSignal();
        const heard: string[] = [];
        const failure = new Error('listener failed');
        signal.addEventListener('abort', () => {
            throw failure;
        });
        signal.addEventListener('abort', () => heard.push('second'));
        const nextTick = process.nextTick;
        const deferred: (() => void)[] = [];
        process.nextTick = ((callback: () => void) => deferred.push(callback)) as typeof process.nextTick;
        try {
            signal.abort(new Error('closed'));
        } finally {
            process.nextTick = nextTick;
        }
        assert.deepEqual(heard, ['second']);
        assert.equal(deferred.length, 1);
        assert.throws(deferred[0], failure);
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
        assert.equal(new CloseSignal() instanceof EventTarget, false);
    });
});
