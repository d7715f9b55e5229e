/*
 * REWIND RESTORE (key-level flashback) and REWIND RANGE on a running server, with an injected
 * clock so each "second" of history is exact: chosen keys go back, others stay, the change is in
 * the AOF as ordinary writes (it survives a restart), TTLs and TIMESHIFT, DRYRUN, errors.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../../server/index.js';

const T = 1_900_000_000;
const running: RunningServer[] = [];
const clients: Redis[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of running.splice(0)) await s.close();
});

interface FakeClock {
  t: number;
  now(): number;
}

async function serve(dir: string, clock: FakeClock, config: Record<string, string> = {}): Promise<Redis> {
  const s = await startServer({ config: { port: 0, bind: '127.0.0.1', dir, save: '', appendonly: 'yes', 'aof-timestamp-enabled': 'yes', ...config }, clock });
  running.push(s);
  const r = new Redis(s.port, '127.0.0.1');
  clients.push(r);
  return r;
}

/** History: T+0 users and a counter; T+1 changes; T+2 the accident (FLUSHDB); now is T+5. */
async function history(): Promise<{ r: Redis; dir: string; clock: FakeClock }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rewind-flashback-'));
  const clock: FakeClock = { t: T * 1000, now() { return this.t; } };
  const r = await serve(dir, clock);
  await r.hset('user:1', 'name', 'ann');
  await r.set('user:2', 'bob');
  await r.set('counter', '1');
  await r.set('session', 'x', 'PXAT', (T + 3) * 1000);
  await r.set('token', 'y', 'PXAT', (T + 100) * 1000);
  clock.t = (T + 1) * 1000 + 500;
  await r.hset('user:1', 'name', 'anna');
  await r.del('user:2');
  await r.set('user:3', 'cid');
  await r.incr('counter');
  clock.t = (T + 2) * 1000 + 500;
  await r.flushdb();
  clock.t = (T + 5) * 1000;
  return { r, dir, clock };
}

type Reply = (string | number | string[])[];

describe('REWIND RESTORE', () => {
  test('brings back chosen keys as they were at the end of that second, and nothing else', async () => {
    const { r } = await history();
    await r.set('counter', '100');
    const reply = (await r.call('REWIND', 'RESTORE', String(T), 'MATCH', 'user:*')) as Reply;
    expect(reply).toEqual(['restored', 2, 'replaced', 0, 'deleted', 0, 'skipped', 0, 'expired', 0, 'keys', expect.arrayContaining(['user:1', 'user:2'])]);
    expect(await r.hgetall('user:1')).toEqual({ name: 'ann' });
    expect(await r.get('user:2')).toBe('bob');
    expect(await r.get('counter')).toBe('100');
    expect(await r.exists('user:3')).toBe(0);
  });

  test('existing keys are skipped without REPLACE; REPLACE overwrites and deletes keys absent then', async () => {
    const { r } = await history();
    await r.set('user:1', 'now');
    await r.set('user:3', 'now');
    expect((await r.call('REWIND', 'RESTORE', String(T), 'MATCH', 'user:*')) as Reply).toEqual(
      ['restored', 1, 'replaced', 0, 'deleted', 0, 'skipped', 1, 'expired', 0, 'keys', ['user:2']]);
    expect(await r.get('user:1')).toBe('now');
    const replaced = (await r.call('REWIND', 'RESTORE', String(T), 'MATCH', 'user:*', 'REPLACE')) as Reply;
    expect(replaced.slice(0, 10)).toEqual(['restored', 0, 'replaced', 2, 'deleted', 1, 'skipped', 0, 'expired', 0]);
    expect(await r.hgetall('user:1')).toEqual({ name: 'ann' });
    expect(await r.exists('user:3')).toBe(0);
  });

  test('KEYS, a later second, DB, and DRYRUN', async () => {
    const { r } = await history();
    expect((await r.call('REWIND', 'RESTORE', String(T + 1), 'KEYS', '2', 'counter', 'user:3', 'DRYRUN')) as Reply).toEqual(
      ['restored', 2, 'replaced', 0, 'deleted', 0, 'skipped', 0, 'expired', 0, 'keys', ['counter', 'user:3']]);
    expect(await r.dbsize()).toBe(0);
    await r.call('REWIND', 'RESTORE', String(T + 1), 'KEYS', '2', 'counter', 'user:3');
    expect(await r.mget('counter', 'user:3')).toEqual(['2', 'cid']);
    expect((await r.call('REWIND', 'RESTORE', String(T + 1), 'MATCH', '*', 'DB', '1')) as Reply).toEqual(
      ['restored', 0, 'replaced', 0, 'deleted', 0, 'skipped', 0, 'expired', 0, 'keys', []]);
  });

  test('TTLs keep their deadline from then (a passed one is not restored), or move forward with TIMESHIFT', async () => {
    const { r } = await history();
    expect(((await r.call('REWIND', 'RESTORE', String(T), 'KEYS', '2', 'session', 'token')) as Reply).slice(0, 10)).toEqual(
      ['restored', 1, 'replaced', 0, 'deleted', 0, 'skipped', 0, 'expired', 1]);
    expect(await r.call('PEXPIRETIME', 'token')).toBe((T + 100) * 1000);
    await r.call('REWIND', 'RESTORE', String(T), 'KEYS', '1', 'session', 'TIMESHIFT');
    // The deadline was 2 s after the end of second T; now is T+5, so it moves to T+5 + 2 s.
    expect(await r.call('PEXPIRETIME', 'session')).toBe((T + 3) * 1000 + (T + 5 - (T + 1)) * 1000);
  });

  test('the restore is logged as ordinary writes (not as REWIND) and survives a restart', async () => {
    const { r, dir, clock } = await history();
    await r.call('REWIND', 'RESTORE', String(T), 'MATCH', 'user:*');
    const incr = readFileSync(path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof'), 'latin1');
    expect(incr).toContain('$7\r\nRESTORE\r\n');
    expect(incr).not.toMatch(/REWIND/i);
    expect(incr).toContain('*1\r\n$5\r\nMULTI\r\n');
    await running[0]!.close();
    const again = await serve(dir, clock);
    expect(await again.hgetall('user:1')).toEqual({ name: 'ann' });
    expect(await again.get('user:2')).toBe('bob');
  });

  test('errors: a target outside the range, bad arguments, no AOF', async () => {
    const { r } = await history();
    await expect(r.call('REWIND', 'RESTORE', String(T - 10), 'MATCH', '*')).rejects.toThrow(`ERR cannot restore to ${T - 10}`);
    await expect(r.call('REWIND', 'RESTORE', 'yesterday', 'MATCH', '*')).rejects.toThrow("ERR cannot read the restore time 'yesterday'");
    await expect(r.call('REWIND', 'RESTORE', String(T), 'DB', '1')).rejects.toThrow('ERR REWIND RESTORE needs MATCH <pattern> or KEYS');
    await expect(r.call('REWIND', 'RESTORE', String(T))).rejects.toThrow("ERR wrong number of arguments for 'rewind|restore' command");
    await expect(r.call('REWIND', 'RESTORE', String(T), 'MATCH', '*', 'BOGUS')).rejects.toThrow('ERR syntax error');
    const plain = await serve(mkdtempSync(path.join(tmpdir(), 'rewind-flashback-off-')), { t: T * 1000, now() { return this.t; } }, { appendonly: 'no' });
    await expect(plain.call('REWIND', 'RESTORE', String(T), 'MATCH', '*')).rejects.toThrow('ERR REWIND needs the AOF');
    await expect(plain.call('REWIND', 'RANGE')).rejects.toThrow('ERR REWIND needs the AOF');
  });
});

describe('REWIND RANGE and HELP', () => {
  test('RANGE answers the oldest base second and the newest annotation', async () => {
    const { r } = await history();
    expect(await r.call('REWIND', 'RANGE')).toEqual([T, T + 2]);
    expect(((await r.call('REWIND', 'HELP')) as string[])[0]).toMatch(/^REWIND <subcommand>/);
  });
});
