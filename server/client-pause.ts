/*
 * CLIENT PAUSE: while a pause is in force, dispatch holds commands back instead of running them,
 * as Redis 7.0's processCommand postpones them (BLOCKED_POSTPONE):
 *   - ALL holds every command of every client, the one that paused included;
 *   - WRITE holds writes and the commands Redis marks may-replicate (PUBLISH, SPUBLISH, EVAL,
 *     EVALSHA, FCALL, PFCOUNT), and an EXEC whose queue holds one of them. Queued commands are held
 *     too: the check comes before MULTI queueing, as in Redis.
 * A held client reads nothing more until its command runs. When the pause ends (UNPAUSE or the
 * deadline) the held commands run again from the top of dispatch, in the order they were held,
 * each client's pipelined input after it; a pause started meanwhile holds them again.
 * A new CLIENT PAUSE during a pause keeps the later deadline and the stricter mode (Redis merges
 * them), so UNPAUSE is the only way to shorten one. Nothing expires while paused: the active
 * cycle waits, and lookups see an expired key as missing without deleting it (Db.expiryPaused).
 *
 * Not done: EVAL/FCALL of scripts declared no-writes are held too: Redis derives their flags from
 * the script, which dispatch does not see.
 */
import type { Argv } from '../protocol/resp-parser.js';
import { MAY_REPLICATE, type CommandSpec } from '../commands/table.js';
import type { ClientPauseApi, PauseMode } from '../commands/server/client-api.js';
import { FLAG_CLOSED, FLAG_MONITOR, type Client } from './client.js';
import { dispatch } from './dispatch.js';
import type { ServerState } from './server-state.js';

const OFF = 0;
const WRITE = 1;
const ALL = 2;

/** setTimeout's longest delay; later deadlines are armed in steps. */
const MAX_TIMER = 2 ** 31 - 1;

/**
 * What a WRITE pause holds. A script that declares no-writes (shebang or register_function
 * flags) is a read to Redis, which takes the command's flags from the script's.
 */
function writeLike(server: ServerState, spec: CommandSpec, argv: Argv): boolean {
  if (spec.flags.includes('write')) return true;
  if (!MAY_REPLICATE.has(spec.name)) return false;
  return !(SCRIPT_COMMANDS.has(spec.name) && server.scripts.declaresNoWrites(spec.name, argv));
}

const SCRIPT_COMMANDS = new Set(['eval', 'evalsha', 'fcall']);

export class ClientPause implements ClientPauseApi {
  private mode = OFF;
  private end = 0;
  private timer: NodeJS.Timeout | null = null;
  private held: Client[] = [];

  constructor(private readonly server: ServerState) {}

  /** Any pause in force (dispatch's one test per command; also stops active expiry). */
  get active(): boolean {
    return this.mode !== OFF;
  }

  get heldCount(): number {
    return this.held.length;
  }

  pause(end: number, mode: PauseMode): void {
    const m = mode === 'all' ? ALL : WRITE;
    if (this.mode === OFF) {
      this.mode = m;
      this.end = end;
    } else {
      this.mode = Math.max(this.mode, m);
      this.end = Math.max(this.end, end);
    }
    this.pauseExpiry(true);
    this.arm();
  }

  unpause(): void {
    this.stop();
  }

  /**
   * Called by dispatch for a command that passed its checks while a pause is in force: true when
   * the command is held (the client waits; its argv is kept), false when it may run now.
   */
  hold(c: Client, spec: CommandSpec, argv: Argv): boolean {
    if (this.end < Date.now()) {
      // The deadline passed before its timer ran.
      this.stop();
      return false;
    }
    // The AOF loader is not a client, and a MONITOR is a replica to Redis: replicas are never paused.
    if (!c.connected || (c.flags & FLAG_MONITOR) !== 0) return false;
    const server = this.server;
    if (this.mode === WRITE && !writeLike(server, spec, argv) && !(spec.name === 'exec' && c.multi?.commands.some((q) => writeLike(server, q.spec, q.argv)) === true)) {
      return false;
    }
    // Copied: the parser reuses its buffers once this batch ends.
    c.postponed = argv.map((a) => Buffer.from(a));
    c.lastCommand = spec.name;
    this.held.push(c);
    return true;
  }

  /** The client disconnected. */
  forget(c: Client): void {
    if (c.postponed === null) return;
    c.postponed = null;
    const i = this.held.indexOf(c);
    if (i >= 0) this.held.splice(i, 1);
  }

  private arm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const left = this.end - Date.now();
    if (left < 0) return this.stop();
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.end - Date.now() < 0) this.stop();
      else this.arm();
    }, Math.min(left + 1, MAX_TIMER));
    this.timer.unref();
  }

  private stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.mode = OFF;
    this.end = 0;
    this.pauseExpiry(false);
    if (this.held.length === 0) return;
    // After the current batch (UNPAUSE's reply goes first), as Redis runs them from beforeSleep.
    setImmediate(() => this.runHeld());
  }

  private pauseExpiry(paused: boolean): void {
    for (const db of this.server.dbs) db.expiryPaused = paused;
  }

  private runHeld(): void {
    const held = this.held;
    this.held = [];
    const server = this.server;
    for (const c of held) {
      const argv = c.postponed;
      if (argv === null) continue;
      c.postponed = null;
      if ((c.flags & FLAG_CLOSED) !== 0) continue;
      server.beginBatch();
      // From the top: a pause started by a command run before this one may hold it again.
      dispatch(server, c, argv);
      server.endBatch();
      server.queueFlush(c);
      server.afterBatch();
      if (c.postponed === null && c.blocked === null) server.processInput(c);
    }
  }
}
