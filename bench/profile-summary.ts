// Summarises V8 CPU profiles (`node --cpu-prof`, or `npm run bench -- --profile`):
// self time by where the code lives (this package, Node-RED, the SDK, undici,
// GC…) and the functions with the most self time. Given two profiles it
// prints them side by side, e.g. contestant B against C.
//   node dist/bench/profile-summary.js a.cpuprofile [b.cpuprofile] [--per N] [--top 25]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
}

interface SelfTimes {
    totalUs: number;
    byArea: Map<string, number>;
    byFunction: Map<string, number>;
}

/** Where a function lives, by its script URL. */
export function areaOf(url: string, functionName: string): string {
    if (url === '') {
        if (functionName === '(garbage collector)') return 'GC';
        if (functionName === '(idle)' || functionName === '(program)') return `${functionName}`;
        return 'native';
    }
    if (url.includes('/node_modules/openai/')) return 'openai SDK';
    if (url.includes('node:internal/deps/undici')) return 'undici (fetch)';
    if (url.includes('/node_modules/@node-red/') || url.includes('/node_modules/node-red/')) return 'Node-RED';
    if (url.includes('/node_modules/')) return `node_modules: ${url.split('/node_modules/').pop()!.split('/')[0]}`;
    if (/\/nodes\/(lib|runtime)\/|\/nodes\/openai-[a-z]+\.js/.test(url)) return 'this package (nodes/)';
    if (url.includes('/bench/')) return 'bench harness';
    if (url.startsWith('node:')) return 'Node.js core';
    return 'other';
}

export function selfTimes(profile: CpuProfile): SelfTimes {
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    const result: SelfTimes = { totalUs: 0, byArea: new Map(), byFunction: new Map() };
    profile.samples.forEach((id, index) => {
        const delta = profile.timeDeltas[index] ?? 0;
        const frame = nodes.get(id)?.callFrame;
        if (!frame) return;
        const area = areaOf(frame.url, frame.functionName);
        const name = `${frame.functionName || '(anonymous)'} ${frame.url ? `${shorten(frame.url)}:${frame.lineNumber + 1}` : ''}`.trim();
        result.totalUs += delta;
        result.byArea.set(area, (result.byArea.get(area) ?? 0) + delta);
        result.byFunction.set(`${area} | ${name}`, (result.byFunction.get(`${area} | ${name}`) ?? 0) + delta);
    });
    return result;
}

function shorten(url: string): string {
    const parts = url.replace(/^file:\/\//, '').split('/node_modules/');
    return parts.length > 1 ? parts[parts.length - 1] : path.basename(url);
}

function format(us: number, per: number | undefined): string {
    return per ? `${(us / per).toFixed(1)} µs/req` : `${(us / 1000).toFixed(0)} ms`;
}

function main(): void {
    const { values, positionals } = parseArgs({
        allowPositionals: true,
        options: { per: { type: 'string' }, top: { type: 'string' } },
    });
    if (positionals.length === 0) throw new Error('give one or two .cpuprofile files');
    const per = values.per === undefined ? undefined : Number(values.per);
    const top = Number(values.top ?? 25);
    const profiles = positionals.map((file) => ({
        name: path.basename(file),
        times: selfTimes(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile),
    }));

    // Busy time only: idle time says nothing about cost.
    const busy = (times: SelfTimes) => times.totalUs - (times.byArea.get('(idle)') ?? 0);
    console.log(`Self time by area${per ? ` per request (÷ ${per})` : ''}`);
    const areas = [...new Set(profiles.flatMap((profile) => [...profile.times.byArea.keys()]))].filter((area) => area !== '(idle)');
    areas.sort((a, b) => (profiles[0].times.byArea.get(b) ?? 0) - (profiles[0].times.byArea.get(a) ?? 0));
    console.log(['area'.padEnd(28), ...profiles.map((profile) => profile.name.padStart(22))].join(''));
    for (const area of [...areas, 'busy total']) {
        const cells = profiles.map((profile) => {
            const us = area === 'busy total' ? busy(profile.times) : (profile.times.byArea.get(area) ?? 0);
            const share = area === 'busy total' ? '' : ` ${((100 * us) / busy(profile.times)).toFixed(1)}%`;
            return `${format(us, per)}${share}`.padStart(22);
        });
        console.log([area.padEnd(28), ...cells].join(''));
    }
    if (profiles.length === 2) {
        // Where the second profile spends more than the first: the cost of what it adds.
        const [first, second] = profiles.map((profile) => profile.times.byFunction);
        const keys = new Set([...first.keys(), ...second.keys()]);
        const differences = [...keys]
            .filter((key) => !key.startsWith('(idle)'))
            .map((key): [string, number] => [key, (second.get(key) ?? 0) - (first.get(key) ?? 0)])
            .sort((a, b) => b[1] - a[1]);
        console.log(`\nTop ${top} functions by extra self time in ${profiles[1].name} over ${profiles[0].name}`);
        for (const [key, us] of differences.slice(0, top)) console.log(`${format(us, per).padStart(14)}  ${key}`);
    }
    for (const profile of profiles) {
        console.log(`\nTop ${top} functions by self time: ${profile.name}`);
        const sorted = [...profile.times.byFunction].filter(([key]) => !key.startsWith('(idle)')).sort((a, b) => b[1] - a[1]);
        for (const [key, us] of sorted.slice(0, top)) {
            console.log(`${format(us, per).padStart(14)} ${((100 * us) / busy(profile.times)).toFixed(1).padStart(5)}%  ${key}`);
        }
    }
}

if (require.main === module) main();
