// A local, OpenAI-compatible HTTP server for the tests and the offline
// simulator. It answers like the real API, records the requests (every one,
// unless `maxRecorded` says otherwise), checks the bodies against OpenAI's
// schemas, and fails on demand (`failNext`).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
    apiError,
    bodyTooLarge,
    type ErrorReply,
    incorrectApiKey,
    missingApiKey,
    simulatedStatusError,
} from './openai-errors';
import { answer, type ParsedJson, type Reply, schemaFor } from './openai-routes';
import { RateLimitBudget, type RateLimitOptions, type RateLimitTally, type RateLimitVerdict } from './rate-limits';
import { loadRequestValidators, type BodyCheck, type RequestValidators } from './openapi-validation';

export { CHAT_MODELS, DEFAULT_MODERATION_MODEL, MODELS, MODERATION_MODELS } from './openai-routes';
export { maskApiKey } from './openai-errors';
export { openApiSchemaPath, SchemaNotFoundError } from './openapi-validation';
export * from './simulated-chat';
export * from './simulated-moderation';

export const DEFAULT_API_KEY = 'sk-test.0123456789.abcdefghijklmnop';

/** Larger bodies are refused with 413, so a runaway test cannot exhaust memory. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface TestServerOptions {
    /** The bearer key accepted; default `DEFAULT_API_KEY`. */
    apiKey?: string;
    /** Delay before each answer; default 0. */
    latencyMs?: number;
    /** Validate request bodies against the OpenAPI schemas; default true. */
    validate?: boolean;
    /** Default 0: an ephemeral port. */
    port?: number;
    /** Default '127.0.0.1'. */
    host?: string;
    /**
     * Also answer requests that carry no `Authorization` header, as Ollama and
     * most local servers do; a wrong key is still refused. Default false.
     */
    keyless?: boolean;
    /**
     * Answer as Azure OpenAI does for a key: the key only in an `api-key`
     * header (a request with an `Authorization` header, or none, is refused
     * with Azure's 401). Its v1 API under `/openai/v1/…`; its older form
     * under `/openai/deployments/<name>/…`, and also under `/v1/…`, needs an
     * `api-version` query parameter and lists no models. No moderation
     * endpoint. What Azure does not answer gets its 404. Default false.
     */
    azure?: boolean;
    /**
     * The most requests `requests` keeps, the oldest dropped first, so that a
     * long-running simulator does not hold every request and header it ever
     * got. Default: all of them, since the tests read the full record.
     */
    maxRecorded?: number;
    /**
     * Enforce a requests-per-minute and a tokens-per-minute budget on chat and
     * moderation requests, as OpenAI does (see rate-limits.ts): every answer
     * carries `x-ratelimit-*` headers, and a request that finds a budget spent
     * gets a 429 with `retry-after-ms` and `retry-after`. A request's tokens are
     * its answer's `usage.total_tokens`, or its body's length over four. Default: none.
     */
    rateLimits?: RateLimitOptions;
}

export interface RecordedRequest {
    method: string;
    /** Without the query, e.g. '/v1/chat/completions'. */
    path: string;
    /** The query parameters, e.g. `{'api-version': '2024-10-21'}`; a repeated one keeps its last value. */
    query: Record<string, string>;
    headers: Record<string, string | string[] | undefined>;
    /** Parsed JSON, or undefined when there was no body or it was not JSON. */
    body: unknown;
    /** One line per schema error; always empty when validation is off. */
    schemaErrors: string[];
}

export type Fault =
    /** Answer this status; the default body is an OpenAI error body naming it. */
    | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
    /** Destroy the socket without answering. */
    | { kind: 'drop' }
    /** Never answer (until the client gives up or the server closes). */
    | { kind: 'hang' }
    /** Send a 200's headers and the start of its JSON body, then nothing more (as `hang`, but after the headers). */
    | { kind: 'stall' }
    /** 200 with a JSON content type and a body that is not JSON. */
    | { kind: 'malformed' }
    /** 200 with this JSON body. */
    | { kind: 'body'; body: unknown }
    /**
     * A streamed answer sent this way (a request that is not streamed is answered as usual):
     * `gapMs` before each event, as a slow model writes; no usage chunk when `usage` is
     * false, as servers that ignore `stream_options.include_usage` do; the connection
     * destroyed after `cutAfter` events, without the end of the stream; an error event
     * (a server error, as the API sends one mid-stream) after `errorAfter` events.
     */
    | { kind: 'stream'; gapMs?: number; usage?: boolean; cutAfter?: number; errorAfter?: number };

export interface TestServer {
    /** Base URL for the SDK, e.g. 'http://127.0.0.1:43123/v1'. */
    readonly url: string;
    readonly apiKey: string;
    /** Every request received (the newest `maxRecorded`), in order, including those answered with a fault or a 401. */
    readonly requests: RecordedRequest[];
    latencyMs: number;
    /** The next `times` (default 1) requests get this fault, after any faults queued earlier. */
    failNext(fault: Fault, times?: number): void;
    /** What the `rateLimits` budgets let through and refused since the start or the last reset; all 0 without them. */
    rateLimitTally(): RateLimitTally;
    /** Forget requests and queued faults, and restore the starting latency. */
    reset(): void;
    /** Stop listening and end every open connection, hung ones included. */
    close(): Promise<void>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
    // Loading first means a missing schema file rejects before anything listens.
    const maxRecorded = options.maxRecorded ?? Infinity;
    if (!(maxRecorded === Infinity || (Number.isInteger(maxRecorded) && maxRecorded >= 0))) {
        throw new RangeError(`maxRecorded must be a whole number or Infinity, not ${maxRecorded}`);
    }
    const validators = options.validate === false ? undefined : loadRequestValidators();
    const server = new LocalOpenAIServer(
        { apiKey: options.apiKey ?? DEFAULT_API_KEY, keyless: options.keyless ?? false, azure: options.azure ?? false, maxRecorded, rateLimits: options.rateLimits },
        options.latencyMs ?? 0,
        validators,
    );
    await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
    return server;
}

const TOO_LARGE = Symbol('too large');

/** A request as received, before anything is decided about it. */
interface Arrival {
    method: string;
    path: string;
    authorization: string | undefined;
    /** The `api-key` header, which Azure OpenAI takes the key in. */
    apiKeyHeader: string | undefined;
    /** The path the answer follows: `path`, or the `/v1/…` one of an Azure path. */
    route: AzureRoute;
    query: Record<string, string>;
    json: ParsedJson;
    tooLarge: boolean;
    check: BodyCheck | undefined;
}

class LocalOpenAIServer implements TestServer {
    readonly requests: RecordedRequest[] = [];
    latencyMs: number;
    url = '';

    private readonly http: Server;
    private readonly faults: Fault[] = [];
    private readonly timers = new Set<NodeJS.Timeout>();
    private received = 0;
    private closing: Promise<void> | undefined;

    readonly apiKey: string;
    private readonly keyless: boolean;
    private readonly azure: boolean;
    private readonly maxRecorded: number;
    private readonly rateLimits: RateLimitOptions | undefined;
    private budget: RateLimitBudget | undefined;

    constructor(
        settings: { apiKey: string; keyless: boolean; azure: boolean; maxRecorded: number; rateLimits?: RateLimitOptions },
        private readonly initialLatencyMs: number,
        private readonly validators: RequestValidators | undefined,
    ) {
        this.apiKey = settings.apiKey;
        this.keyless = settings.keyless;
        this.azure = settings.azure;
        this.maxRecorded = settings.maxRecorded;
        this.rateLimits = settings.rateLimits;
        this.budget = settings.rateLimits && new RateLimitBudget(settings.rateLimits);
        this.latencyMs = initialLatencyMs;
        this.http = createServer((request, response) => void this.handle(request, response));
    }

    listen(port: number, host: string): Promise<void> {
        return new Promise((resolve, reject) => {
            this.http.once('error', reject);
            this.http.listen(port, host, () => {
                this.http.off('error', reject);
                const address = this.http.address() as AddressInfo;
                const hostInUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
                this.url = `http://${hostInUrl}:${address.port}/v1`;
                resolve();
            });
        });
    }

    failNext(fault: Fault, times = 1): void {
        if (!Number.isInteger(times) || times < 0) throw new RangeError(`times must be a whole number, not ${times}`);
        if (fault.kind === 'status' && !(Number.isInteger(fault.status) && fault.status >= 200 && fault.status <= 599)) {
            throw new RangeError(`A status fault needs an HTTP status from 200 to 599, not ${fault.status}`);
        }
        for (let i = 0; i < times; i++) this.faults.push(fault);
    }

    rateLimitTally(): RateLimitTally {
        return { ...(this.budget?.tally ?? { accepted: 0, refused: 0, tokens: 0 }) };
    }

    reset(): void {
        this.requests.length = 0;
        this.faults.length = 0;
        this.latencyMs = this.initialLatencyMs;
        this.budget = this.rateLimits && new RateLimitBudget(this.rateLimits);
    }

    close(): Promise<void> {
        this.closing ??= this.shutDown();
        return this.closing;
    }

    private async shutDown(): Promise<void> {
        for (const timer of this.timers) clearTimeout(timer);
        this.timers.clear();
        const closed = new Promise<void>((resolve, reject) => {
            this.http.close((error) => (error ? reject(error) : resolve()));
        });
        // Without this, close() would wait for hung requests and idle keep-alive sockets.
        this.http.closeAllConnections();
        await closed;
    }

    private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
        const id = (++this.received).toString(16).padStart(16, '0');
        response.setHeader('x-request-id', `req_${id}`);
        try {
            const arrival = await this.receive(request);
            // Taken as soon as the request is recorded, so faults follow the order of `requests`.
            const fault = this.faults.shift();
            await this.sleep(this.latencyMs);
            if (fault && fault.kind !== 'stream') return applyFault(fault, request, response);
            const reply = this.reply(arrival, id);
            const verdict = this.takeFromBudget(arrival, reply);
            if (verdict?.retryAfterMs !== undefined) return sendJson(response, 429, simulatedStatusError(429), verdict.headers);
            for (const [name, value] of Object.entries(verdict?.headers ?? {})) response.setHeader(name, value);
            if (fault && 'events' in reply) return await this.sendShapedEvents(response, reply.events, fault);
            send(response, reply);
        } catch (error) {
            sendFailure(response, error);
        }
    }

    /** Reads and records the request; the record also gets the schema errors of its body. */
    private async receive(request: IncomingMessage): Promise<Arrival> {
        const method = request.method ?? 'GET';
        const path = (request.url ?? '/').split('?')[0];
        const query = Object.fromEntries(new URL(request.url ?? '/', 'http://test.invalid').searchParams);
        const body = await readBody(request);
        const json = body === TOO_LARGE ? { ok: false as const } : parseJson(body);
        const route = this.azure ? azureRoute(path) : { path, form: 'plain' as const };
        const schema = schemaFor(method, route.path);
        const check = schema && this.validators && json.ok ? this.validators[schema](json.value) : undefined;
        this.requests.push({
            method,
            path,
            query,
            headers: { ...request.headers },
            body: json.ok ? json.value : undefined,
            schemaErrors: check?.errors ?? [],
        });
        if (this.requests.length > this.maxRecorded) this.requests.splice(0, this.requests.length - this.maxRecorded);
        const apiKeyHeader = request.headers['api-key'];
        return {
            method,
            path,
            authorization: request.headers.authorization,
            apiKeyHeader: typeof apiKeyHeader === 'string' ? apiKeyHeader : undefined,
            route,
            query,
            json,
            tooLarge: body === TOO_LARGE,
            check,
        };
    }

    private reply(arrival: Arrival, id: string): Reply {
        if (arrival.tooLarge) return bodyTooLarge(MAX_BODY_BYTES);
        if (this.azure) {
            const refusal = azureProblem(arrival, this.apiKey);
            if (refusal) return refusal;
        } else if (arrival.path.startsWith('/v1/')) {
            const refusal = this.authorizationProblem(arrival.authorization);
            if (refusal) return refusal;
        }
        const { method, json, check } = arrival;
        return answer({ method, path: arrival.route.path, json, check, id });
    }

    /** The rate-limit budgets' verdict on a chat or moderation request that would succeed; none without budgets. */
    private takeFromBudget(arrival: Arrival, reply: Reply): RateLimitVerdict | undefined {
        if (!this.budget || !/\/(chat\/completions|moderations)$/.test(arrival.route.path) || ('status' in reply && reply.status !== 200)) return undefined;
        const usage = 'json' in reply ? (reply.json as { usage?: { total_tokens?: unknown } } | undefined)?.usage : undefined;
        const tokens = typeof usage?.total_tokens === 'number' ? usage.total_tokens : Math.ceil(JSON.stringify(arrival.json.ok ? arrival.json.value : '').length / 4);
        return this.budget.take(tokens);
    }

    private authorizationProblem(header: string | undefined): ErrorReply | undefined {
        if (header === undefined && this.keyless) return undefined;
        const presented = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
        if (presented === undefined) return missingApiKey();
        return presented === this.apiKey ? undefined : incorrectApiKey(presented);
    }

    /** Server-sent events as a `stream` fault shapes them. */
    private async sendShapedEvents(response: ServerResponse, events: object[], shape: Extract<Fault, { kind: 'stream' }>): Promise<void> {
        const kept = shape.usage === false ? events.filter((event) => (event as { usage?: unknown }).usage == null) : events;
        response.writeHead(200, EVENT_STREAM_HEADERS);
        for (const [index, event] of kept.entries()) {
            await this.sleep(shape.gapMs ?? 0);
            // The client may have gone (an aborted request) while this waited.
            if (response.destroyed) return;
            // The cut waits until the events before it are out, or destroying the socket would drop them too.
            if (index === shape.cutAfter) return void response.write('', () => response.destroy());
            if (index === shape.errorAfter) return void response.end(`data: ${JSON.stringify(MID_STREAM_ERROR)}\n\n`);
            response.write(`data: ${JSON.stringify(event)}\n\n`);
        }
        response.end('data: [DONE]\n\n');
    }

    /** A delay that close() can cancel, so no timer keeps the process alive. */
    private sleep(ms: number): Promise<void> {
        if (ms <= 0) return Promise.resolve();
        return new Promise((resolve) => {
            const timer = setTimeout(() => {
                this.timers.delete(timer);
                resolve();
            }, ms);
            this.timers.add(timer);
        });
    }
}

/** Which of Azure OpenAI's forms a path is in, and the `/v1/…` path it is answered as. */
interface AzureRoute {
    path: string;
    /** `v1`: `/openai/v1/…`; `deployment`: `/openai/deployments/<name>/…` or `/v1/…`; `plain`: not Azure's. */
    form: 'v1' | 'deployment' | 'plain';
}

function azureRoute(path: string): AzureRoute {
    const v1 = /^\/openai\/v1(\/.*)$/.exec(path);
    if (v1) return { path: `/v1${v1[1]}`, form: 'v1' };
    const deployment = /^\/openai\/deployments\/[^/]+(\/.*)$/.exec(path);
    if (deployment) return { path: `/v1${deployment[1]}`, form: 'deployment' };
    return { path, form: path.startsWith('/v1/') ? 'deployment' : 'plain' };
}

const AZURE_NOT_FOUND: Reply = { status: 404, json: { error: { code: '404', message: 'Resource not found' } } };

/**
 * Azure OpenAI's refusals: a key anywhere but in `api-key`; in the older
 * form, no `api-version`, or a model list; moderations in any form.
 */
function azureProblem(arrival: Arrival, apiKey: string): Reply | undefined {
    const { form, path } = arrival.route;
    if (form === 'plain') return undefined;
    if (arrival.authorization !== undefined || arrival.apiKeyHeader !== apiKey) {
        return {
            status: 401,
            json: {
                error: {
                    code: '401',
                    message:
                        'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key ' +
                        'for an active subscription and use a correct regional API endpoint for your resource.',
                },
            },
        };
    }
    if (path === '/v1/moderations') return AZURE_NOT_FOUND;
    if (form === 'deployment' && (!arrival.query['api-version'] || path === '/v1/models')) return AZURE_NOT_FOUND;
    return undefined;
}

function applyFault(fault: Fault, request: IncomingMessage, response: ServerResponse): void {
    switch (fault.kind) {
        case 'status':
            return sendJson(response, fault.status, fault.body ?? simulatedStatusError(fault.status), fault.headers);
        case 'drop':
            request.socket.destroy();
            return;
        case 'hang':
            // Nothing to do: the connection stays open until the client gives up or close() ends it.
            return;
        case 'stall':
            response.writeHead(200, { 'content-type': 'application/json' });
            response.write('{"id": "chatcmpl-stalled", ');
            return;
        case 'malformed':
            return sendText(response, 200, 'application/json', '{"id": "chatcmpl-malformed", "choices": [');
        case 'body':
            return sendJson(response, 200, fault.body);
    }
}

/** The body as text, or TOO_LARGE; past the limit it keeps reading, without keeping, so the 413 can be sent. */
function readBody(request: IncomingMessage): Promise<string | typeof TOO_LARGE> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        request.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size <= MAX_BODY_BYTES) chunks.push(chunk);
        });
        request.on('end', () => resolve(size > MAX_BODY_BYTES ? TOO_LARGE : Buffer.concat(chunks).toString('utf8')));
        request.on('error', reject);
    });
}

function parseJson(text: string): ParsedJson {
    try {
        return { ok: true, value: JSON.parse(text) };
    } catch {
        return { ok: false };
    }
}

function send(response: ServerResponse, reply: Reply): void {
    if ('events' in reply) return sendEvents(response, reply.events);
    sendJson(response, reply.status, reply.json, reply.headers);
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    sendText(response, status, 'application/json', JSON.stringify(body), headers);
}

function sendText(
    response: ServerResponse,
    status: number,
    contentType: string,
    text: string,
    headers: Record<string, string> = {},
): void {
    response.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
    response.end(text);
}

/** The event the API sends when it fails after the stream has begun. */
const MID_STREAM_ERROR = { error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null } };

const EVENT_STREAM_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

function sendEvents(response: ServerResponse, events: object[]): void {
    response.writeHead(200, EVENT_STREAM_HEADERS);
    for (const event of events) response.write(`data: ${JSON.stringify(event)}\n\n`);
    response.end('data: [DONE]\n\n');
}

/** A bug in the simulation becomes a 500 for that request, never a crashed test run. */
function sendFailure(response: ServerResponse, error: unknown): void {
    if (response.headersSent || response.destroyed) {
        response.destroy();
        return;
    }
    const reason = error instanceof Error ? error.message : String(error);
    const failure = apiError(500, `The simulated server failed: ${reason}`, { type: 'server_error' });
    sendJson(response, failure.status, failure.json);
}
