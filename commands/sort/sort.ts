/*
 * SORT and SORT_RO, as Redis 7.0's sortCommandGeneric: options are parsed first (a syntax or LIMIT
 * error wins over WRONGTYPE), then the list, set or sorted set is loaded (a missing key is empty),
 * weighted, sorted and sliced by LIMIT, and each element is replied or stored, or replaced by its
 * GET patterns. `BY` with a pattern lacking `*` skips sorting: lists and sorted sets keep their own
 * order (DESC walks it from the end, LIMIT takes a slice), sets their iteration order. SORT ...
 * STORE is propagated as sent: Redis 7.0 logs it unchanged too (a set sorted with BY nosort and
 * STORE is sorted ALPHA so that replay is deterministic).
 */
import { NOTIFY_GENERIC, NOTIFY_LIST } from '../notify.js';
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_SYNTAX, ERR_WRONGTYPE, RedisError } from '../../protocol/errors.js';
import type { CommandContext } from '../context.js';
import { isWord, keyOf, longArg } from '../args.js';
import { ListValue } from '../list/value.js';
import { listFill } from '../list/common.js';
import { SetValue } from '../set/set-value.js';
import { ZsetValue } from '../zset/value.js';
import { cString, lookupByPattern, patternSorts, sortWeight } from './pattern.js';

const ERR_NOT_DOUBLE = "ERR One or more scores can't be converted into double";

interface SortOptions {
  desc: boolean;
  alpha: boolean;
  limitStart: number;
  limitCount: number;
  /** The BY pattern, or null. */
  by: string | null;
  dontSort: boolean;
  gets: string[];
  store: string | null;
}

/** One element being sorted: its numeric weight, or (ALPHA BY) the looked-up value. */
interface SortItem {
  elem: string;
  score: number;
  cmp: string | undefined;
}

function parseOptions(argv: Argv, readonly: boolean): SortOptions {
  const o: SortOptions = { desc: false, alpha: false, limitStart: 0, limitCount: -1, by: null, dontSort: false, gets: [], store: null };
  for (let j = 2; j < argv.length; j++) {
    const a = argv[j]!;
    const left = argv.length - j - 1;
    if (isWord(a, 'ASC')) o.desc = false;
    else if (isWord(a, 'DESC')) o.desc = true;
    else if (isWord(a, 'ALPHA')) o.alpha = true;
    else if (isWord(a, 'LIMIT') && left >= 2) {
      o.limitStart = longArg(argv[j + 1]!);
      o.limitCount = longArg(argv[j + 2]!);
      j += 2;
    } else if (!readonly && isWord(a, 'STORE') && left >= 1) {
      o.store = keyOf(argv[++j]!);
    } else if (isWord(a, 'BY') && left >= 1) {
      o.by = keyOf(argv[++j]!);
      o.dontSort = !patternSorts(o.by);
    } else if (isWord(a, 'GET') && left >= 1) {
      o.gets.push(keyOf(argv[++j]!));
    } else {
      throw new RedisError(ERR_SYNTAX);
    }
  }
  return o;
}

/** Binary comparison (Redis's compareStringObjects): bytes, then length. */
function compareBinary(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** strcoll in the C locale: byte order up to the first NUL. */
function compareCollate(a: string, b: string): number {
  return compareBinary(cString(a), cString(b));
}

function itemsOf(elems: readonly string[]): SortItem[] {
  const out = new Array<SortItem>(elems.length);
  for (let i = 0; i < elems.length; i++) out[i] = { elem: elems[i]!, score: 0, cmp: undefined };
  return out;
}

export function sortCommand(c: CommandContext, argv: Argv): void {
  sortGeneric(c, argv, false);
}

export function sortRoCommand(c: CommandContext, argv: Argv): void {
  sortGeneric(c, argv, true);
}

function sortGeneric(c: CommandContext, argv: Argv, readonly: boolean): void {
  const o = parseOptions(argv, readonly);
  // SORT is a write command (STORE) that Redis reads its keys for reading in: counted, and a
  // miss is a `keymiss`, here and for the BY/GET pattern keys.
  const v = c.db.lookupRead(keyOf(argv[1]!));
  if (v !== undefined && !(v instanceof ListValue) && !(v instanceof SetValue) && !(v instanceof ZsetValue)) {
    throw new RedisError(ERR_WRONGTYPE);
  }
  let { dontSort, alpha, by } = o;
  const desc = o.desc;
  // A set has no order of its own: with STORE, Redis sorts it ALPHA so the stored list is deterministic.
  if (dontSort && v instanceof SetValue && o.store !== null) {
    dontSort = false;
    alpha = true;
    by = null;
  }
  // Redis 7.0 converts a small sorted set to its skiplist encoding before sorting it.
  if (v instanceof ZsetValue) v.convert();
  let len = v === undefined ? 0 : v instanceof ListValue ? v.length : v.size;

  // LIMIT, clamped as Redis does.
  let start = Math.min(Math.max(o.limitStart, 0), len);
  const count = Math.min(Math.max(o.limitCount, -1), len);
  let end = count < 0 ? len - 1 : start + count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;

  let items: SortItem[];
  if (dontSort && (v instanceof ListValue || v instanceof ZsetValue)) {
    // Natural order, DESC from the end, loading only the LIMIT slice.
    const n = Math.max(0, end - start + 1);
    const elems: string[] = [];
    if (n > 0 && v instanceof ListValue) {
      v.forEach((s, i) => {
        const pos = desc ? len - 1 - i : i;
        if (pos >= start && pos <= end) elems.push(s);
        return pos < end;
      }, desc);
    } else if (n > 0 && v instanceof ZsetValue) {
      const cur = v.cursor(desc ? len - 1 - start : start);
      for (let k = 0; k < n; k++) {
        elems.push(cur.member);
        if (desc) cur.prev();
        else cur.next();
      }
    }
    items = itemsOf(elems);
    end -= start;
    start = 0;
    len = n;
  } else if (v instanceof ListValue) {
    items = itemsOf(v.range(0, len - 1));
  } else if (v instanceof SetValue) {
    items = itemsOf(v.ordered());
  } else if (v instanceof ZsetValue) {
    const elems: string[] = [];
    for (const [m] of v.entries()) elems.push(m);
    items = itemsOf(elems);
  } else {
    items = [];
  }

  let conversionError = false;
  if (!dontSort) {
    for (const it of items) {
      let w: string | undefined;
      if (by !== null) {
        w = lookupByPattern(c.db, by, it.elem);
        if (w === undefined) continue;
      } else {
        w = it.elem;
      }
      if (alpha) {
        if (by !== null) it.cmp = w;
      } else {
        const score = sortWeight(w);
        if (score === undefined) conversionError = true;
        else it.score = score;
      }
    }
    const store = o.store !== null;
    const sign = desc ? -1 : 1;
    let cmp: (a: SortItem, b: SortItem) => number;
    if (!alpha) {
      cmp = (a, b) => sign * (a.score > b.score ? 1 : a.score < b.score ? -1 : compareBinary(a.elem, b.elem));
    } else if (by !== null) {
      const strCmp = store ? compareBinary : compareCollate;
      cmp = (a, b) => {
        if (a.cmp === undefined || b.cmp === undefined) {
          return sign * (a.cmp === b.cmp ? 0 : a.cmp === undefined ? -1 : 1);
        }
        return sign * strCmp(a.cmp, b.cmp);
      };
    } else {
      const strCmp = store ? compareBinary : compareCollate;
      cmp = (a, b) => sign * strCmp(a.elem, b.elem);
    }
    items.sort(cmp);
  }

  if (conversionError) throw new RedisError(ERR_NOT_DOUBLE);
  const gets = o.gets;
  const rows = Math.max(0, end - start + 1);
  const outputLen = gets.length > 0 ? gets.length * rows : rows;
  if (o.store === null) {
    c.reply.arrayLen(outputLen);
    for (let j = start; j <= end; j++) {
      const elem = items[j]!.elem;
      if (gets.length === 0) c.reply.bulk(elem);
      for (const g of gets) {
        const val = lookupByPattern(c.db, g, elem);
        if (val === undefined) c.reply.nullBulk();
        else c.reply.bulk(val);
      }
    }
    return;
  }
  const out: string[] = [];
  for (let j = start; j <= end; j++) {
    const elem = items[j]!.elem;
    if (gets.length === 0) out.push(elem);
    for (const g of gets) out.push(lookupByPattern(c.db, g, elem) ?? '');
  }
  storeResult(c, o.store, out);
  c.reply.integer(outputLen);
}

/** STORE: the result replaces dest as a list; an empty result deletes dest. */
function storeResult(c: CommandContext, dest: string, out: readonly string[]): void {
  if (out.length === 0) {
    if (c.db.delete(dest)) {
      c.dirty++;
      c.notify(NOTIFY_GENERIC, 'del', dest);
    }
    return;
  }
  const list = new ListValue();
  let bytes = 0;
  for (const s of out) bytes += s.length;
  list.willGrow(listFill(c), bytes, out.length);
  for (const s of out) list.pushTail(s);
  c.db.set(dest, list);
  c.dirty += out.length;
  c.notify(NOTIFY_LIST, 'sortstore', dest);
}
