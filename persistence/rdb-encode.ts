/*
 * RdbSink: builds RDB's primitive forms into a list of Buffers (the writer's side of
 * rdb-strings.ts).
 *
 * Bytes (docs/persistence-format.md §7.2-7.3), always the smallest form:
 *   length    < 64: 00xxxxxx | < 16384: 01xxxxxx yyyyyyyy (BE) | <= 2^32-1: 0x80 + u32 BE
 *             | else 0x81 + u64 BE
 *   string    a canonical int32 decimal text of at most 11 bytes -> 0xC0/0xC1/0xC2 + int8/16/32 LE;
 *             else, with compression on and more than 20 bytes, LZF (0xC3 len(clen) len(len) data)
 *             when it saves at least 4 bytes (Redis 7.0's rule); else length + raw bytes
 *   millis    int64 LE; doubles binary64 LE
 * Invariants: parts are appended in order and never modified after; input Buffers are referenced,
 * not copied, so callers must not mutate them until the chunk is written. Nothing survives a
 * crash: a sink only holds bytes in memory.
 */
import { lzfCompress } from './lzf.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * The int32 value if `buf` is the canonical decimal text of one (what Redis int-encodes),
 * else undefined.
 */
export function canonicalInt32(buf: Uint8Array): number | undefined {
  const n = buf.length;
  if (n === 0 || n > 11) return undefined;
  let i = 0;
  const neg = buf[0] === 0x2d;
  if (neg) {
    if (n === 1) return undefined;
    i = 1;
  }
  if (buf[i] === 0x30 && (n > i + 1 || neg)) return undefined;
  let v = 0;
  for (; i < n; i++) {
    const c = buf[i]!;
    if (c < 0x30 || c > 0x39) return undefined;
    v = v * 10 + (c - 0x30);
  }
  if (neg) v = -v;
  return v >= INT32_MIN && v <= INT32_MAX ? v : undefined;
}

export function encodeLen(n: number | bigint): Buffer {
  if (typeof n === 'number') {
    if (n < 64) return Buffer.from([n]);
    if (n < 16384) return Buffer.from([0x40 | (n >>> 8), n & 0xff]);
    if (n <= 0xffffffff) {
      const out = Buffer.allocUnsafe(5);
      out[0] = 0x80;
      out.writeUInt32BE(n, 1);
      return out;
    }
    n = BigInt(n);
  }
  if (n <= 0xffffffffn) return encodeLen(Number(n));
  const out = Buffer.allocUnsafe(9);
  out[0] = 0x81;
  out.writeBigUInt64BE(n, 1);
  return out;
}

export class RdbSink {
  parts: Buffer[] = [];
  size = 0;

  constructor(readonly compression: boolean) {}

  push(b: Buffer): void {
    this.parts.push(b);
    this.size += b.length;
  }

  byte(v: number): void {
    this.push(Buffer.from([v]));
  }

  len(n: number | bigint): void {
    this.push(encodeLen(n));
  }

  int64LE(v: number): void {
    const b = Buffer.allocUnsafe(8);
    b.writeBigInt64LE(BigInt(Math.trunc(v)), 0);
    this.push(b);
  }

  double(v: number): void {
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleLE(v, 0);
    this.push(b);
  }

  /** An RDB string in its smallest encoding (int, LZF when enabled and worth it, or raw). */
  string(value: Uint8Array): void {
    const buf = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.length);
    const n = buf.length;
    if (n <= 11) {
      const v = canonicalInt32(buf);
      if (v !== undefined) {
        if (v >= -128 && v <= 127) {
          const b = Buffer.allocUnsafe(2);
          b[0] = 0xc0;
          b.writeInt8(v, 1);
          this.push(b);
        } else if (v >= -32768 && v <= 32767) {
          const b = Buffer.allocUnsafe(3);
          b[0] = 0xc1;
          b.writeInt16LE(v, 1);
          this.push(b);
        } else {
          const b = Buffer.allocUnsafe(5);
          b[0] = 0xc2;
          b.writeInt32LE(v, 1);
          this.push(b);
        }
        return;
      }
    }
    if (this.compression && n > 20) {
      const packed = lzfCompress(buf, n - 4);
      if (packed !== null) {
        this.byte(0xc3);
        this.len(packed.length);
        this.len(n);
        this.push(packed);
        return;
      }
    }
    this.len(n);
    if (n > 0) this.push(buf);
  }

  /** Everything pushed so far as one Buffer; the sink is emptied. */
  take(): Buffer {
    const out = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    return out;
  }
}
