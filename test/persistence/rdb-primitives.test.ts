/*
 * Byte vectors for the RDB building blocks (docs/persistence-format.md §8): CRC-64/Jones, LZF,
 * lengths, string encodings, listpack, intset, ziplist, zipmap, and hand-built files for the
 * encodings no 7.0.15 fixture holds: old types 1/3/9/10/13/14, EXPIRETIME in seconds, RDB 11's
 * set listpack (20) and stream v3 (21), module values.
 */
import { describe, expect, it } from 'vitest';
import { Crc64, crc64 } from '../../persistence/crc64.js';
import { lzfCompress, lzfDecompress } from '../../persistence/lzf.js';
import { encodeLen, RdbSink } from '../../persistence/rdb-encode.js';
import { intsetDecode } from '../../persistence/rdb-intset.js';
import { ListpackBuilder, lpDecode, lpText } from '../../persistence/rdb-listpack.js';
import { readRdb } from '../../persistence/rdb-reader.js';
import { RdbCursor } from '../../persistence/rdb-strings.js';
import { writeStream } from '../../persistence/rdb-stream-writer.js';
import type { StreamValue } from '../../persistence/rdb-types.js';
import { entriesView } from './rdb-keyspace.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const str = (s: string): Buffer => Buffer.from(s, 'latin1');

/** A whole file: magic, body parts, EOF, CRC. */
function rdbFile(version: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat([str(`REDIS${version}`), ...parts, Buffer.from([0xff])]);
  return Buffer.concat([body, new Crc64().update(body).digestLE()]);
}

function rdbString(s: Buffer | string): Buffer {
  const sink = new RdbSink(false);
  sink.string(typeof s === 'string' ? str(s) : s);
  return sink.take();
}

describe('CRC-64/Jones', () => {
  it('matches the spec vectors', () => {
    expect(crc64(str('123456789')).toString(16)).toBe('e9c6d914c4b8d9ca');
    expect(crc64(str(''))).toBe(0n);
    expect(crc64(str('a')).toString(16)).toBe('5fb354025b277b14');
    expect(crc64(str('REDIS')).toString(16)).toBe('67f3aa58567cb36e');
    expect(crc64(str('foobar')).toString(16)).toBe('6ea8f022a207de8');
  });

  it('is the same for any chunking, and continues from a seed', () => {
    const data = Buffer.alloc(1000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 37) & 0xff;
    const whole = crc64(data);
    for (const cut of [0, 1, 7, 8, 9, 500, 999]) {
      expect(new Crc64().update(data, 0, cut).update(data, cut).digest()).toBe(whole);
      expect(crc64(data.subarray(cut), crc64(data.subarray(0, cut)))).toBe(whole);
    }
  });

  it('validates the smallest file from the spec', () => {
    const f = hex('52 45 44 49 53 30 30 31 30 fe 00 00 03 66 6f 6f 03 62 61 72 ff 7b e7 31 3c b4 02 01 72');
    expect(entriesView(readRdb(f).entries)).toEqual({ 0: { foo: { type: 'string', value: 'bar', ttl: null } } });
    const g = hex('524544495330303130 fe00 fc 7bd8c32cbb030000 00 03666f6f 03626172 ff b9b1aa1699aa5399');
    expect(readRdb(g).entries[0]!.expireMs).toBe(4102444800123);
  });
});

describe('LZF', () => {
  it('decodes the spec example and rejects bad streams', () => {
    expect(lzfDecompress(hex('016161e0bb00016161'), 200).toString()).toBe('a'.repeat(200));
    expect(() => lzfDecompress(hex('016161e0bb00016161'), 199)).toThrow(/longer than declared/);
    expect(() => lzfDecompress(hex('016161e0bb00016161'), 201)).toThrow(/declared 201/);
    expect(() => lzfDecompress(hex('20 05'), 3)).toThrow(/before the start/);
    expect(() => lzfDecompress(hex('05 61'), 6)).toThrow(/past the end/);
  });

  it('round-trips random and repetitive data, and refuses when it cannot save space', () => {
    let seed = 1;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let t = 0; t < 300; t++) {
      const n = Math.floor(rnd() * 5000);
      const b = Buffer.alloc(n);
      const alpha = 1 + Math.floor(rnd() * 40);
      for (let i = 0; i < n; i++) b[i] = i > 8 && rnd() < 0.4 ? b[i - 1 - Math.floor(rnd() * 8)]! : Math.floor(rnd() * alpha);
      const c = lzfCompress(b, n + 64);
      if (n === 0) expect(c).toBeNull();
      else expect(lzfDecompress(c!, n).equals(b)).toBe(true);
    }
    const random = Buffer.alloc(100);
    for (let i = 0; i < 100; i++) random[i] = Math.floor(rnd() * 256);
    expect(lzfCompress(random, 96)).toBeNull();
  });
});

describe('lengths and strings', () => {
  it('encodes lengths in the smallest form', () => {
    expect(encodeLen(63).toString('hex')).toBe('3f');
    expect(encodeLen(64).toString('hex')).toBe('4040');
    expect(encodeLen(200).toString('hex')).toBe('40c8');
    expect(encodeLen(16384).toString('hex')).toBe('8000004000');
    expect(encodeLen((1n << 64n) - 1n).toString('hex')).toBe('81ffffffffffffffff');
    const c = new RdbCursor(hex('3f 4040 40c8 8000004000 81ffffffffffffffff'));
    expect([c.len('a'), c.len('b'), c.len('c'), c.len('d')]).toEqual([63, 64, 200, 16384]);
    expect(c.lenBig('e')).toBe((1n << 64n) - 1n);
  });

  it('int-encodes canonical int32 texts only', () => {
    expect(rdbString('64').toString('hex')).toBe('c040');
    expect(rdbString('-129').toString('hex')).toBe('c17fff');
    expect(rdbString('32768').toString('hex')).toBe('c200800000');
    for (const raw of ['007', '+5', '-0', '2147483648', '1e3', '', '-']) expect(rdbString(raw)[0]).toBe(raw.length);
    const c = new RdbCursor(hex('c040 c17fff c200800000 c3 09 40c8 016161e0bb00016161'));
    expect([c.string('a'), c.string('b'), c.string('c')].map(String)).toEqual(['64', '-129', '32768']);
    expect(c.string('d').toString()).toBe('a'.repeat(200));
  });

  it('compresses long strings only when compression is on and it saves 4 bytes', () => {
    const on = new RdbSink(true);
    on.string(str('a'.repeat(200)));
    on.string(str('a'.repeat(20)));
    const bytes = on.take();
    expect(bytes[0]).toBe(0xc3);
    const c = new RdbCursor(bytes);
    expect(c.string('x').toString()).toBe('a'.repeat(200));
    expect(c.string('y').toString()).toBe('a'.repeat(20));
    const off = new RdbSink(false);
    off.string(str('a'.repeat(200)));
    expect(off.take().subarray(0, 2).toString('hex')).toBe('40c8');
  });
});

describe('blobs', () => {
  it('listpack: the spec vector, every width, round trip', () => {
    expect(lpDecode(hex('0d000000 0200 8178 02 8179 02 ff'), 0, 't').map((x) => lpText(x).toString())).toEqual(['x', 'y']);
    const values = ['0', '127', '128', '-1', '-4096', '4095', '-4097', '32767', '70000', '-8388609', '4294967296',
      '-9223372036854775808', '9223372036854775807', '9223372036854775808', '007', '', 'x'.repeat(63), 'y'.repeat(64),
      'z'.repeat(4095), 'w'.repeat(5000)];
    const b = new ListpackBuilder();
    for (const v of values) b.add(str(v));
    const blob = b.build();
    expect(lpDecode(blob, 0, 't').map((x) => lpText(x).toString())).toEqual(values);
    const bad = Buffer.from(blob);
    bad.writeUInt16LE(3, 4);
    expect(() => lpDecode(bad, 100, 't')).toThrow(/header counts 3 elements, found 20 \(blob byte 4\) at offset 100/);
  });

  it('intset: the spec vectors', () => {
    expect(intsetDecode(hex('02000000 02000000 0700 0800'), 0, 't').map(String)).toEqual(['7', '8']);
    expect(intsetDecode(hex('02000000 07000000 0080 fbff 0100 0200 0300 6400 ff7f'), 0, 't').map(String))
      .toEqual(['-32768', '-5', '1', '2', '3', '100', '32767']);
    expect(() => intsetDecode(hex('02000000 02000000 0800 0700'), 0, 't')).toThrow(/ascending/);
  });
});

/** A ziplist of the given raw entries (each: encoding + data). */
function ziplist(entries: Buffer[]): Buffer {
  const parts: Buffer[] = [];
  let prev = 0;
  for (const e of entries) {
    parts.push(Buffer.from([prev]), e);
    prev = 1 + e.length;
  }
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(10);
  head.writeUInt32LE(10 + body.length + 1, 0);
  head.writeUInt32LE(10 + body.length - prev, 4);
  head.writeUInt16LE(entries.length, 8);
  return Buffer.concat([head, body, Buffer.from([0xff])]);
}

describe('old and RDB 11 encodings in hand-built files', () => {
  const zl = ziplist([hex('03 616263'), hex('f5'), hex('fe fb'), hex('c0 3930'), hex('f0 a08601'), hex('02 6b32')]);

  it('reads types 1, 3, 9, 10, 13, 14 and EXPIRETIME in seconds', () => {
    const zipmap = hex('02 03 666f6f 03 00 626172 01 61 01 02 7a 7a7a ff'); // foo=bar, a=z (2 free bytes)
    const zsetText = Buffer.concat([hex('03'), rdbString('m1'), hex('03 322e35'), rdbString('m2'), hex('fe'), rdbString('m3'), hex('ff')]);
    const f = rdbFile('0006',
      hex('fe 00'),
      hex('fd 00e1f505'), hex('01'), rdbString('l1'), hex('02'), rdbString('a'), rdbString('b'),
      hex('03'), rdbString('z'), zsetText,
      hex('09'), rdbString('zm'), rdbString(zipmap),
      hex('0a'), rdbString('zl'), rdbString(zl),
      hex('0d'), rdbString('hz'), rdbString(ziplist([hex('01 66'), hex('01 76')])),
      hex('0e'), rdbString('ql'), hex('02'), rdbString(zl), rdbString(ziplist([hex('01 71')])));
    const view = entriesView(readRdb(f).entries)[0]!;
    expect(view.l1).toEqual({ type: 'list', value: ['a', 'b'], ttl: 100_000_000_000 });
    expect(view.z!.value).toEqual([['m3', '-inf'], ['m1', '2.5'], ['m2', 'inf']]);
    expect(view.zm!.value).toEqual([['a', 'z'], ['foo', 'bar']]);
    expect(view.zl!.value).toEqual(['abc', '4', '-5', '12345', '100000', 'k2']);
    expect(view.hz!.value).toEqual([['f', 'v']]);
    expect(view.ql!.value).toEqual(['abc', '4', '-5', '12345', '100000', 'k2', 'q']);
  });

  it('reads RDB 11: set listpack (20) and stream v3 (21) with consumer active-time', () => {
    const lp = new ListpackBuilder();
    for (const m of ['a', '1', 'bb']) lp.add(str(m));
    const id = { ms: 5n, seq: 1n };
    const stream: StreamValue = {
      type: 'stream', entries: [{ id, fields: [[str('f'), str('v')]] }], length: 1, lastId: id, firstId: id,
      maxDeletedId: { ms: 0n, seq: 0n }, entriesAdded: 1n,
      groups: [{ name: str('g'), lastId: id, entriesRead: 1n, pending: [{ id, deliveryTime: 1000, deliveryCount: 2 }], consumers: [] }],
    };
    const sink = new RdbSink(false);
    writeStream(sink, stream);
    const v2 = sink.take();
    expect(v2.at(-1)).toBe(0); // consumer count 0: replace it with one v3 consumer
    const consumer = Buffer.concat([hex('01'), rdbString('c'), hex('d007000000000000 b80b000000000000 01'),
      hex('0000000000000005 0000000000000001')]);
    const f = rdbFile('0011', hex('fe 00 14'), rdbString('s'), rdbString(lp.build()),
      hex('15'), rdbString('st'), v2.subarray(0, -1), consumer);
    const entries = readRdb(f).entries;
    expect(entriesView(entries)[0]!.s!.value).toEqual(['1', 'a', 'bb']);
    const st = entries[1]!.value as StreamValue;
    expect(st.groups[0]!.consumers).toEqual([{ name: str('c'), seenTime: 2000, activeTime: 3000, pending: [id] }]);
    expect(st.groups[0]!.entriesRead).toBe(1n);
  });

  it('refuses module values and module aux data, naming the module', () => {
    const charset = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let id = 0n;
    for (const ch of 'ReJSON-RL') id = (id << 6n) | BigInt(charset.indexOf(ch));
    id = (id << 10n) | 3n;
    const lenId = encodeLen(id);
    expect(() => readRdb(rdbFile('0010', hex('fe 00 07'), rdbString('k'), lenId, hex('00')))).toThrow(
      /module type values are not supported: ReJSON-RL at offset 14/);
    expect(() => readRdb(rdbFile('0010', hex('f7'), lenId))).toThrow(/module aux data is not supported: ReJSON-RL/);
  });

  it('refuses a consumer PEL entry missing from its group PEL', () => {
    const id = { ms: 1n, seq: 0n };
    const sink = new RdbSink(false);
    writeStream(sink, {
      type: 'stream', entries: [{ id, fields: [[str('a'), str('b')]] }], length: 1, lastId: id, firstId: id,
      maxDeletedId: { ms: 0n, seq: 0n }, entriesAdded: 1n,
      groups: [{ name: str('g'), lastId: id, entriesRead: null, pending: [], consumers: [{ name: str('c'), seenTime: 1, pending: [id] }] }],
    });
    expect(() => readRdb(rdbFile('0010', hex('fe 00 13'), rdbString('s'), sink.take()))).toThrow(/not found in the group's PEL/);
  });
});
