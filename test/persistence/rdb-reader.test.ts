/*
 * RDB reader against files written by real Redis 7.0.15: every fixture decodes to the keyspace a
 * real server loaded from it; stream metadata, LRU/LFU opcodes, AUX fields and functions are
 * checked; corrupted copies (flipped bytes, truncations) always fail with an RdbFormatError that
 * carries an offset, never another exception or a hang.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readRdb, readRdbRecords } from '../../persistence/rdb-reader.js';
import {
  RdbChecksumError, RdbFormatError, RdbTruncatedError, streamIdText, type StreamValue,
} from '../../persistence/rdb-types.js';
import { entriesView, expectedFile, expectedView, fixture, FIXTURE_DIR } from './rdb-keyspace.js';

const FIXTURES = readdirSync(fileURLToPath(FIXTURE_DIR)).filter((f) => f.endsWith('.rdb')).sort();

function failure(buf: Buffer): unknown {
  try {
    readRdb(buf);
  } catch (e) {
    return e;
  }
  return null;
}

describe('RDB reader: Redis 7.0.15 fixtures', () => {
  it('has all 21 fixtures', () => {
    expect(FIXTURES).toHaveLength(21);
  });

  for (const name of FIXTURES) {
    it(`${name} decodes to its expected keyspace`, () => {
      const file = readRdb(fixture(name));
      const expected = expectedFile(name.replace(/\.rdb$/, '.expected.json'));
      expect(entriesView(file.entries)).toEqual(expectedView(expected));
      expect(file.summary.version).toBe(10);
      expect(file.summary.checksum).toBe(name === 'nochecksum.rdb' ? 'absent' : 'verified');
      expect(file.summary.end).toBe(fixture(name).length);
      expect(file.functions.map((f) => f.toString('utf8'))).toEqual((expected.functions ?? []).map((f) => f.library_code));
      const aux = file.aux.map(([k]) => k.toString('latin1'));
      expect(aux).toEqual(['redis-ver', 'redis-bits', 'ctime', 'used-mem', 'aof-base']);
      expect(file.aux[0]![1].toString()).toBe('7.0.15');
      expect(file.aux[1]![1].toString()).toBe('64');
      expect(file.aux[4]![1].toString()).toBe('0');
    });
  }

  it('function library names match the expected JSON', () => {
    const file = readRdb(fixture('function.rdb'));
    const header = /^#!(\w+) name=(\S+)/.exec(file.functions[0]!.toString('utf8'));
    expect(header?.[1]?.toUpperCase()).toBe('LUA');
    expect(header?.[2]).toBe('mylib');
  });

  it('stream.rdb carries the full stream metadata', () => {
    const [entry] = readRdb(fixture('stream.rdb')).entries;
    const s = entry!.value as StreamValue;
    expect(s.type).toBe('stream');
    expect(s.length).toBe(3);
    expect(streamIdText(s.lastId)).toBe('1700000001000-0');
    expect(streamIdText(s.maxDeletedId)).toBe('1700000000000-1');
    expect(s.entriesAdded).toBe(4n);
    expect(streamIdText(s.firstId)).toBe('1700000000000-0');
    expect(s.groups).toHaveLength(1);
    const g = s.groups[0]!;
    expect(g.name.toString()).toBe('group1');
    expect(streamIdText(g.lastId)).toBe('1700000000000-0');
    expect(g.entriesRead).toBeNull();
    expect(g.pending.map((p) => [streamIdText(p.id), p.deliveryCount])).toEqual([['1700000000000-0', 1]]);
    expect(g.pending[0]!.deliveryTime).toBeGreaterThan(1_600_000_000_000);
    expect(g.consumers.map((c) => [c.name.toString(), c.pending.map(streamIdText)])).toEqual([
      ['consumer1', ['1700000000000-0']],
      ['idle-consumer', []],
    ]);
    for (const c of g.consumers) {
      expect(c.seenTime).toBeGreaterThan(1_600_000_000_000);
      expect(c.activeTime).toBeUndefined();
    }
  });

  it('lfu.rdb has FREQ 6 and 5; lru.rdb has IDLE 0', () => {
    const lfu = readRdb(fixture('lfu.rdb')).entries.map((e) => [e.key.toString(), e.lfuFreq, e.idleSeconds]).sort();
    expect(lfu).toEqual([['lfu:a', 6, undefined], ['lfu:b', 5, undefined]]);
    const lru = readRdb(fixture('lru.rdb')).entries.map((e) => [e.key.toString(), e.idleSeconds, e.lfuFreq]).sort();
    expect(lru).toEqual([['lru:a', 0, undefined], ['lru:b', 0, undefined]]);
  });

  it('multi-db.rdb yields SELECTDB and RESIZEDB records in ascending db order', () => {
    const recs = [...readRdbRecords(fixture('multi-db.rdb'))].filter((r) => r.kind === 'selectdb' || r.kind === 'resizedb');
    expect(recs).toEqual([
      { kind: 'selectdb', db: 0 }, { kind: 'resizedb', db: 0, size: 1, expires: 0 },
      { kind: 'selectdb', db: 1 }, { kind: 'resizedb', db: 1, size: 2, expires: 0 },
      { kind: 'selectdb', db: 5 }, { kind: 'resizedb', db: 5, size: 1, expires: 0 },
      { kind: 'selectdb', db: 15 }, { kind: 'resizedb', db: 15, size: 2, expires: 0 },
    ]);
  });

  it('reports progress up to the total', () => {
    const buf = fixture('everything.rdb');
    const calls: [number, number][] = [];
    readRdb(buf, { onProgress: (done, total) => calls.push([done, total]), progressEvery: 1024 });
    expect(calls.length).toBeGreaterThan(5);
    expect(calls.at(-1)).toEqual([buf.length, buf.length]);
    for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThanOrEqual(calls[i - 1]![0]);
  });

  it('refuses SELECTDB beyond the configured databases', () => {
    const e = failure(fixture('multi-db.rdb'));
    expect(e).toBeNull();
    expect(() => readRdb(fixture('multi-db.rdb'), { databases: 8 })).toThrow(/SELECTDB 15 is beyond the configured 8 databases at offset \d+/);
  });

  it('skips CRC verification when asked', () => {
    const buf = Buffer.from(fixture('strings-small.rdb'));
    buf[buf.length - 1]! ^= 0xff;
    expect(readRdb(buf, { verifyChecksum: false }).summary.checksum).toBe('unchecked');
  });
});

describe('RDB reader: corrupted files', () => {
  it('a flipped byte inside a value gives a CRC error', () => {
    for (const [name, needle] of [['strings-small.rdb', 'world'], ['everything.rdb', 'db15:key'], ['stream.rdb', 'consumer1']] as const) {
      const buf = Buffer.from(fixture(name));
      const at = buf.indexOf(needle);
      expect(at).toBeGreaterThan(0);
      buf[at + 1]! ^= 0x01;
      const e = failure(buf);
      expect(e).toBeInstanceOf(RdbChecksumError);
      expect((e as RdbChecksumError).message).toMatch(/wrong RDB checksum: computed [0-9a-f]+ but the file has [0-9a-f]+ at offset \d+/);
    }
  });

  it('a flipped stored checksum gives a CRC error', () => {
    const buf = Buffer.from(fixture('empty.rdb'));
    buf[buf.length - 3]! ^= 0x40;
    expect(failure(buf)).toBeInstanceOf(RdbChecksumError);
  });

  it('every single flipped byte fails cleanly (small fixtures: all bytes; everything.rdb: a sample)', () => {
    for (const name of FIXTURES) {
      if (name === 'nochecksum.rdb') continue; // without a CRC, a flipped value byte is undetectable
      const orig = fixture(name);
      const step = orig.length > 4000 ? Math.ceil(orig.length / 700) : 1;
      for (let i = 0; i < orig.length; i += step) {
        const buf = Buffer.from(orig);
        buf[i]! ^= 0xff;
        const e = failure(buf);
        if (!(e instanceof RdbFormatError)) throw new Error(`${name}: flipping byte ${i} gave ${String(e)}`);
        expect(e.offset).toBeGreaterThanOrEqual(0);
        expect(e.offset).toBeLessThanOrEqual(orig.length);
      }
    }
  });

  it('every truncation fails with a truncation error naming the offset', () => {
    for (const name of FIXTURES) {
      const orig = fixture(name);
      const step = orig.length > 4000 ? Math.ceil(orig.length / 900) : 1;
      const cuts = new Set<number>();
      for (let n = 0; n < orig.length; n += step) cuts.add(n);
      for (let n = Math.max(0, orig.length - 40); n < orig.length; n++) cuts.add(n);
      for (const n of cuts) {
        const e = failure(orig.subarray(0, n));
        if (!(e instanceof RdbTruncatedError)) throw new Error(`${name} cut at ${n} gave ${String(e)}`);
        expect(e.message).toMatch(/^unexpected end of file reading .+ at offset \d+$/);
        expect(e.offset).toBeLessThanOrEqual(n);
      }
    }
  });

  it('garbage after the magic and a wrong signature are refused', () => {
    expect(() => readRdb(Buffer.from('REDIX0010\xff', 'latin1'))).toThrow(/wrong signature/);
    expect(() => readRdb(Buffer.from('REDIS0012\xff', 'latin1'))).toThrow(/can't handle RDB format version 12/);
    expect(() => readRdb(Buffer.from('REDIS0010\x08', 'latin1'))).toThrow(/unknown RDB value type 8 at offset 9/);
  });
});
