/*
 * HRANDFIELD and HSCAN, plus the MATCH/COUNT parsing SSCAN shares.
 *
 * HRANDFIELD follows Redis 7's cases: a negative count samples with repetition; a count at least
 * the size returns the whole hash in its order; a smaller positive count returns distinct fields.
 * HSCAN on a listpack hash returns everything with cursor 0, as Redis does; on a hashtable the
 * cursor is a SlotMap slot (see slot-map.ts for the guarantee).
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_NOT_INTEGER, ERR_SYNTAX, RedisError } from '../../protocol/errors.js';
import { parseLong, parseLongExact } from '../../protocol/numbers.js';
import type { ReplyWriter } from '../../protocol/reply-writer.js';
import type { CommandContext } from '../context.js';
import { isWord, keyOf, longArg } from '../args.js';
import { globMatch } from '../glob.js';
import { parseScanCursor } from '../keys/scan.js';
import type { SlotMap } from '../keyspace/slot-map.js';
import { readHash } from './hash-value.js';

export const ERR_OUT_OF_RANGE = 'ERR value is out of range';
export const ERR_COUNT_RANGE = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';

/** A count for HRANDFIELD/SRANDMEMBER: any int64 except LLONG_MIN (Redis uses -LONG_MAX..LONG_MAX). */
export function randomCountArg(buf: Buffer): number {
  const v = parseLong(buf);
  if (v === undefined) throw new RedisError(ERR_NOT_INTEGER);
  // -2^63 and -(2^63-1) are the same double: tell LLONG_MIN apart by its digits.
  if (v <= -9223372036854775807 && parseLongExact(buf) === -9223372036854775808n) throw new RedisError(ERR_COUNT_RANGE);
  return v;
}

export interface ScanOptions {
  count: number;
  /** null when absent or '*'. */
  pattern: string | null;
}

/** MATCH and COUNT from argv[from..], as Redis's scanGenericCommand parses them. */
export function parseScanOptions(argv: Argv, from: number): ScanOptions {
  const opts: ScanOptions = { count: 10, pattern: null };
  for (let i = from; i < argv.length; i += 2) {
    const opt = argv[i]!;
    if (i + 1 >= argv.length) throw new RedisError(ERR_SYNTAX);
    if (isWord(opt, 'COUNT')) {
      opts.count = longArg(argv[i + 1]!);
      if (opts.count < 1) throw new RedisError(ERR_SYNTAX);
    } else if (isWord(opt, 'MATCH')) {
      const p = keyOf(argv[i + 1]!);
      opts.pattern = p === '*' ? null : p;
    } else {
      throw new RedisError(ERR_SYNTAX);
    }
  }
  return opts;
}

/** The [cursor, items] reply of the SCAN family. */
export function replyScan(reply: ReplyWriter, cursor: number, items: readonly string[]): void {
  reply.arrayLen(2);
  reply.bulk(String(cursor));
  reply.bulkArray(items);
}

export function hscanCommand(c: CommandContext, argv: Argv): void {
  const cursor = parseScanCursor(argv[2]!);
  const h = readHash(c, keyOf(argv[1]!));
  if (h === undefined) return replyScan(c.reply, 0, []);
  const { count, pattern } = parseScanOptions(argv, 3);
  const out: string[] = [];
  const map = h.map;
  if (h.listpack) {
    for (let slot = 0; slot < map.slotCount; slot++) {
      const field = map.keyAt(slot);
      if (field === null || (pattern !== null && !globMatch(pattern, field))) continue;
      out.push(field, map.valueAt(slot));
    }
    return replyScan(c.reply, 0, out);
  }
  const next = map.scan(cursor, count, (field, value) => {
    if (pattern === null || globMatch(pattern, field)) out.push(field, value);
  });
  replyScan(c.reply, next, out);
}

export function hrandfieldCommand(c: CommandContext, argv: Argv): void {
  if (argv.length === 2) {
    const h = readHash(c, keyOf(argv[1]!));
    if (h === undefined) return c.reply.nullBulk();
    return c.reply.bulk(h.map.keyAt(h.map.randomSlot())!);
  }
  const l = randomCountArg(argv[2]!);
  if (argv.length > 4 || (argv.length === 4 && !isWord(argv[3]!, 'WITHVALUES'))) throw new RedisError(ERR_SYNTAX);
  const withValues = argv.length === 4;
  // Redis refuses a negative count whose reply length (2 * count) would overflow.
  if (withValues && l <= -4611686018427387903 && parseLongExact(argv[2]!)! < -4611686018427387903n) throw new RedisError(ERR_OUT_OF_RANGE);
  const h = readHash(c, keyOf(argv[1]!));
  if (h === undefined || l === 0) return c.reply.arrayLen(0);
  const map = h.map;
  const reply = c.reply;
  const pairs = withValues && reply.resp === 3;
  const unique = l > 0;
  const count = unique ? Math.min(l, map.size) : -l;
  reply.arrayLen(withValues && !pairs ? count * 2 : count);
  const emit = (slot: number): void => {
    if (pairs) reply.arrayLen(2);
    reply.bulk(map.keyAt(slot)!);
    if (withValues) reply.bulk(map.valueAt(slot));
  };
  if (!unique) {
    for (let i = 0; i < count; i++) emit(map.randomSlot());
    return;
  }
  if (count === map.size) {
    for (let slot = 0; slot < map.slotCount; slot++) if (map.keyAt(slot) !== null) emit(slot);
    return;
  }
  for (const slot of distinctSlots(map, count)) emit(slot);
}

/**
 * `count` distinct used slots (count < size). Few: sample and skip repeats. Many: pick the slots
 * to leave out instead, so the loop stays short either way.
 */
export function distinctSlots(map: SlotMap<unknown>, count: number): number[] {
  const size = map.size;
  if (count * 3 <= size) {
    const picked = new Set<number>();
    while (picked.size < count) picked.add(map.randomSlot());
    return [...picked];
  }
  const skip = new Set<number>();
  while (skip.size < size - count) skip.add(map.randomSlot());
  const out: number[] = [];
  const n = map.slotCount;
  for (let slot = 0; slot < n; slot++) if (map.keyAt(slot) !== null && !skip.has(slot)) out.push(slot);
  return out;
}
