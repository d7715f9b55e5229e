/*
 * The HYPERLOGLOG family: PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST. Values must be interchangeable
 * with real Redis: an HLL built by redis-server, copied with GET/SET, counts the same here, and
 * the same elements added here produce the same bytes. Those tests need redis-server on PATH and
 * are skipped with a warning without it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Redis } from 'ioredis';
import type { TestServer } from '../helpers/server.js';
import { connect, disconnectAll } from '../helpers/clients.js';
import { redisAvailable, startRealRedis, type RealRedis } from '../helpers/real-redis.js';
import type { CollectionValue } from '../../commands/keyspace/value.js';
import { murmurHash64A, patLen } from '../../commands/hyperloglog/murmur.js';
import { serverPerTest } from '../helpers/fixture.js';
import { ERR_WRONGTYPE as WRONGTYPE } from '../../protocol/errors.js';

let ts: TestServer;
let r: Redis;
let logged: string[];

serverPerTest((f) => {
  ({ ts, r, logged } = f);
});

const NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
/** MurmurHash64A with seed 0xadc83b19 in BigInt, straight from the algorithm, as a reference. */
function murmurReference(key: Buffer): bigint {
  const M = 0xc6a4a7935bd1e995n;
  const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
  const len = key.length;
  let h = 0xadc83b19n ^ u64(BigInt(len) * M);
  const blocks = len - (len & 7);
  for (let i = 0; i < blocks; i += 8) {
    let k = u64(key.readBigUInt64LE(i) * M);
    k = u64((k ^ (k >> 47n)) * M);
    h = u64((h ^ k) * M);
  }
  if ((len & 7) > 0) {
    for (let i = (len & 7) - 1; i >= 0; i--) h ^= BigInt(key[blocks + i]!) << BigInt(8 * i);
    h = u64(h * M);
  }
  h = u64((h ^ (h >> 47n)) * M);
  return h ^ (h >> 47n);
}

const elements = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

async function pfaddMany(c: Redis, key: string, items: readonly string[]): Promise<void> {
  for (let i = 0; i < items.length; i += 1000) await c.pfadd(key, ...items.slice(i, i + 1000));
}

describe('HLL basics', () => {
  test('register index and value per element match Redis (PFDEBUG DECODE on redis-server 7.0.15)', () => {
    // 'a' decodes as Z:12711 v:2,1 Z:3672 there: register 12711 holds 2.
    const cases: [string, number, number][] = [
      ['a', 12711, 2], ['abcdefgh', 1383, 1], ['abcdefghi', 6903, 1], ['', 5938, 2], ['hello-world-12345', 14578, 1],
    ];
    for (const [ele, index, value] of cases) expect(patLen(Buffer.from(ele))).toEqual([index, value]);
  });

  test('MurmurHash64A on 32-bit halves equals the BigInt reference', () => {
    let seed = 7;
    const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let n = 0; n < 3000; n++) {
      const key = Buffer.alloc(n % 41);
      for (let i = 0; i < key.length; i++) key[i] = n % 3 === 0 ? 0xff : rnd() >>> 24;
      const [hi, lo] = murmurHash64A(key);
      expect((BigInt(hi) << 32n) | BigInt(lo)).toBe(murmurReference(key));
    }
  });

  test('propagation: PFADD as sent and only on change, PFCOUNT when it caches, TODENSE', async () => {
    expect(await r.pfadd('h', 'a', 'b')).toBe(1);
    expect(await r.pfadd('h', 'a')).toBe(0);
    expect(await r.pfcount('h')).toBe(2);
    expect(await r.pfcount('h')).toBe(2);
    expect(await r.pfcount('h', 'nokey')).toBe(2);
    expect(await r.call('PFDEBUG', 'TODENSE', 'h')).toBe(1);
    expect(await r.call('PFDEBUG', 'TODENSE', 'h')).toBe(0);
    expect(await r.pfmerge('m', 'h')).toBe('OK');
    expect(logged).toEqual(['pfadd h a b', 'pfcount h', 'PFDEBUG TODENSE h', 'pfmerge m h']);
  });

  test('errors', async () => {
    const list: CollectionValue = { type: 'list', clone: () => list, encoding: () => 'listpack' };
    ts.server.state.dbs[0]!.set('l', list);
    await expect(r.pfadd('l', 'a')).rejects.toThrow(WRONGTYPE);
    await expect(r.pfcount('l')).rejects.toThrow(WRONGTYPE);
    await r.set('s', 'plain');
    await expect(r.pfadd('s', 'a')).rejects.toThrow(NOT_HLL);
    await expect(r.pfmerge('s', 'nokey')).rejects.toThrow(NOT_HLL);
    await expect(r.call('PFDEBUG', 'GETREG', 'nokey')).rejects.toThrow('ERR The specified key does not exist');
    await r.set('bad', Buffer.from('HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xfe', 'latin1'));
    // The stream covers 16383 registers: adding to one of them works, counting finds the gap.
    expect(await r.pfadd('bad', 'a')).toBe(1);
    await expect(r.pfcount('bad')).rejects.toThrow('INVALIDOBJ Corrupted HLL object detected');
    expect(await r.call('PFSELFTEST')).toBe('OK');
  });

  test('estimates stay within the standard error on 50000 elements', async () => {
    await pfaddMany(r, 'big', elements('e', 50000));
    const n = await r.pfcount('big');
    expect(Math.abs(n - 50000) / 50000).toBeLessThan(0.03);
    expect(await r.call('PFDEBUG', 'ENCODING', 'big')).toBe('dense');
  });
});

const HAVE_REDIS = redisAvailable();
if (!HAVE_REDIS) console.warn('[hyperloglog] redis-server not found on PATH: HLL interchange tests with real Redis are SKIPPED');

describe.skipIf(!HAVE_REDIS)('HLL values interchange with real Redis', () => {
  let real: RealRedis;
  let rr: Redis;

  beforeAll(async () => {
    real = await startRealRedis();
    rr = await connect(real.port);
  });

  afterAll(async () => {
    await disconnectAll([rr]);
    await real.stop();
  });

  for (const [name, n] of [['empty', 0], ['sparse', 200], ['dense', 20000]] as const) {
    test(`${name}: same bytes from the same elements, same counts both ways`, async () => {
      const items = elements(`${name}:`, n);
      await rr.del(name);
      await rr.pfadd(name);
      await pfaddMany(rr, name, items);
      await r.pfadd(name);
      await pfaddMany(r, name, items);
      const theirs = (await rr.getBuffer(name))!;
      const ours = (await r.getBuffer(name))!;
      expect(ours.equals(theirs)).toBe(true);

      // Redis's value into Rewind, and Rewind's into Redis (after each has cached its count).
      const realCount = await rr.pfcount(name);
      await r.set(`${name}:from-redis`, theirs);
      expect(await r.pfcount(`${name}:from-redis`)).toBe(realCount);
      expect(await r.pfcount(name)).toBe(realCount);
      await rr.set(`${name}:from-rewind`, (await r.getBuffer(name))!);
      expect(await rr.pfcount(`${name}:from-rewind`)).toBe(realCount);
      expect((await rr.getBuffer(`${name}:from-rewind`))!.equals((await r.getBuffer(name))!)).toBe(true);

      // Keep adding on both sides to the copied values: still identical.
      const more = elements(`${name}:more:`, 500);
      await pfaddMany(r, `${name}:from-redis`, more);
      await pfaddMany(rr, `${name}:from-rewind`, more);
      expect((await r.getBuffer(`${name}:from-redis`))!.equals((await rr.getBuffer(`${name}:from-rewind`))!)).toBe(true);
      expect(await r.pfcount(`${name}:from-redis`)).toBe(await rr.pfcount(`${name}:from-rewind`));
    });
  }

  test('unions and merges of mixed encodings agree', async () => {
    await rr.flushall();
    for (const c of [r, rr]) {
      await pfaddMany(c, 'u1', elements('u', 300));
      await pfaddMany(c, 'u2', elements('w', 30000));
      await pfaddMany(c, 'u3', elements('u', 5000));
    }
    expect(await r.pfcount('u1', 'u2', 'u3')).toBe(await rr.pfcount('u1', 'u2', 'u3'));
    expect(await r.pfcount('u1', 'u3')).toBe(await rr.pfcount('u1', 'u3'));
    for (const c of [r, rr]) {
      await c.pfmerge('m1', 'u1', 'u3');
      await c.pfmerge('m2', 'u1', 'u2');
    }
    for (const k of ['m1', 'm2']) {
      expect((await r.getBuffer(k))!.equals((await rr.getBuffer(k))!)).toBe(true);
      expect(await r.pfcount(k)).toBe(await rr.pfcount(k));
    }
    const regs = await r.call('PFDEBUG', 'GETREG', 'm1');
    expect(regs).toEqual(await rr.call('PFDEBUG', 'GETREG', 'm1'));
  });
});
