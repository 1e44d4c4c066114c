import type { Node, NodeAPI, NodeMessageInFlow, NodeStatus } from 'node-red';
import type OpenAI from 'openai';
import { optionalNumber } from '../lib/fields';
import { describeFailure } from '../lib/failure';
import { estimateTokens, type RateLimitPace, withPace } from '../lib/rate-limit';
import { RequestQueue } from '../lib/request-queue';
import { findAccount, type OpenAIAccount } from './account';

/** How long `close` waits for aborted requests to report their messages. */
const CLOSE_GRACE_MS = 5000;

/** How often a busy node's status counts may change. */
const BUSY_REFRESH_MS = 250;

/** What differs between the moderate and the chat node; the rest is {@link handleRequests}. */
export interface RequestOperation<Request, Payload> {
    /**
     * Reads the message's inputs and checks them; throws an InputError naming the bad field.
     * Answers at once when every input is at hand, with a Promise when one has to be waited for.
     */
    prepare(msg: NodeMessageInFlow, account: OpenAIAccount): Request | Promise<Request>;
    /**
     * Makes the request, through `context.paced`, and turns the answer into
     * `msg.payload`; `undefined` ends the message with no output.
     */
    call(client: OpenAI, request: Request, context: CallContext): Promise<Payload>;
    /** The green status once a message is done: a catalogue key, with a count where it has one. */
    doneStatus(payload: Payload): { key: string; count?: number };
    /**
     * The sequence a request belongs to, if any (its conversation): requests of
     * one sequence run one at a time, in the order their messages arrived.
     */
    sequenceOf?(request: Request): string | undefined;
}

/** What a request gets besides its inputs. */
export interface CallContext {
    /** Aborted when the node closes (a redeploy or a stop). */
    signal: AbortSignal;
    /**
     * Sends a copy of the input message with this payload on output 2, at once:
     * a part of the answer while it streams. Does nothing once `signal` is aborted.
     */
    sendPartial(payload: unknown): void;
    /**
     * Runs an API request under the account's rate limit: it waits while the
     * account waits, and a 429 is tried again after its wait, within the
     * account's retries. `body` is what the request sends, for its token estimate.
     */
    paced<T>(request: () => Promise<T>, body: unknown): Promise<T>;
}

/** What Node-RED's `send` takes: one message for output 1, or an array with one entry per output. */
type Send = (msg: NodeMessageInFlow | (NodeMessageInFlow | null)[]) => void;

/** A message on its way: what it needs until it ends, and nothing more (thousands may wait). */
interface Job<Request> {
    msg: NodeMessageInFlow;
    send: Send;
    done: (error?: Error) => void;
    client: OpenAI;
    /** The account's rate-limit pace, which the request waits for. */
    pace: RateLimitPace;
    request: Request;
    /** Set once the first partial message has been sent. */
    streaming?: boolean;
}

/** The settings every request node has. */
export interface RequestNodeConfig {
    account?: string;
    /** Requests in flight at once; 0 = no limit. */
    maxInFlight?: string | number;
    /** Messages that may wait for a free slot; more get an error. */
    maxQueued?: string | number;
}

export const DEFAULT_MAX_IN_FLIGHT = 8;
export const DEFAULT_MAX_QUEUED = 10000;

/**
 * Wires a node's input to an API operation: every message ends in exactly one
 * `send` + `done()` or one `done(err)`, which a Catch node receives. Requests
 * wait in a bounded queue behind the in-flight limit; `close` aborts them.
 * The status shows a blue dot while anything is pending (`streaming` while the
 * one pending answer streams), then the last outcome.
 */
export function handleRequests<Request, Payload>(
    RED: NodeAPI,
    node: Node,
    config: RequestNodeConfig,
    operation: RequestOperation<Request, Payload>,
): void {
    const statusText = statusTexts(RED);
    let pending = 0;
    /** Pending messages whose answers are streaming. */
    let streams = 0;
    let busyShownAt = 0;
    let idle: (() => void) | undefined;

    const queue = new RequestQueue<Job<Request>>(limit(config.maxInFlight, DEFAULT_MAX_IN_FLIGHT), limit(config.maxQueued, DEFAULT_MAX_QUEUED), {
        run: (job, signal) =>
            operation
                .call(job.client, job.request, callContext(job, signal))
                // Two handlers of one `then`, not then + catch: a throw while sending must not end the message twice.
                .then(
                    (payload) => {
                        ended(job);
                        succeed(job, payload);
                    },
                    (cause: unknown) => {
                        ended(job);
                        fail(job.msg, job.done, cause);
                    },
                )
                .catch((error: unknown) => node.error(error)),
        refuse: (job, reason) => fail(job.msg, job.done, reason),
        sequenceOf: operation.sequenceOf && ((job) => operation.sequenceOf?.(job.request)),
    });

    /** The message as a job for the queue, at once or once its inputs have been read; throws on bad input. */
    function prepareJob(msg: NodeMessageInFlow, send: Job<Request>['send'], done: Job<Request>['done']): Job<Request> | Promise<Job<Request>> {
        const account = findAccount(RED, config.account);
        const request = operation.prepare(msg, account);
        if (request instanceof Promise) return request.then((ready) => ({ msg, send, done, client: account.client(), pace: account.pace, request: ready }));
        return { msg, send, done, client: account.client(), pace: account.pace, request };
    }

    function callContext(job: Job<Request>, signal: AbortSignal): CallContext {
        return {
            signal,
            sendPartial: partialSender(job, signal),
            paced: (request, body) => withPace(job.pace, job.client.maxRetries, signal, request, showRateLimitWait, () => estimateTokens(body)),
        };
    }

    /** Output 2 of one job; its first partial marks the job as streaming, for the status. */
    function partialSender(job: Job<Request>, signal: AbortSignal): CallContext['sendPartial'] {
        return (payload) => {
            if (signal.aborted) return;
            if (!job.streaming) {
                job.streaming = true;
                streams += 1;
                showBusy();
            }
            // A shallow copy: the partial shares the input's other properties rather than
            // deep-copying a large message once per chunk (Node-RED copies it only when
            // output 2 has more than one wire).
            job.send([null, { ...job.msg, payload }]);
        };
    }

    /** The job's request has ended, one way or the other. */
    function ended(job: Job<Request>): void {
        if (job.streaming) streams -= 1;
    }

    function succeed(job: Job<Request>, payload: Payload): void {
        settle(() => {
            const { key, count } = operation.doneStatus(payload);
            return { fill: 'green', shape: 'dot', text: statusText(key, count) };
        });
        // A payload of `undefined` (a cleared conversation) ends the message with no output.
        if (payload !== undefined) {
            job.msg.payload = payload;
            job.send(job.msg);
        }
        job.done();
    }

    function fail(msg: NodeMessageInFlow, done: Job<Request>['done'], cause: unknown): void {
        const failure = describeFailure(cause, secretsOf());
        settle(() => ({ fill: 'red', shape: 'ring', text: statusText(`error.${failure.status}`) }));
        try {
            done(failure.error);
        } catch {
            // Node-RED copies the message for each Catch node, and a message whose
            // getters throw cannot be copied. The message has ended all the same, so
            // the Catch nodes get the error with a stand-in that holds only its id.
            node.error(failure.error, standIn(msg));
        }
    }

    function secretsOf(): readonly string[] {
        try {
            return findAccount(RED, config.account).secrets();
        } catch {
            return [];
        }
    }

    /** Blue while messages are pending; the counts refresh at most every BUSY_REFRESH_MS, so a burst does not flood the editor. */
    function showBusy(): void {
        const now = Date.now();
        if (pending > 1 && now - busyShownAt < BUSY_REFRESH_MS) return;
        busyShownAt = now;
        const text =
            queue.queued > 0
                ? statusText('queued', queue.queued)
                : pending > 1
                  ? statusText('inFlight', pending)
                  : streams > 0
                    ? statusText('streaming')
                    : statusText('requesting');
        node.status({ fill: 'blue', shape: 'dot', text });
    }

    /** A request waits for the account's rate limit: the status says so, with the seconds left. */
    function showRateLimitWait(ms: number): void {
        node.status({ fill: 'blue', shape: 'ring', text: statusText('rateLimitWait', Math.ceil(ms / 1000)) });
    }

    /** One message ended; once none are left, the status shows how the last one ended. */
    function settle(outcome: () => NodeStatus): void {
        pending -= 1;
        if (pending > 0) return showBusy();
        node.status(outcome());
        idle?.();
    }

    /**
     * The last message whose inputs are still being read, if any. Messages join
     * the queue in the order they arrived, also when a later one's inputs are
     * read first (context stores and JSONata answer in their own time), so that
     * a conversation's turns keep their order.
     */
    let reading: Promise<void> | undefined;

    function admit(msg: NodeMessageInFlow, done: Job<Request>['done'], job: Job<Request> | Promise<Job<Request>>): void {
        if (!(job instanceof Promise) && reading === undefined) return queue.add(job);
        // Settled at once, so that a failed read is never an unhandled rejection while it waits its turn.
        const read = Promise.resolve(job).then(
            (ready) => () => queue.add(ready),
            (cause: unknown) => () => fail(msg, done, cause),
        );
        const turn: Promise<void> = (reading ?? Promise.resolve())
            .then(() => read)
            .then((next) => next())
            .catch((error: unknown) => node.error(error))
            .finally(() => {
                if (reading === turn) reading = undefined;
            });
        reading = turn;
    }

    node.on('input', (msg: NodeMessageInFlow, send, done) => {
        pending += 1;
        showBusy();
        let job: Job<Request> | Promise<Job<Request>>;
        try {
            job = prepareJob(msg, send, done);
        } catch (cause) {
            // Bad input ends at once: it never takes a place in the queue, so it holds no order.
            return fail(msg, done, cause);
        }
        admit(msg, done, job);
    });

    node.on('close', (_removed: boolean, done: () => void) => {
        queue.close();
        node.status({});
        if (pending === 0) return done();
        // Let the aborted requests report their messages before the flow goes away.
        const timer = setTimeout(finish, CLOSE_GRACE_MS);
        idle = finish;
        function finish() {
            clearTimeout(timer);
            idle = undefined;
            node.status({});
            done();
        }
    });
}

/** Stands for the number in a translated status text until it is filled in. */
const COUNT_SLOT = '\u0000count\u0000';

/**
 * The node's status texts, each translated once and then reused with the
 * number filled in: a translation costs more than the rest of a message's
 * handling (~17 µs a call), and a node that handles one message at a time changes
 * its status twice per message.
 */
function statusTexts(RED: NodeAPI): (key: string, count?: number) => string {
    const translated = new Map<string, string>();
    return (key, count) => {
        let text = translated.get(key);
        if (text === undefined) {
            text = RED._(`status.${key}`, { count: COUNT_SLOT });
            translated.set(key, text);
        }
        return count === undefined ? text : text.replace(COUNT_SLOT, String(count));
    };
}

/** A message that can be copied, holding only the `_msgid` of one that cannot (if even that can be read). */
function standIn(msg: NodeMessageInFlow): { _msgid?: string } {
    try {
        return typeof msg._msgid === 'string' ? { _msgid: msg._msgid } : {};
    } catch {
        return {};
    }
}

function limit(value: string | number | undefined, fallback: number): number {
    try {
        return optionalNumber('limit', value, { min: 0, integer: true }) ?? fallback;
    } catch {
        return fallback;
    }
}
