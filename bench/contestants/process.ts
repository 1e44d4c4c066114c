// The child process of one or more contestants (see PROCESSES). It is set up
// and warmed once, then measures one cell of one contestant at a time when
// the parent asks, so that the parent can take turns between the contestants
// (A B C A B C …) with each of them warm.
import { runChild, serve } from '../child';
import { measure } from '../measure';
import { FlowDriver, sinkNodes } from '../node-red/flow-driver';
import { startNodeRed } from '../node-red/runtime';
import { latencyServer } from '../server';
import { WARMUP_LATENCY_MS } from '../settings';
import { KINDS } from '../workloads';
import type { CellMeasurement, Contestant, ContestantName, ContestantSetup, FlowContestant, Run } from './contestant';
import { packageNodesFlow } from './package-nodes';
import { sdkContestant } from './sdk';
import { thinNodeFlow } from './thin-node';

const TAB = 'bench-tab';

const FLOWS: Record<Exclude<ContestantName, 'sdk'>, (setup: ContestantSetup, tab: string) => FlowContestant> = {
    'thin-node': thinNodeFlow,
    'package-nodes': packageNodesFlow,
};

/** The named contestants; those made of nodes share one Node-RED runtime and its sink. */
async function create(names: readonly ContestantName[], setup: ContestantSetup): Promise<Map<ContestantName, Contestant>> {
    const contestants = new Map<ContestantName, Contestant>();
    const flows: [ContestantName, FlowContestant][] = [];
    for (const name of names) {
        if (name === 'sdk') contestants.set(name, sdkContestant(setup));
        else flows.push([name, FLOWS[name](setup, TAB)]);
    }
    if (flows.length > 0) {
        const runtime = await startNodeRed({
            flows: [{ id: TAB, type: 'tab', label: 'benchmark' }, ...sinkNodes(TAB), ...flows.flatMap(([, flow]) => flow.nodes)],
            credentials: Object.assign({}, ...flows.map(([, flow]) => flow.credentials)),
        });
        const driver = new FlowDriver(runtime);
        for (const [name, flow] of flows) contestants.set(name, flow.contestant(driver));
    }
    return contestants;
}

/** Peak RSS resolution; see measure(). */
const SAMPLE_EVERY_MS = 100;

runChild(async () => {
    const names = (process.argv[2] ?? '').split(',') as ContestantName[];
    let contestants: Map<ContestantName, Contestant> | undefined;
    let setup: ContestantSetup | undefined;
    const ready = (name: ContestantName) => {
        const contestant = contestants?.get(name);
        if (!contestant || !setup) throw new Error(`contestant ${name} is not set up`);
        return { contestant, setup };
    };

    serve({
        setup: async (args: ContestantSetup) => {
            setup = args;
            contestants = await create(names, args);
        },
        // The SDK's cost per request keeps falling for a few thousand requests
        // (JIT, connection pool): every code path the cells use is run first.
        warmup: async ({ name, requests }: { name: ContestantName; requests: number }) => {
            const { contestant, setup: { concurrencies } } = ready(name);
            const cells = KINDS.flatMap((kind) => concurrencies.map((concurrency) => ({ kind, concurrency })));
            const each = Math.ceil(requests / cells.length);
            let errors = 0;
            for (const { kind, concurrency } of cells) {
                errors += (await contestant.run({ kind, server: latencyServer(WARMUP_LATENCY_MS), concurrency, requests: each })).errors;
            }
            return { errors, requests: each * cells.length };
        },
        measure: async ({ name, run }: { name: ContestantName; run: Run }): Promise<CellMeasurement> => {
            const { contestant } = ready(name);
            const { usage, result } = await measure(() => contestant.run(run), { sampleEveryMs: SAMPLE_EVERY_MS, collectFirst: false });
            return { ...usage, ...result };
        },
        maxRss: () => process.resourceUsage().maxRSS * 1024,
    });
});
