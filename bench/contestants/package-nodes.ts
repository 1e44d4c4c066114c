// Contestant C: this package's openai-chat and openai-moderate nodes, one per
// kind, server and concurrency, each with `maxInFlight` = that concurrency,
// and one account per server (so one rate-limit pace per server).
// All messages are sent at once: the node's own queue does the limiting.
import { SINK_ID } from '../node-red/flow-driver';
import type { FlowNode } from '../node-red/runtime';
import { accountNode, chatNodeSettings, moderateNodeSettings } from '../node-red/package-flow';
import { urlFor } from '../server';
import { type Kind, userText } from '../workloads';
import type { ContestantSetup, FlowContestant } from './contestant';

const accountId = (server: string) => `account-${server}`;
const nodeId = (kind: Kind, server: string, concurrency: number) => `${kind}-${server}-${concurrency}`;

export function packageNodesFlow({ urls, servers, concurrencies }: ContestantSetup, tab: string): FlowContestant {
    const nodes: FlowNode[] = [];
    const credentials: Record<string, Record<string, string>> = {};
    for (const server of servers) {
        nodes.push(accountNode(accountId(server), urlFor(urls, server)));
        credentials[accountId(server)] = { apiKey: urls.apiKey };
        for (const concurrency of concurrencies) {
            const common = { z: tab, account: accountId(server), maxInFlight: concurrency, wires: [[SINK_ID]] };
            nodes.push({ id: nodeId('chat', server, concurrency), ...chatNodeSettings(common) });
            nodes.push({ id: nodeId('moderation', server, concurrency), ...moderateNodeSettings(common) });
        }
    }
    return {
        nodes,
        credentials,
        contestant: (driver) => ({
            run({ kind, server, concurrency, requests }) {
                return driver.drive(nodeId(kind, server, concurrency), requests, (index) => ({ payload: userText(index) }), {
                    window: Infinity,
                });
            },
        }),
    };
}
