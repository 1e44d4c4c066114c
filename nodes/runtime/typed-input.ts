import type { Node, NodeAPI, NodeMessage } from 'node-red';
import { unreadable } from '../lib/failure';
import { InputError } from '../lib/input-error';

/**
 * Reads one input's value for a message. Readers of message properties and
 * constants answer at once; those that may wait (context stores, JSONata,
 * environment lookups) answer with a Promise.
 */
export type PropertyReader = (msg: NodeMessage) => unknown;

/** Types whose value does not depend on the message: read once, at deploy. */
const CONSTANT_TYPES = new Set(['str', 'num', 'bool', 'json']);

/**
 * Makes the reader of a TypedInput pair (`X`, `XType`). Constant types are
 * evaluated once, message paths parsed once and JSONata compiled once, not per
 * message. An empty value reads as `undefined` for every type but `str`, so
 * that an empty `num` field is "not given" rather than `Number('') === 0`.
 * Whatever fails to evaluate becomes an InputError naming `field`. A missing
 * type (a flow written by hand or by an older version) is `defaultType`, the
 * type the editor gives the property.
 */
export function propertyReader(RED: NodeAPI, node: Node, field: string, value: unknown, type: unknown, defaultType = 'str'): PropertyReader {
    const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
    const kind = typeof type === 'string' && type !== '' ? type : defaultType;
    if (text === '' && kind !== 'str') return () => undefined;
    if (CONSTANT_TYPES.has(kind)) return constant(RED, node, field, text, kind);
    if (kind === 'msg') return messageProperty(RED, field, text);
    if (kind === 'jsonata') return jsonata(RED, node, field, text);
    return (msg) =>
        new Promise((resolve, reject) => {
            try {
                RED.util.evaluateNodeProperty(text, kind, node, msg, (error, result) =>
                    error ? reject(unreadable(field, error)) : resolve(result),
                );
            } catch (error) {
                reject(unreadable(field, error));
            }
        });
}

/**
 * Reads every input of a message, in order: at once when every value is at
 * hand, as a Promise when a reader has to be waited for.
 */
export function readInputs<Name extends string>(
    readers: readonly (readonly [Name, PropertyReader])[],
    msg: NodeMessage,
): Record<Name, unknown> | Promise<Record<Name, unknown>> {
    const values = {} as Record<Name, unknown>;
    for (let index = 0; index < readers.length; index++) {
        const [name, read] = readers[index];
        const value = read(msg);
        if (value instanceof Promise) return readRest(readers, msg, values, index, value);
        values[name] = value;
    }
    return values;
}

/** The rest of {@link readInputs}, from the first reader that answered with a Promise. */
async function readRest<Name extends string>(
    readers: readonly (readonly [Name, PropertyReader])[],
    msg: NodeMessage,
    values: Record<Name, unknown>,
    from: number,
    first: Promise<unknown>,
): Promise<Record<Name, unknown>> {
    values[readers[from][0]] = await first;
    return Object.assign(values, await readInputs(readers.slice(from + 1), msg));
}

/** `use(value)`, now if the value is at hand or once it has come. */
export function whenReady<T, R>(value: T | Promise<T>, use: (value: T) => R): R | Promise<R> {
    return value instanceof Promise ? value.then(use) : use(value);
}

function constant(RED: NodeAPI, node: Node, field: string, text: string, kind: string): PropertyReader {
    let result: unknown;
    try {
        result = RED.util.evaluateNodeProperty(text, kind, node, {});
    } catch (error) {
        return alwaysFails(unreadable(field, error));
    }
    return () => result;
}

/** Keys that lead into an object's prototype rather than its own data. */
const PROTOTYPE_KEYS: ReadonlySet<unknown> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A message property, read as Node-RED's `RED.util.getMessageProperty` reads
 * it (`msg.payload` and `payload` are the same path). The path is parsed once,
 * or per message when it refers to other message properties (`payload[msg.topic]`).
 * A missing parent (`payload.history` when there is no payload) reads as "not
 * given" rather than as an error, and so does a path through `__proto__`,
 * `constructor` or `prototype`.
 */
function messageProperty(RED: NodeAPI, field: string, path: string): PropertyReader {
    const expression = path.startsWith('msg.') ? path.slice(4) : path;
    let parts: unknown[];
    try {
        parts = RED.util.normalisePropertyExpression(expression);
    } catch (error) {
        return alwaysFails(unreadable(field, error));
    }
    if (parts.every((part) => typeof part === 'string' || typeof part === 'number')) {
        const keys = parts as (string | number)[];
        return (msg) => readPath(field, msg, keys);
    }
    return (msg) => {
        let keys: unknown[];
        try {
            keys = RED.util.normalisePropertyExpression(expression, msg);
        } catch (error) {
            throw unreadable(field, error);
        }
        return readPath(field, msg, keys);
    };
}

function readPath(field: string, msg: NodeMessage, keys: readonly unknown[]): unknown {
    let value: unknown = msg;
    try {
        for (const key of keys) {
            if (value === null || value === undefined || PROTOTYPE_KEYS.has(key)) return undefined;
            value = (value as Record<string, unknown>)[key as string];
        }
    } catch (error) {
        // A getter on the path threw (a message built by a function node can hold one).
        throw unreadable(field, error);
    }
    return value;
}

function jsonata(RED: NodeAPI, node: Node, field: string, text: string): PropertyReader {
    let expression: ReturnType<NodeAPI['util']['prepareJSONataExpression']>;
    try {
        expression = RED.util.prepareJSONataExpression(text, node);
    } catch (error) {
        return alwaysFails(unreadable(field, error));
    }
    return (msg) =>
        new Promise((resolve, reject) => {
            RED.util.evaluateJSONataExpression(expression, msg, (error, result) =>
                error ? reject(unreadable(field, error)) : resolve(result),
            );
        });
}

/** A reader for a setting that cannot work: every message gets the same error. */
function alwaysFails(problem: InputError): PropertyReader {
    return () => Promise.reject(problem);
}

