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
 * The index from member to slot is an open-addressing table (linear probing) of (hash, slot + 1)
 * pairs in one array of small integers, not a Map: a lookup in a 100k-member set touches the pair's cache line
 * and then the member string only when the hashes match, where V8's Map also walks a bucket and
 * an entry in separate places (SADD, HSET and ZADD of big collections spent a third of their time
 * in Map lookups). Deletion shifts later entries back (no tombstones). The hash is seeded per
 * process, as V8's and Redis's are, so colliding members cannot be precomputed.
 *
 * Memory: 21 to 43 bytes of index plus two array elements per member (a plain array, not an
 * Int32Array, whose object overhead made each small hash or set 64 bytes bigger than with a Map);
 * no Map size cap. Hashes keep 30 bits so they stay small integers on any V8 build.
 */

const MIN_CAP = 4;
const SEED = (Math.random() * 0x100000000) | 0;

/** A seeded 32-bit hash of a string's char codes (FNV-1a steps, then a final mix). */
function hashOf(s: string): number {
  let h = SEED ^ s.length;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix(h);
}

/** hashOf of the latin1 string these bytes spell. */
function hashOfBytes(b: Buffer): number {
  let h = SEED ^ b.length;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return mix(h);
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h & 0x3fffffff;
}

function emptyTable(cap: number): number[] {
  return new Array<number>(2 * cap).fill(0);
}

export class SlotMap<V> {
  private keyArr: (string | null)[] = [];
  private valArr: (V | null)[] = [];
  private free: number[] = [];
  /** Index entries: tab[2i] the member's hash, tab[2i + 1] its slot + 1 (0: empty). */
  private tab: number[] = emptyTable(MIN_CAP);
  private mask = MIN_CAP - 1;
  private used = 0;

  get size(): number {
    return this.used;
  }

  /** The index entry of key (hash h), or -1. */
  private find(key: string, h: number): number {
    const tab = this.tab;
    const mask = this.mask;
    const keys = this.keyArr;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = tab[2 * i + 1]!;
      if (s === 0) return -1;
      if (tab[2 * i] === h && keys[s - 1] === key) return i;
    }
  }

  private slotIn(key: string): number {
    const i = this.find(key, hashOf(key));
    return i < 0 ? -1 : this.tab[2 * i + 1]! - 1;
  }

  /** Adds an index entry for a member known to be absent. */
  private index(h: number, slot: number): void {
    if ((this.used + 1) * 4 > (this.mask + 1) * 3) this.resize((this.mask + 1) * 2);
    const tab = this.tab;
    const mask = this.mask;
    let i = h & mask;
    while (tab[2 * i + 1] !== 0) i = (i + 1) & mask;
    tab[2 * i] = h;
    tab[2 * i + 1] = slot + 1;
    this.used++;
  }

  /** Removes index entry i, moving later entries of the probe run back into the gap. */
  private unindex(i: number): void {
    const tab = this.tab;
    const mask = this.mask;
    let hole = i;
    for (let j = (i + 1) & mask; tab[2 * j + 1] !== 0; j = (j + 1) & mask) {
      // Entry j may fill the hole when the hole lies between its home position and j.
      if (((j - (tab[2 * j]! & mask)) & mask) >= ((j - hole) & mask)) {
        tab[2 * hole] = tab[2 * j]!;
        tab[2 * hole + 1] = tab[2 * j + 1]!;
        hole = j;
      }
    }
    tab[2 * hole] = 0;
    tab[2 * hole + 1] = 0;
    this.used--;
    if (this.used * 8 < this.mask + 1 && this.mask + 1 > MIN_CAP) this.resize((this.mask + 1) / 2);
  }

  private resize(cap: number): void {
    const old = this.tab;
    const tab = emptyTable(cap);
    const mask = cap - 1;
    for (let j = 0; j < old.length; j += 2) {
      if (old[j + 1] === 0) continue;
      let i = old[j]! & mask;
      while (tab[2 * i + 1] !== 0) i = (i + 1) & mask;
      tab[2 * i] = old[j]!;
      tab[2 * i + 1] = old[j + 1]!;
    }
    this.tab = tab;
    this.mask = mask;
  }

  /** One past the highest slot in use: slots are 0 .. slotCount-1, some of them free. */
  get slotCount(): number {
    return this.keyArr.length;
  }

  has(key: string): boolean {
    return this.find(key, hashOf(key)) >= 0;
  }

  get(key: string): V | undefined {
    const slot = this.slotIn(key);
    return slot < 0 ? undefined : (this.valArr[slot] as V);
  }

  /** The member's slot, or -1. */
  slotOf(key: string): number {
    return this.slotIn(key);
  }

  /**
   * slotOf for a member given as its latin1 bytes (a command argument): SADD and HSET of a member
   * already present then make no string for it.
   */
  slotOfBytes(b: Buffer): number {
    const h = hashOfBytes(b);
    const n = b.length;
    const tab = this.tab;
    const mask = this.mask;
    const keys = this.keyArr;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = tab[2 * i + 1]!;
      if (s === 0) return -1;
      if (tab[2 * i] !== h) continue;
      const k = keys[s - 1]!;
      if (k.length !== n) continue;
      let j = 0;
      while (j < n && k.charCodeAt(j) === b[j]) j++;
      if (j === n) return s - 1;
    }
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
    const h = hashOf(key);
    const i = this.find(key, h);
    if (i >= 0) {
      this.valArr[this.tab[2 * i + 1]! - 1] = value;
      return false;
    }
    this.insertHashed(key, value, h);
    return true;
  }

  /** Inserts a member known to be absent (callers that just checked has()). Returns its slot. */
  insert(key: string, value: V): number {
    return this.insertHashed(key, value, hashOf(key));
  }

  private insertHashed(key: string, value: V, h: number): number {
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
    this.index(h, slot);
    return slot;
  }

  /** Removes a member; false when absent. */
  delete(key: string): boolean {
    const i = this.find(key, hashOf(key));
    if (i < 0) return false;
    const slot = this.tab[2 * i + 1]! - 1;
    this.unindex(i);
    this.release(slot);
    return true;
  }

  /** Removes the member in a used slot. */
  deleteSlot(slot: number): void {
    const key = this.keyArr[slot]!;
    this.unindex(this.find(key, hashOf(key)));
    this.release(slot);
  }

  /** Frees a slot whose index entry is gone. */
  private release(slot: number): void {
    const keys = this.keyArr;
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
    const at = this.find(key, hashOf(key));
    if (at < 0) return false;
    const slot = this.tab[2 * at + 1]! - 1;
    this.unindex(at);
    const keys = this.keyArr;
    const vals = this.valArr;
    const n = keys.length;
    for (let i = slot + 1; i < n; i++) {
      const k = keys[i]!;
      if (k !== null) this.tab[2 * this.find(k, hashOf(k)) + 1] = i; // slot i - 1, plus one
      keys[i - 1] = k;
      vals[i - 1] = vals[i]!;
    }
    keys.length = n - 1;
    vals.length = n - 1;
    return true;
  }

  /** Removes every member. */
  clear(): void {
    this.tab = emptyTable(MIN_CAP);
    this.mask = MIN_CAP - 1;
    this.used = 0;
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
    if (this.used === 0) return -1;
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
    copy.tab = this.tab.slice();
    copy.mask = this.mask;
    copy.used = this.used;
    copy.keyArr = this.keyArr.slice();
    copy.valArr = this.valArr.slice();
    copy.free = this.free.slice();
    return copy;
  }
}
