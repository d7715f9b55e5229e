/*
 * ServerState: everything one Rewind server holds (databases, clients, config, stats) and the
 * per-batch work around dispatch: run the commands a read produced, then write the AOF, then
 * send every client's replies (Redis's beforeSleep order, so no reply leaves before its log).
 */
import type { Argv } from '../protocol/resp-parser.js';
import { Db } from '../commands/keyspace/db.js';
import { SYSTEM_CLOCK, type Clock, type DbHooks } from '../commands/keyspace/db-hooks.js';
import type {
  ClientView, CommandStats, ServerApi, ServerStats, ShutdownOptions,
} from '../commands/context.js';
import { buildTable, type CommandSpec, type CommandTable } from '../commands/table.js';
import { ALL_COMMANDS } from '../commands/index.js';
import type { Config } from './config.js';
import { Client, FLAG_CLOSED } from './client.js';
import { call, dispatch } from './dispatch.js';
import { BlockingRegistry } from './blocking.js';
import { WatchRegistry } from './watch.js';
import { execTransaction } from './multi.js';
import type { Logger } from './log.js';
import type { FunctionLibraryRegistry } from '../commands/scripting/functions.js';
import { ScriptEngine } from '../commands/scripting/engine.js';
import { ScriptClientHost } from './script-host.js';
import { keyIndexes } from '../commands/table.js';
import type { BackgroundSave } from '../persistence/background-save.js';
import { Persistence } from './persistence.js';
import { PubSub, parsePubSubLimit } from './pubsub.js';
import {
  NOTIFY_EXPIRED, NOTIFY_KEY_MISS, NOTIFY_KEYEVENT, NOTIFY_NEW, NOTIFY_KEYSPACE, notifyFlagsFromString, type NotifyClass,
} from '../commands/notify.js';
import { createValueSerializer } from '../persistence/value-serializer.js';
import { NameCache, type CommandEntry } from './name-cache.js';
import { quoteForMonitor } from './monitor-format.js';
import { TrackedTouches, Tracking } from './tracking.js';
import { ClientPause } from './client-pause.js';
import type { TouchTarget } from './modified-keys.js';

export const REWIND_VERSION = '0.1.0';
/** What INFO and HELLO report as redis_version, for clients' feature gates (as Valkey does). */
export const REDIS_COMPAT_VERSION = '7.2.4';

/** Where writes go after they run: the AOF writer implements it. */
export interface Propagator {
  /** One record; dbIndex -1 = no SELECT before it (the EXEC closing a wrapped batch). */
  feed(dbIndex: number, argv: Argv): void;
  /**
   * Called once per batch before any reply is sent. False when the records fed could not be
   * written: the replies of the clients that fed them are held until a later flush succeeds.
   */
  flush(): boolean;
}

const NO_PROPAGATION: Propagator = { feed() {}, flush: () => true };
const MOVE_KEY_CMDS = new Set(['copy']);

function emptyStats(): ServerStats {
  return {
    totalConnections: 0, totalCommands: 0, rejectedConnections: 0, expiredKeys: 0,
    keyspaceHits: 0, keyspaceMisses: 0, countReads: false, netInputBytes: 0, netOutputBytes: 0,
    totalErrorReplies: 0, errorCounts: new Map(), commands: new Map(), dirty: 0,
  };
}

export class ServerState implements ServerApi {
  readonly dbs: Db[];
  readonly table: CommandTable;
  readonly stats: ServerStats = emptyStats();
  readonly version = REDIS_COMPAT_VERSION;
  readonly rewindVersion = REWIND_VERSION;
  readonly serializer = createValueSerializer(() => this.config);
  readonly startedAt = Date.now();
  readonly pid = process.pid;
  readonly monitors = new Set<Client>();
  readonly blocking: BlockingRegistry;
  /** Keys clients WATCH, and the touches that make their EXEC fail. */
  readonly watches: WatchRegistry;
  /** Channel, pattern and shard-channel subscriptions; PUBLISH delivers through it. */
  readonly pubsub: PubSub;
  /** CLIENT TRACKING: who may cache which key, and the invalidations. */
  readonly tracking: Tracking;
  private readonly trackedTouches: TrackedTouches;
  readonly clientPause: ClientPause = new ClientPause(this);
  /** notify-keyspace-events as bits; classes are only checked when K or E is set (0 otherwise). */
  notifyFlags = 0;
  tcpPort = 0;
  lastSave = Math.floor(Date.now() / 1000);
  requirePass = '';
  propagator: Propagator = NO_PROPAGATION;
  readonly noPropagation = NO_PROPAGATION;
  readonly persistence: Persistence;
  /** FUNCTION LOAD's libraries, which the RDB and AOF writers save. */
  get functionLibraries(): FunctionLibraryRegistry {
    return this.scripts.functions;
  }
  /** EVAL's Lua engine; startWithConfig awaits its init() before the server serves anyone. */
  readonly scripts: ScriptEngine;
  /** Set while a script runs past busy-reply-threshold: which kind, for the -BUSY text. */
  busyScript: 'eval' | 'function' | null = null;
  /** Above 0 while a script's command runs under redis.set_repl without the AOF: nothing is logged. */
  propagationMuted = 0;
  /** True while a dataset is loaded at startup: keys do not expire and clients get -LOADING. */
  loading = false;
  /** The snapshot being written (BGSAVE or AOF rewrite); writes preserve keys into it first. */
  snapshot: BackgroundSave | null = null;
  /** Called by SHUTDOWN once it is accepted; server/index.ts closes listeners and sockets. */
  onShutdown: (opts: ShutdownOptions) => string | null = () => null;

  /** Unix ms when the current batch started: the time commands of the batch see. */
  commandTime = Date.now();
  private batchStart = 0;
  /** Stats of the commands run in this batch, to share its elapsed time among them. */
  private batchStats: CommandStats[] = [];
  private readonly nameCache = new NameCache();

  /**
   * Set while the AOF cannot be written: write commands (and PING, as Redis does) are refused with
   * this error line until a write succeeds again.
   */
  denyWrites: string | null = null;
  /** Nesting of call(): records of a top-level command (and what it runs) are collected first. */
  private propagationDepth = 0;
  private pendingRecords: [number, Argv][] = [];
  /** Clients whose commands fed records in this batch: their replies wait for the log. */
  private awaitingLog: Client[] = [];
  /** Clients whose replies are held because their records are not yet in the log. */
  private heldForLog: Client[] = [];

  private readonly clientsById = new Map<number, Client>();
  private nextClientId = 1;
  private flushQueue: Client[] = [];
  /** lazyfree-lazy-expire: expired keys are logged as UNLINK instead of DEL. */
  private lazyExpire = false;
  /** proto-max-bulk-len, pushed into every client's parser limits when it changes. */
  maxBulkLen = 512 * 1024 * 1024;

  constructor(
    readonly config: Config,
    readonly log: Logger,
    readonly clock: Clock,
  ) {
    this.table = buildTable(ALL_COMMANDS);
    this.tracking = new Tracking({ table: this.table, config, client: (id) => this.clientsById.get(id), queueFlush: (c) => this.queueFlush(c) });
    const hooks: DbHooks = {
      lookups: this.stats,
      expired: (db, key) => {
        this.stats.expiredKeys++;
        if ((this.notifyFlags & NOTIFY_EXPIRED) !== 0) this.notifyKeyspaceEvent(NOTIFY_EXPIRED, 'expired', key, db.id);
        this.propagate(db.id, [this.lazyExpire ? UNLINK : DEL, Buffer.from(key, 'latin1')]);
        if (this.watches.size > 0) this.watches.touch(db.id, key);
        this.tracking.keyExpired(key);
      },
      // Keys loaded from a file are not new (Redis's dbAddRDBLoad publishes nothing).
      created: (db, key) => {
        if ((this.notifyFlags & NOTIFY_NEW) !== 0 && !this.loading) this.notifyKeyspaceEvent(NOTIFY_NEW, 'new', key, db.id);
      },
      missed: (db, key) => {
        if ((this.notifyFlags & NOTIFY_KEY_MISS) !== 0) this.notifyKeyspaceEvent(NOTIFY_KEY_MISS, 'keymiss', key, db.id);
      },
      // FLUSHDB, FLUSHALL, DEBUG RELOAD: watched keys that exist change.
      flushing: (db) => {
        if (this.watches.size > 0) this.watches.touchAllInDb(db.id, null);
      },
    };
    const count = config.int('databases');
    // Nothing expires while loading (Redis's rule): a replayed file must give the state it recorded.
    const dbClock: Clock = { now: () => (this.loading ? 0 : clock.now()) };
    this.dbs = Array.from({ length: count }, (_, i) => new Db(i, dbClock, hooks));
    this.watches = new WatchRegistry(this.dbs, dbClock);
    this.trackedTouches = new TrackedTouches(this.watches, this.tracking);
    this.blocking = new BlockingRegistry({
      dbs: this.dbs,
      // Runs inside the batch of the command that readied the key, so it shares its clock.
      rerun: (c, state) => {
        const db = c.dbIndex;
        c.select(state.dbIndex);
        c.isRetry = true;
        try {
          call(this, c, state.spec, state.stats, state.argv);
        } finally {
          c.isRetry = false;
          c.select(db);
        }
        this.queueFlush(c);
      },
      resume: (c) => {
        this.queueFlush(c);
        if ((c.flags & FLAG_CLOSED) !== 0) return;
        // Commands pipelined behind the blocking one run now, in a later turn (no deep recursion).
        setImmediate(() => this.processInput(c));
      },
    });
    const applyLfu = (): void => {
      const lfu = config.get('maxmemory-policy').endsWith('-lfu');
      for (const db of this.dbs) db.setLfu(lfu, config.int('lfu-log-factor'), config.int('lfu-decay-time'));
    };
    for (const name of ['maxmemory-policy', 'lfu-log-factor', 'lfu-decay-time']) config.watch(name, applyLfu);
    config.watch('lazyfree-lazy-expire', (v) => {
      this.lazyExpire = v === 'yes';
    });
    config.watch('requirepass', (v) => {
      this.requirePass = v;
    });
    this.pubsub = new PubSub(
      (c) => this.queueFlush(c),
      (c, used) => {
        this.log.warn({ client: c.id, addr: c.addr, used }, 'client scheduled to be closed ASAP for overcoming of output buffer limits');
        c.closeNow();
      },
    );
    config.watch('notify-keyspace-events', (v) => {
      const flags = notifyFlagsFromString(v);
      // Without a channel kind nothing is published: keep the hot-path test a single bit check.
      this.notifyFlags = (flags & (NOTIFY_KEYSPACE | NOTIFY_KEYEVENT)) === 0 ? 0 : flags;
    });
    config.watch('client-output-buffer-limit', (v) => {
      this.pubsub.limit = parsePubSubLimit(v);
    });
    this.persistence = new Persistence(this);
    this.scripts = new ScriptEngine(new ScriptClientHost(this), REDIS_COMPAT_VERSION);
    config.watch('proto-max-bulk-len', (v) => {
      this.maxBulkLen = Number(v);
      for (const c of this.clientsById.values()) c.limits.maxBulkLen = this.maxBulkLen;
    });
  }

  // ---- clients ----------------------------------------------------------------------------------

  newClient(socket: ConstructorParameters<typeof Client>[2], fd = -1): Client {
    const c = new Client(this, this.nextClientId++, socket, fd);
    this.clientsById.set(c.id, c);
    this.stats.totalConnections++;
    return c;
  }

  removeClient(c: Client): void {
    this.clientsById.delete(c.id);
  }

  clients(): Iterable<Client> {
    return this.clientsById.values();
  }

  get blockedClients(): number {
    return this.blocking.count + this.clientPause.heldCount;
  }

  /** Where call() reports the keys a command modified: WATCH, and client-side caching when in use. */
  get keyTouches(): TouchTarget {
    return this.tracking.active ? this.trackedTouches : this.watches;
  }

  get blockedWithTimeout(): number {
    return this.blocking.withTimeout;
  }

  get blockingKeys(): number {
    return this.blocking.keyCount;
  }

  get clientCount(): number {
    return this.clientsById.size;
  }

  clientById(id: number): ClientView | undefined {
    return this.clientsById.get(id);
  }

  unblockClient(id: number, withError: boolean): boolean {
    const c = this.clientsById.get(id);
    return c !== undefined && this.blocking.unblock(c, withError);
  }

  // ---- the batch --------------------------------------------------------------------------------

  /** Bytes arrived for c: run every complete command, then log and reply. */
  onData(c: Client, chunk: Buffer): void {
    this.stats.netInputBytes += chunk.length;
    c.parser.feed(chunk);
    this.processInput(c);
  }

  processInput(c: Client): void {
    const parser = c.parser;
    this.beginBatch();
    c.lastInteraction = this.commandTime;
    while ((c.flags & FLAG_CLOSED) === 0 && !c.paused && c.blocked === null && c.postponed === null) {
      const argv = parser.next();
      if (argv === null) break;
      dispatch(this, c, argv);
      if ((c.flags & 1) !== 0) break; // close-after-reply: ignore what follows, as Redis does
    }
    if (parser.error !== null && (c.flags & 1) === 0) {
      c.reply.error(`ERR ${parser.error.message}`);
      this.countError('ERR');
      this.log.debug({ client: c.id, reason: parser.error.reason }, 'protocol error');
      c.close();
    }
    this.endBatch();
    this.queueFlush(c);
    this.afterBatch();
  }

  queueFlush(c: Client): void {
    if (!c.queuedForFlush) {
      c.queuedForFlush = true;
      this.flushQueue.push(c);
    }
  }

  /**
   * Redis's beforeSleep: the AOF first, then replies. When the log could not be written, the
   * clients whose commands fed it keep their replies (and everything after them) until it can.
   */
  afterBatch(): void {
    this.tracking.broadcast();
    const logged = this.propagator.flush();
    if (!logged) this.holdForLog();
    else if (this.heldForLog.length > 0) this.releaseHeld();
    this.awaitingLog.length = 0;
    const queue = this.flushQueue;
    if (queue.length === 0) return;
    this.flushQueue = [];
    for (const c of queue) {
      c.queuedForFlush = false;
      if (!c.heldForLog) c.flush();
    }
  }

  private holdForLog(): void {
    for (const c of this.awaitingLog) {
      if (c.heldForLog) continue;
      c.heldForLog = true;
      this.heldForLog.push(c);
    }
  }

  private releaseHeld(): void {
    const held = this.heldForLog;
    this.heldForLog = [];
    for (const c of held) {
      c.heldForLog = false;
      this.queueFlush(c);
    }
  }

  // ---- propagation and stats --------------------------------------------------------------------

  /**
   * Logs a record. Inside a command the records are collected and written when the top-level
   * command ends (endPropagation); outside (the active expire cycle) they go straight out.
   */
  propagate(dbIndex: number, argv: Argv): void {
    // Without an AOF there is nobody to feed: collecting the records would be wasted work.
    if (this.propagator === NO_PROPAGATION || this.propagationMuted > 0) return;
    if (this.propagationDepth > 0) this.pendingRecords.push([dbIndex, argv]);
    else this.propagator.feed(dbIndex, argv);
  }

  beginPropagation(): void {
    this.propagationDepth++;
  }

  /**
   * Ends a call(). At the top level, feeds what it collected: one record bare, two or more inside
   * MULTI/EXEC when `wrap` (persistence-format.md §2.5), the MULTI in the db of the first record.
   * True when something was fed.
   */
  endPropagation(wrap: boolean): boolean {
    if (--this.propagationDepth > 0) return false;
    const records = this.pendingRecords;
    const n = records.length;
    if (n === 0) return false;
    const p = this.propagator;
    if (n === 1 || !wrap) {
      for (let i = 0; i < n; i++) p.feed(records[i]![0], records[i]![1]);
    } else {
      p.feed(records[0]![0], MULTI_ARGV);
      for (let i = 0; i < n; i++) p.feed(records[i]![0], records[i]![1]);
      p.feed(-1, EXEC_ARGV);
    }
    records.length = 0;
    return true;
  }

  /** c fed records in this batch: its replies may leave only once they are written. */
  awaitLog(c: Client): void {
    this.awaitingLog.push(c);
  }

  /** The command named by these bytes, without making a string when the spelling was seen. */
  commandByBytes(name: Buffer): CommandEntry | undefined {
    const hit = this.nameCache.get(name);
    if (hit !== undefined) return hit;
    const spec = this.table.lookup(name.latin1Slice(0, name.length));
    if (spec === undefined) return undefined;
    const entry = { spec, stats: this.commandStats(spec) };
    this.nameCache.set(name, entry);
    return entry;
  }

  /** Opens a batch of commands: one clock read for all of them. */
  beginBatch(): void {
    this.batchStart = performance.now();
    // An injected clock (tests of point-in-time restore) drives the time commands and #TS see.
    this.commandTime = this.clock === SYSTEM_CLOCK ? Math.floor(performance.timeOrigin + this.batchStart) : this.clock.now();
  }

  ranInBatch(stats: CommandStats): void {
    this.batchStats.push(stats);
  }

  /**
   * Closes the batch: its elapsed time is shared evenly by the commands it ran. Exact for a
   * single command; for a pipeline it is the average, which spares a clock read per command.
   */
  endBatch(): void {
    const n = this.batchStats.length;
    if (n === 0) return;
    const usec = ((performance.now() - this.batchStart) * 1000) / n;
    for (let i = 0; i < n; i++) this.batchStats[i]!.usec += usec;
    this.batchStats.length = 0;
  }

  commandStats(spec: CommandSpec): CommandStats {
    let s = this.stats.commands.get(spec.name);
    if (s === undefined) {
      s = { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0 };
      this.stats.commands.set(spec.name, s);
    }
    return s;
  }

  countError(line: string): void {
    this.stats.totalErrorReplies++;
    const sp = line.indexOf(' ');
    const code = sp < 0 ? line : line.slice(0, sp);
    this.stats.errorCounts.set(code, (this.stats.errorCounts.get(code) ?? 0) + 1);
  }

  resetStats(): void {
    this.nameCache.clear();
    const fresh = emptyStats();
    fresh.dirty = this.stats.dirty;
    Object.assign(this.stats, fresh);
  }

  /** `+<unix.micros> [<db> <addr>] "arg" ...` to every MONITOR client. */
  feedMonitors(c: Pick<ClientView, 'dbIndex' | 'addr'>, argv: Argv): void {
    const now = performance.timeOrigin + performance.now();
    let line = `${(now / 1000).toFixed(6)} [${c.dbIndex} ${c.addr === '' ? 'lua' : c.addr}]`;
    for (const a of argv) line += ` ${quoteForMonitor(a)}`;
    for (const m of this.monitors) {
      if ((m.flags & FLAG_CLOSED) !== 0) continue;
      m.reply.simple(line);
      this.queueFlush(m);
    }
  }

  // ---- server-wide operations -------------------------------------------------------------------

  swapDb(a: number, b: number): void {
    if (this.watches.size > 0) {
      // Before the swap: each side's watched keys compare what it holds with what it gets.
      this.watches.touchAllInDb(a, b);
      this.watches.touchAllInDb(b, a);
    }
    const snap = this.snapshot?.snapshot;
    if (snap !== undefined) {
      snap.preserveDb(a);
      snap.preserveDb(b);
    }
    this.dbs[a]!.swapContents(this.dbs[b]!);
    // Clients blocked in either db may now find their key (Redis 7 serves them after SWAPDB).
    this.blocking.signalDb(a);
    this.blocking.signalDb(b);
  }

  // ---- transactions -----------------------------------------------------------------------------

  /** EXEC for a client in MULTI (server/multi.ts), running the queue through dispatch's call(). */
  execTransaction(c: Client): void {
    execTransaction(this, c, call);
  }

  /**
   * Redis's notifyKeyspaceEvent: `event` to `__keyspace@<db>__:<key>` (K) and `key` to
   * `__keyevent@<db>__:<event>` (E). Subscribers get it at once, in the order events happen.
   */
  notifyKeyspaceEvent(cls: NotifyClass, event: string, key: Buffer | string, dbIndex: number): void {
    if ((this.notifyFlags & cls) !== 0) this.pubsub.keyspaceEvent(this.notifyFlags, event, key, dbIndex);
  }

  /** Redis's signalModifiedKey for writes made outside a command's keys (REWIND RESTORE). */
  signalModifiedKey(dbIndex: number, key: string): void {
    if (this.watches.size > 0) this.watches.touch(dbIndex, key);
    this.tracking.keyModified(key);
  }

  // ---- snapshots --------------------------------------------------------------------------------

  get snapshotRunning(): boolean {
    return this.snapshot !== null;
  }

  beginSnapshot(job: BackgroundSave): void {
    this.snapshot = job;
  }

  endSnapshot(job: BackgroundSave): void {
    if (this.snapshot === job) this.snapshot = null;
  }

  /**
   * Before a write command runs while a snapshot is written: the keys it names keep their current
   * value in the snapshot (copy on first write). COPY ... DB n may replace a key in another db.
   */
  preserveForSnapshot(dbIndex: number, spec: CommandSpec, argv: Argv): void {
    const snap = this.snapshot!.snapshot;
    for (const i of keyIndexes(spec, argv)) {
      const key = argv[i]!.latin1Slice(0, argv[i]!.length);
      snap.preserve(dbIndex, key);
      if (MOVE_KEY_CMDS.has(spec.name)) {
        const target = targetDb(argv);
        if (target !== null) snap.preserve(target, key);
      }
    }
  }

  shutdown(opts: ShutdownOptions): string | null {
    return this.onShutdown(opts);
  }

  sleep(ms: number): void {
    if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  }

  /** serverCron: active expiry within a time budget, idle client timeouts, persistence. */
  cron(): void {
    if (this.loading) return;
    this.commandTime = this.clock.now();
    const lruClock = Math.floor(Date.now() / 1000);
    for (const db of this.dbs) db.lruClock = lruClock;
    const effort = this.config.int('active-expire-effort');
    const hz = Math.max(1, this.config.int('hz'));
    // Redis's slow cycle: at most 25% (+2% per effort step) of the time between two cron runs.
    const budgetMs = ((25 + 2 * (effort - 1)) * 1000) / hz / 100;
    const deadline = performance.now() + budgetMs;
    const perLoop = 20 + 5 * (effort - 1);
    for (const db of this.dbs) {
      // Redis expires nothing during CLIENT PAUSE: a paused primary must not change its data.
      if (db.expiresCount === 0 || this.clientPause.active) continue;
      for (;;) {
        const [checked, expired] = db.activeExpireStep(perLoop);
        if (checked === 0 || expired * 100 <= checked * (11 - effort)) break;
        if (performance.now() > deadline) break;
      }
    }
    this.persistence.tick();
    this.afterBatch();
    const timeout = this.config.int('timeout');
    if (timeout > 0) {
      const limit = Date.now() - timeout * 1000;
      for (const c of this.clientsById.values()) {
        // MONITOR and subscribed clients wait for the server, not the other way: no idle timeout (Redis).
        if (c.lastInteraction < limit && (c.flags & 2) === 0 && !c.inPubSub) c.close();
      }
      this.afterBatch();
    }
  }
}

/** The `DB n` argument of COPY, or null. */
function targetDb(argv: Argv): number | null {
  for (let i = 3; i + 1 < argv.length; i++) {
    if (argv[i]!.latin1Slice(0, argv[i]!.length).toLowerCase() === 'db') return Number(argv[i + 1]!.latin1Slice(0, argv[i + 1]!.length));
  }
  return null;
}

const MULTI_ARGV = [Buffer.from('MULTI')];
const EXEC_ARGV = [Buffer.from('EXEC')];
const DEL = Buffer.from('DEL');
const UNLINK = Buffer.from('UNLINK');
