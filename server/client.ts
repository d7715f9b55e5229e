/*
 * Client: one connection's state (parser, reply writer, selected db, RESP version, name, flags)
 * and the CommandContext its commands run against. The socket is abstracted as a ClientSocket so
 * the same class serves TCP connections, benchmarks without a socket, and the AOF loader.
 */
import { readSync } from 'node:fs';
import type { Argv } from '../protocol/resp-parser.js';
import { RespParser, type ParserLimits } from '../protocol/resp-parser.js';
import { ReplyWriter, type ReplySink, type RespVersion } from '../protocol/reply-writer.js';
import type { CommandContext, CommandStats, PubSubKind, ReplyMode } from '../commands/context.js';
import type { CommandSpec } from '../commands/table.js';
import type { BlockedState } from './blocking.js';
import type { Db } from '../commands/keyspace/db.js';
import type { ServerState } from './server-state.js';
import { discardTransaction, MultiState } from './multi.js';
import type { Watcher, WatchedKey } from './watch.js';
import type { ClientSubscriptions } from './pubsub.js';
import type { NotifyClass } from '../commands/notify.js';
import type { ClientTracking } from './tracking.js';

/** The socket side of a client; net.Socket satisfies it. */
export interface ClientSocket extends ReplySink {
  pause(): unknown;
  resume(): unknown;
  end(): unknown;
  destroy(): unknown;
  once(event: 'drain', fn: () => void): unknown;
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  readonly localAddress?: string | undefined;
  readonly localPort?: number | undefined;
  /** Bytes handed to write() and not yet sent (net.Socket's), for output buffer limits. */
  readonly writableLength?: number;
}

/** Where serveWhileBusy reads into; copied out at once. */
const BUSY_READ = Buffer.allocUnsafe(64 * 1024);

export const FLAG_CLOSE_AFTER_REPLY = 1;
export const FLAG_MONITOR = 2;
export const FLAG_CLOSED = 4;

export class Client implements CommandContext, Watcher {
  readonly reply = new ReplyWriter();
  readonly parser: RespParser;
  readonly createdAt: number;
  lastInteraction: number;
  db: Db;
  dbIndex = 0;
  dirty = 0;
  /** Plain fields the parser reads per header line; kept current by the setters below. */
  readonly limits: ParserLimits;
  replyMode: ReplyMode = 'on';
  name = '';
  libName = '';
  libVer = '';
  noEvict = false;
  noTouch = false;
  lastCommand = 'NULL';
  flags = 0;
  /** Set while a command runs: what to log instead of argv (propagateAs). */
  propagateArgv: Argv | null = null;
  /** Extra commands to log after the current one: [dbIndex, argv]. */
  extraPropagation: [number, Argv][] = [];
  /** Command time: fixed while one command runs. */
  commandTime = 0;
  /** Replies held because this client's records are not yet in the AOF (a write failed). */
  heldForLog = false;
  /** True while this client waits in the server's flush list. */
  queuedForFlush = false;
  /** Output did not drain: stop reading until it does. */
  paused = false;
  /** Set while blocked on keys; input after the blocking command waits. */
  blocked: BlockedState | null = null;
  /** True while the command runs again for a key that became ready. */
  isRetry = false;
  /** Set while EXEC or a script runs commands: blocking commands answer at once instead. */
  neverBlock = false;
  /** The script client (server/script-host.ts). */
  fromScript = false;
  /** The running command, for blockOnKeys. */
  currentArgv: Argv = [];
  currentSpec: CommandSpec | null = null;
  currentStats: CommandStats | null = null;
  /** The queue since MULTI, or null outside a transaction (server/multi.ts). */
  multi: MultiState | null = null;
  /** Keys this client WATCHes (server/watch.ts keeps the other side). */
  watched: WatchedKey[] = [];
  /** A watched key changed: the next EXEC answers a null array. */
  dirtyCas = false;
  /**
   * The reply writer's error count when the last call() ended (or the current one began): a
   * command's own errors are those written since, so EXEC does not count its queued commands'.
   */
  errorMark = 0;
  /** Channels, patterns and shard channels this client subscribes to; null when none ever. */
  subscriptions: ClientSubscriptions | null = null;
  /** When the unsent output first passed the pubsub soft limit (unix seconds), 0 when under it. */
  softLimitSince = 0;
  /** CLIENT TRACKING mode while on (server/tracking.ts). */
  tracking: ClientTracking | null = null;
  /** A command held by CLIENT PAUSE (server/client-pause.ts): no input is read until it runs. */
  postponed: Argv | null = null;

  constructor(
    readonly server: ServerState,
    readonly id: number,
    private readonly socket: ClientSocket | null,
    readonly fd: number,
  ) {
    this.db = server.dbs[0]!;
    this.limits = { maxBulkLen: server.maxBulkLen, unauthenticated: server.requirePass !== '' };
    this.parser = new RespParser(this.limits);
    this.createdAt = this.lastInteraction = Date.now();
  }

  /**
   * Whatever the socket has received, read synchronously past the event loop (a script holds
   * it: ServerState.serveWhileBusy); null when nothing is there or the socket has no fd.
   */
  readNow(): Buffer | null {
    const handle = (this.socket as unknown as { _handle?: { fd?: unknown } } | null)?._handle;
    const fd = typeof handle?.fd === 'number' ? handle.fd : -1;
    if (fd < 0) return null;
    try {
      const n = readSync(fd, BUSY_READ, 0, BUSY_READ.length, null);
      return n > 0 ? Buffer.from(BUSY_READ.subarray(0, n)) : null;
    } catch {
      // EAGAIN: nothing arrived. Anything else is for the event loop to notice later.
      return null;
    }
  }

  /** False for the AOF loader's client (and benchmarks): nobody is waiting on the other end. */
  get connected(): boolean {
    return this.socket !== null;
  }

  get authenticated(): boolean {
    return !this.limits.unauthenticated;
  }

  set authenticated(v: boolean) {
    this.limits.unauthenticated = !v;
  }

  get addr(): string {
    const s = this.socket;
    if (s === null || s.remoteAddress === undefined) return '';
    return formatAddr(s.remoteAddress, s.remotePort);
  }

  get laddr(): string {
    const s = this.socket;
    if (s === null || s.localAddress === undefined) return '';
    return formatAddr(s.localAddress, s.localPort);
  }

  get resp(): RespVersion {
    return this.reply.resp;
  }

  get user(): string {
    return 'default';
  }

  get queryBufferBytes(): number {
    return this.parser.buffered;
  }

  get outputBytes(): number {
    return this.reply.pendingBytes;
  }

  /**
   * What the socket still buffered right after our last write to it. It only shrinks until the
   * next write, so pending replies plus this bound the unsent bytes from above, without asking
   * the socket on every message (pub/sub fan-out checks limits per delivery).
   */
  socketBacklog = 0;

  /** Unsent output: replies not yet flushed plus what the socket still buffers. */
  get unsentBytes(): number {
    return this.reply.pendingBytes + (this.socket?.writableLength ?? 0);
  }

  get subCount(): number {
    return this.subscriptions?.channel.size ?? 0;
  }

  get psubCount(): number {
    return this.subscriptions?.pattern.size ?? 0;
  }

  get ssubCount(): number {
    return this.subscriptions?.shard.size ?? 0;
  }

  get inPubSub(): boolean {
    return this.subscriptions !== null && this.subscriptions.total > 0;
  }

  /** True once closing was decided (QUIT, CLIENT KILL, an output limit): no more output is queued. */
  get closing(): boolean {
    return (this.flags & (FLAG_CLOSED | FLAG_CLOSE_AFTER_REPLY)) !== 0;
  }

  subscribe(kind: PubSubKind, names: readonly Buffer[]): void {
    this.server.pubsub.subscribe(this, kind, names);
  }

  unsubscribe(kind: PubSubKind, names: readonly Buffer[]): void {
    this.server.pubsub.unsubscribe(this, kind, names);
  }

  notify(cls: NotifyClass, event: string, key: Buffer | string): void {
    const server = this.server;
    if ((server.notifyFlags & cls) !== 0) server.notifyKeyspaceEvent(cls, event, key, this.dbIndex);
  }

  resetPubSub(): void {
    this.server.pubsub.unsubscribeAll(this);
  }

  get flagsText(): string {
    let f = '';
    if ((this.flags & FLAG_MONITOR) !== 0) f += 'O';
    if (this.inPubSub) f += 'P';
    if (this.multi !== null) f += 'x';
    if (this.blocked !== null || this.postponed !== null) f += 'b';
    const t = this.tracking;
    if (t !== null) f += `t${t.brokenRedirect ? 'R' : ''}${t.bcast ? 'B' : ''}`;
    if (this.dirtyCas) f += 'd';
    if ((this.flags & FLAG_CLOSE_AFTER_REPLY) !== 0) f += 'c';
    if (this.noEvict) f += 'e';
    if (this.noTouch) f += 'T';
    return f === '' ? 'N' : f;
  }

  get multiCount(): number {
    return this.multi === null ? -1 : this.multi.commands.length;
  }

  get inMulti(): boolean {
    return this.multi !== null;
  }

  beginMulti(): void {
    this.multi = new MultiState();
  }

  execMulti(): void {
    this.server.execTransaction(this);
  }

  discardMulti(): void {
    discardTransaction(this.server, this);
  }

  watchKeys(keys: readonly Buffer[]): void {
    for (const k of keys) this.server.watches.watch(this, this.dbIndex, k.latin1Slice(0, k.length));
  }

  unwatchKeys(): void {
    this.server.watches.unwatchAll(this);
    this.dirtyCas = false;
  }

  select(index: number): boolean {
    const db = this.server.dbs[index];
    if (db === undefined) return false;
    this.db = db;
    this.dbIndex = index;
    return true;
  }

  setResp(version: RespVersion): void {
    this.reply.resp = version;
  }

  propagateAs(argv: Argv): void {
    this.propagateArgv = argv;
  }

  alsoPropagate(dbIndex: number, argv: Argv): void {
    this.extraPropagation.push([dbIndex, argv]);
  }

  now(): number {
    return this.commandTime;
  }

  startMonitor(): void {
    this.flags |= FLAG_MONITOR;
    this.server.monitors.add(this);
  }

  stopMonitor(): void {
    this.flags &= ~FLAG_MONITOR;
    this.server.monitors.delete(this);
  }

  /** Closes after pending replies are flushed (QUIT, protocol errors, CLIENT KILL). */
  close(): void {
    this.flags |= FLAG_CLOSE_AFTER_REPLY;
    this.server.queueFlush(this);
  }

  /** Sends pending replies; applies backpressure and close-after-reply. */
  flush(): void {
    const socket = this.socket;
    if (socket === null || (this.flags & FLAG_CLOSED) !== 0) {
      this.reply.discard();
      return;
    }
    if (this.reply.hasPending) {
      this.server.stats.netOutputBytes += this.reply.pendingBytes;
      const ok = this.reply.flush(socket);
      this.socketBacklog = socket.writableLength ?? 0;
      if (!ok && !this.paused) {
        this.paused = true;
        socket.pause();
        socket.once('drain', () => {
          this.paused = false;
          if ((this.flags & FLAG_CLOSED) === 0) {
            socket.resume();
            this.server.processInput(this);
          }
        });
      }
    }
    if ((this.flags & FLAG_CLOSE_AFTER_REPLY) !== 0) {
      this.flags |= FLAG_CLOSED;
      socket.end();
    }
  }

  /**
   * Closes at once, dropping unsent output (Redis's freeClientAsync for a client over its output
   * buffer limit): flushing what overflowed would defeat the limit.
   */
  closeNow(): void {
    if ((this.flags & FLAG_CLOSED) !== 0) return;
    this.flags |= FLAG_CLOSED;
    this.reply.discard();
    this.server.pubsub.unsubscribeAll(this);
    this.socket?.destroy();
  }

  blockOnKeys(keys: readonly string[], timeoutMs: number, onTimeout: (reply: ReplyWriter) => void): void {
    // Commands run by EXEC or a script must not wait: they answer as if the timeout passed.
    if (this.neverBlock) onTimeout(this.reply);
    else this.server.blocking.block(this, keys, timeoutMs, onTimeout);
  }

  signalKeyAsReady(key: string): void {
    this.server.blocking.signal(this.dbIndex, key);
  }

  /** The connection is gone: forget server-side registrations. */
  detach(): void {
    this.flags |= FLAG_CLOSED;
    discardTransaction(this.server, this);
    this.server.blocking.forget(this);
    this.server.monitors.delete(this);
    this.server.pubsub.unsubscribeAll(this);
    this.server.tracking.forget(this);
    this.server.clientPause.forget(this);
    this.server.removeClient(this);
  }
}

function formatAddr(host: string, port: number | undefined): string {
  const h = host.startsWith('::ffff:') ? host.slice(7) : host;
  return `${h}:${port ?? 0}`;
}
