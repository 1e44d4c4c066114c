// What the contestants send: the same texts and the same request bodies, so
// that they differ only in what sits between the caller and the SDK.
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { ModerationCreateParams } from 'openai/resources/moderations';

export type Kind = 'chat' | 'moderation';
export const KINDS: readonly Kind[] = ['chat', 'moderation'];

/** A chat model the test server knows; the chat node is configured with the same one. */
export const CHAT_MODEL = 'gpt-4.1-mini';

/** The user's text of request `index`. */
export function userText(index: number): string {
    return `Benchmark message ${index}: is this sentence fine to publish?`;
}

/** The chat body the chat node builds from `userText` with its default settings. */
export function chatParams(text: string): ChatCompletionCreateParamsNonStreaming {
    return { model: CHAT_MODEL, messages: [{ role: 'user', content: text }] };
}

/** The moderation body the moderate node builds from `userText` (model left to the API). */
export function moderationParams(text: string): ModerationCreateParams {
    return { input: text };
}

/**
 * A conversation of `length` messages, user and assistant in turn, as JSON
 * text; parsing it gives every message its own objects and strings, as a
 * history that came from an earlier chat node has.
 */
export function historyJson(length: number): string {
    const messages = Array.from({ length }, (_, index) => ({
        role: index % 2 === 0 ? 'user' : 'assistant',
        content: `History message ${index}: a sentence of ordinary length in a long conversation.`,
    }));
    return JSON.stringify(messages);
}
