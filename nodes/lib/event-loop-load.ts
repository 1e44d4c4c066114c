// How busy the event loop is: the request queue starts a freed slot's next
// request at once while the loop has time to spare, and on its next turn
// while it is busy (RequestQueue.refill).
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** The share of its time the loop must spend running code, rather than waiting for I/O, to count as busy. */
const BUSY_SHARE = 0.7;
/** How much of the loop's time, in ms, one reading covers. */
const READING_MS = 100;

let lastReading: EventLoopUtilization = performance.eventLoopUtilization();
let busy = false;

/**
 * Whether the event loop spent more than 70% of its last reading (~100 ms)
 * running code. One answer for the whole process, read again at most every
 * 100 ms, so asking costs next to nothing.
 */
export function eventLoopIsBusy(): boolean {
    const now = performance.eventLoopUtilization();
    if (now.idle + now.active - lastReading.idle - lastReading.active >= READING_MS) {
        busy = performance.eventLoopUtilization(now, lastReading).utilization > BUSY_SHARE;
        lastReading = now;
    }
    return busy;
}
