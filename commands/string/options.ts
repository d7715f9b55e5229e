/*
 * The option grammar SET and GETEX share (Redis 7.0's extended string arguments), and expiry
 * arguments turned into absolute unix milliseconds with Redis's checks and error texts.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_NOT_INTEGER, ERR_SYNTAX, RedisError, errInvalidExpire } from '../../protocol/errors.js';
import { parseLong, parseLongExact } from '../../protocol/numbers.js';

export const OPT_NX = 1;
export const OPT_XX = 2;
export const OPT_GET = 4;
export const OPT_KEEPTTL = 8;
export const OPT_EX = 16;
export const OPT_PX = 32;
export const OPT_EXAT = 64;
export const OPT_PXAT = 128;
export const OPT_PERSIST = 256;
export const OPT_EXPIRE = OPT_EX | OPT_PX | OPT_EXAT | OPT_PXAT;
/** The parse result packs the flags in the low bits and the expiry argument's index above them. */
export const OPT_FLAGS_MASK = 0xffff;
const INDEX_SHIFT = 16;

const INT64_MAX = 9223372036854775807n;
/** LLONG_MAX / 1000: a larger number of seconds cannot be turned into milliseconds. */
const MAX_SECONDS = 9223372036854775n;

/** Lowercases an ASCII letter byte. */
function lower(b: number | undefined): number {
  return b === undefined ? 0 : b | 0x20;
}

/**
 * Parses argv[3..] (SET) or argv[2..] (GETEX) as Redis 7.0 does: NX/XX exclude each other,
 * KEEPTTL/PERSIST and the four expiry forms exclude each other, repeating the same option is
 * allowed (the last expiry wins), and an expiry keyword needs a following argument. Throws
 * `ERR syntax error`. Returns flags | (index of the expiry argument << 16), the index 0 if none.
 */
export function parseStringOptions(argv: Argv, from: number, forSet: boolean): number {
  let flags = 0;
  let expireIdx = 0;
  const n = argv.length;
  for (let j = from; j < n; j++) {
    const a = argv[j]!;
    const hasNext = j + 1 < n;
    const c0 = lower(a[0]);
    const c1 = lower(a[1]);
    if (a.length === 2 && c1 === 0x78 /* x */) {
      if (forSet && c0 === 0x6e /* n */ && (flags & OPT_XX) === 0) {
        flags |= OPT_NX;
        continue;
      }
      if (forSet && c0 === 0x78 /* x */ && (flags & OPT_NX) === 0) {
        flags |= OPT_XX;
        continue;
      }
      if (c0 === 0x65 /* e */ && hasNext && (flags & (OPT_KEEPTTL | OPT_PERSIST | OPT_EXAT | OPT_PX | OPT_PXAT)) === 0) {
        flags |= OPT_EX;
        expireIdx = ++j;
        continue;
      }
      if (c0 === 0x70 /* p */ && hasNext && (flags & (OPT_KEEPTTL | OPT_PERSIST | OPT_EX | OPT_EXAT | OPT_PXAT)) === 0) {
        flags |= OPT_PX;
        expireIdx = ++j;
        continue;
      }
    } else if (a.length === 4 && lower(a[2]) === 0x61 /* a */ && lower(a[3]) === 0x74 /* t */ && c1 === 0x78 && hasNext) {
      if (c0 === 0x65 && (flags & (OPT_KEEPTTL | OPT_PERSIST | OPT_EX | OPT_PX | OPT_PXAT)) === 0) {
        flags |= OPT_EXAT;
        expireIdx = ++j;
        continue;
      }
      if (c0 === 0x70 && (flags & (OPT_KEEPTTL | OPT_PERSIST | OPT_EX | OPT_EXAT | OPT_PX)) === 0) {
        flags |= OPT_PXAT;
        expireIdx = ++j;
        continue;
      }
    } else if (forSet && a.length === 3 && c0 === 0x67 && c1 === 0x65 && lower(a[2]) === 0x74) {
      flags |= OPT_GET;
      continue;
    } else if (forSet && a.length === 7 && isLowerWord(a, 'keepttl')) {
      if ((flags & (OPT_PERSIST | OPT_EXPIRE)) === 0) {
        flags |= OPT_KEEPTTL;
        continue;
      }
    } else if (!forSet && a.length === 7 && isLowerWord(a, 'persist')) {
      if ((flags & (OPT_KEEPTTL | OPT_EXPIRE)) === 0) {
        flags |= OPT_PERSIST;
        continue;
      }
    }
    throw new RedisError(ERR_SYNTAX);
  }
  return flags | (expireIdx << INDEX_SHIFT);
}

export function expireIndexOf(parsed: number): number {
  return parsed >>> INDEX_SHIFT;
}

function isLowerWord(a: Buffer, word: string): boolean {
  for (let i = 0; i < word.length; i++) if (lower(a[i]) !== word.charCodeAt(i)) return false;
  return true;
}

/** 1000 for EX/EXAT (seconds), 1 for PX/PXAT. */
export function unitOf(flags: number): number {
  return (flags & (OPT_EX | OPT_EXAT)) !== 0 ? 1000 : 1;
}

export function isRelative(flags: number): boolean {
  return (flags & (OPT_EX | OPT_PX)) !== 0;
}

/**
 * The absolute expiry (unix ms) for an expiry argument, as Redis's getExpireMillisecondsOrReply:
 * not an integer -> integer error; <= 0, seconds past LLONG_MAX/1000, or a relative time whose
 * sum with now passes LLONG_MAX -> `invalid expire time in '<command>' command`. The result is a
 * double (exact below 2^53, which covers any realistic deadline); expireAtText gives exact digits.
 */
export function expireAtArg(arg: Buffer, unit: number, relative: boolean, now: number, command: string): number {
  if (arg.length <= 15) {
    const v = parseLong(arg);
    if (v === undefined) throw new RedisError(ERR_NOT_INTEGER);
    if (v <= 0) throw new RedisError(errInvalidExpire(command));
    return relative ? v * unit + now : v * unit;
  }
  return Number(expireAtExact(arg, unit, relative, now, command));
}

/** The decimal digits of the absolute expiry, for the propagated command (PXAT / PEXPIREAT). */
export function expireAtText(arg: Buffer, unit: number, relative: boolean, now: number, at: number): string {
  if (Number.isSafeInteger(at)) return String(at);
  return expireAtExact(arg, unit, relative, now, '').toString();
}

function expireAtExact(arg: Buffer, unit: number, relative: boolean, now: number, command: string): bigint {
  const v = parseLongExact(arg);
  if (v === undefined) throw new RedisError(ERR_NOT_INTEGER);
  if (v <= 0n || (unit === 1000 && v > MAX_SECONDS)) throw new RedisError(errInvalidExpire(command));
  const ms = v * BigInt(unit) + (relative ? BigInt(now) : 0n);
  // Redis adds in a signed 64-bit integer: an overflow wraps negative and is refused.
  if (ms > INT64_MAX) throw new RedisError(errInvalidExpire(command));
  return ms;
}
