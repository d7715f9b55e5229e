/*
 * WATCH UNWATCH: optimistic locking for MULTI/EXEC. The registry of watched keys and the signals
 * that mark a watcher dirty live in server/watch.ts.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import type { CommandContext } from '../context.js';
import { ERR_WATCH_IN_MULTI } from './errors.js';

export function watchCommand(c: CommandContext, argv: Argv): void {
  if (c.inMulti) return c.reply.error(ERR_WATCH_IN_MULTI);
  c.watchKeys(argv.slice(1));
  c.reply.ok();
}

export function unwatchCommand(c: CommandContext, _argv: Argv): void {
  c.unwatchKeys();
  c.reply.ok();
}
