/*
 * Listpack: the compact sequence Redis 7 stores inside an RDB string for small hashes, zsets and
 * sets, quicklist nodes and stream nodes.
 *
 * Bytes (docs/persistence-format.md §7.8):
 *   <total bytes u32 LE> <count u16 LE, 65535 = unknown> <entry>... <0xFF>
 *   entry = <encoding> <data> <backlen: size of encoding+data in 1..5 bytes, 7 bits per byte>
 *   0xxxxxxx uint7 | 10xxxxxx str(len 6 bit) | 110xxxxx y int13 | 1110xxxx y str(len 12 bit)
 *   0xF0 u32 str | 0xF1 int16 | 0xF2 int24 | 0xF3 int32 | 0xF4 int64 (all LE) | 0xFF end
 * Invariants: the decoder checks the header's total against the blob, keeps every read inside
 * the blob and requires the 0xFF terminator at exactly the last byte. The builder writes the
 * smallest encoding, and stores an element as an integer whenever its text is a canonical int64
 * (as Redis does), so readers get the same text back. Pure bytes; nothing survives a crash.
 */
import { RdbFormatError } from './rdb-types.js';

/** A decoded element: raw bytes (a view into the blob), or an integer. */
export type LpItem = Buffer | number | bigint;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

function backlenSize(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

/**
 * Decodes every element of the listpack in `blob`. `offset` is the blob's position in the file
 * (for error messages). Throws RdbFormatError on any inconsistency.
 */
export function lpDecode(blob: Buffer, offset: number, what: string): LpItem[] {
  const bad = (reason: string, at: number): never => {
    throw new RdbFormatError(`bad listpack in ${what}: ${reason} (blob byte ${at})`, offset);
  };
  if (blob.length < 7) bad(`${blob.length} bytes is shorter than a header`, 0);
  const total = blob.readUInt32LE(0);
  if (total !== blob.length) bad(`header says ${total} bytes, blob has ${blob.length}`, 0);
  const count = blob.readUInt16LE(4);
  const last = total - 1;
  if (blob[last] !== 0xff) bad('missing end byte', last);
  const items: LpItem[] = [];
  let p = 6;
  while (p < last) {
    const start = p;
    const b = blob[p]!;
    let item: LpItem;
    let strLen = -1;
    let hdr: number;
    if (b < 0x80) {
      item = b;
      hdr = 1;
    } else if ((b & 0xc0) === 0x80) {
      strLen = b & 0x3f;
      hdr = 1;
    } else if ((b & 0xe0) === 0xc0) {
      if (p + 2 > last) bad('truncated 13-bit integer', p);
      const v = ((b & 0x1f) << 8) | blob[p + 1]!;
      item = v >= 4096 ? v - 8192 : v;
      hdr = 2;
    } else if ((b & 0xf0) === 0xe0) {
      if (p + 2 > last) bad('truncated 12-bit string header', p);
      strLen = ((b & 0x0f) << 8) | blob[p + 1]!;
      hdr = 2;
    } else {
      const width = b === 0xf0 ? 4 : b === 0xf1 ? 2 : b === 0xf2 ? 3 : b === 0xf3 ? 4 : b === 0xf4 ? 8 : -1;
      if (width < 0) return bad(`invalid encoding byte 0x${b.toString(16)}`, p);
      if (p + 1 + width > last) bad('truncated entry header', p);
      hdr = 1 + width;
      if (b === 0xf0) strLen = blob.readUInt32LE(p + 1);
      else if (b === 0xf4) {
        const v = blob.readBigInt64LE(p + 1);
        item = v <= MAX_SAFE && v >= MIN_SAFE ? Number(v) : v;
      } else item = blob.readIntLE(p + 1, width);
    }
    let entryLen = hdr;
    if (strLen >= 0) {
      entryLen += strLen;
      if (p + entryLen > last) bad(`string of ${strLen} bytes past the end`, p);
      item = blob.subarray(p + hdr, p + entryLen);
    }
    p = start + entryLen + backlenSize(entryLen);
    if (p > last) bad('entry past the end', start);
    items.push(item!);
  }
  if (count !== 0xffff && count !== items.length) bad(`header counts ${count} elements, found ${items.length}`, 4);
  return items;
}

/** The element as bytes: integers become their decimal text. */
export function lpText(item: LpItem): Buffer {
  return typeof item === 'object' ? item : Buffer.from(String(item), 'latin1');
}

/** The element as an integer (stream metadata); text must be a canonical integer. */
export function lpInt(item: LpItem, what: string, offset: number): bigint {
  if (typeof item === 'number') return BigInt(item);
  if (typeof item === 'bigint') return item;
  const text = item.toString('latin1');
  if (!/^-?\d{1,20}$/.test(text)) throw new RdbFormatError(`expected an integer in ${what}, got ${JSON.stringify(text)}`, offset);
  return BigInt(text);
}

/**
 * If `buf` is the canonical decimal text of an int64 (no '+', no leading zeros, no "-0"),
 * its value; else undefined.
 */
export function canonicalInt64(buf: Uint8Array): bigint | undefined {
  const n = buf.length;
  if (n === 0 || n > 20) return undefined;
  let i = 0;
  const neg = buf[0] === 0x2d;
  if (neg) {
    i = 1;
    if (n === 1) return undefined;
  }
  if (buf[i] === 0x30 && (n > i + 1 || neg)) return undefined;
  for (let j = i; j < n; j++) {
    const c = buf[j]!;
    if (c < 0x30 || c > 0x39) return undefined;
  }
  const v = BigInt(Buffer.from(buf.buffer, buf.byteOffset, n).toString('latin1'));
  if (v > 9223372036854775807n || v < -9223372036854775808n) return undefined;
  return v;
}

/** Builds a listpack from elements appended in order. */
export class ListpackBuilder {
  private parts: Buffer[] = [];
  private size = 6 + 1;
  count = 0;

  /** Bytes the finished listpack would have now. */
  get bytes(): number {
    return this.size;
  }

  /** Appends an element; canonical integers are stored in integer form. */
  add(value: Uint8Array): void {
    const v = value.length <= 20 ? canonicalInt64(value) : undefined;
    if (v !== undefined) this.addInt(v);
    else this.addString(value);
  }

  addInt(v: bigint | number): void {
    const big = typeof v === 'bigint' ? v : BigInt(v);
    let enc: Buffer;
    if (big >= 0n && big <= 127n) enc = Buffer.from([Number(big)]);
    else if (big >= -4096n && big <= 4095n) {
      const u = Number(big) & 0x1fff;
      enc = Buffer.from([0xc0 | (u >>> 8), u & 0xff]);
    } else if (big >= -32768n && big <= 32767n) {
      enc = Buffer.allocUnsafe(3);
      enc[0] = 0xf1;
      enc.writeInt16LE(Number(big), 1);
    } else if (big >= -8388608n && big <= 8388607n) {
      enc = Buffer.allocUnsafe(4);
      enc[0] = 0xf2;
      enc.writeIntLE(Number(big), 1, 3);
    } else if (big >= -2147483648n && big <= 2147483647n) {
      enc = Buffer.allocUnsafe(5);
      enc[0] = 0xf3;
      enc.writeInt32LE(Number(big), 1);
    } else {
      enc = Buffer.allocUnsafe(9);
      enc[0] = 0xf4;
      enc.writeBigInt64LE(big, 1);
    }
    this.push(enc, null);
  }

  addString(value: Uint8Array): void {
    const n = value.length;
    let hdr: Buffer;
    if (n < 64) hdr = Buffer.from([0x80 | n]);
    else if (n < 4096) hdr = Buffer.from([0xe0 | (n >>> 8), n & 0xff]);
    else {
      hdr = Buffer.allocUnsafe(5);
      hdr[0] = 0xf0;
      hdr.writeUInt32LE(n, 1);
    }
    this.push(hdr, value);
  }

  private push(hdr: Buffer, data: Uint8Array | null): void {
    const l = hdr.length + (data === null ? 0 : data.length);
    const bl = backlenSize(l);
    const back = Buffer.allocUnsafe(bl);
    // The byte stored last holds the lowest 7 bits; every byte but the first has its high bit set.
    for (let i = bl - 1, rest = l; i >= 0; i--, rest = Math.floor(rest / 128)) {
      back[i] = (rest & 0x7f) | (i === 0 ? 0 : 0x80);
    }
    this.parts.push(hdr);
    if (data !== null) this.parts.push(Buffer.from(data.buffer, data.byteOffset, data.length));
    this.parts.push(back);
    this.size += l + bl;
    this.count++;
  }

  build(): Buffer {
    const out = Buffer.allocUnsafe(this.size);
    out.writeUInt32LE(this.size, 0);
    out.writeUInt16LE(this.count < 0xffff ? this.count : 0xffff, 4);
    let p = 6;
    for (const part of this.parts) {
      part.copy(out, p);
      p += part.length;
    }
    out[p] = 0xff;
    return out;
  }
}
