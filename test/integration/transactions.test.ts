/*
 * Transactions with several clients: MULTI/EXEC/DISCARD, WATCH races (any client's write, the
 * watcher's own, expiry, FLUSHDB, SWAPDB), blocking commands inside MULTI and clients blocked while
 * another runs EXEC, EXECABORT, nested MULTI, disconnection, CLIENT LIST fields, stats, what reaches
 * the AOF (a real incr file), and ioredis's multi()/watch().
 *
 * "Which writes invalidate a WATCH" is checked against a real redis-server 7.0.15 when one is on
 * PATH: every case runs as a multi-client scenario on both servers and all replies must match
 * byte for byte. The other tests state their expectations and run without Redis.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { startServer } from '../../server/index.js';
import { connect, disconnectAll } from '../helpers/clients.js';
import { serverWithClientsPerTest } from '../helpers/fixture.js';
import { redisAvailable, startRealRedis, type RealRedis } from '../helpers/real-redis.js';
import { parseScenario, runScenario } from '../helpers/scenario.js';
import { RawClient } from '../helpers/raw.js';
import { encodeCommand } from '../../protocol/encode.js';

const HAVE_REDIS = redisAvailable();

/**
 * One write by client B against a key W watched by A: [what, B's setup, B's write]. Each runs on
 * a flushed server as: setup; A: WATCH W; write; A: MULTI; A: PING; A: EXEC.
 */
const SIGNAL_CASES: [string, string[], string][] = [
  ['SET', ['SET W 1'], 'SET W 2'],
  ['SET NX on an existing key', ['SET W 1'], 'SET W 2 NX'],
  ['SET XX on a missing key', [], 'SET W 2 XX'],
  ['DEL', ['SET W 1'], 'DEL W'],
  ['DEL of a missing watched key, another deleted', ['SET other 1'], 'DEL W other'],
  ['UNLINK', ['SET W 1'], 'UNLINK W'],
  ['EXPIRE', ['SET W 1'], 'EXPIRE W 100'],
  ['EXPIRE in the past', ['SET W 1'], 'EXPIRE W -1'],
  ['EXPIRE NX refused', ['SET W 1 EX 100'], 'EXPIRE W 200 NX'],
  ['PERSIST without TTL', ['SET W 1'], 'PERSIST W'],
  ['PERSIST', ['SET W 1 EX 100'], 'PERSIST W'],
  ['RENAME onto W', ['SET src 1'], 'RENAME src W'],
  ['RENAME from W', ['SET W 1'], 'RENAME W dst'],
  ['RENAMENX onto an existing W', ['SET W 1', 'SET src 1'], 'RENAMENX src W'],
  ['RENAME W onto itself', ['SET W 1'], 'RENAME W W'],
  ['MSET', [], 'MSET a 1 W 2'],
  ['MSETNX refused', ['SET W 1'], 'MSETNX b 1 W 2'],
  ['APPEND nothing', ['SET W 1'], 'APPEND W ""'],
  ['SETRANGE nothing', ['SET W 1'], 'SETRANGE W 0 ""'],
  ['INCRBY 0', ['SET W 1'], 'INCRBY W 0'],
  ['INCRBYFLOAT', ['SET W 1'], 'INCRBYFLOAT W 1.5'],
  ['INCR on a wrong type', ['LPUSH W x'], 'INCR W'],
  ['GETEX without options', ['SET W 1'], 'GETEX W'],
  ['GETEX PERSIST without TTL', ['SET W 1'], 'GETEX W PERSIST'],
  ['GETEX EX', ['SET W 1'], 'GETEX W EX 100'],
  ['GETDEL', ['SET W 1'], 'GETDEL W'],
  ['GETSET', ['SET W 1'], 'GETSET W 2'],
  ['SETBIT to the same value', ['SET W a'], 'SETBIT W 0 0'],
  ['BITFIELD GET only', ['SET W a'], 'BITFIELD W GET u8 0'],
  ['BITFIELD SET', ['SET W a'], 'BITFIELD W SET u8 0 1'],
  ['BITOP into another key', ['SET W a'], 'BITOP AND dst W'],
  ['BITOP into W', ['SET src a'], 'BITOP AND W src'],
  ['BITOP of nothing into a missing W', [], 'BITOP AND W missing'],
  ['BITOP of nothing into an existing W', ['SET W a'], 'BITOP AND W missing'],
  ['LPUSH', ['LPUSH W a'], 'LPUSH W b'],
  ['LPUSHX on a missing key', [], 'LPUSHX W a'],
  ['LPOP', ['LPUSH W a b'], 'LPOP W'],
  ['LPOP count 0', ['LPUSH W a'], 'LPOP W 0'],
  ['LREM nothing', ['LPUSH W a'], 'LREM W 0 zz'],
  ['LSET', ['LPUSH W a'], 'LSET W 0 b'],
  ['LINSERT with a missing pivot', ['LPUSH W a'], 'LINSERT W BEFORE zz b'],
  ['LTRIM that trims nothing', ['LPUSH W a b'], 'LTRIM W 0 -1'],
  ['LTRIM on a missing key', [], 'LTRIM W 0 -1'],
  ['LTRIM on a wrong type', ['SET W 1'], 'LTRIM W 0 -1'],
  ['RPOPLPUSH into W', ['LPUSH src a'], 'RPOPLPUSH src W'],
  ['LMOVE from W', ['LPUSH W a'], 'LMOVE W dst LEFT RIGHT'],
  ['LMOVE W onto itself', ['LPUSH W a b'], 'LMOVE W W LEFT RIGHT'],
  ['BLPOP served from W', ['LPUSH W a', 'LPUSH other b'], 'BLPOP W other 0'],
  ['BLPOP served from another key', ['LPUSH W a', 'LPUSH other b'], 'BLPOP other W 0'],
  ['LMPOP from another key', ['LPUSH W a', 'LPUSH other b'], 'LMPOP 2 other W LEFT'],
  ['LMPOP from W', ['LPUSH W a'], 'LMPOP 2 other W RIGHT COUNT 5'],
  ['BLMPOP from W', ['LPUSH W a'], 'BLMPOP 0 2 other W LEFT'],
  ['SADD of a present member', ['SADD W a'], 'SADD W a'],
  ['SADD', ['SADD W a'], 'SADD W b'],
  ['SREM of nothing', ['SADD W a'], 'SREM W zz'],
  ['SPOP', ['SADD W a'], 'SPOP W'],
  ['SRANDMEMBER', ['SADD W a'], 'SRANDMEMBER W'],
  ['SMOVE into W', ['SADD src m'], 'SMOVE src W m'],
  ['SMOVE of a missing member', ['SADD src m', 'SADD W x'], 'SMOVE src W zz'],
  ['SINTERSTORE from W', ['SADD W a'], 'SINTERSTORE dst W'],
  ['SINTERSTORE into W', ['SADD src a'], 'SINTERSTORE W src'],
  ['SINTERSTORE of nothing into a missing W', [], 'SINTERSTORE W missing'],
  ['SINTERSTORE of nothing into an existing W', ['SADD W a'], 'SINTERSTORE W missing'],
  ['SUNIONSTORE from W', ['SADD W a'], 'SUNIONSTORE dst W other'],
  ['SDIFFSTORE into W', ['SADD src a'], 'SDIFFSTORE W src'],
  ['SINTERSTORE with a wrong type', ['SADD W a', 'SET str 1'], 'SINTERSTORE W str'],
  ['ZADD of the same score', ['ZADD W 1 m'], 'ZADD W 1 m'],
  ['ZADD', ['ZADD W 1 m'], 'ZADD W 2 m'],
  ['ZINCRBY', ['ZADD W 1 m'], 'ZINCRBY W 1 m'],
  ['ZREM of nothing', ['ZADD W 1 m'], 'ZREM W zz'],
  ['ZPOPMIN', ['ZADD W 1 m'], 'ZPOPMIN W'],
  ['BZPOPMIN served from another key', ['ZADD W 1 m', 'ZADD other 1 n'], 'BZPOPMIN other W 0'],
  ['BZPOPMAX served from W', ['ZADD W 1 m'], 'BZPOPMAX other W 0'],
  ['ZMPOP from another key', ['ZADD W 1 m', 'ZADD other 1 n'], 'ZMPOP 2 other W MIN'],
  ['BZMPOP from W', ['ZADD W 1 m'], 'BZMPOP 0 2 other W MAX'],
  ['ZUNIONSTORE from W', ['ZADD W 1 m'], 'ZUNIONSTORE dst 1 W'],
  ['ZUNIONSTORE into W', ['ZADD src 1 m'], 'ZUNIONSTORE W 1 src'],
  ['ZINTERSTORE of nothing into a missing W', [], 'ZINTERSTORE W 1 missing'],
  ['ZDIFFSTORE into an existing W, empty result', ['ZADD W 1 m'], 'ZDIFFSTORE W 1 missing'],
  ['ZRANGESTORE from W', ['ZADD W 1 m'], 'ZRANGESTORE dst W 0 -1'],
  ['ZRANGESTORE of nothing into a missing W', [], 'ZRANGESTORE W missing 0 -1'],
  ['ZREMRANGEBYSCORE of nothing', ['ZADD W 1 m'], 'ZREMRANGEBYSCORE W 5 10'],
  ['HSET', ['HSET W f 1'], 'HSET W f 1'],
  ['HSETNX of a present field', ['HSET W f 1'], 'HSETNX W f 2'],
  ['HDEL of nothing', ['HSET W f 1'], 'HDEL W zz'],
  ['HINCRBYFLOAT', ['HSET W f 1'], 'HINCRBYFLOAT W f 0.5'],
  ['PFADD of a new element', ['PFADD W a'], 'PFADD W b'],
  ['PFADD of a present element', ['PFADD W a'], 'PFADD W a'],
  ['PFCOUNT refreshing the cached cardinality', ['PFADD W a'], 'PFCOUNT W'],
  ['PFMERGE from W', ['PFADD W a'], 'PFMERGE dst W'],
  ['PFMERGE into W', ['PFADD src a'], 'PFMERGE W src'],
  ['SORT from W into another key', ['RPUSH W 2 1'], 'SORT W STORE dst'],
  ['SORT without STORE', ['RPUSH W 2 1'], 'SORT W'],
  ['SORT into W', ['RPUSH src 2 1'], 'SORT src STORE W'],
  ['SORT of a missing key into an existing W', ['SET W 1'], 'SORT missing STORE W'],
  ['SORT of a missing key into a missing W', [], 'SORT missing STORE W'],
  ['GEORADIUS from W', ['GEOADD W 13.36 38.11 p'], 'GEORADIUS W 13 38 500 km STORE dst'],
  ['GEORADIUS into W', ['GEOADD src 13.36 38.11 p'], 'GEORADIUS src 13 38 500 km STORE W'],
  ['GEORADIUSBYMEMBER into W', ['GEOADD src 13.36 38.11 p'], 'GEORADIUSBYMEMBER src p 10 km STOREDIST W'],
  ['GEOSEARCHSTORE into W', ['GEOADD src 13.36 38.11 p'], 'GEOSEARCHSTORE W src FROMLONLAT 13 38 BYRADIUS 500 km'],
  ['GEOSEARCHSTORE from W', ['GEOADD W 13.36 38.11 p'], 'GEOSEARCHSTORE dst W FROMLONLAT 13 38 BYRADIUS 500 km'],
  ['COPY into W', ['SET src 1'], 'COPY src W'],
  ['COPY from W', ['SET W 1'], 'COPY W dst'],
  ['COPY into W of another db', ['SET src 1'], 'COPY src W DB 1'],
  ['COPY refused (W exists)', ['SET src 1', 'SET W 2'], 'COPY src W'],
  ['MOVE W away', ['SET W 1'], 'MOVE W 1'],
  ['MOVE of a missing key', [], 'MOVE W 1'],
  ['XADD', ['XADD W 1-0 f v'], 'XADD W 2-0 f v'],
  ['XADD NOMKSTREAM on a missing key', [], 'XADD W NOMKSTREAM 1-0 f v'],
  ['XDEL of nothing', ['XADD W 1-0 f v'], 'XDEL W 9-0'],
  ['XDEL', ['XADD W 1-0 f v'], 'XDEL W 1-0'],
  ['XTRIM of nothing', ['XADD W 1-0 f v'], 'XTRIM W MAXLEN 10'],
  ['XTRIM', ['XADD W 1-0 f v'], 'XTRIM W MAXLEN 0'],
  ['XSETID', ['XADD W 1-0 f v'], 'XSETID W 5-0'],
  ['XGROUP CREATE', ['XADD W 1-0 f v'], 'XGROUP CREATE W g $'],
  ['XGROUP CREATE MKSTREAM', [], 'XGROUP CREATE W g $ MKSTREAM'],
  ['XGROUP SETID', ['XADD W 1-0 f v', 'XGROUP CREATE W g $'], 'XGROUP SETID W g 0'],
  ['XGROUP CREATECONSUMER', ['XADD W 1-0 f v', 'XGROUP CREATE W g $'], 'XGROUP CREATECONSUMER W g c'],
  ['XGROUP DESTROY', ['XADD W 1-0 f v', 'XGROUP CREATE W g $'], 'XGROUP DESTROY W g'],
  ['XREADGROUP', ['XADD W 1-0 f v', 'XGROUP CREATE W g 0'], 'XREADGROUP GROUP g c STREAMS W >'],
  ['XACK', ['XADD W 1-0 f v', 'XGROUP CREATE W g 0', 'XREADGROUP GROUP g c STREAMS W >'], 'XACK W g 1-0'],
  ['XCLAIM', ['XADD W 1-0 f v', 'XGROUP CREATE W g 0', 'XREADGROUP GROUP g c STREAMS W >'], 'XCLAIM W g c2 0 1-0'],
  ['XAUTOCLAIM', ['XADD W 1-0 f v', 'XGROUP CREATE W g 0', 'XREADGROUP GROUP g c STREAMS W >'], 'XAUTOCLAIM W g c2 0 0-0'],
  // The DUMP payload of the string "1" (Redis 7.0).
  ['RESTORE', [], 'RESTORE W 0 "\\x00\\xc0\\x01\\n\\x00&x\\xe7\\xb6\\xd1\\x01\\x11\\xfc"'],
  ['RESTORE REPLACE', ['SET W 2'], 'RESTORE W 0 "\\x00\\xc0\\x01\\n\\x00&x\\xe7\\xb6\\xd1\\x01\\x11\\xfc" REPLACE'],
  ['RESTORE refused (W exists)', ['SET W 2'], 'RESTORE W 0 "\\x00\\xc0\\x01\\n\\x00&x\\xe7\\xb6\\xd1\\x01\\x11\\xfc"'],
  ['TOUCH', ['SET W 1'], 'TOUCH W'],
  ['a read', ['SET W 1'], 'GET W'],
  ['FLUSHDB of a db holding W', ['SET W 1'], 'FLUSHDB'],
  ['FLUSHDB of a db without W', ['SET other 1'], 'FLUSHDB'],
  ['FLUSHALL', ['SET W 1'], 'FLUSHALL'],
  ['SWAPDB bringing W', ['SELECT 1', 'SET W 1', 'SELECT 0'], 'SWAPDB 0 1'],
  ['SWAPDB with W in neither db', ['SET other 1'], 'SWAPDB 0 1'],
  ['SWAPDB of a db with itself', ['SET W 1'], 'SWAPDB 0 0'],
  ['DEBUG RELOAD', ['SET W 1'], 'DEBUG RELOAD'],
  ['DEBUG RELOAD of an empty db', [], 'DEBUG RELOAD'],
  ['SETNX on an existing key', ['SET W 1'], 'SETNX W 2'],
  ['HMSET', ['HSET W f 1'], 'HMSET W f 1'],
  ['ZADD NX of a present member', ['ZADD W 1 m'], 'ZADD W NX 5 m'],
  ['XADD trimming', ['XADD W 1-0 f v'], 'XADD W MAXLEN 1 2-0 f v'],
];

/** Scenarios about expiry and dbs, with their own shape. */
const EXPIRY_SCENARIOS: [string, string][] = [
  ['a watched key that expires before EXEC fails it, untouched', `
    B: SET W v PX 100
    A: WATCH W
    !sleep 150
    A: MULTI
    A: PING
    A: EXEC`],
  ['... and when another client finds it expired first', `
    B: SET W v PX 100
    A: WATCH W
    !sleep 150
    B: GET W
    A: MULTI
    A: PING
    A: EXEC`],
  ['a key already expired when watched: nothing changes', `
    B: SET W v PX 50
    !sleep 100
    A: WATCH W
    A: MULTI
    A: PING
    A: EXEC`],
  ['... its expiry on access is no change', `
    B: SET W v PX 50
    !sleep 100
    A: WATCH W
    B: GET W
    A: MULTI
    A: PING
    A: EXEC`],
  ['... its DEL neither', `
    B: SET W v PX 50
    !sleep 100
    A: WATCH W
    B: DEL W
    A: MULTI
    A: PING
    A: EXEC`],
  ['... nor a flush', `
    B: SET W v PX 50
    !sleep 100
    A: WATCH W
    B: FLUSHDB
    A: MULTI
    A: PING
    A: EXEC`],
  ['... but a write is', `
    B: SET W v PX 50
    !sleep 100
    A: WATCH W
    B: SET W x
    A: MULTI
    A: PING
    A: EXEC`],
  ['... and so is a write after its expiry was noticed', `
    B: SET W v PX 50
    !sleep 100
    A: WATCH W
    B: GET W
    B: SET W x
    A: MULTI
    A: PING
    A: EXEC`],
  ['... and SWAPDB bringing a live key', `
    B: SET W v PX 50
    B: SELECT 1
    B: SET W live
    B: SELECT 0
    !sleep 100
    A: WATCH W
    B: SWAPDB 0 1
    A: MULTI
    A: PING
    A: EXEC`],
  ['SWAPDB bringing an expired key in place of a missing one: still absent', `
    B: SELECT 1
    B: SET W v PX 50
    B: SELECT 0
    !sleep 100
    A: WATCH W
    B: SWAPDB 0 1
    A: MULTI
    A: PING
    A: EXEC`],
  ['keys are watched in the db selected at WATCH', `
    A: SELECT 1
    A: WATCH W
    B: SET W 1
    A: MULTI
    A: PING
    A: EXEC
    A: WATCH W
    B: SELECT 1
    B: SET W 1
    A: MULTI
    A: PING
    A: EXEC
    A: WATCH W
    B: SELECT 0
    B: MOVE W 1
    B: SELECT 1
    B: MOVE W 0
    A: MULTI
    A: PING
    A: EXEC`],
  ['MOVE into the db of the watcher', `
    B: SET W 1
    A: SELECT 1
    A: WATCH W
    B: MOVE W 1
    A: MULTI
    A: PING
    A: EXEC`],
  ['COPY ... DB into the db of the watcher', `
    B: SET src 1
    A: SELECT 1
    A: WATCH W
    B: COPY src W DB 1
    A: MULTI
    A: PING
    A: EXEC`],
  ['a client dirty before MULTI: queued commands are not kept (multi=0), flags xd', `
    A: CLIENT SETNAME watcher
    A: WATCH W
    B: SET W 1
    A: MULTI
    A: SET x 1
    A: SET y 2
    B: CLIENT LIST
    A: EXEC
    B: EXISTS x y`],
  ['two watchers of one key, and one of another', `
    A: WATCH W
    C: WATCH W
    D: WATCH V
    B: SET W 1
    A: MULTI
    A: INCR n
    A: EXEC
    C: MULTI
    C: INCR n
    C: EXEC
    D: MULTI
    D: INCR n
    D: EXEC`],
  ["EXEC of one client invalidates another client's WATCH, not its own", `
    A: WATCH W
    C: WATCH W
    A: MULTI
    A: SET W 1
    A: EXEC
    C: MULTI
    C: SET W 2
    C: EXEC
    B: GET W`],
];

function signalScenario([, setup, write]: [string, string[], string]): string {
  return ['B: FLUSHALL', ...setup.map((l) => `B: ${l}`), 'A: WATCH W', `B: ${write}`, 'A: MULTI', 'A: PING', 'A: EXEC'].join('\n');
}

describe.skipIf(!HAVE_REDIS)('WATCH against real Redis 7.0 (every reply compared)', () => {
  let redis: RealRedis;
  let rewind: TestServer;

  beforeAll(async () => {
    [redis, rewind] = await Promise.all([startRealRedis(), startTestServer({ 'enable-debug-command': 'yes' })]);
    // Expired keys must stay until touched on the real server, as the scenarios expect; Rewind's
    // active cycle may remove them first, which Redis's rules make equivalent.
    const c = await RawClient.connect(redis.port);
    await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await c.close();
  });
  afterAll(async () => {
    await Promise.all([redis?.stop(), rewind?.close()]);
  });

  async function compare(script: string): Promise<void> {
    const steps = parseScenario(`B: FLUSHALL\n${script}`);
    const [ours, theirs] = [await runScenario(rewind.port, steps), await runScenario(redis.port, steps)];
    // Client ids, addresses, ages differ: CLIENT LIST lines are compared field by field below.
    const norm = (lines: string[]): string[] => lines.map((l) => l.replace(/id=\d+ addr=\S+ laddr=\S+ fd=-?\d+/g, 'id=? addr=? laddr=? fd=?')
      .replace(/ (age|idle|qbuf|qbuf-free|argv-mem|multi-mem|rbs|rbp|obl|oll|omem|tot-mem)=\d+/g, '')
      .replace(/ events=\w+| lib-name=[^\s\\]*| lib-ver=[^\s\\]*/g, '')
      .replace(/^(B: CLIENT LIST {2}-> {2})"\$\d+/, '$1"$'));
    expect(norm(ours)).toEqual(norm(theirs));
  }

  test.each(SIGNAL_CASES)('%s', async (...c) => {
    await compare(signalScenario(c));
  });

  test.each(EXPIRY_SCENARIOS)('%s', async (_name, script) => {
    await compare(script);
  });
});

let ts: TestServer;
let logged: string[];
let client: () => Promise<Redis>;
let blockedCount: (n: number, ms?: number) => Promise<void>;

describe('transactions with several clients', () => {
  serverWithClientsPerTest((f) => {
    ({ ts, logged, client, blockedCount } = f);
  });

  test('ioredis multi(): replies in order, an error is an element, the rest still runs', async () => {
    const r = await client();
    await r.set('s', 'x');
    const res = await r.multi().set('a', '1').incr('a').lpush('s', 'v').get('a').exec();
    expect(res![0]).toEqual([null, 'OK']);
    expect(res![1]).toEqual([null, 2]);
    expect(res![2]![0]).toBeInstanceOf(Error);
    expect(String(res![2]![0])).toContain('WRONGTYPE');
    expect(res![3]).toEqual([null, '2']);
  });

  test('ioredis watch(): the first EXEC wins the race, the second gets null and retries', async () => {
    const [a, b] = [await client(), await client()];
    await a.set('counter', '10');
    const incrBy = async (r: Redis, n: number): Promise<number> => {
      for (let attempt = 1; ; attempt++) {
        await r.watch('counter');
        const v = Number(await r.get('counter'));
        const res = await r.multi().set('counter', String(v + n)).exec();
        if (res !== null) return attempt;
      }
    };
    // Interleave by hand: both read 10, a commits first, b's EXEC fails and b retries.
    await a.watch('counter');
    await b.watch('counter');
    const va = Number(await a.get('counter'));
    const vb = Number(await b.get('counter'));
    expect(await a.multi().set('counter', String(va + 1)).exec()).toEqual([[null, 'OK']]);
    expect(await b.multi().set('counter', String(vb + 5)).exec()).toBeNull();
    expect(await incrBy(b, 5)).toBe(1);
    expect(await a.get('counter')).toBe('16');
    expect(ts.server.state.watches.size).toBe(0);
  });

  test('many clients increment one counter with WATCH retries: no update is lost', async () => {
    const clients = await Promise.all(Array.from({ length: 8 }, () => client()));
    await clients[0]!.set('n', '0');
    let conflicts = 0;
    await Promise.all(clients.map(async (r) => {
      for (let i = 0; i < 25; i++) {
        for (;;) {
          await r.watch('n');
          const v = Number(await r.get('n'));
          if ((await r.multi().set('n', String(v + 1)).exec()) !== null) break;
          conflicts++;
        }
      }
    }));
    expect(await clients[0]!.get('n')).toBe('200');
    expect(conflicts).toBeGreaterThan(0);
  });

  test('blocking commands inside MULTI answer at once; nobody is left blocked', async () => {
    const r = await client();
    const res = await r.multi().blpop('none', 0).brpoplpush('none', 'dst', 0).bzpopmin('z', 0).xread('BLOCK', 0, 'STREAMS', 's', '$').exec();
    expect(res).toEqual([[null, null], [null, null], [null, null], [null, null]]);
    expect(ts.server.state.blocking.count).toBe(0);
  });

  test('a client blocked on a key is served after the EXEC that fed it, with what is left', async () => {
    const [a, b] = [await client(), await client()];
    const pa = a.blpop('q', 0);
    await blockedCount(1);
    const res = await b.multi().rpush('q', 'x').lpop('q').rpush('q', 'y').exec();
    expect(res).toEqual([[null, 1], [null, 'x'], [null, 1]]);
    expect(await pa).toEqual(['q', 'y']);
    expect(logged).toEqual(['MULTI', 'rpush q x', 'lpop q', 'rpush q y', 'EXEC', 'LPOP q']);
  });

  test('EXEC fails with EXECABORT after a refused command, and DISCARD/EXEC end MULTI', async () => {
    const r = await client();
    await r.call('MULTI');
    expect(await r.call('SET', 'a', '1')).toBe('QUEUED');
    await expect(r.call('NOSUCH')).rejects.toThrow("ERR unknown command 'NOSUCH'");
    await expect(r.call('EXEC')).rejects.toThrow('EXECABORT Transaction discarded because of previous errors.');
    expect(await r.exists('a')).toBe(0);
    await r.call('MULTI');
    await r.call('SET', 'a', '1');
    expect(await r.call('DISCARD')).toBe('OK');
    await expect(r.call('EXEC')).rejects.toThrow('ERR EXEC without MULTI');
    expect(await r.exists('a')).toBe(0);
    expect(logged).toEqual([]);
  });

  test('nested MULTI and WATCH inside MULTI are errors that do not abort', async () => {
    const r = await client();
    await r.call('MULTI');
    await expect(r.call('MULTI')).rejects.toThrow('ERR MULTI calls can not be nested');
    await expect(r.call('WATCH', 'k')).rejects.toThrow('ERR WATCH inside MULTI is not allowed');
    await r.call('SET', 'k', '1');
    expect(await r.call('EXEC')).toEqual(['OK']);
  });

  test('a disconnect discards the queue and drops the watches; other clients are unaffected', async () => {
    const [a, b] = [await client(), await client()];
    await a.watch('w1', 'w2');
    await a.call('MULTI');
    await a.call('SET', 'never', '1');
    await b.watch('w1');
    expect(ts.server.state.watches.size).toBe(3);
    await disconnectAll([a]);
    for (let i = 0; i < 100 && ts.server.state.watches.size !== 1; i++) await new Promise((res) => setTimeout(res, 5));
    expect(ts.server.state.watches.size).toBe(1);
    expect(await b.exists('never')).toBe(0);
    expect(await b.multi().set('w1', 'x').exec()).toEqual([[null, 'OK']]);
  });

  test('CLIENT LIST: multi= counts queued commands, flags x in MULTI and d once a watched key changed', async () => {
    const [a, b] = [await client(), await client()];
    await a.call('CLIENT', 'SETNAME', 'tx');
    const line = async (): Promise<string> => String(await b.call('CLIENT', 'LIST')).split('\n').find((l) => l.includes('name=tx'))!;
    expect(await line()).toContain(' flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 ');
    await a.call('MULTI');
    await a.call('SET', 'x', '1');
    await a.call('GET', 'x');
    expect(await line()).toMatch(/ flags=x .* multi=2 .* cmd=get /);
    await a.call('DISCARD');
    await a.watch('w');
    await b.set('w', '1');
    expect(await line()).toContain(' flags=d ');
    await a.call('MULTI');
    await a.call('SET', 'x', '1');
    expect(await line()).toContain(' flags=xd db=0 sub=0 psub=0 ssub=0 multi=0 ');
    expect(await a.call('EXEC')).toBeNull();
    expect(await line()).toContain(' flags=N ');
  });

  test('stats: queued commands count when EXEC runs them; their errors are not EXEC\'s', async () => {
    const r = await client();
    await r.call('CONFIG', 'RESETSTAT');
    await r.set('s', 'x');
    await r.multi().incr('s').get('s').exec();
    await r.call('MULTI');
    await expect(r.call('NOSUCH')).rejects.toThrow();
    await expect(r.call('EXEC')).rejects.toThrow('EXECABORT');
    await expect(r.call('EXEC', 'extra')).rejects.toThrow(
      "EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command",
    );
    const stats = await r.info('commandstats');
    expect(stats).toMatch(/cmdstat_exec:calls=2,.*,rejected_calls=1,failed_calls=1\r\n/);
    expect(stats).toMatch(/cmdstat_incr:calls=1,.*,rejected_calls=0,failed_calls=1\r\n/);
    expect(stats).toMatch(/cmdstat_get:calls=1,.*,failed_calls=0\r\n/);
    const errors = await r.info('errorstats');
    expect(errors).toContain('errorstat_ERR:count=2');
    expect(errors).toContain('errorstat_EXECABORT:count=2');
    // SET, MULTI INCR GET EXEC, MULTI, EXEC (aborted), the two INFOs and CONFIG RESETSTAT.
    expect(await r.info('stats')).toContain('total_commands_processed:10\r\n');
  });

  test('MONITOR sees MULTI, then the queued commands as EXEC runs them, then EXEC', async () => {
    const [m, r] = [await client(), await client()];
    const lines: string[] = [];
    const monitor = await m.monitor();
    monitor.on('monitor', (_time: string, args: string[]) => lines.push(args.join(' ')));
    await r.multi().set('a', '1').get('a').exec();
    await r.call('MULTI');
    await r.call('SET', 'b', '1');
    await expect(r.call('EXEC', 'x')).rejects.toThrow('EXECABORT');
    for (let i = 0; i < 100 && lines.length < 6; i++) await new Promise((res) => setTimeout(res, 5));
    expect(lines).toEqual(['multi', 'set a 1', 'get a', 'exec', 'MULTI', 'EXEC x']);
    monitor.disconnect();
  });

  test('a MONITOR client may not queue keyspace commands (Redis\'s replica rule, denyoom ones included)', async () => {
    const m = await RawClient.connect(ts.port);
    await m.call('MONITOR');
    await m.write(encodeCommand(['MULTI']));
    await m.readReplies(2); // its own MULTI shows in its feed, then +OK
    // SET is denyoom too: Redis 7.0 still answers with the replica error (no maxmemory limit).
    for (const argv of [['GET', 'a'], ['SET', 'a', '1']]) {
      await m.write(encodeCommand(argv));
      expect((await m.readReply()).bytes.toString('latin1')).toBe("-ERR Replica can't interact with the keyspace\r\n");
    }
    await m.write(encodeCommand(['EXEC']));
    expect((await m.readReply()).bytes.toString('latin1')).toBe('-EXECABORT Transaction discarded because of previous errors.\r\n');
    await m.close();
  });

  test('an EXEC refused because the AOF cannot be written quotes the reason; read-only EXEC runs', async () => {
    const r = await client();
    const state = ts.server.state;
    await r.call('MULTI');
    await r.call('GET', 'a');
    state.denyWrites = 'MISCONF Errors writing to the AOF file: No space left on device';
    try {
      expect(await r.call('EXEC')).toEqual([null]);
      await r.call('MULTI');
      await expect(r.call('SET', 'a', '1')).rejects.toThrow('MISCONF');
      await expect(r.call('EXEC')).rejects.toThrow('EXECABORT Transaction discarded because of previous errors.');
      state.denyWrites = null;
      await r.call('MULTI');
      await r.call('SET', 'a', '1');
      state.denyWrites = 'MISCONF Errors writing to the AOF file: No space left on device';
      await expect(r.call('EXEC')).rejects.toThrow(
        'EXECABORT Transaction discarded because of: MISCONF Errors writing to the AOF file: No space left on device',
      );
    } finally {
      state.denyWrites = null;
    }
    await expect(r.call('EXEC')).rejects.toThrow('ERR EXEC without MULTI');
    expect(await r.exists('a')).toBe(0);
  });

  test('QUIT inside MULTI closes without running the queue; RESET discards it and unwatches', async () => {
    const [a, b] = [await client(), await client()];
    await a.call('MULTI');
    await a.call('SET', 'q', '1');
    expect(await a.call('QUIT')).toBe('OK');
    const c = await client();
    await c.watch('w');
    await c.call('MULTI');
    await c.call('SET', 'r', '1');
    expect(await c.call('RESET')).toBe('RESET');
    await b.set('w', '1');
    await c.call('MULTI');
    expect(await c.call('EXEC')).toEqual([]);
    expect(await b.exists('q', 'r')).toBe(0);
    expect(ts.server.state.watches.size).toBe(0);
  });

  test('REWIND RESTORE invalidates a WATCH on a key it puts back or deletes, not on others', async () => {
    // Needs the AOF with #TS annotations and an injected clock: a server of its own.
    const T = 1_900_000_000;
    const clock = { t: T * 1000, now(): number { return this.t; } };
    const dir = await tempDir();
    const own = await startServer({ config: { port: 0, bind: '127.0.0.1', dir, save: '', appendonly: 'yes', 'aof-timestamp-enabled': 'yes' }, clock });
    const [a, b] = [await connect(own.port), await connect(own.port)];
    try {
      await b.set('k', 'old');
      clock.t = (T + 1) * 1000 + 500;
      await b.set('k', 'new');
      await b.set('born-later', '1');
      clock.t = (T + 3) * 1000;
      await a.watch('k');
      expect(await b.call('REWIND', 'RESTORE', String(T), 'KEYS', '1', 'k', 'REPLACE')).toEqual(
        ['restored', 0, 'replaced', 1, 'deleted', 0, 'skipped', 0, 'expired', 0, 'keys', ['k']]);
      expect(await a.multi().get('k').exec()).toBeNull();
      await a.watch('born-later');
      await b.call('REWIND', 'RESTORE', String(T), 'KEYS', '1', 'born-later', 'REPLACE');
      expect(await b.exists('born-later')).toBe(0);
      expect(await a.multi().get('k').exec()).toBeNull();
      await a.watch('other');
      await b.call('REWIND', 'RESTORE', String(T), 'KEYS', '1', 'k', 'REPLACE');
      expect(await a.multi().get('k').exec()).toEqual([[null, 'old']]);
    } finally {
      await disconnectAll([a, b]);
      await own.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('what EXEC logs', () => {
  serverWithClientsPerTest((f) => {
    ({ ts, logged, client } = f);
  });

  test('one write is logged bare, two or more inside MULTI/EXEC, reads and failures not at all', async () => {
    const r = await client();
    await r.multi().set('a', '1').exec();
    expect(logged).toEqual(['set a 1']);
    logged.length = 0;
    await r.multi().set('a', '2').get('a').incr('a').lpush('a', 'x').sadd('s', 'm').exec();
    expect(logged).toEqual(['MULTI', 'set a 2', 'incr a', 'sadd s m', 'EXEC']);
    logged.length = 0;
    await r.multi().get('a').exec();
    await r.multi().set('a', '1', 'NX').exec();
    expect(logged).toEqual([]);
  });

  test('a SELECT inside the transaction moves the following records to that db', async () => {
    const r = await client();
    const dbs: number[] = [];
    ts.server.state.propagator = { feed: (db, argv) => dbs.push(db) && logged.push(argv.join(' ')), flush: () => true };
    await r.multi().set('a', '1').select(3).set('b', '2').exec();
    expect(logged).toEqual(['MULTI', 'set a 1', 'set b 2', 'EXEC']);
    expect(dbs).toEqual([0, 0, 3, -1]);
  });

  test('the incr file of a server with appendonly yes', async () => {
    const own = await startTestServer({ appendonly: 'yes' });
    const r = await connect(own.port);
    try {
      await r.multi().set('a', '1').exec();
      await r.multi().set('b', '1').set('c', '2').incr('b').exec();
      await r.watch('a');
      await r.set('a', '2');
      expect(await r.multi().set('never', '1').exec()).toBeNull();
      await r.call('MULTI');
      await r.call('SET', 'never', '1');
      await r.call('DISCARD');
      await r.multi().expire('a', 100).exec();
      const incr = readFileSync(path.join(own.dir, 'appendonlydir', 'appendonly.aof.1.incr.aof'), 'latin1');
      const at = /PEXPIREAT\r\n\$1\r\na\r\n\$13\r\n(\d{13})\r\n/.exec(incr)?.[1] ?? '?';
      expect(incr).toBe(Buffer.concat([
        encodeCommand(['SELECT', '0']),
        encodeCommand(['set', 'a', '1']),
        encodeCommand(['MULTI']), encodeCommand(['set', 'b', '1']), encodeCommand(['set', 'c', '2']), encodeCommand(['incr', 'b']), encodeCommand(['EXEC']),
        encodeCommand(['set', 'a', '2']),
        encodeCommand(['PEXPIREAT', 'a', at]),
      ]).toString('latin1'));
    } finally {
      await disconnectAll([r]);
      await own.close();
    }
  });
});
