/*
 * Round trips between Rewind and a real redis-server 7.0.15, through the files each writes.
 *
 *  a) Rewind (in-process, appendonly yes, aof-timestamp-enabled yes) builds a keyspace of every
 *     type and encoding size, rewrites the AOF (so there is a base), writes more (so the new incr
 *     has records: rewritten forms such as SET PXAT, PEXPIREAT, SET KEEPTTL for INCRBYFLOAT,
 *     SREMs in MULTI/EXEC for SPOP with a count, XCLAIM for XREADGROUP, FLUSHDB), and closes. Real Redis started with appendonly yes on a
 *     copy of the folder must hold the same keyspace; so must Rewind restarted on it. Once with an
 *     RDB base (aof-use-rdb-preamble yes), once with a RESP base (no). redis-check-aof accepts the
 *     folder.
 *  b) Rewind's SAVE: dump.rdb passes redis-check-rdb and loads into real Redis (appendonly no) as
 *     the same keyspace.
 *  c) The reverse: a real Redis writes a folder (timestamps on, a rewrite in the middle) and a
 *     dump.rdb; Rewind started on copies loads the same keyspace from each.
 *
 * Consumers' seen-time is compared exactly where it is stored as data (an RDB, an RDB base). When a
 * group is rebuilt by replaying commands (XCLAIM, XGROUP CREATECONSUMER), Redis sets seen-time to
 * the time of loading and, since XREADGROUP is logged without entries-read, leaves entries-read and
 * lag null. So an AOF load is compared with the source without those fields, and Rewind's load of
 * a folder with real Redis's load of the same folder with only seen-times left out.
 *
 * Skipped with a warning when redis-server is not on PATH; the redis-check-* steps are skipped
 * with a warning when those tools are missing.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeCommand } from '../../protocol/encode.js';
import { RawClient, type RespValue } from '../helpers/raw.js';
import { redisAvailable, startRealRedis, which, type RealRedis } from '../helpers/real-redis.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { dumpKeyspace, keyCount, keyspaceDiff, waitUntilReady, type KeyspaceDump } from '../helpers/keyspace-dump.js';

const HAVE_REDIS = redisAvailable();
if (!HAVE_REDIS) console.warn('[real-redis-roundtrip] redis-server is not on PATH: the AOF/RDB round trips with real Redis are SKIPPED');
const CHECK_AOF = which('redis-check-aof');
const CHECK_RDB = which('redis-check-rdb');

type Arg = string | Buffer;

/** Far enough ahead that no TTL runs out during the test (2100-01-01T00:00:00.123Z). */
const FAR_MS = 4102444800123;

// ---- helpers ------------------------------------------------------------------------------------

/** Sends the commands as one pipeline and reads every reply; an error reply fails with its command. */
async function run(c: RawClient, cmds: readonly Arg[][]): Promise<RespValue[]> {
  if (cmds.length === 0) return [];
  await c.write(Buffer.concat(cmds.map((a) => encodeCommand(a))));
  const out: RespValue[] = [];
  for (const cmd of cmds) {
    const r = (await c.readReply(10_000)).value;
    if (r.type === 'error') throw new Error(`${cmd.map((a) => a.toString().slice(0, 40)).join(' ')}: ${r.text}`);
    out.push(r);
  }
  return out;
}

async function one(c: RawClient, ...argv: Arg[]): Promise<RespValue> {
  return (await run(c, [argv]))[0]!;
}

function bulkText(v: RespValue): string {
  if (v.type === 'bulk') return v.value.toString('latin1');
  if (v.type === 'simple') return v.text;
  throw new Error(`expected a string, got ${v.type}`);
}

async function infoField(c: RawClient, section: string, field: string): Promise<string> {
  const info = bulkText(await one(c, 'INFO', section));
  const m = new RegExp(`^${field}:(.*)\\r?$`, 'm').exec(info);
  if (m === null) throw new Error(`INFO ${section} has no ${field}`);
  return m[1]!.trim();
}

/** BGREWRITEAOF, then polls INFO until the rewrite is over; fails if it did not succeed. */
async function rewriteAndWait(c: RawClient, timeoutMs = 20_000): Promise<void> {
  const before = Number(await infoField(c, 'persistence', 'aof_rewrites'));
  const reply = bulkText(await one(c, 'BGREWRITEAOF'));
  expect(reply).toMatch(/Background append only file rewriting (started|scheduled)/);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = bulkText(await one(c, 'INFO', 'persistence'));
    const rewrites = Number(/aof_rewrites:(\d+)/.exec(info)?.[1] ?? '0');
    const inProgress = /aof_rewrite_in_progress:1/.test(info);
    const scheduled = /aof_rewrite_scheduled:1/.test(info);
    if (rewrites > before && !inProgress && !scheduled) {
      expect(info).toMatch(/aof_last_bgrewrite_status:ok/);
      return;
    }
    if (Date.now() > deadline) throw new Error(`rewrite not finished within ${timeoutMs} ms:\n${info}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A copy with, for the given stream keys (all streams when `only` is undefined), what replaying
 * commands cannot restore: consumers' seen-time (set to the time of loading), and with `groups`
 * also the groups' entries-read and lag. Redis 7.0.15 logs XREADGROUP as XCLAIM ... LASTID without
 * the group's entries-read, so after a replay they are null on real Redis too (verified by hand).
 */
function withoutReplayLoss(d: KeyspaceDump, only: ReadonlySet<string> | undefined, groups: boolean): KeyspaceDump {
  const copy = JSON.parse(JSON.stringify(d)) as KeyspaceDump;
  for (const keys of Object.values(copy.dbs)) {
    for (const [name, k] of Object.entries(keys)) {
      if (k.type !== 'stream' || (only !== undefined && !only.has(name))) continue;
      for (const g of k.value.groups) {
        for (const consumer of g.consumers) consumer.seenTime = 0;
        if (groups) {
          g.entriesRead = null;
          g.lag = null;
        }
      }
    }
  }
  return copy;
}

/** Resolves once the wall clock is in a later second than `sec`, so the next write gets a #TS. */
async function afterSecond(sec: number): Promise<void> {
  while (Math.floor(Date.now() / 1000) <= sec) await new Promise((r) => setTimeout(r, 10));
}

function expectSameKeyspace(actual: KeyspaceDump, expected: KeyspaceDump, what: string): void {
  const diff = keyspaceDiff(actual, expected);
  expect(diff, `${what}: keyspaces differ:\n${diff.join('\n')}`).toEqual([]);
  expect(actual).toEqual(expected);
}

function checkAof(folder: string): void {
  if (CHECK_AOF === null) {
    console.warn('[real-redis-roundtrip] redis-check-aof is not on PATH: skipping it');
    return;
  }
  const manifest = path.join(folder, 'appendonlydir', 'appendonly.aof.manifest');
  const r = spawnSync(CHECK_AOF, [manifest], { encoding: 'utf8', timeout: 30_000 });
  expect(r.status, `redis-check-aof ${manifest}:\n${r.stdout}${r.stderr}`).toBe(0);
  expect(r.stdout).toMatch(/All AOF files and manifest are valid/);
}

function checkRdb(file: string): void {
  if (CHECK_RDB === null) {
    console.warn('[real-redis-roundtrip] redis-check-rdb is not on PATH: skipping it');
    return;
  }
  const r = spawnSync(CHECK_RDB, [file], { encoding: 'utf8', timeout: 30_000 });
  expect(r.status, `redis-check-rdb ${file}:\n${r.stdout}${r.stderr}`).toBe(0);
  expect(r.stdout).toMatch(/RDB looks OK/);
}

// ---- the keyspace -------------------------------------------------------------------------------

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Phase 1: every type, small and large encodings, TTLs, several dbs, a stream with groups. */
async function populateBase(c: RawClient): Promise<void> {
  const allBytes = Buffer.from(range(256));
  await run(c, [
    ['SELECT', '0'],
    ['SET', 'str:plain', 'hello world'],
    ['SET', 'str:int', '12345'],
    ['SET', 'str:minint', '-9223372036854775808'],
    ['SET', 'str:maxint', '9223372036854775807'],
    ['SET', 'str:notint', '007'],
    ['SET', 'str:long', `${'abcdefgh'.repeat(2500)}tail`],
    ['SET', 'str:binary', allBytes],
    ['SET', Buffer.from([0xff, 0x00, 0x0d, 0x0a, 0x6b]), 'binary key name'],
    ['SET', 'str:empty', ''],
    ['SET', 'str:utf8', 'héllo wörld ✓'],
    ['SET', 'str:ttl', 'expiring', 'PX', '3600000'],
    ['SET', 'str:exat', 'v', 'PXAT', String(FAR_MS)],
    ['INCRBYFLOAT', 'str:float', '3.14159'],
    ['APPEND', 'str:append', 'abc'],
    ['SETRANGE', 'str:append', '10', 'xyz'],
    ['RPUSH', 'list:small', 'a', 'b', 'c', '1', '2', '-3'],
    ['RPUSH', 'list:big', ...range(300).map((i) => (i % 3 === 0 ? String(i * 1000 - 7) : `element-${i}`)), 'z'.repeat(10_000), ''],
    ['LPUSH', 'list:ints', ...range(50).map(String)],
    ['HSET', 'hash:small', 'f1', 'v1', 'f2', '2', 'f3', '', 'neg', '-1.5'],
    ['HSET', 'hash:big', ...range(600).flatMap((i) => [`field:${i}`, i % 2 === 0 ? String(i) : `value-${i}`])],
    ['HSET', 'hash:longval', 'short', 'v', 'long', 'v'.repeat(100)],
    ['SADD', 'set:int', ...range(100).map(String), '-5'],
    ['SADD', 'set:bigint', ...range(600).map((i) => String(i * 3))],
    ['SADD', 'set:str', 'apple', 'banana', 'cherry', 'date', 'elder'],
    ['SADD', 'set:mixed', '1', '2', 'three', allBytes],
    ['ZADD', 'zset:small', '1', 'one', '0.5', 'half', '-2.25', 'neg', 'inf', 'top', '-inf', 'bottom', '1e-300', 'tiny', '3.141592653589793', 'pi'],
    ['ZADD', 'zset:big', ...range(200).flatMap((i) => [String(i / 7), `member-${i}`]), '+inf', 'pinf', '-inf', 'ninf'],
    ['ZADD', 'zset:longmember', '1', 'm'.repeat(100), '2', 'short'],
    ['EXPIRE', 'hash:small', '100000'],
    ['PEXPIREAT', 'zset:small', String(FAR_MS + 1000)],
    ['EXPIREAT', 'list:big', '4102444800'],
    // A stream: explicit and generated ids, a deleted entry, two groups, pending entries, consumers.
    ['XADD', 's:base', '1-1', 'temp', '20', 'hum', '50'],
    ['XADD', 's:base', '1-2', 'temp', '21'],
    ['XADD', 's:base', '2-0', 'other', 'x', 'n', '3'],
    ...range(20).map((i) => ['XADD', 's:base', '*', 'i', String(i), 'payload', `p${i}`]),
    ['XDEL', 's:base', '1-2'],
    ['XGROUP', 'CREATE', 's:base', 'g1', '0'],
    ['XGROUP', 'CREATE', 's:base', 'g2', '$'],
    ['XGROUP', 'CREATE', 's:base', 'g3', '0'],
    ['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '5', 'STREAMS', 's:base', '>'],
    ['XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '3', 'STREAMS', 's:base', '>'],
    ['XACK', 's:base', 'g1', '1-1'],
    ['XCLAIM', 's:base', 'g1', 'carol', '0', '2-0'],
    ['XGROUP', 'CREATECONSUMER', 's:base', 'g2', 'dave'],
    ['XADD', 's:empty', 'MAXLEN', '0', '5-5', 'a', 'b'],
    ['SELECT', '1'],
    ['SET', 'a', '1'],
    ['RPUSH', 'l', 'x', 'y'],
    ['ZADD', 'z', '1', 'm'],
    ['SET', 'ttl', 'v'],
    ['PEXPIREAT', 'ttl', String(FAR_MS + 5)],
    ['SELECT', '5'],
    ['HSET', 'h', 'k', 'v'],
    ['SET', 'gone-after-flush', '1'],
    ['SELECT', '15'],
    ['SET', 'last-db', 'yes'],
    ['SELECT', '0'],
  ]);
}

/** Phase 2 (after the rewrite): commands the AOF logs in rewritten forms. */
async function populateIncr(c: RawClient): Promise<void> {
  await run(c, [
    ['SELECT', '0'],
    ['SET', 'str:plain', 'changed'],
    ['INCR', 'str:int'],
    ['DEL', 'str:empty'],
    ['SETEX', 'str:setex', '100000', 'v'],
    ['PSETEX', 'str:psetex', '100000000', 'v'],
    ['EXPIRE', 'str:plain', '50000'],
    ['PERSIST', 'str:ttl'],
    ['GETSET', 'str:getset', 'new'],
    ['GETDEL', 'str:notint'],
    ['GETEX', 'str:utf8', 'EXAT', '4102444801'],
    ['INCRBYFLOAT', 'str:float', '-0.00159'],
    ['SET', 'str:keepttl', 'a', 'EX', '90000'],
    ['SET', 'str:keepttl', 'b', 'KEEPTTL'],
    ['RPUSH', 'list:big', ...range(30).map((i) => `more-${i}`)],
    ['LPOP', 'list:small'],
    ['LMOVE', 'list:small', 'list:moved', 'LEFT', 'RIGHT'],
    ['LSET', 'list:ints', '3', 'replaced'],
    ['HINCRBYFLOAT', 'hash:small', 'fl', '1.25'],
    ['HINCRBY', 'hash:small', 'f2', '40'],
    ['HDEL', 'hash:big', 'field:0', 'field:1'],
    ['SPOP', 'set:str'],
    ['SPOP', 'set:bigint', '3'],
    ['SREM', 'set:int', '5'],
    ['SADD', 'set:int', '1000000'],
    ['SMOVE', 'set:mixed', 'set:moved', 'three'],
    ['ZINCRBY', 'zset:small', '2', 'one'],
    ['ZPOPMIN', 'zset:big', '2'],
    ['ZADD', 'zset:big', '0.1', 'fraction', '-1e10', 'very-low'],
    ['ZREM', 'zset:longmember', 'short'],
    ['XADD', 's:incr', '*', 'a', '1'],
    ['XADD', 's:incr', '*', 'a', '2'],
    ['XADD', 's:incr', '*', 'a', '3'],
    ['XGROUP', 'CREATE', 's:incr', 'grp', '0'],
    ['XREADGROUP', 'GROUP', 'grp', 'erin', 'COUNT', '2', 'STREAMS', 's:incr', '>'],
    ['XADD', 's:incr', 'MAXLEN', '~', '100', '*', 'a', '4'],
    ['XACK', 's:base', 'g1', '2-0'],
    ['XADD', 's:base', '*', 'late', 'entry'],
    ['XTRIM', 's:base', 'MAXLEN', '=', '15'],
    ['SET', 'tx:a', '1'],
    ['INCRBY', 'tx:b', '5'],
    ['RPUSH', 'tx:l', 'q'],
    ['RENAME', 'str:maxint', 'str:renamed'],
    ['COPY', 'hash:longval', 'hash:copied'],
    ['MOVE', 'set:moved', '1'],
    ['SELECT', '5'],
    ['FLUSHDB'],
    ['SET', 'after-flush', '1'],
    ['SELECT', '3'],
    ['SET', 'new-db', 'x'],
    ['EXPIRE', 'new-db', '70000'],
    ['SELECT', '0'],
  ]);
}

/** Streams whose groups are touched in phase 2 (their consumers are rebuilt from commands). */
const REPLAYED_STREAMS: ReadonlySet<string> = new Set(['s:incr']);

function sanity(d: KeyspaceDump): void {
  // The dump itself is checked a little, so two equal but empty dumps cannot pass.
  expect(keyCount(d)).toBeGreaterThan(40);
  const db0 = d.dbs['0']!;
  expect(db0['list:big']!.type).toBe('list');
  expect(db0['s:base']!.type).toBe('stream');
  expect(db0['str:ttl']!.expireAt).toBeNull();
  expect(db0['str:exat']!.expireAt).toBe(FAR_MS);
  expect(Object.keys(d.dbs['5']!)).toEqual(['after-flush']);
}

// ---- the tests ----------------------------------------------------------------------------------

describe.skipIf(!HAVE_REDIS)('round trips with real redis-server 7.0', () => {
  const dirs: string[] = [];
  let rewind: TestServer | null = null;
  let redis: RealRedis | null = null;

  afterEach(async () => {
    await rewind?.close();
    rewind = null;
    await redis?.stop();
    redis = null;
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  async function newDir(prefix: string): Promise<string> {
    const d = await mkdtemp(path.join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  }

  async function copyOf(src: string, what: string[]): Promise<string> {
    const dst = await newDir('rewind-rt-copy-');
    for (const w of what) await cp(path.join(src, w), path.join(dst, w), { recursive: true });
    return dst;
  }

  /** Rewind on `dir` with the AOF on; builds the keyspace with a rewrite in the middle; closes. */
  async function rewindWritesFolder(dir: string, preamble: 'yes' | 'no'): Promise<KeyspaceDump> {
    rewind = await startTestServer({
      dir, appendonly: 'yes', appendfsync: 'always', 'aof-timestamp-enabled': 'yes', 'aof-use-rdb-preamble': preamble,
    });
    const c = await RawClient.connect(rewind.port);
    try {
      await populateBase(c);
      const lastBaseSecond = Math.floor(Date.now() / 1000);
      await rewriteAndWait(c);
      await afterSecond(lastBaseSecond);
      await populateIncr(c);
      const source = await dumpKeyspace(rewind.port);
      sanity(source);
      return source;
    } finally {
      await c.close();
      await rewind.close();
      rewind = null;
    }
  }

  for (const preamble of ['yes', 'no'] as const) {
    it(`a) Rewind's AOF folder (aof-use-rdb-preamble ${preamble}) loads in real Redis as the same keyspace`, async () => {
      const dir = await newDir('rewind-rt-aof-');
      const source = await rewindWritesFolder(dir, preamble);

      // The folder: a rewritten base of the right kind, one incr with #TS annotations.
      const aofDir = path.join(dir, 'appendonlydir');
      const manifest = await readFile(path.join(aofDir, 'appendonly.aof.manifest'), 'utf8');
      const ext = preamble === 'yes' ? 'rdb' : 'aof';
      expect(manifest).toBe(`file appendonly.aof.2.base.${ext} seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n`);
      // (Rewind's archive of retired files, a subfolder, is not part of the format.)
      const files = (await readdir(aofDir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
      expect(files.sort()).toEqual([`appendonly.aof.2.base.${ext}`, 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']);
      const incr = await readFile(path.join(aofDir, 'appendonly.aof.2.incr.aof'), 'latin1');
      expect(incr).toMatch(/^#TS:\d+\r\n\*2\r\n\$6\r\nSELECT\r\n/);
      const base = await readFile(path.join(aofDir, `appendonly.aof.2.base.${ext}`));
      expect(base.subarray(0, 5).toString('latin1')).toBe(preamble === 'yes' ? 'REDIS' : '#TS:1');
      checkAof(dir);

      // Real Redis on a copy, then Rewind restarted on the folder: the same keyspace, except what
      // replaying commands cannot restore (seen-times; entries-read of groups read after the base).
      const copy = await copyOf(dir, ['appendonlydir']);
      redis = await startRealRedis(['--appendonly', 'yes', '--dir', copy]);
      await waitUntilReady(redis.port);
      const byRedis = await dumpKeyspace(redis.port);
      await redis.stop();
      redis = null;
      rewind = await startTestServer({ dir, appendonly: 'yes', 'aof-use-rdb-preamble': preamble });
      const byRewind = await dumpKeyspace(rewind.port);

      const replayed = preamble === 'yes' ? REPLAYED_STREAMS : undefined;
      expectSameKeyspace(withoutReplayLoss(byRedis, replayed, true), withoutReplayLoss(source, replayed, true), 'real Redis loading the folder vs the source');
      expectSameKeyspace(withoutReplayLoss(byRewind, replayed, false), withoutReplayLoss(byRedis, replayed, false), 'Rewind vs real Redis loading the folder');
    });
  }

  it('b) Rewind SAVE: dump.rdb passes redis-check-rdb and loads in real Redis as the same keyspace', async () => {
    const dir = await newDir('rewind-rt-rdb-');
    rewind = await startTestServer({ dir, appendonly: 'no' });
    const c = await RawClient.connect(rewind.port);
    let source: KeyspaceDump;
    try {
      await populateBase(c);
      await populateIncr(c);
      expect(bulkText(await one(c, 'SAVE'))).toBe('OK');
      source = await dumpKeyspace(rewind.port);
      sanity(source);
    } finally {
      await c.close();
    }
    await rewind.close();
    rewind = null;
    checkRdb(path.join(dir, 'dump.rdb'));

    const copy = await copyOf(dir, ['dump.rdb']);
    redis = await startRealRedis(['--appendonly', 'no', '--dir', copy, '--dbfilename', 'dump.rdb']);
    await waitUntilReady(redis.port);
    // An RDB stores seen-time: compared exactly.
    expectSameKeyspace(await dumpKeyspace(redis.port), source, 'real Redis loading dump.rdb');
  });

  it('c) a folder and a dump.rdb written by real Redis load in Rewind as the same keyspace', async () => {
    const dir = await newDir('rewind-rt-redis-');
    redis = await startRealRedis(['--appendonly', 'yes', '--aof-timestamp-enabled', 'yes', '--appendfsync', 'always', '--dir', dir]);
    const c = await RawClient.connect(redis.port);
    let source: KeyspaceDump;
    try {
      await populateBase(c);
      const lastBaseSecond = Math.floor(Date.now() / 1000);
      await rewriteAndWait(c);
      await afterSecond(lastBaseSecond);
      await populateIncr(c);
      source = await dumpKeyspace(redis.port);
      sanity(source);
      expect(bulkText(await one(c, 'SAVE'))).toBe('OK');
      await c.write(encodeCommand(['SHUTDOWN', 'NOSAVE']));
      expect(await c.waitClose(10_000)).toBe(true);
    } finally {
      await c.close();
    }
    await redis.stop(); // waits for the exit
    redis = null;

    const aofDir = path.join(dir, 'appendonlydir');
    const manifest = await readFile(path.join(aofDir, 'appendonly.aof.manifest'), 'utf8');
    expect(manifest).toBe('file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
    expect(await readFile(path.join(aofDir, 'appendonly.aof.2.incr.aof'), 'latin1')).toMatch(/^#TS:\d+\r\n/);

    // Real Redis restarted on a copy of its folder, and Rewind on another copy: the same keyspace.
    const redisCopy = await copyOf(dir, ['appendonlydir']);
    redis = await startRealRedis(['--appendonly', 'yes', '--dir', redisCopy]);
    await waitUntilReady(redis.port);
    const byRedis = await dumpKeyspace(redis.port);
    await redis.stop();
    redis = null;
    const aofCopy = await copyOf(dir, ['appendonlydir']);
    rewind = await startTestServer({ dir: aofCopy, appendonly: 'yes' });
    const byRewind = await dumpKeyspace(rewind.port);
    await rewind.close();
    rewind = null;
    expectSameKeyspace(withoutReplayLoss(byRedis, REPLAYED_STREAMS, true), withoutReplayLoss(source, REPLAYED_STREAMS, true), 'real Redis reloading its folder vs the source');
    expectSameKeyspace(withoutReplayLoss(byRewind, REPLAYED_STREAMS, false), withoutReplayLoss(byRedis, REPLAYED_STREAMS, false), 'Rewind vs real Redis loading real Redis\'s folder');

    // Rewind on a copy of dump.rdb (seen-time stored: compared exactly).
    const rdbCopy = await copyOf(dir, ['dump.rdb']);
    rewind = await startTestServer({ dir: rdbCopy, appendonly: 'no', dbfilename: 'dump.rdb' });
    expectSameKeyspace(await dumpKeyspace(rewind.port), source, 'Rewind loading real Redis\'s dump.rdb');
  });
});
