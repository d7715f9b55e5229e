/*
 * The set value: a SlotMap of members (latin1 strings) and the encoding Redis 7.2 would report.
 *   intset    every member a canonical int64 and at most set-max-intset-entries of them. Redis
 *             keeps an intset sorted and replies in that order, so ordered() sorts numerically.
 *   listpack  (7.2) at most set-max-listpack-entries members of at most set-max-listpack-value
 *             bytes; insertion order, kept on deletion (deleteStable), as a real listpack.
 *   hashtable otherwise, for good.
 * 7.0.15 goes straight from intset to hashtable; only OBJECT ENCODING tells the difference.
 */
import { ERR_WRONGTYPE, RedisError } from '../../protocol/errors.js';
import type { CommandContext } from '../context.js';
import { SlotMap } from '../keyspace/slot-map.js';
import type { CollectionValue } from '../keyspace/value.js';
import { parseIntValue } from '../string/incr.js';
import { valueOf } from '../args.js';

export const INTSET = 0;
export const LISTPACK = 1;
export const HASHTABLE = 2;
const NAMES = ['intset', 'listpack', 'hashtable'];

export interface SetLimits {
  intset: number;
  listpackEntries: number;
  listpackValue: number;
}

export function setLimits(c: CommandContext): SetLimits {
  const cfg = c.server.config;
  return {
    intset: Number(cfg.get('set-max-intset-entries')),
    listpackEntries: Number(cfg.get('set-max-listpack-entries')),
    listpackValue: Number(cfg.get('set-max-listpack-value')),
  };
}

function isIntMember(m: string): boolean {
  return m.length <= 20 && parseIntValue(m) !== undefined;
}

export class SetValue implements CollectionValue {
  readonly type = 'set' as const;
  map = new SlotMap<null>();
  enc = INTSET;

  /** An empty set in the encoding Redis's setTypeCreate picks for `first` and a size hint. */
  static create(first: string, sizeHint: number, limits: SetLimits): SetValue {
    const s = new SetValue();
    if (isIntMember(first) && sizeHint <= limits.intset) s.enc = INTSET;
    else if (sizeHint <= limits.listpackEntries) s.enc = LISTPACK;
    else s.enc = HASHTABLE;
    return s;
  }

  clone(): SetValue {
    const copy = new SetValue();
    copy.map = this.map.clone();
    copy.enc = this.enc;
    return copy;
  }

  encoding(): string {
    return NAMES[this.enc]!;
  }

  get size(): number {
    return this.map.size;
  }

  has(m: string): boolean {
    return this.map.has(m);
  }

  /**
   * Adds a member, converting the encoding as Redis does; true when it was new. The limits are
   * read only when a new member enters a small encoding: a hashtable set, or a member already
   * present, costs no config lookup.
   */
  add(m: string, c: CommandContext): boolean {
    const map = this.map;
    if (this.enc === HASHTABLE) {
      if (map.has(m)) return false;
      map.insert(m, null);
      return true;
    }
    if (map.has(m)) return false;
    const lim = setLimits(c);
    if (this.enc === INTSET) {
      if (isIntMember(m)) {
        map.insert(m, null);
        if (map.size > lim.intset) this.enc = HASHTABLE;
        return true;
      }
      if (map.size < lim.listpackEntries && m.length <= lim.listpackValue) {
        // A listpack made from an intset starts in the intset's (sorted) order.
        const sorted = this.ordered();
        map.clear();
        for (const x of sorted) map.insert(x, null);
        this.enc = LISTPACK;
      } else {
        this.enc = HASHTABLE;
      }
      map.insert(m, null);
      return true;
    }
    if (map.size >= lim.listpackEntries || m.length > lim.listpackValue) this.enc = HASHTABLE;
    map.insert(m, null);
    return true;
  }

  /** add() for a member given as an argument: one present in a hashtable set makes no string. */
  addArg(b: Buffer, c: CommandContext): boolean {
    if (this.enc === HASHTABLE && this.map.slotOfBytes(b) >= 0) return false;
    return this.add(valueOf(b), c);
  }

  remove(m: string): boolean {
    return this.enc === LISTPACK ? this.map.deleteStable(m) : this.map.delete(m);
  }

  /** Members in Redis's reply order where it is deterministic: sorted for intset, else slot order. */
  ordered(): string[] {
    const out: string[] = [];
    const map = this.map;
    const n = map.slotCount;
    for (let slot = 0; slot < n; slot++) {
      const k = map.keyAt(slot);
      if (k !== null) out.push(k);
    }
    if (this.enc === INTSET) sortIntegers(out);
    return out;
  }
}

/** Sorts canonical int64 strings numerically (BigInt only beyond 2^53). */
function sortIntegers(items: string[]): void {
  const keyed = items.map((s) => {
    const v = parseIntValue(s)!;
    return { s, v };
  });
  keyed.sort((a, b) => (a.v < b.v ? -1 : a.v > b.v ? 1 : 0));
  for (let i = 0; i < items.length; i++) items[i] = keyed[i]!.s;
}

/** The set at key: undefined when missing, WRONGTYPE for another type. */
export function readSet(c: CommandContext, key: string): SetValue | undefined {
  const v = c.db.get(key);
  if (v === undefined) return undefined;
  if (!(v instanceof SetValue)) throw new RedisError(ERR_WRONGTYPE);
  return v;
}
