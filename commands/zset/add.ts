/*
 * Single-key reads and writes: ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT
 * ZLEXCOUNT. All are logged as sent (ZADD INCR is deterministic given the stored score).
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_NOT_FLOAT, ERR_SYNTAX, RedisError } from '../../protocol/errors.js';
import { parseDouble } from '../../protocol/numbers.js';
import type { CommandContext } from '../context.js';
import { isWord, keyOf } from '../args.js';
import { ERR_NAN_SCORE, limitsOf, lexSpan, parseLexRange, parseScoreRange, scoreSpan, zsetOf } from './args.js';
import { ZsetValue, type ZsetLimits } from './value.js';
import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../notify.js';

const F_NX = 1;
const F_XX = 2;
const F_GT = 4;
const F_LT = 8;
const F_CH = 16;
const F_INCR = 32;

/** Scores of one ZADD, reused between calls: parsing allocates nothing for small commands. */
let scoreScratch = new Float64Array(64);

export function zaddCommand(c: CommandContext, argv: Argv): void {
  let flags = 0;
  let i = 2;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (isWord(a, 'NX')) flags |= F_NX;
    else if (isWord(a, 'XX')) flags |= F_XX;
    else if (isWord(a, 'GT')) flags |= F_GT;
    else if (isWord(a, 'LT')) flags |= F_LT;
    else if (isWord(a, 'CH')) flags |= F_CH;
    else if (isWord(a, 'INCR')) flags |= F_INCR;
    else break;
  }
  const elements = argv.length - i;
  if (elements === 0 || elements % 2 !== 0) throw new RedisError(ERR_SYNTAX);
  if ((flags & (F_NX | F_XX)) === (F_NX | F_XX)) throw new RedisError('ERR XX and NX options at the same time are not compatible');
  const gtLtNx = ((flags & F_GT) !== 0 ? 1 : 0) + ((flags & F_LT) !== 0 ? 1 : 0) + ((flags & F_NX) !== 0 ? 1 : 0);
  if (gtLtNx > 1) throw new RedisError('ERR GT, LT, and/or NX options at the same time are not compatible');
  if ((flags & F_INCR) !== 0 && elements > 2) throw new RedisError('ERR INCR option supports a single increment-element pair');
  const pairs = elements / 2;
  if (pairs > scoreScratch.length) scoreScratch = new Float64Array(pairs);
  const scores = scoreScratch;
  for (let j = 0; j < pairs; j++) {
    const s = parseDouble(argv[i + j * 2]!);
    if (s === undefined) throw new RedisError(ERR_NOT_FLOAT);
    scores[j] = s;
  }
  zaddGeneric(c, argv, flags, i, pairs, scores);
}

/** ZINCRBY key increment member: ZADD INCR with the same replies. */
export function zincrbyCommand(c: CommandContext, argv: Argv): void {
  const s = parseDouble(argv[2]!);
  if (s === undefined) throw new RedisError(ERR_NOT_FLOAT);
  scoreScratch[0] = s;
  zaddGeneric(c, argv, F_INCR, 2, 1, scoreScratch);
}

function zaddGeneric(c: CommandContext, argv: Argv, flags: number, first: number, pairs: number, scores: Float64Array): void {
  const key = keyOf(argv[1]!);
  const incr = (flags & F_INCR) !== 0;
  let z = zsetOf(c.db.get(key));
  if (z === undefined) {
    if ((flags & F_XX) !== 0) return incr ? c.reply.nullBulk() : c.reply.integer(0);
    z = ZsetValue.create(limitsOf(c), argv[first + 1]!.length);
    c.db.set(key, z);
  }
  // Config is read only when a listpack set grows: ZADD's hot paths (updates, big sets) skip it.
  let limits: ZsetLimits | null = null;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let result = 0;
  for (let j = 0; j < pairs; j++) {
    // A member already in a 'skiplist' set is found by its bytes and used as stored: no string
    // made, and the tree finds the very same string object.
    const arg = argv[first + j * 2 + 1]!;
    const slot = z.slotOfBytes(arg);
    const member = slot >= 0 ? z.memberAt(slot) : keyOf(arg);
    let score = scores[j]!;
    const cur = slot >= 0 ? z.scoreAtSlot(slot) : z.isListpack ? z.score(member) : undefined;
    if (cur !== undefined) {
      if ((flags & F_NX) !== 0) continue;
      if (incr) {
        score += cur;
        if (Number.isNaN(score)) throw new RedisError(ERR_NAN_SCORE);
      }
      if (((flags & F_LT) !== 0 && score >= cur) || ((flags & F_GT) !== 0 && score <= cur)) continue;
      processed++;
      result = score;
      if (score !== cur) {
        if (slot >= 0) z.updateScoreAtSlot(slot, member, cur, score);
        else z.updateScore(member, cur, score);
        updated++;
      }
    } else {
      if ((flags & F_XX) !== 0) continue;
      processed++;
      result = score;
      // Convert before inserting, as zsetAdd does: the member that crosses a limit goes into the
      // skiplist and keeps a -0 score, which a listpack would store as 0.
      if (z.isListpack) {
        limits ??= limitsOf(c);
        if (z.size + 1 > limits.entries || member.length > limits.value) z.convert();
      }
      z.insertNew(member, score);
      added++;
    }
  }
  c.dirty += added + updated;
  if (added + updated > 0) c.notify(NOTIFY_ZSET, incr ? 'zincr' : 'zadd', argv[1]!);
  if (incr) {
    if (processed > 0) c.reply.double(result);
    else c.reply.nullBulk();
    return;
  }
  c.reply.integer((flags & F_CH) !== 0 ? added + updated : added);
}

export function zremCommand(c: CommandContext, argv: Argv): void {
  const key = keyOf(argv[1]!);
  const z = zsetOf(c.db.get(key));
  if (z === undefined) return c.reply.integer(0);
  let deleted = 0;
  for (let i = 2; i < argv.length; i++) {
    if (z.remove(keyOf(argv[i]!))) deleted++;
    if (z.size === 0) break;
  }
  const emptied = z.size === 0;
  if (emptied) c.db.delete(key);
  c.dirty += deleted;
  if (deleted > 0) {
    c.notify(NOTIFY_ZSET, 'zrem', argv[1]!);
    if (emptied) c.notify(NOTIFY_GENERIC, 'del', argv[1]!);
  }
  c.reply.integer(deleted);
}

export function zcardCommand(c: CommandContext, argv: Argv): void {
  const z = zsetOf(c.db.get(keyOf(argv[1]!)));
  c.reply.integer(z === undefined ? 0 : z.size);
}

export function zscoreCommand(c: CommandContext, argv: Argv): void {
  const z = zsetOf(c.db.get(keyOf(argv[1]!)));
  const s = z?.score(keyOf(argv[2]!));
  if (s === undefined) return c.reply.nullBulk();
  c.reply.double(s);
}

export function zmscoreCommand(c: CommandContext, argv: Argv): void {
  const z = zsetOf(c.db.get(keyOf(argv[1]!)));
  c.reply.arrayLen(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const s = z?.score(keyOf(argv[i]!));
    if (s === undefined) c.reply.nullBulk();
    else c.reply.double(s);
  }
}

export function zrankCommand(c: CommandContext, argv: Argv): void {
  zrankGeneric(c, argv, false);
}

export function zrevrankCommand(c: CommandContext, argv: Argv): void {
  zrankGeneric(c, argv, true);
}

/** ZRANK/ZREVRANK key member [WITHSCORE] (WITHSCORE is Redis 7.2). */
function zrankGeneric(c: CommandContext, argv: Argv, rev: boolean): void {
  if (argv.length > 4) throw new RedisError(`ERR wrong number of arguments for '${rev ? 'zrevrank' : 'zrank'}' command`);
  const withScore = argv.length === 4;
  if (withScore && !isWord(argv[3]!, 'WITHSCORE')) throw new RedisError(ERR_SYNTAX);
  const z = zsetOf(c.db.get(keyOf(argv[1]!)));
  const member = keyOf(argv[2]!);
  const score = z?.score(member);
  if (z === undefined || score === undefined) return withScore ? c.reply.nullArray() : c.reply.nullBulk();
  const r = z.rankOf(member, score);
  const rank = rev ? z.size - 1 - r : r;
  if (!withScore) return c.reply.integer(rank);
  c.reply.arrayLen(2);
  c.reply.integer(rank);
  c.reply.double(score);
}

export function zcountCommand(c: CommandContext, argv: Argv): void {
  const range = parseScoreRange(argv[2]!, argv[3]!);
  const z = zsetOf(c.db.get(keyOf(argv[1]!)));
  if (z === undefined) return c.reply.integer(0);
  const span = scoreSpan(z, range);
  c.reply.integer(span.end - span.start);
}

export function zlexcountCommand(c: CommandContext, argv: Argv): void {
  const range = parseLexRange(argv[2]!, argv[3]!);
  const z = zsetOf(c.db.get(keyOf(argv[1]!)));
  if (z === undefined) return c.reply.integer(0);
  const span = lexSpan(z, range);
  c.reply.integer(span.end - span.start);
}
