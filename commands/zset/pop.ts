/*
 * Pops and random picks: ZPOPMIN ZPOPMAX ZMPOP, the blocking BZPOPMIN BZPOPMAX BZMPOP, and
 * ZRANDMEMBER.
 *
 * Logging, as Redis 7.0: ZPOPMIN/ZPOPMAX as sent; BZPOPMIN/BZPOPMAX as `ZPOPMIN key` (no count);
 * ZMPOP and BZMPOP as `ZPOPMIN key count` (count defaults to 1). A blocked client served later
 * runs the command again (blockOnKeys), which logs the same rewritten form.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import type { ReplyWriter } from '../../protocol/reply-writer.js';
import { ERR_SYNTAX, RedisError } from '../../protocol/errors.js';
import { parseLong } from '../../protocol/numbers.js';
import type { CommandContext } from '../context.js';
import { isWord, keyOf, longArg } from '../args.js';
import { ERR_POSITIVE, timeoutArg, zsetOf } from './args.js';
import { replyRange } from './reply.js';
import type { ZsetValue } from './value.js';
import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../notify.js';

const ZPOPMIN = Buffer.from('ZPOPMIN');
const ZPOPMAX = Buffer.from('ZPOPMAX');
const popped = { member: '', score: 0 };

/** Reply shapes of genericZpop: plain ZPOP, BZPOP (key first), ZMPOP (key, nested pairs). */
const SHAPE_ZPOP = 0;
const SHAPE_BZPOP = 1;
const SHAPE_ZMPOP = 2;

export function zpopminCommand(c: CommandContext, argv: Argv): void {
  zpopMinMax(c, argv, false);
}
export function zpopmaxCommand(c: CommandContext, argv: Argv): void {
  zpopMinMax(c, argv, true);
}

function zpopMinMax(c: CommandContext, argv: Argv, max: boolean): void {
  if (argv.length > 3) throw new RedisError(ERR_SYNTAX);
  let count = -1;
  if (argv.length === 3) {
    // getPositiveLongFromObjectOrReply: one text for a non-integer and a negative count.
    const v = parseLong(argv[2]!);
    if (v === undefined || v < 0) throw new RedisError(ERR_POSITIVE);
    count = v;
  }
  const key = keyOf(argv[1]!);
  const z = zsetOf(c.db.get(key));
  if (z === undefined || count === 0) return c.reply.arrayLen(0);
  popGeneric(c, key, argv[1]!, z, max, count === -1 ? 1 : count, SHAPE_ZPOP, count !== -1 && c.reply.resp === 3);
}

/**
 * Pops up to count elements from the zset at key and replies in the given shape. The caller has
 * checked the key holds a non-empty zset.
 */
function popGeneric(c: CommandContext, key: string, keyArg: Buffer, z: ZsetValue, max: boolean, count: number, shape: number, nested: boolean): void {
  const n = count > z.size ? z.size : count;
  const reply = c.reply;
  if (shape === SHAPE_ZPOP) reply.arrayLen(nested ? n : n * 2);
  else if (shape === SHAPE_BZPOP) {
    reply.arrayLen(n * 2 + 1);
    reply.bulk(keyArg);
  } else {
    reply.arrayLen(2);
    reply.bulk(keyArg);
    reply.arrayLen(n);
  }
  for (let k = 0; k < n; k++) {
    z.popRank(max ? z.size - 1 : 0, popped);
    if (nested) reply.arrayLen(2);
    reply.bulk(popped.member);
    reply.double(popped.score);
  }
  c.dirty += n;
  // Redis announces the pop (once, whatever the count) before the del of an emptied key.
  c.notify(NOTIFY_ZSET, max ? 'zpopmax' : 'zpopmin', key);
  if (z.size === 0) {
    c.db.delete(key);
    c.notify(NOTIFY_GENERIC, 'del', key);
  }
}

/** ZMPOP/BZMPOP arguments after numkeys: [keys start, keys end, max, count]. */
function parseMpop(argv: Argv, numkeysIdx: number): [number, number, boolean, number] {
  const numkeys = parseLong(argv[numkeysIdx]!);
  if (numkeys === undefined || numkeys < 1) {
    throw new RedisError('ERR numkeys should be greater than 0');
  }
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) throw new RedisError(ERR_SYNTAX);
  const w = argv[whereIdx]!;
  let max: boolean;
  if (isWord(w, 'MIN')) max = false;
  else if (isWord(w, 'MAX')) max = true;
  else throw new RedisError(ERR_SYNTAX);
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && isWord(argv[j]!, 'COUNT') && j + 1 < argv.length) {
      const v = parseLong(argv[++j]!);
      if (v === undefined || v < 1) throw new RedisError('ERR count should be greater than 0');
      count = v;
    } else {
      throw new RedisError(ERR_SYNTAX);
    }
  }
  return [numkeysIdx + 1, whereIdx, max, count === -1 ? 1 : count];
}

export function zmpopCommand(c: CommandContext, argv: Argv): void {
  const [first, end, max, count] = parseMpop(argv, 1);
  for (let i = first; i < end; i++) {
    const key = keyOf(argv[i]!);
    const z = zsetOf(c.db.get(key));
    if (z === undefined) continue;
    popGeneric(c, key, argv[i]!, z, max, count, SHAPE_ZMPOP, true);
    c.propagateAs([max ? ZPOPMAX : ZPOPMIN, argv[i]!, Buffer.from(String(count))]);
    return;
  }
  c.reply.nullArray();
}

export function bzpopminCommand(c: CommandContext, argv: Argv): void {
  bzpopGeneric(c, argv, false);
}
export function bzpopmaxCommand(c: CommandContext, argv: Argv): void {
  bzpopGeneric(c, argv, true);
}

function replyNullArray(reply: ReplyWriter): void {
  reply.nullArray();
}

function bzpopGeneric(c: CommandContext, argv: Argv, max: boolean): void {
  const timeout = timeoutArg(argv[argv.length - 1]!, c.now());
  const keys: string[] = [];
  for (let i = 1; i < argv.length - 1; i++) {
    const key = keyOf(argv[i]!);
    const z = zsetOf(c.db.get(key));
    if (z === undefined) {
      keys.push(key);
      continue;
    }
    popGeneric(c, key, argv[i]!, z, max, 1, SHAPE_BZPOP, false);
    c.propagateAs([max ? ZPOPMAX : ZPOPMIN, argv[i]!]);
    return;
  }
  c.blockOnKeys(keys, timeout, replyNullArray);
}

export function bzmpopCommand(c: CommandContext, argv: Argv): void {
  const [first, end, max, count] = parseMpop(argv, 2);
  const timeout = timeoutArg(argv[1]!, c.now());
  const keys: string[] = [];
  for (let i = first; i < end; i++) {
    const key = keyOf(argv[i]!);
    const z = zsetOf(c.db.get(key));
    if (z === undefined) {
      keys.push(key);
      continue;
    }
    popGeneric(c, key, argv[i]!, z, max, count, SHAPE_ZMPOP, true);
    c.propagateAs([max ? ZPOPMAX : ZPOPMIN, argv[i]!, Buffer.from(String(count))]);
    return;
  }
  c.blockOnKeys(keys, timeout, replyNullArray);
}

const LONG_MAX = 9223372036854775807;

export function zrandmemberCommand(c: CommandContext, argv: Argv): void {
  if (argv.length === 2) {
    const z = zsetOf(c.db.get(keyOf(argv[1]!)));
    if (z === undefined) return c.reply.nullBulk();
    return c.reply.bulk(z.randomMember()!);
  }
  const count = longArg(argv[2]!);
  if (count < -LONG_MAX) throw new RedisError('ERR value is out of range');
  if (argv.length > 4 || (argv.length === 4 && !isWord(argv[3]!, 'WITHSCORES'))) throw new RedisError(ERR_SYNTAX);
  const withScores = argv.length === 4;
  if (withScores && (count < -LONG_MAX / 2 || count > LONG_MAX / 2)) throw new RedisError('ERR value is out of range');
  const z = zsetOf(c.db.get(keyOf(argv[1]!)));
  if (z === undefined || count === 0) return c.reply.arrayLen(0);
  const reply = c.reply;
  const nested = withScores && reply.resp === 3;
  if (count < 0) {
    const n = -count;
    reply.arrayLen(withScores && !nested ? n * 2 : n);
    const cur = z.cursor(0);
    for (let k = 0; k < n; k++) {
      z.seek(Math.floor(Math.random() * z.size), cur);
      if (nested) reply.arrayLen(2);
      reply.bulk(cur.member);
      if (withScores) reply.double(cur.score);
    }
    return;
  }
  if (count >= z.size) return replyRange(reply, z, 0, z.size, false, withScores);
  // Distinct ranks: sample when few are wanted, otherwise drop random ranks from the whole set.
  const ranks: number[] = [];
  if (count * 2 <= z.size) {
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(Math.floor(Math.random() * z.size));
    for (const r of chosen) ranks.push(r);
  } else {
    for (let r = 0; r < z.size; r++) ranks.push(r);
    for (let k = ranks.length - 1; k > 0; k--) {
      const j = Math.floor(Math.random() * (k + 1));
      const t = ranks[k]!;
      ranks[k] = ranks[j]!;
      ranks[j] = t;
    }
    ranks.length = count;
  }
  reply.arrayLen(withScores && !nested ? count * 2 : count);
  const cur = z.cursor(0);
  for (const r of ranks) {
    z.seek(r, cur);
    if (nested) reply.arrayLen(2);
    reply.bulk(cur.member);
    if (withScores) reply.double(cur.score);
  }
}
