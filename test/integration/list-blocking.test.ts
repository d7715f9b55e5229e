/*
 * Blocking list commands with several clients: wake order (first come first served), decimal
 * timeouts, disconnect while blocked, waiting on several keys, BLMOVE chains, CLIENT UNBLOCK, and
 * the logged forms (BLPOP -> LPOP, BLMOVE -> LMOVE...) when a woken client is served.
 */
import { describe, expect, test } from 'vitest';
import type { Redis } from 'ioredis';
import type { TestServer } from '../helpers/server.js';
import { serverWithClientsPerTest } from '../helpers/fixture.js';

let ts: TestServer;
let logged: string[];
let client: () => Promise<Redis>;
let blockedCount: (n: number, ms?: number) => Promise<void>;

serverWithClientsPerTest((f) => {
  ({ ts, logged, client, blockedCount } = f);
});

describe('wake-ups', () => {
  test('first come first served, one element each', async () => {
    const [a, b, c, w] = [await client(), await client(), await client(), await client()];
    const pa = a.blpop('q', 0);
    await blockedCount(1);
    const pb = b.blpop('q', 0);
    await blockedCount(2);
    const pc = c.brpop('q', 0);
    await blockedCount(3);
    expect(await w.rpush('q', '1', '2')).toBe(2);
    expect(await pa).toEqual(['q', '1']);
    expect(await pb).toEqual(['q', '2']);
    await blockedCount(1);
    await w.lpush('q', '3');
    expect(await pc).toEqual(['q', '3']);
    expect(await w.exists('q')).toBe(0);
    expect(logged).toEqual(['rpush q 1 2', 'LPOP q', 'LPOP q', 'lpush q 3', 'RPOP q']);
  });

  test('blocked on several keys: served from the key that got data, then gone from the others', async () => {
    const [a, w] = [await client(), await client()];
    const pa = a.brpop('k1', 'k2', 'k3', 0);
    await blockedCount(1);
    await w.rpush('k2', 'x');
    expect(await pa).toEqual(['k2', 'x']);
    await w.rpush('k1', 'y');
    expect(await w.lrange('k1', 0, -1)).toEqual(['y']);
    expect(ts.server.state.blocking.count).toBe(0);
  });

  test('a key created with another type keeps the client waiting', async () => {
    const [a, w] = [await client(), await client()];
    const pa = a.blpop('k', 0);
    await blockedCount(1);
    await w.set('k', 'str');
    await w.del('k');
    await blockedCount(1);
    await w.rpush('k', 'v');
    expect(await pa).toEqual(['k', 'v']);
  });

  test('BLMPOP with COUNT and the logged LPOP key n', async () => {
    const [a, w] = [await client(), await client()];
    const pa = a.call('BLMPOP', '0', '2', 'x', 'y', 'LEFT', 'COUNT', '2');
    await blockedCount(1);
    await w.rpush('y', '1', '2', '3');
    expect(await pa).toEqual(['y', ['1', '2']]);
    expect(logged).toEqual(['rpush y 1 2 3', 'LPOP y 2']);
  });

  test('BLMOVE chain: a move wakes the next client', async () => {
    const [a, b, w] = [await client(), await client(), await client()];
    const pa = a.call('BLMOVE', 'src', 'mid', 'LEFT', 'RIGHT', '0');
    await blockedCount(1);
    const pb = b.brpoplpush('mid', 'dst', 0);
    await blockedCount(2);
    await w.rpush('src', 'item');
    expect(await pa).toBe('item');
    expect(await pb).toBe('item');
    expect(await w.lrange('dst', 0, -1)).toEqual(['item']);
    expect(await w.exists('src', 'mid')).toBe(0);
    expect(logged).toEqual(['rpush src item', 'LMOVE src mid LEFT RIGHT', 'RPOPLPUSH mid dst']);
  });

  test('commands pipelined behind a blocked one run after it is served', async () => {
    const [a, w] = [await client(), await client()];
    const [pa, pb] = [a.blpop('k', 0), a.llen('k')];
    await blockedCount(1);
    await w.rpush('k', 'a', 'b');
    expect(await pa).toEqual(['k', 'a']);
    expect(await pb).toBe(1);
  });
});

describe('timeouts and ends of waiting', () => {
  test('decimal timeouts answer nil after about that long', async () => {
    const a = await client();
    let t = Date.now();
    expect(await a.blpop('k', 0.05)).toBeNull();
    expect(Date.now() - t).toBeGreaterThanOrEqual(45);
    t = Date.now();
    expect(await a.call('BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '0.05')).toBeNull();
    expect(await a.call('BLMPOP', '0.02', '1', 'k', 'LEFT')).toBeNull();
    expect(await a.brpoplpush('k', 'd', 0.02)).toBeNull();
    expect(Date.now() - t).toBeGreaterThanOrEqual(85);
    expect(ts.server.state.blocking.count).toBe(0);
  });

  test('timeout errors', async () => {
    const a = await client();
    await expect(a.call('BLPOP', 'k', '-0.5')).rejects.toThrow('ERR timeout is negative');
    await expect(a.call('BLPOP', 'k', 'x')).rejects.toThrow('ERR timeout is not a float or out of range');
    await expect(a.call('BLPOP', 'k', '1e400')).rejects.toThrow('ERR timeout is negative');
  });

  test('a timeout longer than setTimeout allows still waits', async () => {
    const [a, w] = [await client(), await client()];
    const pa = a.blpop('k', 1e7);
    await blockedCount(1);
    await new Promise((res) => setTimeout(res, 30));
    await blockedCount(1);
    await w.rpush('k', 'v');
    expect(await pa).toEqual(['k', 'v']);
  });

  test('disconnect while blocked: the next client gets the element', async () => {
    const [a, b, w] = [await client(), await client(), await client()];
    void a.blpop('k', 0).catch(() => undefined);
    await blockedCount(1);
    const pb = b.blpop('k', 0);
    await blockedCount(2);
    a.disconnect();
    await blockedCount(1);
    await w.rpush('k', 'v');
    expect(await pb).toEqual(['k', 'v']);
  });

  test('CLIENT UNBLOCK: TIMEOUT answers nil, ERROR the UNBLOCKED error', async () => {
    const [a, w] = [await client(), await client()];
    const id = Number(await a.client('ID'));
    const pa = a.blpop('k', 0);
    await blockedCount(1);
    expect(await w.call('CLIENT', 'UNBLOCK', String(id))).toBe(1);
    expect(await pa).toBeNull();
    // Settled into a value at once, so the rejection is never unhandled while we unblock.
    const pb = a.call('BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '0').then(() => null, (e: unknown) => e);
    await blockedCount(1);
    expect(await w.call('CLIENT', 'UNBLOCK', String(id), 'ERROR')).toBe(1);
    expect(String(await pb)).toContain('UNBLOCKED client unblocked via CLIENT UNBLOCK');
    expect(await w.call('CLIENT', 'UNBLOCK', String(id))).toBe(0);
    expect(await w.call('CLIENT', 'UNBLOCK', '999999', 'TIMEOUT')).toBe(0);
    await expect(w.call('CLIENT', 'UNBLOCK', String(id), 'foo')).rejects.toThrow('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
    await expect(w.call('CLIENT', 'UNBLOCK', 'abc')).rejects.toThrow('ERR value is not an integer or out of range');
    await expect(w.call('CLIENT', 'UNBLOCK', '1', 'timeout', 'x')).rejects.toThrow(
      "ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.",
    );
    expect(logged).toEqual([]);
  });
});

describe('INFO clients while clients are blocked', () => {
  test('blocked_clients, clients_in_timeout_table and total_blocking_keys', async () => {
    const [a, b, probe] = [await client(), await client(), await client()];
    const forever = a.blpop('k1', 'k2', 0);
    const timed = b.brpop('k2', 30);
    await blockedCount(2);
    const info = await probe.info('clients');
    expect(info).toContain('blocked_clients:2\r\n');
    expect(info).toContain('clients_in_timeout_table:1\r\n');
    expect(info).toContain('total_blocking_keys:2\r\n');
    await probe.rpush('k2', 'x', 'y');
    expect(await forever).toEqual(['k2', 'x']);
    expect(await timed).toEqual(['k2', 'y']);
    expect(await probe.info('clients')).toContain('blocked_clients:0\r\n');
  });
});
