// A plain HTTP forward proxy on 127.0.0.1 for the tests: it forwards
// absolute-form requests (`GET http://host:port/path`) and tunnels CONNECT,
// records what passed through it, and asks for a user name and password
// when it is given some.
import { createServer, type IncomingHttpHeaders, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:net';

export interface ProxiedRequest {
    method: string;
    /** The absolute URL asked for, or `host:port` for CONNECT. */
    target: string;
    /** The headers the proxy received, `proxy-authorization` included. */
    headers: IncomingHttpHeaders;
    /** Whether the proxy passed it on (false: refused with 407 or 400). */
    forwarded: boolean;
}

export interface ForwardProxy {
    /** e.g. `http://127.0.0.1:41234` */
    readonly url: string;
    /** Everything asked of the proxy, in order. */
    readonly requests: ProxiedRequest[];
    reset(): void;
    /** Stops listening and ends every connection, tunnels included. */
    close(): Promise<void>;
}

export interface ForwardProxyOptions {
    /** With both: requests without `Proxy-Authorization: Basic` of these get 407. */
    username?: string;
    password?: string;
}

/** Headers that concern only the hop to the proxy, never passed on. */
const HOP_BY_HOP = ['proxy-authorization', 'proxy-connection', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade'];

export async function startForwardProxy(options: ForwardProxyOptions = {}): Promise<ForwardProxy> {
    const requests: ProxiedRequest[] = [];
    const sockets = new Set<Socket>();
    const expected =
        options.username !== undefined || options.password !== undefined
            ? `Basic ${Buffer.from(`${options.username ?? ''}:${options.password ?? ''}`).toString('base64')}`
            : undefined;
    const allowed = (headers: IncomingHttpHeaders) => expected === undefined || headers['proxy-authorization'] === expected;

    const server: Server = createServer((request, response) => {
        const target = request.url ?? '';
        const absolute = /^http:\/\//i.test(target);
        const record: ProxiedRequest = { method: request.method ?? 'GET', target, headers: { ...request.headers }, forwarded: false };
        requests.push(record);
        if (!absolute) {
            response.writeHead(400, { 'content-type': 'text/plain' }).end('a forward proxy takes absolute URLs');
            return;
        }
        if (!allowed(request.headers)) {
            response.writeHead(407, { 'proxy-authenticate': 'Basic realm="test proxy"', 'content-type': 'text/plain' }).end('proxy authentication required');
            return;
        }
        record.forwarded = true;
        const headers = { ...request.headers };
        for (const name of HOP_BY_HOP) delete headers[name];
        const upstream = httpRequest(target, { method: request.method, headers }, (answer) => {
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(response);
        });
        upstream.on('error', () => (response.headersSent ? response.destroy() : response.writeHead(502).end('upstream failed')));
        request.pipe(upstream);
    });

    server.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
    });
    server.on('connect', (request, client: Socket, head: Buffer) => {
        const target = request.url ?? '';
        const record: ProxiedRequest = { method: 'CONNECT', target, headers: { ...request.headers }, forwarded: false };
        requests.push(record);
        if (!allowed(request.headers)) {
            client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test proxy"\r\nContent-Length: 0\r\n\r\n');
            return;
        }
        const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
        const upstream = connect(port, host, () => {
            record.forwarded = true;
            client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
            if (head.length > 0) upstream.write(head);
            upstream.pipe(client);
            client.pipe(upstream);
        });
        sockets.add(upstream);
        upstream.once('close', () => sockets.delete(upstream));
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
    });

    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    let closing: Promise<void> | undefined;
    return {
        url: `http://127.0.0.1:${port}`,
        requests,
        reset: () => {
            requests.length = 0;
        },
        close: () =>
            (closing ??= new Promise<void>((resolve) => {
                server.close(() => resolve());
                for (const socket of sockets) socket.destroy();
            })),
    };
}
