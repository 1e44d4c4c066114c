import type { Request, Response } from 'express';
import type { NodeAPI } from 'node-red';
import type OpenAI from 'openai';
import { type AccountSettings, sameNetworkSettings } from '../lib/account-settings';
import { describeFailure, type FailureStatus, MissingKeyError } from '../lib/failure';
import { InputError } from '../lib/input-error';
import type { AccountNode } from './account';
import { type AccountClient, buildAccountClient } from './account-client';

/** The admin path the editor asks for a deployed account, relative to the editor's root. */
export const MODEL_LIST_PATH = '/openai-account/:id/models';

/** The admin path the editor asks with an account's settings as the dialog holds them. */
export const MODEL_PICKER_PATH = '/openai-account/models';

/**
 * The editor only uses the list as a help while typing, so a slow server must
 * not keep the dialog waiting for the account's full timeout and retries.
 */
export const MODEL_LIST_TIMEOUT_MS = 10_000;

/** A server that pages forever cannot make the answer grow without bound. */
const MAX_MODELS = 5000;

/** The account settings a picker question may carry; anything else in it is ignored. */
const ASKED_SETTINGS = ['name', 'baseURL', 'organization', 'project', 'timeout', 'maxRetries', 'proxy', 'headers', 'query', 'authHeader'] as const;

/** HTTP status of the answer for each kind of failure; anything else is a 502 (the account's server failed). */
const HTTP_STATUS: Partial<Record<FailureStatus, number>> = {
    input: 400,
    noKey: 400,
    timeout: 504,
};

/** What the editor asks with `POST /openai-account/models`. */
interface PickerQuestion {
    /** The account being edited, when it has been deployed before. */
    id?: string;
    settings: AccountSettings;
    /** The key typed in the dialog and not deployed yet, trimmed. */
    apiKey?: string;
}

/**
 * The model pickers of the chat and moderate dialogs: the model ids that an
 * account's server lists (`GET /v1/models`), unique and sorted, as
 * `200 {models}`; a failure as `{error}` with 400 (the account cannot be
 * used: a bad setting, no key), 404 (no such deployed account), 504 (its
 * server did not answer in time) or 502 (any other failure).
 *
 * - `GET /openai-account/:id/models` (`openai-account.read`): the deployed
 *   account, through its own client and key.
 * - `POST /openai-account/models` with `{id?, settings, apiKey?}`: an account
 *   as its dialog holds it, deployed or not. The deployed account's key
 *   (stored, or the environment's) is used only when `settings` has exactly
 *   its network settings (base URL, headers, query, proxy, auth header);
 *   otherwise only the `apiKey` of the question, or none, so that no one can
 *   make Node-RED send a key it holds to a host of their choosing. Settings
 *   that differ from the deployed ones need `openai-account.write` too.
 *
 * Error texts go through `describeFailure`, so no key appears in an answer,
 * whatever the server said; the question's key is never echoed.
 */
export function registerModelList(RED: NodeAPI): void {
    RED.httpAdmin.get(MODEL_LIST_PATH, RED.auth.needsPermission('openai-account.read'), (req: Request, res: Response) => {
        const account = deployedAccount(RED, req.params.id);
        if (!account) {
            res.set('Cache-Control', 'no-store').status(404).json({ error: 'unknown account: deploy it to list its models' });
            return;
        }
        void answer(res, () => ({ client: account.client(), secrets: account.secrets(), close: () => undefined }));
    });

    RED.httpAdmin.post(MODEL_PICKER_PATH, RED.auth.needsPermission('openai-account.read'), (req: Request, res: Response) => {
        const question = readQuestion(req.body);
        if (typeof question === 'string') {
            res.set('Cache-Control', 'no-store').status(400).json({ error: question });
            return;
        }
        const account = deployedAccount(RED, question.id);
        const same = !!account && sameNetworkSettings(question.settings as Record<string, unknown>, account.deployedSettings(), (value) => resolveEnv(RED, account, value));
        const typed = question.apiKey === undefined ? [] : [question.apiKey];
        const list = () => void answer(res, () => pickerClient(RED, question, same ? account : undefined), typed);
        if (same) return list();
        // Other settings choose where the request goes: as much as editing the account.
        RED.auth.needsPermission('openai-account.write')(req, res, list);
    });
}

/** The deployed `openai-account` node with this id, if there is one. */
function deployedAccount(RED: NodeAPI, id: unknown): AccountNode | undefined {
    if (typeof id !== 'string' || id === '') return undefined;
    const node = RED.nodes.getNode(id) as AccountNode | null;
    return node && node.type === 'openai-account' && typeof node.client === 'function' && typeof node.deployedSettings === 'function' ? node : undefined;
}

/**
 * The client for a picker question: the deployed account's own when its
 * settings are the deployed ones and no new key was typed; else one built
 * for the question's settings with the question's key only.
 */
function pickerClient(RED: NodeAPI, question: PickerQuestion, deployed: AccountNode | undefined): AccountClient {
    if (deployed && question.apiKey === undefined) {
        return { client: deployed.client(), secrets: deployed.secrets(), close: () => undefined };
    }
    try {
        return buildAccountClient(RED, question.settings, question.apiKey, process.env);
    } catch (error) {
        if (!(error instanceof MissingKeyError)) throw error;
        // Neither the stored key nor OPENAI_API_KEY goes with settings other than the deployed ones.
        throw new InputError('apiKey', 'is needed to list the models of an account that is not deployed as it is: type the key in the account\'s dialog, or deploy the account');
    }
}

/** The question in a POST body, or why it is not one. */
function readQuestion(body: unknown): PickerQuestion | string {
    if (typeof body !== 'object' || body === null) return 'the body must be a JSON object: {id?, settings, apiKey?}';
    const { id, settings, apiKey } = body as Record<string, unknown>;
    if (id !== undefined && id !== null && typeof id !== 'string') return 'id must be a string';
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) return 'settings must be an object';
    if (apiKey !== undefined && apiKey !== null && typeof apiKey !== 'string') return 'apiKey must be a string';
    const asked: Record<string, unknown> = {};
    for (const name of ASKED_SETTINGS) {
        if (Object.hasOwn(settings, name)) asked[name] = (settings as Record<string, unknown>)[name];
    }
    const key = typeof apiKey === 'string' ? apiKey.trim() : '';
    return { id: typeof id === 'string' ? id : undefined, settings: asked as AccountSettings, apiKey: key === '' ? undefined : key };
}

/**
 * A `${NAME}` (or the older `$(NAME)`) setting as the deployed node reads
 * it, for the comparison only: Node-RED replaced it at deploy.
 */
function resolveEnv(RED: NodeAPI, node: AccountNode, value: unknown): unknown {
    if (typeof value !== 'string') return value;
    const reference = /^\$\{(\S+)\}$/.exec(value) ?? /^\$\((\S+)\)$/.exec(value);
    if (!reference) return value;
    const getSetting = (RED.util as unknown as { getSetting?: (node: unknown, name: string) => unknown }).getSetting;
    const resolved = typeof getSetting === 'function' ? getSetting(node, reference[1]) : process.env[reference[1]];
    return resolved === undefined ? value : resolved;
}

/** Lists the models with the client that `open` makes, and answers; `known` are secrets to blank out even when `open` fails. */
async function answer(res: Response, open: () => AccountClient, known: readonly string[] = []): Promise<void> {
    res.set('Cache-Control', 'no-store');
    // Stop asking the server when the editor gave up (dialog closed, page left).
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    let opened: AccountClient | undefined;
    try {
        opened = open();
        res.json({ models: await listModels(opened.client, abort.signal) });
    } catch (error) {
        const failure = describeFailure(error, [...known, ...(opened?.secrets ?? [])]);
        if (!res.headersSent) res.status(HTTP_STATUS[failure.status] ?? 502).json({ error: failure.error.message });
    } finally {
        opened?.close();
    }
}

/** Every model id the server lists, across pages, unique and sorted. */
async function listModels(client: OpenAI, signal: AbortSignal): Promise<string[]> {
    const timeout = Math.min(client.timeout, MODEL_LIST_TIMEOUT_MS);
    const ids = new Set<string>();
    for await (const model of client.models.list({ signal, timeout, maxRetries: 0 })) {
        if (typeof model.id === 'string' && model.id !== '') ids.add(model.id);
        if (ids.size >= MAX_MODELS) break;
    }
    return [...ids].sort();
}
