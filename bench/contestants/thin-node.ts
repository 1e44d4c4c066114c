// Contestant B: the bench's thinnest SDK node (`bench-thin`) in Node-RED.
// It has no limit of its own, so the driver keeps `concurrency` messages in
// flight: it sends the next one as one comes out.
import { SINK_ID } from '../node-red/flow-driver';
import type { FlowNode } from '../node-red/runtime';
import { chatParams, KINDS, type Kind, moderationParams, userText } from '../workloads';
import { type ContestantSetup, type FlowContestant, urlFor } from './contestant';

const nodeId = (kind: Kind, latencyMs: number) => `thin-${kind}-${latencyMs}`;

export function thinNodeFlow({ urls, latenciesMs }: ContestantSetup, tab: string): FlowContestant {
    const nodes: FlowNode[] = [];
    for (const kind of KINDS) {
        for (const latencyMs of latenciesMs) {
            nodes.push({
                id: nodeId(kind, latencyMs),
                z: tab,
                type: 'bench-thin',
                endpoint: kind,
                baseURL: urlFor(urls, latencyMs),
                apiKey: urls.apiKey,
                wires: [[SINK_ID]],
            });
        }
    }
    return {
        nodes,
        credentials: {},
        contestant: (driver) => ({
            run(kind, latencyMs, concurrency, requests) {
                const body = kind === 'chat' ? chatParams : moderationParams;
                return driver.drive(nodeId(kind, latencyMs), requests, (index) => ({ payload: body(userText(index)) }), {
                    window: concurrency,
                });
            },
        }),
    };
}
