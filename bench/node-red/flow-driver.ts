// Feeds messages into a deployed node and waits until each has ended, as an
// output at the sink or as an error at the Catch node's sink.
import type { NodeMessage } from 'node-red';
import { listen } from './sink-hub';
import type { FlowNode, NodeRedRuntime } from './runtime';

export const SINK_ID = 'bench-out';
export const ERRORS_ID = 'bench-errors';

/** The sink, and a Catch node that sends every error to a second sink. */
export function sinkNodes(tab: string): FlowNode[] {
    return [
        { id: SINK_ID, z: tab, type: 'bench-sink', wires: [] },
        { id: 'bench-catch', z: tab, type: 'catch', scope: null, uncaught: false, wires: [[ERRORS_ID]] },
        { id: ERRORS_ID, z: tab, type: 'bench-sink', wires: [] },
    ];
}

export interface DriveOutcome {
    outputs: number;
    errors: number;
    firstError?: string;
}

export interface DriveOptions {
    /** How many messages may be unanswered at once: the driver sends the next one as one ends. `Infinity` = all at once. */
    window: number;
    /** Called with each output (e.g. to check it); the driver keeps none. */
    onOutput?: (msg: NodeMessage & Record<string, unknown>) => void;
}

export class FlowDriver {
    constructor(private readonly runtime: NodeRedRuntime) {}

    /** Sends `count` messages made by `makeMessage` into node `target`. */
    drive(target: string, count: number, makeMessage: (index: number) => NodeMessage, options: DriveOptions): Promise<DriveOutcome> {
        const node = this.runtime.getNode(target);
        const outcome: DriveOutcome = { outputs: 0, errors: 0 };
        let sent = 0;
        return new Promise((resolve) => {
            const sendOne = () => node.receive(makeMessage(sent++));
            const ended = () => {
                if (outcome.outputs + outcome.errors === count) resolve(outcome);
                else if (sent < count) sendOne();
            };
            listen(SINK_ID, (msg) => {
                outcome.outputs += 1;
                options.onOutput?.(msg);
                ended();
            });
            listen(ERRORS_ID, (msg) => {
                outcome.errors += 1;
                outcome.firstError ??= String((msg.error as { message?: unknown } | undefined)?.message ?? msg.error);
                ended();
            });
            if (count === 0) return resolve(outcome);
            const first = Math.min(count, options.window);
            while (sent < first) sendOne();
        });
    }

    /** Sends `count` messages at once without waiting; the outcome fills in as they end. */
    feed(target: string, count: number, makeMessage: (index: number) => NodeMessage): DriveOutcome {
        const node = this.runtime.getNode(target);
        const outcome: DriveOutcome = { outputs: 0, errors: 0 };
        listen(SINK_ID, () => (outcome.outputs += 1));
        listen(ERRORS_ID, (msg) => {
            outcome.errors += 1;
            outcome.firstError ??= String((msg.error as { message?: unknown } | undefined)?.message ?? msg.error);
        });
        for (let index = 0; index < count; index++) node.receive(makeMessage(index));
        return outcome;
    }
}
