/*
 * SlotMap<V>: the member table of a hash, set or sorted set, built like Db: every member lives in a
 * slot (keys[slot], values[slot]) and a Map from the latin1 member to its slot finds it.
 *
 * Why slots: a slot never moves while its member exists, so a scan cursor can be a slot number and
 * a member present for the whole scan is returned (Redis's SCAN guarantee); a member added mid-scan
 * may or may not be seen, one deleted and re-added may be seen twice, both allowed by Redis.
 * Random sampling (HRANDFIELD, SRANDMEMBER, SPOP) picks a slot in O(1) expected time.
 *
 * Freed slots are reused (LIFO) before the arrays grow; trailing free slots are trimmed so a map
 * drained from the end (or emptied) shrinks. The free stack may hold stale entries after a trim;
 * they are recognised and dropped when popped, since a slot below the length whose key is null is
 * always free.
 *
 * deleteStable() removes a member and shifts the later ones down, keeping slot order equal to
 * insertion order: the small encodings (listpack, intset) use it, because Redis replies with their
 * elements in that order and returns them all in one SCAN call, so no cursor can be invalidated.
 *
 * Memory: one Map entry plus two array elements per member. V8 caps a Map near 2^24 entries,
 * comfortably above the 10M members one collection needs to hold.
 */

export class SlotMap<V> {
  private index = new Map<string, number>();
  private keyArr: (string | null)[] = [];
  private valArr: (V | null)[] = [];
  private free: number[] = [];

  get size(): number {
    return this.index.size;
  }

  /** One past the highest slot in use: slots are 0 .. slotCount-1, some of them free. */
  get slotCount(): number {
    return this.keyArr.length;
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  get(key: string): V | undefined {
    const slot = this.index.get(key);
    return slot === undefined ? undefined : (this.valArr[slot] as V);
  }

  /** The member's slot, or -1. */
  slotOf(key: string): number {
    const slot = this.index.get(key);
    return slot === undefined ? -1 : slot;
  }

  /** The member in slot, or null for a free slot. */
  keyAt(slot: number): string | null {
    return this.keyArr[slot] ?? null;
  }

  /** The value in a slot that keyAt reported as used. */
  valueAt(slot: number): V {
    return this.valArr[slot] as V;
  }

  setValueAt(slot: number, value: V): void {
    this.valArr[slot] = value;
  }

  /** Inserts or overwrites; true when the member is new. */
  set(key: string, value: V): boolean {
    const slot = this.index.get(key);
    if (slot !== undefined) {
      this.valArr[slot] = value;
      return false;
    }
    this.insert(key, value);
    return true;
  }

  /** Inserts a member known to be absent (callers that just checked has()). Returns its slot. */
  insert(key: string, value: V): number {
    let slot = -1;
    const keys = this.keyArr;
    while (this.free.length > 0) {
      const s = this.free.pop()!;
      if (s < keys.length && keys[s] === null) {
        slot = s;
        break;
      }
    }
    if (slot === -1) {
      slot = keys.length;
      keys.push(key);
      this.valArr.push(value);
    } else {
      keys[slot] = key;
      this.valArr[slot] = value;
    }
    this.index.set(key, slot);
    return slot;
  }

  /** Removes a member; false when absent. */
  delete(key: string): boolean {
    const slot = this.index.get(key);
    if (slot === undefined) return false;
    this.deleteSlot(slot);
    return true;
  }

  /** Removes the member in a used slot. */
  deleteSlot(slot: number): void {
    const keys = this.keyArr;
    this.index.delete(keys[slot]!);
    keys[slot] = null;
    this.valArr[slot] = null;
    if (slot === keys.length - 1) {
      let end = slot;
      while (end > 0 && keys[end - 1] === null) end--;
      keys.length = end;
      this.valArr.length = end;
      if (end === 0) this.free.length = 0;
    } else {
      this.free.push(slot);
      // Stale entries accumulate only through trims; drop them before they outnumber the slots.
      if (this.free.length > 2 * keys.length + 16) this.free = this.free.filter((s) => s < keys.length && keys[s] === null);
    }
  }

  /**
   * Removes a member and moves every later member one slot down, so slot order stays insertion
   * order. O(n): only for the small encodings, which never have free slots.
   */
  deleteStable(key: string): boolean {
    const slot = this.index.get(key);
    if (slot === undefined) return false;
    this.index.delete(key);
    const keys = this.keyArr;
    const vals = this.valArr;
    const n = keys.length;
    for (let i = slot + 1; i < n; i++) {
      const k = keys[i]!;
      keys[i - 1] = k;
      vals[i - 1] = vals[i]!;
      if (k !== null) this.index.set(k, i - 1);
    }
    keys.length = n - 1;
    vals.length = n - 1;
    return true;
  }

  /** Removes every member. */
  clear(): void {
    this.index = new Map();
    this.keyArr = [];
    this.valArr = [];
    this.free = [];
  }

  /**
   * Visits members from slot `cursor` until `count` were visited or 10*count free slots were
   * passed (Redis's empty-bucket bound). Returns the next cursor, 0 when the walk is complete.
   */
  scan(cursor: number, count: number, visit: (key: string, value: V) => void): number {
    const keys = this.keyArr;
    const end = keys.length;
    let seen = 0;
    let empty = 0;
    let slot = cursor;
    while (slot < end && seen < count && empty < count * 10) {
      const key = keys[slot];
      if (key === null || key === undefined) {
        empty++;
      } else {
        visit(key, this.valArr[slot] as V);
        seen++;
      }
      slot++;
    }
    return slot >= end ? 0 : slot;
  }

  /** A uniformly chosen used slot, or -1 when empty. */
  randomSlot(): number {
    const keys = this.keyArr;
    const n = keys.length;
    if (this.index.size === 0) return -1;
    // Dense tables (the usual case: free slots are reused first) hit within a few tries.
    for (let tries = 0; tries < 64; tries++) {
      const slot = Math.floor(Math.random() * n);
      if (keys[slot] !== null) return slot;
    }
    // Very sparse after mass deletion: walk from a random point instead of sampling forever.
    const start = Math.floor(Math.random() * n);
    for (let i = 0; i < n; i++) {
      const slot = (start + i) % n;
      if (keys[slot] !== null) return slot;
    }
    return -1;
  }

  /** Members in slot order. */
  *keys(): IterableIterator<string> {
    const keys = this.keyArr;
    for (let slot = 0; slot < keys.length; slot++) {
      const k = keys[slot];
      if (k !== null && k !== undefined) yield k;
    }
  }

  /** [member, value] pairs in slot order. */
  *entries(): IterableIterator<[string, V]> {
    const keys = this.keyArr;
    for (let slot = 0; slot < keys.length; slot++) {
      const k = keys[slot];
      if (k !== null && k !== undefined) yield [k, this.valArr[slot] as V];
    }
  }

  /** A copy with the same members in the same slots; values are shared (strings are immutable). */
  clone(): SlotMap<V> {
    const copy = new SlotMap<V>();
    copy.index = new Map(this.index);
    copy.keyArr = this.keyArr.slice();
    copy.valArr = this.valArr.slice();
    copy.free = this.free.slice();
    return copy;
  }
}
