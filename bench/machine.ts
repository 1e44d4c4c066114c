// The machine a run was made on, for the report: numbers only mean something
// next to the CPU, memory and versions that produced them.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './paths';

export interface Machine {
    cpus: number;
    cpuModel: string;
    totalMemoryBytes: number;
    os: string;
    node: string;
    nodeRed: string;
    openai: string;
    /** The commit measured, and whether nodes/ had uncommitted changes. */
    source: string;
    /** 1, 5 and 15 minute load averages: other work on the machine shows here. */
    loadBefore: number[];
    loadAfter: number[];
}

/** The installed version of a package (found from its entry point: some packages do not export package.json). */
function versionOf(name: string): string {
    let dir = path.dirname(require.resolve(name));
    while (dir !== path.dirname(dir)) {
        const file = path.join(dir, 'package.json');
        if (fs.existsSync(file)) {
            const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
            if (json.name === name && json.version) return json.version;
        }
        dir = path.dirname(dir);
    }
    return 'unknown';
}

function describeSource(): string {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    try {
        const dirty = git('status', '--porcelain', '--', 'nodes') !== '';
        return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes in nodes/' : ''}`;
    } catch {
        return 'unknown (no git)';
    }
}

export function describeMachine(): Machine {
    return {
        cpus: os.availableParallelism(),
        cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
        totalMemoryBytes: os.totalmem(),
        os: `${os.type()} ${os.release()} ${os.arch()}`,
        node: process.version,
        nodeRed: versionOf('node-red'),
        openai: versionOf('openai'),
        source: describeSource(),
        loadBefore: os.loadavg(),
        loadAfter: [],
    };
}
