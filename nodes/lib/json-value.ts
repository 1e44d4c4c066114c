// Reading the JSON-shaped inputs (history, tools, a JSON Schema) that may come
// as a value or as the JSON text of one.
import { InputError, kindOf } from './input-error';

/** A plain object: not null, not an array, not a Buffer. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** A string is read as the JSON it holds; any other value is taken as it is. */
export function fromJsonText(field: string, value: unknown): unknown {
    if (typeof value !== 'string') return value;
    try {
        return JSON.parse(value);
    } catch {
        throw new InputError(field, 'is a string but not valid JSON');
    }
}

/**
 * A copy of `value` made through JSON, so that what is sent is exactly what
 * the request body will hold, and so that a value the SDK could not write
 * (a cycle, a BigInt, a getter that throws) is bad input naming `field`
 * rather than a failure halfway through the request.
 */
export function jsonCopy<T>(field: string, value: T): T {
    try {
        return JSON.parse(JSON.stringify(value)) as T;
    } catch {
        throw new InputError(field, `must be plain JSON, got ${kindOf(value)} that cannot be written as JSON`);
    }
}
