// Where things are, computed from this file's place in the build output
// (`<root>/<build dir>/bench/paths.js`), so any BUILD_DIR works the same.
import * as path from 'node:path';

/** The compiled output the benchmark runs from, e.g. `<root>/dist`. */
export const BUILD_DIR = path.resolve(__dirname, '..');
/** The repository root. */
export const ROOT = path.resolve(BUILD_DIR, '..');
/** Numbers and charts of each run; git-ignored. */
export const ARTIFACTS_DIR = path.join(ROOT, '.artifacts', 'bench');
/** The committed chart. */
export const COMMITTED_CHART = path.join(ROOT, 'bench', 'throughput.svg');
/** The npm name of this package, as Node-RED's registry knows it. */
export const PACKAGE_NAME: string = (require(path.join(ROOT, 'package.json')) as { name: string }).name;
