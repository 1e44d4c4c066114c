/**
 * `npm start`: Node-RED at http://127.0.0.1:1880 with this package loaded from
 * the working tree and a user directory in `.node-red/` (ignored by git).
 * Without OPENAI_API_KEY it also starts the offline simulator and points the
 * accounts that leave their base URL empty at it, so the examples answer.
 *
 * Settings from the environment: NODE_RED_PORT (1880), NODE_RED_USER_DIR
 * (.node-red), SIMULATOR_PORT (0 = any free port), SIMULATOR_LATENCY_MS (300).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startSimulator } from '../test/server/simulator';

const root = path.join(__dirname, '..', '..');
const port = Number(process.env.NODE_RED_PORT || 1880);
const userDir = path.resolve(root, process.env.NODE_RED_USER_DIR || '.node-red');

async function main(): Promise<void> {
    const env = { ...process.env };
    let stopSimulator: (() => Promise<void>) | undefined;
    if (!env.OPENAI_API_KEY) {
        const simulator = await startSimulator(Number(process.env.SIMULATOR_PORT || 0), Number(process.env.SIMULATOR_LATENCY_MS ?? 300));
        stopSimulator = () => simulator.close();
        env.OPENAI_API_KEY = simulator.apiKey;
        env.OPENAI_BASE_URL = simulator.url;
        console.log(
            [
                '',
                '  OPENAI_API_KEY is not set: using the offline OpenAI simulator at ' + simulator.url,
                '  Accounts with an empty base URL and no key talk to it; its answers are canned.',
                '  To use the real API, stop here and run: OPENAI_API_KEY=sk-... npm start',
                '',
            ].join('\n'),
        );
    }

    fs.mkdirSync(userDir, { recursive: true });
    const settingsFile = path.join(userDir, 'settings.js');
    fs.writeFileSync(settingsFile, settingsSource());

    const redJs = require.resolve('node-red/red.js');
    const child = spawn(process.execPath, [redJs, '--userDir', userDir, '--settings', settingsFile], { env, stdio: 'inherit' });
    const stop = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    child.on('exit', async (code) => {
        await stopSimulator?.();
        process.exit(code ?? 0);
    });
}

/** Node-RED settings: loopback only, this package loaded from the working tree. */
function settingsSource(): string {
    const settings = {
        uiHost: '127.0.0.1',
        uiPort: port,
        flowFile: 'flows.json',
        nodesDir: [root],
        // Offline-friendly: no update-notification prompt, no flow library catalogue to fetch.
        telemetry: { enabled: false },
        editorTheme: { tours: false, palette: { catalogues: [] } },
        logging: { console: { level: 'info', metrics: false, audit: false } },
    };
    return `// Written by npm start; edits are overwritten.\nmodule.exports = ${JSON.stringify(settings, null, 4)};\n`;
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
