/*
 * SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE.
 * Every key's type is checked before any work (a missing key is an empty set). Results are built
 * as a new set starting from intset, as Redis does, so an all-integer result replies sorted. The
 * STORE forms replace the destination (dropping its TTL) or delete it when the result is empty.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_SYNTAX, ERR_WRONGTYPE, RedisError } from '../../protocol/errors.js';
import { parseLong } from '../../protocol/numbers.js';
import type { CommandContext } from '../context.js';
import { isWord, keyOf } from '../args.js';
import { INTSET, SetValue } from './set-value.js';
import { NOTIFY_GENERIC, NOTIFY_SET } from '../notify.js';

export const ERR_NUMKEYS = 'ERR numkeys should be greater than 0';
export const ERR_NUMKEYS_ARGS = "ERR Number of keys can't be greater than number of args";
export const ERR_LIMIT_NEGATIVE = "ERR LIMIT can't be negative";

/** The sets named by argv[from..to), undefined for missing keys; WRONGTYPE before anything else. */
function lookupSets(c: CommandContext, argv: Argv, from: number, to: number): (SetValue | undefined)[] {
  const sets: (SetValue | undefined)[] = [];
  for (let i = from; i < to; i++) {
    // lookupRead: the ...STORE forms are write commands, whose sources Redis still reads for
    // reading (counted; a miss is a `keymiss`).
    const v = c.db.lookupRead(keyOf(argv[i]!));
    if (v !== undefined && !(v instanceof SetValue)) throw new RedisError(ERR_WRONGTYPE);
    sets.push(v);
  }
  return sets;
}

function emptySet(): SetValue {
  const s = new SetValue();
  s.enc = INTSET;
  return s;
}

/** Members of the intersection, in the order of the smallest set, stopping at limit (0 = none). */
function intersect(sets: (SetValue | undefined)[], limit: number): string[] {
  const out: string[] = [];
  if (sets.some((s) => s === undefined)) return out;
  const present = (sets as SetValue[]).slice().sort((a, b) => a.size - b.size);
  const [first, ...rest] = present;
  for (const m of first!.ordered()) {
    let all = true;
    for (const s of rest) {
      if (!s.has(m)) {
        all = false;
        break;
      }
    }
    if (all) {
      out.push(m);
      if (limit > 0 && out.length >= limit) break;
    }
  }
  return out;
}

function union(c: CommandContext, sets: (SetValue | undefined)[]): SetValue {
  const result = emptySet();
  for (const s of sets) {
    if (s === undefined) continue;
    for (const m of s.map.keys()) result.add(m, c);
  }
  return result;
}

function diff(c: CommandContext, sets: (SetValue | undefined)[]): SetValue {
  const result = emptySet();
  const first = sets[0];
  if (first === undefined) return result;
  for (const m of first.ordered()) {
    let keep = true;
    for (let i = 1; i < sets.length; i++) {
      if (sets[i]?.has(m) === true) {
        keep = false;
        break;
      }
    }
    if (keep) result.add(m, c);
  }
  return result;
}

function fromMembers(c: CommandContext, members: readonly string[]): SetValue {
  const result = emptySet();
  for (const m of members) result.add(m, c);
  return result;
}

function replyMembers(c: CommandContext, members: readonly string[]): void {
  c.reply.setLen(members.length);
  for (let i = 0; i < members.length; i++) c.reply.bulk(members[i]!);
}

/** Stores result under argv[1] (or deletes it when empty) and replies with the size. */
function store(c: CommandContext, argv: Argv, result: SetValue, event: string): void {
  const dst = keyOf(argv[1]!);
  if (result.size > 0) {
    c.db.set(dst, result);
    c.dirty++;
    c.notify(NOTIFY_SET, event, argv[1]!);
  } else if (c.db.delete(dst)) {
    c.dirty++;
    // An empty result removes the destination: Redis reports that as a plain del.
    c.notify(NOTIFY_GENERIC, 'del', argv[1]!);
  }
  c.reply.integer(result.size);
}

export function sinterCommand(c: CommandContext, argv: Argv): void {
  replyMembers(c, intersect(lookupSets(c, argv, 1, argv.length), 0));
}

export function sinterstoreCommand(c: CommandContext, argv: Argv): void {
  const members = intersect(lookupSets(c, argv, 2, argv.length), 0);
  store(c, argv, fromMembers(c, members), 'sinterstore');
}

export function sintercardCommand(c: CommandContext, argv: Argv): void {
  const numkeys = parseLong(argv[1]!);
  if (numkeys === undefined || numkeys < 1) throw new RedisError(ERR_NUMKEYS);
  if (numkeys > argv.length - 2) throw new RedisError(ERR_NUMKEYS_ARGS);
  let limit = 0;
  for (let i = 2 + numkeys; i < argv.length; i += 2) {
    if (i + 1 < argv.length && isWord(argv[i]!, 'LIMIT')) {
      const v = parseLong(argv[i + 1]!);
      if (v === undefined || v < 0) throw new RedisError(ERR_LIMIT_NEGATIVE);
      limit = v;
    } else {
      throw new RedisError(ERR_SYNTAX);
    }
  }
  c.reply.integer(intersect(lookupSets(c, argv, 2, 2 + numkeys), limit).length);
}

/** SINTERCARD's keys: argv[2 .. 2+numkeys) when numkeys is valid. */
export function sintercardKeys(argv: Argv): number[] {
  const n = argv.length > 1 ? parseLong(argv[1]!) : undefined;
  if (n === undefined || n < 1 || n > argv.length - 2) return [];
  const out: number[] = [];
  for (let i = 2; i < 2 + n; i++) out.push(i);
  return out;
}

export function sunionCommand(c: CommandContext, argv: Argv): void {
  replyMembers(c, union(c, lookupSets(c, argv, 1, argv.length)).ordered());
}

export function sunionstoreCommand(c: CommandContext, argv: Argv): void {
  store(c, argv, union(c, lookupSets(c, argv, 2, argv.length)), 'sunionstore');
}

export function sdiffCommand(c: CommandContext, argv: Argv): void {
  replyMembers(c, diff(c, lookupSets(c, argv, 1, argv.length)).ordered());
}

export function sdiffstoreCommand(c: CommandContext, argv: Argv): void {
  store(c, argv, diff(c, lookupSets(c, argv, 2, argv.length)), 'sdiffstore');
}
