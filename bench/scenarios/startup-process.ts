// A fresh child per start-up sample: Node-RED starts with this package not
// yet installed, then the package is installed and loaded the way the palette
// manager adds a module (the registry's addModule: package.json, editor files,
// locales, then each node's JavaScript and its registration).
import { runChild, serve } from '../child';
import { initNodeRed, installPackage, makeUserDir, nodeRedRegistry } from '../node-red/runtime';
import { PACKAGE_NAME } from '../paths';

export interface StartupSample {
    preloadedSdk: boolean;
    /** Node-RED's own start, core nodes included, without this package. */
    nodeRedStartMs: number;
    /** require('openai') alone, when it was preloaded. */
    sdkRequireMs?: number;
    /** Loading this package: until its three node types are registered. */
    packageLoadMs: number;
    rssBeforeBytes: number;
    rssAfterBytes: number;
}

const TYPES = ['openai-account', 'openai-moderate', 'openai-chat'];

async function startup({ preloadSdk }: { preloadSdk: boolean }): Promise<StartupSample> {
    // Nothing else in this process may load the SDK: the bench's own nodes stay out.
    const userDir = makeUserDir({ flows: [], withPackage: false, withBenchNodes: false });
    const app = initNodeRed(userDir);
    let start = performance.now();
    await app.start();
    const nodeRedStartMs = performance.now() - start;

    let sdkRequireMs: number | undefined;
    if (preloadSdk) {
        start = performance.now();
        require('openai');
        sdkRequireMs = performance.now() - start;
    }

    const sdkWasLoaded = require.resolve('openai') in require.cache;
    if (sdkWasLoaded !== preloadSdk) throw new Error(`the SDK was ${sdkWasLoaded ? '' : 'not '}loaded before the package`);

    installPackage(userDir);
    const rssBeforeBytes = process.memoryUsage.rss();
    start = performance.now();
    await nodeRedRegistry().addModule(PACKAGE_NAME);
    const packageLoadMs = performance.now() - start;
    const missing = TYPES.filter((type) => !app.nodes.getType(type));
    if (missing.length > 0) throw new Error(`Node-RED did not register ${missing.join(', ')}`);
    return { preloadedSdk: preloadSdk, nodeRedStartMs, sdkRequireMs, packageLoadMs, rssBeforeBytes, rssAfterBytes: process.memoryUsage.rss() };
}

runChild(async () => {
    serve({ startup });
});
