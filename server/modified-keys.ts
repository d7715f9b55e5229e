/*
 * Which keys a command modified, for WATCH: Redis calls signalModifiedKey from each handler; here
 * call() decides it once for every command, from the key specs and the few per-command rules
 * below (each checked against redis-server 7.0.15 in test/integration/transactions.test.ts).
 *
 *  - default: a command that changed the dataset (dirty > 0) modified every key it names.
 *  - `changed`: a key counts when its live value before and after the command differ (another
 *    object, or created, or deleted): DEL and UNLINK of a missing key, or XGROUP CREATE on an
 *    existing stream, change nothing. `changedFirst` applies it to the destination only
 *    (SINTERSTORE... BITOP, GEOSEARCHSTORE, ZRANGESTORE: the sources are only read, and an empty
 *    result into a missing destination is no change even though Redis counts it in dirty);
 *    `changedRest` to the STORE keys of SORT and GEORADIUS*, whose first key is the source.
 *  - `first`: only the first key (PFMERGE: its sources are only read).
 *  - `popped`: pops from the first non-empty of several keys (BLPOP, LMPOP, BZMPOP...): the key
 *    named by the record the command logged.
 *  - `ltrim`: an existing list counts even when nothing was trimmed (dirty 0), as Redis signals it.
 *  - `move` (MOVE: the key in both dbs) and `copy` (COPY: the destination, in the db it names).
 *  - `none`: consumer-group bookkeeping (XREADGROUP, XACK, XCLAIM, XAUTOCLAIM, XSETID and the
 *    XGROUP subcommands other than CREATE), which Redis does not signal.
 *
 * Cost: nothing unless some client watches a key or tracking is in use (call() tests the size
 * of what it reports to first).
 */
import type { Argv } from '../protocol/resp-parser.js';
import type { Value } from '../commands/keyspace/value.js';
import { keyIndexes, type CommandSpec } from '../commands/table.js';

/**
 * Where modified keys go: WATCH's registry alone, or with client-side caching's table as well
 * (server/tracking.ts's TrackedTouches). `size` 0 means nobody listens.
 */
export interface TouchTarget {
  readonly size: number;
  readonly dbCount: number;
  isWatched(db: number, key: string): boolean;
  /** The key's value if it exists and has not expired. */
  liveValue(db: number, key: string): Value | undefined;
  /** Redis's signalModifiedKey. */
  touch(db: number, key: string): void;
}

type Rule = 'none' | 'changed' | 'changedFirst' | 'changedRest' | 'first' | 'popped' | 'ltrim' | 'move' | 'copy';

const RULES = new Map<string, Rule>([
  ['del', 'changed'], ['unlink', 'changed'], ['xgroup|create', 'changed'],
  ...['sinterstore', 'sunionstore', 'sdiffstore', 'zunionstore', 'zinterstore', 'zdiffstore', 'zrangestore',
    'geosearchstore', 'bitop'].map((n): [string, Rule] => [n, 'changedFirst']),
  ...['sort', 'georadius', 'georadiusbymember'].map((n): [string, Rule] => [n, 'changedRest']),
  ['pfmerge', 'first'],
  ...['blpop', 'brpop', 'bzpopmin', 'bzpopmax', 'lmpop', 'blmpop', 'zmpop', 'bzmpop'].map((n): [string, Rule] => [n, 'popped']),
  ['ltrim', 'ltrim'], ['move', 'move'], ['copy', 'copy'],
  ...['xreadgroup', 'xack', 'xclaim', 'xautoclaim', 'xsetid', 'xgroup|setid', 'xgroup|destroy',
    'xgroup|createconsumer', 'xgroup|delconsumer'].map((n): [string, Rule] => [n, 'none']),
]);

/** What a `changed` or `ltrim` rule saw before the command: the watched keys and their values. */
export interface BeforeWrite {
  readonly keys: string[];
  readonly values: (Value | undefined)[];
}

/** Before a command runs (some key is watched): the state its rule compares with, or null. */
export function beforeWrite(reg: TouchTarget, spec: CommandSpec, argv: Argv, db: number): BeforeWrite | null {
  const rule = RULES.get(spec.name);
  if (rule !== 'changed' && rule !== 'changedFirst' && rule !== 'changedRest' && rule !== 'ltrim') return null;
  const keys = watchedKeys(reg, db, argv, safeKeyIndexes(spec, argv), rule);
  if (keys.length === 0) return null;
  return { keys, values: keys.map((k) => reg.liveValue(db, k)) };
}

/**
 * After the command ran in `db` (the db selected when it started): touches what it modified.
 * `logged` is the record it asked to log instead of argv (the popped key's LPOP), if any.
 */
export function afterWrite(
  reg: TouchTarget, spec: CommandSpec, argv: Argv, db: number,
  before: BeforeWrite | null, dirty: number, failed: boolean, logged: Argv | null,
): void {
  const rule = RULES.get(spec.name);
  switch (rule) {
    case 'none':
      return;
    case 'changed':
    case 'changedFirst':
    case 'changedRest':
      if (before !== null) {
        for (let i = 0; i < before.keys.length; i++) {
          if (reg.liveValue(db, before.keys[i]!) !== before.values[i]) reg.touch(db, before.keys[i]!);
        }
      }
      return;
    case 'ltrim':
      if (before !== null && !failed && before.values[0] !== undefined) reg.touch(db, before.keys[0]!);
      return;
    default:
      break;
  }
  if (dirty === 0) return;
  switch (rule) {
    case 'first': {
      const first = safeKeyIndexes(spec, argv)[0];
      if (first !== undefined) reg.touch(db, text(argv[first]!));
      return;
    }
    case 'popped':
      if (logged !== null && logged.length > 1) reg.touch(db, text(logged[1]!));
      else for (const i of safeKeyIndexes(spec, argv)) reg.touch(db, text(argv[i]!));
      return;
    case 'move': {
      reg.touch(db, text(argv[1]!));
      const target = dbArg(argv[2]!, reg);
      if (target !== null) reg.touch(target, text(argv[1]!));
      return;
    }
    case 'copy':
      reg.touch(copyTarget(argv, reg) ?? db, text(argv[2]!));
      return;
    default:
      for (const i of safeKeyIndexes(spec, argv)) reg.touch(db, text(argv[i]!));
  }
}

/** The watched keys a `changed*`/`ltrim` rule looks at, each once. */
function watchedKeys(reg: TouchTarget, db: number, argv: Argv, indexes: number[], rule: Rule): string[] {
  const chosen = rule === 'changedFirst' ? indexes.slice(0, 1) : rule === 'changedRest' ? indexes.slice(1) : indexes;
  const out: string[] = [];
  for (const i of chosen) {
    const key = text(argv[i]!);
    if (reg.isWatched(db, key) && !out.includes(key)) out.push(key);
  }
  return out;
}

/** Key indexes within argv; a malformed command (it failed anyway) has none. */
function safeKeyIndexes(spec: CommandSpec, argv: Argv): number[] {
  try {
    return keyIndexes(spec, argv).filter((i) => i > 0 && i < argv.length);
  } catch {
    return [];
  }
}

function text(b: Buffer): string {
  return b.latin1Slice(0, b.length);
}

/** A db index argument, or null when it names no db. */
function dbArg(b: Buffer, reg: TouchTarget): number | null {
  const s = text(b);
  if (!/^\d+$/.test(s)) return null;
  const n = Number(s);
  return n < reg.dbCount ? n : null;
}

/** COPY's `DB n`, or null without it. */
function copyTarget(argv: Argv, reg: TouchTarget): number | null {
  for (let i = 3; i + 1 < argv.length; i++) {
    if (text(argv[i]!).toLowerCase() === 'db') return dbArg(argv[i + 1]!, reg);
  }
  return null;
}
