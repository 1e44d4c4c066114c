// Compiles the TypeScript, then lays the editor files beside the compiled
// nodes, where Node-RED looks for them: `<node>.html`, `locales/` and `icons/`.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const out = path.join(root, 'dist', 'nodes');

fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
const tsc = path.join(path.dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', root], { stdio: 'inherit' });

for (const file of fs.readdirSync(path.join(root, 'nodes'))) {
    if (file.endsWith('.html')) fs.copyFileSync(path.join(root, 'nodes', file), path.join(out, file));
}
fs.cpSync(path.join(root, 'locales'), path.join(out, 'locales'), { recursive: true });
fs.cpSync(path.join(root, 'icons'), path.join(out, 'icons'), { recursive: true });
