/*
 * EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT: thin handlers over the server's ScriptEngine.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { isWord } from '../args.js';
import { RedisError } from '../../protocol/errors.js';
import type { CommandContext } from '../context.js';
import { writeHelp } from '../server/help.js';

export function evalCommand(c: CommandContext, argv: Argv): void {
  c.server.scripts.eval(c, argv, false, false);
}

export function evalshaCommand(c: CommandContext, argv: Argv): void {
  c.server.scripts.eval(c, argv, true, false);
}

export function evalRoCommand(c: CommandContext, argv: Argv): void {
  c.server.scripts.eval(c, argv, false, true);
}

export function evalshaRoCommand(c: CommandContext, argv: Argv): void {
  c.server.scripts.eval(c, argv, true, true);
}

export function scriptLoadCommand(c: CommandContext, argv: Argv): void {
  c.reply.bulk(c.server.scripts.load(argv[2]!));
}

export function scriptExistsCommand(c: CommandContext, argv: Argv): void {
  const scripts = c.server.scripts;
  c.reply.arrayLen(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.reply.integer(scripts.exists(argv[i]!) ? 1 : 0);
}

/** SCRIPT FLUSH [ASYNC|SYNC]: both free the cache before replying (nothing is big enough to defer). */
export function scriptFlushCommand(c: CommandContext, argv: Argv): void {
  if (argv.length === 3 && !isWord(argv[2]!, 'SYNC') && !isWord(argv[2]!, 'ASYNC')) {
    throw new RedisError('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
  }
  if (argv.length > 3) throw new RedisError('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
  c.server.scripts.flush();
  c.reply.ok();
}

export function scriptKillCommand(c: CommandContext, _argv: Argv): void {
  c.server.scripts.kill('eval');
  c.reply.ok();
}

export function scriptHelpCommand(c: CommandContext, _argv: Argv): void {
  writeHelp(c.reply, 'SCRIPT', SCRIPT_HELP);
}

/** Redis 7.0's SCRIPT HELP text (DEBUG listed as Redis lists it, though Rewind has no debugger). */
const SCRIPT_HELP = [
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts executed.',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
];
