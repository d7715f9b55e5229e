/*
 * ZUNION ZINTER ZDIFF, their STORE forms, and ZINTERCARD, as Redis 7.0's
 * zunionInterDiffGenericCommand: numkeys, then every key's type (before the options), then
 * WEIGHTS / AGGREGATE / WITHSCORES / LIMIT. Plain sets are accepted as inputs with score 1.
 *
 * Sets come from another family (commands/set SetValue); they are read through SetSource (size,
 * has(), ordered()), checked at run time so this file does not depend on the set's class.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_SYNTAX, ERR_WRONGTYPE, RedisError } from '../../protocol/errors.js';
import { parseDouble, parseLong } from '../../protocol/numbers.js';
import type { CommandContext } from '../context.js';
import { isWord, keyOf, longArg } from '../args.js';
import type { Value } from '../keyspace/value.js';
import { limitsOf } from './args.js';
import { replyRange } from './reply.js';
import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../notify.js';
import { ZsetValue, zsetForReply, zsetForResult } from './value.js';

/** What a set value must offer to be a ZUNION/ZINTER/ZDIFF input. */
export interface SetSource {
  readonly type: 'set';
  readonly size: number;
  has(member: string): boolean;
  /** Every member once (SetValue's reply order). */
  ordered(): readonly string[];
}

function isSetSource(v: Value): v is Value & SetSource {
  if (typeof v === 'string' || v.type !== 'set') return false;
  const s = v as Partial<SetSource>;
  return typeof s.ordered === 'function' && typeof s.has === 'function' && typeof s.size === 'number';
}

/** One input: a zset, a set (scores 1), or nothing (missing key). */
interface Source {
  z: ZsetValue | null;
  s: SetSource | null;
  weight: number;
}

function sizeOfSource(src: Source): number {
  return src.z !== null ? src.z.size : src.s !== null ? src.s.size : 0;
}

function scoreIn(src: Source, member: string): number | undefined {
  if (src.z !== null) return src.z.score(member);
  if (src.s !== null) return src.s.has(member) ? 1 : undefined;
  return undefined;
}

function* pairsOf(src: Source): Iterable<[string, number]> {
  if (src.z !== null) yield* src.z.entries();
  else if (src.s !== null) for (const m of src.s.ordered()) yield [m, 1];
}

const OP_UNION = 0;
const OP_INTER = 1;
const OP_DIFF = 2;
const AGG_SUM = 0;
const AGG_MIN = 1;
const AGG_MAX = 2;

export function zunionCommand(c: CommandContext, argv: Argv): void {
  setopGeneric(c, argv, 1, null, OP_UNION, false);
}
export function zinterCommand(c: CommandContext, argv: Argv): void {
  setopGeneric(c, argv, 1, null, OP_INTER, false);
}
export function zdiffCommand(c: CommandContext, argv: Argv): void {
  setopGeneric(c, argv, 1, null, OP_DIFF, false);
}
export function zunionstoreCommand(c: CommandContext, argv: Argv): void {
  setopGeneric(c, argv, 2, keyOf(argv[1]!), OP_UNION, false);
}
export function zinterstoreCommand(c: CommandContext, argv: Argv): void {
  setopGeneric(c, argv, 2, keyOf(argv[1]!), OP_INTER, false);
}
export function zdiffstoreCommand(c: CommandContext, argv: Argv): void {
  setopGeneric(c, argv, 2, keyOf(argv[1]!), OP_DIFF, false);
}
export function zintercardCommand(c: CommandContext, argv: Argv): void {
  setopGeneric(c, argv, 1, null, OP_INTER, true);
}

function aggregate(agg: number, target: number, v: number): number {
  if (agg === AGG_SUM) {
    const t = target + v;
    return Number.isNaN(t) ? 0 : t;
  }
  if (agg === AGG_MIN) return v < target ? v : target;
  return v > target ? v : target;
}

function setopGeneric(c: CommandContext, argv: Argv, numIdx: number, dst: string | null, op: number, cardOnly: boolean): void {
  const name = argv[0]!.latin1Slice(0, argv[0]!.length).toLowerCase();
  const setnum = longArg(argv[numIdx]!);
  if (setnum < 1) throw new RedisError(`ERR at least 1 input key is needed for '${name}' command`);
  if (setnum > argv.length - numIdx - 1) throw new RedisError(ERR_SYNTAX);
  const srcs: Source[] = [];
  let j = numIdx + 1;
  for (let i = 0; i < setnum; i++, j++) {
    // lookupRead: the ...STORE forms are write commands, whose sources Redis still reads for
    // reading (counted; a miss is a `keymiss`).
    const v = c.db.lookupRead(keyOf(argv[j]!));
    const src: Source = { z: null, s: null, weight: 1 };
    if (v !== undefined) {
      if (v instanceof ZsetValue) src.z = v;
      else if (isSetSource(v)) src.s = v;
      else throw new RedisError(ERR_WRONGTYPE);
    }
    srcs.push(src);
  }
  let agg = AGG_SUM;
  let withScores = false;
  let limit = 0;
  while (j < argv.length) {
    const a = argv[j]!;
    const remaining = argv.length - j;
    if (op !== OP_DIFF && !cardOnly && remaining >= setnum + 1 && isWord(a, 'WEIGHTS')) {
      j++;
      for (let i = 0; i < setnum; i++, j++) {
        const w = parseDouble(argv[j]!);
        if (w === undefined) throw new RedisError('ERR weight value is not a float');
        srcs[i]!.weight = w;
      }
    } else if (op !== OP_DIFF && !cardOnly && remaining >= 2 && isWord(a, 'AGGREGATE')) {
      const b = argv[j + 1]!;
      if (isWord(b, 'SUM')) agg = AGG_SUM;
      else if (isWord(b, 'MIN')) agg = AGG_MIN;
      else if (isWord(b, 'MAX')) agg = AGG_MAX;
      else throw new RedisError(ERR_SYNTAX);
      j += 2;
    } else if (dst === null && !cardOnly && isWord(a, 'WITHSCORES')) {
      withScores = true;
      j++;
    } else if (cardOnly && remaining >= 2 && isWord(a, 'LIMIT')) {
      // Redis reads LIMIT with getPositiveLongFromObjectOrReply and one text for both failures.
      const l = parseLong(argv[j + 1]!);
      if (l === undefined || l < 0) throw new RedisError("ERR LIMIT can't be negative");
      limit = l;
      j += 2;
    } else {
      throw new RedisError(ERR_SYNTAX);
    }
  }
  const result = new Map<string, number>();
  if (op === OP_INTER) intersect(srcs, agg, result, cardOnly ? limit : 0);
  else if (op === OP_UNION) union(srcs, agg, result);
  else diff(srcs, result);
  if (cardOnly) return c.reply.integer(result.size);
  if (dst === null) {
    const reply = zsetForReply();
    for (const [m, s] of result) reply.insertNew(m, s);
    return replyRange(c.reply, reply, 0, reply.size, false, withScores);
  }
  let maxLen = 0;
  for (const m of result.keys()) if (m.length > maxLen) maxLen = m.length;
  // A stored result small enough becomes a listpack, where a -0 score is stored as 0.
  const out = zsetForResult(limitsOf(c), result.size, maxLen);
  for (const [m, s] of result) out.insertNew(m, s);
  if (out.size > 0) {
    c.db.set(dst, out);
    c.dirty++;
    c.notify(NOTIFY_ZSET, op === OP_UNION ? 'zunionstore' : op === OP_INTER ? 'zinterstore' : 'zdiffstore', dst);
  } else if (c.db.delete(dst)) {
    c.dirty++;
    c.notify(NOTIFY_GENERIC, 'del', dst);
  }
  c.reply.integer(out.size);
}

/** Smallest input first, as Redis orders them (fewer lookups; the same sums for two inputs). */
function bySize(srcs: Source[]): Source[] {
  return srcs.slice().sort((a, b) => sizeOfSource(a) - sizeOfSource(b));
}

function intersect(srcs: Source[], agg: number, out: Map<string, number>, limit: number): void {
  const sorted = bySize(srcs);
  const first = sorted[0]!;
  if (sizeOfSource(first) === 0) return;
  for (const [m, s0] of pairsOf(first)) {
    let score = first.weight * s0;
    if (Number.isNaN(score)) score = 0;
    let all = true;
    for (let i = 1; i < sorted.length; i++) {
      const other = sorted[i]!;
      const v = scoreIn(other, m);
      if (v === undefined) {
        all = false;
        break;
      }
      score = aggregate(agg, score, v * other.weight);
    }
    if (!all) continue;
    out.set(m, score);
    if (limit > 0 && out.size >= limit) return;
  }
}

function union(srcs: Source[], agg: number, out: Map<string, number>): void {
  for (const src of bySize(srcs)) {
    for (const [m, s] of pairsOf(src)) {
      let score = src.weight * s;
      if (Number.isNaN(score)) score = 0;
      const cur = out.get(m);
      out.set(m, cur === undefined ? score : aggregate(agg, cur, score));
    }
  }
}

function diff(srcs: Source[], out: Map<string, number>): void {
  const first = srcs[0]!;
  for (const [m, s] of pairsOf(first)) {
    let found = false;
    for (let i = 1; i < srcs.length && !found; i++) found = scoreIn(srcs[i]!, m) !== undefined;
    if (!found) out.set(m, s);
  }
}
