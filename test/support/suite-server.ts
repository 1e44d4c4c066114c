import { startTestServer, type Fault, type RecordedRequest, type TestServer, type TestServerOptions } from '../server/openai-test-server';
import type { RateLimitTally } from '../server/rate-limits';
import { helper } from './flow';

/**
 * The test server of a suite, started before its first test and closed after
 * its last; after each test the loaded flows are unloaded and the server's
 * records, faults and latency are reset. Call it inside `describe`.
 */
export function useTestServer(options?: TestServerOptions): TestServer {
    const suite = new SuiteServer();
    before(async () => {
        suite.live = await startTestServer(options);
    });
    afterEach(async () => {
        await helper.unload();
        suite.reset();
    });
    after(() => suite.close());
    return suite;
}

/** Stands for the server that `before` starts, so that tests can hold it from the start. */
class SuiteServer implements TestServer {
    live: TestServer | undefined;

    private get server(): TestServer {
        if (!this.live) throw new Error('the test server is not started yet: use it inside a test or hook');
        return this.live;
    }

    get url(): string {
        return this.server.url;
    }
    get apiKey(): string {
        return this.server.apiKey;
    }
    get requests(): RecordedRequest[] {
        return this.server.requests;
    }
    get latencyMs(): number {
        return this.server.latencyMs;
    }
    set latencyMs(value: number) {
        this.server.latencyMs = value;
    }
    failNext(fault: Fault, times?: number): void {
        this.server.failNext(fault, times);
    }
    rateLimitTally(): RateLimitTally {
        return this.server.rateLimitTally();
    }
    reset(): void {
        this.live?.reset();
    }
    async close(): Promise<void> {
        await this.live?.close();
    }
}
