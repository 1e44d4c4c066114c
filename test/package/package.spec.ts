import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * What the flow library's `node-red-dev validate` checks without a network
 * (package P01–P08, nodes and examples N01–N02, dependencies D01–D03), plus
 * what `npm pack` ships.
 */
const root = path.join(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const NODE_TYPES = Object.keys(pkg['node-red'].nodes as Record<string, string>);
const CONFIG_TYPES = ['openai-account'];
/** The editor code the node dialogs share, served from the package's resources/ folder. */
const SHARED_EDITOR_CODE = 'resources/openai-editor.js';
const CORE_TYPES = new Set(['tab', 'comment', 'inject', 'debug', 'switch', 'change', 'catch', 'function', 'template', 'junction', 'group', 'link in', 'link out']);

function examples(): { file: string; flow: Record<string, unknown>[] }[] {
    const dir = path.join(root, 'examples');
    return fs
        .readdirSync(dir)
        .filter((file) => file.endsWith('.json'))
        .sort()
        .map((file) => ({ file, flow: JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) }));
}

describe('package', () => {
    it('has a scoped name, a license, a repository and a bug tracker', () => {
        assert.match(pkg.name, /^@connector-labs\//);
        assert.equal(typeof pkg.license, 'string');
        assert.ok(fs.existsSync(path.join(root, 'LICENSE')), 'a LICENSE file');
        assert.match(pkg.repository.url, /^git\+https:\/\//);
        assert.match(pkg.bugs.url, /^https:\/\//);
    });

    it('declares itself to Node-RED: keyword, version range, engines, the three nodes', () => {
        assert.ok(pkg.keywords.includes('node-red'));
        assert.equal(pkg['node-red'].version, '>=4.0.0');
        assert.match(pkg.engines.node, /^>=\d+/);
        assert.deepEqual(NODE_TYPES.sort(), ['openai-account', 'openai-chat', 'openai-moderate']);
        for (const file of Object.values(pkg['node-red'].nodes as Record<string, string>)) {
            assert.ok(fs.existsSync(path.join(root, file)), `${file} is built`);
            assert.ok(fs.existsSync(path.join(root, file.replace(/\.js$/, '.html'))), `${file} has its editor file beside it`);
        }
    });

    // undici: the SDK's fetch cannot go through a proxy on its own; undici's
    // ProxyAgent with undici's own fetch can (the SDK's `fetch` option).
    it('has few runtime dependencies: the official SDK, and undici for proxies', () => {
        assert.deepEqual(Object.keys(pkg.dependencies), ['openai', 'undici']);
        assert.match(pkg.dependencies.undici, /^\^7\./, 'undici 7 runs on every Node.js 22');
    });

    it('ships the built nodes, editor files, locales, icons, shared editor code, examples and docs, and nothing else', () => {
        const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }));
        const files = (packed.files as { path: string }[]).map((file) => file.path);
        const unexpected = files.filter(
            (file) => !/^(dist\/nodes\/.+\.(js|html|json|svg)|resources\/[\w-]+\.js|examples\/.+\.json|README\.md|LICENSE|package\.json)$/.test(file),
        );
        assert.deepEqual(unexpected, []);
        for (const type of NODE_TYPES) {
            for (const expected of [`dist/nodes/${type}.js`, `dist/nodes/${type}.html`, `dist/nodes/locales/en-US/${type}.json`, `dist/nodes/locales/es-ES/${type}.html`]) {
                assert.ok(files.includes(expected), `${expected} is shipped`);
            }
        }
        assert.ok(files.some((file) => file.startsWith('dist/nodes/icons/')));
        assert.ok(files.includes(SHARED_EDITOR_CODE), `${SHARED_EDITOR_CODE} is shipped`);
        assert.ok(!files.some((file) => file.startsWith('dist/test/')), 'no tests in the package');
    });

    it('loads the dialogs\' shared code from resources/ in each node\'s HTML, before any use of it', () => {
        // The editor serves <package>/resources/ as resources/<package name>/ and, for a relative
        // <script src>, runs the node set's other scripts only once it has loaded: also after a
        // palette install, when the node sets' HTML arrive in any order.
        const tag = `<script type="text/javascript" src="resources/${pkg.name}/${path.basename(SHARED_EDITOR_CODE)}"></script>`;
        assert.ok(fs.existsSync(path.join(root, SHARED_EDITOR_CODE)), `${SHARED_EDITOR_CODE} exists`);
        for (const type of NODE_TYPES) {
            const html = fs.readFileSync(path.join(root, 'nodes', `${type}.html`), 'utf8');
            const loaded = html.indexOf(tag);
            assert.ok(loaded >= 0, `${type}.html loads ${SHARED_EDITOR_CODE}`);
            const used = html.indexOf('OpenAINodesEditor');
            assert.ok(used === -1 || used > loaded, `${type}.html uses the shared code after loading it`);
            assert.ok(!/window\.OpenAINodesEditor\s*=/.test(html), `${type}.html does not define the shared code itself`);
        }
    });

    it('has examples with a comment each, only core and own nodes, and no credentials', () => {
        const all = examples();
        assert.ok(all.length >= 5);
        for (const { file, flow } of all) {
            assert.match(file, /^\d\d - /, `${file} is numbered`);
            assert.ok(flow.some((node) => node.type === 'comment' && String(node.info ?? node.name ?? '').length > 20), `${file} explains itself`);
            for (const node of flow) {
                const type = String(node.type);
                assert.ok(CORE_TYPES.has(type) || NODE_TYPES.includes(type), `${file}: ${type} is not a core node of this package's`);
                assert.equal(node.credentials, undefined, `${file}: no credentials`);
            }
            assert.ok(!/sk-[A-Za-z0-9_-]{10,}/.test(JSON.stringify(flow)), `${file}: no key`);
        }
        const used = new Set(all.flatMap(({ flow }) => flow.map((node) => String(node.type))));
        for (const type of NODE_TYPES.filter((type) => !CONFIG_TYPES.includes(type))) {
            assert.ok(used.has(type), `${type} appears in an example`);
        }
    });

    it('has the same catalogue keys and help in en-US and es-ES', () => {
        const keys = (value: unknown, prefix = ''): string[] =>
            typeof value === 'object' && value !== null
                ? Object.entries(value).flatMap(([key, inner]) => keys(inner, `${prefix}${key}.`))
                : [prefix.slice(0, -1)];
        for (const type of NODE_TYPES) {
            const read = (lang: string) => JSON.parse(fs.readFileSync(path.join(root, 'locales', lang, `${type}.json`), 'utf8'));
            assert.deepEqual(keys(read('es-ES')).sort(), keys(read('en-US')).sort(), `${type}.json`);
            for (const lang of ['en-US', 'es-ES']) {
                const help = fs.readFileSync(path.join(root, 'locales', lang, `${type}.html`), 'utf8');
                assert.match(help, new RegExp(`data-help-name="${type}"`));
            }
        }
    });

    it('keeps status texts under 20 characters in both languages', () => {
        for (const type of ['openai-chat', 'openai-moderate']) {
            for (const lang of ['en-US', 'es-ES']) {
                const { status } = JSON.parse(fs.readFileSync(path.join(root, 'locales', lang, `${type}.json`), 'utf8'));
                const texts = [...Object.values(status).filter((v) => typeof v === 'string'), ...Object.values(status.error)] as string[];
                for (const text of texts) assert.ok(text.replace('__count__', '10000').length < 20, `${lang} ${type}: "${text}"`);
            }
        }
    });
});
