import type { Node, NodeAPI, NodeDef } from 'node-red';
import { buildChatRequest, type ChatInputs, type ChatRequest, type ChatResult, formatChatResult, streamingParams } from './lib/chat';
import { readStream } from './lib/stream-assembly';
import { handleRequests, type RequestNodeConfig } from './runtime/request-node';
import { propertyReader, readInputs, whenReady } from './runtime/typed-input';

/** The chat node's TypedInput properties; each has an `…Type` companion in the saved config. */
const TYPED_INPUTS = [
    'model',
    'systemPrompt',
    'userMessage',
    'history',
    'frequencyPenalty',
    'maxTokens',
    'responseCount',
    'presencePenalty',
    'temperature',
    'topP',
    // Added in 0.2; a node saved without them reads them as not given.
    'jsonSchema',
    'reasoningEffort',
    'tools',
    'toolChoice',
    'images',
] as const;

type TypedInputName = (typeof TYPED_INPUTS)[number];

/** The type of an input saved without one, where the editor's default is not `str`. */
const DEFAULT_TYPES: Partial<Record<TypedInputName, string>> = { images: 'msg' };

type ChatDef = NodeDef &
    RequestNodeConfig & {
        responseFormat?: string;
        /** A select, added in 0.2: missing or empty = not sent. */
        imageDetail?: string;
        /** A checkbox, added in 0.2: missing = false. A flow written by hand may hold the string. */
        stream?: boolean | string;
    } & Partial<Record<TypedInputName | `${TypedInputName}Type`, string>>;

/**
 * `openai-chat`: one chat completion per message, with history that flows on to
 * the next chat node; with `stream`, the partial answers on a second output.
 */
export = function register(RED: NodeAPI): void {
    function OpenAIChatNode(this: Node, config: ChatDef) {
        RED.nodes.createNode(this, config);
        // The schema matters only with json_schema; in the other formats it is not read at all.
        const used = TYPED_INPUTS.filter((name) => name !== 'jsonSchema' || config.responseFormat === 'json_schema');
        const readers = used.map((name) => [name, propertyReader(RED, this, name, config[name], config[`${name}Type`], DEFAULT_TYPES[name])] as const);
        const stream = config.stream === true || config.stream === 'true';

        handleRequests<ChatRequest, ChatResult>(RED, this, config, {
            prepare(msg, account) {
                return whenReady(readInputs(readers, msg), (values) => {
                    const inputs: ChatInputs = { ...values, responseFormat: config.responseFormat, imageDetail: config.imageDetail };
                    return buildChatRequest(inputs, account.maxTokensField());
                });
            },
            async call(client, request, { signal, sendPartial }) {
                if (!stream) return formatChatResult(request, await client.chat.completions.create(request.params, { signal }));
                // Output 2 gets each piece of text as it comes; output 1 the whole answer, as without streaming.
                const chunks = await client.chat.completions.create(streamingParams(request.params), { signal });
                return formatChatResult(request, await readStream(chunks, sendPartial, signal));
            },
            doneStatus(payload) {
                return { key: 'tokens', count: payload.totalTokens ?? 0 };
            },
        });
    }

    RED.nodes.registerType('openai-chat', OpenAIChatNode);
};
