// The parent's side of the contestants' child processes (see process.ts):
// forks them (PROCESSES), sets each up and warms each contestant, one at a
// time, so that no set-up or warm-up competes with another's.
import * as path from 'node:path';
import { type Child, forkChild } from '../child';
import type { ServerProcess } from '../server';
import { type CellMeasurement, CONTESTANTS, type ContestantName, type ContestantSetup, PROCESSES, type Run } from './contestant';

export interface ContestantChildren {
    /** Warm-up requests each contestant made. */
    readonly warmupRequests: number;
    /** Measures one run of one contestant, in its process, while the others idle. */
    measure(name: ContestantName, run: Run): Promise<CellMeasurement>;
    /** Peak RSS of each contestant's process so far. */
    maxRss(): Promise<Record<ContestantName, number>>;
    /** Ends the processes (a profiled one writes its profile then). */
    stop(): Promise<void>;
}

export interface ChildrenOptions {
    warmupRequests: number;
    /** Node options for the process of these contestants, e.g. to profile it. */
    execArgv?: (names: readonly ContestantName[]) => string[];
}

export const letterOf = (name: ContestantName): string => CONTESTANTS.find((contestant) => contestant.name === name)!.letter;

export async function startContestants(
    setup: ContestantSetup,
    options: ChildrenOptions,
    server: ServerProcess,
    log: (line: string) => void,
): Promise<ContestantChildren> {
    const children = new Map<ContestantName, Child>();
    const forked: Child[] = [];
    const stop = () => Promise.all(forked.map((child) => child.stop())).then(() => undefined);
    let warmupRequests = 0;
    try {
        for (const names of PROCESSES) {
            const child = await forkChild(path.join(__dirname, 'process.js'), [names.join(',')], { execArgv: options.execArgv?.(names) ?? [] });
            forked.push(child);
            await child.call('setup', setup);
            for (const name of names) {
                children.set(name, child);
                const warmup = await child.call<{ errors: number; requests: number }>('warmup', { name, requests: options.warmupRequests });
                if (warmup.errors > 0) throw new Error(`contestant ${letterOf(name)} failed ${warmup.errors} warm-up requests`);
                warmupRequests = warmup.requests;
                await server.reset();
                log(`  ${letterOf(name)} ready (${warmup.requests} warm-up requests)`);
            }
        }
    } catch (error) {
        await stop();
        throw error;
    }
    return {
        warmupRequests,
        measure: (name, run) => children.get(name)!.call<CellMeasurement>('measure', { name, run }),
        async maxRss() {
            const rss = {} as Record<ContestantName, number>;
            for (const [name, child] of children) rss[name] = await child.call<number>('maxRss');
            return rss;
        },
        stop,
    };
}
