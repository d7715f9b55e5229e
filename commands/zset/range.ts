/*
 * Range reads and removals: ZRANGE (BYSCORE BYLEX REV LIMIT WITHSCORES), ZRANGESTORE, the legacy
 * ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZREVRANGE, and ZREMRANGEBYRANK
 * ZREMRANGEBYSCORE ZREMRANGEBYLEX. Option parsing and its error order follow Redis 7.0's
 * zrangeGenericCommand: options, conflicts, the range, then the key.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_SYNTAX, RedisError } from '../../protocol/errors.js';
import type { CommandContext } from '../context.js';
import { isWord, keyOf, longArg } from '../args.js';
import {
  type RankSpan, limitsOf, lexSpan, parseLexRange, parseScoreRange, rankSpan, scoreSpan, zsetOf,
} from './args.js';
import { replyRange } from './reply.js';
import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../notify.js';
import { zsetForResult, type ZsetValue } from './value.js';

const BY_AUTO = 0;
const BY_RANK = 1;
const BY_SCORE = 2;
const BY_LEX = 3;
const DIR_AUTO = 0;
const DIR_FWD = 1;
const DIR_REV = 2;

export function zrangeCommand(c: CommandContext, argv: Argv): void {
  zrangeGeneric(c, argv, 1, BY_AUTO, DIR_AUTO, false);
}
export function zrangestoreCommand(c: CommandContext, argv: Argv): void {
  zrangeGeneric(c, argv, 2, BY_AUTO, DIR_AUTO, true);
}
export function zrevrangeCommand(c: CommandContext, argv: Argv): void {
  zrangeGeneric(c, argv, 1, BY_RANK, DIR_REV, false);
}
export function zrangebyscoreCommand(c: CommandContext, argv: Argv): void {
  zrangeGeneric(c, argv, 1, BY_SCORE, DIR_FWD, false);
}
export function zrevrangebyscoreCommand(c: CommandContext, argv: Argv): void {
  zrangeGeneric(c, argv, 1, BY_SCORE, DIR_REV, false);
}
export function zrangebylexCommand(c: CommandContext, argv: Argv): void {
  zrangeGeneric(c, argv, 1, BY_LEX, DIR_FWD, false);
}
export function zrevrangebylexCommand(c: CommandContext, argv: Argv): void {
  zrangeGeneric(c, argv, 1, BY_LEX, DIR_REV, false);
}

/** `src` is the index of the source key; ranges follow it (min at src+1, max at src+2). */
function zrangeGeneric(c: CommandContext, argv: Argv, src: number, by: number, dir: number, store: boolean): void {
  let withScores = false;
  let offset = 0;
  let limit = -1;
  let hasLimit = false;
  for (let j = src + 3; j < argv.length; j++) {
    const a = argv[j]!;
    const left = argv.length - j - 1;
    if (!store && isWord(a, 'WITHSCORES')) withScores = true;
    else if (isWord(a, 'LIMIT') && left >= 2) {
      offset = longArg(argv[j + 1]!);
      limit = longArg(argv[j + 2]!);
      hasLimit = true;
      j += 2;
    } else if (dir === DIR_AUTO && isWord(a, 'REV')) dir = DIR_REV;
    else if (by === BY_AUTO && isWord(a, 'BYLEX')) by = BY_LEX;
    else if (by === BY_AUTO && isWord(a, 'BYSCORE')) by = BY_SCORE;
    else throw new RedisError(ERR_SYNTAX);
  }
  if (dir === DIR_AUTO) dir = DIR_FWD;
  if (by === BY_AUTO) by = BY_RANK;
  if (hasLimit && limit !== -1 && by === BY_RANK) {
    throw new RedisError('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  }
  if (withScores && by === BY_LEX) throw new RedisError('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  const rev = dir === DIR_REV;
  let minIdx = src + 1;
  let maxIdx = src + 2;
  if (rev && by !== BY_RANK) {
    minIdx = src + 2;
    maxIdx = src + 1;
  }
  let rankStart = 0;
  let rankStop = 0;
  let scoreRange: [number, boolean, number, boolean] | null = null;
  let lexRange: ReturnType<typeof parseLexRange> | null = null;
  if (by === BY_RANK) {
    rankStart = longArg(argv[minIdx]!);
    rankStop = longArg(argv[maxIdx]!);
  } else if (by === BY_SCORE) {
    scoreRange = parseScoreRange(argv[minIdx]!, argv[maxIdx]!);
  } else {
    lexRange = parseLexRange(argv[minIdx]!, argv[maxIdx]!);
  }
  // lookupRead: ZRANGESTORE is a write command whose source Redis still reads for reading.
  const z = zsetOf(c.db.lookupRead(keyOf(argv[src]!)));
  let span: RankSpan = { start: 0, end: 0 };
  if (z !== undefined) {
    if (by === BY_RANK) {
      // Reverse ranks count from the top: rank r of ZREVRANGE is ascending rank size-1-r.
      const s = rankSpan(z.size, rankStart, rankStop);
      span = rev && s.end > s.start ? { start: z.size - s.end, end: z.size - s.start } : s;
    } else {
      span = by === BY_SCORE ? scoreSpan(z, scoreRange!) : lexSpan(z, lexRange!);
      span = applyLimit(span, z.size, offset, limit, rev);
    }
  }
  if (store) return storeRange(c, keyOf(argv[1]!), z, span);
  if (z === undefined) return c.reply.arrayLen(0);
  replyRange(c.reply, z, span.start, span.end, rev, withScores);
}

/** LIMIT offset count over a span walked forwards or (rev) backwards; negative offset is empty. */
function applyLimit(span: RankSpan, size: number, offset: number, limit: number, rev: boolean): RankSpan {
  if (offset < 0 || (offset > 0 && offset >= size)) return { start: 0, end: 0 };
  let n = span.end - span.start - offset;
  if (n <= 0) return { start: 0, end: 0 };
  if (limit >= 0 && limit < n) n = limit;
  return rev ? { start: span.end - offset - n, end: span.end - offset } : { start: span.start + offset, end: span.start + offset + n };
}

function storeRange(c: CommandContext, dst: string, z: ZsetValue | undefined, span: RankSpan): void {
  const n = span.end - span.start;
  if (z === undefined || n <= 0) {
    if (c.db.delete(dst)) {
      c.dirty++;
      c.notify(NOTIFY_GENERIC, 'del', dst);
    }
    return c.reply.integer(0);
  }
  // As Redis 7.0's zrangeResultBeginStore: the encoding is chosen by count alone, and a member
  // too long for a listpack converts the set when it is added (so only the members before it lose
  // a -0 score to the listpack's text form).
  const limits = limitsOf(c);
  const out = zsetForResult(limits, n, 0);
  const it = z.cursor(span.start);
  for (let k = 0; k < n; k++, it.next()) {
    if (out.isListpack && it.member.length > limits.value) out.convert();
    out.insertNew(it.member, it.score);
  }
  c.db.set(dst, out);
  c.dirty++;
  c.notify(NOTIFY_ZSET, 'zrangestore', dst);
  c.reply.integer(n);
}

export function zremrangebyrankCommand(c: CommandContext, argv: Argv): void {
  const start = longArg(argv[2]!);
  const stop = longArg(argv[3]!);
  const key = keyOf(argv[1]!);
  const z = zsetOf(c.db.get(key));
  if (z === undefined) return c.reply.integer(0);
  removeSpan(c, key, z, rankSpan(z.size, start, stop), 'zremrangebyrank');
}

export function zremrangebyscoreCommand(c: CommandContext, argv: Argv): void {
  const range = parseScoreRange(argv[2]!, argv[3]!);
  const key = keyOf(argv[1]!);
  const z = zsetOf(c.db.get(key));
  if (z === undefined) return c.reply.integer(0);
  removeSpan(c, key, z, scoreSpan(z, range), 'zremrangebyscore');
}

export function zremrangebylexCommand(c: CommandContext, argv: Argv): void {
  const range = parseLexRange(argv[2]!, argv[3]!);
  const key = keyOf(argv[1]!);
  const z = zsetOf(c.db.get(key));
  if (z === undefined) return c.reply.integer(0);
  removeSpan(c, key, z, lexSpan(z, range), 'zremrangebylex');
}

const popped = { member: '', score: 0 };

function removeSpan(c: CommandContext, key: string, z: ZsetValue, span: RankSpan, event: string): void {
  const n = span.end - span.start;
  for (let k = 0; k < n; k++) z.popRank(span.start, popped);
  const emptied = z.size === 0;
  if (emptied) c.db.delete(key);
  c.dirty += n;
  if (n > 0) {
    c.notify(NOTIFY_ZSET, event, key);
    if (emptied) c.notify(NOTIFY_GENERIC, 'del', key);
  }
  c.reply.integer(n);
}
