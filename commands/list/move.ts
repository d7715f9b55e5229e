/*
 * LMOVE and RPOPLPUSH, and the move body BLMOVE/BRPOPLPUSH share. The source is popped before the
 * destination is pushed, so with source == destination the list rotates and is never deleted.
 * The blocking forms are logged as their plain forms (BLMOVE -> LMOVE, BRPOPLPUSH -> RPOPLPUSH).
 */
import type { CommandContext } from '../context.js';
import type { Argv } from '../../protocol/resp-parser.js';
import { keyOf } from '../args.js';
import { ListValue } from './value.js';
import { NOTIFY_LIST } from '../notify.js';
import { LIST_HEAD, LIST_TAIL, type Where, afterRemoval, listFill, listOrNone, popEvent, popOne, pushOne, whereArg } from './common.js';

/**
 * Moves one element from the list at argv[1] to argv[2] and replies with it. Returns false, having
 * replied nothing, when the source does not exist. WRONGTYPE for either key before any change.
 */
export function moveServe(c: CommandContext, argv: Argv, from: Where, to: Where): boolean {
  const srcKey = keyOf(argv[1]!);
  const src = listOrNone(c, srcKey);
  if (src === undefined) return false;
  const dstKey = keyOf(argv[2]!);
  let dst = listOrNone(c, dstKey);
  const value = popOne(src, from);
  const created = dst === undefined;
  if (dst === undefined) dst = new ListValue();
  dst.willGrow(listFill(c), value.length, 1);
  pushOne(dst, to, value);
  if (created) c.db.set(dstKey, dst);
  // Redis's order: the push on the destination, then the pop on the source, then its del.
  c.notify(NOTIFY_LIST, to === LIST_HEAD ? 'lpush' : 'rpush', argv[2]!);
  c.notify(NOTIFY_LIST, popEvent(from), argv[1]!);
  afterRemoval(c, srcKey, src);
  c.dirty++;
  c.reply.bulk(value);
  return true;
}

export function lmoveCommand(c: CommandContext, argv: Argv): void {
  const from = whereArg(argv[3]!);
  const to = whereArg(argv[4]!);
  if (!moveServe(c, argv, from, to)) c.reply.nullBulk();
}

export function rpoplpushCommand(c: CommandContext, argv: Argv): void {
  if (!moveServe(c, argv, LIST_TAIL, LIST_HEAD)) c.reply.nullBulk();
}
