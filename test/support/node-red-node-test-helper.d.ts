// The test helper ships no types; these cover what the tests use.
declare module 'node-red-node-test-helper' {
    import type { Node } from 'node-red';

    type NodeModule = (RED: never) => void;
    interface Helper {
        init(runtimePath: string, userSettings?: Record<string, unknown>): void;
        load(nodes: NodeModule | NodeModule[], flow: object[], credentials?: Record<string, object>): Promise<void>;
        setFlows(flow: object[], type?: 'full' | 'flows' | 'nodes', credentials?: Record<string, object>): Promise<void>;
        unload(): Promise<void>;
        getNode(id: string): (Node & Record<string, unknown>) | null;
        startServer(): Promise<void>;
        stopServer(): Promise<void>;
        url(): string;
        /** The spy on Node-RED's log: every line the runtime logged. */
        log(): { getCalls(): { args: unknown[] }[] };
    }
    const helper: Helper;
    export = helper;
}
