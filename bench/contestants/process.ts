// One contestant's child process. It is set up and warmed once, then measures
// one cell at a time when the parent asks, so that the parent can take turns
// between the contestants (A B C A B C …) with each of them warm.
import { runChild, serve } from '../child';
import { measure } from '../measure';
import { WARMUP_LATENCY_MS } from '../settings';
import { KINDS } from '../workloads';
import type { Cell, CellMeasurement, Contestant, ContestantName, ContestantSetup } from './contestant';
import { packageNodesContestant } from './package-nodes';
import { sdkContestant } from './sdk';
import { thinNodeContestant } from './thin-node';

function create(name: ContestantName, setup: ContestantSetup): Contestant | Promise<Contestant> {
    switch (name) {
        case 'sdk':
            return sdkContestant(setup);
        case 'thin-node':
            return thinNodeContestant(setup);
        case 'package-nodes':
            return packageNodesContestant(setup);
    }
}

/** Peak RSS resolution; see measure(). */
const SAMPLE_EVERY_MS = 100;

runChild(async () => {
    const name = process.argv[2] as ContestantName;
    let contestant: Contestant | undefined;
    let setup: ContestantSetup | undefined;
    const ready = () => {
        if (!contestant || !setup) throw new Error('not set up');
        return { contestant, setup };
    };

    serve({
        setup: async (args: ContestantSetup) => {
            setup = args;
            contestant = await create(name, args);
        },
        // The SDK's cost per request keeps falling for a few thousand requests
        // (JIT, connection pool): every code path the cells use is run first.
        warmup: async ({ requests }: { requests: number }) => {
            const { contestant: warming, setup: { concurrencies } } = ready();
            const cells = KINDS.flatMap((kind) => concurrencies.map((concurrency) => ({ kind, concurrency })));
            const each = Math.ceil(requests / cells.length);
            let errors = 0;
            for (const { kind, concurrency } of cells) {
                errors += (await warming.run(kind, WARMUP_LATENCY_MS, concurrency, each)).errors;
            }
            return { errors, requests: each * cells.length };
        },
        measure: async (cell: Cell): Promise<CellMeasurement> => {
            const { contestant: measured } = ready();
            const run = () => measured.run(cell.kind, cell.latencyMs, cell.concurrency, cell.requests);
            const { usage, result } = await measure(run, { sampleEveryMs: SAMPLE_EVERY_MS, collectFirst: false });
            return { ...usage, ...result };
        },
        maxRss: () => process.resourceUsage().maxRSS * 1024,
    });
});
