/*
 * Bit-level helpers over string values (latin1 JS strings, one char per byte). Bit 0 is the most
 * significant bit of byte 0, as in Redis's bitops.
 *
 * Strings are immutable, so every write builds a new value: slicing around the changed bytes lets
 * V8 copy with memcpy, which is O(n) per SETBIT/BITFIELD write on an n-byte value. Redis mutates
 * in place (O(1)); the cost is noted in the family's report.
 */
import { constants } from 'node:buffer';
import type { CommandContext } from '../context.js';
import type { Db } from '../keyspace/db.js';
import { ERR_STRING_TOO_LONG, ERR_WRONGTYPE, RedisError } from '../../protocol/errors.js';
import { parseLongExact } from '../../protocol/numbers.js';

export const ERR_BIT_OFFSET = 'ERR bit offset is not an integer or out of range';
export const ERR_BIT_VALUE = 'ERR bit is not an integer or out of range';

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]!;

function maxBulk(c: CommandContext): number {
  return Number(c.server.config.get('proto-max-bulk-len'));
}

/**
 * A bit offset argument (Redis's getBitOffsetFromArgument): an int64 >= 0 whose byte index is
 * below proto-max-bulk-len. With `bits` > 0 a leading '#' multiplies the index by the field width.
 */
export function bitOffsetArg(c: CommandContext, buf: Buffer, bits = 0): number {
  const hash = bits > 0 && buf.length > 0 && buf[0] === 0x23;
  let v = parseLongExact(hash ? buf.subarray(1) : buf);
  if (v === undefined) throw new RedisError(ERR_BIT_OFFSET);
  if (hash) v = BigInt.asIntN(64, v * BigInt(bits));
  if (v < 0n || v >> 3n >= BigInt(maxBulk(c))) throw new RedisError(ERR_BIT_OFFSET);
  return Number(v);
}

/**
 * The string at key, grown with zero bytes so that bit `maxBit` exists (Redis's
 * lookupStringForBitCommand, without storing it yet). `grown` is true when the key is new or
 * longer. Throws WRONGTYPE, or the length error where V8 cannot hold the string.
 */
export function stringForBitWrite(c: CommandContext, db: Db, key: string, maxBit: number): { value: string; grown: boolean } {
  const need = Math.floor(maxBit / 8) + 1;
  const v = db.get(key);
  if (v !== undefined && typeof v !== 'string') throw new RedisError(ERR_WRONGTYPE);
  const cur = v ?? '';
  if (v !== undefined && cur.length >= need) return { value: cur, grown: false };
  if (need > constants.MAX_STRING_LENGTH || need > maxBulk(c)) throw new RedisError(ERR_STRING_TOO_LONG);
  return { value: cur + '\0'.repeat(need - cur.length), grown: true };
}

/** Replaces bytes [at, at + bytes.length) of s; s must already be long enough. */
export function spliceBytes(s: string, at: number, bytes: Buffer): string {
  const mid = bytes.latin1Slice(0, bytes.length);
  if (at === 0 && bytes.length === s.length) return mid;
  return s.slice(0, at) + mid + s.slice(at + bytes.length);
}

/** Set bits in bytes [start, end] of s (inclusive). */
export function popcount(s: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i <= end; i++) n += POPCOUNT[s.charCodeAt(i)]!;
  return n;
}

export function popcountByte(b: number): number {
  return POPCOUNT[b & 0xff]!;
}

/**
 * Index of the first byte in [start, end] that holds a `bit` (a byte other than 0x00 when
 * looking for 1, other than 0xff when looking for 0), or -1.
 */
export function firstByteWith(s: string, start: number, end: number, bit: number): number {
  const skip = bit === 1 ? 0 : 0xff;
  for (let i = start; i <= end; i++) if (s.charCodeAt(i) !== skip) return i;
  return -1;
}

/** Position (0 = MSB) of the first `bit` in byte b, or -1. */
export function firstBitIn(b: number, bit: number): number {
  for (let i = 0; i < 8; i++) if (((b >> (7 - i)) & 1) === bit) return i;
  return -1;
}

/** Reads `bits` (1..64) bits at bit offset `off` of buf as an unsigned value. */
export function getUnsignedField(buf: Buffer, off: number, bits: number): bigint {
  let v = 0n;
  for (let i = 0; i < bits; i++) {
    const p = off + i;
    const bit = (buf[p >> 3]! >> (7 - (p & 7))) & 1;
    v = (v << 1n) | BigInt(bit);
  }
  return v;
}

export function getSignedField(buf: Buffer, off: number, bits: number): bigint {
  return BigInt.asIntN(bits, getUnsignedField(buf, off, bits));
}

/** Writes the low `bits` bits of v at bit offset `off` of buf. */
export function setField(buf: Buffer, off: number, bits: number, v: bigint): void {
  for (let i = 0; i < bits; i++) {
    const bit = Number((v >> BigInt(bits - 1 - i)) & 1n);
    const p = off + i;
    const mask = 1 << (7 - (p & 7));
    buf[p >> 3] = bit === 1 ? buf[p >> 3]! | mask : buf[p >> 3]! & ~mask;
  }
}
