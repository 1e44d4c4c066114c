import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import type { FailureStatus } from '../../nodes/lib/failure';

/**
 * The runtime translates each status text in the node's own catalogue
 * (`RED._('status.<key>')` in nodes/runtime/request-node.ts), so every key it
 * can ask for must be there, in each language, and nothing else.
 */
const root = path.join(__dirname, '..', '..', '..');
const LANGUAGES = ['en-US', 'es-ES'];

/** Every failure's status key; the compiler refuses this list when FailureStatus gains or loses one. */
const ERROR_KEYS = Object.keys({
    input: true,
    noKey: true,
    auth: true,
    forbidden: true,
    notFound: true,
    rateLimited: true,
    badRequest: true,
    server: true,
    timeout: true,
    connection: true,
    aborted: true,
    badResponse: true,
    queueFull: true,
    failed: true,
} satisfies Record<FailureStatus, true>).map((key) => `error.${key}`);

/** What the request pipeline shows while messages are pending. */
const BUSY_KEYS = ['requesting', 'inFlight', 'queued', 'streaming', 'rateLimitWait'];

/** What each node shows once a message is done (its `doneStatus`). */
const DONE_KEYS: Record<string, string[]> = {
    'openai-chat': ['tokens', 'cleared'],
    'openai-moderate': ['ok', 'flagged'],
};

function source(file: string): string {
    return fs.readFileSync(path.join(root, file), 'utf8');
}

/** The catalogue's `status` block as flat keys (`error.auth`). */
function statusKeys(lang: string, type: string): string[] {
    const flat = (value: unknown, prefix: string): string[] =>
        typeof value === 'object' && value !== null
            ? Object.entries(value).flatMap(([key, inner]) => flat(inner, `${prefix}${key}.`))
            : [prefix.slice(0, -1)];
    const catalogue = JSON.parse(source(`locales/${lang}/${type}.json`)) as { status?: unknown };
    return flat(catalogue.status ?? {}, '');
}

/** The literal keys a source file passes as status keys: `statusText('x'…)` and `key: 'x'` or `key: c ? 'x' : 'y'`. */
function literalKeys(text: string): string[] {
    const keys = [...text.matchAll(/statusText\(\s*'([^']+)'/g)].map((match) => match[1]);
    for (const match of text.matchAll(/\bkey:\s*([^,}\n]+)/g)) {
        keys.push(...[...match[1].matchAll(/'([^']+)'/g)].map((literal) => literal[1]));
    }
    return keys;
}

describe('status catalogue', () => {
    it('names every busy key the request pipeline shows', () => {
        assert.deepEqual(literalKeys(source('nodes/runtime/request-node.ts')).sort(), [...BUSY_KEYS].sort());
    });

    for (const [type, doneKeys] of Object.entries(DONE_KEYS)) {
        it(`names every key ${type} shows when a message is done`, () => {
            assert.deepEqual(literalKeys(source(`nodes/${type}.ts`)).sort(), [...doneKeys].sort());
        });

        for (const lang of LANGUAGES) {
            it(`${lang} ${type}: holds exactly the status keys the node can ask for`, () => {
                const expected = [...BUSY_KEYS, ...doneKeys, ...ERROR_KEYS].sort();
                assert.deepEqual(statusKeys(lang, type).sort(), expected);
            });
        }
    }

    it('the account, which shows no status, has no status texts', () => {
        for (const lang of LANGUAGES) assert.deepEqual(statusKeys(lang, 'openai-account'), []);
    });
});
