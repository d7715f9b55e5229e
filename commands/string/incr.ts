/*
 * Counters: INCR, DECR, INCRBY, DECRBY (exact int64) and INCRBYFLOAT (x87 long double, see
 * long-double.ts). Results are stored as canonical decimal strings and keep the key's TTL.
 * INCRBYFLOAT is logged as `SET key <result> KEEPTTL` so replay does not redo float arithmetic.
 */
import type { CommandContext } from '../context.js';
import type { Argv } from '../../protocol/resp-parser.js';
import {
  ERR_INCR_NAN, ERR_NOT_FLOAT, ERR_NOT_INTEGER, ERR_OVERFLOW, ERR_WRONGTYPE, RedisError,
} from '../../protocol/errors.js';
import { parseLong, parseLongExact } from '../../protocol/numbers.js';
import { keyOf } from '../args.js';
import { addLongDouble, formatLongDoubleHuman, parseLongDouble } from './long-double.js';
import { NOTIFY_STRING } from '../notify.js';

/** DECRBY's own text for an amount that cannot be negated (LLONG_MIN). */
export const ERR_DECR_OVERFLOW = 'ERR decrement would overflow';

const SET = Buffer.from('SET');
const KEEPTTL = Buffer.from('KEEPTTL');
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

export function incrCommand(c: CommandContext, argv: Argv): void {
  incrDecr(c, argv[1]!, 1);
}

export function decrCommand(c: CommandContext, argv: Argv): void {
  incrDecr(c, argv[1]!, -1);
}

export function incrbyCommand(c: CommandContext, argv: Argv): void {
  incrDecr(c, argv[1]!, amountArg(argv[2]!));
}

export function decrbyCommand(c: CommandContext, argv: Argv): void {
  const arg = argv[2]!;
  const amount = amountArg(arg);
  if (typeof amount === 'bigint') {
    if (amount === INT64_MIN) throw new RedisError(ERR_DECR_OVERFLOW);
    return incrDecr(c, argv[1]!, -amount);
  }
  incrDecr(c, argv[1]!, amount === 0 ? 0 : -amount);
}

/** The amount as a number when it is short enough to be exact, else as a bigint. */
function amountArg(buf: Buffer): number | bigint {
  if (buf.length <= 15) {
    const v = parseLong(buf);
    if (v === undefined) throw new RedisError(ERR_NOT_INTEGER);
    return v;
  }
  const v = parseLongExact(buf);
  if (v === undefined) throw new RedisError(ERR_NOT_INTEGER);
  return v;
}

/**
 * A stored value as Redis's string2ll reads it: canonical int64 only (no '+', spaces or leading
 * zeros). A number when exact (up to 15 characters), else a bigint; undefined if not an integer.
 */
export function parseIntValue(s: string): number | bigint | undefined {
  const len = s.length;
  if (len === 0 || len > 20) return undefined;
  if (len > 15) return parseLongExact(Buffer.from(s, 'latin1'));
  let i = 0;
  let negative = false;
  if (s.charCodeAt(0) === 45 /* - */) {
    if (len === 1) return undefined;
    negative = true;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48 /* 0 */) return len === 1 ? 0 : undefined;
  let v = 0;
  for (; i < len; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    v = v * 10 + d;
  }
  return negative ? -v : v;
}

function incrDecr(c: CommandContext, keyBuf: Buffer, amount: number | bigint): void {
  const key = keyOf(keyBuf);
  const v = c.db.get(key);
  let current: number | bigint = 0;
  if (v !== undefined) {
    if (typeof v !== 'string') throw new RedisError(ERR_WRONGTYPE);
    const parsed = parseIntValue(v);
    if (parsed === undefined) throw new RedisError(ERR_NOT_INTEGER);
    current = parsed;
  }
  let result: number | bigint;
  if (typeof current === 'number' && typeof amount === 'number' && Number.isSafeInteger(current + amount)) {
    result = current + amount;
  } else {
    const exact = BigInt(current) + BigInt(amount);
    if (exact > INT64_MAX || exact < INT64_MIN) throw new RedisError(ERR_OVERFLOW);
    result = exact;
  }
  const text = String(result);
  if (v === undefined) c.db.set(key, text);
  else c.db.replace(key, text);
  c.dirty++;
  c.notify(NOTIFY_STRING, 'incrby', keyBuf);
  c.reply.integer(result);
}

/** Redis 7.0's order: type, then the stored value, then the increment. */
export function incrbyfloatCommand(c: CommandContext, argv: Argv): void {
  const key = keyOf(argv[1]!);
  const v = c.db.get(key);
  if (v !== undefined && typeof v !== 'string') throw new RedisError(ERR_WRONGTYPE);
  const incrText = argv[2]!.latin1Slice(0, argv[2]!.length);
  const text = floatSum(v ?? '0', incrText);
  if (v === undefined) c.db.set(key, text);
  else c.db.replace(key, text);
  c.dirty++;
  c.notify(NOTIFY_STRING, 'incrbyfloat', argv[1]!);
  c.propagateAs([SET, argv[1]!, Buffer.from(text, 'latin1'), KEEPTTL]);
  c.reply.bulk(text);
}

/** current + increment as Redis formats it, or throws Redis's float errors. */
export function floatSum(current: string, increment: string): string {
  // Small integers add exactly in doubles and print as integers: skip the BigInt emulation.
  const a = current.length <= 15 ? parseIntValue(current) : undefined;
  if (typeof a === 'number') {
    const b = increment.length <= 15 ? parseIntValue(increment) : undefined;
    if (typeof b === 'number') return String(a + b);
  }
  const x = parseLongDouble(current);
  if (x === undefined) throw new RedisError(ERR_NOT_FLOAT);
  const y = parseLongDouble(increment);
  if (y === undefined) throw new RedisError(ERR_NOT_FLOAT);
  if (typeof x === 'string' || typeof y === 'string') throw new RedisError(ERR_INCR_NAN);
  const sum = addLongDouble(x, y);
  if (sum === undefined) throw new RedisError(ERR_INCR_NAN);
  return formatLongDoubleHuman(sum);
}
