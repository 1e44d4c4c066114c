// Compiles bench/ (its own tsconfig) into the build folder that
// `scripts/build.js` made, BUILD_DIR as there (default `dist`): the benchmark
// measures the package compiled beside it.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { buildDir } = require('./build-dir');

const root = path.join(__dirname, '..');
const outDir = buildDir(root);
if (!fs.existsSync(path.join(outDir, 'nodes'))) throw new Error(`no package build in ${path.basename(outDir)}/: run scripts/build.js first`);

const tsc = path.join(path.dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
try {
    execFileSync(process.execPath, [tsc, '-p', path.join(root, 'bench'), '--outDir', outDir], { stdio: 'inherit' });
} catch {
    // tsc has printed the errors already.
    process.exit(1);
}
