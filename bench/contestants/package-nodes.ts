// Contestant C: this package's openai-chat and openai-moderate nodes, one per
// kind, latency and concurrency, each with `maxInFlight` = that concurrency.
// All messages are sent at once: the node's own queue does the limiting.
import { FlowDriver, sinkNodes, SINK_ID } from '../node-red/flow-driver';
import { type FlowNode, startNodeRed } from '../node-red/runtime';
import { accountNode, chatNodeSettings, moderateNodeSettings } from '../node-red/package-flow';
import { type Kind, userText } from '../workloads';
import { type Contestant, type ContestantSetup, urlFor } from './contestant';

const TAB = 'bench-tab';
const accountId = (latencyMs: number) => `account-${latencyMs}`;
const nodeId = (kind: Kind, latencyMs: number, concurrency: number) => `${kind}-${latencyMs}-${concurrency}`;

export async function packageNodesContestant({ urls, latenciesMs, concurrencies }: ContestantSetup): Promise<Contestant> {
    const flows: FlowNode[] = [{ id: TAB, type: 'tab', label: 'benchmark' }, ...sinkNodes(TAB)];
    const credentials: Record<string, Record<string, string>> = {};
    for (const latencyMs of latenciesMs) {
        flows.push(accountNode(accountId(latencyMs), urlFor(urls, latencyMs)));
        credentials[accountId(latencyMs)] = { apiKey: urls.apiKey };
        for (const concurrency of concurrencies) {
            const common = { z: TAB, account: accountId(latencyMs), maxInFlight: concurrency, wires: [[SINK_ID]] };
            flows.push({ id: nodeId('chat', latencyMs, concurrency), ...chatNodeSettings(common) });
            flows.push({ id: nodeId('moderation', latencyMs, concurrency), ...moderateNodeSettings(common) });
        }
    }
    const driver = new FlowDriver(await startNodeRed({ flows, credentials }));
    return {
        run(kind, latencyMs, concurrency, requests) {
            return driver.drive(nodeId(kind, latencyMs, concurrency), requests, (index) => ({ payload: userText(index) }), {
                window: Infinity,
            });
        },
    };
}
