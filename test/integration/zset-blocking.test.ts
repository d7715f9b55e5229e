/*
 * Blocking sorted-set pops with several clients: BZPOPMIN/BZPOPMAX/BZMPOP wake-ups in arrival
 * order, decimal timeouts answering a null array, waiting on several keys, wrong type while
 * waiting, and the logged ZPOPMIN/ZPOPMAX forms when a woken client is served.
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

describe('BZPOPMIN / BZPOPMAX / BZMPOP', () => {
  test('first come first served; each woken pop is logged as ZPOPMIN/ZPOPMAX', async () => {
    const [a, b, c, w] = [await client(), await client(), await client(), await client()];
    const pa = a.bzpopmin('z', 0);
    await blockedCount(1);
    const pb = b.bzpopmax('other', 'z', 0);
    await blockedCount(2);
    const pc = c.call('BZMPOP', '0', '1', 'z', 'MIN', 'COUNT', '5');
    await blockedCount(3);
    expect(await w.zadd('z', 1, 'a', 2, 'b', 3, 'c', 4, 'd')).toBe(4);
    expect(await pa).toEqual(['z', 'a', '1']);
    expect(await pb).toEqual(['z', 'd', '4']);
    expect(await pc).toEqual(['z', [['b', '2'], ['c', '3']]]);
    expect(await w.exists('z')).toBe(0);
    expect(logged).toEqual(['zadd z 1 a 2 b 3 c 4 d', 'ZPOPMIN z', 'ZPOPMAX z', 'ZPOPMIN z 5']);
  });

  test('a decimal timeout answers a null array; BZMPOP too', async () => {
    const a = await client();
    const started = Date.now();
    expect(await a.bzpopmin('z', '0.05')).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(await a.call('BZMPOP', '0.05', '2', 'x', 'y', 'MAX')).toBeNull();
  });

  test('waiting on several keys: the first key to get data serves; wrong type is an error', async () => {
    const [a, w] = [await client(), await client()];
    const pa = a.bzpopmax('x', 'y', 0);
    await blockedCount(1);
    await w.zadd('y', 7, 'm');
    expect(await pa).toEqual(['y', 'm', '7']);
    await w.set('s', 'v');
    await expect(a.bzpopmin('nokey', 's', 0)).rejects.toThrow('WRONGTYPE Operation against a key holding the wrong kind of value');
  });
});
