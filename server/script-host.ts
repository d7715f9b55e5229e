/*
 * ScriptClientHost: Redis's script client. redis.call runs a command as this connection-less
 * client through the same call() every client's commands go through, so stats, keyspace events,
 * WATCH and the AOF see a script's commands as Redis's do: their records are collected by the
 * EVAL's own call() and written as one MULTI/EXEC (EVAL itself is never logged).
 */
import type { Argv } from '../protocol/resp-parser.js';
import type { RespVersion } from '../protocol/reply-writer.js';
import type { CommandContext, ScriptHost } from '../commands/context.js';
import type { CommandSpec } from '../commands/table.js';
import { Client, FLAG_CLOSED } from './client.js';
import { call, dispatch } from './dispatch.js';
import type { ServerState } from './server-state.js';

/** Redis's log levels (LL_DEBUG..LL_WARNING) as pino's. */
const LEVELS = ['debug', 'debug', 'info', 'warn'] as const;

export class ScriptClientHost implements ScriptHost {
  private readonly client: Client;

  constructor(private readonly server: ServerState) {
    this.client = new Client(server, 0, null, -1);
    this.client.authenticated = true;
    // BLPOP and friends answer at once inside a script, as if their timeout passed.
    this.client.neverBlock = true;
    this.client.fromScript = true;
  }

  get denyWrites(): string | null {
    return this.server.denyWrites;
  }

  lookup(argv: Argv): CommandSpec | undefined {
    const spec = this.server.commandByBytes(argv[0]!)?.spec;
    if (spec === undefined || spec.subcommands === undefined || argv.length === 1) return spec;
    const sub = argv[1]!;
    return this.server.table.lookupSub(spec, sub.latin1Slice(0, sub.length));
  }

  begin(caller: CommandContext, argv: Argv): void {
    if (this.server.monitors.size > 0) this.server.feedMonitors(caller, argv);
    this.client.select(caller.dbIndex);
    this.client.setResp(2);
  }

  call(spec: CommandSpec, argv: Argv, resp: RespVersion, propagate: boolean): Buffer {
    const c = this.client;
    c.setResp(resp);
    const server = this.server;
    if (!propagate) server.propagationMuted++;
    try {
      call(server, c, spec, server.commandStats(spec), argv);
    } finally {
      if (!propagate) server.propagationMuted--;
    }
    return c.reply.take();
  }

  get busyThreshold(): number {
    return this.server.config.int('busy-reply-threshold');
  }

  enterBusy(kind: 'eval' | 'function'): void {
    this.server.busyScript = kind;
  }

  /**
   * Redis's processEventsWhileBlocked, for a script past busy-reply-threshold: the event loop
   * cannot run (the script holds it), so each other client's socket is read directly, without
   * waiting, and what arrived is dispatched at once: -BUSY for all but the allow_busy commands
   * (SCRIPT KILL among them), the replies written straight away. New connections wait.
   */
  serveWhileBusy(caller: CommandContext): void {
    const server = this.server;
    for (const c of [...server.clients()]) {
      if (c.id === caller.id || (c.flags & FLAG_CLOSED) !== 0 || c.blocked !== null || c.postponed !== null || c.paused) continue;
      const chunk = c.readNow();
      if (chunk === null) continue;
      server.stats.netInputBytes += chunk.length;
      c.parser.feed(chunk);
      c.lastInteraction = server.commandTime;
      // A command that blocked or was held by CLIENT PAUSE keeps what follows waiting, as processInput does.
      while (c.blocked === null && c.postponed === null) {
        const argv = c.parser.next();
        if (argv === null) break;
        dispatch(server, c, argv);
      }
      c.flush();
    }
  }

  leaveBusy(): void {
    this.server.busyScript = null;
  }

  log(level: number, message: string): void {
    this.server.log[LEVELS[level] ?? 'info']({ source: 'script' }, message);
  }
}
