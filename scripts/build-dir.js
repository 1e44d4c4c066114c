// The build folder both build scripts write: BUILD_DIR (default `dist`), which
// may name another folder, `dist-<name>`, so that two builds can run side by side.
'use strict';
const path = require('node:path');

/** The build folder's absolute path under `root`; exits when BUILD_DIR is not `dist` or `dist-<name>`. */
function buildDir(root) {
    const outName = process.env.BUILD_DIR || 'dist';
    // The folder is removed first, so only the names .gitignore ignores will do:
    // never the repository, one of its folders, or anything outside it.
    if (!/^dist(-[A-Za-z0-9_-]+)?$/.test(outName)) {
        console.error(`BUILD_DIR must be dist or dist-<name> (letters, digits, _ and -), got ${JSON.stringify(outName)}`);
        process.exit(1);
    }
    return path.join(root, outName);
}

module.exports = { buildDir };
