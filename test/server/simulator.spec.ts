import { strict as assert } from 'node:assert';
import { SIMULATOR_MAX_RECORDED, startSimulator } from './simulator';
import type { TestServer } from './openai-test-server';

describe('offline simulator', () => {
    let simulator: TestServer;
    const log = console.log;

    before(async () => {
        console.log = () => {};
        try {
            simulator = await startSimulator(0, 0);
        } finally {
            console.log = log;
        }
    });
    after(() => simulator.close());

    it('keeps a bounded record of requests, however long `npm start` runs', async () => {
        const headers = { authorization: `Bearer ${simulator.apiKey}` };
        for (let i = 0; i < SIMULATOR_MAX_RECORDED + 5; i++) {
            await (await fetch(`${simulator.url}/models`, { headers })).text();
        }
        assert.ok(SIMULATOR_MAX_RECORDED > 0);
        assert.equal(simulator.requests.length, SIMULATOR_MAX_RECORDED);
    });
});
