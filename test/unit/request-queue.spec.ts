import { strict as assert } from 'node:assert';
import { ClosedError, QueueFullError } from '../../nodes/lib/failure';
import { RequestQueue } from '../../nodes/lib/request-queue';

/** A task that runs until the test lets it finish, and says when it was aborted. */
function gate() {
    let release!: (value: string) => void;
    const started: AbortSignal[] = [];
    const task = (signal: AbortSignal) =>
        new Promise<string>((resolve, reject) => {
            started.push(signal);
            release = resolve;
            signal.addEventListener('abort', () => reject(signal.reason));
        });
    return { task, started, release: (value: string) => release(value) };
}

describe('request queue', () => {
    it('runs no more than maxInFlight tasks at once, first in first out', async () => {
        const queue = new RequestQueue(2, 10);
        const order: number[] = [];
        let running = 0;
        let most = 0;
        const tasks = Array.from({ length: 7 }, (_, index) =>
            queue.run(async () => {
                running += 1;
                most = Math.max(most, running);
                order.push(index);
                await new Promise((resolve) => setImmediate(resolve));
                running -= 1;
                return index;
            }),
        );
        assert.deepEqual(await Promise.all(tasks), [0, 1, 2, 3, 4, 5, 6]);
        assert.equal(most, 2);
        assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6]);
        assert.equal(queue.inFlight + queue.queued, 0);
    });

    it('has no limit when maxInFlight is 0', async () => {
        const queue = new RequestQueue(0, 0);
        const gates = Array.from({ length: 50 }, () => gate());
        const runs = gates.map((g) => queue.run(g.task));
        assert.equal(queue.inFlight, 50);
        gates.forEach((g, index) => g.release(String(index)));
        assert.equal((await Promise.all(runs)).length, 50);
    });

    it('refuses a task at once when the queue is full', async () => {
        const queue = new RequestQueue(1, 1);
        const first = gate();
        const running = queue.run(first.task);
        const waiting = queue.run(async () => 'second');
        await assert.rejects(queue.run(async () => 'third'), QueueFullError);
        first.release('first');
        assert.deepEqual(await Promise.all([running, waiting]), ['first', 'second']);
    });

    it('goes on after a task fails', async () => {
        const queue = new RequestQueue(1, 5);
        const failing = queue.run(async () => {
            throw new Error('boom');
        });
        const next = queue.run(async () => 'next');
        await assert.rejects(failing, /boom/);
        assert.equal(await next, 'next');
    });

    it('aborts tasks in flight and rejects waiting ones on close', async () => {
        const queue = new RequestQueue(1, 5);
        const first = gate();
        const running = queue.run(first.task);
        const waiting = queue.run(async () => 'never');
        queue.close();
        await assert.rejects(running, ClosedError);
        await assert.rejects(waiting, ClosedError);
        assert.equal(first.started[0].aborted, true);
        await assert.rejects(queue.run(async () => 'late'), ClosedError);
    });

    it('gives each task a signal of its own, so no signal outlives its request', async () => {
        // A long-lived signal shared by every request makes Node.js walk all of its
        // AbortSignal.any dependants whenever one is collected: cost that grows per request.
        const queue = new RequestQueue(2, 10);
        const signals: AbortSignal[] = [];
        await Promise.all([1, 2, 3].map(() => queue.run(async (signal) => signals.push(signal))));
        assert.equal(new Set(signals).size, 3);
    });

    it('keeps a long queue in order while it compacts its storage', async () => {
        const queue = new RequestQueue(1, 5000);
        const results = await Promise.all(Array.from({ length: 3000 }, (_, index) => queue.run(async () => index)));
        assert.ok(results.every((value, index) => value === index));
    });
});
