/**
 * The flow of test/support/flow.ts plus Node-RED's core `http proxy` config
 * node (id `proxy1`), for the account's `proxy` setting.
 */
import { buildFlow, collect, coreNode, type FlowOptions, helper, type Outcome } from './flow';
import accountNode = require('../../nodes/openai-account');
import chatNode = require('../../nodes/openai-chat');
import moderateNode = require('../../nodes/openai-moderate');

export const PROXY_ID = 'proxy1';

const catchNode = coreNode('common/25-catch.js');
const httpProxyNode = coreNode('network/06-httpproxy.js');

export interface ProxyNodeConfig {
    url: string;
    /** Hosts that skip the proxy. */
    noproxy?: string[];
    username?: string;
    password?: string;
}

/** The core node's saved config and credentials, as its editor dialog saves them. */
export function proxyNodeEntry(config: ProxyNodeConfig): { node: Record<string, unknown>; credentials: Record<string, string> } {
    const { url, noproxy = [], username, password } = config;
    const credentials: Record<string, string> = {};
    if (username !== undefined) credentials.username = username;
    if (password !== undefined) credentials.password = password;
    return { node: { id: PROXY_ID, type: 'http proxy', name: 'test proxy', url, noproxy }, credentials };
}

/** Loads the flow of {@link buildFlow}, with a proxy node when `proxy` is given. */
export async function loadProxiedFlow(options: FlowOptions, proxy?: ProxyNodeConfig): Promise<Outcome> {
    const { flow, credentials } = buildFlow(options);
    if (proxy) {
        const entry = proxyNodeEntry(proxy);
        flow.push(entry.node);
        credentials[PROXY_ID] = entry.credentials;
    }
    const modules = [accountNode, moderateNode, chatNode, catchNode, httpProxyNode] as unknown as Parameters<typeof helper.load>[0];
    await helper.load(modules, flow, credentials);
    return collect();
}
