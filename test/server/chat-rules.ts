// Rules of the chat completions API that its OpenAPI schema cannot state:
// tool results answer tool calls, a tool choice names an offered tool, strict
// schemas close every object, and data: URL images are images. The wording
// follows the real API's.
import { chatImagesProblem } from './image-urls';
import { apiError, type ErrorReply } from './openai-errors';

interface ChatBody {
    messages?: unknown;
    tools?: unknown;
    tool_choice?: unknown;
    response_format?: unknown;
}

/** The first rule `body` breaks, as the API answers it, or `undefined`. */
export function chatRuleProblem(body: ChatBody): ErrorReply | undefined {
    return toolChoiceProblem(body) ?? toolMessagesProblem(body.messages) ?? strictSchemasProblem(body) ?? chatImagesProblem(body.messages);
}

function toolChoiceProblem({ tools, tool_choice: choice }: ChatBody): ErrorReply | undefined {
    if (choice === undefined || choice === null) return undefined;
    const offered = Array.isArray(tools) ? tools : [];
    if (offered.length === 0) {
        return apiError(400, "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", { param: 'tool_choice' });
    }
    if (!isObject(choice) || choice.type !== 'function' || !isObject(choice.function)) return undefined;
    const name = choice.function.name;
    const known = offered.some((tool) => isObject(tool) && isObject(tool.function) && tool.function.name === name);
    return known ? undefined : apiError(400, `Invalid 'tool_choice': function '${String(name)}' is not one of 'tools'.`, { param: 'tool_choice' });
}

/** Each tool message answers a call of the assistant message before it, and each such call is answered. */
function toolMessagesProblem(messages: unknown): ErrorReply | undefined {
    if (!Array.isArray(messages)) return undefined;
    let open: Set<unknown> = new Set();
    let caller = -1;
    for (let index = 0; index < messages.length; index++) {
        const message: unknown = messages[index];
        if (!isObject(message)) continue;
        if (message.role === 'tool') {
            if (!open.delete(message.tool_call_id)) {
                return apiError(
                    400,
                    "Invalid parameter: messages with role 'tool' must be a response to a preceding message with 'tool_calls'.",
                    { param: `messages.[${index}].role` },
                );
            }
            continue;
        }
        if (open.size > 0) return unanswered(caller, open);
        if (message.role === 'assistant' && Array.isArray(message.tool_calls)) {
            open = new Set(message.tool_calls.map((call: unknown) => (isObject(call) ? call.id : undefined)));
            caller = index;
        }
    }
    return open.size > 0 ? unanswered(caller, open) : undefined;
}

function unanswered(index: number, ids: Set<unknown>): ErrorReply {
    return apiError(
        400,
        "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. " +
            `The following tool_call_ids did not have response messages: ${[...ids].map(String).join(', ')}`,
        { param: `messages.[${index}].role` },
    );
}

/** Strict schemas (structured outputs, strict tools) must close every object and require every property. */
function strictSchemasProblem({ response_format: format, tools }: ChatBody): ErrorReply | undefined {
    if (isObject(format) && format.type === 'json_schema' && isObject(format.json_schema) && format.json_schema.strict === true) {
        const { name, schema } = format.json_schema;
        const problem = rootProblem(schema) ?? strictProblem(schema, []);
        if (problem) return apiError(400, `Invalid schema for response_format '${String(name)}': ${problem}`, { param: 'response_format', code: 'invalid_json_schema' });
    }
    for (const [index, tool] of (Array.isArray(tools) ? tools : []).entries()) {
        const fn = isObject(tool) && isObject(tool.function) ? tool.function : undefined;
        if (fn?.strict !== true || fn.parameters === undefined) continue;
        const problem = rootProblem(fn.parameters) ?? strictProblem(fn.parameters, []);
        if (problem) {
            return apiError(400, `Invalid schema for function '${String(fn.name)}': ${problem}`, { param: `tools[${index}].function.parameters`, code: 'invalid_function_parameters' });
        }
    }
    return undefined;
}

function rootProblem(schema: unknown): string | undefined {
    if (isObject(schema) && schema.type === 'object') return undefined;
    const type = isObject(schema) ? JSON.stringify(schema.type ?? 'None') : 'None';
    return `schema must be a JSON Schema of 'type: "object"', got 'type: ${type}'.`;
}

function strictProblem(schema: unknown, path: string[]): string | undefined {
    if (!isObject(schema)) return undefined;
    const context = `In context=(${path.map((step) => `'${step}'`).join(', ')}${path.length === 1 ? ',' : ''})`;
    if (isObject(schema.properties) || schema.type === 'object') {
        if (schema.additionalProperties !== false) return `${context}, 'additionalProperties' is required to be supplied and to be false.`;
        const keys = Object.keys(isObject(schema.properties) ? schema.properties : {});
        const required = Array.isArray(schema.required) ? schema.required : [];
        const missing = keys.find((key) => !required.includes(key));
        if (missing !== undefined) {
            return `${context}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'.`;
        }
    }
    for (const [key, child] of Object.entries(isObject(schema.properties) ? schema.properties : {})) {
        const problem = strictProblem(child, [...path, 'properties', key]);
        if (problem) return problem;
    }
    for (const group of ['$defs', 'definitions']) {
        for (const [key, child] of Object.entries(isObject(schema[group]) ? schema[group] : {})) {
            const problem = strictProblem(child, [...path, group, key]);
            if (problem) return problem;
        }
    }
    for (const group of ['anyOf', 'oneOf', 'allOf']) {
        const options = schema[group];
        for (const [index, option] of (Array.isArray(options) ? options : []).entries()) {
            const problem = strictProblem(option, [...path, group, String(index)]);
            if (problem) return problem;
        }
    }
    return strictProblem(schema.items, [...path, 'items']);
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
