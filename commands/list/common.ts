/*
 * Helpers shared by the LIST family: typed lookups, LEFT/RIGHT, the list-max-listpack-size fill,
 * removal bookkeeping (an emptied list is deleted, as in Redis), and the blocking timeout.
 */
import type { CommandContext } from '../context.js';
import { ERR_SYNTAX, ERR_TIMEOUT_NEGATIVE, ERR_TIMEOUT_NOT_FLOAT, ERR_WRONGTYPE, RedisError } from '../../protocol/errors.js';
import { isWord } from '../args.js';
import { parseLongDouble } from '../string/long-double.js';
import { ListValue } from './value.js';
import { NOTIFY_GENERIC } from '../notify.js';

export const LIST_HEAD = 0;
export const LIST_TAIL = 1;
export type Where = typeof LIST_HEAD | typeof LIST_TAIL;

/** The list at key, undefined when missing; throws WRONGTYPE for another type. */
export function listOrNone(c: CommandContext, key: string): ListValue | undefined {
  const v = c.db.get(key);
  if (v === undefined) return undefined;
  if (!(v instanceof ListValue)) throw new RedisError(ERR_WRONGTYPE);
  return v;
}

/** LEFT or RIGHT (any case), else Redis's syntax error. */
export function whereArg(buf: Buffer): Where {
  if (isWord(buf, 'LEFT')) return LIST_HEAD;
  if (isWord(buf, 'RIGHT')) return LIST_TAIL;
  throw new RedisError(ERR_SYNTAX);
}

/** list-max-listpack-size, read per command so CONFIG SET applies at once. */
export function listFill(c: CommandContext): number {
  return Number(c.server.config.get('list-max-listpack-size'));
}

/** Raw byte length of argv[from..], the growth Redis 7.2 tests before converting to quicklist. */
export function argBytes(argv: readonly Buffer[], from: number, to = argv.length - 1): number {
  let n = 0;
  for (let i = from; i <= to; i++) n += argv[i]!.length;
  return n;
}

/** After elements left a list: delete it when empty, else let it return to listpack. */
export function afterRemoval(c: CommandContext, key: string, list: ListValue): void {
  if (list.length === 0) {
    c.db.delete(key);
    // After the command's own event, as Redis orders them.
    c.notify(NOTIFY_GENERIC, 'del', key);
  } else {
    list.shrunk(listFill(c));
  }
}

/** The event a pop from this end emits (LPOP, RPOP, BLPOP, LMPOP...). */
export function popEvent(where: Where): string {
  return where === LIST_HEAD ? 'lpop' : 'rpop';
}

export function popOne(list: ListValue, where: Where): string {
  return (where === LIST_HEAD ? list.popHead() : list.popTail())!;
}

export function pushOne(list: ListValue, where: Where, s: string): void {
  if (where === LIST_HEAD) list.pushHead(s);
  else list.pushTail(s);
}

const LLONG_LIMIT = 2 ** 63;

/**
 * A blocking timeout in seconds, as Redis 7.0's getTimeoutFromObjectOrReply: read with strtold,
 * times 1000, truncated to an integer of ms. So 0.0001 becomes 0 (wait forever) and anything
 * whose product leaves int64 (inf, 1e400, 9223372036854775807) becomes LLONG_MIN: "negative".
 * Returns ms, 0 meaning forever.
 */
export function timeoutArg(buf: Buffer): number {
  const v = parseLongDouble(buf.latin1Slice(0, buf.length));
  if (v === undefined) throw new RedisError(ERR_TIMEOUT_NOT_FLOAT);
  if (v === 'inf' || v === '-inf') throw new RedisError(ERR_TIMEOUT_NEGATIVE);
  const seconds = (v.neg ? -1 : 1) * Number(v.m) * 2 ** v.e;
  const ms = Math.trunc(seconds * 1000);
  if (!(ms < LLONG_LIMIT) || ms < 0) throw new RedisError(ERR_TIMEOUT_NEGATIVE);
  return ms;
}
