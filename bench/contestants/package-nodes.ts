// Contestant C: this package's openai-chat and openai-moderate nodes, one per
// kind, latency and concurrency, each with `maxInFlight` = that concurrency.
// All messages are sent at once: the node's own queue does the limiting.
import { SINK_ID } from '../node-red/flow-driver';
import type { FlowNode } from '../node-red/runtime';
import { accountNode, chatNodeSettings, moderateNodeSettings } from '../node-red/package-flow';
import { type Kind, userText } from '../workloads';
import { type ContestantSetup, type FlowContestant, urlFor } from './contestant';

const accountId = (latencyMs: number) => `account-${latencyMs}`;
const nodeId = (kind: Kind, latencyMs: number, concurrency: number) => `${kind}-${latencyMs}-${concurrency}`;

export function packageNodesFlow({ urls, latenciesMs, concurrencies }: ContestantSetup, tab: string): FlowContestant {
    const nodes: FlowNode[] = [];
    const credentials: Record<string, Record<string, string>> = {};
    for (const latencyMs of latenciesMs) {
        nodes.push(accountNode(accountId(latencyMs), urlFor(urls, latencyMs)));
        credentials[accountId(latencyMs)] = { apiKey: urls.apiKey };
        for (const concurrency of concurrencies) {
            const common = { z: tab, account: accountId(latencyMs), maxInFlight: concurrency, wires: [[SINK_ID]] };
            nodes.push({ id: nodeId('chat', latencyMs, concurrency), ...chatNodeSettings(common) });
            nodes.push({ id: nodeId('moderation', latencyMs, concurrency), ...moderateNodeSettings(common) });
        }
    }
    return {
        nodes,
        credentials,
        contestant: (driver) => ({
            run(kind, latencyMs, concurrency, requests) {
                return driver.drive(nodeId(kind, latencyMs, concurrency), requests, (index) => ({ payload: userText(index) }), {
                    window: Infinity,
                });
            },
        }),
    };
}
