/*
 * DEBUG: only SLEEP and HELP. Gated by enable-debug-command as in Redis 7: `no` refuses every
 * client, `local` admits loopback connections, `yes` admits all.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { errUnknownSubcommandArity } from '../../protocol/errors.js';
import type { CommandContext } from '../context.js';
import { isWord } from '../args.js';
import { writeHelp } from './help.js';

const ERR_DEBUG_NOT_ALLOWED = 'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.';

function isLocal(addr: string): boolean {
  return addr === '' || addr.startsWith('127.') || addr.startsWith('::1:') || addr.startsWith('[::1]');
}

/** C's strtod on a whole argument: the longest numeric prefix, 0 when there is none. */
function strtod(text: string): number {
  const m = /^\s*[+-]?(\d+\.?\d*(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?|inf(inity)?)/i.exec(text);
  if (m === null) return 0;
  const v = Number.parseFloat(m[0]);
  return Number.isNaN(v) ? (/inf/i.test(m[0]) ? (m[0].includes('-') ? -Infinity : Infinity) : 0) : v;
}

export function debugCommand(c: CommandContext, argv: Argv): void {
  const mode = c.server.config.get('enable-debug-command');
  if (mode === 'no' || (mode === 'local' && !isLocal(c.addr))) return c.reply.error(ERR_DEBUG_NOT_ALLOWED);
  const sub = argv[1]!;
  if (isWord(sub, 'HELP') && argv.length === 2) return writeHelp(c.reply, 'DEBUG', DEBUG_HELP);
  if (isWord(sub, 'SLEEP') && argv.length === 3) {
    const seconds = strtod(argv[2]!.latin1Slice(0, argv[2]!.length));
    if (seconds > 0 && Number.isFinite(seconds)) c.server.sleep(seconds * 1000);
    return c.reply.ok();
  }
  if (isWord(sub, 'RELOAD')) return debugReload(c, argv);
  c.reply.error(errUnknownSubcommandArity(sub.latin1Slice(0, sub.length), 'debug'));
}

/** DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save dump.rdb, empty the dbs, load it back. */
function debugReload(c: CommandContext, argv: Argv): void {
  const opts = { save: true, flush: true, merge: false };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (isWord(a, 'MERGE')) opts.merge = true;
    else if (isWord(a, 'NOFLUSH')) opts.flush = false;
    else if (isWord(a, 'NOSAVE')) opts.save = false;
    else return c.reply.error('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
  }
  c.server.persistence.debugReload(opts);
  c.reply.ok();
}

/** Redis 7.0's DEBUG HELP text; Rewind implements SLEEP, RELOAD and HELP of these. */
const DEBUG_HELP = [
  'AOF-FLUSH-SLEEP <microsec>',
  '    Server will sleep before flushing the AOF, this is used for testing.',
  'ASSERT',
  '    Crash by assertion failed.',
  'CHANGE-REPL-ID',
  '    Change the replication IDs of the instance.',
  '    Dangerous: should be used only for testing the replication subsystem.',
  'CONFIG-REWRITE-FORCE-ALL',
  '    Like CONFIG REWRITE but writes all configuration options, including',
  '    keywords not listed in original configuration file or default values.',
  'CRASH-AND-RECOVER [<milliseconds>]',
  '    Hard crash and restart after a <milliseconds> delay (default 0).',
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'ERROR <string>',
  '    Return a Redis protocol error with <string> as message. Useful for clients',
  '    unit tests to simulate Redis errors.',
  'LEAK <string>',
  '    Create a memory leak of the input string.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'HTSTATS <dbid>',
  '    Return hash table statistics of the specified Redis database.',
  'HTSTATS-KEY <key>',
  "    Like HTSTATS but for the hash table stored at <key>'s value.",
  'LOADAOF',
  '    Flush the AOF buffers on disk and reload the AOF in memory.',
  'REPLICATE <string>',
  '    Replicates the provided string to replicas, allowing data divergence.',
  'MALLCTL <key> [<val>]',
  '    Get or set a malloc tuning integer.',
  'MALLCTL-STR <key> [<val>]',
  '    Get or set a malloc tuning string.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'DROP-CLUSTER-PACKET-FILTER <packet-type>',
  '    Drop all packets that match the filtered type. Set to -1 allow all packets.',
  'OOM',
  '    Crash the server simulating an out-of-memory error.',
  'PANIC',
  '    Crash the server simulating a panic.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys named key:<num>. If <prefix> is specified then',
  "    it is used instead of the 'key' prefix. These are not propagated to",
  '    replicas. Cluster slots are not respected so keys not belonging to the',
  '    current node can be created in cluster mode.',
  'PROTOCOL <type>',
  '    Reply with a test value of the specified type. <type> can be: string,',
  '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
  '    true, false.',
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory. Valid <option> values:',
  '    * MERGE: conflicting keys will be loaded from RDB.',
  '    * NOFLUSH: the existing database will not be removed before load, but',
  '      conflicting keys will generate an exception and kill the server.',
  '    * NOSAVE: the database will be loaded from an existing RDB file.',
  '    Examples:',
  '    * DEBUG RELOAD: verify that the server is able to persist, flush and reload',
  '      the database.',
  '    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an',
  '      existing RDB file.',
  '    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB',
  '      file to the database.',
  'RESTART [<milliseconds>]',
  '    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).',
  'SDSLEN <key>',
  '    Show low level SDS string info representing `key` and value.',
  'SEGFAULT',
  '    Crash the server with sigsegv.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'QUICKLIST-PACKED-THRESHOLD <size>',
  '    Sets the threshold for elements to be inserted as plain vs packed nodes',
  '    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.',
  'SET-SKIP-CHECKSUM-VALIDATION <0|1>',
  "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'STRINGMATCH-TEST',
  '    Run a fuzz tester against the stringmatchlen() function.',
  'STRUCTSIZE',
  '    Return the size of different Redis core C structures.',
  'LISTPACK <key>',
  '    Show low level info about the listpack encoding of <key>.',
  'QUICKLIST <key> [<0|1>]',
  '    Show low level info about the quicklist encoding of <key>.',
  '    The optional argument (0 by default) sets the level of detail',
  'CLIENT-EVICTION',
  '    Show low level client eviction pools info (maxmemory-clients).',
  'PAUSE-CRON <0|1>',
  '    Stop periodic cron job processing.',
  'REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>',
  '    Sets the time (in milliseconds) to wait between client reply buffer peak resets.',
  '    In case NEVER is provided the last observed peak will never be reset',
  '    In case RESET is provided the peak reset time will be restored to the default value',
  'REPLYBUFFER RESIZING <0|1>',
  '    Enable or disable the reply buffer resize cron job',
  'CLUSTERLINK KILL <to|from|all> <node-id>',
  '    Kills the link based on the direction to/from (both) with the provided node.',
];
