/*
 * KeyspaceSnapshot: the keyspace as it was at one instant, written out a slice at a time while the
 * server keeps serving, without fork (Node has none). It is how AOF rewrites and BGSAVE work here.
 *
 * At the start every occupied slot of every db is marked pending. step() hands pending keys to the
 * sink in slot order and unmarks them. Before a command changes a key, the server calls
 * preserve(db, key): if that key is still pending its current (unchanged) value goes to the sink
 * first, so the snapshot holds the value from before the change: copy-on-first-write, key by key.
 * Keys created after the start are never pending (their slots were free or did not exist yet),
 * so they are left to the incr file that records their creation.
 *
 * Invariants:
 *  - each key present at the start reaches the sink at most once, with its value from the start;
 *  - a key removed without preserve() (expiry: the server logs its DEL to the new incr) is
 *    dropped from the snapshot through the Db's slot watcher, so a new key that later reuses the
 *    slot is not mistaken for it; a flushed db drops all its pending keys (the FLUSHDB is logged);
 *  - SWAPDB moves contents between Db objects: call preserveDb() on both first.
 * The sink sees keys grouped by nothing in particular: RDB and RESP bases both re-select the db
 * whenever it changes, which every loader accepts.
 */
import type { Db } from '../commands/keyspace/db.js';
import type { Value } from '../commands/keyspace/value.js';

export interface SnapshotSink {
  /** One key with its value and absolute expiry (0 = none); must not keep `value` past the call. */
  key(db: number, key: string, value: Value, expireAt: number | bigint): void;
}

export class KeyspaceSnapshot {
  /** Keys present at the start. */
  readonly total: number;
  private written = 0;
  private readonly pending: Uint8Array[];
  private dbCursor = 0;
  private slotCursor = 0;
  private detached = false;

  constructor(
    private readonly dbs: readonly Db[],
    private readonly sink: SnapshotSink,
  ) {
    // Every slot is occupied except the free ones: marking from the free list costs O(free)
    // instead of a walk over every key, which would block the server on a large keyspace.
    let total = 0;
    this.pending = dbs.map((db) => {
      const marks = new Uint8Array(db.slotCount).fill(1);
      for (const slot of db.freeSlots) marks[slot] = 0;
      total += db.size;
      return marks;
    });
    this.total = total;
    dbs.forEach((db, i) => {
      const marks = this.pending[i]!;
      db.slotWatcher = {
        removed: (slot) => {
          if (slot < marks.length && marks[slot] === 1) {
            marks[slot] = 0;
            this.written++;
          }
        },
        flushed: () => {
          for (let s = 0; s < marks.length; s++) if (marks[s] === 1) this.written++;
          marks.fill(0);
        },
      };
    });
  }

  /** Keys handed to the sink or dropped so far (INFO current_save_keys_processed). */
  get processed(): number {
    return this.written;
  }

  get done(): boolean {
    return this.dbCursor >= this.dbs.length;
  }

  /** Before key in db changes: writes its value from the start if it was not written yet. */
  preserve(dbIndex: number, key: string): void {
    const db = this.dbs[dbIndex];
    if (db === undefined) return;
    const slot = db.slotOf(key);
    if (slot >= 0) this.emit(dbIndex, slot);
  }

  /** Writes every pending key of a db now (before SWAPDB moves its contents away). */
  preserveDb(dbIndex: number): void {
    const marks = this.pending[dbIndex];
    if (marks === undefined) return;
    for (let slot = 0; slot < marks.length; slot++) if (marks[slot] === 1) this.emit(dbIndex, slot);
  }

  /** Writes up to maxKeys more keys in slot order; true when the whole keyspace is written. */
  step(maxKeys: number): boolean {
    let budget = maxKeys;
    while (this.dbCursor < this.dbs.length) {
      const marks = this.pending[this.dbCursor]!;
      // Slots scanned cost far less than keys written, but still count, so an empty region of a
      // huge db cannot make one step arbitrarily long.
      let scanBudget = budget * 16;
      while (this.slotCursor < marks.length && budget > 0 && scanBudget > 0) {
        const slot = this.slotCursor++;
        scanBudget--;
        if (marks[slot] === 1) {
          this.emit(this.dbCursor, slot);
          budget--;
        }
      }
      if (this.slotCursor < marks.length) return false;
      this.dbCursor++;
      this.slotCursor = 0;
    }
    this.detach();
    return true;
  }

  /** Stops watching the dbs (the snapshot finished or was abandoned). */
  detach(): void {
    if (this.detached) return;
    this.detached = true;
    for (const db of this.dbs) db.slotWatcher = null;
  }

  private emit(dbIndex: number, slot: number): void {
    const marks = this.pending[dbIndex]!;
    if (slot >= marks.length || marks[slot] !== 1) return;
    marks[slot] = 0;
    this.written++;
    const db = this.dbs[dbIndex]!;
    this.sink.key(dbIndex, db.keyAt(slot)!, db.valueAt(slot)!, db.expireAt(slot));
  }
}
