import { strict as assert } from 'node:assert';
import { InputError } from '../../nodes/lib/input-error';

/** Asserts that `action` throws an InputError naming `field`, with a message that matches `detail`. */
export function assertInputError(action: () => unknown, field: string, detail: RegExp): void {
    assert.throws(action, (error: unknown) => {
        assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
        assert.equal(error.field, field);
        assert.match(error.message, detail);
        return true;
    });
}
