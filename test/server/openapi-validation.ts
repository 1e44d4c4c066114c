// Checks request bodies against OpenAI's own OpenAPI description, so that a
// test fails when a node sends a field or a value the real API would reject.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/** The request bodies we validate, and their schema in `components.schemas`. */
const REQUEST_SCHEMAS = {
    chat: 'CreateChatCompletionRequest',
    moderation: 'CreateModerationRequest',
} as const;

export type RequestSchema = keyof typeof REQUEST_SCHEMAS;

export interface BodyCheck {
    /** One readable line per ajv error; empty when the body is valid. */
    errors: string[];
    /** Top-level arguments the API does not know, which it rejects by name. */
    unrecognized: string[];
    /** Where the first error is, in OpenAI's notation (`messages[0].content`). */
    param: string | null;
}

export type BodyValidator = (body: unknown) => BodyCheck;
export type RequestValidators = Record<RequestSchema, BodyValidator>;

export class SchemaNotFoundError extends Error {}

const DOCUMENT_ID = 'openai-openapi';

/** Compiled validators by schema file: compiling takes a while, so do it once per process. */
const compiled = new Map<string, RequestValidators>();

/** The schema file, kept in the repository beside this module's source (see `openapi/SOURCE.md`). */
export function openApiSchemaPath(): string {
    return path.join(repositoryRoot(), 'test', 'server', 'openapi', 'openai-openapi-subset.json');
}

export function loadRequestValidators(): RequestValidators {
    const file = openApiSchemaPath();
    let validators = compiled.get(file);
    if (!validators) {
        validators = compileValidators(readSchemaDocument(file));
        compiled.set(file, validators);
    }
    return validators;
}

// The same code runs from test/server/ and, compiled, from dist/test/server/,
// so look for package.json rather than counting folders.
function repositoryRoot(): string {
    let folder = __dirname;
    while (!fs.existsSync(path.join(folder, 'package.json'))) {
        const parent = path.dirname(folder);
        if (parent === folder) throw new Error(`No package.json found above ${__dirname}`);
        folder = parent;
    }
    return folder;
}

function readSchemaDocument(file: string): object {
    if (!fs.existsSync(file)) {
        throw new SchemaNotFoundError(`OpenAI OpenAPI schema not found at ${file}; it is part of the repository (test/server/openapi/).`);
    }
    return JSON.parse(fs.readFileSync(file, 'utf8')) as object;
}

function compileValidators(document: object): RequestValidators {
    const schemas = acceptNullWhereNullable(document) as object;
    const ajv = new Ajv2020({ strict: false, allErrors: true, discriminator: true });
    addFormats(ajv);
    for (const format of formatsUsedIn(schemas)) {
        // A format ajv-formats does not know (OpenAI's `unixtime`) is accepted as is.
        if (!ajv.formats[format]) ajv.addFormat(format, true);
    }
    ajv.addSchema(schemas, DOCUMENT_ID);
    return {
        chat: validatorFor(ajv, REQUEST_SCHEMAS.chat),
        moderation: validatorFor(ajv, REQUEST_SCHEMAS.moderation),
    };
}

function validatorFor(ajv: Ajv2020, schemaName: string): BodyValidator {
    // `unevaluatedProperties` looks through `$ref` and `allOf`, so it catches the
    // top-level arguments that the real API refuses as "unrecognized".
    const validate = ajv.compile({
        $ref: `${DOCUMENT_ID}#/components/schemas/${schemaName}`,
        unevaluatedProperties: false,
    });
    return (body) => {
        if (validate(body)) return { errors: [], unrecognized: [], param: null };
        const errors = telling(validate.errors ?? []);
        const firstValueError = errors.find((error) => !isUnrecognizedArgument(error));
        return {
            errors: [...new Set(errors.map(describeError))],
            unrecognized: errors.filter(isUnrecognizedArgument).map((error) => String(error.params.unevaluatedProperty)),
            param: firstValueError ? openAiParam(errorPath(firstValueError)) || null : null,
        };
    };
}

/**
 * When a value fails `anyOf` or `oneOf`, ajv reports each branch's error and
 * then a summary; a nullable value adds "must be null". Keep the errors that
 * say what is wrong, unless nothing else is left.
 */
function telling(errors: ErrorObject[]): ErrorObject[] {
    const isNoise = (error: ErrorObject) =>
        (error.keyword === 'type' && error.params.type === 'null') ||
        ((error.keyword === 'anyOf' || error.keyword === 'oneOf') && !Array.isArray(error.params.passingSchemas));
    const kept = errors.filter((error) => !isNoise(error));
    return kept.length > 0 ? kept : errors;
}

function isUnrecognizedArgument(error: ErrorObject): boolean {
    return error.keyword === 'unevaluatedProperties' && error.instancePath === '';
}

/** Where the error is; for a discriminator (such as a message's `role`), the tag itself. */
function errorPath(error: ErrorObject): string {
    return error.keyword === 'discriminator' ? `${error.instancePath}/${String(error.params.tag)}` : error.instancePath;
}

function describeError(error: ErrorObject): string {
    const where = errorPath(error) || '(body)';
    switch (error.keyword) {
        case 'unevaluatedProperties':
            return `${where} has unrecognized property '${String(error.params.unevaluatedProperty)}'`;
        case 'discriminator':
            return error.params.error === 'mapping'
                ? `${where} must be one of the known values, not ${JSON.stringify(error.params.tagValue)}`
                : `${where} ${error.message}`;
        case 'enum': {
            const allowed = (error.params.allowedValues as unknown[]).map((value) => JSON.stringify(value));
            return `${where} ${error.message}: ${allowed.join(', ')}`;
        }
        default:
            return `${where} ${error.message}`;
    }
}

/** `/messages/0/content` becomes `messages[0].content`, as the API names parameters. */
function openAiParam(instancePath: string): string {
    return instancePath
        .split('/')
        .slice(1)
        .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce((param, part) => (/^\d+$/.test(part) ? `${param}[${part}]` : param ? `${param}.${part}` : part), '');
}

/**
 * The file declares OpenAPI 3.1 yet still uses the 3.0 keyword `nullable`,
 * which JSON Schema 2020-12 (and so ajv) does not know. Rewrite it so `null`
 * is accepted exactly where the API accepts it.
 */
function acceptNullWhereNullable(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(acceptNullWhereNullable);
    if (!isObject(node)) return node;
    const copy = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, acceptNullWhereNullable(value)]));
    // Only a boolean is the keyword; an object would be a property called "nullable".
    if (typeof copy.nullable !== 'boolean') return copy;
    const { nullable, ...schema } = copy;
    if (!nullable) return schema;
    if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
    return { anyOf: [schema, { type: 'null' }] };
}

function formatsUsedIn(node: unknown, found = new Set<string>()): Set<string> {
    if (Array.isArray(node)) {
        for (const item of node) formatsUsedIn(item, found);
    } else if (isObject(node)) {
        if (typeof node.format === 'string') found.add(node.format);
        for (const value of Object.values(node)) formatsUsedIn(value, found);
    }
    return found;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
