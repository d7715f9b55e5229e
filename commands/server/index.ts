/*
 * The server family's table: COMMAND, CONFIG, CLIENT, INFO, DEBUG, SHUTDOWN, MONITOR, TIME,
 * LASTSAVE. Flags and ACL categories are Redis 7.2's; summaries are our own words.
 */
import type { CommandFlag, CommandSpec, Handler } from '../table.js';
import {
  clientGetNameCommand, clientHelpCommand, clientIdCommand, clientInfoCommand, clientKillCommand,
  clientListCommand, clientNoEvictCommand, clientNoTouchCommand, clientReplyCommand,
  clientSetInfoCommand, clientSetNameCommand, clientUnblockCommand,
} from './client.js';
import {
  clientCachingCommand, clientGetRedirCommand, clientTrackingCommand, clientTrackingInfoCommand,
} from './client-tracking.js';
import { clientPauseCommand, clientUnpauseCommand } from './client-pause.js';
import { waitaofCommand, waitCommand } from './wait.js';
import {
  commandCommand, commandCountCommand, commandDocsCommand, commandGetKeysAndFlagsCommand,
  commandGetKeysCommand, commandHelpCommand, commandInfoCommand, commandListCommand,
} from './command-info.js';
import {
  configGetCommand, configHelpCommand, configResetStatCommand, configRewriteCommand, configSetCommand,
} from './config.js';
import { debugCommand } from './debug.js';
import { infoCommand } from './info.js';
import { lastSaveCommand, monitorCommand, timeCommand } from './monitor.js';
import { shutdownCommand } from './shutdown.js';
import { bgrewriteaofCommand, bgsaveCommand, saveCommand } from './persistence.js';
import { rewindHelpCommand, rewindRangeCommand, rewindRestoreCommand } from './rewind.js';

const NONDET = { tips: ['nondeterministic_output'] };
const NONDET_ORDER = { tips: ['nondeterministic_output_order'] };
const WAIT_TIPS = ['request_policy:all_shards', 'response_policy:agg_min'];
const ALL_NODES = { tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'] };

const CONN_FLAGS: CommandFlag[] = ['noscript', 'loading', 'stale', 'sentinel'];
const ADMIN_FLAGS: CommandFlag[] = ['admin', 'noscript', 'loading', 'stale'];
const ADMIN_ACL = ['admin', 'slow', 'dangerous'];

function clientSub(name: string, arity: number, run: Handler, summary: string, args?: string, admin = false): CommandSpec {
  return {
    name: `client|${name}`, arity, run, ...(name === 'list' || name === 'info' ? NONDET : {}),
    flags: admin ? ['admin', ...CONN_FLAGS] : name === 'help' ? ['loading', 'stale', 'sentinel'] : name === 'no-touch' ? ['noscript', 'loading', 'stale'] : CONN_FLAGS,
    acl: admin ? [...ADMIN_ACL, 'connection'] : ['slow', 'connection'],
    docs: { summary, since: SINCE_CLIENT[name] ?? '2.4.0', group: 'connection', complexity: 'O(1)', ...(args === undefined ? {} : { args }) },
  };
}

const SINCE_CLIENT: Record<string, string> = {
  id: '5.0.0', getname: '2.6.9', setinfo: '7.2.0', info: '6.2.0', 'no-evict': '7.0.0', 'no-touch': '7.2.0',
  reply: '3.2.0', help: '5.0.0', unblock: '5.0.0', list: '2.4.0', kill: '2.4.0', setname: '2.6.9',
  pause: '3.0.0', unpause: '6.2.0', tracking: '6.0.0', caching: '6.0.0', getredir: '6.0.0', trackinginfo: '6.2.0',
};

function commandSub(name: string, arity: number, run: Handler, summary: string, since: string, args?: string): CommandSpec {
  return {
    name: `command|${name}`, arity, run, ...(['info', 'docs', 'list'].includes(name) ? NONDET_ORDER : {}), flags: ['loading', 'stale', 'sentinel'], acl: ['slow', 'connection'],
    docs: { summary, since, group: 'server', complexity: 'O(N) where N is the number of commands to look up', ...(args === undefined ? {} : { args }) },
  };
}

function configSub(name: string, arity: number, run: Handler, summary: string, since: string, args?: string): CommandSpec {
  const help = name === 'help';
  return {
    name: `config|${name}`, arity, run, ...(['set', 'resetstat', 'rewrite'].includes(name) ? ALL_NODES : {}),
    flags: help ? ['loading', 'stale'] : ADMIN_FLAGS, acl: help ? ['slow'] : ADMIN_ACL,
    docs: { summary, since, group: 'server', complexity: 'O(1)', ...(args === undefined ? {} : { args }) },
  };
}

export const SERVER_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'client', arity: -2, flags: [], acl: ['slow'],
    docs: { summary: 'A container for commands about client connections.', since: '2.4.0', group: 'connection', complexity: 'Depends on subcommand.' },
    subcommands: [
      clientSub('id', 2, clientIdCommand, 'Returns the unique id of the connection.'),
      clientSub('setname', 3, clientSetNameCommand, 'Names the connection.', 'connection-name'),
      clientSub('getname', 2, clientGetNameCommand, 'Returns the name of the connection.'),
      clientSub('setinfo', 4, clientSetInfoCommand, 'Records the client library name or version for CLIENT LIST.', '<LIB-NAME libname | LIB-VER libver>'),
      clientSub('list', -2, clientListCommand, 'Lists client connections and their state.', '[TYPE <NORMAL | MASTER | REPLICA | PUBSUB>] [ID client-id [client-id ...]]', true),
      clientSub('info', 2, clientInfoCommand, 'Returns the state of this connection.'),
      clientSub('kill', -3, clientKillCommand, 'Closes client connections.', '<ip:port | <[ID client-id] | [TYPE <NORMAL | MASTER | SLAVE | REPLICA | PUBSUB>] | [USER username] | [ADDR ip:port] | [LADDR ip:port] | [SKIPME <YES | NO>] | [MAXAGE maxage]> [[ID client-id] | [TYPE <NORMAL | MASTER | SLAVE | REPLICA | PUBSUB>] | [USER username] | [ADDR ip:port] | [LADDR ip:port] | [SKIPME <YES | NO>] | [MAXAGE maxage] ...]>', true),
      clientSub('no-evict', 3, clientNoEvictCommand, 'Exempts this connection from client eviction.', '<ON | OFF>', true),
      clientSub('no-touch', 3, clientNoTouchCommand, 'Keeps this connection\'s commands from updating key access times.', '<ON | OFF>'),
      clientSub('reply', 3, clientReplyCommand, 'Turns server replies to this connection on or off.', '<ON | OFF | SKIP>'),
      clientSub('unblock', -3, clientUnblockCommand, 'Unblocks a client blocked on keys, as a timeout or with an error.', 'client-id [TIMEOUT | ERROR]', true),
      clientSub('pause', -3, clientPauseCommand, 'Holds back commands of every client for a while: all of them, or the writes.', 'timeout [WRITE | ALL]', true),
      clientSub('unpause', 2, clientUnpauseCommand, 'Ends CLIENT PAUSE; held commands run in order.', undefined, true),
      clientSub('tracking', -3, clientTrackingCommand, 'Turns invalidation messages for client-side caching on or off.', '<ON | OFF> [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]'),
      clientSub('caching', 3, clientCachingCommand, 'Says whether the next command\'s keys are tracked, in OPTIN or OPTOUT mode.', '<YES | NO>'),
      clientSub('getredir', 2, clientGetRedirCommand, 'Returns the id invalidation messages are redirected to.'),
      clientSub('trackinginfo', 2, clientTrackingInfoCommand, 'Returns this connection\'s tracking mode, redirect and prefixes.'),
      clientSub('help', 2, clientHelpCommand, 'Describes the CLIENT subcommands.'),
    ],
  },
  {
    name: 'command', arity: -1, flags: ['loading', 'stale', 'sentinel'], acl: ['slow', 'connection'], run: commandCommand, ...NONDET_ORDER,
    docs: { summary: 'Describes every command the server knows.', since: '2.8.13', group: 'server', complexity: 'O(N) where N is the total number of commands' },
    subcommands: [
      commandSub('count', 2, commandCountCommand, 'Returns the number of commands.', '2.8.13'),
      commandSub('docs', -2, commandDocsCommand, 'Returns documentation about commands.', '7.0.0', '[command-name [command-name ...]]'),
      commandSub('getkeys', -4, commandGetKeysCommand, 'Extracts the key names from a full command.', '2.8.13', 'command [arg [arg ...]]'),
      commandSub('getkeysandflags', -4, commandGetKeysAndFlagsCommand, 'Extracts the key names and their access flags from a full command.', '7.0.0', 'command [arg [arg ...]]'),
      commandSub('help', 2, commandHelpCommand, 'Describes the COMMAND subcommands.', '5.0.0'),
      commandSub('info', -2, commandInfoCommand, 'Describes the given commands, or all of them.', '2.8.13', '[command-name [command-name ...]]'),
      commandSub('list', -2, commandListCommand, 'Lists command names, optionally filtered.', '7.0.0', '[FILTERBY <MODULE module-name | ACLCAT category | PATTERN pattern>]'),
    ],
  },
  {
    name: 'config', arity: -2, flags: [], acl: ['slow'],
    docs: { summary: 'A container for server configuration commands.', since: '2.0.0', group: 'server', complexity: 'Depends on subcommand.' },
    subcommands: [
      configSub('get', -3, configGetCommand, 'Returns the values of configuration parameters.', '2.0.0', 'parameter [parameter ...]'),
      configSub('set', -4, configSetCommand, 'Changes configuration parameters, all or none.', '2.0.0', 'parameter value [parameter value ...]'),
      configSub('resetstat', 2, configResetStatCommand, 'Resets the statistics INFO reports.', '2.0.0'),
      configSub('rewrite', 2, configRewriteCommand, 'Writes the running configuration back to the config file.', '2.8.0'),
      configSub('help', 2, configHelpCommand, 'Describes the CONFIG subcommands.', '5.0.0'),
    ],
  },
  {
    name: 'info', arity: -1, flags: ['loading', 'stale', 'sentinel'], acl: ['slow', 'dangerous'], run: infoCommand,
    tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
    docs: { summary: 'Returns information and statistics about the server.', since: '1.0.0', group: 'server', complexity: 'O(1)', args: '[section [section ...]]' },
  },
  {
    name: 'debug', arity: -2, flags: ['admin', 'noscript', 'loading', 'stale', 'protected'], acl: ADMIN_ACL, run: debugCommand,
    docs: { summary: 'Debugging and testing helpers.', since: '1.0.0', group: 'server', complexity: 'Depends on subcommand.' },
  },
  {
    name: 'shutdown', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'sentinel', 'allow_busy'], acl: ADMIN_ACL, run: shutdownCommand,
    docs: { summary: 'Stops the server, optionally persisting first.', since: '1.0.0', group: 'server', complexity: 'O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)', args: '[NOSAVE | SAVE] [NOW] [FORCE] [ABORT]' },
  },
  {
    name: 'monitor', arity: 1, flags: ADMIN_FLAGS, acl: ADMIN_ACL, run: monitorCommand,
    docs: { summary: 'Streams every command the server runs to this connection.', since: '1.0.0', group: 'server' },
  },
  {
    name: 'time', arity: 1, flags: ['loading', 'stale', 'fast'], acl: ['fast'], run: timeCommand, ...NONDET,
    docs: { summary: 'Returns the server time as seconds and microseconds.', since: '2.6.0', group: 'server', complexity: 'O(1)' },
  },
  {
    name: 'wait', arity: 3, flags: ['noscript'], acl: ['slow', 'connection'], run: waitCommand, tips: WAIT_TIPS,
    docs: { summary: 'Waits until the preceding writes reach a number of replicas, or the timeout.', since: '3.0.0', group: 'generic', complexity: 'O(1)', args: 'numreplicas timeout' },
  },
  {
    name: 'waitaof', arity: 4, flags: ['blocking'], acl: ['slow', 'connection'], run: waitaofCommand, tips: WAIT_TIPS,
    docs: { summary: 'Waits until the preceding writes are synced to the local AOF and/or replicas, or the timeout.', since: '7.2.0', group: 'generic', complexity: 'O(1)', args: 'numlocal numreplicas timeout' },
  },
  {
    name: 'save', arity: 1, flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'], acl: ADMIN_ACL, run: saveCommand,
    docs: { summary: 'Synchronously saves the database(s) to disk.', since: '1.0.0', group: 'server', complexity: 'O(N) where N is the total number of keys in all databases' },
  },
  {
    name: 'bgsave', arity: -1, flags: ['admin', 'noscript', 'no_async_loading'], acl: ADMIN_ACL, run: bgsaveCommand,
    docs: { summary: 'Asynchronously saves the database(s) to disk.', since: '1.0.0', group: 'server', complexity: 'O(1)', args: '[SCHEDULE]' },
  },
  {
    name: 'bgrewriteaof', arity: 1, flags: ['admin', 'noscript', 'no_async_loading'], acl: ADMIN_ACL, run: bgrewriteaofCommand,
    docs: { summary: 'Asynchronously rewrites the append-only file to disk.', since: '1.0.0', group: 'server', complexity: 'O(1)' },
  },
  {
    name: 'rewind', arity: -2, flags: [], acl: ['slow'],
    docs: { summary: 'Rewind\'s point-in-time commands: restore keys to an earlier second.', since: '7.2.4', group: 'server', complexity: 'Depends on subcommand.' },
    subcommands: [
      {
        name: 'rewind|restore', arity: -5, flags: ['write', 'noscript', 'no_multi'], acl: ['keyspace', 'write', 'slow', 'dangerous'], run: rewindRestoreCommand,
        docs: {
          summary: 'Puts keys back to their state at the end of an earlier second, from the AOF and its archive.', since: '7.2.4', group: 'server',
          complexity: 'O(N) where N is the size of the AOF files replayed', args: 'time <MATCH pattern | KEYS numkeys key [key ...]> [DB index] [REPLACE] [TIMESHIFT] [DRYRUN]',
        },
      },
      {
        name: 'rewind|range', arity: 2, flags: ['noscript'], acl: ['slow'], run: rewindRangeCommand,
        docs: { summary: 'Returns the oldest and newest second a restore can reach.', since: '7.2.4', group: 'server', complexity: 'O(N) where N is the size of the last AOF file' },
      },
      {
        name: 'rewind|help', arity: 2, flags: ['loading', 'stale'], acl: ['slow'], run: rewindHelpCommand,
        docs: { summary: 'Describes the REWIND subcommands.', since: '7.2.4', group: 'server', complexity: 'O(1)' },
      },
    ],
  },
  {
    name: 'lastsave', arity: 1, flags: ['loading', 'stale', 'fast'], acl: ['fast', 'admin', 'dangerous'], run: lastSaveCommand, ...NONDET,
    docs: { summary: 'Returns the unix time of the last successful save.', since: '1.0.0', group: 'server', complexity: 'O(1)' },
  },
];
