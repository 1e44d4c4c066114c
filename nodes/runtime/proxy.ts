import type { NodeAPI } from 'node-red';
import type { ClientOptions } from 'openai';
import { fetch as undiciFetch, ProxyAgent } from 'undici';
import { InputError } from '../lib/input-error';
import { proxyFor, proxyNodeVariables, type ProxyRules, type ProxyVariables } from '../lib/proxy-choice';

/** A proxy for one account's requests, as SDK client options. */
export interface ProxyTransport {
    /** undici's own fetch with a ProxyAgent as its dispatcher (the SDK's `fetch` and `fetchOptions`). */
    options: Pick<ClientOptions, 'fetch' | 'fetchOptions'>;
    /** The proxy's password and the header made from it, to blank out of any error. */
    secrets: string[];
    /** Closes the proxy connections once the requests on them have ended. */
    close(): void;
}

/** What the runtime holds of a core `http proxy` config node. */
interface ProxyNode {
    type: string;
    url?: unknown;
    noproxy?: unknown;
    credentials?: { username?: string; password?: string };
}

/**
 * The proxy for requests to `target` (the account's base URL), or undefined
 * to connect directly. `proxyId` names an `http proxy` config node; empty
 * means the environment's `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` (read
 * with Node-RED's `proxyOptions` setting), as Node-RED's http request node
 * reads them. The proxy node's user name and password go in
 * `Proxy-Authorization`, as do those of a proxy URL that holds them.
 *
 * Throws an InputError naming `proxy` when the node is not deployed or its
 * URL (or the environment's) is not an http(s) URL; the URL is never
 * quoted, since it may hold a password.
 *
 * undici's own fetch goes with its ProxyAgent: the fetch built into Node.js
 * is another copy of undici, whose dispatcher interface need not match.
 */
export function proxyTransport(RED: NodeAPI, proxyId: unknown, target: string, timeoutMs: number): ProxyTransport | undefined {
    // "_ADD_" is the editor's "add new…" entry, which it saves as none.
    const id = typeof proxyId === 'string' ? proxyId.trim() : '';
    const node = id !== '' && id !== '_ADD_' ? proxyNode(RED, id) : undefined;
    const variables: ProxyVariables = node ? proxyNodeVariables(node.url, node.noproxy) : process.env;
    const rules: ProxyRules = node ? {} : (proxyOptions(RED) ?? {});
    const chosen = proxyFor(target, variables, rules);
    if (!chosen) return undefined;

    const url = parseProxyURL(chosen, node ? 'the http proxy node\'s URL' : 'the HTTP_PROXY / HTTPS_PROXY environment variable');
    const secrets: string[] = [];
    let token: string | undefined;
    const username = node?.credentials?.username ?? '';
    const password = node?.credentials?.password ?? '';
    if (username !== '' || password !== '') {
        // The node's credentials win over any in its URL, as in Node-RED's http request node.
        url.username = '';
        url.password = '';
        token = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
        if (password !== '') secrets.push(password);
        secrets.push(token.slice('Basic '.length));
    } else if (url.password !== '') {
        secrets.push(url.password, decodeURIComponent(url.password));
    }

    const agent = new ProxyAgent({
        uri: url.href,
        token,
        // Plain HTTP through an HTTP proxy as a forwarded request, as proxies
        // expect it (many allow CONNECT only to port 443); HTTPS in a tunnel.
        proxyTunnel: false,
        // Wait for an answer as long as the account's timeout says, not undici's 5 minutes.
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
    });
    return {
        options: {
            fetch: undiciFetch as unknown as NonNullable<ClientOptions['fetch']>,
            fetchOptions: { dispatcher: agent } as NonNullable<ClientOptions['fetchOptions']>,
        },
        secrets,
        close: () => void agent.close().catch(() => undefined),
    };
}

function proxyNode(RED: NodeAPI, id: string): ProxyNode {
    const node = RED.nodes.getNode(id) as unknown as ProxyNode | null;
    if (!node || node.type !== 'http proxy') {
        throw new InputError('proxy', 'is not a deployed http proxy node: choose one in the account\'s settings, or none, and deploy');
    }
    return node;
}

function parseProxyURL(text: string, source: string): URL {
    let url: URL | undefined;
    try {
        url = new URL(text);
    } catch {
        url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
        throw new InputError('proxy', `cannot be used: ${source} is not an http:// or https:// URL`);
    }
    return url;
}

/** settings.js `proxyOptions`, which Node-RED's http request node reads too. */
function proxyOptions(RED: NodeAPI): ProxyRules | undefined {
    try {
        const options = (RED.settings as unknown as { proxyOptions?: unknown }).proxyOptions;
        return typeof options === 'object' && options !== null ? (options as ProxyRules) : undefined;
    } catch {
        return undefined;
    }
}
