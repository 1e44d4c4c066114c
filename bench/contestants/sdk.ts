// Contestant A: the `openai` SDK called directly, `concurrency` loops each
// awaiting one request at a time.
import OpenAI from 'openai';
import { urlFor } from '../server';
import { chatParams, moderationParams, userText } from '../workloads';
import type { Contestant, ContestantSetup, Run, RunOutcome } from './contestant';

export function sdkContestant({ urls }: ContestantSetup): Contestant {
    // One client per server, as one account node makes one per account.
    const clients = new Map<string, OpenAI>();
    const clientFor = (server: string) => {
        let client = clients.get(server);
        if (!client) {
            client = new OpenAI({ apiKey: urls.apiKey, baseURL: urlFor(urls, server) });
            clients.set(server, client);
        }
        return client;
    };

    return {
        async run({ kind, server, concurrency, requests }: Run): Promise<RunOutcome> {
            const client = clientFor(server);
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
