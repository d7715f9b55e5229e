/*
 * The fixture most integration files use: for every test a fresh server, its propagation log, and
 * one connected ioredis client, all closed after the test.
 */
import { afterEach, beforeEach } from 'vitest';
import type { Redis } from 'ioredis';
import { recordPropagation, startTestServer, type TestServer } from './server.js';
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
