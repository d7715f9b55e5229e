/*
 * SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]. Rewind stops at once when accepted, so there is
 * never a pending shutdown for ABORT to cancel.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_SYNTAX } from '../../protocol/errors.js';
import type { CommandContext, ShutdownOptions } from '../context.js';
import { isWord } from '../args.js';
import { ERR_BUSY_EVAL, ERR_BUSY_FUNCTION } from '../scripting/engine.js';

export function shutdownCommand(c: CommandContext, argv: Argv): void {
  const opts: ShutdownOptions = { save: 'default', now: false, force: false, abort: false };
  let nosave = false;
  let save = false;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (isWord(a, 'NOSAVE')) nosave = true;
    else if (isWord(a, 'SAVE')) save = true;
    else if (isWord(a, 'NOW')) opts.now = true;
    else if (isWord(a, 'FORCE')) opts.force = true;
    else if (isWord(a, 'ABORT')) opts.abort = true;
    else return c.reply.error(ERR_SYNTAX);
  }
  const others = nosave || save || opts.now || opts.force;
  if ((opts.abort && others) || (nosave && save)) return c.reply.error(ERR_SYNTAX);
  if (opts.abort) return c.reply.error('ERR No shutdown in progress.');
  opts.save = nosave ? 'nosave' : save ? 'save' : 'default';
  // A script past busy-reply-threshold: only NOSAVE may stop the server, and it stops the script.
  const busy = c.server.scripts.busy;
  if (busy !== null) {
    if (!nosave) {
      return c.reply.error(busy === 'eval' ? ERR_BUSY_EVAL : ERR_BUSY_FUNCTION);
    }
    c.server.scripts.stopForShutdown();
  }
  const err = c.server.shutdown(opts);
  // Accepted: no reply, the connection closes with the server (as Redis does).
  if (err !== null) c.reply.error(err);
}
