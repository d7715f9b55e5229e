/*
 * MONITOR, TIME, LASTSAVE: small server commands with no state of their own. MONITOR replies +OK;
 * dispatch then feeds every later command of other clients to it (ServerState.feedMonitors).
 */
import type { Argv } from '../../protocol/resp-parser.js';
import type { CommandContext } from '../context.js';
import { ERR_MONITOR_DENY_BLOCKING } from '../transactions/errors.js';

export function monitorCommand(c: CommandContext, _argv: Argv): void {
  // Queued after MULTI, MONITOR runs inside EXEC, whose client expects one reply per command.
  if (c.inMulti) return c.reply.error(ERR_MONITOR_DENY_BLOCKING);
  // A second MONITOR on the same connection is ignored without a reply, as in Redis.
  if (c.flagsText.includes('O')) return;
  c.startMonitor();
  c.reply.ok();
}

export function timeCommand(c: CommandContext, _argv: Argv): void {
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  c.reply.arrayLen(2);
  c.reply.bulk(String(Math.floor(micros / 1e6)));
  c.reply.bulk(String(micros % 1e6));
}

export function lastSaveCommand(c: CommandContext, _argv: Argv): void {
  c.reply.integer(c.server.lastSave);
}
