/*
 * RENAME RENAMENX MOVE COPY: a value changes key or database and keeps its exact TTL.
 * Checks follow Redis 7.0's order (options, database range, same object, source exists,
 * destination free) so the first error reported is the one Redis reports.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import {
  ERR_DB_INDEX, ERR_NOT_INTEGER, ERR_NO_SUCH_KEY, ERR_SAME_OBJECT, ERR_SYNTAX, RedisError,
} from '../../protocol/errors.js';
import type { CommandContext } from '../context.js';
import { isWord, keyOf } from '../args.js';
import { parseLong } from '../../protocol/numbers.js';
import type { Db } from '../keyspace/db.js';
import { cloneValue, type Value } from '../keyspace/value.js';
import { NOTIFY_GENERIC } from '../notify.js';

const ERR_INT_RANGE = 'ERR value is out of range, value must between -2147483648 and 2147483647';

/**
 * getIntFromObjectOrReply: an int64 that must also fit a C int. With a custom message Redis uses
 * it for both failures; without, a range failure has its own text.
 */
export function intArg(buf: Buffer, message?: string): number {
  const v = parseLong(buf);
  if (v === undefined) throw new RedisError(message ?? ERR_NOT_INTEGER);
  if (v < -2147483648 || v > 2147483647) throw new RedisError(message ?? ERR_INT_RANGE);
  return v;
}

/** The target database of MOVE / COPY DB, or Redis's range error. */
/** A generic event for a key of `db`, which MOVE and COPY ... DB address apart from the selected db. */
function notifyIn(c: CommandContext, db: Db, event: string, key: Buffer): void {
  if ((c.server.notifyFlags & NOTIFY_GENERIC) !== 0) c.server.notifyKeyspaceEvent(NOTIFY_GENERIC, event, key, db.id);
}

function targetDb(c: CommandContext, buf: Buffer): Db {
  const db = c.server.dbs[intArg(buf)];
  if (db === undefined) throw new RedisError(ERR_DB_INDEX);
  return db;
}

/** A write lookup: it refreshes the access time unless the client asked for CLIENT NO-TOUCH. */
function lookupWrite(c: CommandContext, db: Db, key: string): Value | undefined {
  return c.noTouch ? db.peek(key) : db.get(key);
}

/**
 * Stores value under key in db with the given expiry (-1: none), replacing what was there. Redis
 * deletes an existing destination and adds the key anew, so a replaced key is `new` too.
 */
function store(db: Db, key: string, value: Value, expire: number | bigint): void {
  db.delete(key);
  db.set(key, value);
  if (expire !== -1) db.setExpire(key, expire);
}

function renameGeneric(c: CommandContext, argv: Argv, nx: boolean): void {
  const db = c.db;
  const src = keyOf(argv[1]!);
  const dst = keyOf(argv[2]!);
  const value = lookupWrite(c, db, src);
  if (value === undefined) throw new RedisError(ERR_NO_SUCH_KEY);
  if (src === dst) {
    // Redis answers without writing anything, so nothing is propagated either.
    if (nx) c.reply.integer(0);
    else c.reply.ok();
    return;
  }
  const expire = db.getExpireExact(src);
  if (nx && db.has(dst)) return c.reply.integer(0);
  store(db, dst, value, expire);
  db.delete(src);
  c.dirty++;
  c.notify(NOTIFY_GENERIC, 'rename_from', argv[1]!);
  c.notify(NOTIFY_GENERIC, 'rename_to', argv[2]!);
  if (nx) c.reply.integer(1);
  else c.reply.ok();
}

export function renameCommand(c: CommandContext, argv: Argv): void {
  renameGeneric(c, argv, false);
}

export function renamenxCommand(c: CommandContext, argv: Argv): void {
  renameGeneric(c, argv, true);
}

export function moveCommand(c: CommandContext, argv: Argv): void {
  const src = c.db;
  const dst = targetDb(c, argv[2]!);
  if (dst === src) throw new RedisError(ERR_SAME_OBJECT);
  const key = keyOf(argv[1]!);
  const value = lookupWrite(c, src, key);
  if (value === undefined) return c.reply.integer(0);
  const expire = src.getExpireExact(key);
  if (dst.has(key)) return c.reply.integer(0);
  store(dst, key, value, expire);
  src.delete(key);
  c.dirty++;
  notifyIn(c, src, 'move_from', argv[1]!);
  notifyIn(c, dst, 'move_to', argv[1]!);
  c.reply.integer(1);
}

export function copyCommand(c: CommandContext, argv: Argv): void {
  const src = c.db;
  let dst = src;
  let replace = false;
  for (let i = 3; i < argv.length; i++) {
    const opt = argv[i]!;
    if (isWord(opt, 'REPLACE')) {
      replace = true;
    } else if (isWord(opt, 'DB') && i + 1 < argv.length) {
      dst = targetDb(c, argv[++i]!);
    } else {
      throw new RedisError(ERR_SYNTAX);
    }
  }
  const key = keyOf(argv[1]!);
  const newKey = keyOf(argv[2]!);
  if (src === dst && key === newKey) throw new RedisError(ERR_SAME_OBJECT);
  // Redis reads COPY's source for reading: counted, and a miss is a `keymiss`.
  const value = src.lookupRead(key, !c.noTouch);
  if (value === undefined) return c.reply.integer(0);
  const expire = src.getExpireExact(key);
  if (!replace && dst.has(newKey)) return c.reply.integer(0);
  store(dst, newKey, cloneValue(value), expire);
  c.dirty++;
  notifyIn(c, dst, 'copy_to', argv[2]!);
  c.reply.integer(1);
}
