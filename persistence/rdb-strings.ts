/*
 * RdbCursor: bounds-checked reads of RDB's primitive forms from a Buffer holding (part of) a file.
 *
 * Bytes (docs/persistence-format.md §7.2-7.3):
 *   length    00xxxxxx (6 bit) | 01xxxxxx yyyyyyyy (14 bit BE) | 0x80 + u32 BE | 0x81 + u64 BE
 *   string    length + raw bytes, or 11xxxxxx special: 0xC0 int8, 0xC1 int16 LE, 0xC2 int32 LE
 *             (each standing for its decimal text), 0xC3 LZF: len(compressed) len(original) data
 *   millis    int64 LE; binary double: IEEE-754 binary64 LE; text double: 1 length byte + ASCII,
 *             253 = NaN, 254 = +inf, 255 = -inf
 * Invariants: every read checks the remaining bytes first and throws RdbTruncatedError with the
 * file offset (never a RangeError), and no length is trusted for an allocation before the bytes
 * behind it are known to exist. Returned Buffers are views into the input unless decoded (int,
 * LZF), so they stay valid as long as the input does. Pure parsing; nothing survives a crash.
 */
import { lzfDecompress, LzfError } from './lzf.js';
import { RdbFormatError, RdbTruncatedError } from './rdb-types.js';

const ENC_INT8 = 0;
const ENC_INT16 = 1;
const ENC_INT32 = 2;
const ENC_LZF = 3;
/** LZF cannot expand more than ~88x (264 output bytes from 3 input bytes); anything above is corrupt. */
const LZF_MAX_RATIO = 100;

export class RdbCursor {
  pos: number;
  readonly end: number;

  /** Reads buf[pos, end); offsets in errors are `base + position in buf`. */
  constructor(readonly buf: Buffer, pos = 0, end = buf.length, readonly base = 0) {
    this.pos = pos;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  fail(reason: string, at = this.pos): never {
    throw new RdbFormatError(reason, this.base + at);
  }

  need(n: number, what: string): void {
    if (this.pos + n > this.end) throw new RdbTruncatedError(what, this.base + this.pos, this.pos + n - this.end);
  }

  u8(what: string): number {
    if (this.pos >= this.end) throw new RdbTruncatedError(what, this.base + this.pos, 1);
    return this.buf[this.pos++]!;
  }

  raw(n: number, what: string): Buffer {
    this.need(n, what);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** int64 LE (EXPIRETIME_MS, stream times) as a number; exact up to 2^53. */
  int64LE(what: string): number {
    this.need(8, what);
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return Number(v);
  }

  int32LE(what: string): number {
    this.need(4, what);
    const v = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  binaryDouble(what: string): number {
    this.need(8, what);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** The old text double: length byte, ASCII (parsed like %lg); 253/254/255 = NaN/+inf/-inf. */
  textDouble(what: string): number {
    const at = this.pos;
    const n = this.u8(what);
    if (n === 253) return NaN;
    if (n === 254) return Infinity;
    if (n === 255) return -Infinity;
    const text = this.raw(n, what).toString('latin1');
    const v = Number(text);
    if (Number.isNaN(v) && !/^[+-]?nan$/i.test(text)) {
      const lower = text.toLowerCase();
      if (lower === 'inf' || lower === '+inf' || lower === 'infinity') return Infinity;
      if (lower === '-inf' || lower === '-infinity') return -Infinity;
      this.fail(`bad text double ${JSON.stringify(text)} in ${what}`, at);
    }
    return v;
  }

  /**
   * A length as a bigint (any form, up to 2^64-1). Throws on a special-encoding byte (11xxxxxx)
   * or an invalid 10xxxxxx byte.
   */
  lenBig(what: string): bigint {
    const at = this.pos;
    const b = this.u8(what);
    const kind = b >>> 6;
    if (kind === 0) return BigInt(b & 0x3f);
    if (kind === 1) return BigInt(((b & 0x3f) << 8) | this.u8(what));
    if (b === 0x80) {
      this.need(4, what);
      const v = this.buf.readUInt32BE(this.pos);
      this.pos += 4;
      return BigInt(v);
    }
    if (b === 0x81) {
      this.need(8, what);
      const v = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      return v;
    }
    return this.fail(kind === 3 ? `unexpected string encoding in ${what}` : `unknown length encoding 0x${b.toString(16)} in ${what}`, at);
  }

  /** A length as a number; lengths above 2^53 are corrupt for any count or size. */
  len(what: string): number {
    const at = this.pos;
    const b = this.buf[this.pos];
    if (b !== undefined && b < 0x40) {
      this.pos++;
      return b;
    }
    const v = this.lenBig(what);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`length ${v} too large in ${what}`, at);
    return Number(v);
  }

  /** An RDB string (any encoding). Integer forms come back as their decimal text. */
  string(what: string): Buffer {
    const at = this.pos;
    const b = this.buf[this.pos];
    if (b === undefined) throw new RdbTruncatedError(what, this.base + at, 1);
    if (b < 0x40) {
      this.pos++;
      return this.raw(b, what);
    }
    if (b >>> 6 !== 3) return this.raw(this.len(what), what);
    this.pos++;
    switch (b & 0x3f) {
      case ENC_INT8: {
        this.need(1, what);
        const v = this.buf.readInt8(this.pos);
        this.pos += 1;
        return Buffer.from(String(v), 'latin1');
      }
      case ENC_INT16: {
        this.need(2, what);
        const v = this.buf.readInt16LE(this.pos);
        this.pos += 2;
        return Buffer.from(String(v), 'latin1');
      }
      case ENC_INT32: {
        this.need(4, what);
        const v = this.buf.readInt32LE(this.pos);
        this.pos += 4;
        return Buffer.from(String(v), 'latin1');
      }
      case ENC_LZF: {
        const clen = this.len(what);
        const ulen = this.len(what);
        if (ulen > clen * LZF_MAX_RATIO + 64) this.fail(`LZF string claims ${ulen} bytes from ${clen}`, at);
        const data = this.raw(clen, what);
        try {
          return lzfDecompress(data, ulen);
        } catch (e) {
          if (e instanceof LzfError) this.fail(`bad LZF data in ${what}: ${e.message}`, at);
          throw e;
        }
      }
      default:
        return this.fail(`unknown string encoding 0x${b.toString(16)} in ${what}`, at);
    }
  }
}
