/*
 * Positions inside a list: LLEN LRANGE LINDEX LSET LINSERT LREM LTRIM LPOS. Indexes are int64s,
 * negative from the tail, normalised as Redis does. Argument and key checks follow Redis 7.0's
 * order (LINDEX and LSET look the key up before parsing the index; LRANGE, LTRIM, LREM parse first).
 */
import type { CommandContext } from '../context.js';
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_NO_SUCH_KEY, ERR_SYNTAX, RedisError } from '../../protocol/errors.js';
import { parseLong } from '../../protocol/numbers.js';
import { isWord, keyOf, longArg, valueOf } from '../args.js';
import { afterRemoval, argBytes, listFill, listOrNone } from './common.js';
import { NOTIFY_LIST } from '../notify.js';

const ERR_INDEX = 'ERR index out of range';
const ERR_RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
const ERR_COUNT_NEGATIVE = "ERR COUNT can't be negative";
const ERR_MAXLEN_NEGATIVE = "ERR MAXLEN can't be negative";
const LLONG_MIN = -(2 ** 63);

export function llenCommand(c: CommandContext, argv: Argv): void {
  const list = listOrNone(c, keyOf(argv[1]!));
  c.reply.integer(list === undefined ? 0 : list.length);
}

/** [start, end] clamped into the list, or null for an empty range (Redis's LRANGE/LTRIM rule). */
function clampRange(start: number, end: number, len: number): [number, number] | null {
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return null;
  return [start, end >= len ? len - 1 : end];
}

export function lrangeCommand(c: CommandContext, argv: Argv): void {
  const start = longArg(argv[2]!);
  const end = longArg(argv[3]!);
  const list = listOrNone(c, keyOf(argv[1]!));
  if (list === undefined) return c.reply.arrayLen(0);
  const r = clampRange(start, end, list.length);
  if (r === null) return c.reply.arrayLen(0);
  const items = list.range(r[0], r[1]);
  c.reply.arrayLen(items.length);
  for (const s of items) c.reply.bulk(s);
}

export function lindexCommand(c: CommandContext, argv: Argv): void {
  const list = listOrNone(c, keyOf(argv[1]!));
  if (list === undefined) return c.reply.nullBulk();
  let index = longArg(argv[2]!);
  if (index < 0) index += list.length;
  if (index < 0 || index >= list.length) return c.reply.nullBulk();
  c.reply.bulk(list.at(index));
}

export function lsetCommand(c: CommandContext, argv: Argv): void {
  const list = listOrNone(c, keyOf(argv[1]!));
  if (list === undefined) return c.reply.error(ERR_NO_SUCH_KEY);
  let index = longArg(argv[2]!);
  if (index < 0) index += list.length;
  if (index < 0 || index >= list.length) return c.reply.error(ERR_INDEX);
  const fill = listFill(c);
  list.willGrow(fill, argBytes(argv, 3, 3), 1);
  list.setAt(index, valueOf(argv[3]!));
  list.shrunk(fill);
  c.dirty++;
  c.notify(NOTIFY_LIST, 'lset', argv[1]!);
  c.reply.ok();
}

export function linsertCommand(c: CommandContext, argv: Argv): void {
  let after: boolean;
  if (isWord(argv[2]!, 'AFTER')) after = true;
  else if (isWord(argv[2]!, 'BEFORE')) after = false;
  else return c.reply.error(ERR_SYNTAX);
  const list = listOrNone(c, keyOf(argv[1]!));
  if (list === undefined) return c.reply.integer(0);
  const pivot = valueOf(argv[3]!);
  let found = -1;
  list.forEach((s, i) => {
    if (s !== pivot) return true;
    found = i;
    return false;
  });
  if (found < 0) return c.reply.integer(-1);
  list.willGrow(listFill(c), argBytes(argv, 4, 4), 1);
  list.insertAt(after ? found + 1 : found, valueOf(argv[4]!));
  c.dirty++;
  c.notify(NOTIFY_LIST, 'linsert', argv[1]!);
  c.reply.integer(list.length);
}

export function lremCommand(c: CommandContext, argv: Argv): void {
  const toRemove = longArg(argv[2]!);
  const key = keyOf(argv[1]!);
  const list = listOrNone(c, key);
  if (list === undefined) return c.reply.integer(0);
  const target = valueOf(argv[3]!);
  const removed = list.removeWhere((s) => s === target, Math.abs(toRemove), toRemove < 0);
  if (removed > 0) {
    c.notify(NOTIFY_LIST, 'lrem', argv[1]!);
    afterRemoval(c, key, list);
    c.dirty += removed;
  }
  c.reply.integer(removed);
}

export function ltrimCommand(c: CommandContext, argv: Argv): void {
  const start = longArg(argv[2]!);
  const end = longArg(argv[3]!);
  const key = keyOf(argv[1]!);
  const list = listOrNone(c, key);
  if (list === undefined) return c.reply.ok();
  const len = list.length;
  const r = clampRange(start, end, len);
  const removed = r === null ? len : len - (r[1] - r[0] + 1);
  if (r === null) list.trim(len, len - 1);
  else list.trim(r[0], r[1]);
  // Redis announces ltrim even when nothing was trimmed.
  c.notify(NOTIFY_LIST, 'ltrim', argv[1]!);
  afterRemoval(c, key, list);
  // Redis adds the removed count to dirty, so an LTRIM that removes nothing is not logged.
  c.dirty += removed;
  c.reply.ok();
}

/** A positive int64 option of LPOS; a non-integer gets the same text as a negative one. */
function positiveArg(buf: Buffer, message: string): number {
  const v = parseLong(buf);
  if (v === undefined || v < 0) throw new RedisError(message);
  return v;
}

export function lposCommand(c: CommandContext, argv: Argv): void {
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!;
    const more = j + 1 < argv.length;
    if (more && isWord(opt, 'RANK')) {
      rank = longArg(argv[++j]!);
      if (rank === 0) throw new RedisError(ERR_RANK_ZERO);
    } else if (more && isWord(opt, 'COUNT')) {
      count = positiveArg(argv[++j]!, ERR_COUNT_NEGATIVE);
    } else if (more && isWord(opt, 'MAXLEN')) {
      maxlen = positiveArg(argv[++j]!, ERR_MAXLEN_NEGATIVE);
    } else throw new RedisError(ERR_SYNTAX);
  }
  const reverse = rank < 0;
  // Redis negates RANK in a C long: LLONG_MIN stays negative, so every match qualifies.
  const skip = rank === LLONG_MIN ? 0 : Math.abs(rank) - 1;
  const list = listOrNone(c, keyOf(argv[1]!));
  if (list === undefined) return count === -1 ? c.reply.nullBulk() : c.reply.arrayLen(0);
  const target = valueOf(argv[2]!);
  const found: number[] = [];
  let matches = 0;
  let scanned = 0;
  list.forEach((s, i) => {
    if (maxlen !== 0 && scanned >= maxlen) return false;
    scanned++;
    if (s !== target || matches++ < skip) return true;
    found.push(i);
    return count === -1 ? false : count === 0 || found.length < count;
  }, reverse);
  if (count === -1) {
    if (found.length === 0) return c.reply.nullBulk();
    return c.reply.integer(found[0]!);
  }
  c.reply.arrayLen(found.length);
  for (const i of found) c.reply.integer(i);
}
