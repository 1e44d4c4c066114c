// Start-up: how long Node-RED takes to load this package, with and without
// the openai SDK already loaded (by another package, say). The two variants
// take turns, each sample in a fresh process.
import * as path from 'node:path';
import { forkChild } from '../child';
import type { BenchSettings } from '../settings';
import type { StartupSample } from './startup-process';

export interface StartupResults {
    samples: StartupSample[];
}

export async function runStartup(settings: BenchSettings, log: (line: string) => void): Promise<StartupResults> {
    const samples: StartupSample[] = [];
    for (let sample = 1; sample <= settings.startupSamples; sample++) {
        const line: string[] = [];
        for (const preloadSdk of [false, true]) {
            const child = await forkChild(path.join(__dirname, 'startup-process.js'));
            try {
                const measured = await child.call<StartupSample>('startup', { preloadSdk });
                samples.push(measured);
                line.push(`${preloadSdk ? 'SDK preloaded' : 'cold'} ${measured.packageLoadMs.toFixed(1)} ms`);
            } finally {
                await child.stop();
            }
        }
        log(`  sample ${sample}/${settings.startupSamples}: package load ${line.join(', ')}`);
    }
    return { samples };
}
