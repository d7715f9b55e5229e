/*
 * The SET family over a real connection: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP
 * SRANDMEMBER SMOVE SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN.
 * Byte-exact replies are in test/diff/set.redis; here: propagation of SPOP, randomness, scans
 * of large sets, encodings.
 */
import { describe, expect, test } from 'vitest';
import type { Redis } from 'ioredis';
import type { TestServer } from '../helpers/server.js';
import { serverPerTest } from '../helpers/fixture.js';

let ts: TestServer;
let r: Redis;
let logged: string[];

serverPerTest((f) => {
  ({ ts, r, logged } = f);
});

describe('basic commands', () => {
  test('add, query, remove', async () => {
    expect(await r.sadd('s', 'b', 'a', 'b')).toBe(2);
    expect(await r.scard('s')).toBe(2);
    expect(await r.sismember('s', 'a')).toBe(1);
    expect(await r.smismember('s', 'a', 'z')).toEqual([1, 0]);
    expect((await r.smembers('s')).sort()).toEqual(['a', 'b']);
    expect(await r.smove('s', 't', 'a')).toBe(1);
    expect(await r.srem('s', 'b', 'x')).toBe(1);
    expect(await r.exists('s')).toBe(0);
    expect(await r.smembers('t')).toEqual(['a']);
    expect(logged).toEqual(['sadd s b a b', 'smove s t a', 'srem s b x']);
  });

  test('intset replies sorted; encodings', async () => {
    await r.sadd('i', '10', '-3', '7');
    expect(await r.smembers('i')).toEqual(['-3', '7', '10']);
    expect(await r.object('ENCODING', 'i')).toBe('intset');
    await r.sadd('i', 'x');
    expect(await r.object('ENCODING', 'i')).toBe('listpack');
    expect(await r.smembers('i')).toEqual(['-3', '7', '10', 'x']);
    await r.sadd('h', ...Array.from({ length: 600 }, (_, i) => String(i)));
    expect(await r.object('ENCODING', 'h')).toBe('hashtable');
  });
});

describe('algebra', () => {
  test('inter, union, diff and the store forms', async () => {
    await r.sadd('a', '1', '2', '3');
    await r.sadd('b', '2', '3', '4');
    expect(await r.sinter('a', 'b')).toEqual(['2', '3']);
    expect(await r.call('SINTERCARD', '2', 'a', 'b', 'LIMIT', '1')).toBe(1);
    expect(await r.sunion('a', 'b')).toEqual(['1', '2', '3', '4']);
    expect(await r.sdiff('a', 'b')).toEqual(['1']);
    expect(await r.sinterstore('d', 'a', 'b')).toBe(2);
    expect(await r.sunionstore('d', 'a', 'b')).toBe(4);
    expect(await r.sdiffstore('d', 'a', 'a')).toBe(0);
    expect(await r.exists('d')).toBe(0);
    expect(await r.call('COMMAND', 'GETKEYS', 'SINTERCARD', '2', 'a', 'b', 'LIMIT', '1')).toEqual(['a', 'b']);
  });
});

describe('SPOP and SRANDMEMBER', () => {
  test('SPOP is logged as SREM, SREMs in MULTI, or DEL', async () => {
    await r.sadd('s', 'a', 'b', 'c', 'd', 'e');
    logged.length = 0;
    const one = (await r.spop('s'))!;
    expect(logged).toEqual([`SREM s ${one}`]);
    logged.length = 0;
    const two = await r.spop('s', 2);
    expect(two.length).toBe(2);
    expect(logged).toEqual(['MULTI', ...two.map((m) => `SREM s ${m}`), 'EXEC']);
    logged.length = 0;
    const rest = await r.spop('s', 10);
    expect(rest.length).toBe(2);
    expect(logged).toEqual(['DEL s']);
    expect(await r.exists('s')).toBe(0);
  });

  test('SRANDMEMBER counts', async () => {
    await r.sadd('s', ...Array.from({ length: 40 }, (_, i) => `m${i}`));
    expect(new Set(await r.srandmember('s', 10)).size).toBe(10);
    expect(new Set(await r.srandmember('s', 35)).size).toBe(35);
    expect((await r.srandmember('s', -100)).length).toBe(100);
    expect((await r.srandmember('s', 100)).length).toBe(40);
  });

  test('SPOP drains a large set exactly', async () => {
    await r.sadd('s', ...Array.from({ length: 2000 }, (_, i) => `m${i}`));
    const seen = new Set<string>();
    for (let i = 0; i < 19; i++) for (const m of await r.spop('s', 100)) seen.add(m);
    expect(seen.size).toBe(1900);
    expect(await r.scard('s')).toBe(100);
  });
});

describe('SSCAN', () => {
  test('a hashtable set is returned completely across calls', async () => {
    await r.sadd('s', ...Array.from({ length: 1000 }, (_, i) => `m${i}`));
    const seen = new Set<string>();
    let cursor = '0';
    do {
      const [next, items] = await r.sscan('s', cursor, 'COUNT', 20);
      for (const m of items) seen.add(m);
      cursor = next;
    } while (cursor !== '0');
    expect(seen.size).toBe(1000);
    const [, matched] = await r.sscan('s', 0, 'MATCH', 'm99*', 'COUNT', 2000);
    expect(matched.sort()).toEqual(['m99', 'm990', 'm991', 'm992', 'm993', 'm994', 'm995', 'm996', 'm997', 'm998', 'm999']);
  });
});
