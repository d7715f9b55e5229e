/*
 * HSET HMSET HSETNX HGET HMGET HDEL HEXISTS HLEN HSTRLEN HKEYS HVALS HGETALL.
 * Writes bump c.dirty by the fields changed; a hash emptied by HDEL is deleted.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { RedisError } from '../../protocol/errors.js';
import type { CommandContext } from '../context.js';
import { keyOf, valueOf } from '../args.js';
import { convertForArgs, convertForSize, hashLimits, HashValue, readHash } from './hash-value.js';
import { NOTIFY_GENERIC, NOTIFY_HASH } from '../notify.js';

function wrongArity(name: string): RedisError {
  return new RedisError(`ERR wrong number of arguments for '${name}' command`);
}

/** Sets argv[2..] pairs; returns the number of new fields. The hash is stored if it was new. */
function hsetGeneric(c: CommandContext, argv: Argv): number {
  const key = keyOf(argv[1]!);
  let h = readHash(c, key);
  const existed = h !== undefined;
  if (h === undefined) h = new HashValue();
  const map = h.map;
  const limits = h.listpack ? hashLimits(c) : null;
  if (limits !== null) convertForArgs(h, argv, 2, limits);
  let added = 0;
  for (let i = 2; i < argv.length; i += 2) {
    // A field already present is found by its bytes, without making its string.
    const slot = map.slotOfBytes(argv[i]!);
    if (slot >= 0) {
      map.setValueAt(slot, valueOf(argv[i + 1]!));
    } else {
      map.insert(valueOf(argv[i]!), valueOf(argv[i + 1]!));
      added++;
    }
  }
  if (limits !== null) convertForSize(h, limits);
  if (!existed) c.db.set(key, h);
  c.dirty += (argv.length - 2) / 2;
  c.notify(NOTIFY_HASH, 'hset', argv[1]!);
  return added;
}

export function hsetCommand(c: CommandContext, argv: Argv): void {
  if (argv.length % 2 !== 0) throw wrongArity('hset');
  c.reply.integer(hsetGeneric(c, argv));
}

export function hmsetCommand(c: CommandContext, argv: Argv): void {
  if (argv.length % 2 !== 0) throw wrongArity('hmset');
  hsetGeneric(c, argv);
  c.reply.ok();
}

export function hsetnxCommand(c: CommandContext, argv: Argv): void {
  const key = keyOf(argv[1]!);
  let h = readHash(c, key);
  const field = valueOf(argv[2]!);
  if (h !== undefined && h.map.has(field)) return c.reply.integer(0);
  const existed = h !== undefined;
  if (h === undefined) h = new HashValue();
  const limits = hashLimits(c);
  convertForArgs(h, argv, 2, limits);
  h.map.insert(field, valueOf(argv[3]!));
  convertForSize(h, limits);
  if (!existed) c.db.set(key, h);
  c.dirty++;
  c.notify(NOTIFY_HASH, 'hset', argv[1]!);
  c.reply.integer(1);
}

export function hgetCommand(c: CommandContext, argv: Argv): void {
  const h = readHash(c, keyOf(argv[1]!));
  const v = h?.map.get(keyOf(argv[2]!));
  if (v === undefined) return c.reply.nullBulk();
  c.reply.bulk(v);
}

export function hmgetCommand(c: CommandContext, argv: Argv): void {
  const h = readHash(c, keyOf(argv[1]!));
  c.reply.arrayLen(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const v = h?.map.get(keyOf(argv[i]!));
    if (v === undefined) c.reply.nullBulk();
    else c.reply.bulk(v);
  }
}

export function hdelCommand(c: CommandContext, argv: Argv): void {
  const key = keyOf(argv[1]!);
  const h = readHash(c, key);
  if (h === undefined) return c.reply.integer(0);
  let deleted = 0;
  for (let i = 2; i < argv.length; i++) {
    if (h.remove(keyOf(argv[i]!))) {
      deleted++;
      if (h.map.size === 0) break;
    }
  }
  const emptied = h.map.size === 0;
  if (emptied) c.db.delete(key);
  c.dirty += deleted;
  // Redis: hdel, then del when the hash went away; nothing when no field matched.
  if (deleted > 0) {
    c.notify(NOTIFY_HASH, 'hdel', argv[1]!);
    if (emptied) c.notify(NOTIFY_GENERIC, 'del', argv[1]!);
  }
  c.reply.integer(deleted);
}

export function hexistsCommand(c: CommandContext, argv: Argv): void {
  const h = readHash(c, keyOf(argv[1]!));
  c.reply.integer(h !== undefined && h.map.has(keyOf(argv[2]!)) ? 1 : 0);
}

export function hlenCommand(c: CommandContext, argv: Argv): void {
  const h = readHash(c, keyOf(argv[1]!));
  c.reply.integer(h === undefined ? 0 : h.map.size);
}

export function hstrlenCommand(c: CommandContext, argv: Argv): void {
  const h = readHash(c, keyOf(argv[1]!));
  const v = h?.map.get(keyOf(argv[2]!));
  c.reply.integer(v === undefined ? 0 : v.length);
}

const KEYS = 1;
const VALUES = 2;

/** HKEYS, HVALS, HGETALL: fields and/or values in the hash's order (insertion order while listpack). */
function getallGeneric(c: CommandContext, key: string, what: number): void {
  const h = readHash(c, key);
  const reply = c.reply;
  if (h === undefined) {
    if (what === (KEYS | VALUES)) reply.mapLen(0);
    else reply.arrayLen(0);
    return;
  }
  const map = h.map;
  if (what === (KEYS | VALUES)) reply.mapLen(map.size);
  else reply.arrayLen(map.size);
  const n = map.slotCount;
  for (let slot = 0; slot < n; slot++) {
    const field = map.keyAt(slot);
    if (field === null) continue;
    if (what & KEYS) reply.bulk(field);
    if (what & VALUES) reply.bulk(map.valueAt(slot));
  }
}

export function hkeysCommand(c: CommandContext, argv: Argv): void {
  getallGeneric(c, keyOf(argv[1]!), KEYS);
}

export function hvalsCommand(c: CommandContext, argv: Argv): void {
  getallGeneric(c, keyOf(argv[1]!), VALUES);
}

export function hgetallCommand(c: CommandContext, argv: Argv): void {
  getallGeneric(c, keyOf(argv[1]!), KEYS | VALUES);
}
