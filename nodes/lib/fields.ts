import { InputError, kindOf } from './input-error';

/** `undefined`, `null` and `''` mean "not given": the API's own default applies. */
export function isUnset(value: unknown): value is undefined | null | '' {
    return value === undefined || value === null || value === '';
}

/** A string that must be there and must not be empty. */
export function requiredString(field: string, value: unknown): string {
    if (typeof value !== 'string') throw new InputError(field, `must be a string, got ${kindOf(value)}`);
    if (value === '') throw new InputError(field, 'must not be empty');
    return value;
}

/** A string that may be left out; anything else but a string is an error. */
export function optionalString(field: string, value: unknown): string | undefined {
    if (isUnset(value)) return undefined;
    if (typeof value !== 'string') throw new InputError(field, `must be a string, got ${kindOf(value)}`);
    return value;
}

/** Range and integer rules for a numeric input. */
export interface NumberRule {
    min: number;
    /** Default: no upper bound. */
    max?: number;
    /** Default: false. */
    integer?: boolean;
}

/**
 * A number that may be left out. Numeric strings are accepted, since
 * message properties that come from HTTP, MQTT or a form are often strings.
 */
export function optionalNumber(field: string, value: unknown, rule: NumberRule): number | undefined {
    if (isUnset(value)) return undefined;
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number)) {
        throw new InputError(field, `must be ${describe(rule)}, got ${kindOf(value)}`);
    }
    const outOfRange = number < rule.min || (rule.max !== undefined && number > rule.max);
    if (outOfRange || (rule.integer && !Number.isInteger(number))) {
        throw new InputError(field, `must be ${describe(rule)}, got number ${number}`);
    }
    return number;
}

function describe(rule: NumberRule): string {
    const what = rule.integer ? 'an integer' : 'a number';
    return rule.max === undefined ? `${what} ≥ ${rule.min}` : `${what} from ${rule.min} to ${rule.max}`;
}
