// Request/answer over the IPC channel of a forked child. Every part of the
// benchmark that is measured runs in a child of its own, so that what one
// part costs (the test server, an earlier scenario) never shows in another's
// process.cpuUsage() or RSS.
import { fork, type ChildProcess } from 'node:child_process';

interface Call {
    id: number;
    command: string;
    args: unknown;
}

type Answer = { id: number; result: unknown } | { id: number; error: string };

export type Handlers = Record<string, (args: never) => unknown>;

export interface Child {
    readonly pid: number;
    call<T>(command: string, args?: unknown): Promise<T>;
    /** Asks the child to exit and waits for it. */
    stop(): Promise<void>;
}

export interface ForkOptions {
    /** Node options for the child, e.g. `--expose-gc`. */
    execArgv?: string[];
    env?: NodeJS.ProcessEnv;
}

/** Forks `script` and resolves once it has said it is ready. */
export function forkChild(script: string, args: string[] = [], options: ForkOptions = {}): Promise<Child> {
    const child = fork(script, args, {
        execArgv: options.execArgv ?? [],
        env: options.env ?? process.env,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
    let nextId = 1;
    let exited: Error | undefined;

    child.on('message', (message: Answer | 'ready') => {
        if (message === 'ready') return;
        const entry = waiting.get(message.id);
        if (!entry) return;
        waiting.delete(message.id);
        if ('error' in message) entry.reject(new Error(message.error));
        else entry.resolve(message.result);
    });
    child.on('exit', (code, signal) => {
        exited = new Error(`${script} exited (${signal ?? code})`);
        for (const entry of waiting.values()) entry.reject(exited);
        waiting.clear();
    });

    const handle: Child = {
        pid: child.pid ?? -1,
        call<T>(command: string, callArgs?: unknown): Promise<T> {
            if (exited) return Promise.reject(exited);
            const id = nextId++;
            return new Promise<T>((resolve, reject) => {
                waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
                child.send({ id, command, args: callArgs } satisfies Call);
            });
        },
        stop: () => stopChild(child, () => exited !== undefined),
    };
    return new Promise((resolve, reject) => {
        child.once('message', (message) => (message === 'ready' ? resolve(handle) : undefined));
        child.once('exit', () => reject(exited));
    });
}

function stopChild(child: ChildProcess, hasExited: () => boolean): Promise<void> {
    if (hasExited()) return Promise.resolve();
    return new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.disconnect();
        // A child that does not leave on its own after the channel closes is ended.
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
}

/**
 * The child's side: answers calls with `handlers`, says it is ready, and
 * exits when the parent closes the channel.
 */
export function serve(handlers: Handlers): void {
    process.on('message', (message: Call) => {
        const handler = handlers[message.command] as ((args: unknown) => unknown) | undefined;
        Promise.resolve()
            .then(() => {
                if (!handler) throw new Error(`unknown command ${message.command}`);
                return handler(message.args);
            })
            .then(
                (result) => process.send?.({ id: message.id, result: result ?? null } satisfies Answer),
                (error: unknown) => process.send?.({ id: message.id, error: describe(error) } satisfies Answer),
            );
    });
    process.on('disconnect', () => process.exit(0));
    process.send?.('ready');
}

function describe(error: unknown): string {
    return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** Runs a child's main function; a failure is printed and ends the child. */
export function runChild(main: () => Promise<void>): void {
    main().catch((error: unknown) => {
        console.error(describe(error));
        process.exit(1);
    });
}
