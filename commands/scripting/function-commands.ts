/*
 * FCALL, FCALL_RO and FUNCTION: handlers over the engine's library registry (functions.ts), with
 * Redis 7.0's argument parsing, replies and error texts.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { RedisError } from '../../protocol/errors.js';
import type { CommandContext } from '../context.js';
import { isWord } from '../args.js';
import { globMatch } from '../glob.js';
import { writeHelp } from '../server/help.js';
import { parseLibraryHeader } from './functions.js';
import { SCRIPT_FLAG_NAMES } from './shebang.js';

const LOAD_TIMEOUT_MS = 500;

export function fcallCommand(c: CommandContext, argv: Argv): void {
  c.server.scripts.fcall(c, argv, false);
}

export function fcallRoCommand(c: CommandContext, argv: Argv): void {
  c.server.scripts.fcall(c, argv, true);
}

/** FUNCTION LOAD [REPLACE] code: options before the last argument, which is the code. */
export function functionLoadCommand(c: CommandContext, argv: Argv): void {
  let replace = false;
  let i = 2;
  for (; i < argv.length - 1; i++) {
    if (!isWord(argv[i]!, 'REPLACE')) throw new RedisError(`ERR Unknown option given: ${argv[i]!.toString('latin1')}`);
    replace = true;
  }
  if (i >= argv.length) throw new RedisError('ERR Function code is missing');
  // 500 ms, Redis's LOAD_TIMEOUT_MS; none while the AOF replays (Redis's mustObeyClient).
  const name = c.server.scripts.functions.load(argv[i]!, replace, c.server.persistence.loading ? 0 : LOAD_TIMEOUT_MS);
  c.dirty++;
  c.reply.bulk(name);
}

export function functionDeleteCommand(c: CommandContext, argv: Argv): void {
  if (!c.server.scripts.functions.delete(argv[2]!.toString('latin1'))) throw new RedisError('ERR Library not found');
  c.dirty++;
  c.reply.ok();
}

export function functionFlushCommand(c: CommandContext, argv: Argv): void {
  if (argv.length > 3) throw syntaxError(argv);
  if (argv.length === 3 && !isWord(argv[2]!, 'SYNC') && !isWord(argv[2]!, 'ASYNC')) {
    throw new RedisError('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
  }
  c.server.scripts.functions.clear();
  c.dirty++;
  c.reply.ok();
}

/** FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]. */
export function functionListCommand(c: CommandContext, argv: Argv): void {
  let withCode = false;
  let pattern: string | null = null;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (!withCode && isWord(a, 'WITHCODE')) {
      withCode = true;
      continue;
    }
    if (pattern === null && isWord(a, 'LIBRARYNAME')) {
      if (i >= argv.length - 1) throw new RedisError('ERR library name argument was not given');
      pattern = argv[++i]!.toString('latin1');
      continue;
    }
    throw new RedisError(`ERR Unknown argument ${a.toString('latin1')}`);
  }
  const libs = [...c.server.scripts.functions.libraries.values()].filter((l) => pattern === null || globMatch(pattern, l.name, false));
  const w = c.reply;
  w.arrayLen(libs.length);
  for (const lib of libs) {
    w.mapLen(withCode ? 4 : 3);
    w.bulk('library_name');
    w.bulk(lib.name);
    w.bulk('engine');
    w.bulk('LUA');
    w.bulk('functions');
    w.arrayLen(lib.functions.length);
    for (const f of lib.functions) {
      w.mapLen(3);
      w.bulk('name');
      w.bulk(f.name);
      w.bulk('description');
      if (f.description === null) w.nullBulk();
      else w.bulk(f.description);
      w.bulk('flags');
      const names = [...SCRIPT_FLAG_NAMES].filter(([, bit]) => (f.flags & bit) !== 0).map(([name]) => name);
      w.setLen(names.length);
      for (const name of names) w.simple(name);
    }
    if (withCode) {
      w.bulk('library_code');
      w.bulk(lib.code);
    }
  }
}

/** FUNCTION STATS: the script running (heard only once it is past busy-reply-threshold), the counts. */
export function functionStatsCommand(c: CommandContext, _argv: Argv): void {
  const registry = c.server.scripts.functions;
  const w = c.reply;
  w.mapLen(2);
  w.bulk('running_script');
  const running = c.server.scripts.running();
  if (running === null) w.nullBulk();
  else {
    w.mapLen(3);
    w.bulk('name');
    w.bulk(running.name);
    w.bulk('command');
    w.bulkArray(running.argv);
    w.bulk('duration_ms');
    w.integer(running.durationMs);
  }
  w.bulk('engines');
  w.mapLen(1);
  w.bulk('LUA');
  w.mapLen(2);
  w.bulk('libraries_count');
  w.integer(registry.size);
  w.bulk('functions_count');
  w.integer(registry.functionCount);
}

export function functionKillCommand(c: CommandContext, _argv: Argv): void {
  c.server.scripts.kill('function');
  c.reply.ok();
}

export function functionDumpCommand(c: CommandContext, _argv: Argv): void {
  c.reply.bulk(c.server.serializer.dumpFunctions(c.server.scripts.functions.all()));
}

/**
 * FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]: all the payload's libraries or none. APPEND
 * refuses a library name already held; REPLACE replaces such libraries; FLUSH drops every
 * library first.
 */
export function functionRestoreCommand(c: CommandContext, argv: Argv): void {
  if (argv.length > 4) throw syntaxError(argv);
  let policy: 'append' | 'replace' | 'flush' = 'append';
  if (argv.length === 4) {
    const p = argv[3]!;
    if (isWord(p, 'APPEND')) policy = 'append';
    else if (isWord(p, 'REPLACE')) policy = 'replace';
    else if (isWord(p, 'FLUSH')) policy = 'flush';
    else throw new RedisError('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
  }
  const sources = c.server.serializer.restoreFunctions(argv[2]!);
  const registry = c.server.scripts.functions;
  const before = registry.all();
  try {
    if (policy === 'flush') registry.clear();
    if (policy === 'append') {
      for (const code of sources) {
        const { name } = parseLibraryHeader(code);
        if (registry.libraries.has(name)) throw new RedisError(`ERR Library ${name} already exists`);
      }
    }
    for (const code of sources) registry.load(code, policy !== 'append');
  } catch (e) {
    registry.clear();
    for (const code of before) registry.load(code, false);
    throw e;
  }
  c.dirty++;
  c.reply.ok();
}

/** addReplySubcommandSyntaxError: the subcommand as the client typed it. */
function syntaxError(argv: Argv): RedisError {
  return new RedisError(`ERR unknown subcommand or wrong number of arguments for '${argv[1]!.toString('latin1')}'. Try FUNCTION HELP.`);
}

export function functionHelpCommand(c: CommandContext, _argv: Argv): void {
  writeHelp(c.reply, 'FUNCTION', FUNCTION_HELP);
}

/** Redis 7.0's FUNCTION HELP text. */
const FUNCTION_HELP = [
  'LOAD [REPLACE] <FUNCTION CODE>',
  '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>',
  '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Return general information on all the libraries:',
  '    * Library name',
  '    * The engine used to run the Library',
  '    * Library description',
  '    * Functions list',
  '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'STATS',
  '    Return information about the current function running:',
  '    * Function name',
  '    * Command used to run the function',
  '    * Duration in MS that the function is running',
  '    If no function is running, return nil',
  '    In addition, returns a list of available engines.',
  'KILL',
  '    Kill the current running function.',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.',
  '    * SYNC: Synchronously flush the libraries.',
  'DUMP',
  '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
  '    control how to handle existing libraries (default APPEND):',
  '    * FLUSH: delete all existing libraries.',
  '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
  '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
  '      libraries with the new libraries (notice that even on this option there is a chance of failure',
  '      in case of functions name collision with another library).',
];
