/*
 * The generic keyspace family over a real connection: DEL UNLINK EXISTS TOUCH TYPE KEYS SCAN
 * RANDOMKEY RENAME RENAMENX MOVE COPY EXPIRE* TTL* PERSIST OBJECT DBSIZE FLUSHDB FLUSHALL SWAPDB.
 * What reaches the AOF is checked with a recording propagator on the server state.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connect, disconnectAll } from '../helpers/clients.js';
import { RawClient } from '../helpers/raw.js';

let ts: TestServer;
let r: Redis;
/** Commands propagated since the test started, as [db, 'ARG ARG ...']. */
let logged: [number, string][];

beforeEach(async () => {
  ts = await startTestServer();
  logged = [];
  ts.server.state.propagator = {
    feed: (db, argv) => logged.push([db, argv.map((a) => a.toString('latin1')).join(' ')]),
    flush: () => true,
  };
  r = await connect(ts.port);
});

afterEach(async () => {
  await disconnectAll([r]);
  await ts.close();
});

const db = (i: number) => ts.server.state.dbs[i]!;

async function scanAll(...args: (string | number)[]): Promise<string[]> {
  const seen: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = (await r.call('SCAN', cursor, ...args)) as [string, string[]];
    seen.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return seen;
}

describe('DEL UNLINK EXISTS TOUCH TYPE', () => {
  test('count keys, repeats included for EXISTS and TOUCH', async () => {
    await r.set('a', '1');
    await r.set('b', '2');
    expect(await r.exists('a', 'a', 'nokey')).toBe(2);
    expect(await r.call('TOUCH', 'a', 'a', 'nokey')).toBe(2);
    expect(await r.del('a', 'a', 'nokey')).toBe(1);
    expect(await r.unlink('b', 'nokey')).toBe(1);
    expect(await r.exists('a', 'b')).toBe(0);
    expect(logged).toEqual([[0, 'set a 1'], [0, 'set b 2'], [0, 'del a a nokey'], [0, 'unlink b nokey']]);
  });

  test('a DEL that removes nothing is not propagated', async () => {
    expect(await r.del('nokey')).toBe(0);
    expect(logged).toEqual([]);
  });

  test('TYPE names the type or none', async () => {
    await r.set('s', 'v');
    expect(await r.type('s')).toBe('string');
    expect(await r.type('nokey')).toBe('none');
  });

  test('arity errors', async () => {
    await expect(r.call('DEL')).rejects.toThrow("ERR wrong number of arguments for 'del' command");
    await expect(r.call('UNLINK')).rejects.toThrow("ERR wrong number of arguments for 'unlink' command");
    await expect(r.call('EXISTS')).rejects.toThrow("ERR wrong number of arguments for 'exists' command");
    await expect(r.call('TOUCH')).rejects.toThrow("ERR wrong number of arguments for 'touch' command");
    await expect(r.call('TYPE', 'a', 'b')).rejects.toThrow("ERR wrong number of arguments for 'type' command");
    await expect(r.call('DBSIZE', 'x')).rejects.toThrow("ERR wrong number of arguments for 'dbsize' command");
    await expect(r.call('RANDOMKEY', 'x')).rejects.toThrow("ERR wrong number of arguments for 'randomkey' command");
  });
});

describe('KEYS and RANDOMKEY', () => {
  test('glob patterns, binary keys, expired keys left out', async () => {
    for (const k of ['foo', 'foobar', 'bar', 'hello', 'hallo', 'a*b']) await r.set(k, '1');
    await r.set(Buffer.from('x\x00y', 'latin1'), '1');
    await r.set('gone', '1', 'PX', 1);
    await new Promise((res) => setTimeout(res, 5));
    expect((await r.keys('*')).sort()).toEqual(['a*b', 'bar', 'foo', 'foobar', 'hallo', 'hello', 'x\x00y']);
    expect((await r.keys('foo*')).sort()).toEqual(['foo', 'foobar']);
    expect((await r.keys('h[ae]llo')).sort()).toEqual(['hallo', 'hello']);
    expect(await r.keys('a\\*b')).toEqual(['a*b']);
    expect(await r.keys('nomatch*')).toEqual([]);
  });

  test('RANDOMKEY returns a live key or nil', async () => {
    expect(await r.randomkey()).toBeNull();
    await r.set('only', '1');
    expect(await r.randomkey()).toBe('only');
    await r.set('gone', '1', 'PX', 1);
    await r.del('only');
    await new Promise((res) => setTimeout(res, 5));
    expect(await r.randomkey()).toBeNull();
  });
});

describe('SCAN', () => {
  test('full iteration with COUNT, MATCH and TYPE', async () => {
    for (let i = 0; i < 250; i++) await r.set(`k:${i}`, String(i));
    await r.set('other', 'x');
    const all = await scanAll('COUNT', 7);
    expect(new Set(all).size).toBe(251);
    const matched = await scanAll('MATCH', 'k:1*', 'COUNT', 20);
    expect(new Set(matched)).toEqual(new Set(Array.from({ length: 250 }, (_, i) => `k:${i}`).filter((k) => k.startsWith('k:1'))));
    expect((await scanAll('TYPE', 'STRING', 'COUNT', 1000)).length).toBe(251);
    expect(await scanAll('TYPE', 'list')).toEqual([]);
    expect(await scanAll('TYPE', 'nosuchtype')).toEqual([]);
  });

  test('a key present for the whole scan is returned despite concurrent inserts and deletes', async () => {
    const stable = new Set<string>();
    for (let i = 0; i < 600; i++) {
      await r.set(`stable:${i}`, '1');
      stable.add(`stable:${i}`);
      await r.set(`churn:${i}`, '1');
    }
    const churn = Array.from({ length: 600 }, (_, i) => `churn:${i}`);
    const seen = new Set<string>();
    let cursor = '0';
    let round = 0;
    do {
      const [next, keys] = (await r.call('SCAN', cursor, 'COUNT', 25)) as [string, string[]];
      for (const k of keys) seen.add(k);
      cursor = next;
      // Between calls: delete the oldest churn keys (freeing slots anywhere in the table) and add
      // as many new ones (which reuse those slots, behind or ahead of the cursor). The dataset
      // stays the same size: Redis promises termination only for a bounded collection.
      const p = r.pipeline();
      for (const k of churn.splice(0, 20)) p.del(k);
      for (let j = 0; j < 20; j++) {
        const k = `new:${round}:${j}`;
        churn.push(k);
        p.set(k, '1');
      }
      await p.exec();
      round++;
    } while (cursor !== '0');
    expect(round).toBeGreaterThan(10);
    for (const k of stable) expect(seen.has(k), k).toBe(true);
  });

  test('errors', async () => {
    await expect(r.call('SCAN', 'abc')).rejects.toThrow('ERR invalid cursor');
    await expect(r.call('SCAN', ' 0')).rejects.toThrow('ERR invalid cursor');
    await expect(r.call('SCAN', '18446744073709551616')).rejects.toThrow('ERR invalid cursor');
    await expect(r.call('SCAN', 'abc', 'COUNT', '0')).rejects.toThrow('ERR invalid cursor');
    await expect(r.call('SCAN', '0', 'COUNT', '0')).rejects.toThrow('ERR syntax error');
    await expect(r.call('SCAN', '0', 'COUNT', '-1')).rejects.toThrow('ERR syntax error');
    await expect(r.call('SCAN', '0', 'COUNT', 'x')).rejects.toThrow('ERR value is not an integer or out of range');
    await expect(r.call('SCAN', '0', 'MATCH')).rejects.toThrow('ERR syntax error');
    await expect(r.call('SCAN', '0', 'FOO', 'bar')).rejects.toThrow('ERR syntax error');
    await expect(r.call('SCAN')).rejects.toThrow("ERR wrong number of arguments for 'scan' command");
  });

  test('cursors as strtoul reads them', async () => {
    await r.set('a', '1');
    expect(await r.call('SCAN', '')).toEqual(['0', ['a']]);
    expect(await r.call('SCAN', '+0')).toEqual(['0', ['a']]);
    expect(await r.call('SCAN', '18446744073709551615')).toEqual(['0', []]);
    expect(await r.call('SCAN', '-1')).toEqual(['0', []]);
  });
});

describe('RENAME RENAMENX', () => {
  test('moves the value and its TTL; overwrites with RENAME only', async () => {
    await r.set('a', '1');
    await r.call('PEXPIREAT', 'a', '99999999999123');
    expect(await r.rename('a', 'b')).toBe('OK');
    expect(await r.exists('a')).toBe(0);
    expect(await r.call('PEXPIRETIME', 'b')).toBe(99999999999123);
    await r.set('c', '3');
    expect(await r.renamenx('b', 'c')).toBe(0);
    expect(await r.renamenx('b', 'd')).toBe(1);
    await r.call('EXPIRE', 'c', '100');
    expect(await r.rename('d', 'c')).toBe('OK');
    expect(await r.call('PEXPIRETIME', 'c')).toBe(99999999999123);
  });

  test('same name: OK / 0 without a write; missing source is an error', async () => {
    await r.set('a', '1');
    logged.length = 0;
    expect(await r.rename('a', 'a')).toBe('OK');
    expect(await r.renamenx('a', 'a')).toBe(0);
    expect(logged).toEqual([]);
    await expect(r.rename('nokey', 'x')).rejects.toThrow('ERR no such key');
    await expect(r.renamenx('nokey', 'x')).rejects.toThrow('ERR no such key');
    await expect(r.call('RENAME', 'a')).rejects.toThrow("ERR wrong number of arguments for 'rename' command");
  });
});

describe('MOVE COPY', () => {
  test('MOVE to another db keeps the TTL and refuses an existing key', async () => {
    await r.set('m', 'v');
    await r.call('PEXPIREAT', 'm', '99999999999123');
    expect(await r.move('m', '1')).toBe(1);
    expect(await r.exists('m')).toBe(0);
    expect(db(1).get('m')).toBe('v');
    expect(db(1).getExpire('m')).toBe(99999999999123);
    await r.set('m', 'again');
    expect(await r.move('m', '1')).toBe(0);
    expect(db(1).get('m')).toBe('v');
    expect(await r.move('nokey', '1')).toBe(0);
    expect(logged.map((l) => l[1])).toContain('move m 1');
  });

  test('MOVE errors', async () => {
    await r.set('m', 'v');
    await expect(r.move('m', '0')).rejects.toThrow('ERR source and destination objects are the same');
    await expect(r.move('m', '16')).rejects.toThrow('ERR DB index is out of range');
    await expect(r.move('m', '-1')).rejects.toThrow('ERR DB index is out of range');
    await expect(r.move('m', 'abc')).rejects.toThrow('ERR value is not an integer or out of range');
    await expect(r.move('m', '2147483648')).rejects.toThrow(
      'ERR value is out of range, value must between -2147483648 and 2147483647',
    );
  });

  test('COPY within and across dbs, with REPLACE and TTL', async () => {
    await r.set('src', 'hello');
    await r.call('PEXPIREAT', 'src', '99999999999123');
    expect(await r.copy('src', 'dst')).toBe(1);
    expect(await r.get('dst')).toBe('hello');
    expect(await r.call('PEXPIRETIME', 'dst')).toBe(99999999999123);
    expect(await r.copy('src', 'dst')).toBe(0);
    await r.set('dst', 'old');
    expect(await r.copy('src', 'dst', 'REPLACE')).toBe(1);
    expect(await r.get('dst')).toBe('hello');
    expect(await r.call('COPY', 'src', 'src', 'DB', '2')).toBe(1);
    expect(db(2).get('src')).toBe('hello');
    expect(await r.call('COPY', 'src', 'x', 'DB', '0', 'DB', '3')).toBe(1);
    expect(db(3).get('x')).toBe('hello');
    expect(await r.copy('nokey', 'dst')).toBe(0);
    expect(await r.get('src')).toBe('hello');
  });

  test('COPY errors, in Redis order', async () => {
    await r.set('src', 'v');
    await expect(r.copy('src', 'src')).rejects.toThrow('ERR source and destination objects are the same');
    await expect(r.call('COPY', 'src', 'src', 'DB', '0')).rejects.toThrow('ERR source and destination objects are the same');
    await expect(r.call('COPY', 'src', 'd', 'DB')).rejects.toThrow('ERR syntax error');
    await expect(r.call('COPY', 'src', 'd', 'FOO')).rejects.toThrow('ERR syntax error');
    await expect(r.call('COPY', 'src', 'd', 'DB', '16')).rejects.toThrow('ERR DB index is out of range');
    await expect(r.call('COPY', 'src', 'd', 'DB', 'x')).rejects.toThrow('ERR value is not an integer or out of range');
    await expect(r.copy('nokey', 'nokey')).rejects.toThrow('ERR source and destination objects are the same');
    expect(await r.exists('d')).toBe(0);
  });
});

describe('EXPIRE family', () => {
  test('NX XX GT LT conditions', async () => {
    await r.set('k', 'v');
    expect(await r.call('EXPIRE', 'k', '100', 'XX')).toBe(0);
    expect(await r.call('EXPIRE', 'k', '100', 'GT')).toBe(0);
    expect(await r.call('EXPIRE', 'k', '100', 'LT')).toBe(1);
    expect(await r.call('EXPIRE', 'k', '200', 'NX')).toBe(0);
    expect(await r.call('EXPIRE', 'k', '200', 'XX')).toBe(1);
    expect(await r.call('EXPIRE', 'k', '100', 'GT')).toBe(0);
    expect(await r.call('EXPIRE', 'k', '300', 'gt')).toBe(1);
    expect(await r.call('EXPIRE', 'k', '400', 'LT')).toBe(0);
    expect(await r.call('EXPIRE', 'k', '50', 'lt', 'XX')).toBe(1);
    expect(await r.ttl('k')).toBe(50);
    expect(await r.call('EXPIRE', 'nokey', '10')).toBe(0);
  });

  test('exact option and number errors, options first', async () => {
    await r.set('k', 'v');
    const NX_COMBO = 'ERR NX and XX, GT or LT options at the same time are not compatible';
    await expect(r.call('EXPIRE', 'k', '10', 'NX', 'XX')).rejects.toThrow(NX_COMBO);
    await expect(r.call('EXPIRE', 'k', '10', 'NX', 'GT')).rejects.toThrow(NX_COMBO);
    await expect(r.call('EXPIRE', 'k', '10', 'LT', 'NX')).rejects.toThrow(NX_COMBO);
    await expect(r.call('EXPIRE', 'k', '10', 'GT', 'LT')).rejects.toThrow('ERR GT and LT options at the same time are not compatible');
    await expect(r.call('EXPIRE', 'k', 'abc', 'FOO')).rejects.toThrow('ERR Unsupported option FOO');
    await expect(r.call('EXPIRE', 'k', 'abc', 'NX', 'XX')).rejects.toThrow(NX_COMBO);
    await expect(r.call('EXPIRE', 'k', 'abc')).rejects.toThrow('ERR value is not an integer or out of range');
    await expect(r.call('EXPIRE', 'k', '9223372036854775')).rejects.toThrow("ERR invalid expire time in 'expire' command");
    await expect(r.call('EXPIRE', 'k', '-9223372036854776')).rejects.toThrow("ERR invalid expire time in 'expire' command");
    await expect(r.call('PEXPIRE', 'k', '9223372036854775807')).rejects.toThrow("ERR invalid expire time in 'pexpire' command");
    await expect(r.call('EXPIREAT', 'k', '9223372036854776')).rejects.toThrow("ERR invalid expire time in 'expireat' command");
    await expect(r.call('EXPIRE', 'k')).rejects.toThrow("ERR wrong number of arguments for 'expire' command");
    expect(await r.ttl('k')).toBe(-1);
  });

  test('deadlines beyond 2^53 ms are kept exactly', async () => {
    // ioredis turns integer replies into doubles, so read the reply bytes.
    const raw = await RawClient.connect(ts.port);
    const reply = async (...argv: string[]) => (await raw.call(...argv)).bytes.toString('latin1');
    try {
      await reply('SET', 'k', 'v');
      expect(await reply('PEXPIREAT', 'k', '9223372036854775807')).toBe(':1\r\n');
      expect(await reply('PEXPIRETIME', 'k')).toBe(':9223372036854775807\r\n');
      expect(await reply('EXPIRETIME', 'k')).toBe(':9223372036854776\r\n');
      expect(await reply('PEXPIREAT', 'k', '9223372036854775806', 'LT')).toBe(':1\r\n');
      expect(await reply('PEXPIRETIME', 'k')).toBe(':9223372036854775806\r\n');
      expect(await reply('PEXPIREAT', 'k', '9223372036854775806', 'GT')).toBe(':0\r\n');
      const pttl = BigInt((await reply('PTTL', 'k')).slice(1, -2));
      expect(9223372036854775806n - pttl - BigInt(Date.now())).toBeLessThan(1000n);
      expect(await reply('EXPIREAT', 'k', '9223372036854775')).toBe(':1\r\n');
      expect(await reply('PEXPIRETIME', 'k')).toBe(':9223372036854775000\r\n');
      expect(logged.at(-1)).toEqual([0, 'PEXPIREAT k 9223372036854775000']);
      expect(await reply('PEXPIREAT', 'k', '9007199254740993')).toBe(':1\r\n');
      expect(await reply('PEXPIRETIME', 'k')).toBe(':9007199254740993\r\n');
    } finally {
      raw.socket.destroy();
    }
  });

  test('propagated as PEXPIREAT with an absolute time, options kept', async () => {
    await r.set('k', 'v');
    const before = Date.now();
    await r.call('EXPIRE', 'k', '100', 'NX');
    await r.call('PEXPIRE', 'k', '200000', 'gt');
    await r.call('EXPIREAT', 'k', '99999999999', 'XX');
    await r.call('pexpireat', 'k', '99999999998000', 'LT');
    const after = Date.now();
    const lines = logged.slice(1).map((l) => l[1].split(' '));
    expect(lines.map((l) => [l[0], l[1], l[3]])).toEqual([
      ['PEXPIREAT', 'k', 'NX'], ['PEXPIREAT', 'k', 'gt'], ['PEXPIREAT', 'k', 'XX'], ['pexpireat', 'k', 'LT'],
    ]);
    const first = Number(lines[0]![2]);
    expect(first).toBeGreaterThanOrEqual(before + 100_000 - 50);
    expect(first).toBeLessThanOrEqual(after + 100_000);
    expect(Number(lines[1]![2]) - first).toBeGreaterThanOrEqual(100_000 - 50);
    expect(lines[2]![2]).toBe('99999999999000');
    expect(lines[3]![2]).toBe('99999999998000');
  });

  test('a deadline in the past deletes the key and propagates DEL (UNLINK when lazyfree-lazy-expire)', async () => {
    await r.set('k', 'v');
    expect(await r.call('EXPIRE', 'k', '-1')).toBe(1);
    expect(await r.exists('k')).toBe(0);
    await r.set('k', 'v');
    expect(await r.call('PEXPIREAT', 'k', '0')).toBe(1);
    await r.set('k', 'v');
    expect(await r.call('EXPIRE', 'k', '-1', 'NX')).toBe(1);
    expect(logged.filter((l) => !l[1].startsWith('set'))).toEqual([[0, 'DEL k'], [0, 'DEL k'], [0, 'DEL k']]);
    const ts2 = await startTestServer({ 'lazyfree-lazy-expire': 'yes' });
    const seen: string[] = [];
    ts2.server.state.propagator = { feed: (_d, argv) => seen.push(argv.join(' ')), flush: () => true };
    const r2 = await connect(ts2.port);
    try {
      await r2.set('k', 'v');
      expect(await r2.call('EXPIRE', 'k', '0')).toBe(1);
      expect(seen).toEqual(['set k v', 'UNLINK k']);
    } finally {
      await disconnectAll([r2]);
      await ts2.close();
    }
  });

  test('TTL PTTL EXPIRETIME PEXPIRETIME and PERSIST', async () => {
    expect(await r.ttl('nokey')).toBe(-2);
    expect(await r.pttl('nokey')).toBe(-2);
    expect(await r.call('EXPIRETIME', 'nokey')).toBe(-2);
    expect(await r.call('PEXPIRETIME', 'nokey')).toBe(-2);
    await r.set('k', 'v');
    expect(await r.ttl('k')).toBe(-1);
    expect(await r.call('PEXPIRETIME', 'k')).toBe(-1);
    await r.call('PEXPIRE', 'k', '10400');
    expect(await r.ttl('k')).toBe(10); // rounded to the nearest second, as Redis does
    const pttl = await r.pttl('k');
    expect(pttl).toBeGreaterThan(10_000);
    expect(pttl).toBeLessThanOrEqual(10_400);
    await r.call('PEXPIREAT', 'k', '99999999999500');
    expect(await r.call('EXPIRETIME', 'k')).toBe(100000000000);
    expect(await r.persist('k')).toBe(1);
    expect(await r.persist('k')).toBe(0);
    expect(await r.persist('nokey')).toBe(0);
    expect(await r.ttl('k')).toBe(-1);
    expect(logged.at(-1)).toEqual([0, 'persist k']);
  });
});

describe('OBJECT', () => {
  test('HELP is byte for byte the reply of Redis 7', async () => {
    const lines = (await r.call('OBJECT', 'HELP')) as string[];
    expect(lines).toEqual([
      'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
      'ENCODING <key>',
      '    Return the kind of internal representation used in order to store the value',
      '    associated with a <key>.',
      'FREQ <key>',
      '    Return the access frequency index of the <key>. The returned integer is',
      '    proportional to the logarithm of the recent access frequency of the key.',
      'IDLETIME <key>',
      '    Return the idle time of the <key>, that is the approximated number of',
      '    seconds elapsed since the last access to the key.',
      'REFCOUNT <key>',
      '    Return the number of references of the value associated with the specified',
      '    <key>.',
      'HELP',
      '    Prints this help.',
    ]);
  });

  test('ENCODING and REFCOUNT of strings', async () => {
    const cases: [string, string, number][] = [
      ['123', 'int', 2147483647], ['0', 'int', 2147483647], ['9999', 'int', 2147483647], ['12345', 'int', 1],
      ['10000', 'int', 1], ['-5', 'int', 1], ['9223372036854775807', 'int', 1],
      ['9223372036854775808', 'embstr', 1], ['007', 'embstr', 1], ['x'.repeat(44), 'embstr', 1],
      ['x'.repeat(45), 'raw', 1],
    ];
    for (const [value, encoding, refcount] of cases) {
      await r.set('k', value);
      expect(await r.call('OBJECT', 'ENCODING', 'k'), value).toBe(encoding);
      expect(await r.call('OBJECT', 'REFCOUNT', 'k'), value).toBe(refcount);
    }
    expect(await r.call('OBJECT', 'ENCODING', 'nokey')).toBeNull();
    expect(await r.call('OBJECT', 'REFCOUNT', 'nokey')).toBeNull();
  });

  test('IDLETIME, FREQ and policy errors', async () => {
    await r.set('k', '1');
    expect(await r.call('OBJECT', 'IDLETIME', 'k')).toBe(0);
    expect(await r.call('OBJECT', 'IDLETIME', 'nokey')).toBeNull();
    expect(await r.call('OBJECT', 'FREQ', 'nokey')).toBeNull();
    await expect(r.call('OBJECT', 'FREQ', 'k')).rejects.toThrow(
      'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
    const ts2 = await startTestServer({ 'maxmemory-policy': 'allkeys-lfu' });
    const r2 = await connect(ts2.port);
    try {
      await r2.set('k', 'v');
      expect(await r2.call('OBJECT', 'FREQ', 'k')).toBe(5);
      await expect(r2.call('OBJECT', 'IDLETIME', 'k')).rejects.toThrow(
        'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
      );
    } finally {
      await disconnectAll([r2]);
      await ts2.close();
    }
  });

  test('subcommand errors', async () => {
    await expect(r.call('OBJECT')).rejects.toThrow("ERR wrong number of arguments for 'object' command");
    await expect(r.call('OBJECT', 'foo', 'k')).rejects.toThrow("ERR unknown subcommand 'foo'. Try OBJECT HELP.");
    await expect(r.call('OBJECT', 'ENCODING')).rejects.toThrow("ERR wrong number of arguments for 'object|encoding' command");
    await expect(r.call('OBJECT', 'HELP', 'x')).rejects.toThrow("ERR wrong number of arguments for 'object|help' command");
  });
});

describe('DBSIZE FLUSHDB FLUSHALL SWAPDB', () => {
  test('flushes count removed keys as changes and are always propagated', async () => {
    const stats = ts.server.state.stats;
    await r.set('a', '1');
    await r.set('b', '2');
    db(3).set('c', '3');
    expect(await r.dbsize()).toBe(2);
    const dirty = stats.dirty;
    expect(await r.call('FLUSHDB', 'ASYNC')).toBe('OK');
    expect(await r.dbsize()).toBe(0);
    expect(stats.dirty - dirty).toBe(2);
    expect(await r.call('FLUSHDB')).toBe('OK');
    expect(stats.dirty - dirty).toBe(2);
    expect(await r.call('FLUSHALL', 'sync')).toBe('OK');
    expect(db(3).size).toBe(0);
    expect(stats.dirty - dirty).toBe(4); // one removed key + the flush itself
    expect(logged.slice(2)).toEqual([[0, 'FLUSHDB ASYNC'], [0, 'FLUSHDB'], [0, 'FLUSHALL sync']]);
  });

  test('flush syntax errors', async () => {
    for (const cmd of ['FLUSHDB', 'FLUSHALL']) {
      await expect(r.call(cmd, 'extra')).rejects.toThrow('ERR syntax error');
      await expect(r.call(cmd, 'SYNC', 'ASYNC')).rejects.toThrow('ERR syntax error');
    }
  });

  test('SWAPDB exchanges contents for every client', async () => {
    await r.set('s0', 'zero');
    db(1).set('s1', 'one');
    expect(await r.call('SWAPDB', '0', '1')).toBe('OK');
    expect(await r.get('s0')).toBeNull();
    expect(await r.get('s1')).toBe('one');
    expect(db(1).get('s0')).toBe('zero');
    expect(await r.call('SWAPDB', '0', '0')).toBe('OK');
    expect(logged.at(-1)).toEqual([0, 'SWAPDB 0 0']);
    await expect(r.call('SWAPDB', '0', '16')).rejects.toThrow('ERR DB index is out of range');
    await expect(r.call('SWAPDB', '-1', '0')).rejects.toThrow('ERR DB index is out of range');
    await expect(r.call('SWAPDB', 'a', '0')).rejects.toThrow('ERR invalid first DB index');
    await expect(r.call('SWAPDB', '0', 'b')).rejects.toThrow('ERR invalid second DB index');
    await expect(r.call('SWAPDB', '2147483648', '0')).rejects.toThrow('ERR invalid first DB index');
  });
});
