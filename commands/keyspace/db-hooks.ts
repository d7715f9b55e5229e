/*
 * What a Db is given by the server that owns it: its clock, the hooks it reports expiry, flushes,
 * new keys and read misses through, and the watcher of slots a SCAN-like walk keeps.
 */
import type { Db } from './db.js';

export interface DbHooks {
  /** A key was deleted because its TTL passed (lazily or by the active cycle). */
  expired(db: Db, key: string): void;
  /** A db that holds keys is about to be flushed (WATCH: its watched keys change). */
  flushing?(db: Db): void;
  /** INFO's keyspace_hits/misses: counted by get() while a read-only command runs, as Redis does. */
  readonly lookups?: ReadLookupCounters;
  /** A key was added (Redis's dbAdd): the `new` event. */
  created?(db: Db, key: string): void;
  /** A counted read lookup missed: the `keymiss` event, which Redis fires where it counts the miss. */
  missed?(db: Db, key: string): void;
}

export interface ReadLookupCounters {
  countReads: boolean;
  keyspaceHits: number;
  keyspaceMisses: number;
}

export interface Clock {
  now(): number;
}

export interface SlotWatcher {
  removed(slot: number): void;
  flushed(): void;
}

export const SYSTEM_CLOCK: Clock = { now: () => Date.now() };
