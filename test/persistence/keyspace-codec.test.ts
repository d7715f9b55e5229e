/*
 * Keyspace <-> RDB values: every Redis 7.0.15 fixture loads into Db objects with the values, TTLs
 * and OBJECT ENCODING that real Redis reported after loading it; keyspace -> RdbWriter -> reader
 * -> keyspace gives the same values and encodings back; Redis's re-encoding rules at the
 * thresholds; streams keep all their metadata; and what Redis refuses to load is refused.
 *
 * Encodings: the fixtures record what 7.0.15 chose. Rewind's value classes follow 7.2, which
 * differs in two places: 7.0 has no listpack sets (run with set-max-listpack-entries 0 to
 * compare) and says 'quicklist' for every list, where 7.2 keeps a list that fits one node as a
 * listpack (LISTS_7_2 below).
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Db } from '../../commands/keyspace/db.js';
import { encodingOf } from '../../commands/keyspace/encoding.js';
import type { Value } from '../../commands/keyspace/value.js';
import { HashValue } from '../../commands/hash/hash-value.js';
import { ListValue } from '../../commands/list/value.js';
import { SetValue } from '../../commands/set/set-value.js';
import { ConsumerGroup } from '../../commands/stream/group.js';
import { idText, makeId } from '../../commands/stream/id.js';
import { StreamValue } from '../../commands/stream/stream.js';
import { ZsetValue } from '../../commands/zset/value.js';
import {
  DEFAULT_ENCODING_LIMITS, encodingLimits, entryFrom, entryOf, fromRdbValue, loadEntry, RdbValueError, toRdbValue,
  type EncodingLimits,
} from '../../persistence/keyspace-codec.js';
import { readRdb } from '../../persistence/rdb-reader.js';
import type { RdbEntry, RdbValue, StreamValue as RdbStream } from '../../persistence/rdb-types.js';
import { RdbWriter } from '../../persistence/rdb-writer.js';
import { entriesView, expectedFile, expectedView, fixture, FIXTURE_DIR } from './rdb-keyspace.js';

const FIXTURES = readdirSync(fileURLToPath(FIXTURE_DIR)).filter((f) => f.endsWith('.rdb')).sort();
const str = (s: string): Buffer => Buffer.from(s, 'latin1');
/** Redis 7.0.15's thresholds: no listpack sets. */
const LIMITS_7_0: EncodingLimits = { ...DEFAULT_ENCODING_LIMITS, setMaxListpackEntries: 0 };
/** What 7.2 (and Rewind) reports for the fixtures' lists, which 7.0 all reports as 'quicklist'. */
const LISTS_7_2: Record<string, string> = {
  'list:small': 'listpack', 'list:bigelem': 'listpack', 'db1:list': 'listpack', 'list:large': 'quicklist',
};

function newDbs(now = (): number => Date.now()): Db[] {
  return Array.from({ length: 16 }, (_, i) => new Db(i, { now }, { expired() {} }));
}

function load(entries: readonly RdbEntry[], limits: EncodingLimits): Db[] {
  const dbs = newDbs();
  for (const e of entries) loadEntry(dbs[e.db]!, e, limits);
  return dbs;
}

/** Every live key of the dbs as RDB entries, via entryFrom (the snapshot path). */
function snapshot(dbs: readonly Db[]): RdbEntry[] {
  const out: RdbEntry[] = [];
  for (const db of dbs) for (const [key, value, at] of db.entries()) out.push(entryFrom(db.id, key, value, at));
  return out;
}

function encodings(dbs: readonly Db[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const db of dbs) for (const [key, value] of db.entries()) out[`${db.id}/${key}`] = encodingOf(value);
  return out;
}

function plain(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
}

describe('fixtures load into the keyspace as Redis 7.0.15 loaded them', () => {
  for (const name of FIXTURES) {
    it(`${name}: values, TTLs and encodings`, () => {
      const file = readRdb(fixture(name));
      const expected = expectedFile(name.replace(/\.rdb$/, '.expected.json'));
      const dbs = load(file.entries, LIMITS_7_0);
      expect(entriesView(snapshot(dbs))).toEqual(expectedView(expected));
      const want: Record<string, string> = {};
      for (const [db, keys] of Object.entries(expected.keyspace)) {
        for (const [key, k] of Object.entries(keys)) {
          // expected.json records `encoding` beside the fields rdb-keyspace.ts's type names.
          const enc = (k as unknown as { encoding: string }).encoding;
          want[`${db}/${key}`] = k.type === 'list' ? LISTS_7_2[key]! : enc;
        }
      }
      expect(encodings(dbs)).toEqual(want);
    });
  }

  it('with 7.2 thresholds a small set of strings becomes a listpack, integers stay an intset', () => {
    const dbs = load(readRdb(fixture('everything.rdb')).entries, DEFAULT_ENCODING_LIMITS);
    const enc = encodings(dbs);
    expect([enc['0/set:strings'], enc['0/set:int16'], enc['0/set:large'], enc['0/set:manyints']]).toEqual([
      'listpack', 'intset', 'hashtable', 'hashtable',
    ]);
  });

  it('IDLE opcodes set the idle time; TTLs are exact', () => {
    const file = readRdb(fixture('lru.rdb'));
    const [db] = load(file.entries, LIMITS_7_0);
    for (const e of file.entries) expect(db!.idleSeconds(e.key.toString())).toBe(e.idleSeconds);
    const [db0] = load(readRdb(fixture('expiry.rdb')).entries, LIMITS_7_0);
    expect(db0!.getExpire('exp:pxat')).toBe(4102444800123);
    expect(db0!.getExpire('noexp')).toBe(-1);
  });

  it('the stream fixture keeps its metadata, group, PEL and consumers', () => {
    const [db] = load(readRdb(fixture('stream.rdb')).entries, LIMITS_7_0);
    const s = db!.peek('stream:1') as StreamValue;
    expect([s.length, idText(s.lastId), idText(s.maxDeletedId), s.entriesAdded, idText(s.firstId)]).toEqual([
      3, '1700000001000-0', '1700000000000-1', 4, '1700000000000-0',
    ]);
    const g = s.groups.get('group1')!;
    expect([idText(g.lastId), g.entriesRead, g.pel.size]).toEqual(['1700000000000-0', -1, 1]);
    const nack = g.pel.get(makeId(1700000000000n, 0n))!;
    expect([nack.consumer.name, nack.deliveryCount]).toEqual(['consumer1', 1]);
    expect([...g.consumers.keys()].sort()).toEqual(['consumer1', 'idle-consumer']);
    expect(g.consumers.get('consumer1')!.pel.ids).toEqual([makeId(1700000000000n, 0n)]);
  });
});

describe('keyspace -> RDB file -> keyspace', () => {
  for (const name of FIXTURES) {
    it(`${name}: same values, TTLs and encodings after a write and a load`, () => {
      const limits = LIMITS_7_0;
      const dbs = load(readRdb(fixture(name)).entries, limits);
      const entries = snapshot(dbs);
      const file = RdbWriter.writeAll(entries);
      const back = load(readRdb(file).entries, limits);
      expect(entriesView(snapshot(back))).toEqual(entriesView(entries));
      expect(encodings(back)).toEqual(encodings(dbs));
    });
  }

  it('entryOf reads a key without touching it, with IDLE/FREQ on request', () => {
    const [db] = newDbs();
    db!.set('k', 'v');
    db!.setExpire('k', 4102444800123);
    expect(entryOf(db!, 'missing')).toBeUndefined();
    expect(plain(entryOf(db!, 'k', { idle: true }))).toEqual(plain({
      db: 0, key: str('k'), value: { type: 'string', value: str('v') }, expireMs: 4102444800123, idleSeconds: 0,
    }));
    db!.setLfu(true, 10, 1);
    expect(entryOf(db!, 'k', { freq: true })!.lfuFreq).toBe(5);
  });

  it('a FREQ opcode sets the LFU counter under an LFU policy and is ignored otherwise', () => {
    // lfu.rdb (Redis 7.0.15, allkeys-lfu): lfu:b carries FREQ 5, lfu:a (read once more) FREQ 6.
    const entries = readRdb(fixture('lfu.rdb')).entries;
    expect(entries.map((e) => [e.key.toString(), e.lfuFreq])).toEqual([['lfu:b', 5], ['lfu:a', 6]]);
    const [lfu] = newDbs();
    lfu!.setLfu(true, 10, 1);
    for (const e of entries) loadEntry(lfu!, e, LIMITS_7_0);
    loadEntry(lfu!, { db: 0, key: str('hot'), value: { type: 'string', value: str('v') }, lfuFreq: 200 }, LIMITS_7_0);
    expect([lfu!.frequency('lfu:a'), lfu!.frequency('lfu:b'), lfu!.frequency('hot')]).toEqual([6, 5, 200]);
    expect(entryOf(lfu!, 'hot', { freq: true })!.lfuFreq).toBe(200);
    const [lru] = newDbs();
    for (const e of entries) loadEntry(lru!, e, LIMITS_7_0);
    expect(lru!.frequency('lfu:a')).toBeUndefined();
    lru!.setLfu(true, 10, 1);
    expect(lru!.frequency('lfu:a')).toBe(5);
  });

  it('a duplicated key is refused', () => {
    const [db] = newDbs();
    const e: RdbEntry = { db: 0, key: str('k'), value: { type: 'string', value: str('v') } };
    loadEntry(db!, e, LIMITS_7_0);
    expect(() => loadEntry(db!, e, LIMITS_7_0)).toThrow(RdbValueError);
  });
});

describe('encodings Redis re-chooses after loading', () => {
  const small: EncodingLimits = {
    ...DEFAULT_ENCODING_LIMITS, hashMaxListpackEntries: 3, hashMaxListpackValue: 5, setMaxIntsetEntries: 4,
    setMaxListpackEntries: 3, setMaxListpackValue: 5, zsetMaxListpackEntries: 3, zsetMaxListpackValue: 5,
  };
  const enc = (v: RdbValue, limits = small): string => encodingOf(fromRdbValue(v, limits));
  const set = (...m: string[]): RdbValue => ({ type: 'set', members: m.map(str) });
  const hash = (...kv: string[]): RdbValue => ({ type: 'hash', fields: kv.flatMap((x, i) => (i % 2 === 0 ? [[str(x), str(kv[i + 1]!)] as [Buffer, Buffer]] : [])) });
  const zset = (...m: string[]): RdbValue => ({ type: 'zset', members: m.map((x, i) => [str(x), i] as [Buffer, number]) });

  it('sets: intset, listpack, hashtable', () => {
    expect(enc(set('3', '-1', '9223372036854775807'))).toBe('intset');
    expect(enc(set('1', '2', '3', '4', '5'))).toBe('hashtable'); // more than set-max-intset-entries
    expect(enc(set('1', 'a', 'b'))).toBe('listpack');
    expect(enc(set('1', 'a', 'b', 'c'))).toBe('hashtable'); // more than set-max-listpack-entries
    expect(enc(set('1', 'abcdef'))).toBe('hashtable'); // a member over set-max-listpack-value
    expect(enc(set('007', '1'))).toBe('listpack'); // not canonical: a string
    expect(enc(set('a', 'b'), LIMITS_7_0)).toBe('hashtable');
    // The integers read before the first string were in an intset: they enter the listpack sorted.
    const s = fromRdbValue(set('5', '-2', 'x'), small) as SetValue;
    expect(s.ordered()).toEqual(['-2', '5', 'x']);
  });

  it('hashes: listpack within both limits, in file order', () => {
    expect(enc(hash('a', '1', 'b', '2', 'c', '3'))).toBe('listpack');
    expect(enc(hash('a', '1', 'b', '2', 'c', '3', 'd', '4'))).toBe('hashtable');
    expect(enc(hash('a', '123456'))).toBe('hashtable');
    expect(enc(hash('abcdef', '1'))).toBe('hashtable');
    const h = fromRdbValue(hash('z', '1', 'a', '2'), small) as HashValue;
    expect([h.map.keyAt(0), h.map.keyAt(1)]).toEqual(['z', 'a']);
  });

  it('sorted sets: listpack within both limits', () => {
    expect(enc(zset('a', 'b', 'c'))).toBe('listpack');
    expect(enc(zset('a', 'b', 'c', 'd'))).toBe('skiplist');
    expect(enc(zset('abcdef'))).toBe('skiplist');
    const z = fromRdbValue({ type: 'zset', members: [[str('b'), 2], [str('a'), 2], [str('c'), -1]] }, small) as ZsetValue;
    expect([...z.entries()]).toEqual([['c', -1], ['a', 2], ['b', 2]]);
  });

  it('lists: listpack while they fit one node of list-max-listpack-size', () => {
    const list = (n: number, size: number): RdbValue => ({ type: 'list', items: Array.from({ length: n }, () => Buffer.alloc(size, 0x61)) });
    expect(enc(list(7, 1000))).toBe('listpack');
    expect(enc(list(9, 1000))).toBe('quicklist');
    expect(enc(list(3, 10), { ...small, listMaxListpackSize: 2 })).toBe('quicklist');
    expect(enc(list(2, 10), { ...small, listMaxListpackSize: 2 })).toBe('listpack');
  });

  it('encodingLimits reads the config names', () => {
    const cfg = new Map(Object.entries({
      'hash-max-listpack-entries': '1', 'hash-max-listpack-value': '2', 'set-max-intset-entries': '3',
      'set-max-listpack-entries': '4', 'set-max-listpack-value': '5', 'zset-max-listpack-entries': '6',
      'zset-max-listpack-value': '7', 'list-max-listpack-size': '-3', 'stream-node-max-bytes': '8',
      'stream-node-max-entries': '9',
    }));
    expect(encodingLimits({ get: (n) => cfg.get(n)! })).toEqual({
      hashMaxListpackEntries: 1, hashMaxListpackValue: 2, setMaxIntsetEntries: 3, setMaxListpackEntries: 4,
      setMaxListpackValue: 5, zsetMaxListpackEntries: 6, zsetMaxListpackValue: 7, listMaxListpackSize: -3,
      streamNodeMaxBytes: 8, streamNodeMaxEntries: 9,
    });
  });
});

describe('values Redis refuses to load', () => {
  const refuse = (v: RdbValue): void => {
    expect(() => fromRdbValue(v, DEFAULT_ENCODING_LIMITS)).toThrow(RdbValueError);
  };

  it('empty collections, duplicates, NaN scores', () => {
    refuse({ type: 'list', items: [] });
    refuse({ type: 'hash', fields: [] });
    refuse({ type: 'set', members: [] });
    refuse({ type: 'zset', members: [] });
    refuse({ type: 'set', members: [str('1'), str('1')] });
    refuse({ type: 'set', members: [str('a'), str('a')] });
    refuse({ type: 'hash', fields: [[str('f'), str('1')], [str('f'), str('2')]] });
    refuse({ type: 'zset', members: [[str('m'), 1], [str('m'), 2]] });
    refuse({ type: 'zset', members: Array.from({ length: 200 }, (_, i) => [str(`m${i % 150}`), i] as [Buffer, number]) });
    refuse({ type: 'zset', members: [[str('m'), NaN]] });
  });

  it('inconsistent streams', () => {
    const base = (): RdbStream => toRdbValue(sampleStream()) as RdbStream;
    const g1 = (x: RdbStream) => x.groups.find((g) => g.name.toString() === 'g1')!;
    let s = base();
    expect(() => fromRdbValue(s, DEFAULT_ENCODING_LIMITS)).not.toThrow();
    s.length = 99;
    refuse(s);
    s = base();
    g1(s).consumers[0]!.pending.push({ ms: 1n, seq: 1n });
    refuse(s);
    s = base();
    g1(s).consumers[1]!.pending.push(g1(s).consumers[0]!.pending[0]!);
    refuse(s);
    s = base();
    g1(s).consumers[0]!.pending = [];
    refuse(s);
    s = base();
    g1(s).consumers.push(g1(s).consumers[2]!);
    refuse(s);
    s = base();
    s.groups.push(g1(s));
    refuse(s);
    s = base();
    s.entries.reverse();
    refuse(s);
  });
});

/** A stream with deletions, XSETID-like metadata, two groups, a PEL and three consumers. */
function sampleStream(): StreamValue {
  const s = new StreamValue();
  const limits = { maxBytes: 4096, maxEntries: 100 };
  for (let i = 0; i < 250; i++) {
    const fields = i % 5 === 0 ? ['other', `v${i}`, 'n', String(i)] : ['temp', String(20 + i), 'bin', '\x00\xff'];
    s.append(makeId(1700000000000n + BigInt(i >> 1), BigInt(i & 1)), fields, limits);
  }
  s.delete(makeId(1700000000000n, 1n));
  s.lastId = makeId(1800000000000n, 7n);
  s.entriesAdded = 300;
  const g = new ConsumerGroup(makeId(1700000000050n, 0n), 101);
  const [alice] = g.consumer('alice', 1700000006000);
  const [bob] = g.consumer('bob', 1700000007000);
  g.consumer('idle', 1700000008000);
  g.addPending(makeId(1700000000002n, 0n), alice, 1700000005000, 3);
  g.addPending(makeId(1700000000003n, 1n), bob, 1700000005001, 1);
  g.addPending(makeId(1700000000040n, 0n), alice, 1700000005002, 2);
  s.groups.set('g1', g);
  s.groups.set('empty', new ConsumerGroup(0n, -1));
  return s;
}

describe('streams keep everything RDB type 19 carries', () => {
  it('entries, metadata, groups, PEL with delivery time and count, consumers with seen time', () => {
    const s = sampleStream();
    const file = RdbWriter.writeAll([{ db: 0, key: str('s'), value: toRdbValue(s) }]);
    const back = fromRdbValue(readRdb(file).entries[0]!.value, DEFAULT_ENCODING_LIMITS) as StreamValue;
    const view = (x: StreamValue): unknown => {
      const entries: unknown[] = [];
      x.range(0n, (1n << 128n) - 1n, false, (id, fields) => entries.push([idText(id), fields]) !== 0);
      const groups = [...x.groups.entries()].sort().map(([name, g]) => ({
        name, lastId: idText(g.lastId), entriesRead: g.entriesRead,
        pel: g.pelIds.ids.map((id) => { const n = g.pel.get(id)!; return [idText(id), n.consumer.name, n.deliveryTime, n.deliveryCount]; }),
        consumers: [...g.consumers.values()].map((c) => [c.name, c.seenTime, c.pel.ids.map(idText)]).sort(),
      }));
      return {
        entries, length: x.length, lastId: idText(x.lastId), firstId: idText(x.firstId),
        maxDeletedId: idText(x.maxDeletedId), entriesAdded: x.entriesAdded, groups,
      };
    };
    expect(view(back)).toEqual(view(s));
    expect(back.length).toBe(249);
    // type 19 has no active time: a loaded consumer is active as of its seen time (Redis 7.2 does so).
    expect(back.groups.get('g1')!.consumers.get('bob')!.activeTime).toBe(1700000007000);
  });
});

describe('toRdbValue', () => {
  it('hints the in-memory encoding and copies the data', () => {
    const l = new ListValue();
    l.pushTail('a');
    l.pushTail('12');
    const h = new HashValue();
    h.map.set('f', 'v');
    const s = SetValue.create('1', 1, { intset: 512, listpackEntries: 128, listpackValue: 64 });
    s.map.insert('1', null);
    const z = new ZsetValue();
    z.insertNew('m', 1.5);
    const values: [Value, unknown][] = [
      ['\x00\xff', { type: 'string', value: Buffer.from([0, 0xff]) }],
      [l, { type: 'list', items: [str('a'), str('12')], encoding: 'listpack' }],
      [h, { type: 'hash', fields: [[str('f'), str('v')]], encoding: 'listpack' }],
      [s, { type: 'set', members: [str('1')], encoding: 'intset' }],
      [z, { type: 'zset', members: [[str('m'), 1.5]], encoding: 'listpack' }],
    ];
    for (const [v, want] of values) expect(plain(toRdbValue(v))).toEqual(plain(want));
    z.convert();
    h.listpack = false;
    expect([toRdbValue(z).encoding, toRdbValue(h).encoding]).toEqual(['skiplist', 'hashtable']);
  });
});
