/*
 * Shared argument helpers for handlers: keys as latin1 strings, case-insensitive option matching
 * on bytes (no allocation), and integer/float arguments with Redis's error texts.
 */
import { ERR_NOT_FLOAT, ERR_NOT_INTEGER, RedisError } from '../protocol/errors.js';
import { parseDouble, parseLong } from '../protocol/numbers.js';

/**
 * Recently made argument strings, one per length class, handed out again when the same bytes
 * come back: pipelines often repeat a key (a list pushed to, a set or hash filled) and small
 * values. The same string object skips the native latin1Slice call, makes a Map lookup a pointer
 * comparison with a cached hash, and a stored repeated value shares one string instead of one
 * more young object per element for the GC to promote. Strings are immutable, so sharing is
 * invisible. Compared from the last byte, where keys like `user:1041` differ; short ones only.
 */
const RECENT_MAX_LEN = 64;
const recent: string[] = new Array<string>(16).fill('');

function argString(buf: Buffer): string {
  const n = buf.length;
  if (n > RECENT_MAX_LEN) return buf.latin1Slice(0, n);
  const slot = n & 15;
  const last = recent[slot]!;
  if (last.length === n) {
    let i = n - 1;
    while (i >= 0 && buf[i] === last.charCodeAt(i)) i--;
    if (i < 0) return last;
  }
  const s = buf.latin1Slice(0, n);
  recent[slot] = s;
  return s;
}

/** The key for Db lookups: one char per byte, lossless. */
export function keyOf(buf: Buffer): string {
  return argString(buf);
}

/** A stored string value from an argument (a copy, so the socket chunk is not pinned). */
export function valueOf(buf: Buffer): string {
  return argString(buf);
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
