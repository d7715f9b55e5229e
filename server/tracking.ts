/*
 * Client-side caching (CLIENT TRACKING), as Redis 7.0's tracking.c behaves on the wire.
 *
 * Default mode: after a read-only command, the calling client's id is remembered for each key the
 * command named (OPTIN: only after CLIENT CACHING yes; OPTOUT: unless CLIENT CACHING no). The
 * table is one namespace for all dbs, as in Redis: a write to `k` in db 1 invalidates `k` read in
 * db 0. When a key is modified (the keys call() finds modified, expiry, REWIND RESTORE) every
 * client remembered for it gets one invalidation and the key is forgotten until read again.
 * BCAST mode: nothing is remembered; modified keys that match a subscribed prefix are collected
 * and sent once per batch (Redis's beforeSleep), one message per prefix, keys in byte order.
 * FLUSHDB and FLUSHALL send every tracking client a null ("everything") and empty the table.
 *
 * Delivery: a RESP3 client gets `>2 invalidate <keys>`; with REDIRECT the message goes to the
 * other client instead, as a push if it speaks RESP3 or, if it is a subscribed RESP2 client, as a
 * `message` on `__redis__:invalidate`; anything else is dropped. A redirect client that is gone
 * marks the mode broken and tells a RESP3 client `tracking-redir-broken <id>`. The null of a
 * flush is encoded in the tracking client's protocol, even when redirected (Redis does so).
 *
 * Ordering: a client's own writes reach it after that command's reply (Redis 7.0's pending keys);
 * NOLOOP drops them. `current` is the client of the outermost call(), so EXEC's queue and
 * anything nested in it counts as that client's.
 *
 * Cost: with nobody tracking and an empty table, call() pays two field writes and one test.
 */
import type { Argv } from '../protocol/resp-parser.js';
import { keyIndexes, type CommandSpec, type CommandTable } from '../commands/table.js';
import type { TrackingApi, TrackingRequest, TrackingView } from '../commands/server/client-api.js';
import type { Value } from '../commands/keyspace/value.js';
import type { Client } from './client.js';
import type { Config } from './config.js';
import type { TouchTarget } from './modified-keys.js';
import type { WatchRegistry } from './watch.js';

/** One client's mode; `prefixes` are kept in a Set and listed in byte order. */
export class ClientTracking implements TrackingView {
  redirect = 0;
  bcast = false;
  optin = false;
  optout = false;
  noloop = false;
  caching = false;
  brokenRedirect = false;
  readonly prefixSet = new Set<string>();

  get prefixes(): string[] {
    return [...this.prefixSet].sort();
  }
}

/** A BCAST prefix: who listens, and the keys modified since the last broadcast (with who did it). */
interface Prefix {
  readonly clients: Set<Client>;
  readonly keys: Map<string, Client | null>;
}

export interface TrackingHost {
  readonly table: CommandTable;
  readonly config: Config;
  client(id: number): Client | undefined;
  queueFlush(c: Client): void;
}

const INVALIDATE = Buffer.from('invalidate');
const REDIR_BROKEN = Buffer.from('tracking-redir-broken');
const MESSAGE = Buffer.from('message');
const CHANNEL = Buffer.from('__redis__:invalidate');
const NULL_RESP2 = Buffer.from('$-1\r\n');
const NULL_RESP3 = Buffer.from('_\r\n');
/** Read-only script commands: the commands the script runs are tracked, not the script's keys. */
const SCRIPTS_RO = new Set(['eval_ro', 'evalsha_ro', 'fcall_ro']);
const FLUSHES = new Set(['flushall', 'flushdb']);

export class Tracking implements TrackingApi {
  /** key -> ids of the clients that may cache it. */
  private readonly table = new Map<string, Set<number>>();
  private items = 0;
  private readonly prefixTable = new Map<string, Prefix>();
  /** Clients with tracking on. */
  private readonly on = new Set<Client>();
  /** The client of the outermost running call(), null between commands. */
  private current: Client | null = null;
  /**
   * The client of the innermost call(): a script's own client while it runs a command. BCAST's
   * NOLOOP compares with it, so a script's writes reach its caller, as in Redis.
   */
  private executing: Client | null = null;
  /** Invalidations for `current` itself (a key, or null for a flush), sent after its reply. */
  private pending: (string | null)[] = [];
  private bcastPending = false;
  /** tracking-table-max-keys (0: no limit), and how many times in a row the limit was not reached. */
  private maxKeys = 0;
  private overLimitRuns = 0;

  constructor(private readonly host: TrackingHost) {
    host.config.watch('tracking-table-max-keys', (v) => {
      this.maxKeys = Number(v);
    });
  }

  /** True when a modified key may concern someone: call() then reports modified keys here. */
  get active(): boolean {
    return this.on.size > 0 || this.table.size > 0;
  }

  get clientCount(): number {
    return this.on.size;
  }

  get totalKeys(): number {
    return this.table.size;
  }

  get totalItems(): number {
    return this.items;
  }

  get totalPrefixes(): number {
    return this.prefixTable.size;
  }

  // ---- CLIENT TRACKING / CACHING ----------------------------------------------------------------

  of(clientId: number): TrackingView | null {
    return this.host.client(clientId)?.tracking ?? null;
  }

  enable(clientId: number, req: TrackingRequest): void {
    const c = this.host.client(clientId);
    if (c === undefined) return;
    let t = c.tracking;
    if (t === null) {
      t = c.tracking = new ClientTracking();
      this.on.add(c);
    }
    // CLIENT CACHING's mark survives: only the mode flags are replaced.
    t.brokenRedirect = false;
    t.redirect = req.redirect;
    t.bcast = req.bcast;
    t.optin = req.optin;
    t.optout = req.optout;
    t.noloop = req.noloop;
    if (req.bcast) {
      for (const p of req.prefixes.length === 0 ? [''] : req.prefixes) {
        let prefix = this.prefixTable.get(p);
        if (prefix === undefined) this.prefixTable.set(p, (prefix = { clients: new Set(), keys: new Map() }));
        if (!prefix.clients.has(c)) {
          prefix.clients.add(c);
          t.prefixSet.add(p);
        }
      }
    }
  }

  disable(clientId: number): void {
    const c = this.host.client(clientId);
    if (c !== undefined) this.forget(c);
  }

  /** CLIENT TRACKING OFF and disconnection. Keys it read stay in the table (dropped lazily, as Redis). */
  forget(c: Client): void {
    const t = c.tracking;
    if (t === null) return;
    for (const p of t.prefixSet) {
      const prefix = this.prefixTable.get(p);
      if (prefix === undefined) continue;
      prefix.clients.delete(c);
      if (prefix.clients.size === 0) this.prefixTable.delete(p);
    }
    c.tracking = null;
    this.on.delete(c);
  }

  markCaching(clientId: number): void {
    const t = this.host.client(clientId)?.tracking;
    if (t !== undefined && t !== null) t.caching = true;
  }

  /**
   * After a command of a client whose CLIENT CACHING mark is set: the mark lasts for one command,
   * or for a whole transaction (from MULTI to EXEC); CLIENT subcommands leave it (Redis's resetClient).
   */
  commandDone(c: Client, argv: Argv): void {
    const t = c.tracking;
    if (t === null || c.multi !== null) return;
    if (argv.length >= 2) {
      const container = this.host.table.lookup(argv[0]!.latin1Slice(0, argv[0]!.length));
      if (container?.name === 'client' && this.host.table.lookupSub(container, argv[1]!.latin1Slice(0, argv[1]!.length)) !== undefined) return;
    }
    t.caching = false;
  }

  // ---- around call() ----------------------------------------------------------------------------

  /** A call() starts; returns the outer call's client (null at top level) for end(). */
  begin(c: Client): Client | null {
    const outer = this.current;
    if (outer === null) this.current = c;
    this.executing = c;
    return outer;
  }

  /** A call() ended: remember what a read-only command read; at top level, send c its own invalidations. */
  end(c: Client, spec: CommandSpec, argv: Argv, outer: Client | null, failed: boolean): void {
    if (this.on.size > 0 || this.table.size > 0) {
      const caller = this.current;
      if (caller?.tracking != null && spec.flags.includes('readonly') && !SCRIPTS_RO.has(spec.name)) {
        this.remember(caller, caller.tracking, spec, argv);
      }
      if (!failed && FLUSHES.has(spec.name)) this.flushed();
    }
    // Calls nest only inside the outer client's own command (EXEC, a script): it runs again.
    this.executing = outer;
    if (outer !== null) return;
    this.current = null;
    if (this.pending.length > 0) {
      const pending = this.pending;
      this.pending = [];
      if (c.tracking !== null) for (const key of pending) this.send(c, key);
    }
    if (this.maxKeys > 0 && this.table.size > this.maxKeys && this.on.size > 0) this.limitKeys();
  }

  /**
   * Redis's trackingLimitUsedSlots: over tracking-table-max-keys, keys are forgotten with an
   * invalidation to the clients that read them, as if they had changed, with more effort each
   * time the limit is still not reached. Redis picks them at random; here the oldest go first.
   * Redis does this before each command, here after it: the same bytes reach the clients.
   */
  private limitKeys(): void {
    let effort = 100 * (this.overLimitRuns + 1);
    for (const key of this.table.keys()) {
      if (effort-- <= 0) break;
      this.invalidate(key, null, false);
      if (this.table.size <= this.maxKeys) {
        this.overLimitRuns = 0;
        return;
      }
    }
    this.overLimitRuns++;
  }

  private remember(c: Client, t: ClientTracking, spec: CommandSpec, argv: Argv): void {
    if (t.bcast || spec.flags.includes('pubsub')) return;
    if (t.optin ? !t.caching : t.optout && t.caching) return;
    let indexes: number[];
    try {
      indexes = keyIndexes(spec, argv);
    } catch {
      return;
    }
    for (const i of indexes) {
      const arg = argv[i];
      if (arg === undefined || i === 0) continue;
      const key = arg.latin1Slice(0, arg.length);
      let ids = this.table.get(key);
      if (ids === undefined) this.table.set(key, (ids = new Set()));
      if (!ids.has(c.id)) {
        ids.add(c.id);
        this.items++;
      }
    }
  }

  // ---- invalidation -----------------------------------------------------------------------------

  /** A command modified key (Redis's signalModifiedKey from a client). */
  keyModified(key: string): void {
    this.invalidate(key, this.executing);
  }

  /** A key expired (Redis signals it with no client: NOLOOP BCAST clients hear of it too). */
  keyExpired(key: string): void {
    if (this.active) this.invalidate(key, null);
  }

  /** `bcast` false: only the clients that read the key hear of it (the key did not change). */
  private invalidate(key: string, by: Client | null, bcast = true): void {
    if (bcast && this.prefixTable.size > 0) {
      for (const [p, prefix] of this.prefixTable) {
        if (key.startsWith(p)) {
          prefix.keys.set(key, by);
          this.bcastPending = true;
        }
      }
    }
    const ids = this.table.get(key);
    if (ids === undefined) return;
    this.table.delete(key);
    this.items -= ids.size;
    for (const id of ids.size > 1 ? [...ids].sort((a, b) => a - b) : ids) {
      const target = this.host.client(id);
      const t = target?.tracking;
      // Gone, tracking off, or switched to BCAST since the read: nothing to tell.
      if (target === undefined || t === null || t === undefined || t.bcast) continue;
      if (target === this.current) {
        if (!t.noloop) this.pending.push(key);
      } else {
        this.send(target, key);
      }
    }
  }

  /** FLUSHDB / FLUSHALL: everything any client cached is invalid. */
  private flushed(): void {
    for (const c of [...this.on].sort((a, b) => a.id - b.id)) {
      if (c === this.current) this.pending.push(null);
      else this.send(c, null);
    }
    this.table.clear();
    this.items = 0;
  }

  /** Redis's trackingBroadcastInvalidationMessages: once per batch, before replies are sent. */
  broadcast(): void {
    if (!this.bcastPending) return;
    this.bcastPending = false;
    for (const p of [...this.prefixTable.keys()].sort()) {
      const prefix = this.prefixTable.get(p)!;
      if (prefix.keys.size === 0) continue;
      const keys = [...prefix.keys.keys()].sort();
      let all: Buffer | null = null;
      for (const c of prefix.clients) {
        if (c.tracking?.noloop === true) {
          const others = keys.filter((k) => prefix.keys.get(k) !== c);
          if (others.length > 0) this.send(c, encodeKeys(others));
        } else {
          this.send(c, (all ??= encodeKeys(keys)));
        }
      }
      prefix.keys.clear();
    }
  }

  /** Redis's sendTrackingMessage: `what` is a key, null for a flush, or an encoded key array. */
  private send(c: Client, what: string | null | Buffer): void {
    const t = c.tracking;
    if (t === null) return;
    let to = c;
    // A client may redirect to itself: a subscribed RESP2 client then gets the messages.
    const redirected = t.redirect !== 0;
    if (redirected) {
      const target = this.host.client(t.redirect);
      if (target === undefined) {
        t.brokenRedirect = true;
        if (c.resp === 3) {
          c.reply.pushLen(2);
          c.reply.bulk(REDIR_BROKEN);
          c.reply.integer(t.redirect);
          this.host.queueFlush(c);
        }
        return;
      }
      to = target;
    }
    const w = to.reply;
    if (to.resp === 3) {
      w.pushLen(2);
      w.bulk(INVALIDATE);
    } else if (redirected && to.inPubSub) {
      w.arrayLen(3);
      w.bulk(MESSAGE);
      w.bulk(CHANNEL);
    } else {
      return; // RESP2 without a subscribed redirect: there is no way to tell it
    }
    if (typeof what === 'string') {
      w.arrayLen(1);
      w.bulk(what);
    } else {
      w.raw(what ?? (c.resp === 3 ? NULL_RESP3 : NULL_RESP2));
    }
    this.host.queueFlush(to);
  }
}

/** `*N` and the keys as bulk strings: the same bytes in RESP2 and RESP3. */
function encodeKeys(keys: readonly string[]): Buffer {
  let s = `*${keys.length}\r\n`;
  for (const k of keys) s += `$${k.length}\r\n${k}\r\n`;
  return Buffer.from(s, 'latin1');
}

/**
 * What call() reports modified keys to while someone tracks: WATCH's registry and the tracking
 * table together. Every key counts as "watched" so that modified-keys.ts's value comparisons run.
 */
export class TrackedTouches implements TouchTarget {
  constructor(
    private readonly watches: WatchRegistry,
    private readonly tracking: Tracking,
  ) {}

  get size(): number {
    return this.watches.size + 1;
  }

  get dbCount(): number {
    return this.watches.dbCount;
  }

  isWatched(_db: number, _key: string): boolean {
    return true;
  }

  liveValue(db: number, key: string): Value | undefined {
    return this.watches.liveValue(db, key);
  }

  touch(db: number, key: string): void {
    if (this.watches.size > 0) this.watches.touch(db, key);
    this.tracking.keyModified(key);
  }
}
