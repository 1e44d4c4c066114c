import { strict as assert } from 'node:assert';
import { ClosedError, QueueFullError } from '../../nodes/lib/failure';
import { RequestQueue } from '../../nodes/lib/request-queue';

interface Entry {
    task: (signal: AbortSignal) => Promise<unknown>;
    resolve(value: unknown): void;
    reject(reason: unknown): void;
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** A queue whose jobs are functions of their signal; `run` answers with how the job ended, `refused` lists refusals. */
function taskQueue(maxInFlight: number, maxQueued: number) {
    const refused: Error[] = [];
    const worker = {
        run: (entry: Entry, signal: AbortSignal) => entry.task(signal).then(entry.resolve, entry.reject),
        refuse: (entry: Entry, reason: Error) => {
            refused.push(reason);
            entry.reject(reason);
        },
    };
    const queue = new RequestQueue<Entry>(maxInFlight, maxQueued, worker);
    const run = <T>(task: (signal: AbortSignal) => Promise<T>) =>
        new Promise<T>((resolve, reject) => queue.add({ task, resolve: resolve as (value: unknown) => void, reject }));
    return { queue, run, refused };
}

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
        const { queue, run } = taskQueue(2, 10);
        const order: number[] = [];
        let running = 0;
        let most = 0;
        const tasks = Array.from({ length: 7 }, (_, index) =>
            run(async () => {
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
        const { queue, run } = taskQueue(0, 0);
        const gates = Array.from({ length: 50 }, () => gate());
        const runs = gates.map((g) => run(g.task));
        assert.equal(queue.inFlight, 50);
        gates.forEach((g, index) => g.release(String(index)));
        assert.equal((await Promise.all(runs)).length, 50);
    });

    it('refuses a task at once when the queue is full', async () => {
        const { queue, run, refused } = taskQueue(1, 1);
        const first = gate();
        const running = run(first.task);
        const waiting = run(async () => 'second');
        await assert.rejects(run(async () => 'third'), QueueFullError);
        assert.equal(refused.length, 1);
        assert.equal(queue.queued, 1);
        first.release('first');
        assert.deepEqual(await Promise.all([running, waiting]), ['first', 'second']);
    });

    it('refills the slots freed in a turn together on the next turn, first in first out', async () => {
        const { queue, run } = taskQueue(3, 10);
        const gates = Array.from({ length: 6 }, () => gate());
        const runs = gates.map((g) => run(g.task));
        assert.equal(queue.inFlight, 3);
        gates.slice(0, 3).forEach((g, index) => g.release(String(index)));
        await Promise.all(runs.slice(0, 3));
        for (let tick = 0; tick < 10; tick++) await Promise.resolve();
        assert.equal(queue.inFlight, 0, 'nothing starts in the same turn');
        assert.equal(queue.queued, 3);
        // A task that comes while the refill waits queues behind the others.
        const late = gate();
        const lateRun = run(late.task);
        assert.equal(queue.queued, 4);
        await nextTurn();
        assert.equal(queue.inFlight, 3, 'the three waiting tasks start together on the next turn');
        assert.deepEqual(
            gates.slice(3).map((g) => g.started.length),
            [1, 1, 1],
        );
        assert.equal(late.started.length, 0, 'the late task still waits');
        gates.slice(3).forEach((g) => g.release('later'));
        await Promise.all(runs);
        await nextTurn();
        assert.equal(late.started.length, 1);
        late.release('late');
        assert.equal(await lateRun, 'late');
    });

    it('goes on after a task fails', async () => {
        const { queue, run } = taskQueue(1, 5);
        const failing = run(async () => {
            throw new Error('boom');
        });
        const next = run(async () => 'next');
        await assert.rejects(failing, /boom/);
        assert.equal(await next, 'next');
        await nextTurn();
        assert.equal(queue.inFlight, 0);
    });

    it('frees the slot of a run that rejects', async () => {
        const started: number[] = [];
        const queue = new RequestQueue<number>(1, 5, {
            run: async (job) => {
                started.push(job);
                throw new Error('a broken worker');
            },
            refuse: () => assert.fail('nothing should be refused'),
        });
        [1, 2, 3].forEach((job) => queue.add(job));
        for (let turn = 0; turn < 3; turn++) await nextTurn();
        assert.deepEqual(started, [1, 2, 3]);
        assert.equal(queue.inFlight + queue.queued, 0);
    });

    it('aborts tasks in flight and rejects waiting ones on close', async () => {
        const { queue, run, refused } = taskQueue(1, 5);
        const first = gate();
        const running = run(first.task);
        const waiting = run(async () => 'never');
        queue.close();
        assert.equal(refused.length, 1, 'the waiting job is refused at once');
        await assert.rejects(running, ClosedError);
        await assert.rejects(waiting, ClosedError);
        assert.equal(first.started[0].aborted, true);
        await assert.rejects(run(async () => 'late'), ClosedError);
        assert.equal(queue.inFlight + queue.queued, 0);
    });

    it('hands each task a signal of its own, raised on close only for tasks in flight', async () => {
        const { queue, run } = taskQueue(2, 10);
        const signals: AbortSignal[] = [];
        await Promise.all([1, 2, 3].map(() => run(async (signal) => signals.push(signal))));
        assert.equal(new Set(signals).size, 3);
        const inFlight = run((signal) => {
            signals.push(signal);
            return new Promise(() => undefined);
        });
        queue.close();
        assert.deepEqual(
            signals.map((signal) => signal.aborted),
            [false, false, false, true],
        );
        assert.ok(signals[3].reason instanceof ClosedError);
        void inFlight;
    });

    it('keeps a long queue in order while it compacts its storage', async () => {
        const { queue, run } = taskQueue(1, 5000);
        const results = await Promise.all(Array.from({ length: 3000 }, (_, index) => run(async () => index)));
        assert.ok(results.every((value, index) => value === index));
        assert.equal(queue.queued, 0);
    });

    describe('sequences', () => {
        /** A queue whose jobs name their sequence; `log` records starts and ends. */
        function sequenceQueue(maxInFlight: number, maxQueued = 100) {
            const log: string[] = [];
            const gates = new Map<string, () => void>();
            const refused: string[] = [];
            const queue = new RequestQueue<{ name: string; sequence?: string }>(maxInFlight, maxQueued, {
                run: (job) =>
                    new Promise<void>((resolve) => {
                        log.push(`start ${job.name}`);
                        gates.set(job.name, () => {
                            log.push(`end ${job.name}`);
                            resolve();
                        });
                    }),
                refuse: (job, reason) => refused.push(`${job.name}: ${reason.name}`),
                sequenceOf: (job) => job.sequence,
            });
            const end = async (name: string) => {
                const open = gates.get(name);
                assert.ok(open, `${name} is not running`);
                open();
                await nextTurn();
                await nextTurn();
            };
            return { queue, log, refused, end };
        }

        it('runs the jobs of one sequence one at a time, in order, while other sequences pass them', async () => {
            const { queue, log, end } = sequenceQueue(4);
            for (const name of ['a1', 'a2', 'b1', 'a3', 'c1', 'b2']) queue.add({ name, sequence: name[0] });
            assert.deepEqual(log, ['start a1', 'start b1', 'start c1']);
            assert.equal(queue.queued, 3);
            await end('a1');
            assert.deepEqual(log.slice(3), ['end a1', 'start a2']);
            await end('b1');
            await end('a2');
            assert.deepEqual(log.slice(5), ['end b1', 'start b2', 'end a2', 'start a3']);
            for (const name of ['c1', 'b2', 'a3']) await end(name);
            assert.equal(queue.inFlight + queue.queued, 0);
            // The sequence is forgotten once it is empty: a new job of it starts at once.
            queue.add({ name: 'a4', sequence: 'a' });
            assert.equal(log.at(-1), 'start a4');
        });

        it('lets the next job of a sequence join the end of the queue, so one busy sequence cannot starve another', async () => {
            const { queue, log, end } = sequenceQueue(1);
            for (const name of ['a1', 'a2', 'a3', 'b1']) queue.add({ name, sequence: name[0] });
            await end('a1');
            await end('b1');
            assert.deepEqual(log, ['start a1', 'end a1', 'start b1', 'end b1', 'start a2']);
            await end('a2');
            await end('a3');
        });

        it('counts jobs waiting behind their sequence against maxQueued, and refuses them on close', async () => {
            const { queue, refused } = sequenceQueue(4, 2);
            for (const name of ['a1', 'a2', 'a3', 'a4']) queue.add({ name, sequence: 'a' });
            assert.equal(queue.inFlight, 1);
            assert.equal(queue.queued, 2);
            assert.deepEqual(refused, ['a4: QueueFullError']);
            queue.add({ name: 'b1', sequence: 'b' });
            assert.equal(queue.inFlight, 2, 'another sequence still runs at once');
            queue.close();
            assert.deepEqual(refused, ['a4: QueueFullError', 'a2: ClosedError', 'a3: ClosedError']);
            assert.equal(queue.queued, 0);
        });
    });
});
