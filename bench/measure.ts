// In-process measurement: wall time, process CPU (all threads, from
// process.cpuUsage), garbage collection and the peak RSS and heap while
// something runs.
import { constants, PerformanceObserver } from 'node:perf_hooks';

export interface Usage {
    elapsedMs: number;
    /** User + system CPU of the whole process, in µs. */
    cpuUs: number;
    /** The part of `cpuUs` spent on the main thread (the rest: GC helpers, libuv's pool…). */
    mainThreadCpuUs: number;
    /** Main-thread GC pauses in ms, and how many of the collections were full (mark-compact) ones. */
    gcPauseMs: number;
    majorGcs: number;
    /** RSS and heap in use when the work started (after a full collection if `collectFirst`). */
    startRssBytes: number;
    startHeapUsedBytes: number;
    /** The highest values sampled while it ran. */
    peakRssBytes: number;
    peakHeapUsedBytes: number;
}

export interface MeasureOptions {
    /**
     * Memory is sampled this often. Each sample wakes the process, which costs
     * ~100 µs of CPU when it is otherwise idle, so the throughput cells sample
     * rarely (that CPU is counted like the rest).
     */
    sampleEveryMs: number;
    /**
     * Start from a full collection, for a clean heap baseline. Not for warm
     * throughput cells: a forced full GC throws away compiled code, and the
     * next ~2,000 requests then cost twice the CPU while it is compiled again.
     */
    collectFirst: boolean;
}

/** Runs `work` and measures it. */
export async function measure<T>(work: () => Promise<T>, options: MeasureOptions): Promise<{ usage: Usage; result: T }> {
    if (options.collectFirst) collectGarbage();
    const start = process.memoryUsage();
    let peakRssBytes = start.rss;
    let peakHeapUsedBytes = start.heapUsed;
    const sample = () => {
        const { rss, heapUsed } = process.memoryUsage();
        if (rss > peakRssBytes) peakRssBytes = rss;
        if (heapUsed > peakHeapUsedBytes) peakHeapUsedBytes = heapUsed;
    };
    const sampler = setInterval(sample, options.sampleEveryMs);
    const collections = watchCollections();
    const cpuBefore = process.cpuUsage();
    const mainBefore = process.threadCpuUsage();
    const startTime = process.hrtime.bigint();
    try {
        const result = await work();
        const elapsedMs = Number(process.hrtime.bigint() - startTime) / 1e6;
        const cpu = process.cpuUsage(cpuBefore);
        const main = process.threadCpuUsage(mainBefore);
        sample();
        const { pauseMs, majors } = await collections.read();
        const usage: Usage = {
            elapsedMs,
            cpuUs: cpu.user + cpu.system,
            mainThreadCpuUs: main.user + main.system,
            gcPauseMs: pauseMs,
            majorGcs: majors,
            startRssBytes: start.rss,
            startHeapUsedBytes: start.heapUsed,
            peakRssBytes,
            peakHeapUsedBytes,
        };
        return { usage, result };
    } finally {
        clearInterval(sampler);
        collections.stop();
    }
}

/** Collections from now on, from V8's GC events. */
export function watchCollections() {
    let pauseMs = 0;
    let majors = 0;
    const observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
            pauseMs += entry.duration;
            const { detail } = entry as PerformanceEntry & { detail?: { kind?: number } };
            if (detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors += 1;
        }
    });
    observer.observe({ entryTypes: ['gc'] });
    return {
        // GC entries arrive asynchronously; a turn of the event loop delivers the last ones.
        read: () => new Promise<{ pauseMs: number; majors: number }>((resolve) => setImmediate(() => resolve({ pauseMs, majors }))),
        stop: () => observer.disconnect(),
    };
}

/** A full collection; the memory scenarios' children run with --expose-gc. */
export function collectGarbage(): void {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error('run with node --expose-gc');
    gc();
}

/** Heap in use after a full collection: what is still reachable. */
export function liveHeapBytes(): number {
    collectGarbage();
    return process.memoryUsage().heapUsed;
}

/** The process's peak RSS so far, in bytes. */
export function maxRssBytes(): number {
    return process.resourceUsage().maxRSS * 1024;
}

/** Lets pending I/O and timers run for `ms`. */
export function settle(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
