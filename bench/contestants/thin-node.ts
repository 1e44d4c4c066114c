// Contestant B: the bench's thinnest SDK node (`bench-thin`) in Node-RED.
// It has no limit of its own, so the driver keeps `concurrency` messages in
// flight: it sends the next one as one comes out.
import { SINK_ID } from '../node-red/flow-driver';
import type { FlowNode } from '../node-red/runtime';
import { urlFor } from '../server';
import { chatParams, KINDS, type Kind, moderationParams, userText } from '../workloads';
import type { ContestantSetup, FlowContestant } from './contestant';

const nodeId = (kind: Kind, server: string) => `thin-${kind}-${server}`;

export function thinNodeFlow({ urls, servers }: ContestantSetup, tab: string): FlowContestant {
    const nodes: FlowNode[] = [];
    for (const kind of KINDS) {
        for (const server of servers) {
            nodes.push({
                id: nodeId(kind, server),
                z: tab,
                type: 'bench-thin',
                endpoint: kind,
                baseURL: urlFor(urls, server),
                apiKey: urls.apiKey,
                wires: [[SINK_ID]],
            });
        }
    }
    return {
        nodes,
        credentials: {},
        contestant: (driver) => ({
            run({ kind, server, concurrency, requests }) {
                const body = kind === 'chat' ? chatParams : moderationParams;
                return driver.drive(nodeId(kind, server), requests, (index) => ({ payload: body(userText(index)) }), {
                    window: concurrency,
                });
            },
        }),
    };
}
