import { strict as assert } from 'node:assert';
import { helper } from '../support/flow';

describe('the Node-RED runtime under test', () => {
    it('is the one NODE_RED_RUNTIME names (Node-RED 5 by default)', () => {
        const name = process.env.NODE_RED_RUNTIME || 'node-red';
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const expected: string = require(`${name}/package.json`).version;
        const running = (helper as unknown as { _RED: { version(): string } })._RED.version();
        assert.equal(running.replace(/-git$/, ''), expected);
        assert.match(expected, name === 'node-red' ? /^5\./ : /^4\.1\./);
    });
});
