// Compiles the TypeScript, then lays the editor files beside the compiled
// nodes, where Node-RED looks for them: `<node>.html`, `locales/` and `icons/`.
// BUILD_DIR (default `dist`) may name another output folder, `dist-<name>`,
// so that two builds can run side by side.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const outName = process.env.BUILD_DIR || 'dist';
// The folder is removed first, so only the names .gitignore ignores will do:
// never the repository, one of its folders, or anything outside it.
if (!/^dist(-[A-Za-z0-9_-]+)?$/.test(outName)) {
    console.error(`BUILD_DIR must be dist or dist-<name> (letters, digits, _ and -), got ${JSON.stringify(outName)}`);
    process.exit(1);
}
const outDir = path.join(root, outName);
const nodesOut = path.join(outDir, 'nodes');

fs.rmSync(outDir, { recursive: true, force: true });
const tsc = path.join(path.dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', root, '--outDir', outDir], { stdio: 'inherit' });

for (const file of fs.readdirSync(path.join(root, 'nodes'))) {
    if (file.endsWith('.html')) fs.copyFileSync(path.join(root, 'nodes', file), path.join(nodesOut, file));
}
fs.cpSync(path.join(root, 'locales'), path.join(nodesOut, 'locales'), { recursive: true });
fs.cpSync(path.join(root, 'icons'), path.join(nodesOut, 'icons'), { recursive: true });
