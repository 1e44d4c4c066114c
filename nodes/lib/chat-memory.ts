// A chat turn with conversation memory: the stored conversation goes between
// the system prompt and this turn's messages, and once the answer is in it is
// stored again with this turn and the answers, cut to the limit.
import type { ChatRequest, ChatResult } from './chat';
import { type ConversationStore, toolResultsFor, trimConversation } from './conversation';
import { requiredString } from './fields';
import { type ChatMessage, parseHistory } from './history';

/** What a message asks of the memory, read from its inputs before it waits its turn. */
export interface MemoryTurn {
    store: ConversationStore;
    /** The conversation's id. */
    id: string;
    /** The most messages the stored conversation keeps. */
    limit: number;
    /** `msg.reset === true`: forget the conversation, ask nothing. */
    reset: boolean;
    /** The history input, read only for tool results that answer the stored conversation's last calls. */
    history: unknown;
    /** The user message input as given, for the error when there is neither a user message nor tool results. */
    userMessage: unknown;
}

/**
 * Runs one turn of a conversation; `complete` makes the request it is given.
 * Resolves to `undefined` for a reset. Nothing is stored unless the request
 * succeeds, so a failed one leaves the conversation as it was. The caller
 * runs the turns of one conversation one at a time.
 */
export async function converse(
    memory: MemoryTurn,
    request: ChatRequest,
    complete: (request: ChatRequest) => Promise<ChatResult>,
): Promise<ChatResult | undefined> {
    if (memory.reset) {
        await memory.store.clear(memory.id);
        return undefined;
    }
    // Parsing copies: nothing of what is sent or output is the store's own object.
    const stored = parseHistory(await memory.store.load(memory.id), 'conversation');
    const toolResults = toolResultsFor(stored, () => parseHistory(memory.history));
    const { system, user } = request.turn;
    // A turn that answers tool calls needs no new user message; any other does.
    if (!user && toolResults.length === 0) requiredString('userMessage', memory.userMessage);
    const added: ChatMessage[] = user ? [...toolResults, user] : toolResults;
    const messages = system ? [system, ...stored, ...added] : [...stored, ...added];
    const result = await complete({ ...request, params: { ...request.params, messages } });
    const answers = result.history.slice(messages.length);
    await memory.store.save(memory.id, trimConversation([...stored, ...added, ...answers], memory.limit));
    return result;
}
