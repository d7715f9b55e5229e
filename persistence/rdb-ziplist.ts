/*
 * Ziplist and zipmap: the compact encodings of files written before Redis 7 (types 9, 10, 12, 13,
 * 14). Redis 7 still reads them and converts them, and so do we. Read-only: we never write them.
 *
 * Ziplist bytes (docs/persistence-format.md §7.10):
 *   <zlbytes u32 LE> <zltail u32 LE> <zllen u16 LE> <entry>... <0xFF>
 *   entry = <prevlen: 1 byte < 254, or 0xFE + u32 LE> <encoding> <data>
 *   00pppppp str(6 bit) | 01pppppp q str(14 bit BE) | 0x80 + u32 BE str
 *   0xC0 int16 | 0xD0 int32 | 0xE0 int64 | 0xF0 int24 | 0xFE int8 (LE) | 0xF1..0xFD value 0..12
 * Zipmap bytes (pre-2.6 small hashes):
 *   <zmlen 1 byte> { <len> key <len> <free 1 byte> value <free bytes> }... <0xFF>
 *   len = 1 byte < 254, or 254 + u32 LE
 * Invariants: every read stays inside the blob; the terminator must be the last byte. Elements
 * come back as raw bytes (views) or integers' decimal texts. Nothing survives a crash.
 */
import { RdbFormatError } from './rdb-types.js';

/** Decodes a ziplist blob into its elements (integers as decimal text). */
export function ziplistDecode(blob: Buffer, offset: number, what: string): Buffer[] {
  const bad = (reason: string, at: number): never => {
    throw new RdbFormatError(`bad ziplist in ${what}: ${reason} (blob byte ${at})`, offset);
  };
  if (blob.length < 11) bad(`${blob.length} bytes is shorter than a header`, 0);
  const total = blob.readUInt32LE(0);
  if (total !== blob.length) bad(`header says ${total} bytes, blob has ${blob.length}`, 0);
  const count = blob.readUInt16LE(8);
  const last = total - 1;
  if (blob[last] !== 0xff) bad('missing end byte', last);
  const out: Buffer[] = [];
  let p = 10;
  while (p < last) {
    const start = p;
    // prevlen
    if (blob[p] === 0xfe) p += 5;
    else p += 1;
    if (p >= last) bad('entry header past the end', start);
    const b = blob[p]!;
    let len = -1;
    let value: Buffer | null = null;
    const top = b >>> 6;
    if (top === 0) {
      len = b & 0x3f;
      p += 1;
    } else if (top === 1) {
      if (p + 2 > last) bad('truncated 14-bit length', p);
      len = ((b & 0x3f) << 8) | blob[p + 1]!;
      p += 2;
    } else if (b === 0x80) {
      if (p + 5 > last) bad('truncated 32-bit length', p);
      len = blob.readUInt32BE(p + 1);
      p += 5;
    } else if (top === 2) {
      bad(`invalid encoding byte 0x${b.toString(16)}`, p);
    } else {
      let width = 0;
      let v: bigint = 0n;
      if (b >= 0xf1 && b <= 0xfd) v = BigInt((b & 0x0f) - 1);
      else if (b === 0xc0) width = 2;
      else if (b === 0xd0) width = 4;
      else if (b === 0xe0) width = 8;
      else if (b === 0xf0) width = 3;
      else if (b === 0xfe) width = 1;
      else bad(`invalid encoding byte 0x${b.toString(16)}`, p);
      if (p + 1 + width > last) bad('truncated integer', p);
      if (width === 8) v = blob.readBigInt64LE(p + 1);
      else if (width > 0) v = BigInt(blob.readIntLE(p + 1, width));
      p += 1 + width;
      value = Buffer.from(v.toString(), 'latin1');
    }
    if (value === null) {
      if (p + len > last) bad(`string of ${len} bytes past the end`, p);
      value = blob.subarray(p, p + len);
      p += len;
    }
    out.push(value);
  }
  if (count !== 0xffff && count !== out.length) bad(`header counts ${count} elements, found ${out.length}`, 8);
  return out;
}

/** Decodes a zipmap blob into field/value pairs. */
export function zipmapDecode(blob: Buffer, offset: number, what: string): [Buffer, Buffer][] {
  const bad = (reason: string, at: number): never => {
    throw new RdbFormatError(`bad zipmap in ${what}: ${reason} (blob byte ${at})`, offset);
  };
  const last = blob.length - 1;
  if (blob.length < 2 || blob[last] !== 0xff) bad('missing end byte', last);
  let p = 1;
  const readLen = (): number => {
    const b = blob[p]!;
    if (b < 254) {
      p += 1;
      return b;
    }
    if (b === 254) {
      if (p + 5 > last) bad('truncated length', p);
      const v = blob.readUInt32LE(p + 1);
      p += 5;
      return v;
    }
    return bad('unexpected end byte', p);
  };
  const out: [Buffer, Buffer][] = [];
  while (p < last) {
    const klen = readLen();
    if (p + klen > last) bad('key past the end', p);
    const key = blob.subarray(p, p + klen);
    p += klen;
    if (p >= last) bad('missing value', p);
    const vlen = readLen();
    if (p >= last) bad('missing free byte', p);
    const free = blob[p++]!;
    if (p + vlen + free > last) bad('value past the end', p);
    const value = blob.subarray(p, p + vlen);
    p += vlen + free;
    out.push([key, value]);
  }
  return out;
}
