// A value that follows a JSON Schema, made up from the schema alone: what the
// simulated model answers in json_schema mode and passes as tool arguments.

/** Nested schemas deeper than this (or a `$ref` that loops) give `null`. */
const MAX_DEPTH = 8;

const SAMPLE_NUMBER = 42;

/** Sample strings for the formats a schema most often names. */
const FORMATS: Readonly<Record<string, string>> = {
    date: '2025-01-01',
    'date-time': '2025-01-01T12:00:00Z',
    time: '12:00:00',
    email: 'someone@example.com',
    uri: 'https://example.com/',
    uuid: '00000000-0000-4000-8000-000000000000',
};

/**
 * A value that follows `schema`: `const` or the first `enum` value if there is
 * one; for an object each required property (every property when `required`
 * is missing); for an array one item; `"simulated <name>"` (or a sample of
 * its `format`) for a string; 42, kept within `minimum` and `maximum`, for a
 * number; `true` for a boolean. Local `$ref`s (`#/$defs/…`) are followed; of
 * `anyOf`/`oneOf` the first option that is not `null` is used.
 */
export function sampleJson(schema: Record<string, unknown>): unknown {
    return sample(schema, 'answer', schema, 0);
}

function sample(schema: unknown, name: string, root: Record<string, unknown>, depth: number): unknown {
    if (depth > MAX_DEPTH) return null;
    if (!isObject(schema)) return `simulated ${name}`;
    if ('const' in schema) return schema.const;
    if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
    if (typeof schema.$ref === 'string') return sample(resolve(root, schema.$ref), name, root, depth + 1);
    const options = schema.anyOf ?? schema.oneOf;
    if (Array.isArray(options) && options.length > 0) {
        const option = options.find((candidate) => !(isObject(candidate) && candidate.type === 'null')) ?? options[0];
        return sample(option, name, root, depth + 1);
    }
    switch (typeOf(schema)) {
        case 'object':
            return sampleObject(schema, root, depth);
        case 'array':
            return schema.maxItems === 0 ? [] : [sample(schema.items, name, root, depth + 1)];
        case 'integer':
            return Math.ceil(sampleNumber(schema));
        case 'number':
            return sampleNumber(schema);
        case 'boolean':
            return true;
        case 'null':
            return null;
        default:
            return (typeof schema.format === 'string' && FORMATS[schema.format]) || `simulated ${name}`;
    }
}

function sampleObject(schema: Record<string, unknown>, root: Record<string, unknown>, depth: number): Record<string, unknown> {
    const properties = isObject(schema.properties) ? schema.properties : {};
    const names = Array.isArray(schema.required) ? schema.required.filter((key) => typeof key === 'string') : Object.keys(properties);
    // fromEntries makes own properties, so a property called __proto__ stays data.
    return Object.fromEntries(names.map((key: string) => [key, sample(Object.hasOwn(properties, key) ? properties[key] : undefined, key, root, depth + 1)]));
}

function typeOf(schema: Record<string, unknown>): unknown {
    if (Array.isArray(schema.type)) return schema.type.find((type) => type !== 'null') ?? 'null';
    if (schema.type !== undefined) return schema.type;
    return isObject(schema.properties) ? 'object' : undefined;
}

function sampleNumber(schema: Record<string, unknown>): number {
    const { minimum, maximum } = schema;
    let value = SAMPLE_NUMBER;
    if (typeof maximum === 'number' && value > maximum) value = maximum;
    if (typeof minimum === 'number' && value < minimum) value = minimum;
    return value;
}

/** A JSON Pointer into the schema itself (`#`, `#/$defs/name`); anything else resolves to nothing. */
function resolve(root: Record<string, unknown>, ref: string): unknown {
    if (!ref.startsWith('#')) return undefined;
    const steps = ref.slice(1).split('/').filter(Boolean).map((step) => step.replace(/~1/g, '/').replace(/~0/g, '~'));
    let node: unknown = root;
    for (const step of steps) {
        if (!isObject(node) || !Object.hasOwn(node, step)) return undefined;
        node = node[step];
    }
    return node;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
