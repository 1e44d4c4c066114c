/**
 * What an account adds to every request it makes: extra headers (`headers`),
 * extra query parameters (`query`), and the header that carries the key
 * when the server does not take `Authorization: Bearer` (`authHeader`).
 * Each is checked here, so that a bad one is refused, named, before
 * anything is sent.
 */
import { isUnset } from './fields';
import { InputError, kindOf } from './input-error';

/** An HTTP header name: an RFC 9110 token. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Text a header value can hold: fetch refuses line breaks and other control
 * characters, and anything beyond Latin-1.
 */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Headers that `headers` cannot set: the key's own (it lives in the
 * credentials, never in the flow file), the proxy's (its http proxy node
 * holds the user name and password), and those that fetch manages itself.
 */
const REFUSED_HEADERS: Record<string, string> = {
    authorization: 'must not set Authorization: put the key in the account\'s API key',
    'proxy-authorization': 'must not set Proxy-Authorization: put the user name and password in the http proxy node',
    host: 'must not set Host: it follows the base URL',
    'content-length': 'must not set Content-Length: it follows each request body',
    'transfer-encoding': 'must not set Transfer-Encoding: it follows each request body',
    connection: 'must not set Connection: the connection pool manages it',
    'keep-alive': 'must not set Keep-Alive: the connection pool manages it',
    upgrade: 'must not set Upgrade',
    expect: 'must not set Expect',
};

/**
 * The name of the header that carries the bare key, or undefined for the
 * usual `Authorization: Bearer <key>`.
 */
export function authHeaderName(value: unknown): string | undefined {
    if (isUnset(value)) return undefined;
    if (typeof value !== 'string') throw new InputError('authHeader', `must be a header name, got ${kindOf(value)}`);
    const name = value.trim();
    if (name === '') return undefined;
    if (!TOKEN.test(name)) throw new InputError('authHeader', 'must be a header name (letters, digits and - only), such as api-key');
    if (name.toLowerCase() === 'authorization') {
        throw new InputError('authHeader', 'must not be Authorization: leave it empty to send the key as Authorization: Bearer');
    }
    if (name.toLowerCase() in REFUSED_HEADERS) throw new InputError('authHeader', `must not be ${name}`);
    return name;
}

/**
 * The extra headers, from `headers` (a JSON object of strings, or the
 * object itself in a hand-written flow). `authHeader` is the header the key
 * goes in, which `headers` cannot set either.
 */
export function extraHeaders(value: unknown, authHeader: string | undefined): Record<string, string> {
    const entries = stringObject('headers', value, 'such as {"X-Title": "My flow"}');
    const seen = new Set<string>();
    for (const [name, text] of Object.entries(entries)) {
        if (!TOKEN.test(name)) throw new InputError('headers', `has a name that is no header name: ${JSON.stringify(name.slice(0, 40))}`);
        const lower = name.toLowerCase();
        const refusal = REFUSED_HEADERS[lower];
        if (refusal) throw new InputError('headers', refusal);
        if (authHeader !== undefined && lower === authHeader.toLowerCase()) {
            throw new InputError('headers', `must not set ${authHeader}: the account's API key goes there (see authHeader)`);
        }
        if (seen.has(lower)) throw new InputError('headers', `sets ${name} twice (header names ignore case)`);
        seen.add(lower);
        // The value is not quoted: it may be a secret of some gateway.
        if (!HEADER_VALUE.test(text)) throw new InputError(`headers.${name}`, 'must not hold line breaks, control characters or characters beyond Latin-1');
    }
    return entries;
}

/** The extra query parameters, from `query` (a JSON object of strings). */
export function extraQuery(value: unknown): Record<string, string> {
    const entries = stringObject('query', value, 'such as {"api-version": "2024-10-21"}');
    for (const name of Object.keys(entries)) {
        if (name === '') throw new InputError('query', 'has a parameter with an empty name');
    }
    return entries;
}

/**
 * A JSON object whose values are all strings, from its JSON text; empty
 * means none. The values are never quoted in an error.
 */
function stringObject(field: string, value: unknown, example: string): Record<string, string> {
    if (isUnset(value)) return {};
    let parsed: unknown = value;
    if (typeof value === 'string') {
        if (value.trim() === '') return {};
        try {
            parsed = JSON.parse(value);
        } catch {
            throw new InputError(field, `must be a JSON object of strings, ${example}: the text is not valid JSON`);
        }
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new InputError(field, `must be a JSON object of strings, ${example}, got ${kindOf(parsed)}`);
    }
    for (const [name, item] of Object.entries(parsed)) {
        if (typeof item !== 'string') throw new InputError(`${field}.${name}`, `must be a string, got ${kindOf(item)}`);
    }
    // fromEntries: a "__proto__" name stays a plain entry.
    return Object.fromEntries(Object.entries(parsed as Record<string, string>));
}
