/*
 * The scripting family's table: EVAL, EVALSHA, their _RO forms and SCRIPT, with the flags, ACL
 * categories and key specs of Redis 7.0.15's COMMAND INFO.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { parseLong } from '../../protocol/numbers.js';
import type { CommandFlag, CommandSpec, Handler } from '../table.js';
import { keynumSpec, numkeysGetKeysProc } from '../key-specs.js';
import {
  evalCommand, evalRoCommand, evalshaCommand, evalshaRoCommand, scriptExistsCommand, scriptFlushCommand,
  scriptHelpCommand, scriptKillCommand, scriptLoadCommand,
} from './eval.js';
import {
  fcallCommand, fcallRoCommand, functionDeleteCommand, functionDumpCommand, functionFlushCommand, functionHelpCommand,
  functionKillCommand, functionListCommand, functionLoadCommand, functionRestoreCommand, functionStatsCommand,
} from './function-commands.js';

const GROUP = 'scripting';
const ACL = ['slow', 'scripting'];
const EVAL_FLAGS: CommandFlag[] = ['noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys'];
const WORST_RW = 'We cannot tell how the keys will be used so we assume the worst, RW and UPDATE';
const WORST_RO = 'We cannot tell how the keys will be used so we assume the worst, RO and ACCESS';

/** The keys of EVAL-like commands: numkeys at 2, the keys after it. */
function evalKeys(argv: Argv): number[] {
  const n = argv.length > 2 ? parseLong(argv[2]!) : undefined;
  if (n === undefined || n < 1 || n > argv.length - 3) return [];
  const out: number[] = [];
  for (let i = 3; i < 3 + n; i++) out.push(i);
  return out;
}

function evalSpec(name: string, run: Handler, readonly: boolean, summary: string, since: string, args: string, notes: boolean): CommandSpec {
  return {
    name, arity: -3, flags: readonly ? ['readonly', ...EVAL_FLAGS] : EVAL_FLAGS, acl: ACL, run, getKeys: evalKeys,
    keySpecs: [keynumSpec(2, readonly ? ['RO', 'access'] : ['RW', 'access', 'update'], notes ? (readonly ? WORST_RO : WORST_RW) : undefined)],
    getKeysProc: numkeysGetKeysProc(0, 2, 3),
    docs: { summary, since, group: GROUP, complexity: 'Depends on the script that is executed.', args },
  };
}

const ALL_SHARDS_OK = ['request_policy:all_shards', 'response_policy:all_succeeded'];

function functionSub(
  name: string, arity: number, flags: CommandFlag[], run: Handler, summary: string, tips: string[] | undefined, complexity: string, args?: string,
): CommandSpec {
  const write = flags.includes('write');
  return {
    name: `function|${name}`, arity, flags, acl: write ? ['write', ...ACL] : ACL, run, ...(tips === undefined ? {} : { tips }),
    docs: { summary, since: '7.0.0', group: GROUP, complexity, ...(args === undefined ? {} : { args }) },
  };
}

function scriptSub(name: string, arity: number, flags: CommandFlag[], run: Handler, summary: string, since: string, tips?: string[], args?: string): CommandSpec {
  return {
    name: `script|${name}`, arity, flags, acl: ACL, run, ...(tips === undefined ? {} : { tips }),
    docs: { summary, since, group: GROUP, complexity: 'O(1)', ...(args === undefined ? {} : { args }) },
  };
}

export const SCRIPTING_COMMANDS: readonly CommandSpec[] = [
  evalSpec('eval', evalCommand, false, 'Runs a Lua script.', '2.6.0', 'script numkeys [key [key ...]] [arg [arg ...]]', true),
  evalSpec('evalsha', evalshaCommand, false, 'Runs a cached Lua script by its SHA1.', '2.6.0', 'sha1 numkeys [key [key ...]] [arg [arg ...]]', false),
  evalSpec('eval_ro', evalRoCommand, true, 'Runs a read-only Lua script.', '7.0.0', 'script numkeys [key [key ...]] [arg [arg ...]]', true),
  evalSpec('evalsha_ro', evalshaRoCommand, true, 'Runs a cached read-only Lua script by its SHA1.', '7.0.0', 'sha1 numkeys [key [key ...]] [arg [arg ...]]', false),
  evalSpec('fcall', fcallCommand, false, 'Runs a function.', '7.0.0', 'function numkeys [key [key ...]] [arg [arg ...]]', true),
  evalSpec('fcall_ro', fcallRoCommand, true, 'Runs a read-only function.', '7.0.0', 'function numkeys [key [key ...]] [arg [arg ...]]', true),
  {
    name: 'function', arity: -2, flags: [], acl: ['slow'],
    docs: { summary: 'A container for function commands.', since: '7.0.0', group: GROUP, complexity: 'Depends on subcommand.' },
    subcommands: [
      functionSub('delete', 3, ['write', 'noscript'], functionDeleteCommand, 'Deletes a library and its functions.', ALL_SHARDS_OK, 'O(1)', 'library-name'),
      functionSub('dump', 2, ['noscript'], functionDumpCommand, 'Serializes every library into a payload.', undefined, 'O(N) where N is the number of functions'),
      functionSub('flush', -2, ['write', 'noscript'], functionFlushCommand, 'Deletes every library and function.', ALL_SHARDS_OK, 'O(N) where N is the number of functions deleted', '[ASYNC | SYNC]'),
      functionSub('help', 2, ['loading', 'stale'], functionHelpCommand, 'Describes the FUNCTION subcommands.', undefined, 'O(1)'),
      functionSub('kill', 2, ['noscript', 'allow_busy'], functionKillCommand, 'Stops the running function.', ['request_policy:all_shards', 'response_policy:one_succeeded'], 'O(1)'),
      functionSub('list', -2, ['noscript'], functionListCommand, 'Describes the libraries and their functions.', ['nondeterministic_output_order'], 'O(N) where N is the number of functions', '[LIBRARYNAME library-name-pattern] [WITHCODE]'),
      functionSub('load', -3, ['write', 'denyoom', 'noscript'], functionLoadCommand, 'Creates a library from its code.', ALL_SHARDS_OK, 'O(1) (considering compilation time is redundant)', '[REPLACE] function-code'),
      functionSub('restore', -3, ['write', 'denyoom', 'noscript'], functionRestoreCommand, 'Restores libraries from a FUNCTION DUMP payload.', ALL_SHARDS_OK, 'O(N) where N is the number of functions on the payload', 'serialized-value [FLUSH | APPEND | REPLACE]'),
      functionSub('stats', 2, ['noscript', 'allow_busy'], functionStatsCommand, 'Tells which function runs, and how many libraries and functions there are.', ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'], 'O(1)'),
    ],
  },
  {
    name: 'script', arity: -2, flags: [], acl: ['slow'],
    docs: { summary: 'A container for Lua script cache commands.', since: '2.6.0', group: GROUP, complexity: 'Depends on subcommand.' },
    subcommands: [
      scriptSub('exists', -3, ['noscript'], scriptExistsCommand, 'Tells which scripts are in the cache.', '2.6.0', ['request_policy:all_shards', 'response_policy:agg_logical_and'], 'sha1 [sha1 ...]'),
      scriptSub('flush', -2, ['noscript'], scriptFlushCommand, 'Empties the script cache.', '2.6.0', ['request_policy:all_nodes', 'response_policy:all_succeeded'], '[ASYNC | SYNC]'),
      scriptSub('help', 2, ['loading', 'stale'], scriptHelpCommand, 'Describes the SCRIPT subcommands.', '5.0.0'),
      scriptSub('kill', 2, ['noscript', 'allow_busy'], scriptKillCommand, 'Stops the running script.', '2.6.0', ['request_policy:all_shards', 'response_policy:one_succeeded']),
      scriptSub('load', 3, ['noscript', 'stale'], scriptLoadCommand, 'Compiles a script into the cache without running it.', '2.6.0', ['request_policy:all_nodes', 'response_policy:all_succeeded'], 'script'),
    ],
  },
];
