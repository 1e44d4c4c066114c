/**
 * Which proxy, if any, a request to a URL goes through, by the rules that
 * Node-RED's http request node follows: the `*_proxy` and `no_proxy`
 * variables of the environment, or the same variables made from an
 * `http proxy` config node (its URL for both schemes, its list of hosts
 * that skip it).
 */

/** Environment variables, or the ones that stand for a proxy node. */
export type ProxyVariables = Readonly<Record<string, string | undefined>>;

/**
 * Node-RED's `proxyOptions` setting (settings.js), which changes how the
 * variables are read. All default to false.
 */
export interface ProxyRules {
    /** Read only the lower-case names (`https_proxy`, `no_proxy`). */
    lowerCaseOnly?: boolean;
    /** Prefer `HTTPS_PROXY` to `https_proxy` when both are set. */
    favourUpperCase?: boolean;
    /** Ignore the `npm_config_*` variables that npm sets for the scripts it runs. */
    excludeNpm?: boolean;
}

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443 };

/**
 * A proxy node's settings as the variables they stand for: its URL for
 * both schemes (a node is one proxy for every request), its `noproxy` list
 * as `no_proxy`.
 */
export function proxyNodeVariables(url: unknown, noproxy: unknown): ProxyVariables {
    const hosts = Array.isArray(noproxy) ? noproxy.filter((host) => typeof host === 'string') : typeof noproxy === 'string' ? [noproxy] : [];
    const proxy = typeof url === 'string' ? url.trim() : '';
    return { http_proxy: proxy, https_proxy: proxy, no_proxy: hosts.join(',') };
}

/**
 * The proxy URL for a request to `target`, or undefined to connect
 * directly: none is set for its scheme, `no_proxy` names its host, or the
 * target is not an http(s) URL. A proxy given without a scheme is taken as
 * `http://` (a plain HTTP proxy, as curl takes it).
 */
export function proxyFor(target: string, variables: ProxyVariables, rules: ProxyRules = {}): string | undefined {
    const url = parse(target);
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.host === '') return undefined;
    const scheme = url.protocol.slice(0, -1);
    const read = (name: string) => readVariable(variables, name, rules);
    // The host keeps the brackets of an IPv6 address, as no_proxy lists them.
    const host = url.host.replace(/:\d*$/, '');
    const port = Number(url.port) || DEFAULT_PORTS[scheme];
    if (bypasses(host, port, read('npm_config_no_proxy') || read('no_proxy'))) return undefined;
    const proxy = read(`npm_config_${scheme}_proxy`) || read(`${scheme}_proxy`) || read('npm_config_proxy') || read('all_proxy');
    if (!proxy) return undefined;
    return proxy.includes('://') ? proxy : `http://${proxy}`;
}

/**
 * Whether `no_proxy` sends the host straight: `*` for every host; else an
 * entry (comma or space separated, optionally `:port`) that is the host
 * itself, or that starts with `.` or `*` and ends the host's name.
 */
function bypasses(host: string, port: number, noProxy: string): boolean {
    const list = noProxy.toLowerCase();
    if (list === '') return false;
    if (list === '*') return true;
    return list.split(/[,\s]/).some((entry) => {
        if (entry === '') return false;
        const withPort = /^(.+):(\d+)$/.exec(entry);
        let name = withPort ? withPort[1] : entry;
        if (withPort && Number(withPort[2]) !== port) return false;
        if (!/^[.*]/.test(name)) return host === name;
        if (name.startsWith('*')) name = name.slice(1);
        return host.endsWith(name);
    });
}

/** A variable by its lower-case name, or its upper-case one, as `rules` say. */
function readVariable(variables: ProxyVariables, name: string, rules: ProxyRules): string {
    if (rules.excludeNpm && name.startsWith('npm_config_')) return '';
    const lower = variables[name.toLowerCase()];
    const upper = variables[name.toUpperCase()];
    if (rules.lowerCaseOnly) return lower || '';
    if (rules.favourUpperCase) return upper || lower || '';
    return lower || upper || '';
}

function parse(text: string): URL | undefined {
    try {
        return new URL(text);
    } catch {
        return undefined;
    }
}
