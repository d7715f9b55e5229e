/*
 * SAVE, BGSAVE and BGREWRITEAOF: thin handlers over ServerApi.persistence, which does the work
 * (server/persistence.ts) and throws Redis's error texts.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_SYNTAX, RedisError } from '../../protocol/errors.js';
import type { CommandContext } from '../context.js';

export function saveCommand(c: CommandContext, _argv: Argv): void {
  c.server.persistence.save();
  c.reply.ok();
}

export function bgsaveCommand(c: CommandContext, argv: Argv): void {
  let schedule = false;
  if (argv.length > 1) {
    if (argv.length === 2 && argv[1]!.toString('latin1').toLowerCase() === 'schedule') schedule = true;
    else throw new RedisError(ERR_SYNTAX);
  }
  c.reply.simple(c.server.persistence.bgsave(schedule));
}

export function bgrewriteaofCommand(c: CommandContext, _argv: Argv): void {
  c.reply.simple(c.server.persistence.bgrewriteaof());
}
