// Compiles the TypeScript, then lays the editor files beside the compiled
// nodes, where Node-RED looks for them: `<node>.html`, `locales/` and `icons/`.
// BUILD_DIR (default `dist`) may name another output folder, `dist-<name>`,
// so that two builds can run side by side (scripts/build-dir.js).
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { buildDir } = require('./build-dir');

const root = path.join(__dirname, '..');
const outDir = buildDir(root);
const nodesOut = path.join(outDir, 'nodes');

fs.rmSync(outDir, { recursive: true, force: true });
const tsc = path.join(path.dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', root, '--outDir', outDir], { stdio: 'inherit' });

for (const file of fs.readdirSync(path.join(root, 'nodes'))) {
    if (file.endsWith('.html')) fs.copyFileSync(path.join(root, 'nodes', file), path.join(nodesOut, file));
}
fs.cpSync(path.join(root, 'locales'), path.join(nodesOut, 'locales'), { recursive: true });
fs.cpSync(path.join(root, 'icons'), path.join(nodesOut, 'icons'), { recursive: true });
