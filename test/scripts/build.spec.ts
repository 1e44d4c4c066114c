import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const scripts = path.join(__dirname, '..', '..', '..', 'scripts');

/**
 * The build removes its output folder before it compiles, so BUILD_DIR must
 * never name the repository, a folder of it, or anything above it. The
 * script runs from a copy in a scratch folder, so that a failing test
 * cannot delete anything that matters.
 */
describe('build script', () => {
    let scratch: string;
    let repo: string;

    beforeEach(() => {
        scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'build-dir-'));
        repo = path.join(scratch, 'repo');
        for (const folder of ['scripts', 'nodes', 'test', 'dist']) fs.mkdirSync(path.join(repo, folder), { recursive: true });
        for (const script of ['build.js', 'build-dir.js']) fs.copyFileSync(path.join(scripts, script), path.join(repo, 'scripts', script));
        for (const file of ['nodes/keep.ts', 'test/keep.ts', 'dist/keep.js']) fs.writeFileSync(path.join(repo, file), '');
        fs.writeFileSync(path.join(repo, 'package.json'), '{}');
        fs.writeFileSync(path.join(scratch, 'beside-the-repo.txt'), '');
    });
    afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

    function build(buildDir: string): { status: number | null; stderr: string } {
        const run = spawnSync(process.execPath, [path.join(repo, 'scripts', 'build.js')], {
            cwd: repo,
            env: { ...process.env, BUILD_DIR: buildDir },
            encoding: 'utf8',
        });
        return { status: run.status, stderr: run.stderr };
    }

    const survivors = () => ['repo/nodes/keep.ts', 'repo/test/keep.ts', 'repo/package.json', 'repo/scripts/build.js', 'beside-the-repo.txt'].filter((file) => fs.existsSync(path.join(scratch, file)));

    for (const buildDir of ['.', '..', '../x', '../repo', 'nodes', 'scripts', 'test', 'node_modules', 'dist/..', '/tmp', 'dist/x', 'distx', 'dist-', 'dist-a/../..', 'dist-a.b', 'dist-..']) {
        it(`refuses BUILD_DIR=${buildDir} and removes nothing`, () => {
            const { status, stderr } = build(buildDir);
            assert.notEqual(status, 0);
            assert.match(stderr, /BUILD_DIR must be dist or dist-<name>/);
            assert.deepEqual(survivors(), ['repo/nodes/keep.ts', 'repo/test/keep.ts', 'repo/package.json', 'repo/scripts/build.js', 'beside-the-repo.txt']);
            assert.ok(fs.existsSync(path.join(repo, 'dist', 'keep.js')));
        });
    }

    it('takes dist and dist-<name> (the folders .gitignore ignores)', () => {
        for (const buildDir of ['dist', 'dist-account', 'dist-a_b-1']) {
            // The scratch copy has no TypeScript, so the build stops after the check; the check itself passed.
            const { stderr } = build(buildDir);
            assert.doesNotMatch(stderr, /BUILD_DIR must/, buildDir);
        }
        assert.equal(survivors().length, 5);
    });
});
