// Contestant B: the bench's thinnest SDK node (`bench-thin`) in Node-RED.
// It has no limit of its own, so the driver keeps `concurrency` messages in
// flight: it sends the next one as one comes out.
import { FlowDriver, sinkNodes, SINK_ID } from '../node-red/flow-driver';
import { type FlowNode, startNodeRed } from '../node-red/runtime';
import { chatParams, KINDS, type Kind, moderationParams, userText } from '../workloads';
import { type Contestant, type ContestantSetup, urlFor } from './contestant';

const TAB = 'bench-tab';
const nodeId = (kind: Kind, latencyMs: number) => `thin-${kind}-${latencyMs}`;

export async function thinNodeContestant({ urls, latenciesMs }: ContestantSetup): Promise<Contestant> {
    const flows: FlowNode[] = [{ id: TAB, type: 'tab', label: 'benchmark' }, ...sinkNodes(TAB)];
    for (const kind of KINDS) {
        for (const latencyMs of latenciesMs) {
            flows.push({
                id: nodeId(kind, latencyMs),
                z: TAB,
                type: 'bench-thin',
                endpoint: kind,
                baseURL: urlFor(urls, latencyMs),
                apiKey: urls.apiKey,
                wires: [[SINK_ID]],
            });
        }
    }
    const driver = new FlowDriver(await startNodeRed({ flows }));
    return {
        run(kind, latencyMs, concurrency, requests) {
            const body = kind === 'chat' ? chatParams : moderationParams;
            return driver.drive(nodeId(kind, latencyMs), requests, (index) => ({ payload: body(userText(index)) }), {
                window: concurrency,
            });
        },
    };
}
