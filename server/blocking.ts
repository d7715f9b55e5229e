/*
 * Clients blocked on keys (BLPOP, BZPOPMIN, XREAD BLOCK...), as Redis 7.2 handles them: a blocked
 * client waits in a FIFO list per (db, key); when a key becomes ready (created, or signalled by a
 * write such as XADD) the waiting clients run their command again, first come first served, until
 * one of them blocks again or none is left. A served client then goes on with the commands it
 * had pipelined behind the blocking one.
 *
 * Invariants: a client is in the lists of exactly the keys it blocked on while `blocked` is set;
 * the Db's onInsert hook is set only while that db has waiters, so a plain SET pays one null check.
 */
import type { ReplyWriter } from '../protocol/reply-writer.js';
import type { Argv } from '../protocol/resp-parser.js';
import type { CommandSpec } from '../commands/table.js';
import type { CommandStats } from '../commands/context.js';
import type { Db } from '../commands/keyspace/db.js';
import type { Client } from './client.js';

export interface BlockedState {
  readonly dbIndex: number;
  readonly keys: readonly string[];
  readonly argv: Argv;
  readonly spec: CommandSpec;
  readonly stats: CommandStats;
  readonly onTimeout: (reply: ReplyWriter) => void;
  timer: NodeJS.Timeout | null;
  /** Set when the command ran again and asked to keep waiting. */
  renewed: boolean;
}

export interface BlockingHost {
  readonly dbs: readonly Db[];
  /** Runs a blocked client's command again (dispatch's call()). */
  rerun(c: Client, state: BlockedState): void;
  /** After a client was served or timed out: flush its reply and run its pipelined input. */
  resume(c: Client): void;
}

/** The longest delay setTimeout honours. */
const MAX_TIMER = 2 ** 31 - 1;

export const UNBLOCKED_ERROR = 'UNBLOCKED client unblocked via CLIENT UNBLOCK';

export class BlockingRegistry {
  /** Per db: key -> clients waiting on it, oldest first. */
  private readonly waiters: Map<string, Client[]>[];
  private readonly ready: [number, string][] = [];
  private readonly readySet: Set<string>[];
  private serving = false;
  private blockedCount = 0;

  constructor(private readonly host: BlockingHost) {
    this.waiters = host.dbs.map(() => new Map());
    this.readySet = host.dbs.map(() => new Set());
  }

  get count(): number {
    return this.blockedCount;
  }

  /** Blocked clients that wait with a deadline (a client blocked on several keys counts once). */
  get withTimeout(): number {
    const seen = new Set<Client>();
    for (const map of this.waiters) for (const list of map.values()) for (const c of list) if (c.blocked?.timer != null) seen.add(c);
    return seen.size;
  }

  get keyCount(): number {
    let n = 0;
    for (const map of this.waiters) n += map.size;
    return n;
  }

  get hasReady(): boolean {
    return this.ready.length > 0;
  }

  /** Registers c as blocked (called from the handler through CommandContext.blockOnKeys). */
  block(c: Client, keys: readonly string[], timeoutMs: number, onTimeout: (reply: ReplyWriter) => void): void {
    if (c.blocked !== null) {
      // Ran again and still nothing to serve: keep the first deadline and place in line.
      c.blocked.renewed = true;
      return;
    }
    const argv = c.currentArgv.map((a) => Buffer.from(a));
    const unique = [...new Set(keys)];
    const state: BlockedState = {
      dbIndex: c.dbIndex, keys: unique, argv, spec: c.currentSpec!, stats: c.currentStats!, onTimeout,
      timer: null, renewed: false,
    };
    const map = this.waiters[c.dbIndex]!;
    for (const key of unique) {
      const list = map.get(key);
      if (list === undefined) map.set(key, [c]);
      else list.push(c);
    }
    const db = this.host.dbs[c.dbIndex]!;
    db.onInsert = this.onInsert;
    db.onDelete = this.onInsert;
    if (timeoutMs > 0) this.arm(c, state, Date.now() + timeoutMs);
    c.blocked = state;
    this.blockedCount++;
  }

  /** A key got data: clients blocked on it will run their command again after this one. */
  signal(dbIndex: number, key: string): void {
    if (!this.waiters[dbIndex]!.has(key)) return;
    const set = this.readySet[dbIndex]!;
    if (set.has(key)) return;
    set.add(key);
    this.ready.push([dbIndex, key]);
  }

  private readonly onInsert = (db: Db, key: string): void => this.signal(db.id, key);

  /** Every key clients wait on in a db (SWAPDB replaced its contents): their commands run again. */
  signalDb(dbIndex: number): void {
    for (const key of this.waiters[dbIndex]!.keys()) this.signal(dbIndex, key);
  }

  /** Serves ready keys; runs after each command, and again for keys readied while serving. */
  serveReady(): void {
    if (this.serving) return;
    this.serving = true;
    const resumed: Client[] = [];
    try {
      while (this.ready.length > 0) {
        const [dbIndex, key] = this.ready.shift()!;
        this.readySet[dbIndex]!.delete(key);
        const list = this.waiters[dbIndex]!.get(key);
        if (list === undefined) continue;
        // Only the clients waiting now; one that blocks again goes to the back of the line.
        for (const c of list.slice()) {
          const state = c.blocked;
          if (state === null || !list.includes(c)) continue;
          state.renewed = false;
          this.host.rerun(c, state);
          if (state.renewed) {
            // Still waiting: move to the back of this key's line, as a fresh arrival.
            const i = list.indexOf(c);
            if (i >= 0) list.splice(i, 1);
            list.push(c);
          } else {
            this.release(c);
            resumed.push(c);
          }
          if (!this.host.dbs[dbIndex]!.has(key)) break;
        }
      }
    } finally {
      this.serving = false;
    }
    for (const c of resumed) this.host.resume(c);
  }

  /** CLIENT UNBLOCK: false when the client is not blocked on keys. */
  unblock(c: Client, withError: boolean): boolean {
    const state = c.blocked;
    if (state === null) return false;
    this.release(c);
    if (withError) c.reply.error(UNBLOCKED_ERROR);
    else state.onTimeout(c.reply);
    this.host.resume(c);
    return true;
  }

  /** The client disconnected. */
  forget(c: Client): void {
    if (c.blocked !== null) this.release(c);
  }

  /**
   * setTimeout fires at once (1 ms) for delays over 2^31-1 ms, and BLPOP accepts far longer
   * timeouts, so a long wait is armed in steps until its deadline.
   */
  private arm(c: Client, state: BlockedState, deadline: number): void {
    const left = deadline - Date.now();
    state.timer = left > MAX_TIMER
      ? setTimeout(() => this.arm(c, state, deadline), MAX_TIMER)
      : setTimeout(() => this.timeout(c), Math.max(left, 0));
  }

  private timeout(c: Client): void {
    const state = c.blocked;
    if (state === null) return;
    state.timer = null;
    this.release(c);
    state.onTimeout(c.reply);
    this.host.resume(c);
  }

  private release(c: Client): void {
    const state = c.blocked!;
    if (state.timer !== null) clearTimeout(state.timer);
    const map = this.waiters[state.dbIndex]!;
    for (const key of state.keys) {
      const list = map.get(key);
      if (list === undefined) continue;
      const i = list.indexOf(c);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) map.delete(key);
    }
    if (map.size === 0) {
      const db = this.host.dbs[state.dbIndex]!;
      db.onInsert = null;
      db.onDelete = null;
    }
    c.blocked = null;
    this.blockedCount--;
  }
}
