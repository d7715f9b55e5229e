/*
 * MULTI EXEC DISCARD. The queueing itself happens in dispatch (server/dispatch.ts), which answers
 * +QUEUED for every command of a client in MULTI except these, WATCH, QUIT and RESET; EXEC runs
 * the queue through the server (CommandContext.execMulti). Errors returned here do not flag the
 * transaction: only refusals by dispatch's checks do, as in Redis.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import type { CommandContext } from '../context.js';
import { ERR_DISCARD_WITHOUT_MULTI, ERR_EXEC_WITHOUT_MULTI, ERR_MULTI_NESTED } from './errors.js';

export function multiCommand(c: CommandContext, _argv: Argv): void {
  if (c.inMulti) return c.reply.error(ERR_MULTI_NESTED);
  c.beginMulti();
  c.reply.ok();
}

export function execCommand(c: CommandContext, _argv: Argv): void {
  if (!c.inMulti) return c.reply.error(ERR_EXEC_WITHOUT_MULTI);
  c.execMulti();
}

export function discardCommand(c: CommandContext, _argv: Argv): void {
  if (!c.inMulti) return c.reply.error(ERR_DISCARD_WITHOUT_MULTI);
  c.discardMulti();
  c.reply.ok();
}
