/*
 * SORT and SORT_RO over a real connection: what reaches the AOF (SORT ... STORE as sent, only when
 * it changed something), STORE's list, TTL and delete-on-empty rules, the zset conversion SORT
 * causes, key positions, and errors. Byte-exact replies against real Redis live in test/diff/sort*.redis.
 */
import { describe, expect, test } from 'vitest';
import type { Redis } from 'ioredis';
import type { TestServer } from '../helpers/server.js';
import { sortWeight } from '../../commands/sort/pattern.js';
import { serverPerTest } from '../helpers/fixture.js';
import { ERR_WRONGTYPE as WRONGTYPE } from '../../protocol/errors.js';

let ts: TestServer;
let r: Redis;
let logged: string[];

serverPerTest((f) => {
  ({ ts, r, logged } = f);
});


describe('SORT', () => {
  test('numeric, ALPHA, DESC and LIMIT', async () => {
    await r.rpush('l', '3', '1', '2', '10');
    expect(await r.sort('l')).toEqual(['1', '2', '3', '10']);
    expect(await r.call('SORT', 'l', 'ALPHA')).toEqual(['1', '10', '2', '3']);
    expect(await r.call('SORT', 'l', 'DESC', 'LIMIT', '1', '2')).toEqual(['3', '2']);
    expect(await r.call('SORT', 'l', 'LIMIT', '-1', '-1')).toEqual(['1', '2', '3', '10']);
    expect(await r.call('SORT', 'l', 'LIMIT', '9', '1')).toEqual([]);
    expect(await r.call('SORT_RO', 'l', 'DESC')).toEqual(['10', '3', '2', '1']);
    expect(await r.call('SORT', 'missing')).toEqual([]);
  });

  test('BY and GET patterns', async () => {
    await r.rpush('ids', '1', '2', '3');
    await r.mset('w_1', '3', 'w_2', '1', 'w_3', '2');
    await r.hset('o_1', 'name', 'ann');
    await r.hset('o_3', 'name', 'cat');
    expect(await r.call('SORT', 'ids', 'BY', 'w_*', 'GET', '#', 'GET', 'o_*->name')).toEqual(['2', null, '3', 'cat', '1', 'ann']);
    expect(await r.call('SORT', 'ids', 'BY', 'nosort', 'DESC')).toEqual(['3', '2', '1']);
  });

  test('sorted sets keep score order under BY nosort and become skiplist', async () => {
    await r.zadd('z', 3, 'a', 1, 'b', 2, 'c');
    expect(await r.call('OBJECT', 'ENCODING', 'z')).toBe('listpack');
    expect(await r.call('SORT', 'z', 'BY', 'nosort', 'LIMIT', '1', '5')).toEqual(['c', 'a']);
    expect(await r.call('OBJECT', 'ENCODING', 'z')).toBe('skiplist');
    expect(await r.call('SORT', 'z', 'BY', 'nosort', 'DESC')).toEqual(['a', 'c', 'b']);
  });

  test('STORE writes a list, drops the TTL, deletes on empty, and is logged as sent', async () => {
    await r.sadd('s', 'b', 'c', 'a');
    await r.set('dst', 'x', 'EX', 100);
    expect(await r.call('SORT', 's', 'BY', 'nosort', 'STORE', 'dst')).toBe(3);
    expect(await r.lrange('dst', 0, -1)).toEqual(['a', 'b', 'c']);
    expect(await r.ttl('dst')).toBe(-1);
    expect(await r.call('SORT', 'missing', 'STORE', 'dst')).toBe(0);
    expect(await r.exists('dst')).toBe(0);
    expect(await r.call('SORT', 'missing', 'STORE', 'dst')).toBe(0);
    expect(await r.call('SORT', 's', 'ALPHA')).toEqual(['a', 'b', 'c']);
    expect(logged.filter((l) => l.startsWith('SORT'))).toEqual(['SORT s BY nosort STORE dst', 'SORT missing STORE dst']);
  });

  test('errors: syntax before WRONGTYPE, bad weights, SORT_RO refuses STORE', async () => {
    await r.set('str', 'v');
    await r.rpush('bad', '1', 'x');
    await expect(r.call('SORT', 'str')).rejects.toThrow(WRONGTYPE);
    await expect(r.call('SORT', 'str', 'nope')).rejects.toThrow('ERR syntax error');
    await expect(r.call('SORT', 'str', 'LIMIT', 'a', '1')).rejects.toThrow('ERR value is not an integer or out of range');
    await expect(r.call('SORT_RO', 'bad', 'STORE', 'd')).rejects.toThrow('ERR syntax error');
    await expect(r.call('SORT', 'bad')).rejects.toThrow("ERR One or more scores can't be converted into double");
    await expect(r.call('SORT', 'bad', 'STORE', 'd')).rejects.toThrow("ERR One or more scores can't be converted into double");
    expect(await r.exists('d')).toBe(0);
    await expect(r.call('SORT')).rejects.toThrow("ERR wrong number of arguments for 'sort' command");
    await expect(r.call('SORT_RO')).rejects.toThrow("ERR wrong number of arguments for 'sort_ro' command");
  });

  test('COMMAND GETKEYS: the sorted key and the last STORE destination', async () => {
    expect(await r.call('COMMAND', 'GETKEYS', 'SORT', 'k', 'BY', 'w_*', 'GET', 'STORE', 'STORE', 'a', 'STORE', 'b')).toEqual(['k', 'b']);
    expect(await r.call('COMMAND', 'GETKEYS', 'SORT_RO', 'k', 'GET', '#')).toEqual(['k']);
  });
});

describe('sortWeight (strtod rules)', () => {
  test('accepts what C strtod consumes whole, rejects NaN and range errors', () => {
    expect(sortWeight('')).toBe(0);
    expect(sortWeight(' 12')).toBe(12);
    expect(sortWeight('0x10')).toBe(16);
    expect(sortWeight('0x1p-1074')).toBe(5e-324);
    expect(sortWeight('-inf')).toBe(-Infinity);
    expect(sortWeight('3\0junk')).toBe(3);
    for (const bad of ['12 ', 'nan', '1e400', '1e-310', '0x', '.', '1e', ' ', '0x1p-1075']) expect(sortWeight(bad)).toBeUndefined();
  });
});
