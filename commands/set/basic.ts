/*
 * SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SMOVE SSCAN. An emptied set is deleted.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_WRONGTYPE, RedisError } from '../../protocol/errors.js';
import type { CommandContext } from '../context.js';
import { keyOf, valueOf } from '../args.js';
import { globMatch } from '../glob.js';
import { parseScanCursor } from '../keys/scan.js';
import { parseScanOptions, replyScan } from '../hash/random-scan.js';
import { HASHTABLE, readSet, setLimits, SetValue } from './set-value.js';
import { NOTIFY_GENERIC, NOTIFY_SET } from '../notify.js';

export function saddCommand(c: CommandContext, argv: Argv): void {
  const key = keyOf(argv[1]!);
  let s = readSet(c, key);
  const existed = s !== undefined;
  if (s === undefined) s = SetValue.create(keyOf(argv[2]!), argv.length - 2, setLimits(c));
  let added = 0;
  for (let i = 2; i < argv.length; i++) {
    if (s.addArg(argv[i]!, c)) added++;
  }
  if (!existed) c.db.set(key, s);
  c.dirty += added;
  if (added > 0) c.notify(NOTIFY_SET, 'sadd', argv[1]!);
  c.reply.integer(added);
}

export function sremCommand(c: CommandContext, argv: Argv): void {
  const key = keyOf(argv[1]!);
  const s = readSet(c, key);
  if (s === undefined) return c.reply.integer(0);
  let removed = 0;
  for (let i = 2; i < argv.length; i++) {
    if (s.remove(keyOf(argv[i]!))) {
      removed++;
      if (s.size === 0) break;
    }
  }
  const emptied = s.size === 0;
  if (emptied) c.db.delete(key);
  c.dirty += removed;
  if (removed > 0) {
    c.notify(NOTIFY_SET, 'srem', argv[1]!);
    if (emptied) c.notify(NOTIFY_GENERIC, 'del', argv[1]!);
  }
  c.reply.integer(removed);
}

export function smembersCommand(c: CommandContext, argv: Argv): void {
  const s = readSet(c, keyOf(argv[1]!));
  if (s === undefined) return c.reply.setLen(0);
  const items = s.ordered();
  c.reply.setLen(items.length);
  for (let i = 0; i < items.length; i++) c.reply.bulk(items[i]!);
}

export function sismemberCommand(c: CommandContext, argv: Argv): void {
  const s = readSet(c, keyOf(argv[1]!));
  c.reply.integer(s !== undefined && s.has(keyOf(argv[2]!)) ? 1 : 0);
}

export function smismemberCommand(c: CommandContext, argv: Argv): void {
  const s = readSet(c, keyOf(argv[1]!));
  c.reply.arrayLen(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.reply.integer(s !== undefined && s.has(keyOf(argv[i]!)) ? 1 : 0);
}

export function scardCommand(c: CommandContext, argv: Argv): void {
  const s = readSet(c, keyOf(argv[1]!));
  c.reply.integer(s === undefined ? 0 : s.size);
}

/** Redis 7.0's order: a missing source answers 0 before the destination's type is checked. */
export function smoveCommand(c: CommandContext, argv: Argv): void {
  const srcKey = keyOf(argv[1]!);
  const dstKey = keyOf(argv[2]!);
  const src = c.db.get(srcKey);
  const dst = c.db.get(dstKey);
  if (src === undefined) return c.reply.integer(0);
  if (!(src instanceof SetValue) || (dst !== undefined && !(dst instanceof SetValue))) throw new RedisError(ERR_WRONGTYPE);
  const member = valueOf(argv[3]!);
  if (src === dst) return c.reply.integer(src.has(member) ? 1 : 0);
  if (!src.remove(member)) return c.reply.integer(0);
  // Redis's order: srem on the source (and its del when emptied), then sadd on the destination.
  c.notify(NOTIFY_SET, 'srem', argv[1]!);
  if (src.size === 0) {
    c.db.delete(srcKey);
    c.notify(NOTIFY_GENERIC, 'del', argv[1]!);
  }
  const limits = setLimits(c);
  let target = dst;
  if (target === undefined) {
    target = SetValue.create(member, 1, limits);
    c.db.set(dstKey, target);
  }
  c.dirty++;
  if (target.add(member, c)) {
    c.dirty++;
    c.notify(NOTIFY_SET, 'sadd', argv[2]!);
  }
  c.reply.integer(1);
}

export function sscanCommand(c: CommandContext, argv: Argv): void {
  const cursor = parseScanCursor(argv[2]!);
  const s = readSet(c, keyOf(argv[1]!));
  if (s === undefined) return replyScan(c.reply, 0, []);
  const { count, pattern } = parseScanOptions(argv, 3);
  if (s.enc !== HASHTABLE) {
    const all = s.ordered();
    return replyScan(c.reply, 0, pattern === null ? all : all.filter((m) => globMatch(pattern, m)));
  }
  const out: string[] = [];
  const next = s.map.scan(cursor, count, (m) => {
    if (pattern === null || globMatch(pattern, m)) out.push(m);
  });
  replyScan(c.reply, next, out);
}
