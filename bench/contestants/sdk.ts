// Contestant A: the `openai` SDK called directly, `concurrency` loops each
// awaiting one request at a time.
import OpenAI from 'openai';
import { chatParams, type Kind, moderationParams, userText } from '../workloads';
import { type Contestant, type ContestantSetup, type RunOutcome, urlFor } from './contestant';

export function sdkContestant({ urls }: ContestantSetup): Contestant {
    // One client per server, as one account node makes one per account.
    const clients = new Map<number, OpenAI>();
    const clientFor = (latencyMs: number) => {
        let client = clients.get(latencyMs);
        if (!client) {
            client = new OpenAI({ apiKey: urls.apiKey, baseURL: urlFor(urls, latencyMs) });
            clients.set(latencyMs, client);
        }
        return client;
    };

    return {
        async run(kind: Kind, latencyMs: number, concurrency: number, requests: number): Promise<RunOutcome> {
            const client = clientFor(latencyMs);
            const request = (index: number): Promise<unknown> =>
                kind === 'chat'
                    ? client.chat.completions.create(chatParams(userText(index)))
                    : client.moderations.create(moderationParams(userText(index)));
            const outcome: RunOutcome = { errors: 0 };
            let next = 0;
            const loop = async () => {
                while (next < requests) {
                    const index = next++;
                    try {
                        await request(index);
                    } catch (error) {
                        outcome.errors += 1;
                        outcome.firstError ??= error instanceof Error ? error.message : String(error);
                    }
                }
            };
            await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, loop));
            return outcome;
        },
    };
}
