/*
 * What a command handler sees: its client (CommandContext) and, through it, the server (ServerApi).
 * Both are interfaces so commands/ never imports server/; server/ implements them.
 */
import type { Argv } from '../protocol/resp-parser.js';
import type { ReplyWriter, RespVersion } from '../protocol/reply-writer.js';
import type { Db } from './keyspace/db.js';
import type { Value } from './keyspace/value.js';
import type { CommandSpec, CommandTable } from './table.js';
import type { ScriptEngine } from './scripting/engine.js';
import type { NotifyClass } from './notify.js';
import type { ClientPauseApi, TrackingApi } from './server/client-api.js';

/** CLIENT REPLY mode. */
export type ReplyMode = 'on' | 'off' | 'skip';

export interface ClientView {
  readonly id: number;
  name: string;
  libName: string;
  libVer: string;
  readonly addr: string;
  readonly laddr: string;
  readonly fd: number;
  readonly createdAt: number;
  readonly lastInteraction: number;
  readonly dbIndex: number;
  readonly resp: RespVersion;
  readonly lastCommand: string;
  readonly queryBufferBytes: number;
  readonly outputBytes: number;
  readonly flagsText: string;
  /** CLIENT LIST `multi=`: commands queued since MULTI, -1 outside MULTI. */
  readonly multiCount: number;
  readonly user: string;
  /** CLIENT LIST sub= psub= ssub=: channels, patterns and shard channels subscribed to. */
  readonly subCount: number;
  readonly psubCount: number;
  readonly ssubCount: number;
  noEvict: boolean;
  noTouch: boolean;
  /** Closes the connection after pending replies are flushed. */
  close(): void;
}

export interface CommandContext extends ClientView {
  readonly reply: ReplyWriter;
  readonly server: ServerApi;
  /** The selected database. */
  readonly db: Db;
  /** Changes made by the running command; dispatch propagates the command when it is > 0. */
  dirty: number;
  authenticated: boolean;
  replyMode: ReplyMode;
  /** Switches the selected database; false when the index is out of range. */
  select(index: number): boolean;
  setResp(version: RespVersion): void;
  /** Log `argv` to the AOF instead of the command as sent (SET EX -> SET PXAT). */
  propagateAs(argv: Argv): void;
  /** Log an extra command after this one (a DEL for a key that expired on access). */
  alsoPropagate(dbIndex: number, argv: Argv): void;
  /** The current time in unix ms, fixed for the duration of one command. */
  now(): number;
  /** Marks this client as a MONITOR: every later command of any client is shown to it. */
  startMonitor(): void;
  /** Ends MONITOR mode (RESET). */
  stopMonitor(): void;
  /**
   * (P|S)SUBSCRIBE: adds the subscriptions and writes one confirmation push per name
   * (`subscribe`, name, count), as Redis 7.0.
   */
  subscribe(kind: PubSubKind, names: readonly Buffer[]): void;
  /**
   * (P|S)UNSUBSCRIBE: removes the named subscriptions, or every one of the kind when `names` is
   * empty, writing one confirmation each; with nothing to remove, one with a null name.
   */
  unsubscribe(kind: PubSubKind, names: readonly Buffer[]): void;
  /** RESET: drops every subscription without a reply. */
  resetPubSub(): void;
  /**
   * Redis's notifyKeyspaceEvent for a key of the selected db: publishes `event` on
   * `__keyspace@<db>__:<key>` and/or `key` on `__keyevent@<db>__:<event>` when
   * notify-keyspace-events enables the class. Call it after the change, as Redis does.
   */
  notify(cls: NotifyClass, event: string, key: Buffer | string): void;
  /** True while subscribed to anything (Redis's CLIENT_PUBSUB flag). */
  readonly inPubSub: boolean;
  /**
   * Blocks this client on keys of its selected db (BLPOP, BZPOPMIN, XREAD BLOCK...), as Redis 7.2
   * does: the handler found nothing to serve and calls this instead of replying. When one of the
   * keys is signalled ready (a write created it, or signalKeyAsReady was called), the server runs
   * the same command again, with the same argv, for the waiting clients in the order they blocked;
   * a handler that again finds nothing calls blockOnKeys again and keeps its first deadline.
   * timeoutMs 0 waits forever. At the deadline, or on CLIENT UNBLOCK ... TIMEOUT, onTimeout writes
   * the reply (for BLPOP: reply.nullArray()). Inside MULTI or a script the server does not block:
   * onTimeout is called at once, which is what Redis answers there.
   */
  blockOnKeys(keys: readonly string[], timeoutMs: number, onTimeout: (reply: ReplyWriter) => void): void;
  /** True while this command runs again because a key it waits on became ready. */
  readonly isRetry: boolean;
  /**
   * Marks a key of the selected db as ready for clients blocked on it. Creating a key does this by
   * itself; call it when a write adds data to a key that already existed (XADD to a stream).
   */
  signalKeyAsReady(key: string): void;
  /** True for the script client: the commands redis.call runs (Redis's CLIENT_SCRIPT). */
  readonly fromScript: boolean;
  /** True between MULTI and the EXEC or DISCARD that ends it (also while EXEC runs the queue). */
  readonly inMulti: boolean;
  /** MULTI: from now on dispatch queues this client's commands and answers +QUEUED. */
  beginMulti(): void;
  /**
   * EXEC, called only in MULTI: writes the whole reply. The queued commands run through the
   * server's call path (stats, propagation, MONITOR) and their replies form one array; a watched
   * key that changed gives a null array, a command refused while queueing gives EXECABORT. Ends
   * the transaction and unwatches every key.
   */
  execMulti(): void;
  /** DISCARD (and RESET): drops the queue and both dirty flags, and unwatches every key. */
  discardMulti(): void;
  /** WATCH: watches keys of the selected db until EXEC, DISCARD, UNWATCH or disconnection. */
  watchKeys(keys: readonly Buffer[]): void;
  /** UNWATCH: forgets every watched key and whether one of them changed. */
  unwatchKeys(): void;
}

/** The three subscription spaces: SUBSCRIBE channels, PSUBSCRIBE patterns, SSUBSCRIBE shard channels. */
export type PubSubKind = 'channel' | 'pattern' | 'shard';

/** PUBLISH, SPUBLISH and PUBSUB's view of the subscriptions (server/pubsub.ts). */
export interface PubSubApi {
  /** Delivers to channel (and, for 'channel', matching pattern) subscribers; returns how many got it. */
  publish(kind: 'channel' | 'shard', channel: Buffer, message: Buffer): number;
  /** Channels with at least one subscriber, filtered by a glob pattern when given. */
  channels(kind: 'channel' | 'shard', pattern: string | null): string[];
  /** Subscribers of one channel (patterns not counted). */
  subscribers(kind: 'channel' | 'shard', channel: string): number;
  /** Distinct patterns with subscribers (PUBSUB NUMPAT, INFO pubsub_patterns). */
  readonly patternCount: number;
  /** Channels with subscribers (INFO pubsub_channels / pubsubshard_channels). */
  channelCount(kind: 'channel' | 'shard'): number;
}

export interface ConfigApi {
  /** Current value of a parameter as CONFIG GET shows it. */
  get(name: string): string;
  /** Parameters matching any of the glob patterns, each once: [name, value] pairs. */
  getMatching(patterns: readonly string[]): [string, string][];
  /** Applies all pairs or none; returns Redis's error text on failure. */
  set(pairs: readonly [string, string][]): string | null;
}

export interface CommandStats {
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
}

export interface ServerStats {
  totalConnections: number;
  totalCommands: number;
  rejectedConnections: number;
  expiredKeys: number;
  keyspaceHits: number;
  /** Set by dispatch while a read-only command runs: only its lookups count as hits/misses. */
  countReads: boolean;
  keyspaceMisses: number;
  netInputBytes: number;
  netOutputBytes: number;
  totalErrorReplies: number;
  errorCounts: Map<string, number>;
  commands: Map<string, CommandStats>;
  /** Keys changed since the last save (rdb_changes_since_last_save). */
  dirty: number;
}

export interface ShutdownOptions {
  save: 'default' | 'save' | 'nosave';
  now: boolean;
  force: boolean;
  abort: boolean;
}

/** REWIND RESTORE's request: which keys of which db go back to their state at `target`. */
export interface FlashbackOptions {
  /** Unix seconds: the state at the end of that second. */
  target: number;
  db: number;
  /** A glob pattern, or null when `keys` names the keys. */
  match: string | null;
  keys: string[] | null;
  replace: boolean;
  timeshift: boolean;
  dryRun: boolean;
}

export interface FlashbackResult {
  restored: string[];
  replaced: string[];
  deleted: string[];
  skipped: string[];
  expired: string[];
  /** The annotation the replay stopped before, or null when it reached the end of the files. */
  stoppedAt: number | null;
}

/** SAVE, BGSAVE, BGREWRITEAOF and INFO persistence: the server's persistence, seen by commands. */
export interface PersistenceApi {
  readonly loading: boolean;
  /** INFO persistence, every field in Redis's order. */
  infoLines(): string[];
  /** SAVE; throws RedisError. */
  save(): void;
  /** BGSAVE [SCHEDULE]: the status text, or throws RedisError. */
  bgsave(schedule: boolean): string;
  /** BGREWRITEAOF: the status text, or throws RedisError. */
  bgrewriteaof(): string;
  /** REWIND RESTORE; throws RedisError (no AOF, target outside the reachable range). */
  flashback(opts: FlashbackOptions): FlashbackResult;
  /** REWIND RANGE: the oldest and newest second a restore can reach. */
  restoreRange(): { oldest: number; newest: number };
  /** DEBUG RELOAD: save dump.rdb (unless !save), empty the dbs (unless !flush), load it back. */
  debugReload(opts: { save: boolean; flush: boolean; merge: boolean }): void;
}

/** RESTORE's answers to a payload it cannot use (Redis 7.0's texts). */
export const ERR_DUMP_PAYLOAD = 'ERR DUMP payload version or checksum are wrong';
export const ERR_BAD_DATA_FORMAT = 'ERR Bad data format';

/**
 * DUMP/RESTORE's serialized form of a value (persistence/ implements it; commands/ cannot import
 * persistence/): an RDB value payload with a 2-byte version and a CRC-64, as Redis's DUMP.
 */
export interface ValueSerializer {
  /** The DUMP payload of a stored value. */
  dump(value: Value): Buffer;
  /**
   * The value a payload holds, encoded for the current thresholds. Throws RedisError with
   * ERR_DUMP_PAYLOAD (bad footer) or ERR_BAD_DATA_FORMAT (bad contents).
   */
  restore(payload: Buffer): Value;
  /** FUNCTION DUMP: the libraries' sources as FUNCTION2 records with the same footer. */
  dumpFunctions(sources: readonly Buffer[]): Buffer;
  /** FUNCTION RESTORE: the sources a payload holds. Throws RedisError with Redis's texts. */
  restoreFunctions(payload: Buffer): Buffer[];
}

/**
 * Redis's script client, as the script engine sees it (server/script-host.ts): how redis.call
 * finds and runs a command.
 */
export interface ScriptHost {
  /**
   * The command argv names, resolved as a script resolves it: a container named alone is the
   * container itself (its arity then refuses it); undefined for an unknown (sub)command.
   */
  lookup(argv: Argv): CommandSpec | undefined;
  /**
   * Starts a run for caller: the script client selects the caller's db and speaks RESP2.
   * MONITOR sees the caller's EVAL or FCALL (argv) here, before the commands the script runs.
   */
  begin(caller: CommandContext, argv: Argv): void;
  /**
   * Runs a command as the script client through the server's call path (stats, notifications,
   * WATCH, propagation) and returns its reply in `resp`. `propagate` false keeps its records out
   * of the AOF (redis.set_repl).
   */
  call(spec: CommandSpec, argv: Argv, resp: RespVersion, propagate: boolean): Buffer;
  /** The error writes get while the AOF cannot be written (MISCONF), or null. */
  readonly denyWrites: string | null;
  /** Writes a line to the server log at a Redis level (0 debug, 1 verbose, 2 notice, 3 warning). */
  log(level: number, message: string): void;
  /** busy-reply-threshold (lua-time-limit) in ms; 0: a script is never interrupted. */
  readonly busyThreshold: number;
  /**
   * The running script passed the threshold: from now until leaveBusy, other clients' commands
   * are answered -BUSY (except the allow_busy ones: SCRIPT KILL, FUNCTION KILL, SHUTDOWN...).
   */
  enterBusy(kind: 'eval' | 'function'): void;
  /** While busy: reads what other clients sent and answers it (Redis's processEventsWhileBlocked). */
  serveWhileBusy(caller: CommandContext): void;
  leaveBusy(): void;
}

export interface ServerApi {
  readonly dbs: readonly Db[];
  /** EVAL, FCALL and their caches: the Lua engine. */
  readonly scripts: ScriptEngine;
  /** Enabled notification classes; with notifyKeyspaceEvent, for events in a db other than the selected one (MOVE, COPY DB). */
  readonly notifyFlags: number;
  notifyKeyspaceEvent(cls: NotifyClass, event: string, key: Buffer | string, dbIndex: number): void;
  readonly persistence: PersistenceApi;
  readonly table: CommandTable;
  readonly config: ConfigApi;
  readonly pubsub: PubSubApi;
  /** CLIENT TRACKING state and client-side caching invalidations. */
  readonly tracking: TrackingApi;
  /** CLIENT PAUSE / UNPAUSE. */
  readonly clientPause: ClientPauseApi;
  readonly stats: ServerStats;
  readonly version: string;
  /** Rewind's own version (INFO rewind_version); `version` is the Redis version we match. */
  readonly rewindVersion: string;
  /** DUMP and RESTORE payloads. */
  readonly serializer: ValueSerializer;
  readonly startedAt: number;
  readonly tcpPort: number;
  readonly pid: number;
  lastSave: number;
  clients(): Iterable<ClientView>;
  clientById(id: number): ClientView | undefined;
  /**
   * CLIENT UNBLOCK: ends the wait of a client blocked on keys, answering it as a timeout or with
   * the UNBLOCKED error. False when no such client is blocked.
   */
  unblockClient(id: number, withError: boolean): boolean;
  /** Clients blocked on keys, and how many of them wait with a deadline (INFO clients). */
  readonly blockedClients: number;
  readonly blockedWithTimeout: number;
  /** Distinct keys with blocked clients, over all dbs. */
  readonly blockingKeys: number;
  /** SWAPDB: exchanges two databases for every client. */
  swapDb(a: number, b: number): void;
  /** Returns an error text when the shutdown was refused. */
  shutdown(opts: ShutdownOptions): string | null;
  /** Blocks the whole server for ms (DEBUG SLEEP). */
  sleep(ms: number): void;
  /** Resets INFO stats (CONFIG RESETSTAT). */
  resetStats(): void;
}
