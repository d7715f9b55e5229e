/*
 * The STRING family over a real connection: GET SET (all options) SETNX SETEX PSETEX GETSET
 * GETDEL GETEX MGET MSET MSETNX APPEND STRLEN INCR DECR INCRBY DECRBY INCRBYFLOAT GETRANGE
 * SETRANGE SUBSTR LCS. What reaches the AOF is checked with a recording propagator.
 */
import { beforeEach, describe, expect, test } from 'vitest';
import type { Redis } from 'ioredis';
import type { TestServer } from '../helpers/server.js';
import { rawClient } from '../helpers/raw.js';
import type { CollectionValue } from '../../commands/keyspace/value.js';
import { serverPerTest } from '../helpers/fixture.js';
import { ERR_WRONGTYPE as WRONGTYPE } from '../../protocol/errors.js';

let ts: TestServer;
let r: Redis;
/** Commands propagated since the test started, as 'ARG ARG ...'. */
let logged: string[];

serverPerTest((f) => {
  ({ ts, r, logged } = f);
});

const NOT_INT = 'ERR value is not an integer or out of range';
const NOT_FLOAT = 'ERR value is not a valid float';
const SYNTAX = 'ERR syntax error';
const arity = (name: string) => `ERR wrong number of arguments for '${name}' command`;
const invalidExpire = (name: string) => `ERR invalid expire time in '${name}' command`;

/** A key of another type, placed directly: no list commands exist in this family's tests. */
function makeList(key: string): void {
  const list: CollectionValue = { type: 'list', clone: () => list, encoding: () => 'listpack' };
  ts.server.state.dbs[0]!.set(key, list);
}

/** Polls until check() is true or the deadline passes (expiry tests, no fixed sleeps). */
async function eventually(check: () => Promise<boolean>, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((res) => setTimeout(res, 10));
  }
}

describe('GET SET basics', () => {
  test('round trip, overwrite, missing key, empty value and key', async () => {
    expect(await r.get('nokey')).toBeNull();
    expect(await r.set('k', 'v')).toBe('OK');
    expect(await r.get('k')).toBe('v');
    await r.set('k', '');
    expect(await r.get('k')).toBe('');
    await r.set('', 'empty key');
    expect(await r.get('')).toBe('empty key');
    expect(logged).toEqual(['set k v', 'set k ', 'set  empty key']);
  });

  test('every byte value round trips, in keys and values', async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await r.set(all, all);
    expect((await r.getBuffer(all))!.equals(all)).toBe(true);
    expect(await r.strlen(all)).toBe(256);
    await r.append(all, Buffer.from([0xff, 0x00]));
    expect((await r.getBuffer(all))!.equals(Buffer.concat([all, Buffer.from([0xff, 0x00])]))).toBe(true);
    expect((await r.getrangeBuffer(all, 254, 257)).equals(Buffer.from([0xfe, 0xff, 0xff, 0x00]))).toBe(true);
  });

  test('wrong type', async () => {
    makeList('l');
    await expect(r.get('l')).rejects.toThrow(WRONGTYPE);
    expect(await r.set('l', 'plain')).toBe('OK'); // SET replaces any type
    expect(await r.get('l')).toBe('plain');
  });

  test('wrong arity for every command', async () => {
    const cases: [string, ...string[]][] = [
      ['get'], ['get', 'a', 'b'], ['set', 'a'], ['setnx', 'a'], ['setex', 'a', '1'], ['psetex', 'a', '1'],
      ['getset', 'a'], ['getdel'], ['getex'], ['mget'], ['mset', 'a'], ['mset', 'a', '1', 'b'],
      ['msetnx', 'a'], ['msetnx', 'a', '1', 'b'], ['append', 'a'], ['strlen'], ['incr'], ['decr', 'a', 'b'],
      ['incrby', 'a'], ['decrby', 'a'], ['incrbyfloat', 'a'], ['getrange', 'a', '1'], ['setrange', 'a', '1'],
      ['substr', 'a', '0'], ['lcs', 'a'],
    ];
    for (const [name, ...args] of cases) {
      await expect(r.call(name, ...args), name).rejects.toThrow(arity(name));
    }
  });
});

describe('SET options', () => {
  test('NX and XX', async () => {
    expect(await r.set('k', '1', 'NX')).toBe('OK');
    expect(await r.set('k', '2', 'NX')).toBeNull();
    expect(await r.set('k', '3', 'XX')).toBe('OK');
    expect(await r.set('missing', '3', 'XX')).toBeNull();
    expect(await r.exists('missing')).toBe(0);
    expect(await r.call('SET', 'k', '4', 'nx', 'nx')).toBeNull();
    expect(await r.get('k')).toBe('3');
    await expect(r.call('SET', 'k', 'v', 'NX', 'XX')).rejects.toThrow(SYNTAX);
    await expect(r.call('SET', 'k', 'v', 'XX', 'NX')).rejects.toThrow(SYNTAX);
  });

  test('GET returns the old value, alone or with NX/XX, and refuses other types', async () => {
    expect(await r.call('SET', 'k', 'a', 'GET')).toBeNull();
    expect(await r.call('SET', 'k', 'b', 'GET')).toBe('a');
    expect(await r.call('SET', 'k', 'c', 'NX', 'GET')).toBe('b');
    expect(await r.get('k')).toBe('b');
    expect(await r.call('SET', 'nokey', 'c', 'XX', 'GET')).toBeNull();
    expect(await r.exists('nokey')).toBe(0);
    expect(await r.call('SET', 'k', 'd', 'GET', 'get')).toBe('b');
    makeList('l');
    await expect(r.call('SET', 'l', 'v', 'GET')).rejects.toThrow(WRONGTYPE);
    // The expiry is checked before the type.
    await expect(r.call('SET', 'l', 'v', 'GET', 'EX', '0')).rejects.toThrow(invalidExpire('set'));
    // Logged without GET; a failed NX/XX logs nothing.
    expect(logged).toEqual(['SET k a', 'SET k b', 'SET k d']);
  });

  test('EX PX EXAT PXAT set the deadline; the log has absolute PXAT', async () => {
    const before = Date.now();
    await r.set('ex', 'v', 'EX', 100);
    await r.set('px', 'v', 'PX', 100000);
    await r.call('SET', 'exat', 'v', 'EXAT', '4102444800');
    await r.call('SET', 'pxat', 'v', 'PXAT', '4102444800123');
    const after = Date.now();
    expect(await r.ttl('ex')).toBe(100);
    expect(await r.ttl('px')).toBe(100);
    expect(await r.call('PEXPIRETIME', 'exat')).toBe(4102444800000);
    expect(await r.call('PEXPIRETIME', 'pxat')).toBe(4102444800123);
    const [ex, px, exat, pxat] = logged.map((l) => l.split(' '));
    for (const [entry, ms] of [[ex, 100000], [px, 100000]] as const) {
      expect(entry!.slice(0, 4)).toEqual(['SET', entry![1], 'v', 'PXAT']);
      const at = Number(entry![4]);
      expect(at).toBeGreaterThanOrEqual(before + ms);
      expect(at).toBeLessThanOrEqual(after + ms);
    }
    expect(exat).toEqual(['SET', 'exat', 'v', 'PXAT', '4102444800000']);
    expect(pxat).toEqual(['SET', 'pxat', 'v', 'PXAT', '4102444800123']);
  });

  test('the last of repeated expiries wins; GET with an expiry logs PXAT only', async () => {
    await r.call('SET', 'k', 'v', 'EX', '10', 'EX', '200');
    expect(await r.ttl('k')).toBe(200);
    expect(await r.call('SET', 'k', 'w', 'GET', 'PXAT', '4102444800000')).toBe('v');
    expect(logged[1]).toBe('SET k w PXAT 4102444800000');
  });

  test('KEEPTTL keeps the deadline, plain SET clears it', async () => {
    await r.set('k', 'v', 'EX', 100);
    await r.call('SET', 'k', 'w', 'KEEPTTL');
    expect(await r.ttl('k')).toBe(100);
    expect(await r.get('k')).toBe('w');
    expect(await r.call('SET', 'k', 'x', 'KEEPTTL', 'GET')).toBe('w');
    expect(await r.ttl('k')).toBe(100);
    await r.set('k', 'y');
    expect(await r.ttl('k')).toBe(-1);
    expect(logged.slice(1)).toEqual(['SET k w KEEPTTL', 'SET k x KEEPTTL', 'set k y']);
  });

  test('a key with PX expires', async () => {
    await r.set('k', 'v', 'PX', 50);
    expect(await r.get('k')).toBe('v');
    await eventually(async () => (await r.get('k')) === null);
    expect(await r.exists('k')).toBe(0);
  });

  test('a deadline already past is accepted (Redis 7.0) and the key is gone on access', async () => {
    expect(await r.call('SET', 'k', 'v', 'EXAT', '1')).toBe('OK');
    expect(await r.get('k')).toBeNull();
    expect(logged[0]).toBe('SET k v PXAT 1000');
  });

  test('expiry errors', async () => {
    const bad: [string[], string][] = [
      [['EX', '0'], invalidExpire('set')], [['EX', '-1'], invalidExpire('set')], [['PX', '0'], invalidExpire('set')],
      [['EXAT', '0'], invalidExpire('set')], [['PXAT', '-5'], invalidExpire('set')],
      [['PX', '9223372036854775807'], invalidExpire('set')], [['PX', '9223372036854775000'], invalidExpire('set')],
      [['EX', '9223372036854775'], invalidExpire('set')], [['EXAT', '9223372036854775807'], invalidExpire('set')],
      [['EX', 'abc'], NOT_INT], [['EX', '1.5'], NOT_INT], [['EX', '01'], NOT_INT], [['EX', ''], NOT_INT],
      [['PXAT', '9223372036854775808'], NOT_INT],
      [['EX'], SYNTAX], [['PXAT'], SYNTAX], [['EX', '10', 'PX', '10'], SYNTAX], [['EXAT', '10', 'PXAT', '10'], SYNTAX],
      [['KEEPTTL', 'EX', '10'], SYNTAX], [['EX', '10', 'KEEPTTL'], SYNTAX], [['PERSIST'], SYNTAX], [['foo'], SYNTAX],
      [['NX', 'foo'], SYNTAX], [['EXX', '1'], SYNTAX],
    ];
    for (const [opts, message] of bad) {
      await expect(r.call('SET', 'k', 'v', ...opts), opts.join(' ')).rejects.toThrow(message);
    }
    expect(await r.exists('k')).toBe(0);
    expect(logged).toEqual([]);
    // PXAT up to LLONG_MAX is accepted and logged with exact digits.
    expect(await r.call('SET', 'k', 'v', 'PXAT', '9223372036854775807')).toBe('OK');
    expect(logged).toEqual(['SET k v PXAT 9223372036854775807']);
  });
});

describe('SETNX SETEX PSETEX GETSET', () => {
  test('SETNX replies 1 or 0', async () => {
    expect(await r.setnx('k', 'a')).toBe(1);
    expect(await r.setnx('k', 'b')).toBe(0);
    expect(await r.get('k')).toBe('a');
    expect(logged).toEqual(['setnx k a']);
  });

  test('SETEX and PSETEX set value and TTL, logged as SET PXAT', async () => {
    expect(await r.setex('k', 100, 'v')).toBe('OK');
    expect(await r.ttl('k')).toBe(100);
    expect(await r.psetex('p', 100000, 'v')).toBe('OK');
    expect(await r.ttl('p')).toBe(100);
    expect(logged[0]).toMatch(/^SET k v PXAT \d{13}$/);
    expect(logged[1]).toMatch(/^SET p v PXAT \d{13}$/);
    await expect(r.setex('k', 0, 'v')).rejects.toThrow(invalidExpire('setex'));
    await expect(r.call('SETEX', 'k', 'abc', 'v')).rejects.toThrow(NOT_INT);
    await expect(r.psetex('k', -1, 'v')).rejects.toThrow(invalidExpire('psetex'));
    await expect(r.call('PSETEX', 'k', '9223372036854775807', 'v')).rejects.toThrow(invalidExpire('psetex'));
    makeList('l');
    expect(await r.setex('l', 10, 'v')).toBe('OK');
  });

  test('GETSET returns the old value, clears the TTL, logs SET', async () => {
    expect(await r.getset('k', 'a')).toBeNull();
    await r.set('k', 'b', 'EX', 100);
    expect(await r.getset('k', 'c')).toBe('b');
    expect(await r.ttl('k')).toBe(-1);
    expect(logged[0]).toBe('SET k a');
    expect(logged[2]).toBe('SET k c');
    makeList('l');
    await expect(r.getset('l', 'v')).rejects.toThrow(WRONGTYPE);
  });
});

describe('GETDEL GETEX STRLEN', () => {
  test('GETDEL returns and deletes, logged as DEL', async () => {
    expect(await r.getdel('nokey')).toBeNull();
    await r.set('k', 'v');
    expect(await r.getdel('k')).toBe('v');
    expect(await r.exists('k')).toBe(0);
    expect(logged).toEqual(['set k v', 'DEL k']);
    makeList('l');
    await expect(r.getdel('l')).rejects.toThrow(WRONGTYPE);
  });

  test('GETEX options and their log forms', async () => {
    await r.set('k', 'v');
    logged.length = 0;
    expect(await r.getex('k')).toBe('v');
    expect(await r.getex('k', 'EX', 100)).toBe('v');
    expect(await r.ttl('k')).toBe(100);
    expect(await r.call('GETEX', 'k', 'PXAT', '4102444800123')).toBe('v');
    expect(await r.call('PEXPIRETIME', 'k')).toBe(4102444800123);
    expect(await r.call('GETEX', 'k', 'EXAT', '4102444800')).toBe('v');
    expect(await r.getex('k', 'PERSIST')).toBe('v');
    expect(await r.ttl('k')).toBe(-1);
    expect(await r.getex('k', 'PERSIST')).toBe('v'); // no TTL: nothing changes, nothing logged
    expect(logged[0]).toMatch(/^PEXPIREAT k \d{13}$/);
    expect(logged.slice(1)).toEqual(['PEXPIREAT k 4102444800123', 'PEXPIREAT k 4102444800000', 'PERSIST k']);
  });

  test('GETEX with a past absolute time deletes the key, logged as DEL', async () => {
    await r.set('k', 'v');
    expect(await r.call('GETEX', 'k', 'EXAT', '1')).toBe('v');
    expect(await r.exists('k')).toBe(0);
    expect(logged).toEqual(['set k v', 'DEL k']);
  });

  test('GETEX errors, in Redis order: syntax, then key, then type, then expiry value', async () => {
    await r.set('k', 'v');
    for (const opts of [['EX', '10', 'PX', '10'], ['PERSIST', 'EX', '10'], ['EX', '10', 'PERSIST'], ['KEEPTTL'], ['NX'], ['GET'], ['EX'], ['foo']]) {
      await expect(r.call('GETEX', 'k', ...opts), opts.join(' ')).rejects.toThrow(SYNTAX);
    }
    await expect(r.call('GETEX', 'k', 'EX', '0')).rejects.toThrow(invalidExpire('getex'));
    await expect(r.call('GETEX', 'k', 'EX', 'abc')).rejects.toThrow(NOT_INT);
    await expect(r.call('GETEX', 'k', 'PX', '9223372036854775807')).rejects.toThrow(invalidExpire('getex'));
    await expect(r.call('GETEX', 'nokey', 'foo')).rejects.toThrow(SYNTAX);
    expect(await r.call('GETEX', 'nokey', 'EX', '0')).toBeNull();
    makeList('l');
    await expect(r.call('GETEX', 'l', 'EX', '0')).rejects.toThrow(WRONGTYPE);
    expect(await r.ttl('k')).toBe(-1);
  });

  test('STRLEN', async () => {
    expect(await r.strlen('nokey')).toBe(0);
    await r.set('k', 'hello');
    expect(await r.strlen('k')).toBe(5);
    makeList('l');
    await expect(r.strlen('l')).rejects.toThrow(WRONGTYPE);
  });
});

describe('MGET MSET MSETNX', () => {
  test('MGET reads nil for missing keys and other types', async () => {
    await r.mset('a', '1', 'b', '2');
    makeList('l');
    expect(await r.mget('a', 'nokey', 'b', 'l', 'a')).toEqual(['1', null, '2', null, '1']);
  });

  test('MSET overwrites, clears TTLs, last duplicate wins', async () => {
    await r.set('a', 'x', 'EX', 100);
    expect(await r.mset('a', '1', 'b', '2', 'a', '3')).toBe('OK');
    expect(await r.mget('a', 'b')).toEqual(['3', '2']);
    expect(await r.ttl('a')).toBe(-1);
  });

  test('MSETNX sets all or nothing', async () => {
    expect(await r.msetnx('a', '1', 'b', '2')).toBe(1);
    expect(await r.msetnx('b', '9', 'c', '3')).toBe(0);
    expect(await r.exists('c')).toBe(0);
    expect(logged).toEqual(['msetnx a 1 b 2']);
  });
});

describe('INCR DECR INCRBY DECRBY', () => {
  test('counting from a missing key, keeping the TTL', async () => {
    expect(await r.incr('c')).toBe(1);
    expect(await r.incrby('c', 10)).toBe(11);
    expect(await r.decr('c')).toBe(10);
    expect(await r.decrby('c', -5)).toBe(15);
    expect(await r.decrby('n', 5)).toBe(-5);
    await r.set('t', '5', 'EX', 100);
    expect(await r.incr('t')).toBe(6);
    expect(await r.ttl('t')).toBe(100);
    expect(await r.get('c')).toBe('15');
  });

  test('int64 limits are exact', async () => {
    await r.set('c', '9223372036854775806');
    // ioredis turns integer replies into doubles: check the exact digits through GET.
    await r.incr('c');
    expect(await r.get('c')).toBe('9223372036854775807');
    await expect(r.incr('c')).rejects.toThrow('ERR increment or decrement would overflow');
    await r.set('c', '-9223372036854775807');
    await r.decr('c');
    expect(await r.get('c')).toBe('-9223372036854775808');
    await expect(r.decrby('c', 1)).rejects.toThrow('ERR increment or decrement would overflow');
    await r.set('c', '0');
    await expect(r.call('DECRBY', 'c', '-9223372036854775808')).rejects.toThrow('ERR decrement would overflow');
    await r.set('c', '9007199254740993');
    await r.incr('c');
    expect(await r.get('c')).toBe('9007199254740994');
  });

  test('non-integers are refused, stored or given', async () => {
    for (const v of ['abc', '', ' 1', '1 ', '+1', '01', '-0', '1.0', '9223372036854775808']) {
      await r.set('s', v);
      await expect(r.incr('s'), JSON.stringify(v)).rejects.toThrow(NOT_INT);
    }
    for (const v of ['abc', '1.5', '', '+1', '9223372036854775808']) {
      await expect(r.call('INCRBY', 'c', v), v).rejects.toThrow(NOT_INT);
    }
    makeList('l');
    await expect(r.incr('l')).rejects.toThrow(WRONGTYPE);
    await expect(r.call('INCRBY', 'l', 'abc')).rejects.toThrow(NOT_INT); // the amount is checked first
  });
});

describe('INCRBYFLOAT', () => {
  const cases: [string | null, string, string][] = [
    ['10.5', '0.1', '10.6'], ['0.1', '0.2', '0.3'], ['5.0e3', '0', '5000'], [null, '5.0e3', '5000'],
    ['3', '-3', '0'], ['1.5', '-3', '-1.5'], ['0', '1e-20', '0'], ['0', '0.00000000000000001', '0.00000000000000001'],
    ['0', '3.14159265358979323846', '3.14159265358979324'], ['0', '0x10', '16'], ['0', '.5', '0.5'], ['0', '5.', '5'],
    ['0', '+5', '5'], ['-0.5', '0.5', '0'], ['123456789012345678', '1', '123456789012345679'],
    ['0', '12345678901234567890123', '12345678901234567889920'], ['0', '1e-400', '0'],
    ['1', '1e300', '1000000000000000000008997324079559193870523944273290747938260082321265646596180935755849152083750497190350372508614274835903592556184672983913096260520748646287327135641843653294084255107606016789726652932370030551382947620994540294772781889620606179267611627097410650567187386105690089424915104006144'],
  ];
  test.each(cases)('%s + %s = %s', async (start, incr, expected) => {
    if (start !== null) await r.set('f', start);
    expect(await r.incrbyfloat('f', incr)).toBe(expected);
    expect(await r.get('f')).toBe(expected);
  });

  test('logged as SET KEEPTTL, TTL kept', async () => {
    await r.set('f', '1', 'EX', 100);
    logged.length = 0;
    expect(await r.incrbyfloat('f', '0.5')).toBe('1.5');
    expect(await r.ttl('f')).toBe(100);
    expect(logged).toEqual(['SET f 1.5 KEEPTTL']);
  });

  test('errors', async () => {
    for (const incr of ['nan', 'abc', '', ' 1', '1 ', '1e', '0x', '1,5', '1e5000', '1e-5000', '1\x00']) {
      await expect(r.call('INCRBYFLOAT', 'f', incr), JSON.stringify(incr)).rejects.toThrow(NOT_FLOAT);
    }
    for (const incr of ['inf', '-inf', 'infinity']) {
      await expect(r.call('INCRBYFLOAT', 'f', incr), incr).rejects.toThrow('ERR increment would produce NaN or Infinity');
    }
    await r.set('f', '1e4932');
    await expect(r.call('INCRBYFLOAT', 'f', '1e4932')).rejects.toThrow('ERR increment would produce NaN or Infinity');
    await r.set('f', 'abc');
    await expect(r.incrbyfloat('f', 1)).rejects.toThrow(NOT_FLOAT);
    makeList('l');
    await expect(r.call('INCRBYFLOAT', 'l', 'abc')).rejects.toThrow(WRONGTYPE); // type before the amount
    expect(await r.exists('f2')).toBe(0);
  });
});

describe('APPEND GETRANGE SUBSTR SETRANGE', () => {
  test('APPEND creates, grows, keeps the TTL and counts "" as a write', async () => {
    expect(await r.append('k', 'hello')).toBe(5);
    expect(await r.append('k', ' world')).toBe(11);
    expect(await r.append('k', '')).toBe(11);
    expect(await r.append('e', '')).toBe(0);
    expect(await r.exists('e')).toBe(1);
    await r.set('t', 'a', 'EX', 100);
    await r.append('t', 'b');
    expect(await r.ttl('t')).toBe(100);
    expect(logged.slice(0, 4)).toEqual(['append k hello', 'append k  world', 'append k ', 'append e ']);
    makeList('l');
    await expect(r.append('l', 'x')).rejects.toThrow(WRONGTYPE);
  });

  test('GETRANGE index rules', async () => {
    await r.set('k', 'hello');
    const cases: [number | string, number | string, string][] = [
      [0, -1, 'hello'], [1, 3, 'ell'], [-3, -1, 'llo'], [-100, 100, 'hello'], [3, 1, ''], [-1, -2, ''],
      [5, 10, ''], [4, 10, 'o'], [0, -100, 'h'], [-100, -100, 'h'],
      ['-9223372036854775808', '9223372036854775807', 'hello'],
    ];
    for (const [start, end, expected] of cases) {
      expect(await r.call('GETRANGE', 'k', String(start), String(end)), `${start} ${end}`).toBe(expected);
    }
    expect(await r.call('SUBSTR', 'k', '1', '2')).toBe('el');
    expect(await r.getrange('nokey', 0, -1)).toBe('');
    await r.set('e', '');
    expect(await r.getrange('e', 0, -1)).toBe('');
    await expect(r.call('GETRANGE', 'k', 'abc', '1')).rejects.toThrow(NOT_INT);
    makeList('l');
    await expect(r.getrange('l', 0, 1)).rejects.toThrow(WRONGTYPE);
  });

  test('SETRANGE overwrites and zero-pads; "" changes nothing', async () => {
    await r.set('k', 'hello');
    expect(await r.setrange('k', 0, 'J')).toBe(5);
    expect(await r.setrange('k', 7, 'x')).toBe(8);
    expect(await r.getBuffer('k')).toEqual(Buffer.from('Jello\x00\x00x', 'latin1'));
    expect(await r.setrange('k', 100, '')).toBe(8);
    expect(await r.setrange('new', 0, '')).toBe(0);
    expect(await r.exists('new')).toBe(0);
    expect(await r.setrange('new', 3, 'abc')).toBe(6);
    expect(await r.getBuffer('new')).toEqual(Buffer.from('\x00\x00\x00abc', 'latin1'));
    await r.set('t', 'abc', 'EX', 100);
    await r.setrange('t', 1, 'X');
    expect(await r.ttl('t')).toBe(100);
    expect(logged.filter((l) => l.startsWith('setrange'))).toEqual(['setrange k 0 J', 'setrange k 7 x', 'setrange new 3 abc', 'setrange t 1 X']);
    await expect(r.setrange('k', -1, 'x')).rejects.toThrow('ERR offset is out of range');
    await expect(r.call('SETRANGE', 'k', 'abc', 'x')).rejects.toThrow(NOT_INT);
    makeList('l');
    await expect(r.setrange('l', 0, 'x')).rejects.toThrow(WRONGTYPE);
  });

  test('growth is capped by proto-max-bulk-len', async () => {
    const tooLong = 'ERR string exceeds maximum allowed size (proto-max-bulk-len)';
    await expect(r.setrange('k', 536870912, 'x')).rejects.toThrow(tooLong);
    await expect(r.call('SETRANGE', 'k', '9223372036854775807', 'x')).rejects.toThrow(tooLong);
    expect(await r.setrange('k', 536870912, '')).toBe(0);
    await r.call('CONFIG', 'SET', 'proto-max-bulk-len', '1mb');
    expect(await r.setrange('k', 1048575, 'x')).toBe(1048576);
    await expect(r.setrange('k', 1048575, 'xy')).rejects.toThrow(tooLong);
    await expect(r.append('k', 'y')).rejects.toThrow(tooLong);
    expect(await r.append('k', '')).toBe(1048576);
  });
});

describe('LCS', () => {
  beforeEach(async () => {
    await r.mset('key1', 'ohmytext', 'key2', 'mynewtext');
  });

  test('string, LEN, IDX with MINMATCHLEN and WITHMATCHLEN', async () => {
    expect(await r.call('LCS', 'key1', 'key2')).toBe('mytext');
    expect(await r.call('LCS', 'key1', 'key2', 'LEN')).toBe(6);
    expect(await r.call('LCS', 'key1', 'key2', 'IDX')).toEqual(['matches', [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], 'len', 6]);
    expect(await r.call('LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'))
      .toEqual(['matches', [[[4, 7], [5, 8], 4]], 'len', 6]);
    expect(await r.call('LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '-5')).toEqual(['matches', [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], 'len', 6]);
    expect(await r.call('LCS', 'key1', 'nokey')).toBe('');
    expect(await r.call('LCS', 'nokey', 'nokey2', 'IDX')).toEqual(['matches', [], 'len', 0]);
  });

  test('RESP3 IDX reply is a map', async () => {
    const raw = await rawClient(ts.port);
    try {
      await raw.call('HELLO', '3');
      const reply = await raw.call('LCS', 'key1', 'key2', 'IDX', 'MINMATCHLEN', '4');
      expect(reply.bytes.toString('latin1')).toBe('%2\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n$3\r\nlen\r\n:6\r\n');
    } finally {
      await raw.close();
    }
  });

  test('errors', async () => {
    await expect(r.call('LCS', 'key1', 'key2', 'LEN', 'IDX')).rejects.toThrow('ERR If you want both the length and indexes, please just use IDX.');
    await expect(r.call('LCS', 'key1', 'key2', 'MINMATCHLEN', 'abc')).rejects.toThrow(NOT_INT);
    await expect(r.call('LCS', 'key1', 'key2', 'MINMATCHLEN')).rejects.toThrow(SYNTAX);
    await expect(r.call('LCS', 'key1', 'key2', 'foo')).rejects.toThrow(SYNTAX);
    makeList('l');
    await expect(r.call('LCS', 'key1', 'l', 'foo')).rejects.toThrow('ERR The specified keys must contain string values');
    await r.call('CONFIG', 'SET', 'proto-max-bulk-len', '1mb');
    await r.setrange('big', 600, 'x');
    await expect(r.call('LCS', 'big', 'big', 'LEN'))
      .rejects.toThrow('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
  });
});
