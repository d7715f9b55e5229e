/*
 * The BITMAP family over a real connection: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD
 * BITFIELD_RO. Reply bytes against real Redis live in test/diff/bitmap*.redis; this file covers
 * wrong types, limits, TTL handling and what reaches the AOF.
 */
import { describe, expect, test } from 'vitest';
import type { Redis } from 'ioredis';
import type { TestServer } from '../helpers/server.js';
import type { CollectionValue } from '../../commands/keyspace/value.js';
import { serverPerTest } from '../helpers/fixture.js';
import { ERR_WRONGTYPE as WRONGTYPE } from '../../protocol/errors.js';

let ts: TestServer;
let r: Redis;
let logged: string[];

serverPerTest((f) => {
  ({ ts, r, logged } = f);
});

const BIT_OFFSET = 'ERR bit offset is not an integer or out of range';
const BIT_VALUE = 'ERR bit is not an integer or out of range';
const BAD_TYPE = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

function makeList(key: string): void {
  const list: CollectionValue = { type: 'list', clone: () => list, encoding: () => 'listpack' };
  ts.server.state.dbs[0]!.set(key, list);
}

describe('SETBIT GETBIT', () => {
  test('sets, grows with zero bytes, and logs only real changes', async () => {
    expect(await r.setbit('b', 7, 1)).toBe(0);
    expect(await r.setbit('b', 7, 1)).toBe(1);
    expect(await r.getBuffer('b')).toEqual(Buffer.from([1]));
    expect(await r.setbit('b', 17, 1)).toBe(0);
    expect(await r.getBuffer('b')).toEqual(Buffer.from([1, 0, 0x40]));
    expect(await r.getbit('b', 17)).toBe(1);
    expect(await r.getbit('b', 1000)).toBe(0);
    expect(await r.setbit('b', 7, 0)).toBe(1);
    expect(logged).toEqual(['setbit b 7 1', 'setbit b 17 1', 'setbit b 7 0']);
  });

  test('errors and limits', async () => {
    await expect(r.setbit('b', -1, 1)).rejects.toThrow(BIT_OFFSET);
    await expect(r.call('SETBIT', 'b', '4294967296', '1')).rejects.toThrow(BIT_OFFSET);
    await expect(r.setbit('b', 1, 2)).rejects.toThrow(BIT_VALUE);
    await expect(r.call('GETBIT', 'b', 'x')).rejects.toThrow(BIT_OFFSET);
    await r.config('SET', 'proto-max-bulk-len', '1048576');
    await expect(r.setbit('b', 8 * 1048576, 1)).rejects.toThrow(BIT_OFFSET);
    expect(await r.setbit('b', 8 * 1048576 - 1, 1)).toBe(0);
    expect(await r.strlen('b')).toBe(1048576);
    makeList('l');
    await expect(r.setbit('l', 1, 1)).rejects.toThrow(WRONGTYPE);
    await expect(r.getbit('l', 1)).rejects.toThrow(WRONGTYPE);
    await expect(r.call('SETBIT', 'b')).rejects.toThrow("ERR wrong number of arguments for 'setbit' command");
    expect(logged).toEqual(['setbit b 8388607 1']);
  });

  test('keeps the TTL', async () => {
    await r.set('t', 'x', 'EX', 100);
    await r.setbit('t', 100, 1);
    expect(await r.ttl('t')).toBeGreaterThan(0);
  });

  test('SETBIT on a 1 MB bitmap: each write copies the value (O(n)), but stays usable', async () => {
    await r.setbit('big', 8 * 1024 * 1024 - 1, 1);
    const start = Date.now();
    const p = r.pipeline();
    for (let i = 0; i < 300; i++) p.setbit('big', i * 4001, 1);
    await p.exec();
    expect(Date.now() - start).toBeLessThan(10_000);
    expect(await r.bitcount('big')).toBe(301);
  });
});

describe('BITCOUNT BITPOS BITOP', () => {
  test('wrong type and missing keys', async () => {
    makeList('l');
    await expect(r.bitcount('l')).rejects.toThrow(WRONGTYPE);
    await expect(r.bitpos('l', 1)).rejects.toThrow(WRONGTYPE);
    await expect(r.bitop('AND', 'd', 'l')).rejects.toThrow(WRONGTYPE);
    expect(await r.bitcount('nokey')).toBe(0);
    expect(await r.bitpos('nokey', 0)).toBe(0);
    expect(await r.bitpos('nokey', 1)).toBe(-1);
  });

  test('BITOP overwrites any type, clears the TTL, deletes on an empty result', async () => {
    makeList('l');
    await r.set('a', 'abc');
    expect(await r.bitop('OR', 'l', 'a')).toBe(3);
    expect(await r.get('l')).toBe('abc');
    await r.expire('l', 100);
    expect(await r.bitop('NOT', 'l', 'a')).toBe(3);
    expect(await r.ttl('l')).toBe(-1);
    expect(await r.bitop('AND', 'l', 'nokey')).toBe(0);
    expect(await r.exists('l')).toBe(0);
    expect(await r.bitop('AND', 'l', 'nokey')).toBe(0);
    expect(logged.filter((l) => !l.startsWith('PEXPIREAT'))).toEqual(['set a abc', 'bitop OR l a', 'bitop NOT l a', 'bitop AND l nokey']);
  });
});

describe('BITFIELD', () => {
  test('ops, overflow modes and propagation', async () => {
    expect(await r.call('BITFIELD', 'f', 'SET', 'i8', '0', '100', 'INCRBY', 'i8', '0', '100', 'GET', 'u8', '0')).toEqual([0, -56, 200]);
    expect(await r.call('BITFIELD', 'f', 'OVERFLOW', 'FAIL', 'INCRBY', 'i8', '0', '-100')).toEqual([null]);
    expect(await r.call('BITFIELD', 'f', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', '0', '-100')).toEqual([-128]);
    expect(await r.call('BITFIELD', 'f', 'SET', 'i32', '#1', '-2147483648', 'GET', 'i32', '#1')).toEqual([0, -2147483648]);
    expect(await r.call('BITFIELD', 'f', 'GET', 'u8', '0')).toEqual([128]);
    expect(logged.map((l) => l.split(' ')[0])).toEqual(['BITFIELD', 'BITFIELD', 'BITFIELD']);
  });

  test('a FAIL-only write still creates the key and is logged', async () => {
    expect(await r.call('BITFIELD', 'g', 'OVERFLOW', 'FAIL', 'SET', 'u2', '0', '5')).toEqual([null]);
    expect(await r.getBuffer('g')).toEqual(Buffer.from([0]));
    expect(logged).toEqual(['BITFIELD g OVERFLOW FAIL SET u2 0 5']);
  });

  test('GET-only BITFIELD and BITFIELD_RO never write', async () => {
    expect(await r.call('BITFIELD', 'n', 'GET', 'u8', '0')).toEqual([0]);
    expect(await r.call('BITFIELD_RO', 'n', 'GET', 'i8', '0')).toEqual([0]);
    expect(await r.exists('n')).toBe(0);
    await expect(r.call('BITFIELD_RO', 'n', 'SET', 'i8', '0', '1')).rejects.toThrow('ERR BITFIELD_RO only supports the GET subcommand');
    expect(logged).toEqual([]);
  });

  test('errors leave the key untouched', async () => {
    await r.set('f', 'x');
    await expect(r.call('BITFIELD', 'f', 'SET', 'u8', '0', '1', 'GET', 'u64', '0')).rejects.toThrow(BAD_TYPE);
    await expect(r.call('BITFIELD', 'f', 'SET', 'u8', '0', '1', 'OVERFLOW', 'x')).rejects.toThrow('ERR Invalid OVERFLOW type specified');
    await expect(r.call('BITFIELD', 'f', 'SET', 'u8', '#-1', '1')).rejects.toThrow(BIT_OFFSET);
    expect(await r.get('f')).toBe('x');
    makeList('l');
    await expect(r.call('BITFIELD', 'l', 'GET', 'u8', '0')).rejects.toThrow(WRONGTYPE);
    await expect(r.call('BITFIELD_RO', 'l', 'GET', 'u8', '0')).rejects.toThrow(WRONGTYPE);
  });
});
