/*
 * Both ends of a list: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LMPOP, and the pop bodies the blocking
 * variants share. LMPOP (and BLMPOP) are logged as `LPOP|RPOP key count` with the number actually
 * popped, as Redis 7 does, so replay needs no list of keys.
 */
import type { CommandContext } from '../context.js';
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_SYNTAX, RedisError, errWrongArity } from '../../protocol/errors.js';
import { parseLong } from '../../protocol/numbers.js';
import { isWord, keyOf, valueOf } from '../args.js';
import { ListValue } from './value.js';
import {
  LIST_HEAD, LIST_TAIL, type Where, afterRemoval, argBytes, listFill, listOrNone, popEvent, popOne, whereArg,
} from './common.js';
import { NOTIFY_LIST } from '../notify.js';

const ERR_POSITIVE = 'ERR value is out of range, must be positive';
const ERR_NUMKEYS = 'ERR numkeys should be greater than 0';
const ERR_COUNT = 'ERR count should be greater than 0';
export const LPOP = Buffer.from('LPOP');
export const RPOP = Buffer.from('RPOP');

function pushGeneric(c: CommandContext, argv: Argv, where: Where, onlyExisting: boolean): void {
  const key = keyOf(argv[1]!);
  let list = listOrNone(c, key);
  const created = list === undefined;
  if (list === undefined) {
    if (onlyExisting) return c.reply.integer(0);
    list = new ListValue();
  }
  list.willGrow(listFill(c), argBytes(argv, 2), argv.length - 2);
  if (where === LIST_HEAD) for (let i = 2; i < argv.length; i++) list.pushHead(valueOf(argv[i]!));
  else for (let i = 2; i < argv.length; i++) list.pushTail(valueOf(argv[i]!));
  // Stored only once filled, so clients blocked on the key find elements when they are woken.
  if (created) c.db.set(key, list);
  c.dirty += argv.length - 2;
  c.notify(NOTIFY_LIST, where === LIST_HEAD ? 'lpush' : 'rpush', argv[1]!);
  c.reply.integer(list.length);
}

export function lpushCommand(c: CommandContext, argv: Argv): void {
  pushGeneric(c, argv, LIST_HEAD, false);
}

export function rpushCommand(c: CommandContext, argv: Argv): void {
  pushGeneric(c, argv, LIST_TAIL, false);
}

export function lpushxCommand(c: CommandContext, argv: Argv): void {
  pushGeneric(c, argv, LIST_HEAD, true);
}

export function rpushxCommand(c: CommandContext, argv: Argv): void {
  pushGeneric(c, argv, LIST_TAIL, true);
}

/** LPOP/RPOP key [count]: a bulk without count, an array with it (nil array for a missing key). */
function popGeneric(c: CommandContext, argv: Argv, where: Where, name: string): void {
  if (argv.length > 3) throw new RedisError(errWrongArity(name));
  let count = -1;
  if (argv.length === 3) {
    const n = parseLong(argv[2]!);
    if (n === undefined || n < 0) throw new RedisError(ERR_POSITIVE);
    count = n;
  }
  const key = keyOf(argv[1]!);
  const list = listOrNone(c, key);
  if (list === undefined) return count === -1 ? c.reply.nullBulk() : c.reply.nullArray();
  if (count === -1) {
    const s = popOne(list, where);
    c.notify(NOTIFY_LIST, popEvent(where), argv[1]!);
    afterRemoval(c, key, list);
    c.dirty++;
    return c.reply.bulk(s);
  }
  if (count === 0) return c.reply.arrayLen(0);
  popRangeReply(c, key, list, where, count);
}

/** Pops up to count elements and replies with them as an array; the key goes when emptied. */
function popRangeReply(c: CommandContext, key: string, list: ListValue, where: Where, count: number): number {
  const n = Math.min(count, list.length);
  c.reply.arrayLen(n);
  for (let i = 0; i < n; i++) c.reply.bulk(popOne(list, where));
  c.notify(NOTIFY_LIST, popEvent(where), key);
  afterRemoval(c, key, list);
  c.dirty += n;
  return n;
}

export function lpopCommand(c: CommandContext, argv: Argv): void {
  popGeneric(c, argv, LIST_HEAD, 'lpop');
}

export function rpopCommand(c: CommandContext, argv: Argv): void {
  popGeneric(c, argv, LIST_TAIL, 'rpop');
}

export interface MpopArgs {
  readonly first: number;
  readonly numkeys: number;
  readonly where: Where;
  readonly count: number;
}

/** Parses `numkeys key [key ...] LEFT|RIGHT [COUNT count]` starting at argv[at], Redis 7.0's order. */
export function parseMpop(argv: Argv, at: number): MpopArgs {
  const numkeys = parseLong(argv[at]!);
  if (numkeys === undefined || numkeys < 1) throw new RedisError(ERR_NUMKEYS);
  const whereIdx = at + numkeys + 1;
  if (whereIdx >= argv.length) throw new RedisError(ERR_SYNTAX);
  const where = whereArg(argv[whereIdx]!);
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && isWord(argv[j]!, 'COUNT') && j + 1 < argv.length) {
      const n = parseLong(argv[++j]!);
      if (n === undefined || n < 1) throw new RedisError(ERR_COUNT);
      count = n;
    } else throw new RedisError(ERR_SYNTAX);
  }
  return { first: at + 1, numkeys, where, count: count === -1 ? 1 : count };
}

/**
 * Serves an [B]LMPOP from the first non-empty list among its keys: replies [key, [elements]] and
 * logs `LPOP|RPOP key n`. Returns false, having replied nothing, when every key is missing.
 * A key of another type met first is a WRONGTYPE error.
 */
export function mpopServe(c: CommandContext, argv: Argv, a: MpopArgs): boolean {
  for (let i = a.first; i < a.first + a.numkeys; i++) {
    const key = keyOf(argv[i]!);
    const list = listOrNone(c, key);
    if (list === undefined) continue;
    c.reply.arrayLen(2);
    c.reply.bulk(argv[i]!);
    const n = popRangeReply(c, key, list, a.where, a.count);
    c.propagateAs([a.where === LIST_HEAD ? LPOP : RPOP, argv[i]!, Buffer.from(String(n))]);
    return true;
  }
  return false;
}

export function lmpopCommand(c: CommandContext, argv: Argv): void {
  const a = parseMpop(argv, 1);
  if (!mpopServe(c, argv, a)) c.reply.nullArray();
}

/** COMMAND GETKEYS for LMPOP (numkeys at 1) and BLMPOP (numkeys at 2). */
export function mpopKeys(at: number): (argv: Argv) => number[] {
  return (argv) => {
    const n = argv[at] === undefined ? undefined : parseLong(argv[at]!);
    const out: number[] = [];
    if (n === undefined) return out;
    for (let i = at + 1; i <= at + n && i < argv.length; i++) out.push(i);
    return out;
  };
}
