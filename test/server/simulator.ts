// The test server as a stand-alone, offline OpenAI for demos and `npm start`:
//   node dist/test/server/simulator.js [--port 4010] [--latency 200]
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { openApiSchemaPath, startTestServer, type TestServer } from './openai-test-server';

const USAGE = 'Usage: node dist/test/server/simulator.js [--port 4010] [--latency 200]';
const MAX_LATENCY_MS = 60_000;

/** How many of the latest requests the simulator remembers: enough to look into, never the whole session. */
export const SIMULATOR_MAX_RECORDED = 100;

/**
 * Starts the simulator on 127.0.0.1 and prints where it is and the key to use.
 * Requests are checked against the OpenAPI schema when the schema file is there,
 * and only the latest {@link SIMULATOR_MAX_RECORDED} are kept.
 */
export async function startSimulator(port = 4010, latencyMs = 0): Promise<TestServer> {
    const schemaFile = openApiSchemaPath();
    const validate = fs.existsSync(schemaFile);
    if (!validate) console.log(`Note: no OpenAPI schema at ${schemaFile}, so request bodies are not validated.`);
    const server = await startTestServer({ port, latencyMs, validate, maxRecorded: SIMULATOR_MAX_RECORDED });
    console.log(`OpenAI simulator ready: base URL ${server.url}  API key ${server.apiKey}`);
    return server;
}

async function main(): Promise<void> {
    const { port, latencyMs } = readArguments(process.argv.slice(2));
    const server = await startSimulator(port, latencyMs);
    // Closing ends every connection, after which nothing keeps the process alive.
    const stop = () => void server.close();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
}

/** A mistake on the command line, answered with the usage line. */
class UsageError extends Error {}

function readArguments(args: string[]): { port: number; latencyMs: number } {
    let values: { port?: string; latency?: string; help?: boolean };
    try {
        ({ values } = parseArgs({
            args,
            options: { port: { type: 'string' }, latency: { type: 'string' }, help: { type: 'boolean' } },
        }));
    } catch (error) {
        throw new UsageError((error as Error).message);
    }
    if (values.help) {
        console.log(USAGE);
        process.exit(0);
    }
    return {
        port: wholeNumber('--port', values.port ?? '4010', 65535),
        latencyMs: wholeNumber('--latency', values.latency ?? '0', MAX_LATENCY_MS),
    };
}

function wholeNumber(option: string, text: string, max: number): number {
    if (!/^\d+$/.test(text) || Number(text) > max) {
        throw new UsageError(`${option} must be a whole number from 0 to ${max}, not "${text}"`);
    }
    return Number(text);
}

if (require.main === module) {
    main().catch((error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        if (error instanceof UsageError) console.error(USAGE);
        process.exit(1);
    });
}
