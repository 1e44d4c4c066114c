import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import type OpenAI from 'openai';
import { buildChatRequest, type ChatInputs, type ChatRequest, type ChatResult, formatChatResult, streamingParams } from './lib/chat';
import { converse, type MemoryTurn } from './lib/chat-memory';
import { type ConversationStore, readConversationId, readMemoryLimit } from './lib/conversation';
import { readStream } from './lib/stream-assembly';
import { conversationStore } from './runtime/conversation-store';
import { type CallContext, handleRequests, type RequestNodeConfig } from './runtime/request-node';
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
    'conversation',
    'memoryLimit',
] as const;

type TypedInputName = (typeof TYPED_INPUTS)[number];

/** The type of an input saved without one (the editor's default for it), where that is not `str`. */
const DEFAULT_TYPES: Partial<Record<TypedInputName, string>> = { images: 'msg', conversation: 'msg', memoryLimit: 'num' };

/** One message's request: the chat completion, and its conversation when memory is on. */
interface ChatTurn {
    chat: ChatRequest;
    memory?: MemoryTurn;
}

type ChatDef = NodeDef &
    RequestNodeConfig & {
        responseFormat?: string;
        /** A select, added in 0.2: missing or empty = not sent. */
        imageDetail?: string;
        /** A checkbox, added in 0.2: missing = false. A flow written by hand may hold the string. */
        stream?: boolean | string;
        memoryScope?: string;
        memoryStore?: string;
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
        const node = this;
        // msg.reset, read like any message property: a getter that throws is an error naming it.
        const readReset = propertyReader(RED, this, 'reset', 'reset', 'msg');
        // Made on first use, once: a bad memoryScope is then each memory message's error, not the node's.
        let store: ConversationStore | undefined;

        /** The message's conversation, when memory is on and the message names one. */
        function memoryOf(values: Record<TypedInputName, unknown>, msg: NodeMessageInFlow): MemoryTurn | undefined {
            const id = readConversationId(values.conversation);
            if (id === undefined) return undefined;
            return {
                store: (store ??= conversationStore(node, config.memoryScope, config.memoryStore)),
                id,
                limit: readMemoryLimit(values.memoryLimit),
                reset: readReset(msg) === true,
                history: values.history,
                userMessage: values.userMessage,
            };
        }

        /** One chat completion under the account's rate limit; with `stream`, its text also goes out on output 2 as it comes. */
        function complete(client: OpenAI, request: ChatRequest, { signal, sendPartial, paced }: CallContext): Promise<ChatResult> {
            return paced(async () => {
                if (!stream) return formatChatResult(request, await client.chat.completions.create(request.params, { signal }));
                const chunks = await client.chat.completions.create(streamingParams(request.params), { signal });
                return formatChatResult(request, await readStream(chunks, sendPartial, signal));
            }, request.params);
        }

        handleRequests<ChatTurn, ChatResult | undefined>(RED, this, config, {
            prepare(msg, account) {
                return whenReady(readInputs(readers, msg), (values): ChatTurn => {
                    const memory = memoryOf(values, msg);
                    const inputs: ChatInputs = { ...values, responseFormat: config.responseFormat, imageDetail: config.imageDetail };
                    return { chat: buildChatRequest(inputs, account.maxTokensField(), memory !== undefined), memory };
                });
            },
            call(client, { chat, memory }, context) {
                if (!memory) return complete(client, chat, context);
                return converse(memory, chat, (request) => complete(client, request, context));
            },
            doneStatus(payload) {
                if (payload === undefined) return { key: 'cleared' };
                return { key: 'tokens', count: payload.totalTokens ?? 0 };
            },
            sequenceOf: ({ memory }) => memory?.id,
        });
    }

    RED.nodes.registerType('openai-chat', OpenAIChatNode);
};
