import { strict as assert } from 'node:assert';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventLoopIsBusy } from '../../nodes/lib/event-loop-load';

/** Keeps the event loop running code for `ms`. */
function runCodeFor(ms: number): void {
    const end = performance.now() + ms;
    while (performance.now() < end);
}

describe('event loop load', () => {
    it('tells a loop that mostly waited from one that mostly ran code', async () => {
        eventLoopIsBusy();
        await sleep(150);
        assert.equal(eventLoopIsBusy(), false, 'after waiting 150 ms');
        runCodeFor(150);
        assert.equal(eventLoopIsBusy(), true, 'after running code for 150 ms');
        await sleep(150);
        assert.equal(eventLoopIsBusy(), false, 'after waiting again');
    });

    it('keeps its answer until a new reading is due', async () => {
        await sleep(150);
        eventLoopIsBusy();
        runCodeFor(150);
        assert.equal(eventLoopIsBusy(), true);
        await sleep(20);
        assert.equal(eventLoopIsBusy(), true, '20 ms later, the last reading still holds');
    });
});
