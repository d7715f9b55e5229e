/*
 * The fixture most integration files use: for every test a fresh server, its propagation log, and
 * one connected ioredis client, all closed after the test.
 */
import { afterEach, beforeEach } from 'vitest';
import type { Redis } from 'ioredis';
import { recordPropagation, startTestServer, waitForBlocked, type TestServer } from './server.js';
import { connect, disconnectAll } from './clients.js';

export interface PerTest {
  ts: TestServer;
  r: Redis;
  /** Commands propagated since the test started, as 'ARG ARG ...'. */
  logged: string[];
}

/** Registers the hooks; bind receives each test's fixture (assign it to the file's variables). */
export function serverPerTest(bind: (f: PerTest) => void): void {
  let current: PerTest | null = null;
  beforeEach(async () => {
    const ts = await startTestServer();
    const logged = recordPropagation(ts);
    const r = await connect(ts.port);
    current = { ts, r, logged };
    bind(current);
  });
  afterEach(async () => {
    if (current === null) return;
    await disconnectAll([current.r]);
    await current.ts.close();
    current = null;
  });
}

export interface PerTestClients {
  ts: TestServer;
  logged: string[];
  /** Connects one more client to this test's server; all are closed after the test. */
  client(): Promise<Redis>;
  /** Resolves once exactly n clients are blocked on keys. */
  blockedCount(n: number, ms?: number): Promise<void>;
}

/** As serverPerTest, for tests that open several clients (blocking commands). */
export function serverWithClientsPerTest(bind: (f: PerTestClients) => void): void {
  let ts: TestServer | null = null;
  const clients: Redis[] = [];
  beforeEach(async () => {
    const server = await startTestServer();
    ts = server;
    bind({
      ts: server,
      logged: recordPropagation(server),
      client: async () => {
        const r = await connect(server.port);
        clients.push(r);
        return r;
      },
      blockedCount: (n, ms) => waitForBlocked(server, n, ms),
    });
  });
  afterEach(async () => {
    await disconnectAll(clients.splice(0));
    await ts?.close();
    ts = null;
  });
}
