import { strict as assert } from 'node:assert';
import { parseHistory } from '../../nodes/lib/history';

describe('history', () => {
    it('reads nothing as an empty conversation', () => {
        assert.deepEqual(parseHistory(undefined), []);
        assert.deepEqual(parseHistory(null), []);
        assert.deepEqual(parseHistory(''), []);
    });

    it('reads a JSON string the same as the array it holds', () => {
        const list = [
            { role: 'system', content: 'You are helpful.' },
            { role: 'user', content: 'Hi' },
        ];
        assert.deepEqual(parseHistory(JSON.stringify(list)), list);
    });

    it('copies only role and content, so other keys never reach the API', () => {
        const item = JSON.parse('{"role":"user","content":"x","id":7,"__proto__":{"polluted":true}}');
        const [message] = parseHistory([item]);
        assert.deepEqual(Object.keys(message), ['role', 'content']);
        assert.equal(Object.getPrototypeOf(message), Object.prototype);
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });

    it('names the item that is not an object', () => {
        assert.throws(() => parseHistory([{ role: 'user', content: 'a' }, 'b']), /^InputError: history\[1\] must be an object.*got string$/);
    });

    it('refuses a JSON string that holds something else than a list', () => {
        assert.throws(() => parseHistory('{"role":"user"}'), /history must be an array .* got object/);
    });
});
