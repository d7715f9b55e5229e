/*
 * HINCRBY (exact int64) and HINCRBYFLOAT (x87 long double, as INCRBYFLOAT: string/long-double.ts).
 * Redis 7.0 checks the increment, then the key's type, then the stored value. HINCRBYFLOAT is
 * logged as `HSET key field <result>` so replay does not redo float arithmetic.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_INCR_NAN, ERR_NOT_FLOAT, ERR_NOT_INTEGER, ERR_OVERFLOW, RedisError } from '../../protocol/errors.js';
import { parseLong, parseLongExact } from '../../protocol/numbers.js';
import type { CommandContext } from '../context.js';
import { keyOf } from '../args.js';
import { parseIntValue } from '../string/incr.js';
import { addLongDouble, formatLongDoubleHuman, parseLongDouble } from '../string/long-double.js';
import { NOTIFY_HASH } from '../notify.js';
import { convertForArgs, convertForSize, hashLimits, HashValue, readHash } from './hash-value.js';

export const ERR_HASH_NOT_INTEGER = 'ERR hash value is not an integer';
export const ERR_HASH_NOT_FLOAT = 'ERR hash value is not a float';
export const ERR_NAN_OR_INF = 'ERR value is NaN or Infinity';

const HSET = Buffer.from('HSET');
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** Writes field = text into the hash at key (created if needed), with the listpack checks. */
function storeField(c: CommandContext, key: string, h: HashValue | undefined, field: string, text: string, fieldArg: Buffer): void {
  const existed = h !== undefined;
  const hash = h ?? new HashValue();
  if (hash.listpack) {
    const limits = hashLimits(c);
    convertForArgs(hash, [fieldArg], 0, limits);
    hash.map.set(field, text);
    convertForSize(hash, limits, text.length);
  } else {
    hash.map.set(field, text);
  }
  if (!existed) c.db.set(key, hash);
  c.dirty++;
}

export function hincrbyCommand(c: CommandContext, argv: Argv): void {
  const arg = argv[3]!;
  const incr = arg.length <= 15 ? parseLong(arg) : parseLongExact(arg);
  if (incr === undefined) throw new RedisError(ERR_NOT_INTEGER);
  const key = keyOf(argv[1]!);
  const h = readHash(c, key);
  const field = keyOf(argv[2]!);
  let current: number | bigint = 0;
  const stored = h?.map.get(field);
  if (stored !== undefined) {
    const parsed = parseIntValue(stored);
    if (parsed === undefined) throw new RedisError(ERR_HASH_NOT_INTEGER);
    current = parsed;
  }
  let result: number | bigint;
  if (typeof current === 'number' && typeof incr === 'number' && Number.isSafeInteger(current + incr)) {
    result = current + incr;
  } else {
    const exact = BigInt(current) + BigInt(incr);
    if (exact > INT64_MAX || exact < INT64_MIN) throw new RedisError(ERR_OVERFLOW);
    result = exact;
  }
  storeField(c, key, h, field, String(result), argv[2]!);
  c.notify(NOTIFY_HASH, 'hincrby', argv[1]!);
  c.reply.integer(result);
}

export function hincrbyfloatCommand(c: CommandContext, argv: Argv): void {
  const incrText = argv[3]!.latin1Slice(0, argv[3]!.length);
  const incr = parseLongDouble(incrText);
  if (incr === undefined) throw new RedisError(ERR_NOT_FLOAT);
  if (typeof incr === 'string') throw new RedisError(ERR_NAN_OR_INF);
  const key = keyOf(argv[1]!);
  const h = readHash(c, key);
  const field = keyOf(argv[2]!);
  const stored = h?.map.get(field);
  let text: string | undefined;
  // Small integers add exactly in doubles and print as integers: skip the BigInt emulation.
  const a = stored === undefined ? 0 : stored.length <= 15 ? parseIntValue(stored) : undefined;
  const b = incrText.length <= 15 ? parseIntValue(incrText) : undefined;
  if (typeof a === 'number' && typeof b === 'number') text = String(a + b);
  if (text === undefined) {
    const current = stored === undefined ? { neg: false, m: 0n, e: 0 } : parseLongDouble(stored);
    if (current === undefined) throw new RedisError(ERR_HASH_NOT_FLOAT);
    if (typeof current === 'string') throw new RedisError(ERR_INCR_NAN);
    const sum = addLongDouble(current, incr);
    if (sum === undefined) throw new RedisError(ERR_INCR_NAN);
    text = formatLongDoubleHuman(sum);
  }
  storeField(c, key, h, field, text, argv[2]!);
  c.notify(NOTIFY_HASH, 'hincrbyfloat', argv[1]!);
  c.propagateAs([HSET, argv[1]!, argv[2]!, Buffer.from(text, 'latin1')]);
  c.reply.bulk(text);
}
