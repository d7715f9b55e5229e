/*
 * Redis 7's key specifications, for COMMAND INFO and COMMAND GETKEYS / GETKEYSANDFLAGS.
 *
 * A command lists its keys as specs (src/commands/*.json in Redis): where the search begins (a
 * fixed index, or just after a keyword), how the keys are found from there (a range, or a count
 * read from the argv), and how the command uses them (flags). Most commands have one spec that
 * the table's legacy `keys` range says entirely; the others give `keySpecs`.
 *
 * COMMAND GETKEYS follows Redis's getKeysFromCommandWithSpecs (db.c): the specs when they are
 * all complete and their flags fixed, else the command's getkeys_proc, whose Redis versions are
 * at the bottom of this file (they keep Redis's quirks: atoi() counts, the last STORE wins...).
 * Dispatch does not use any of this: it takes key positions from `keys` and `getKeys`.
 */
import type { Argv } from '../protocol/resp-parser.js';
import { parseLong } from '../protocol/numbers.js';
import { isWord } from './args.js';
import type { CommandSpec, KeyRange } from './table.js';

/** Key-spec flags (Redis's CMD_KEY_*), spelled as COMMAND INFO and GETKEYSANDFLAGS write them. */
export type KeySpecFlag =
  | 'RO' | 'RW' | 'OW' | 'RM' | 'access' | 'update' | 'insert' | 'delete' | 'not_key' | 'incomplete'
  | 'variable_flags';

/** The order Redis writes key-spec flags in (its bit order), whatever order a table entry uses. */
export const KEY_SPEC_FLAG_ORDER: readonly KeySpecFlag[] = [
  'RO', 'RW', 'OW', 'RM', 'access', 'update', 'insert', 'delete', 'not_key', 'incomplete', 'variable_flags',
];

/**
 * Where the search for keys begins: a fixed argv index, or the index after a keyword looked for
 * from `startfrom` (forwards; backwards from the end when negative), or 'unknown' when no argv
 * position can say it (SORT's STORE, which may come anywhere).
 */
export type BeginSearch =
  | { readonly index: number }
  | { readonly keyword: string; readonly startfrom: number }
  | 'unknown';

/**
 * Which keys follow the beginning: a range (`lastkey` relative to the beginning, or counted from
 * the end when negative; with `limit` > 1 and lastkey -1, only 1/limit of the rest, as XREAD's
 * STREAMS keys are half of what follows), or a count at `keynumidx` after the beginning with the
 * keys from `firstkey` after it (ZUNION's numkeys), or 'unknown' (SORT's BY and GET patterns).
 */
export type FindKeys =
  | { readonly range: { readonly lastkey: number; readonly keystep: number; readonly limit: number } }
  | { readonly keynum: { readonly keynumidx: number; readonly firstkey: number; readonly keystep: number } }
  | 'unknown';

export interface KeySpec {
  readonly notes?: string;
  readonly flags: readonly KeySpecFlag[];
  readonly beginSearch: BeginSearch;
  readonly findKeys: FindKeys;
}

/** One key COMMAND GETKEYSANDFLAGS reports: its argv index and the flags of the spec that found it. */
export interface KeyRef {
  readonly index: number;
  readonly flags: readonly KeySpecFlag[];
}

// ---- builders for the table ----------------------------------------------------------------------

/** A spec at argv[index]: that key alone (lastkey 0), or up to lastkey (relative; negative from the end). */
export function indexSpec(index: number, flags: readonly KeySpecFlag[], lastkey = 0, keystep = 1, notes?: string): KeySpec {
  const spec: KeySpec = { flags, beginSearch: { index }, findKeys: { range: { lastkey, keystep, limit: 0 } } };
  return notes === undefined ? spec : { notes, ...spec };
}

/** A spec whose key count is argv[index] and whose keys follow it (ZUNION numkeys key...). */
export function keynumSpec(index: number, flags: readonly KeySpecFlag[], notes?: string): KeySpec {
  const spec: KeySpec = { flags, beginSearch: { index }, findKeys: { keynum: { keynumidx: 0, firstkey: 1, keystep: 1 } } };
  return notes === undefined ? spec : { notes, ...spec };
}

/** A spec that begins after `keyword`, searched from `startfrom` (STORE, STREAMS). */
export function keywordSpec(keyword: string, startfrom: number, flags: readonly KeySpecFlag[], lastkey = 0, keystep = 1, limit = 0): KeySpec {
  return { flags, beginSearch: { keyword, startfrom }, findKeys: { range: { lastkey, keystep, limit } } };
}

/** A spec argv cannot locate; the command's getkeys proc finds those keys. */
export function unknownSpec(flags: readonly KeySpecFlag[], notes: string): KeySpec {
  return { notes, flags, beginSearch: 'unknown', findKeys: 'unknown' };
}

// ---- what the table says -------------------------------------------------------------------------

/** The flags of the one spec a legacy range stands for: explicit, or from write/readonly. */
function rangeFlags(spec: CommandSpec, keys: KeyRange): readonly KeySpecFlag[] {
  if (keys.flags !== undefined) return keys.flags;
  return spec.flags.includes('write') ? ['RW', 'update'] : ['RO', 'access'];
}

/** The command's key specs: `keySpecs`, or the one spec its `keys` range describes, or none. */
export function keySpecsOf(spec: CommandSpec): readonly KeySpec[] {
  if (spec.keySpecs !== undefined) return spec.keySpecs;
  const k = spec.keys;
  if (k === undefined) return [];
  // find_keys counts the last key from the first one, or from the end when negative.
  return [indexSpec(k.first, rangeFlags(spec, k), k.last < 0 ? k.last : k.last - k.first, k.step, k.notes)];
}

export interface LegacyRange {
  /** COMMAND INFO's (first, last, step), or null for (0, 0, 0). */
  readonly range: { readonly first: number; readonly last: number; readonly step: number } | null;
  /** Whether the specs make the command movablekeys. */
  readonly movable: boolean;
}

/**
 * The legacy range and movablekeys flag Redis derives from key specs
 * (populateCommandLegacyRangeSpec): one index+range spec is the range itself; otherwise the
 * consecutive step-1 index+range specs are merged and anything else makes the keys movable.
 */
export function legacyRangeOf(specs: readonly KeySpec[]): LegacyRange {
  if (specs.length === 0) return { range: null, movable: false };
  const only = specs[0]!;
  if (specs.length === 1 && only.beginSearch !== 'unknown' && 'index' in only.beginSearch && only.findKeys !== 'unknown' && 'range' in only.findKeys) {
    const { index } = only.beginSearch;
    const { lastkey, keystep } = only.findKeys.range;
    return { range: { first: index, last: lastkey < 0 ? lastkey : index + lastkey, step: keystep }, movable: only.flags.includes('incomplete') };
  }
  let movable = false;
  let first = Number.MAX_SAFE_INTEGER;
  let last = 0;
  let prevLast = 0;
  for (const s of specs) {
    if (s.beginSearch === 'unknown' || !('index' in s.beginSearch) || s.findKeys === 'unknown' || !('range' in s.findKeys)) {
      movable = true;
      continue;
    }
    const { index } = s.beginSearch;
    const { lastkey, keystep } = s.findKeys.range;
    if (keystep !== 1 || (prevLast !== 0 && prevLast !== index - 1)) {
      movable = true;
      continue;
    }
    if (s.flags.includes('incomplete')) movable = true;
    first = Math.min(first, index);
    const abs = lastkey >= 0 ? lastkey + index : lastkey;
    // Redis compares as unsigned, so a from-the-end (negative) last key wins over any index.
    last = abs >>> 0 > last >>> 0 ? abs : last;
    prevLast = last;
  }
  if (first === Number.MAX_SAFE_INTEGER) return { range: null, movable: true };
  return { range: { first, last, step: 1 }, movable };
}

/** Redis's doesCommandHaveKeys: a getkeys proc, or a spec for real keys. */
export function commandHasKeys(spec: CommandSpec): boolean {
  return spec.getKeysProc !== undefined || keySpecsOf(spec).some((s) => !s.flags.includes('not_key'));
}

/**
 * Checks a table entry's key specs against its other fields, as Redis derives them: `keys` is the
 * legacy range of the specs, movablekeys is set exactly when the specs make keys movable, and a
 * command whose specs cannot always answer has a getkeys proc. Returns the problem, or null.
 */
export function keySpecProblem(spec: CommandSpec): string | null {
  const specs = keySpecsOf(spec);
  for (const s of specs) {
    const access = s.flags.filter((f) => f === 'RO' || f === 'RW' || f === 'OW' || f === 'RM');
    // A not_key spec names something else (SPUBLISH's shard channel): Redis gives it no access flag.
    if (s.flags.includes('not_key') ? access.length !== 0 : access.length !== 1) return 'a key spec needs exactly one of RO RW OW RM';
    if (s.beginSearch !== 'unknown' && 'index' in s.beginSearch && s.beginSearch.index < 1) return 'a key spec begins before argv[1]';
  }
  if (spec.keySpecs !== undefined) {
    const { range, movable } = legacyRangeOf(specs);
    const k = spec.keys;
    const same = range === null ? k === undefined : k !== undefined && k.first === range.first && k.last === range.last && k.step === range.step;
    if (!same) return `keys must be the legacy range of the key specs (${range === null ? 'none' : `${range.first} ${range.last} ${range.step}`})`;
    if (k?.flags !== undefined || k?.notes !== undefined) return 'flags and notes belong in keySpecs when the command has them';
    if (movable !== spec.flags.includes('movablekeys')) return `the key specs make movablekeys ${movable ? 'required' : 'wrong'}`;
  } else if (spec.flags.includes('movablekeys') && !specs.some((s) => s.flags.includes('incomplete'))) {
    return 'movablekeys needs key specs that say why';
  }
  const partial = specs.some((s) => s.beginSearch === 'unknown' || s.findKeys === 'unknown' || s.flags.includes('incomplete') || s.flags.includes('variable_flags'));
  if ((partial || spec.flags.includes('movablekeys')) && spec.getKeysProc === undefined) return 'specs that cannot always answer need getKeysProc';
  return null;
}

// ---- COMMAND GETKEYS -----------------------------------------------------------------------------

/**
 * The keys of a command as COMMAND GETKEYS finds them (getKeysFromCommandWithSpecs): from the
 * specs unless one has VARIABLE_FLAGS or they fail (an unknown or INCOMPLETE spec, a bad count,
 * keys past the end), then from the getkeys proc. `argv` starts with the command name.
 */
export function keysOfCommand(spec: CommandSpec, argv: Argv): KeyRef[] {
  const specs = keySpecsOf(spec);
  const hasKeySpec = specs.some((s) => !s.flags.includes('not_key'));
  const hasVariableFlags = specs.some((s) => s.flags.includes('variable_flags'));
  if (hasKeySpec && !hasVariableFlags) {
    const found = keysFromSpecs(specs, argv);
    if (found !== null) return found;
  }
  return spec.getKeysProc?.(argv) ?? [];
}

/** Redis's getKeysUsingKeySpecs without partial results: null when a spec cannot answer. */
function keysFromSpecs(specs: readonly KeySpec[], argv: Argv): KeyRef[] | null {
  const argc = argv.length;
  const out: KeyRef[] = [];
  for (const s of specs) {
    if (s.flags.includes('not_key')) continue;
    const bs = s.beginSearch;
    if (bs === 'unknown') return null;
    let first = 0;
    if ('index' in bs) {
      first = bs.index;
    } else {
      // Forwards to the last argument (excluded), or backwards down to argv[1] (excluded).
      const start = bs.startfrom > 0 ? bs.startfrom : argc + bs.startfrom;
      const end = bs.startfrom > 0 ? argc - 1 : 1;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (isWord(argv[i]!, bs.keyword)) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue; // keyword absent: this spec names no key
    }
    const fk = s.findKeys;
    if (fk === 'unknown') return null;
    let last: number;
    let step: number;
    if ('range' in fk) {
      step = fk.range.keystep;
      if (fk.range.lastkey >= 0) last = first + fk.range.lastkey;
      else if (fk.range.limit === 0) last = argc + fk.range.lastkey;
      else last = first + (Math.trunc((argc - first) / fk.range.limit) + fk.range.lastkey);
    } else {
      step = fk.keynum.keystep;
      const at = first + fk.keynum.keynumidx;
      const n = at < argc ? parseLong(argv[at]!) : undefined;
      if (n === undefined || n < 0) return null;
      first += fk.keynum.firstkey;
      last = first + n - 1;
    }
    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) out.push({ index: i, flags: s.flags });
    if (s.flags.includes('incomplete')) return null;
  }
  return out;
}

// ---- Redis's getkeys procs (db.c), the fallback of COMMAND GETKEYS ---------------------------

const NO_FLAGS: readonly KeySpecFlag[] = [];

/** C's atoi(): leading blanks, a sign, then digits up to the first other byte; 0 when none. */
function atoi(b: Buffer): number {
  let i = 0;
  while (i < b.length && (b[i] === 32 || (b[i]! >= 9 && b[i]! <= 13))) i++;
  let negative = false;
  if (b[i] === 43 || b[i] === 45) negative = b[i++] === 45;
  let v = 0;
  for (; i < b.length && b[i]! >= 48 && b[i]! <= 57; i++) v = v * 10 + (b[i]! - 48);
  return negative ? -v : v;
}

/**
 * genericGetKeys: `numkeys` at countAt, keys from firstAt, and a destination at storeAt (0: none)
 * listed last. Used only when the specs failed, so it reports no flags, as in Redis.
 */
export function numkeysGetKeysProc(storeAt: number, countAt: number, firstAt: number): (argv: Argv) => KeyRef[] {
  return (argv) => {
    const num = atoi(argv[countAt] ?? Buffer.alloc(0));
    if (num < 1 || num > argv.length - firstAt) return [];
    const out: KeyRef[] = [];
    for (let i = 0; i < num; i++) out.push({ index: firstAt + i, flags: NO_FLAGS });
    if (storeAt !== 0) out.push({ index: storeAt, flags: NO_FLAGS });
    return out;
  };
}

/** setGetKeys: the key is read too when GET is among the options. */
export function setGetKeysProc(argv: Argv): KeyRef[] {
  for (let i = 3; i < argv.length; i++) {
    if (isWord(argv[i]!, 'GET')) return [{ index: 1, flags: ['RW', 'access', 'update'] }];
  }
  return [{ index: 1, flags: ['OW', 'update'] }];
}

/** bitfieldGetKeys: read-only when every operation is a GET (or OVERFLOW). */
export function bitfieldGetKeysProc(argv: Argv): KeyRef[] {
  let readonly = true;
  for (let i = 2; i < argv.length; i++) {
    const rest = argv.length - i - 1;
    const a = argv[i]!;
    if (isWord(a, 'GET') && rest >= 2) {
      i += 2;
    } else if ((isWord(a, 'SET') || isWord(a, 'INCRBY')) && rest >= 3) {
      readonly = false;
      break;
    } else if (isWord(a, 'OVERFLOW') && rest >= 1) {
      i += 1;
    } else {
      readonly = false; // a syntax error: Redis assumes the worse
      break;
    }
  }
  return [{ index: 1, flags: readonly ? ['RO', 'access'] : ['RW', 'access', 'update'] }];
}

/** sortGetKeys: the sorted key, and the last STORE destination (options skipped by their arity). */
export function sortGetKeysProc(argv: Argv): KeyRef[] {
  const out: KeyRef[] = [{ index: 1, flags: ['RO', 'access'] }];
  let store = -1;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (isWord(a, 'LIMIT')) i += 2;
    else if (isWord(a, 'GET') || isWord(a, 'BY')) i += 1;
    else if (isWord(a, 'STORE') && i + 1 < argv.length) store = i + 1;
  }
  if (store >= 0) out.push({ index: store, flags: ['OW', 'update'] });
  return out;
}

/** sortROGetKeys: the sorted key alone. */
export function sortRoGetKeysProc(_argv: Argv): KeyRef[] {
  return [{ index: 1, flags: ['RO', 'access'] }];
}

/** georadiusGetKeys: the source, and the last STORE or STOREDIST destination from argv[5]. */
export function georadiusGetKeysProc(argv: Argv): KeyRef[] {
  let stored = -1;
  for (let i = 5; i < argv.length; i++) {
    if ((isWord(argv[i]!, 'STORE') || isWord(argv[i]!, 'STOREDIST')) && i + 1 < argv.length) {
      stored = i + 1;
      i++;
    }
  }
  const out: KeyRef[] = [{ index: 1, flags: NO_FLAGS }];
  if (stored >= 0) out.push({ index: stored, flags: NO_FLAGS });
  return out;
}

/** xreadGetKeys: the first half of what follows STREAMS, options before it skipped by arity. */
export function xreadGetKeysProc(argv: Argv): KeyRef[] {
  let streams = -1;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (isWord(a, 'BLOCK') || isWord(a, 'COUNT')) i++;
    else if (isWord(a, 'GROUP')) i += 2;
    else if (isWord(a, 'NOACK')) continue;
    else {
      if (isWord(a, 'STREAMS')) streams = i;
      break;
    }
  }
  const num = streams === -1 ? 0 : argv.length - streams - 1;
  if (num === 0 || num % 2 !== 0) return [];
  const out: KeyRef[] = [];
  for (let i = streams + 1; i < argv.length - num / 2; i++) out.push({ index: i, flags: NO_FLAGS });
  return out;
}
