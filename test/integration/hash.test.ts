/*
 * The HASH family over a real connection: HSET HSETNX HGET HMGET HMSET HDEL HEXISTS HLEN HKEYS
 * HVALS HGETALL HINCRBY HINCRBYFLOAT HSTRLEN HRANDFIELD HSCAN. Byte-exact replies are in
 * test/diff/hash.redis; here: propagation, randomness, large-hash scans, encodings and COPY.
 */
import { describe, expect, test } from 'vitest';
import type { Redis } from 'ioredis';
import type { TestServer } from '../helpers/server.js';
import { serverPerTest } from '../helpers/fixture.js';
import { ERR_WRONGTYPE as WRONGTYPE } from '../../protocol/errors.js';

let ts: TestServer;
let r: Redis;
let logged: string[];

serverPerTest((f) => {
  ({ ts, r, logged } = f);
});


describe('basic commands', () => {
  test('set, get, delete, empty hash removed', async () => {
    expect(await r.hset('h', 'a', '1', 'b', '2')).toBe(2);
    expect(await r.hmset('h', 'c', '3')).toBe('OK');
    expect(await r.hsetnx('h', 'a', 'x')).toBe(0);
    expect(await r.hget('h', 'a')).toBe('1');
    expect(await r.hmget('h', 'a', 'zz')).toEqual(['1', null]);
    expect(await r.hexists('h', 'b')).toBe(1);
    expect(await r.hlen('h')).toBe(3);
    expect(await r.hstrlen('h', 'c')).toBe(1);
    expect(await r.hkeys('h')).toEqual(['a', 'b', 'c']);
    expect(await r.hvals('h')).toEqual(['1', '2', '3']);
    expect(await r.hgetall('h')).toEqual({ a: '1', b: '2', c: '3' });
    expect(await r.hdel('h', 'a', 'b', 'c', 'd')).toBe(3);
    expect(await r.exists('h')).toBe(0);
    expect(logged).toEqual(['hset h a 1 b 2', 'hmset h c 3', 'hdel h a b c d']);
  });

  test('wrong type and arity', async () => {
    await r.set('s', 'x');
    await expect(r.hset('s', 'a', '1')).rejects.toThrow(WRONGTYPE);
    await expect(r.call('HSET', 'h', 'a')).rejects.toThrow("ERR wrong number of arguments for 'hset' command");
    await expect(r.call('HSET', 'h', 'a', '1', 'b')).rejects.toThrow("ERR wrong number of arguments for 'hset' command");
    expect(logged).toEqual(['set s x']);
  });
});

describe('increments', () => {
  test('HINCRBY and HINCRBYFLOAT, propagated as HSET', async () => {
    expect(await r.hincrby('h', 'n', 5)).toBe(5);
    expect(await r.hincrbyfloat('h', 'f', '10.5')).toBe('10.5');
    expect(await r.hincrbyfloat('h', 'f', '0.1')).toBe('10.6');
    await expect(r.hincrby('h', 'f', 1)).rejects.toThrow('ERR hash value is not an integer');
    expect(logged).toEqual(['hincrby h n 5', 'HSET h f 10.5', 'HSET h f 10.6']);
  });
});

describe('HRANDFIELD', () => {
  test('distinct, repeated and whole-hash counts', async () => {
    const fields = Array.from({ length: 50 }, (_, i) => `f${i}`);
    await r.hset('h', ...fields.flatMap((f) => [f, f.toUpperCase()]));
    const some = (await r.call('HRANDFIELD', 'h', '10')) as string[];
    expect(new Set(some).size).toBe(10);
    const most = (await r.call('HRANDFIELD', 'h', '45')) as string[];
    expect(new Set(most).size).toBe(45);
    const rep = (await r.call('HRANDFIELD', 'h', '-200', 'WITHVALUES')) as string[];
    expect(rep.length).toBe(400);
    for (let i = 0; i < rep.length; i += 2) expect(rep[i + 1]).toBe(rep[i]!.toUpperCase());
    const all = (await r.call('HRANDFIELD', 'h', '100')) as string[];
    expect(all).toEqual(fields);
    expect(fields).toContain(await r.call('HRANDFIELD', 'h'));
  });
});

describe('HSCAN and encodings', () => {
  test('a hashtable hash is scanned in several calls and converts once', async () => {
    await r.config('SET', 'hash-max-listpack-entries', '16');
    const n = 1000;
    for (let i = 0; i < n; i += 100) {
      await r.hset('big', ...Array.from({ length: 100 }, (_, j) => [`k${i + j}`, `${i + j}`]).flat());
    }
    expect(await r.object('ENCODING', 'big')).toBe('hashtable');
    const seen = new Map<string, string>();
    let cursor = '0';
    let calls = 0;
    do {
      const [next, items] = (await r.hscan('big', cursor, 'COUNT', 50)) as [string, string[]];
      for (let i = 0; i < items.length; i += 2) seen.set(items[i]!, items[i + 1]!);
      cursor = next;
      calls++;
    } while (cursor !== '0');
    expect(calls).toBeGreaterThan(5);
    expect(seen.size).toBe(n);
    expect(seen.get('k77')).toBe('77');
    await r.hdel('big', ...Array.from({ length: n - 1 }, (_, i) => `k${i}`));
    expect(await r.object('ENCODING', 'big')).toBe('hashtable');
  });

  test('COPY makes an independent hash', async () => {
    await r.hset('h', 'a', '1');
    await r.copy('h', 'h2');
    await r.hset('h2', 'b', '2');
    expect(await r.hlen('h')).toBe(1);
    expect(await r.hlen('h2')).toBe(2);
  });
});
