/*
 * The SORTED SET family over a real connection: what reaches the AOF (ZMPOP -> ZPOPMIN k count,
 * BZPOPMIN -> ZPOPMIN k, no-op writes not logged), encodings and conversions, plain sets as
 * ZUNION inputs, a large set through the skiplist encoding, ZSCAN's guarantee, and errors.
 * Byte-exact replies against real Redis live in test/diff/zset*.redis.
 */
import { describe, expect, test } from 'vitest';
import type { Redis } from 'ioredis';
import type { TestServer } from '../helpers/server.js';
import type { SetSource } from '../../commands/zset/setops.js';
import type { CollectionValue } from '../../commands/keyspace/value.js';
import { serverPerTest } from '../helpers/fixture.js';
import { ERR_WRONGTYPE as WRONGTYPE } from '../../protocol/errors.js';

let ts: TestServer;
let r: Redis;
let logged: string[];

serverPerTest((f) => {
  ({ ts, r, logged } = f);
});


describe('writes and what is logged', () => {
  test('ZADD, ZINCRBY, ZREM are logged as sent; no-op writes are not', async () => {
    expect(await r.zadd('z', 1, 'a', 2, 'b')).toBe(2);
    expect(await r.zadd('z', 'NX', 5, 'a')).toBe(0);
    expect(await r.zincrby('z', 1.5, 'a')).toBe('2.5');
    expect(await r.zrem('z', 'nope')).toBe(0);
    expect(await r.zrem('z', 'a')).toBe(1);
    expect(logged).toEqual(['zadd z 1 a 2 b', 'zincrby z 1.5 a', 'zrem z a']);
  });

  test('ZMPOP and BZMPOP log ZPOPMIN/ZPOPMAX key count; BZPOPMIN logs ZPOPMIN key', async () => {
    await r.zadd('z', 1, 'a', 2, 'b', 3, 'c', 4, 'd');
    logged.length = 0;
    expect(await r.call('ZMPOP', '2', 'none', 'z', 'MAX')).toEqual(['z', [['d', '4']]]);
    expect(await r.call('BZMPOP', '0', '1', 'z', 'MIN', 'COUNT', '2')).toEqual(['z', [['a', '1'], ['b', '2']]]);
    expect(await r.bzpopmin('none', 'z', 0)).toEqual(['z', 'c', '3']);
    expect(await r.exists('z')).toBe(0);
    expect(logged).toEqual(['ZPOPMAX z 1', 'ZPOPMIN z 2', 'ZPOPMIN z']);
  });

  test('ZRANGESTORE and ZUNIONSTORE replace the destination; an empty result deletes it', async () => {
    await r.set('dst', 'string');
    await r.zadd('z', 1, 'a', 2, 'b');
    expect(await r.zrangestore('dst', 'z', 0, 0)).toBe(1);
    expect(await r.type('dst')).toBe('zset');
    expect(await r.zunionstore('dst', 1, 'nokey')).toBe(0);
    expect(await r.exists('dst')).toBe(0);
    expect(await r.zunionstore('dst', 2, 'z', 'z', 'WEIGHTS', 2, 3)).toBe(2);
    expect(await r.zrange('dst', 0, -1, 'WITHSCORES')).toEqual(['a', '5', 'b', '10']);
  });

  test('wrong type and option errors', async () => {
    await r.set('s', 'x');
    await expect(r.zadd('s', 1, 'a')).rejects.toThrow(WRONGTYPE);
    await expect(r.zadd('z', 'NX', 'XX', 1, 'a')).rejects.toThrow('ERR XX and NX options at the same time are not compatible');
    await expect(r.call('ZADD', 'z', 'INCR', '1', 'a', '2', 'b')).rejects.toThrow('ERR INCR option supports a single increment-element pair');
    await r.zadd('z', '+inf', 'a');
    await expect(r.zincrby('z', '-inf', 'a')).rejects.toThrow('ERR resulting score is not a number (NaN)');
    await expect(r.zrangebylex('z', 'a', 'b')).rejects.toThrow('ERR min or max not valid string range item');
    await expect(r.zcount('z', 'x', 1)).rejects.toThrow('ERR min or max is not a float');
    await expect(r.call('BZPOPMIN', 'z', '-1')).rejects.toThrow('ERR timeout is negative');
    await expect(r.call('BZPOPMIN', 'z', 'x')).rejects.toThrow('ERR timeout is not a float or out of range');
  });
});

describe('encodings', () => {
  test('listpack until either limit, then skiplist for good', async () => {
    await r.config('SET', 'zset-max-listpack-entries', '3');
    await r.zadd('z', 1, 'a', 2, 'b', 3, 'c');
    expect(await r.object('ENCODING', 'z')).toBe('listpack');
    await r.zadd('z', 4, 'd');
    expect(await r.object('ENCODING', 'z')).toBe('skiplist');
    await r.zrem('z', 'a', 'b', 'c');
    expect(await r.object('ENCODING', 'z')).toBe('skiplist');
    await r.zadd('long', 1, 'x'.repeat(65));
    expect(await r.object('ENCODING', 'long')).toBe('skiplist');
  });

  test('ZRANK, WITHSCORE (7.2) and a large set through the skiplist encoding', async () => {
    const n = 20000;
    const args: (string | number)[] = [];
    for (let i = 0; i < n; i++) args.push(i % 1000, `m${String(i).padStart(6, '0')}`);
    expect(await r.zadd('big', ...args)).toBe(n);
    expect(await r.zcard('big')).toBe(n);
    expect(await r.zrank('big', 'm000001')).toBe(20);
    expect(await r.call('ZRANK', 'big', 'm000001', 'WITHSCORE')).toEqual([20, '1']);
    expect(await r.zrevrank('big', 'm000000')).toBe(n - 1);
    expect(await r.zcount('big', 10, '(20')).toBe(200);
    const seen = new Set<string>();
    let cursor = '0';
    do {
      const [next, items] = await r.zscan('big', cursor, 'COUNT', 500);
      for (let i = 0; i < items.length; i += 2) seen.add(items[i]!);
      cursor = next;
      if (seen.size === 100) await r.zrem('big', 'm019999');
    } while (cursor !== '0');
    expect(seen.size).toBeGreaterThanOrEqual(n - 1);
    expect(await r.zremrangebyrank('big', 0, 9999)).toBe(10000);
    expect(await r.zpopmin('big')).toHaveLength(2);
  });
});

describe('plain sets as inputs', () => {
  test('a set value offering ordered()/has() counts with score 1', async () => {
    const members = new Set(['a', 'x']);
    const set: CollectionValue & SetSource = {
      type: 'set', size: 2, clone: () => set, encoding: () => 'listpack',
      ordered: () => [...members], has: (m: string) => members.has(m),
    };
    ts.server.state.dbs[0]!.set('s', set);
    await r.zadd('z', 5, 'a', 6, 'b');
    expect(await r.zunion(2, 's', 'z', 'WITHSCORES')).toEqual(['x', '1', 'a', '6', 'b', '6']);
    expect(await r.zinter(2, 's', 'z', 'WITHSCORES')).toEqual(['a', '6']);
    expect(await r.zdiff(2, 's', 'z')).toEqual(['x']);
    expect(await r.zintercard(2, 's', 'z')).toBe(1);
    expect(await r.zinterstore('o', 2, 's', 'z')).toBe(1);
    expect(await r.zdiffstore('o', 2, 'z', 's')).toBe(1);
  });

  test('SADD sets from the set family', async () => {
    await r.sadd('real', 'a', 'q');
    await r.zadd('z', 2, 'a');
    expect(await r.zunion(2, 'real', 'z', 'WEIGHTS', 3, 1, 'WITHSCORES')).toEqual(['q', '3', 'a', '5']);
    expect(await r.zinter(2, 'z', 'real')).toEqual(['a']);
  });
});

describe('reads', () => {
  test('ranges, counts, scores and random members', async () => {
    await r.zadd('z', 1, 'a', 2, 'b', 3, 'c');
    expect(await r.zscore('z', 'b')).toBe('2');
    expect(await r.zmscore('z', 'a', 'q')).toEqual(['1', null]);
    expect(await r.zrange('z', 0, -1, 'REV')).toEqual(['c', 'b', 'a']);
    expect(await r.zrangebyscore('z', '(1', '+inf')).toEqual(['b', 'c']);
    expect(await r.zrevrangebyscore('z', '+inf', '(1')).toEqual(['c', 'b']);
    expect(await r.zrevrange('z', 0, 0)).toEqual(['c']);
    expect(await r.zlexcount('z', '-', '+')).toBe(3);
    expect(await r.zrevrangebylex('z', '+', '-')).toEqual(['c', 'b', 'a']);
    expect(await r.zremrangebyscore('z', 3, 3)).toBe(1);
    expect(await r.zremrangebylex('z', '[b', '[b')).toBe(1);
    expect(['a']).toContain(await r.zrandmember('z'));
    expect(await r.zrandmember('z', -3)).toEqual(['a', 'a', 'a']);
    expect(await r.zpopmax('z')).toEqual(['a', '1']);
  });
});
