/*
 * Db: one numbered Redis database.
 *
 * Layout. Every key lives in a slot: keys[slot], values[slot], expires[slot] (absolute unix ms,
 * 0 = no TTL; allocated at the first TTL), access[slot] (unix seconds of the last access, for
 * OBJECT IDLETIME) and, under an LFU policy, lfu[slot] (OBJECT FREQ). A Map from
 * the latin1 key to its slot finds it. Parallel arrays cost less memory per key than an entry
 * object, and a slot never moves while its key exists, which gives:
 *   - SCAN: the cursor is a slot number; a key present for the whole scan keeps its slot and is
 *     returned (Redis's guarantee). Freed slots are reused, so a key added mid-scan may or may not
 *     be seen, and a key deleted and re-added may be seen twice, both allowed by Redis.
 *   - RANDOMKEY and active expiry sample slots in O(1).
 * V8 refuses more than 2^24 entries in one Map, so past MAP_LIMIT keys further Maps are opened.
 *
 * Expiry times are doubles, exact up to 2^53 ms (year 287396). EXPIREAT/PEXPIREAT accept any int64,
 * and PEXPIRETIME, PTTL and the logged PEXPIREAT must echo it exactly, so the rare deadline beyond
 * 2^53 is also kept as a bigint beside the double (which still orders it correctly for expiry).
 *
 * Expiry. Lazy: every lookup checks the deadline and deletes an expired key (reporting it through
 * onExpired so the server can log DEL and notify). Active: activeExpireCycle walks the slots that
 * have a TTL with a cursor, as Redis 6+ walks its expires dict, so every expired key is found
 * within a bounded number of cycles even if nobody touches it.
 */
import type { Value } from './value.js';
import { LFU_INIT_VAL, lfuDecay, lfuLogIncr } from './lfu.js';
import type { Clock, DbHooks, SlotWatcher } from './db-hooks.js';

const MAP_LIMIT = 16_000_000;
const MAX_EXACT = Number.MAX_SAFE_INTEGER;
const NO_SLOT = -1;

export class Db {
  private maps: Map<string, number>[] = [new Map()];
  private keys: (string | null)[] = [];
  private values: (Value | null)[] = [];
  /** Allocated at the first TTL, so a keyspace without TTLs pays nothing for them. */
  private expires = new Float64Array(0);
  private access = new Uint32Array(1024);
  /** LFU counters, only under an *-lfu maxmemory-policy. */
  private lfu: Uint8Array | null = null;
  private lfuLogFactor = 10;
  private lfuDecayTime = 1;
  private free: number[] = [];
  private count = 0;

  /** Slots with a TTL, packed, and each slot's position in that list (-1 when none). */
  private volatile = new Int32Array(256);
  private volatilePos = new Int32Array(0);
  private volatileCount = 0;
  private expireCursor = 0;
  /** Exact deadlines of the slots whose expiry is beyond 2^53 ms. */
  private bigExpires = new Map<number, bigint>();

  /**
   * Unix seconds, refreshed by the server cron (like Redis's cached LRU clock) so an access costs
   * no clock read.
   */
  lruClock = Math.floor(Date.now() / 1000);

  /**
   * Called when a key is created, only while clients are blocked on keys of this db (the server
   * sets and clears it), so creating a key with nobody waiting costs one null check.
   */
  onInsert: ((db: Db, key: string) => void) | null = null;
  /**
   * Called when a key is removed, under the same condition as onInsert: a client blocked in
   * XREADGROUP must learn that its stream is gone (Redis's signalDeletedKeyAsReady).
   */
  onDelete: ((db: Db, key: string) => void) | null = null;

  /**
   * Told when a slot is emptied or the whole db is flushed, only while a snapshot of this db is
   * being written (the server sets and clears it): a slot freed and reused by a new key must not
   * be taken for the key it held when the snapshot began.
   */
  slotWatcher: SlotWatcher | null = null;

  /** Redis's `avg_ttl` estimate shown by INFO keyspace. */
  avgTtl = 0;

  /**
   * Set during CLIENT PAUSE: lookups treat an expired key as missing without deleting it, since a
   * paused primary must not change its data (Redis 7.0's expireIfNeeded). Writes are held then.
   */
  expiryPaused = false;

  constructor(
    readonly id: number,
    private readonly clock: Clock,
    private readonly hooks: DbHooks,
    /** Keys per Map before another is opened; injectable so tests can reach it. */
    private readonly mapLimit = MAP_LIMIT,
  ) {}

  get size(): number {
    return this.count;
  }

  get expiresCount(): number {
    return this.volatileCount;
  }

  // ---- lookups ----------------------------------------------------------------------------------

  /** The live value of key, deleting it first if expired; updates the access time. */
  get(key: string): Value | undefined {
    const slot = this.liveSlot(key);
    const lookups = this.hooks.lookups;
    if (lookups !== undefined && lookups.countReads) {
      if (slot !== NO_SLOT) lookups.keyspaceHits++;
      else {
        lookups.keyspaceMisses++;
        this.hooks.missed?.(this, key);
      }
    }
    if (slot === NO_SLOT) return undefined;
    this.touch(slot);
    return this.values[slot]!;
  }

  /**
   * Redis's lookupKeyRead where get() does not count: in a write command reading its sources
   * (BITOP, PFMERGE, ...STORE) and in EXISTS, TYPE and TTL, which also do not touch. Counts the
   * hit or miss and reports a miss (`keymiss`) whatever the command's flags.
   */
  lookupRead(key: string, touch = true): Value | undefined {
    const slot = this.liveSlot(key);
    const lookups = this.hooks.lookups;
    if (slot === NO_SLOT) {
      if (lookups !== undefined) lookups.keyspaceMisses++;
      this.hooks.missed?.(this, key);
      return undefined;
    }
    if (lookups !== undefined) lookups.keyspaceHits++;
    if (touch) this.touch(slot);
    return this.values[slot]!;
  }

  /** As get, without touching the access time (OBJECT, TYPE under NO-TOUCH, SCAN TYPE). */
  peek(key: string): Value | undefined {
    const slot = this.liveSlot(key);
    return slot === NO_SLOT ? undefined : this.values[slot]!;
  }

  has(key: string): boolean {
    return this.liveSlot(key) !== NO_SLOT;
  }

  /** Absolute expiry in unix ms, or -1 without TTL, or -2 when the key does not exist. */
  getExpire(key: string): number {
    const slot = this.liveSlot(key);
    if (slot === NO_SLOT) return -2;
    const at = this.ttlAt(slot);
    return at === 0 ? -1 : at;
  }

  /** As getExpire, but exact beyond 2^53 ms: a bigint there, a number otherwise. */
  getExpireExact(key: string): number | bigint {
    const slot = this.liveSlot(key);
    if (slot === NO_SLOT) return -2;
    const at = this.ttlAt(slot);
    if (at === 0) return -1;
    return at > MAX_EXACT ? this.bigExpires.get(slot) ?? at : at;
  }

  /** Number of Maps holding the key index (more than one past the per-Map limit). */
  get mapCount(): number {
    return this.maps.length;
  }

  /** Seconds since the key was last read or written, or -1 when it does not exist. */
  idleSeconds(key: string): number {
    const slot = this.liveSlot(key);
    if (slot === NO_SLOT) return -1;
    // Both ends from the cached clock, as Redis's LRU_CLOCK: a fresh read would run ahead of the
    // stamp an access just wrote and report a key touched a moment ago as idle for a second.
    return Math.max(0, this.lruClock - this.access[slot]!);
  }

  /**
   * The key's LFU counter as OBJECT FREQ shows it (decayed, not updated), or undefined when the
   * key does not exist or no LFU policy is active.
   */
  frequency(key: string): number | undefined {
    const slot = this.liveSlot(key);
    if (slot === NO_SLOT || this.lfu === null) return undefined;
    const idleMinutes = Math.floor(this.lruClock / 60) - Math.floor(this.access[slot]! / 60);
    return lfuDecay(this.lfu[slot]!, idleMinutes, this.lfuDecayTime);
  }

  /**
   * Sets the key's LFU counter (RESTORE ... FREQ, an RDB FREQ opcode) and starts its decay now, as
   * Redis's objectSetLRUOrLFU stamps the minute clock with it. Without an LFU policy it does
   * nothing, as Redis ignores FREQ then. Not a lookup: the key is neither expired nor touched.
   */
  setFrequency(key: string, counter: number): void {
    const slot = this.findSlot(key);
    if (slot === NO_SLOT || this.lfu === null) return;
    this.lfu[slot] = Math.max(0, Math.min(255, Math.trunc(counter)));
    this.access[slot] = this.lruClock;
  }

  /** Turns LFU counting on (maxmemory-policy *-lfu) or off; existing keys start at LFU_INIT_VAL. */
  setLfu(enabled: boolean, logFactor: number, decayTime: number): void {
    this.lfuLogFactor = logFactor;
    this.lfuDecayTime = decayTime;
    if (!enabled) this.lfu = null;
    else if (this.lfu === null) this.lfu = new Uint8Array(this.access.length).fill(LFU_INIT_VAL);
  }

  // ---- writes -----------------------------------------------------------------------------------

  /**
   * Stores value under key. An existing key keeps its slot; its TTL is cleared unless keepTtl.
   * Returns true when the key was new.
   */
  set(key: string, value: Value, keepTtl = false): boolean {
    let slot = this.findSlot(key);
    if (slot !== NO_SLOT && this.isExpired(slot)) {
      this.expireSlot(slot);
      slot = NO_SLOT;
    }
    if (slot !== NO_SLOT) {
      this.values[slot] = value;
      if (!keepTtl && this.ttlAt(slot) !== 0) this.clearTtl(slot);
      this.touch(slot);
      return false;
    }
    this.insert(key, value);
    return true;
  }

  /** Replaces the value of an existing, live key without touching its TTL (in-place updates). */
  replace(key: string, value: Value): void {
    const slot = this.findSlot(key);
    if (slot !== NO_SLOT) this.values[slot] = value;
  }

  /** Deletes key; returns true when a live key was removed. */
  delete(key: string): boolean {
    const slot = this.liveSlot(key);
    if (slot === NO_SLOT) return false;
    this.removeSlot(slot);
    return true;
  }

  /**
   * Sets an absolute expiry (unix ms, an int64) on an existing key; false when the key does not
   * exist. A deadline in the past is stored as given: the caller deletes instead (EXPIRE does).
   */
  setExpire(key: string, at: number | bigint): boolean {
    const slot = this.liveSlot(key);
    if (slot === NO_SLOT) return false;
    if (typeof at === 'bigint') {
      const n = Number(at);
      if (n > MAX_EXACT) this.bigExpires.set(slot, at);
      else if (this.bigExpires.size > 0) this.bigExpires.delete(slot);
      this.setTtl(slot, n === 0 ? Number.MIN_VALUE : n);
      return true;
    }
    if (this.bigExpires.size > 0) this.bigExpires.delete(slot);
    // 0 means "no TTL" in the slot arrays; a deadline of exactly 0 ms is in the past anyway.
    this.setTtl(slot, at === 0 ? Number.MIN_VALUE : at);
    return true;
  }

  /** Removes the TTL; true when there was one. */
  persist(key: string): boolean {
    const slot = this.liveSlot(key);
    if (slot === NO_SLOT || this.ttlAt(slot) === 0) return false;
    this.clearTtl(slot);
    return true;
  }

  /** Removes every key. */
  flush(): number {
    const removed = this.count;
    if (removed > 0 && this.hooks.flushing !== undefined) this.hooks.flushing(this);
    if (this.slotWatcher !== null) this.slotWatcher.flushed();
    if (this.onDelete !== null) {
      for (const key of this.keys) if (key !== null) this.onDelete(this, key);
    }
    this.maps = [new Map()];
    this.keys = [];
    this.values = [];
    this.expires = new Float64Array(0);
    this.access = new Uint32Array(1024);
    if (this.lfu !== null) this.lfu = new Uint8Array(1024);
    this.free = [];
    this.count = 0;
    this.volatile = new Int32Array(256);
    this.volatilePos = new Int32Array(0);
    this.volatileCount = 0;
    this.expireCursor = 0;
    this.bigExpires = new Map();
    this.avgTtl = 0;
    return removed;
  }

  /** Moves all contents between two Db objects (SWAPDB); ids stay with their objects. */
  swapContents(other: Db): void {
    const fields = [
      'maps', 'keys', 'values', 'expires', 'access', 'free', 'count',
      'volatile', 'volatilePos', 'volatileCount', 'expireCursor', 'bigExpires', 'avgTtl', 'lfu',
    ] as const;
    const a = this as unknown as Record<(typeof fields)[number], unknown>;
    const b = other as unknown as Record<(typeof fields)[number], unknown>;
    for (const f of fields) [a[f], b[f]] = [b[f], a[f]];
  }

  // ---- iteration --------------------------------------------------------------------------------

  /** Slots in use or free: every key's slot is below this. */
  get slotCount(): number {
    return this.keys.length;
  }

  /** Slots below slotCount that hold no key (a snapshot starts from these instead of a full walk). */
  get freeSlots(): readonly number[] {
    return this.free;
  }

  /** The key in a slot, expired or not (snapshots take keys as they are, like a fork). */
  keyAt(slot: number): string | null {
    return this.keys[slot] ?? null;
  }

  valueAt(slot: number): Value | null {
    return this.values[slot] ?? null;
  }

  /** A slot's deadline in unix ms (exact, bigint beyond 2^53), 0 when it has no TTL. */
  expireAt(slot: number): number | bigint {
    const at = this.ttlAt(slot);
    if (at === 0) return 0;
    return this.bigExpires.get(slot) ?? at;
  }

  /** The slot of key, expired or not, or -1; no side effects. */
  slotOf(key: string): number {
    return this.findSlot(key);
  }

  /**
   * Visits live keys from slot `cursor` until `count` keys were visited or 10*count empty slots
   * were passed. Returns the next cursor, 0 when the walk is complete.
   */
  scan(cursor: number, count: number, visit: (key: string, value: Value) => void): number {
    const end = this.keys.length;
    const now = this.clock.now();
    let seen = 0;
    let empty = 0;
    let slot = cursor;
    while (slot < end && seen < count && empty < count * 10) {
      const key = this.keys[slot];
      if (key === null || key === undefined) {
        empty++;
      } else {
        const at = this.ttlAt(slot);
        if (at !== 0 && at <= now) {
          if (!this.expiryPaused) this.expireSlot(slot);
        } else {
          visit(key, this.values[slot]!);
          seen++;
        }
      }
      slot++;
    }
    return slot >= end ? 0 : slot;
  }

  /** Every live key (KEYS, DEBUG, snapshots). Expired keys met on the way are removed. */
  *entries(): IterableIterator<[string, Value, number]> {
    const now = this.clock.now();
    for (let slot = 0; slot < this.keys.length; slot++) {
      const key = this.keys[slot];
      if (key === null || key === undefined) continue;
      const at = this.ttlAt(slot);
      if (at !== 0 && at <= now) continue;
      yield [key, this.values[slot]!, at];
    }
  }

  /** A random live key, or undefined when the db is empty. */
  randomKey(): string | undefined {
    for (let tries = 0; this.count > 0 && tries < 100; tries++) {
      const key = this.liveKeyAt(Math.floor(Math.random() * this.keys.length));
      if (key !== undefined) return key;
    }
    // Sparse table: walk from a random point instead of sampling forever.
    const n = this.keys.length;
    const start = Math.floor(Math.random() * Math.max(n, 1));
    for (let i = 0; i < n && this.count > 0; i++) {
      const key = this.liveKeyAt((start + i) % n);
      if (key !== undefined) return key;
    }
    return undefined;
  }

  /** The key in slot if it is live; an expired one is deleted on the way. */
  private liveKeyAt(slot: number): string | undefined {
    const key = this.keys[slot];
    if (key === null || key === undefined) return undefined;
    if (this.isExpired(slot)) {
      if (!this.expiryPaused) this.expireSlot(slot);
      return undefined;
    }
    return key;
  }

  // ---- active expiry ----------------------------------------------------------------------------

  /**
   * One step of the active expire cycle (one loop of Redis's activeExpireCycle for this db):
   * checks up to `budget` keys with a TTL, never more than there are, continuing from where the
   * previous step stopped, so repeated steps visit every volatile key in turn. Deletes the expired
   * ones and returns [checked, expired]; the caller repeats while the expired share stays high.
   */
  activeExpireStep(budget: number): [number, number] {
    const now = this.clock.now();
    const limit = Math.min(budget, this.volatileCount);
    let checked = 0;
    let expired = 0;
    let ttlSum = 0;
    let ttlSamples = 0;
    while (checked < limit && this.volatileCount > 0) {
      if (this.expireCursor >= this.volatileCount) this.expireCursor = 0;
      const slot = this.volatile[this.expireCursor]!;
      checked++;
      const at = this.ttlAt(slot);
      if (at <= now) {
        this.expireSlot(slot); // swaps the last entry into expireCursor: check it next
        expired++;
      } else {
        ttlSum += at - now;
        ttlSamples++;
        this.expireCursor++;
      }
    }
    if (ttlSamples > 0) {
      const avg = ttlSum / ttlSamples;
      this.avgTtl = this.avgTtl === 0 ? avg : (this.avgTtl / 50) * 49 + avg / 50;
    }
    return [checked, expired];
  }

  // ---- slots ------------------------------------------------------------------------------------

  private findSlot(key: string): number {
    const s = this.maps[0]!.get(key);
    if (s !== undefined) return s;
    for (let i = 1; i < this.maps.length; i++) {
      const t = this.maps[i]!.get(key);
      if (t !== undefined) return t;
    }
    return NO_SLOT;
  }

  private liveSlot(key: string): number {
    const slot = this.findSlot(key);
    if (slot === NO_SLOT) return NO_SLOT;
    const at = this.ttlAt(slot);
    if (at !== 0 && at <= this.clock.now()) {
      if (!this.expiryPaused) this.expireSlot(slot);
      return NO_SLOT;
    }
    return slot;
  }

  private isExpired(slot: number): boolean {
    const at = this.ttlAt(slot);
    return at !== 0 && at <= this.clock.now();
  }

  private expireSlot(slot: number): void {
    const key = this.keys[slot]!;
    this.removeSlot(slot);
    this.hooks.expired(this, key);
  }

  private insert(key: string, value: Value): void {
    let slot: number;
    if (this.free.length > 0) {
      slot = this.free.pop()!;
      this.keys[slot] = key;
      this.values[slot] = value;
    } else {
      slot = this.keys.length;
      this.keys.push(key);
      this.values.push(value);
      if (slot >= this.access.length) this.growSlots();
    }
    // A free slot's expires entry is already 0: removeSlot clears the TTL.
    this.access[slot] = this.lruClock;
    if (this.lfu !== null) this.lfu[slot] = LFU_INIT_VAL;
    let map = this.maps[this.maps.length - 1]!;
    if (map.size >= this.mapLimit) map = this.mapWithRoom();
    map.set(key, slot);
    this.count++;
    this.hooks.created?.(this, key);
    if (this.onInsert !== null) this.onInsert(this, key);
  }

  /** A Map below the limit, reusing room freed in earlier Maps before opening a new one. */
  private mapWithRoom(): Map<string, number> {
    for (const m of this.maps) if (m.size < this.mapLimit) return m;
    const map = new Map<string, number>();
    this.maps.push(map);
    return map;
  }

  private removeSlot(slot: number): void {
    const key = this.keys[slot]!;
    for (const map of this.maps) if (map.delete(key)) break;
    if (this.ttlAt(slot) !== 0) this.clearTtl(slot);
    this.keys[slot] = null;
    this.values[slot] = null;
    this.free.push(slot);
    this.count--;
    if (this.slotWatcher !== null) this.slotWatcher.removed(slot);
    if (this.onDelete !== null) this.onDelete(this, key);
  }

  private growSlots(): void {
    const size = this.access.length * 2;
    const access = new Uint32Array(size);
    access.set(this.access);
    this.access = access;
    if (this.expires.length > 0) this.allocateTtl(size);
    if (this.lfu !== null) {
      const lfu = new Uint8Array(size);
      lfu.set(this.lfu);
      this.lfu = lfu;
    }
  }

  private allocateTtl(size: number): void {
    const expires = new Float64Array(size);
    expires.set(this.expires);
    this.expires = expires;
    const pos = new Int32Array(size).fill(-1);
    pos.set(this.volatilePos);
    this.volatilePos = pos;
  }

  /** The slot's deadline in unix ms, 0 without TTL. */
  private ttlAt(slot: number): number {
    return this.volatileCount === 0 ? 0 : this.expires[slot]!;
  }

  /** An access: LFU counter (decay, then the logarithmic increment) and LRU time. */
  private touch(slot: number): void {
    if (this.lfu !== null) {
      const idleMinutes = Math.floor(this.lruClock / 60) - Math.floor(this.access[slot]! / 60);
      const decayed = lfuDecay(this.lfu[slot]!, idleMinutes, this.lfuDecayTime);
      this.lfu[slot] = lfuLogIncr(decayed, this.lfuLogFactor);
    }
    this.access[slot] = this.lruClock;
  }

  private setTtl(slot: number, at: number): void {
    if (this.expires.length === 0) this.allocateTtl(this.access.length);
    if (this.expires[slot] === 0) {
      if (this.volatileCount === this.volatile.length) {
        const grown = new Int32Array(this.volatile.length * 2);
        grown.set(this.volatile);
        this.volatile = grown;
      }
      this.volatile[this.volatileCount] = slot;
      this.volatilePos[slot] = this.volatileCount++;
    }
    this.expires[slot] = at;
  }

  private clearTtl(slot: number): void {
    const pos = this.volatilePos[slot]!;
    const last = this.volatile[--this.volatileCount]!;
    this.volatile[pos] = last;
    this.volatilePos[last] = pos;
    this.volatilePos[slot] = -1;
    if (this.expires[slot]! > MAX_EXACT) this.bigExpires.delete(slot);
    this.expires[slot] = 0;
  }
}
