/**
 * Bad input from a message or a node's settings. The message names the field
 * by its property name (`temperature`, `history[2].role`) so that a flow
 * author can find it; it never repeats the value itself, which may be private.
 */
export class InputError extends Error {
    constructor(
        readonly field: string,
        detail: string,
    ) {
        super(`${field} ${detail}`);
        this.name = 'InputError';
    }
}

/** The kind of a value, as error messages show it: `got string`, `got undefined`. */
export function kindOf(value: unknown): string {
    if (value === null) return 'null';
    if (Array.isArray(value)) return 'array';
    if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
    if (Buffer.isBuffer(value)) return 'buffer';
    return typeof value;
}
