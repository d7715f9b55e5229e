/*
 * The blocking pops: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP. Each first tries to serve at once
 * exactly as its non-blocking form; when every key is missing it blocks through
 * CommandContext.blockOnKeys and the server runs the same command again when a key is created.
 *
 * Woken by a key that holds another type (or emptied again before this client's turn), a command
 * blocks again instead of answering WRONGTYPE: Redis 7.2 only wakes list waiters for a list.
 * Served, each is logged as its non-blocking form: LPOP/RPOP key (BLPOP/BRPOP), LPOP/RPOP key n
 * (BLMPOP), LMOVE (BLMOVE), RPOPLPUSH (BRPOPLPUSH).
 */
import type { CommandContext } from '../context.js';
import type { Argv } from '../../protocol/resp-parser.js';
import type { ReplyWriter } from '../../protocol/reply-writer.js';
import { ERR_WRONGTYPE } from '../../protocol/errors.js';
import { keyOf } from '../args.js';
import { ListValue } from './value.js';
import { LIST_HEAD, LIST_TAIL, type Where, afterRemoval, popEvent, popOne, timeoutArg, whereArg } from './common.js';
import { LPOP, RPOP, mpopServe, parseMpop } from './push-pop.js';
import { moveServe } from './move.js';
import { NOTIFY_LIST } from '../notify.js';

const LMOVE = Buffer.from('LMOVE');
const RPOPLPUSH = Buffer.from('RPOPLPUSH');

const nullArray = (reply: ReplyWriter): void => reply.nullArray();

/** True when some key of argv[from..to] holds a list: a rerun can then serve (or fail) as Redis would. */
function anyList(c: CommandContext, argv: Argv, from: number, to: number): boolean {
  for (let i = from; i <= to; i++) if (c.db.peek(keyOf(argv[i]!)) instanceof ListValue) return true;
  return false;
}

function keysOf(argv: Argv, from: number, to: number): string[] {
  const keys: string[] = [];
  for (let i = from; i <= to; i++) keys.push(keyOf(argv[i]!));
  return keys;
}

function bpopGeneric(c: CommandContext, argv: Argv, where: Where): void {
  const last = argv.length - 2;
  const timeout = timeoutArg(argv[last + 1]!);
  if (!c.isRetry || anyList(c, argv, 1, last)) {
    for (let i = 1; i <= last; i++) {
      const key = keyOf(argv[i]!);
      const v = c.db.get(key);
      if (v === undefined) continue;
      if (!(v instanceof ListValue)) return c.reply.error(ERR_WRONGTYPE);
      const s = popOne(v, where);
      c.notify(NOTIFY_LIST, popEvent(where), argv[i]!);
      afterRemoval(c, key, v);
      c.dirty++;
      c.propagateAs([where === LIST_HEAD ? LPOP : RPOP, argv[i]!]);
      c.reply.arrayLen(2);
      c.reply.bulk(argv[i]!);
      c.reply.bulk(s);
      return;
    }
  }
  c.blockOnKeys(keysOf(argv, 1, last), timeout, nullArray);
}

export function blpopCommand(c: CommandContext, argv: Argv): void {
  bpopGeneric(c, argv, LIST_HEAD);
}

export function brpopCommand(c: CommandContext, argv: Argv): void {
  bpopGeneric(c, argv, LIST_TAIL);
}

function bmoveGeneric(c: CommandContext, argv: Argv, from: Where, to: Where, timeout: number, logged: Argv): void {
  if ((!c.isRetry || anyList(c, argv, 1, 1)) && moveServe(c, argv, from, to)) {
    c.propagateAs(logged);
    return;
  }
  // Redis 7.0 answers a timed-out BLMOVE with a null array, but a BLMOVE inside MULTI (which
  // may not block) with a null bulk. blockOnKeys calls onTimeout synchronously in that case.
  let denied = true;
  c.blockOnKeys([keyOf(argv[1]!)], timeout, (reply) => (denied ? reply.nullBulk() : reply.nullArray()));
  denied = false;
}

export function blmoveCommand(c: CommandContext, argv: Argv): void {
  const from = whereArg(argv[3]!);
  const to = whereArg(argv[4]!);
  const timeout = timeoutArg(argv[5]!);
  bmoveGeneric(c, argv, from, to, timeout, [LMOVE, argv[1]!, argv[2]!, argv[3]!, argv[4]!]);
}

export function brpoplpushCommand(c: CommandContext, argv: Argv): void {
  const timeout = timeoutArg(argv[3]!);
  bmoveGeneric(c, argv, LIST_TAIL, LIST_HEAD, timeout, [RPOPLPUSH, argv[1]!, argv[2]!]);
}

export function blmpopCommand(c: CommandContext, argv: Argv): void {
  const timeout = timeoutArg(argv[1]!);
  const a = parseMpop(argv, 2);
  const last = a.first + a.numkeys - 1;
  if ((!c.isRetry || anyList(c, argv, a.first, last)) && mpopServe(c, argv, a)) return;
  c.blockOnKeys(keysOf(argv, a.first, last), timeout, nullArray);
}
