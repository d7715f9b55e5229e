/*
 * WATCH: the registry of watched keys and the touches that invalidate them (Redis 7.0's
 * watchForKey / touchWatchedKey / touchAllWatchedKeysInDb / isWatchedKeyExpired).
 *
 * A client watches (db, key) pairs. touch(db, key) is Redis's signalModifiedKey: every client
 * watching the key becomes dirty (its next EXEC answers a null array) and stops watching, since
 * nothing can change that outcome any more. Which keys a command touched is decided in
 * modified-keys.ts; expiry, flushes, SWAPDB and REWIND RESTORE touch keys themselves.
 *
 * Expired keys, as in 7.0.15:
 *  - a watched key that expires before EXEC fails it even when nobody touched it (checked at
 *    EXEC: expiredSinceWatch);
 *  - a key that already existed but had expired when it was watched counts as absent: its removal
 *    (lazy or active expiry, DEL, a flush) is no change and only clears that mark; a later write
 *    is a change as for any key.
 *
 * Invariants: every entry is both in its client's `watched` list and in its db's map; `size`
 * counts them, so it is 0 when nobody watches and a write pays one comparison (callers test it).
 * Entries of one key keep their WATCH order, the order touch() walks them in.
 */
import type { Db } from '../commands/keyspace/db.js';
import type { Clock } from '../commands/keyspace/db-hooks.js';
import type { Value } from '../commands/keyspace/value.js';

/** The side of a client the registry sees. */
export interface Watcher {
  /** The entries this client watches. */
  watched: WatchedKey[];
  /** A watched key changed: the next EXEC answers a null array (Redis's CLIENT_DIRTY_CAS). */
  dirtyCas: boolean;
}

export interface WatchedKey {
  readonly watcher: Watcher;
  readonly db: number;
  readonly key: string;
  /** The key existed but had expired when it was watched: logically absent then. */
  expired: boolean;
}

const NO_SLOT = -1;

export class WatchRegistry {
  /** Per db: key -> its entries, in WATCH order. */
  private readonly byDb: Map<string, Set<WatchedKey>>[];
  private count = 0;

  /** `clock` is the dbs' own (it stands still while loading), so "expired" means what it means to a lookup. */
  constructor(
    private readonly dbs: readonly Db[],
    private readonly clock: Clock,
  ) {
    this.byDb = dbs.map(() => new Map());
  }

  /** Watched entries over all clients and dbs. */
  get size(): number {
    return this.count;
  }

  get dbCount(): number {
    return this.dbs.length;
  }

  isWatched(db: number, key: string): boolean {
    return this.byDb[db]!.has(key);
  }

  watch(w: Watcher, db: number, key: string): void {
    // A dirty client's next EXEC fails whatever happens: Redis records nothing more then.
    if (w.dirtyCas) return;
    for (const wk of w.watched) if (wk.db === db && wk.key === key) return;
    const entry: WatchedKey = { watcher: w, db, key, expired: this.isExpired(db, key) };
    const map = this.byDb[db]!;
    const set = map.get(key);
    if (set === undefined) map.set(key, new Set([entry]));
    else set.add(entry);
    w.watched.push(entry);
    this.count++;
  }

  /** Forgets every key w watches; its dirty flag is the caller's business. */
  unwatchAll(w: Watcher): void {
    const watched = w.watched;
    if (watched.length === 0) return;
    for (const wk of watched) {
      const map = this.byDb[wk.db]!;
      const set = map.get(wk.key);
      if (set === undefined) continue;
      set.delete(wk);
      if (set.size === 0) map.delete(wk.key);
    }
    this.count -= watched.length;
    w.watched = [];
  }

  /** Redis's signalModifiedKey: the key in db changed (or was deleted). */
  touch(db: number, key: string): void {
    const set = this.byDb[db]!.get(key);
    if (set === undefined) return;
    // A copy: making a watcher dirty unwatches it, which edits the set.
    for (const wk of [...set]) {
      if (wk.expired) {
        if (this.dbs[db]!.slotOf(key) === NO_SLOT) {
          // The expired key is gone now: it was logically absent already, so nothing changed.
          wk.expired = false;
          continue;
        }
        // Still there: Redis 7.0 stops walking this key's watchers here.
        break;
      }
      wk.watcher.dirtyCas = true;
      this.unwatchAll(wk.watcher);
    }
  }

  /**
   * FLUSHDB, FLUSHALL (replacedWith null) and SWAPDB (called once per side, before the swap):
   * the watched keys of `emptied` that exist there or in `replacedWith` (the contents it gets)
   * change, except that an expired key stays logically absent.
   */
  touchAllInDb(emptied: number, replacedWith: number | null): void {
    const map = this.byDb[emptied]!;
    if (map.size === 0) return;
    const from = this.dbs[emptied]!;
    const to = replacedWith === null ? null : this.dbs[replacedWith]!;
    for (const [key, set] of [...map]) {
      const inEmptied = from.slotOf(key) !== NO_SLOT;
      const inReplacement = to !== null && to.slotOf(key) !== NO_SLOT;
      if (!inEmptied && !inReplacement) continue;
      const expiredInReplacement = inReplacement && this.isExpiredIn(to, key);
      for (const wk of [...set]) {
        if (wk.expired) {
          if (!inReplacement) {
            wk.expired = false;
            continue;
          }
          if (expiredInReplacement) continue;
        } else if (!inEmptied && expiredInReplacement) {
          // An absent key replaced by an expired one: still absent, and now marked as such.
          wk.expired = true;
          continue;
        }
        wk.watcher.dirtyCas = true;
      }
    }
  }

  /** EXEC: a watched key (not already expired at WATCH) has expired since, touched or not. */
  expiredSinceWatch(w: Watcher): boolean {
    for (const wk of w.watched) if (!wk.expired && this.isExpired(wk.db, wk.key)) return true;
    return false;
  }

  /** The value of key if it exists and has not expired; no lazy expiry, no access time. */
  liveValue(db: number, key: string): Value | undefined {
    const d = this.dbs[db]!;
    const slot = d.slotOf(key);
    if (slot === NO_SLOT) return undefined;
    const at = d.expireAt(slot);
    if (at !== 0 && Number(at) <= this.clock.now()) return undefined;
    return d.valueAt(slot) ?? undefined;
  }

  private isExpired(db: number, key: string): boolean {
    return this.isExpiredIn(this.dbs[db]!, key);
  }

  /** Redis's keyIsExpired: the key is still stored but its deadline passed. */
  private isExpiredIn(d: Db, key: string): boolean {
    const slot = d.slotOf(key);
    if (slot === NO_SLOT) return false;
    const at = d.expireAt(slot);
    return at !== 0 && Number(at) <= this.clock.now();
  }
}
