/*
 * Key presence and removal: DEL UNLINK EXISTS TOUCH TYPE DBSIZE RANDOMKEY.
 * Lookups that Redis makes with LOOKUP_NOTOUCH (EXISTS, TYPE) use Db.peek/has so OBJECT IDLETIME
 * is not reset; TOUCH always updates the access time, even for a CLIENT NO-TOUCH client.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import type { CommandContext } from '../context.js';
import { keyOf } from '../args.js';
import { typeOf } from '../keyspace/value.js';
import { NOTIFY_GENERIC } from '../notify.js';

/** DEL and UNLINK: values are dropped at once either way (a JS object is freed by the GC). */
export function delCommand(c: CommandContext, argv: Argv): void {
  const db = c.db;
  let deleted = 0;
  for (let i = 1; i < argv.length; i++) {
    if (db.delete(keyOf(argv[i]!))) {
      deleted++;
      c.notify(NOTIFY_GENERIC, 'del', argv[i]!);
    }
  }
  c.dirty += deleted;
  c.reply.integer(deleted);
}

export function existsCommand(c: CommandContext, argv: Argv): void {
  const db = c.db;
  let count = 0;
  for (let i = 1; i < argv.length; i++) {
    // A counted read lookup, as Redis's (a miss publishes `keymiss`), that touches nothing.
    if (db.lookupRead(keyOf(argv[i]!), false) !== undefined) count++;
  }
  c.reply.integer(count);
}

export function touchCommand(c: CommandContext, argv: Argv): void {
  const db = c.db;
  let count = 0;
  for (let i = 1; i < argv.length; i++) {
    if (db.get(keyOf(argv[i]!)) !== undefined) count++;
  }
  c.reply.integer(count);
}

export function typeCommand(c: CommandContext, argv: Argv): void {
  const v = c.db.lookupRead(keyOf(argv[1]!), false);
  c.reply.simple(v === undefined ? 'none' : typeOf(v));
}

/** Counts keys whose TTL passed but that were not removed yet, as Redis does. */
export function dbsizeCommand(c: CommandContext): void {
  c.reply.integer(c.db.size);
}

export function randomkeyCommand(c: CommandContext): void {
  const key = c.db.randomKey();
  if (key === undefined) return c.reply.nullBulk();
  c.reply.bulk(key);
}
