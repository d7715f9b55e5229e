/*
 * FLUSHDB FLUSHALL SWAPDB. Flushing is O(1) here (the slot arrays are replaced and the old ones
 * left to the GC), so SYNC and ASYNC behave alike once their syntax is checked.
 * Both flushes are logged even when nothing was removed, as Redis forces their propagation.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_DB_INDEX, ERR_SYNTAX, RedisError } from '../../protocol/errors.js';
import type { CommandContext } from '../context.js';
import { isWord } from '../args.js';
import { ERR_INVALID_FIRST_DB, ERR_INVALID_SECOND_DB } from './errors.js';
import { intArg } from './rename-move-copy.js';

function checkFlushArgs(argv: Argv): void {
  if (argv.length === 1) return;
  if (argv.length === 2 && (isWord(argv[1]!, 'SYNC') || isWord(argv[1]!, 'ASYNC'))) return;
  throw new RedisError(ERR_SYNTAX);
}

export function flushdbCommand(c: CommandContext, argv: Argv): void {
  checkFlushArgs(argv);
  const removed = c.db.flush();
  c.dirty += removed;
  if (removed === 0) c.alsoPropagate(c.dbIndex, argv);
  c.reply.ok();
}

/** Redis counts one change for the flush itself on top of the removed keys. */
export function flushallCommand(c: CommandContext, argv: Argv): void {
  checkFlushArgs(argv);
  let removed = 0;
  for (const db of c.server.dbs) removed += db.flush();
  c.dirty += removed + 1;
  c.reply.ok();
}

export function swapdbCommand(c: CommandContext, argv: Argv): void {
  const a = intArg(argv[1]!, ERR_INVALID_FIRST_DB);
  const b = intArg(argv[2]!, ERR_INVALID_SECOND_DB);
  const dbs = c.server.dbs;
  if (a < 0 || a >= dbs.length || b < 0 || b >= dbs.length) throw new RedisError(ERR_DB_INDEX);
  if (a !== b) c.server.swapDb(a, b);
  c.dirty++;
  c.reply.ok();
}
