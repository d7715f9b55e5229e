/*
 * CLIENT PAUSE timeout [WRITE|ALL] and CLIENT UNPAUSE, as Redis 7.0 parses them. What a pause
 * holds back, and when held commands run again, is server/client-pause.ts's.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { errUnknownSubcommandArity } from '../../protocol/errors.js';
import type { CommandContext } from '../context.js';
import { isWord } from '../args.js';
import type { PauseMode } from './client-api.js';
import { msDeadline } from './ms-timeout.js';

const ERR_PAUSE_MODE = 'ERR CLIENT PAUSE mode must be WRITE or ALL';

export function clientPauseCommand(c: CommandContext, argv: Argv): void {
  if (argv.length > 4) return c.reply.error(errUnknownSubcommandArity(argv[1]!.latin1Slice(0, argv[1]!.length), 'client'));
  let mode: PauseMode = 'all';
  // The mode is checked before the timeout (CLIENT PAUSE abc foo names the mode).
  if (argv.length === 4) {
    if (isWord(argv[3]!, 'WRITE')) mode = 'write';
    else if (!isWord(argv[3]!, 'ALL')) return c.reply.error(ERR_PAUSE_MODE);
  }
  const end = msDeadline(argv[2]!, c.now());
  c.server.clientPause.pause(end, mode);
  c.reply.ok();
}

export function clientUnpauseCommand(c: CommandContext, _argv: Argv): void {
  c.server.clientPause.unpause();
  c.reply.ok();
}
