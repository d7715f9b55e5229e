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
 * Invariants: bytes come out in the order written. Small writes are copied into a reused scratch
 * buffer; inputs of COPY_LIMIT bytes or more are referenced, not copied, so callers must not mutate
 * them until the chunk from take() has been written. Nothing survives a
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

/** Values at least this long are referenced as their own part instead of copied. */
const COPY_LIMIT = 4096;
const SCRATCH_BYTES = 64 * 1024;

export class RdbSink {
  /** Finished parts, in order; small writes accumulate in `scratch` first. */
  private parts: Buffer[] = [];
  private partsSize = 0;
  private scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  private pos = 0;

  constructor(readonly compression: boolean) {}

  get size(): number {
    return this.partsSize + this.pos;
  }

  private flushScratch(): void {
    if (this.pos === 0) return;
    const copy = Buffer.allocUnsafe(this.pos);
    this.scratch.copy(copy, 0, 0, this.pos);
    this.parts.push(copy);
    this.partsSize += this.pos;
    this.pos = 0;
  }

  private room(n: number): void {
    if (this.pos + n > SCRATCH_BYTES) this.flushScratch();
  }

  push(b: Buffer): void {
    if (b.length >= COPY_LIMIT) {
      this.flushScratch();
      this.parts.push(b);
      this.partsSize += b.length;
      return;
    }
    this.room(b.length);
    b.copy(this.scratch, this.pos);
    this.pos += b.length;
  }

  byte(v: number): void {
    this.room(1);
    this.scratch[this.pos++] = v;
  }

  len(n: number | bigint): void {
    if (typeof n === 'number' && n < 64) this.byte(n);
    else this.push(encodeLen(n));
  }

  int64LE(v: number): void {
    this.room(8);
    this.scratch.writeBigInt64LE(BigInt(Math.trunc(v)), this.pos);
    this.pos += 8;
  }

  double(v: number): void {
    this.room(8);
    this.scratch.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /** An RDB string in its smallest encoding (int, LZF when enabled and worth it, or raw). */
  string(value: Uint8Array): void {
    const buf = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.length);
    const n = buf.length;
    if (n <= 11) {
      const v = canonicalInt32(buf);
      if (v !== undefined) {
        this.room(5);
        const b = this.scratch;
        if (v >= -128 && v <= 127) {
          b[this.pos] = 0xc0;
          b.writeInt8(v, this.pos + 1);
          this.pos += 2;
        } else if (v >= -32768 && v <= 32767) {
          b[this.pos] = 0xc1;
          b.writeInt16LE(v, this.pos + 1);
          this.pos += 3;
        } else {
          b[this.pos] = 0xc2;
          b.writeInt32LE(v, this.pos + 1);
          this.pos += 5;
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

  /** Everything pushed so far as one fresh Buffer; the sink is emptied. */
  take(): Buffer {
    this.flushScratch();
    const out = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partsSize);
    this.parts = [];
    this.partsSize = 0;
    return out;
  }
}
