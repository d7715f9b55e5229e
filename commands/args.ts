/*
 * Shared argument helpers for handlers: keys as latin1 strings, case-insensitive option matching
 * on bytes (no allocation), and integer/float arguments with Redis's error texts.
 */
import { ERR_NOT_FLOAT, ERR_NOT_INTEGER, RedisError } from '../protocol/errors.js';
import { parseDouble, parseLong } from '../protocol/numbers.js';

/** The key for Db lookups: one char per byte, lossless. */
export function keyOf(buf: Buffer): string {
  return buf.latin1Slice(0, buf.length);
}

/** A stored string value from an argument (a copy, so the socket chunk is not pinned). */
export function valueOf(buf: Buffer): string {
  return buf.latin1Slice(0, buf.length);
}

/** True when buf spells `upper` in any case. `upper` must be uppercase ASCII. */
export function isWord(buf: Buffer, upper: string): boolean {
  const n = upper.length;
  if (buf.length !== n) return false;
  for (let i = 0; i < n; i++) {
    const c = buf[i]!;
    const u = c >= 97 && c <= 122 ? c - 32 : c;
    if (u !== upper.charCodeAt(i)) return false;
  }
  return true;
}

/** The argument as an int64 (number), or throws Redis's integer error (or `message`). */
export function longArg(buf: Buffer, message = ERR_NOT_INTEGER): number {
  const v = parseLong(buf);
  if (v === undefined) throw new RedisError(message);
  return v;
}

/** The argument as a double, or throws Redis's float error. */
export function doubleArg(buf: Buffer, message = ERR_NOT_FLOAT): number {
  const v = parseDouble(buf);
  if (v === undefined) throw new RedisError(message);
  return v;
}
