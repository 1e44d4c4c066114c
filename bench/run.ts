// `npm run bench`: throughput (A: the openai SDK, B: the thinnest Node-RED
// node, C: this package's nodes), memory, start-up, the first streamed partial
// and bursts against rate limits, against the project's local test server
// running in a child process of its own. Prints the
// tables, writes the numbers as JSON and the chart to .artifacts/bench/, and
// the chart to bench/throughput.svg on a full run.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeMachine } from './machine';
import { ARTIFACTS_DIR, COMMITTED_CHART } from './paths';
import {
    conversationTable,
    firstPartialTable,
    fullGcTable,
    historyTable,
    machineTable,
    queueTable,
    rateLimitTable,
    renderMarkdown,
    renderText,
    startupTable,
    targetsTable,
    throughputChart,
    throughputTable,
} from './report';
import { type FirstPartialResults, runFirstPartial } from './scenarios/first-partial';
import { imagesTable, type ImagesResults, runImages } from './scenarios/images';
import { runMemory, type MemoryResults } from './scenarios/memory';
import { rateLimitedServers, type RateLimitResults, runRateLimits } from './scenarios/rate-limits';
import { runStartup, type StartupResults } from './scenarios/startup';
import { runThroughput, throughputCells, type ThroughputResults } from './scenarios/throughput';
import { startServerProcess } from './server';
import { isFullRun, readSettings, serverLatencies, USAGE } from './settings';
import { judgeTargets, summariseRateLimits, summariseStartup, summariseThroughput } from './summary';

const log = (line: string) => console.log(line);

async function main(): Promise<void> {
    const settings = readSettings(process.argv.slice(2), process.env);
    const machine = describeMachine();
    const startedAt = new Date();
    const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
    const cells = throughputCells(settings);
    log(
        `Benchmark${settings.quick ? ' (quick)' : ''}: ${settings.sections.join(', ')}; ` +
            `${settings.rounds} rounds of ${cells.length} cells × 3 contestants; ${machine.cpus} CPUs, Node.js ${machine.node}`,
    );

    let throughput: ThroughputResults | undefined;
    let memory: MemoryResults | undefined;
    let startup: StartupResults | undefined;
    let firstPartial: FirstPartialResults | undefined;
    let images: ImagesResults | undefined;
    let rateLimits: RateLimitResults | undefined;
    const server = await startServerProcess(serverLatencies(settings), settings.sections.includes('rate-limits') ? rateLimitedServers(settings) : []);
    try {
        if (settings.sections.includes('throughput')) {
            log('Throughput (A: openai SDK, B: thinnest Node-RED node, C: this package)');
            throughput = await runThroughput(settings, server, path.join(ARTIFACTS_DIR, 'profiles', stamp), log);
        }
        if (settings.sections.includes('memory')) {
            log('Memory');
            memory = await runMemory(settings, server, log);
        }
        if (settings.sections.includes('images')) {
            log('Images (a 5 MB JPEG per chat message)');
            images = await runImages(settings, server, log);
        }
        if (settings.sections.includes('rate-limits')) {
            log('Rate limits (A: openai SDK, B: thinnest Node-RED node, C: this package)');
            rateLimits = await runRateLimits(settings, server, log);
        }
    } finally {
        await server.stop();
    }
    if (settings.sections.includes('startup')) {
        log('Start-up');
        startup = await runStartup(settings, log);
    }
    if (settings.sections.includes('first-partial')) {
        log('First partial (A: openai SDK stream, C: this package, stream on)');
        firstPartial = await runFirstPartial({ samples: settings.firstPartialSamples, warmup: settings.firstPartialWarmup }, log);
    }
    machine.loadAfter = os.loadavg();
    const durationSeconds = (Date.now() - startedAt.getTime()) / 1000;

    const summary = throughput ? summariseThroughput(throughput) : [];
    const startupSummary = startup ? summariseStartup(startup) : undefined;
    const rateLimitSummary = rateLimits ? summariseRateLimits(rateLimits) : [];
    const targets = judgeTargets(summary, memory, rateLimitSummary);
    const tables = [
        ...(throughput ? [throughputTable(summary, throughput.lifetimeMaxRssBytes), fullGcTable(summary)] : []),
        ...(memory ? [queueTable(memory), historyTable(memory), conversationTable(memory)] : []),
        ...(startupSummary ? [startupTable(startupSummary)] : []),
        ...(firstPartial ? [firstPartialTable(firstPartial)] : []),
        ...(images ? [imagesTable(images)] : []),
        ...(rateLimits ? [rateLimitTable(rateLimitSummary, rateLimits.settings)] : []),
        ...(targets.length > 0 ? [targetsTable(targets)] : []),
        machineTable(machine),
    ];
    log('');
    for (const table of tables) log(`${renderText(table)}\n`);

    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const results = {
        startedAt,
        durationSeconds,
        settings,
        machine,
        targets,
        throughput: throughput && { summary, ...throughput },
        memory,
        startup: startup && { summary: startupSummary, ...startup },
        firstPartial,
        images,
        rateLimits: rateLimits && { summary: rateLimitSummary, ...rateLimits },
    };
    const json = JSON.stringify(results, null, 2);
    const written = [
        write(path.join(ARTIFACTS_DIR, `results-${stamp}.json`), json),
        write(path.join(ARTIFACTS_DIR, 'results-latest.json'), json),
        write(path.join(ARTIFACTS_DIR, 'report-latest.md'), tables.map(renderMarkdown).join('\n\n') + '\n'),
    ];
    if (throughput) {
        const chart = throughputChart(summary, machine);
        written.push(write(path.join(ARTIFACTS_DIR, 'throughput.svg'), chart));
        // Only a full run replaces the committed chart: never a smoke, narrowed or profiled one.
        if (isFullRun(settings)) written.push(write(COMMITTED_CHART, chart));
    }
    log(`Wrote ${written.join(', ')}`);
    if (throughput?.profiles) {
        const measured = throughput.samples.filter((sample) => sample.contestant === 'sdk');
        const requests = throughput.warmupRequests + measured.reduce((sum, sample) => sum + sample.requests, 0);
        const summarise = path.relative(process.cwd(), path.join(__dirname, 'profile-summary.js'));
        log(`CPU profiles in ${path.relative(process.cwd(), throughput.profiles)}; each contestant made ${requests} requests:`);
        log(`  node ${summarise} sdk.cpuprofile --per ${requests}`);
        // B and C share a process, so their profile holds the requests of both.
        log(`  node ${summarise} thin-node+package-nodes.cpuprofile --per ${2 * requests}`);
    }
    log(`Done in ${Math.round(durationSeconds)} s.`);
}

function write(file: string, content: string): string {
    fs.writeFileSync(file, content);
    return path.relative(process.cwd(), file);
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    console.error(USAGE);
    process.exit(1);
});
