import type { Request, Response } from 'express';
import type { NodeAPI } from 'node-red';
import { describeFailure, type FailureStatus } from '../lib/failure';
import type { AccountNode } from './account';

/** The admin path the editor asks, relative to the editor's root. */
export const MODEL_LIST_PATH = '/openai-account/:id/models';

/**
 * The editor only uses the list as a help while typing, so a slow server must
 * not keep the dialog waiting for the account's full timeout and retries.
 */
export const MODEL_LIST_TIMEOUT_MS = 10_000;

/** A server that pages forever cannot make the answer grow without bound. */
const MAX_MODELS = 5000;

/** HTTP status of the answer for each kind of failure; anything else is a 502 (the account's server failed). */
const HTTP_STATUS: Partial<Record<FailureStatus, number>> = {
    input: 400,
    noKey: 400,
    timeout: 504,
};

/**
 * `GET /openai-account/:id/models` (permission `openai-account.read`): the
 * model ids that the deployed account's server lists (`GET /v1/models`), for
 * the model pickers of the chat and moderate nodes' edit dialogs.
 *
 * - 200 `{models: string[]}`, unique and sorted;
 * - 404 `{error}` when no account with that id is deployed;
 * - 400 `{error}` when the account cannot be used (OpenAI's own base URL
 *   without a key, a bad setting), 504 when its server did not answer in
 *   time, 502 for any other failure.
 *
 * The request goes through the account's client, so it carries what any
 * request of the account carries: no key from the environment unless the
 * base URL is OpenAI's own. Error texts go through `describeFailure`, so the
 * account's key never appears in an answer, whatever the server said.
 */
export function registerModelList(RED: NodeAPI): void {
    RED.httpAdmin.get(MODEL_LIST_PATH, RED.auth.needsPermission('openai-account.read'), (req: Request, res: Response) => {
        void answerModelList(RED, req, res);
    });
}

async function answerModelList(RED: NodeAPI, req: Request, res: Response): Promise<void> {
    res.set('Cache-Control', 'no-store');
    const account = RED.nodes.getNode(String(req.params.id)) as AccountNode | null;
    if (!account || account.type !== 'openai-account' || typeof account.client !== 'function') {
        res.status(404).json({ error: 'unknown account: deploy it to list its models' });
        return;
    }
    // Stop asking the server when the editor gave up (dialog closed, page left).
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    try {
        res.json({ models: await listModels(account, abort.signal) });
    } catch (error) {
        const failure = describeFailure(error, account.secrets());
        if (!res.headersSent) res.status(HTTP_STATUS[failure.status] ?? 502).json({ error: failure.error.message });
    }
}

/** Every model id the account's server lists, across pages, unique and sorted. */
async function listModels(account: AccountNode, signal: AbortSignal): Promise<string[]> {
    const client = account.client();
    const timeout = Math.min(client.timeout, MODEL_LIST_TIMEOUT_MS);
    const ids = new Set<string>();
    for await (const model of client.models.list({ signal, timeout, maxRetries: 0 })) {
        if (typeof model.id === 'string' && model.id !== '') ids.add(model.id);
        if (ids.size >= MAX_MODELS) break;
    }
    return [...ids].sort();
}
