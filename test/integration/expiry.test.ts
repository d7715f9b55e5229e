/*
 * Expiry end to end: the active cycle in the server cron removes keys nobody touches (DBSIZE, which
 * never expires lazily, and the Db's own counts prove it), lazy expiry on access, and the DEL that
 * each expiry sends to the AOF. Polls with deadlines, never fixed sleeps.
 */
import { expect, test } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connect, disconnectAll } from '../helpers/clients.js';
import { serverPerTest } from '../helpers/fixture.js';

let ts: TestServer;
let r: Redis;
let logged: string[];

serverPerTest((f) => {
  ({ ts, r, logged } = f);
});

/** Resolves once check() is true; fails after timeoutMs. */
async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

test('1000 keys with a 100 ms TTL disappear without being touched', async () => {
  const p = r.pipeline();
  for (let i = 0; i < 1000; i++) p.set(`k:${i}`, 'v', 'PX', 100);
  await p.exec();
  const db = ts.server.state.dbs[0]!;
  expect(db.expiresCount).toBe(1000);
  await waitFor(async () => (await r.dbsize()) === 0, 5000);
  expect(db.size).toBe(0);
  expect(db.expiresCount).toBe(0);
  expect(ts.server.state.stats.expiredKeys).toBe(1000);
  const dels = logged.filter((l) => l.startsWith('DEL '));
  expect(new Set(dels).size).toBe(1000);
});

test('keys without a TTL, or with a long one, stay', async () => {
  const p = r.pipeline();
  for (let i = 0; i < 500; i++) p.set(`short:${i}`, 'v', 'PX', 50);
  for (let i = 0; i < 500; i++) p.set(`plain:${i}`, 'v');
  for (let i = 0; i < 500; i++) p.set(`long:${i}`, 'v', 'EX', 1000);
  await p.exec();
  await waitFor(async () => (await r.dbsize()) === 1000, 5000);
  expect((await r.keys('short:*')).length).toBe(0);
  expect(ts.server.state.dbs[0]!.expiresCount).toBe(500);
});

test('a few expired keys among many volatile ones are still found (the cycle walks all of them)', async () => {
  // Below 10% stale keys a cron run stops after one step of 20 keys, as Redis's slow cycle does,
  // so finding all 50 needs the cursor to walk the whole volatile list: at hz 100 that is about
  // 2000 keys a second (Redis, with random-ish bucket sampling, is no faster here).
  await disconnectAll([r]);
  await ts.close();
  ts = await startTestServer({ hz: 100 });
  r = await connect(ts.port);
  const p = r.pipeline();
  for (let i = 0; i < 5000; i++) p.set(`long:${i}`, 'v', 'EX', 1000);
  for (let i = 0; i < 50; i++) p.set(`short:${i}`, 'v', 'PX', 30);
  await p.exec();
  await waitFor(async () => (await r.dbsize()) === 5000, 15_000);
  expect(ts.server.state.dbs[0]!.expiresCount).toBe(5000);
}, 30_000);

test('expiry in every database', async () => {
  const state = ts.server.state;
  for (let i = 0; i < 16; i++) {
    state.dbs[i]!.set('k', 'v');
    state.dbs[i]!.setExpire('k', Date.now() + 50);
  }
  await waitFor(() => state.dbs.every((d) => d.size === 0), 5000);
});

test('lazy expiry on access propagates DEL and counts as expired', async () => {
  await r.set('k', 'v', 'PX', 60_000);
  // Backdate the deadline in-process so the GET, not the cron, is the first to see it passed.
  ts.server.state.dbs[0]!.setExpire('k', Date.now() - 1);
  expect(await r.get('k')).toBeNull();
  expect(logged).toContain('DEL k');
  expect(ts.server.state.stats.expiredKeys).toBe(1);
  expect(await r.dbsize()).toBe(0);
});

test('a TTL removed by PERSIST or overwritten by SET is never expired', async () => {
  await r.set('a', 'v', 'PX', 50);
  await r.set('b', 'v', 'PX', 50);
  await r.persist('a');
  await r.set('b', 'w');
  await r.set('c', 'v', 'PX', 50);
  await waitFor(async () => (await r.dbsize()) === 2, 5000);
  expect(await r.get('a')).toBe('v');
  expect(await r.get('b')).toBe('w');
});
