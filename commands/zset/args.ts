/*
 * Sorted-set argument parsing shared by the Z* handlers: the zset at a key, listpack limits from
 * config, score ranges ("(1" exclusive, "-inf"), lex ranges ("[a" "(a" "-" "+"), rank ranges, and
 * the reply texts Redis 7.0 uses for them.
 */
import { ERR_WRONGTYPE, RedisError } from '../../protocol/errors.js';
import type { CommandContext } from '../context.js';
import type { Value } from '../keyspace/value.js';
import { BOUND_LEX_LE, BOUND_LEX_LT, BOUND_SCORE_LE, BOUND_SCORE_LT } from './tree.js';
import { ZsetValue, type ZsetLimits } from './value.js';

export const ERR_SCORE_RANGE = 'ERR min or max is not a float';
export const ERR_LEX_RANGE = 'ERR min or max not valid string range item';
export const ERR_NAN_SCORE = 'ERR resulting score is not a number (NaN)';
export const ERR_POSITIVE = 'ERR value is out of range, must be positive';

/** The zset stored at key, undefined when missing; throws WRONGTYPE for another type. */
export function zsetOf(v: Value | undefined): ZsetValue | undefined {
  if (v === undefined) return undefined;
  if (v instanceof ZsetValue) return v;
  throw new RedisError(ERR_WRONGTYPE);
}

export function limitsOf(c: CommandContext): ZsetLimits {
  const cfg = c.server.config;
  return { entries: Number(cfg.get('zset-max-listpack-entries')), value: Number(cfg.get('zset-max-listpack-value')) };
}

const HEX = /^[+-]?0[xX][0-9a-fA-F]+$/;
const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INFINITY = /^[+-]?inf(inity)?$/i;

/**
 * A score bound read as strtod does in zslParseRange: leading whitespace allowed, hex allowed,
 * nothing after the number, "" (or a bare "(") is 0, NaN rejected. undefined on error.
 */
export function strtodFull(text: string): number | undefined {
  const t = text.replace(/^[ \t\n\v\f\r]+/, '');
  if (t.length === 0) return text.length === 0 ? 0 : undefined;
  if (NUMERIC.test(t)) return Number(t);
  if (INFINITY.test(t)) return t[0] === '-' ? -Infinity : Infinity;
  if (HEX.test(t)) {
    const neg = t[0] === '-';
    const v = Number(t.replace(/^[+-]/, ''));
    return neg ? -v : v;
  }
  return undefined;
}

/** A resolved range: ranks [start, end) in ascending order. */
export interface RankSpan {
  start: number;
  end: number;
}

/** Score range min..max as ascending ranks of z; throws ERR_SCORE_RANGE on a bad bound. */
export function parseScoreRange(minBuf: Buffer, maxBuf: Buffer): [number, boolean, number, boolean] {
  const min = scoreBound(minBuf);
  const max = scoreBound(maxBuf);
  return [min[0], min[1], max[0], max[1]];
}

function scoreBound(buf: Buffer): [number, boolean] {
  const text = buf.latin1Slice(0, buf.length);
  const excl = text.charCodeAt(0) === 40; /* ( */
  const v = strtodFull(excl ? text.slice(1) : text);
  if (v === undefined) throw new RedisError(ERR_SCORE_RANGE);
  return [v, excl];
}

export function scoreSpan(z: ZsetValue, range: [number, boolean, number, boolean]): RankSpan {
  const [min, minEx, max, maxEx] = range;
  const start = z.countBefore(minEx ? BOUND_SCORE_LE : BOUND_SCORE_LT, min, '');
  const end = z.countBefore(maxEx ? BOUND_SCORE_LT : BOUND_SCORE_LE, max, '');
  return { start, end: Math.max(start, end) };
}

/** A lex bound: -1 is "-", 1 is "+", 0 a member with excl telling '(' from '['. */
export interface LexBound {
  inf: -1 | 0 | 1;
  excl: boolean;
  member: string;
}

export function parseLexRange(minBuf: Buffer, maxBuf: Buffer): [LexBound, LexBound] {
  return [lexBound(minBuf), lexBound(maxBuf)];
}

function lexBound(buf: Buffer): LexBound {
  const c = buf[0];
  if ((c === 43 || c === 45) && buf.length === 1) return { inf: c === 43 ? 1 : -1, excl: false, member: '' };
  if (c === 40 || c === 91) return { inf: 0, excl: c === 40, member: buf.latin1Slice(1, buf.length) };
  throw new RedisError(ERR_LEX_RANGE);
}

export function lexSpan(z: ZsetValue, [min, max]: [LexBound, LexBound]): RankSpan {
  const start = lexPos(z, min, min.excl ? BOUND_LEX_LE : BOUND_LEX_LT);
  const end = lexPos(z, max, max.excl ? BOUND_LEX_LT : BOUND_LEX_LE);
  return { start, end: Math.max(start, end) };
}

function lexPos(z: ZsetValue, b: LexBound, kind: typeof BOUND_LEX_LE | typeof BOUND_LEX_LT): number {
  if (b.inf === -1) return 0;
  if (b.inf === 1) return z.size;
  return z.countBefore(kind, 0, b.member);
}

/** ZRANGE-style start/stop (negative from the end) clamped to the set; empty when reversed. */
export function rankSpan(size: number, start: number, stop: number): RankSpan {
  if (start < 0) start += size;
  if (stop < 0) stop += size;
  if (start < 0) start = 0;
  if (start > stop || start >= size) return { start: 0, end: 0 };
  if (stop >= size) stop = size - 1;
  return { start, end: stop + 1 };
}

/**
 * A blocking timeout in seconds as Redis 7.0 reads it (long double, truncated to ms). Returns
 * ms relative to now, 0 meaning forever.
 */
export function timeoutArg(buf: Buffer, now: number): number {
  const text = buf.latin1Slice(0, buf.length);
  const t = text.replace(/^[ \t\n\v\f\r]+/, '');
  let v: number | undefined;
  if (t.length === text.length && t.length > 0) v = NUMERIC.test(t) ? Number(t) : INFINITY.test(t) ? (t[0] === '-' ? -Infinity : Infinity) : HEX.test(t) ? strtodFull(t) : undefined;
  if (v === undefined) throw new RedisError('ERR timeout is not a float or out of range');
  const ms = Math.trunc(v * 1000);
  // (long long) of an out-of-range value is LLONG_MIN on x86: Redis reports it as negative.
  if (!Number.isFinite(ms) || ms < 0 || ms >= 9223372036854775807) throw new RedisError('ERR timeout is negative');
  if (ms > 9223372036854775807 - now) throw new RedisError('ERR timeout is out of range');
  return ms;
}
