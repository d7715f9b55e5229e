/*
 * Reads of one string key: GET, GETDEL, GETEX, STRLEN.
 *
 * GETDEL is logged as DEL, GETEX as PEXPIREAT with an absolute time, as PERSIST, or as DEL when
 * an EXAT/PXAT deadline has already passed (Redis 7.0; lazyfree-lazy-* would make it UNLINK).
 */
import type { CommandContext } from '../context.js';
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_WRONGTYPE, RedisError } from '../../protocol/errors.js';
import { keyOf } from '../args.js';
import { NOTIFY_GENERIC } from '../notify.js';
import {
  OPT_EXAT, OPT_FLAGS_MASK, OPT_PERSIST, OPT_PXAT,
  expireAtArg, expireAtText, expireIndexOf, isRelative, parseStringOptions, unitOf,
} from './options.js';

const DEL = Buffer.from('DEL');
const UNLINK = Buffer.from('UNLINK');
const PEXPIREAT = Buffer.from('PEXPIREAT');
const PERSIST = Buffer.from('PERSIST');

export function getCommand(c: CommandContext, argv: Argv): void {
  const v = c.db.get(keyOf(argv[1]!));
  if (v === undefined) return c.reply.nullBulk();
  if (typeof v !== 'string') return c.reply.error(ERR_WRONGTYPE);
  c.reply.bulk(v);
}

export function strlenCommand(c: CommandContext, argv: Argv): void {
  const v = c.db.get(keyOf(argv[1]!));
  if (v === undefined) return c.reply.integer(0);
  if (typeof v !== 'string') return c.reply.error(ERR_WRONGTYPE);
  c.reply.integer(v.length);
}

export function getdelCommand(c: CommandContext, argv: Argv): void {
  const key = keyOf(argv[1]!);
  // lookupRead: a write command whose lookup Redis makes for reading (a miss is a `keymiss`).
  const v = c.db.lookupRead(key);
  if (v === undefined) return c.reply.nullBulk();
  if (typeof v !== 'string') return c.reply.error(ERR_WRONGTYPE);
  c.db.delete(key);
  c.dirty++;
  c.notify(NOTIFY_GENERIC, 'del', argv[1]!);
  c.propagateAs([lazyDelete(c, 'lazyfree-lazy-user-del'), argv[1]!]);
  c.reply.bulk(v);
}

/**
 * Redis 7.0's order: option syntax first, then the key (missing -> nil, even with a bad expiry),
 * then the type, then the expiry value.
 */
export function getexCommand(c: CommandContext, argv: Argv): void {
  const parsed = argv.length === 2 ? 0 : parseStringOptions(argv, 2, false);
  const flags = parsed & OPT_FLAGS_MASK;
  const key = keyOf(argv[1]!);
  // lookupRead: a write command whose lookup Redis makes for reading (a miss is a `keymiss`).
  const v = c.db.lookupRead(key);
  if (v === undefined) return c.reply.nullBulk();
  if (typeof v !== 'string') throw new RedisError(ERR_WRONGTYPE);
  const expireIdx = expireIndexOf(parsed);
  if (expireIdx !== 0) {
    const arg = argv[expireIdx]!;
    const unit = unitOf(flags);
    const relative = isRelative(flags);
    const now = c.now();
    const at = expireAtArg(arg, unit, relative, now, 'getex');
    if ((flags & (OPT_EXAT | OPT_PXAT)) !== 0 && at <= now) {
      c.db.delete(key);
      // A deadline already past deletes: Redis reports del, not expired.
      c.notify(NOTIFY_GENERIC, 'del', argv[1]!);
      c.propagateAs([lazyDelete(c, 'lazyfree-lazy-expire'), argv[1]!]);
    } else {
      c.db.setExpire(key, at);
      c.notify(NOTIFY_GENERIC, 'expire', argv[1]!);
      c.propagateAs([PEXPIREAT, argv[1]!, Buffer.from(expireAtText(arg, unit, relative, now, at), 'latin1')]);
    }
    c.dirty++;
  } else if ((flags & OPT_PERSIST) !== 0 && c.db.persist(key)) {
    c.propagateAs([PERSIST, argv[1]!]);
    c.dirty++;
    c.notify(NOTIFY_GENERIC, 'persist', argv[1]!);
  }
  c.reply.bulk(v);
}

function lazyDelete(c: CommandContext, param: string): Buffer {
  return c.server.config.get(param) === 'yes' ? UNLINK : DEL;
}
