/*
 * RDB writer: write -> read round trips for every fixture's entries, byte vectors, chunking and
 * options; then a differential check: real redis-server loads our file (every key, type, value,
 * TTL, function and stream metadata) and redis-check-rdb accepts it. Skipped, with a warning,
 * when redis-server is not on PATH.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { crc64 } from '../../persistence/crc64.js';
import { readRdb, readRdbRecords } from '../../persistence/rdb-reader.js';
import { streamIdText, type RdbEntry, type StreamValue } from '../../persistence/rdb-types.js';
import { RdbWriter } from '../../persistence/rdb-writer.js';
import { RawClient, simplify } from '../helpers/raw.js';
import { redisAvailable, startRealRedis, which, type RealRedis } from '../helpers/real-redis.js';
import { entriesView, fixture, FIXTURE_DIR, liveView } from './rdb-keyspace.js';

const FIXTURES = readdirSync(fileURLToPath(FIXTURE_DIR)).filter((f) => f.endsWith('.rdb')).sort();
const str = (s: string): Buffer => Buffer.from(s, 'latin1');
const FAR = 4102444800123; // 2100-01-01T00:00:00.123Z

/** Deep-comparable form (bigints as text). */
function plain(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
}

/** Entries no fixture has: multi-node lists, multi-node streams with groups, binary keys, edge scores. */
function extraEntries(): RdbEntry[] {
  const bigList: Buffer[] = [];
  for (let i = 0; i < 5000; i++) bigList.push(str(i % 3 === 0 ? String(i * 7919 - 20000) : `element-${i}-${'x'.repeat(i % 50)}`));
  bigList.push(Buffer.alloc(20000, 0x41), str(''), str('-9223372036854775808'), str('9223372036854775808'));
  const entries: StreamValue['entries'] = [];
  for (let i = 0; i < 250; i++) {
    const id = { ms: 1700000000000n + BigInt(Math.floor(i / 3)), seq: BigInt(i % 3) };
    const fields: [Buffer, Buffer][] = i % 7 === 0
      ? [[str('other'), str(`v${i}`)], [str('n'), str(String(i))]]
      : [[str('temp'), str(String(20 + i))], [str('hum'), str(`h${i}`)]];
    entries.push({ id, fields });
  }
  const pendingIds = [entries[0]!.id, entries[5]!.id, entries[100]!.id];
  const stream: StreamValue = {
    type: 'stream', entries, length: entries.length, lastId: { ms: 1700000000999n, seq: 5n }, firstId: entries[0]!.id,
    maxDeletedId: { ms: 1700000000500n, seq: 0n }, entriesAdded: 260n,
    groups: [
      {
        name: str('g1'), lastId: entries[100]!.id, entriesRead: 101n,
        pending: pendingIds.map((id, i) => ({ id, deliveryTime: 1700000005000 + i, deliveryCount: i + 1 })),
        consumers: [
          { name: str('alice'), seenTime: 1700000006000, pending: [pendingIds[0]!, pendingIds[2]!] },
          { name: str('bob'), seenTime: 1700000007000, pending: [pendingIds[1]!] },
        ],
      },
      { name: str('g2'), lastId: { ms: 0n, seq: 0n }, entriesRead: null, pending: [], consumers: [] },
    ],
  };
  const emptyStream: StreamValue = {
    type: 'stream', entries: [], length: 0, lastId: { ms: 5n, seq: 5n }, firstId: { ms: 0n, seq: 0n },
    maxDeletedId: { ms: 5n, seq: 5n }, entriesAdded: 1n, groups: [],
  };
  const zmembers: [Buffer, number][] = [];
  for (let i = 0; i < 300; i++) zmembers.push([str(`z${i}`), i % 2 === 0 ? i / 7 : -i * 1e10]);
  zmembers.push([str('inf'), Infinity], [str('ninf'), -Infinity], [Buffer.from([0, 0xff, 0x80]), 0.1]);
  const hashFields: [Buffer, Buffer][] = [[Buffer.from([0xff, 0xfe]), Buffer.from([0, 1, 2])], [str('n'), str('12345')]];
  for (let i = 0; i < 700; i++) hashFields.push([str(`f${i}`), str(`value-${i}`.repeat(1 + (i % 5)))]);
  const intMembers: Buffer[] = [];
  for (let i = 0; i < 100; i++) intMembers.push(str(String(i * 1000003 - 50000000)));
  return [
    { db: 2, key: Buffer.from([0x00, 0xff, 0x0d, 0x0a]), value: { type: 'string', value: Buffer.from([0xc3, 0x28, 0]) } },
    { db: 2, key: str('biglist'), expireMs: FAR, value: { type: 'list', items: bigList } },
    { db: 2, key: str('bigstream'), value: stream },
    { db: 2, key: str('emptystream'), value: emptyStream },
    { db: 3, key: str('zs'), expireMs: FAR + 1, value: { type: 'zset', members: zmembers } },
    { db: 3, key: str('hs'), value: { type: 'hash', fields: hashFields } },
    { db: 3, key: str('ints'), value: { type: 'set', members: intMembers } },
    { db: 3, key: str('-2147483648'), value: { type: 'string', value: str('2147483647') } },
    { db: 3, key: str('long'), value: { type: 'string', value: str('abc'.repeat(10000)) } },
  ];
}

describe('RDB writer: round trips', () => {
  for (const name of FIXTURES) {
    it(`${name}: write -> read gives the same entries and functions`, () => {
      const orig = readRdb(fixture(name));
      for (const compression of [true, false]) {
        const out = RdbWriter.writeAll(orig.entries, orig.functions, { compression });
        const back = readRdb(out);
        expect(plain(back.entries)).toEqual(plain(orig.entries));
        expect(back.functions.map(String)).toEqual(orig.functions.map(String));
        expect(back.summary).toMatchObject({ version: 10, checksum: 'verified', end: out.length });
      }
    });
  }

  it('extra entries (multi-node lists and streams, binary keys, edge scores) round-trip', () => {
    const entries = extraEntries();
    const back = readRdb(RdbWriter.writeAll(entries)).entries;
    // The empty stream stays (a stream is never "empty" for RDB); metadata survives.
    expect(plain(back)).toEqual(plain(entries));
  });

  it('skips empty collections', () => {
    const out = RdbWriter.writeAll([
      { db: 0, key: str('l'), value: { type: 'list', items: [] } },
      { db: 0, key: str('s'), value: { type: 'string', value: str('') } },
    ]);
    expect(readRdb(out).entries.map((e) => e.key.toString())).toEqual(['s']);
  });
});

describe('RDB writer: bytes', () => {
  it('writes foo=bar exactly as the spec vector', () => {
    const w = new RdbWriter({ ctime: 1, usedMem: 0 });
    const head = w.header();
    expect(head.subarray(0, 9).toString()).toBe('REDIS0010');
    expect(w.entry({ db: 0, key: str('foo'), value: { type: 'string', value: str('bar') } }).toString('hex'))
      .toBe('fe00' + '0003666f6f03626172');
    expect(w.entry({ db: 0, key: str('foo2'), expireMs: FAR, value: { type: 'string', value: str('bar') } }).toString('hex'))
      .toBe('fc7bd8c32cbb030000' + '0004666f6f3203626172');
  });

  it('chunks concatenate to the whole file; the trailer is the CRC of everything before it', () => {
    const orig = readRdb(fixture('everything.rdb'));
    const w = new RdbWriter({ ctime: 1700000000 });
    const chunks = [w.header(), ...orig.functions.map((f) => w.function(f))];
    for (const e of orig.entries) chunks.push(w.entry(e));
    chunks.push(w.finish());
    const file = Buffer.concat(chunks);
    expect(file.equals(RdbWriter.writeAll(orig.entries, orig.functions, { ctime: 1700000000 }))).toBe(true);
    expect(file.readBigUInt64LE(file.length - 8)).toBe(crc64(file, 0n, 0, file.length - 8));
    expect(w.keys).toBe(68);
    expect(() => w.entry(orig.entries[0]!)).toThrow(/already finished/);
  });

  it('selectDb adds RESIZEDB; entry() does not select again for the same db', () => {
    const w = new RdbWriter();
    const chunks = [w.header(), w.selectDb(3, 2, 1)];
    chunks.push(w.entry({ db: 3, key: str('a'), value: { type: 'string', value: str('1') } }));
    chunks.push(w.finish());
    const recs = [...readRdbRecords(Buffer.concat(chunks))].filter((r) => r.kind !== 'aux');
    expect(plain(recs)).toEqual(plain([
      { kind: 'selectdb', db: 3 }, { kind: 'resizedb', db: 3, size: 2, expires: 1 },
      { kind: 'entry', entry: { db: 3, key: str('a'), value: { type: 'string', value: str('1') } } },
    ]));
  });

  it('honours aof-base, redis-ver and checksum options', () => {
    const out = RdbWriter.writeAll([], [], { aofBase: true, checksum: false, redisVer: '7.2.4', ctime: 42, usedMem: 123456 });
    const f = readRdb(out);
    expect(f.aux.map(([k, v]) => [k.toString(), v.toString()])).toEqual([
      ['redis-ver', '7.2.4'], ['redis-bits', '64'], ['ctime', '42'], ['used-mem', '123456'], ['aof-base', '1'],
    ]);
    expect(f.summary.checksum).toBe('absent');
    expect(out.subarray(-8).equals(Buffer.alloc(8))).toBe(true);
  });

  it('refuses functions after keys and NaN scores', () => {
    const w = new RdbWriter();
    w.entry({ db: 0, key: str('k'), value: { type: 'string', value: str('v') } });
    expect(() => w.function(str('#!lua name=x\n'))).toThrow(/before any key/);
    expect(() => RdbWriter.writeAll([{ db: 0, key: str('z'), value: { type: 'zset', members: [[str('m'), NaN]] } }])).toThrow(/NaN/);
  });
});

/** XINFO STREAM FULL's flat key/value arrays as objects. */
function asObject(v: unknown): Record<string, unknown> {
  const arr = v as unknown[];
  const out: Record<string, unknown> = {};
  for (let i = 0; i < arr.length; i += 2) out[String(arr[i])] = arr[i + 1];
  return out;
}

describe('RDB writer: real Redis loads our files', () => {
  const available = redisAvailable();
  if (!available) console.warn('redis-server is not on PATH: skipping the RDB differential tests');
  let redis: RealRedis | null = null;
  let dir: string | null = null;
  afterEach(async () => {
    await redis?.stop();
    redis = null;
    if (dir !== null) await rm(dir, { recursive: true, force: true });
    dir = null;
  });

  it.skipIf(!available)('every fixture entry plus the extras: keys, types, values, TTLs, functions, streams', async () => {
    const orig = readRdb(fixture('everything.rdb'));
    const entries = [...orig.entries, ...extraEntries()].sort((a, b) => a.db - b.db);
    const file = RdbWriter.writeAll(entries, orig.functions);
    dir = await mkdtemp(path.join(tmpdir(), 'rewind-rdb-'));
    const dump = path.join(dir, 'dump.rdb');
    await writeFile(dump, file);

    const checker = which('redis-check-rdb');
    if (checker === null) console.warn('redis-check-rdb is not on PATH: skipping it');
    else {
      const r = spawnSync(checker, [dump], { encoding: 'utf8', timeout: 20_000 });
      expect(r.stdout).toMatch(/RDB looks OK/);
      expect(r.status).toBe(0);
    }

    redis = await startRealRedis(['--dir', dir, '--dbfilename', 'dump.rdb']);
    const c = await RawClient.connect(redis.port, '127.0.0.1', 5000);
    try {
      expect(await liveView(c)).toEqual(entriesView(entries));

      const libs = simplify((await c.call('FUNCTION', 'LIST', 'WITHCODE')).value) as unknown[][];
      expect(libs.map((l) => asObject(l).library_code)).toEqual(orig.functions.map((f) => f.toString('utf8')));

      await c.call('SELECT', '2');
      const info = asObject(simplify((await c.call('XINFO', 'STREAM', 'bigstream', 'FULL')).value));
      const src = entries.find((e) => e.key.toString() === 'bigstream')!.value as StreamValue;
      expect(info.length).toBe(250);
      expect(info['last-generated-id']).toBe(streamIdText(src.lastId));
      expect(info['max-deleted-entry-id']).toBe(streamIdText(src.maxDeletedId));
      expect(info['entries-added']).toBe(260);
      expect(info['recorded-first-entry-id']).toBe(streamIdText(src.firstId));
      const groups = (info.groups as unknown[]).map(asObject);
      expect(groups.map((g) => [g.name, g['last-delivered-id'], g['entries-read'], g['pel-count']])).toEqual([
        ['g1', streamIdText(src.groups[0]!.lastId), 101, 3], ['g2', '0-0', null, 0],
      ]);
      const pel = (groups[0]!.pending as unknown[][]).map((p) => [p[0], p[1], p[2], p[3]]);
      expect(pel).toEqual(src.groups[0]!.pending.map((p, i) => [streamIdText(p.id), i === 1 ? 'bob' : 'alice', p.deliveryTime, p.deliveryCount]));
      const consumers = (groups[0]!.consumers as unknown[]).map(asObject);
      expect(consumers.map((k) => [k.name, k['seen-time'], k['pel-count']])).toEqual([
        ['alice', 1700000006000, 2], ['bob', 1700000007000, 1],
      ]);
      const empty = asObject(simplify((await c.call('XINFO', 'STREAM', 'emptystream')).value));
      expect([empty.length, empty['last-generated-id'], empty['entries-added']]).toEqual([0, '5-5', 1]);
    } finally {
      await c.close();
    }
  });
});
