import type { Node, NodeAPI, NodeMessage } from 'node-red';
import { InputError } from '../lib/input-error';

/** Reads one input's value for a message. */
export type PropertyReader = (msg: NodeMessage) => Promise<unknown>;

/** Types whose value does not depend on the message: read once, at deploy. */
const CONSTANT_TYPES = new Set(['str', 'num', 'bool', 'json']);

/**
 * Makes the reader of a TypedInput pair (`X`, `XType`). Constant types are
 * evaluated once and JSONata is compiled once, not per message. An empty value
 * reads as `undefined` for every type but `str`, so that an empty `num` field
 * is "not given" rather than `Number('') === 0`. Whatever fails to evaluate
 * becomes an InputError naming `field`.
 */
export function propertyReader(RED: NodeAPI, node: Node, field: string, value: unknown, type: unknown): PropertyReader {
    const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
    const kind = typeof type === 'string' && type !== '' ? type : 'str';
    if (text === '' && kind !== 'str') return async () => undefined;
    if (CONSTANT_TYPES.has(kind)) return constant(RED, node, field, text, kind);
    if (kind === 'msg') return messageProperty(RED, field, text);
    if (kind === 'jsonata') return jsonata(RED, node, field, text);
    return (msg) =>
        new Promise((resolve, reject) => {
            try {
                RED.util.evaluateNodeProperty(text, kind, node, msg, (error, result) =>
                    error ? reject(failed(field, error)) : resolve(result),
                );
            } catch (error) {
                reject(failed(field, error));
            }
        });
}

function constant(RED: NodeAPI, node: Node, field: string, text: string, kind: string): PropertyReader {
    let result: unknown;
    try {
        result = RED.util.evaluateNodeProperty(text, kind, node, {});
    } catch (error) {
        return alwaysFails(failed(field, error));
    }
    return async () => result;
}

function messageProperty(RED: NodeAPI, field: string, path: string): PropertyReader {
    try {
        RED.util.normalisePropertyExpression(path);
    } catch (error) {
        return alwaysFails(failed(field, error));
    }
    return async (msg) => {
        try {
            return RED.util.getMessageProperty(msg, path);
        } catch {
            // A missing parent (`payload.history` when there is no payload) is simply "not given".
            return undefined;
        }
    };
}

function jsonata(RED: NodeAPI, node: Node, field: string, text: string): PropertyReader {
    let expression: ReturnType<NodeAPI['util']['prepareJSONataExpression']>;
    try {
        expression = RED.util.prepareJSONataExpression(text, node);
    } catch (error) {
        return alwaysFails(failed(field, error));
    }
    return (msg) =>
        new Promise((resolve, reject) => {
            RED.util.evaluateJSONataExpression(expression, msg, (error, result) =>
                error ? reject(failed(field, error)) : resolve(result),
            );
        });
}

/** A reader for a setting that cannot work: every message gets the same error. */
function alwaysFails(problem: InputError): PropertyReader {
    return () => Promise.reject(problem);
}

function failed(field: string, error: unknown): InputError {
    const reason = error instanceof Error ? error.message : String(error);
    return new InputError(field, `could not be read: ${reason}`);
}
