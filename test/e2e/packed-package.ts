// Packs this package the way `npm publish` would and installs the tarball
// into a Node-RED user directory, so the end-to-end test runs what users get
// from the registry rather than the working tree.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PackageManifest {
    name: string;
    version: string;
    files: string[];
    'node-red': { nodes: Record<string, string> };
}

export interface PackedPackage {
    tarball: string;
    /** Paths inside the tarball, relative to the package root (`dist/nodes/openai-chat.js`). */
    files: string[];
}

/** The repository root: the first folder above `from` that holds a package.json. */
export function repositoryRoot(from = __dirname): string {
    let folder = from;
    while (!fs.existsSync(path.join(folder, 'package.json'))) {
        const parent = path.dirname(folder);
        if (parent === folder) throw new Error(`No package.json found above ${from}`);
        folder = parent;
    }
    return folder;
}

/**
 * The build output this file was compiled into (`dist/` in `npm test`, another
 * BUILD_DIR when builds run side by side): this file is `<build>/test/e2e/`.
 */
export function buildRoot(): string {
    return path.resolve(__dirname, '..', '..');
}

export function readManifest(): PackageManifest {
    return JSON.parse(fs.readFileSync(path.join(repositoryRoot(), 'package.json'), 'utf8')) as PackageManifest;
}

/**
 * Runs `npm pack` on a staging copy of the package whose `dist/` entries come
 * from this spec's own build output. Packing the repository root directly
 * would pick up whatever `dist/` holds, which need not be the build under test.
 */
export async function packPackage(workDir: string): Promise<PackedPackage> {
    const root = repositoryRoot();
    const manifest = readManifest();
    const stage = path.join(workDir, 'stage');
    const out = path.join(workDir, 'pack');
    fs.mkdirSync(stage, { recursive: true });
    fs.mkdirSync(out, { recursive: true });
    fs.copyFileSync(path.join(root, 'package.json'), path.join(stage, 'package.json'));
    for (const entry of manifest.files) {
        const inDist = entry === 'dist' || entry.startsWith('dist/');
        const source = inDist ? path.join(buildRoot(), path.relative('dist', entry)) : path.join(root, entry);
        // An entry that does not exist is simply not shipped, as with a real `npm pack`.
        if (fs.existsSync(source)) fs.cpSync(source, path.join(stage, entry), { recursive: true });
    }
    const { stdout } = await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', out], stage);
    const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    return { tarball: path.join(out, packed.filename), files: packed.files.map((file) => file.path) };
}

/**
 * Installs the tarball into `userDir` as a user would. The SDK it depends on
 * comes from npm's cache, which `npm ci` has just filled, so no download is needed.
 */
export async function installPackage(userDir: string, tarball: string): Promise<void> {
    fs.mkdirSync(userDir, { recursive: true });
    const manifest = { name: 'node-red-openai-e2e-user-dir', version: '0.0.0', private: true };
    fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify(manifest, null, 2));
    // --prefix pins the install here even when npm's own environment (e.g. under `npm test`) names another project.
    await npm(['install', tarball, '--no-audit', '--no-fund', '--prefer-offline', '--prefix', userDir], userDir);
}

async function npm(args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
    try {
        return await run('npm', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    } catch (error) {
        const { stderr = '' } = error as { stderr?: string };
        throw new Error(`npm ${args[0]} failed in ${cwd}: ${(error as Error).message}\n${stderr}`);
    }
}
