/*
 * RDB writer: write -> read round trips for every fixture's entries, byte vectors, chunking and
 * options; the layouts Redis 7.0 writes for in-memory encodings (listpack hashes and zsets,
 * intsets, skiplists, quicklist nodes), checked against the fixtures' own bytes; then a
 * differential check: real redis-server loads our file (every key, type, value, TTL, function and
 * stream metadata) and redis-check-rdb accepts it. Skipped, with a warning, when redis-server is
 * not on PATH.
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
import { lpDecode, lpText } from '../../persistence/rdb-listpack.js';
import { RdbCursor } from '../../persistence/rdb-strings.js';
import { streamIdText, type RdbEntry, type RdbValue, type StreamValue } from '../../persistence/rdb-types.js';
import type { EncodingHint, HintedValue } from '../../persistence/rdb-value-writer.js';
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

/** The bytes one entry adds to a file (type byte, key, value), after a SELECTDB the writer emits first. */
function entryBytes(e: RdbEntry, listFill?: number): Buffer {
  const w = new RdbWriter(listFill === undefined ? {} : { listFill });
  w.header();
  w.selectDb(e.db);
  return w.entry(e);
}

function hinted(v: RdbValue, encoding: EncodingHint): HintedValue {
  return { ...v, encoding } as HintedValue;
}

/** The quicklist nodes of a list entry written at `at` (type byte): each node's decoded elements. */
function quicklistNodes(buf: Buffer, at: number): string[][] {
  const c = new RdbCursor(buf, at + 1);
  c.string('key');
  const nodes: string[][] = [];
  for (let n = c.len('nodes'); n > 0; n--) {
    expect(c.len('container')).toBe(2);
    nodes.push(lpDecode(c.string('node'), 0, 'node').map((i) => lpText(i).toString('latin1')));
  }
  return nodes;
}

describe('RDB writer: Redis 7.0 layouts for in-memory encodings', () => {
  // Values Redis stored without LZF: the entry we write must appear byte for byte in its file.
  const cases: [string, string, EncodingHint | null, number][] = [
    ['hash-small.rdb', 'hash:small', 'listpack', 16],
    ['zset-small.rdb', 'zset:small', 'listpack', 17],
    ['set-intset.rdb', 'set:int16', 'intset', 11],
    ['set-intset.rdb', 'set:int32', 'intset', 11],
    ['zset-large.rdb', 'zset:large', 'skiplist', 5],
    ['list-small.rdb', 'list:small', null, 18],
    ['list-small.rdb', 'list:bigelem', null, 18],
  ];
  for (const [file, key, hint, type] of cases) {
    it(`${key} (${hint ?? 'no hint'}) is written as Redis 7.0 wrote it (type ${type})`, () => {
      const buf = fixture(file);
      const e = readRdb(buf).entries.find((x) => x.key.toString() === key)!;
      const chunk = entryBytes({ ...e, value: hint === null ? e.value : hinted(e.value, hint) });
      expect(chunk[0]).toBe(type);
      expect(buf.includes(chunk)).toBe(true);
    });
  }

  it('splits a list into quicklist nodes exactly as 7.0 did (828 + 759 + 413 elements in list-large.rdb)', () => {
    const buf = fixture('list-large.rdb');
    const e = readRdb(buf).entries[0]!;
    const theirs = quicklistNodes(buf, buf.indexOf(Buffer.from('\x12\x0alist:large', 'latin1')));
    const ours = quicklistNodes(entryBytes(e), 0);
    expect(theirs.map((n) => n.length)).toEqual([828, 759, 413]);
    expect(ours).toEqual(theirs);
  });

  it('honours list-max-listpack-size: element counts, other byte levels, huge elements', () => {
    const items = Array.from({ length: 7 }, (_, i) => str(`e${i}`));
    const list = (fill: number, xs = items) => quicklistNodes(entryBytes({ db: 0, key: str('l'), value: { type: 'list', items: xs } }, fill), 0);
    expect(list(3).map((n) => n.length)).toEqual([3, 3, 1]);
    expect(list(0).map((n) => n.length)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    const big = Array.from({ length: 10 }, () => Buffer.alloc(1000, 0x61));
    expect(list(-1, big).map((n) => n.length)).toEqual([4, 4, 2]);
    expect(list(-2, big).map((n) => n.length)).toEqual([8, 2]);
    expect(list(-100, big).map((n) => n.length)).toEqual([10]); // below -5 counts as -5 (64 KB)
  });

  it('zset listpack: sorted by score then member, scores as 7.0 prints them', () => {
    const members: [Buffer, number][] = [
      [str('b'), 1], [str('a'), 1], [str('half'), 2.5], [str('tenth'), 0.1], [str('pinf'), Infinity],
      [str('ninf'), -Infinity], [str('nzero'), -0], [str('big'), 1e20], [str('neg'), -4096],
    ];
    const chunk = entryBytes({ db: 0, key: str('z'), value: hinted({ type: 'zset', members }, 'listpack') });
    expect(chunk[0]).toBe(17);
    const c = new RdbCursor(chunk, 1);
    c.string('key');
    const items = lpDecode(c.string('lp'), 0, 'lp');
    expect(items.map((i) => (typeof i === 'object' ? i.toString('latin1') : i))).toEqual([
      'ninf', '-inf', 'neg', -4096, 'nzero', 0, 'tenth', '0.10000000000000001', 'a', 1, 'b', 1,
      'half', '2.5', 'big', '1e+20', 'pinf', 'inf',
    ]);
    const back = readRdb(RdbWriter.writeAll([{ db: 0, key: str('z'), value: hinted({ type: 'zset', members }, 'listpack') }])).entries[0]!.value;
    // -0 is written as 0, as Redis 7.0 writes it.
    expect(back.type === 'zset' && back.members.map(([m, s]) => `${m.toString()}=${s}`).sort()).toEqual(members.map(([m, s]) => `${m.toString()}=${s}`).sort());
  });

  it('zset skiplist: ZSET_2 from the highest score down; no hint keeps the given order', () => {
    const members: [Buffer, number][] = [[str('c'), 3], [str('a'), 1], [str('b'), 1]];
    const order = (v: RdbValue): string[] => {
      const c = new RdbCursor(entryBytes({ db: 0, key: str('z'), value: v }), 1);
      c.string('key');
      const out: string[] = [];
      for (let n = c.len('n'); n > 0; n--) out.push(`${c.string('m').toString()}:${c.binaryDouble('s')}`);
      return out;
    };
    expect(order(hinted({ type: 'zset', members }, 'skiplist'))).toEqual(['c:3', 'b:1', 'a:1']);
    expect(order({ type: 'zset', members })).toEqual(['c:3', 'a:1', 'b:1']);
  });

  it('intset: sorted, smallest width; a non-integer member falls back to a plain set', () => {
    const ints = (xs: string[]) => entryBytes({ db: 0, key: str('s'), value: hinted({ type: 'set', members: xs.map(str) }, 'intset') });
    expect(ints(['8', '7']).toString('hex')).toBe('0b0173' + '0c' + '020000000200000007000800');
    expect(ints(['-2147483648', '1']).subarray(3, 8 + 3).toString('hex')).toBe('1004000000020000');
    const wide = new RdbCursor(ints(['9223372036854775807', '-1']), 3).string('blob');
    expect(wide.toString('hex')).toBe('08000000' + '02000000' + 'ffffffffffffffff' + 'ffffffffffffff7f');
    expect(ints(['1', 'x'])[0]).toBe(2);
    expect(ints(['1', '007'])[0]).toBe(2);
  });

  it('hash listpack round-trips with integer-looking values', () => {
    const fields: [Buffer, Buffer][] = [[str('n'), str('-5')], [str('big'), str('9223372036854775807')], [str('e'), str('')]];
    const out = RdbWriter.writeAll([{ db: 0, key: str('h'), value: hinted({ type: 'hash', fields }, 'listpack') }]);
    expect(plain(readRdb(out).entries[0]!.value)).toEqual(plain({ type: 'hash', fields }));
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
