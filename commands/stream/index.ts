/*
 * The STREAM family's command table: arity, flags, ACL categories, key specs and tips as Redis
 * 7.0's COMMAND INFO shows them.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import type { CommandFlag, CommandSpec, KeyRange } from '../table.js';
import { keywordSpec, xreadGetKeysProc, type KeySpecFlag } from '../key-specs.js';
import { isWord } from '../args.js';
import { xaddCommand, xdelCommand, xlenCommand, xsetidCommand, xtrimCommand } from './xadd.js';
import { xrangeCommand, xrevrangeCommand } from './xrange.js';
import { xreadCommand, xreadgroupCommand } from './xread.js';
import {
  xackCommand, xgroupCreateCommand, xgroupCreateconsumerCommand, xgroupDelconsumerCommand, xgroupDestroyCommand,
  xgroupHelpCommand, xgroupSetidCommand,
} from './xgroup.js';
import { xautoclaimCommand, xclaimCommand, xpendingCommand } from './xpending.js';
import { xinfoConsumersCommand, xinfoGroupsCommand, xinfoHelpCommand, xinfoStreamCommand } from './xinfo.js';

function key1(...flags: KeySpecFlag[]): KeyRange {
  return { first: 1, last: 1, step: 1, flags };
}

function key2(...flags: KeySpecFlag[]): KeyRange {
  return { first: 2, last: 2, step: 1, flags };
}

/** XREAD/XREADGROUP: the keys are the first half of what follows STREAMS. */
function streamsKeys(argv: Argv): number[] {
  for (let i = 1; i < argv.length; i++) {
    if (!isWord(argv[i]!, 'STREAMS')) continue;
    const n = Math.floor((argv.length - i - 1) / 2);
    const out: number[] = [];
    for (let k = 0; k < n; k++) out.push(i + 1 + k);
    return out;
  }
  return [];
}

const GROUP = 'stream';
const WRITE_FAST: readonly CommandFlag[] = ['write', 'fast'];
const ACL_WRITE_FAST = ['write', 'stream', 'fast'];
const ACL_WRITE_SLOW = ['write', 'stream', 'slow'];
const ACL_READ_SLOW = ['read', 'stream', 'slow'];
const ND = ['nondeterministic_output'];
const LOG_N = 'O(N) with N being the number of entries being returned.';

const XGROUP_SUBCOMMANDS: readonly CommandSpec[] = [
  {
    name: 'xgroup|create', arity: -5, flags: ['write', 'denyoom'], acl: ACL_WRITE_SLOW, keys: key2('RW', 'insert'), run: xgroupCreateCommand,
    docs: { summary: 'Creates a consumer group.', since: '5.0.0', group: GROUP, complexity: 'O(1)', args: 'key group <id | $> [MKSTREAM] [ENTRIESREAD entries-read]' },
  },
  {
    name: 'xgroup|setid', arity: -5, flags: ['write'], acl: ACL_WRITE_SLOW, keys: key2('RW', 'update'), run: xgroupSetidCommand,
    docs: { summary: "Sets the last-delivered ID of a consumer group.", since: '5.0.0', group: GROUP, complexity: 'O(1)', args: 'key group <id | $> [ENTRIESREAD entries-read]' },
  },
  {
    name: 'xgroup|destroy', arity: 4, flags: ['write'], acl: ACL_WRITE_SLOW, keys: key2('RW', 'delete'), run: xgroupDestroyCommand,
    docs: { summary: 'Destroys a consumer group.', since: '5.0.0', group: GROUP, complexity: 'O(N) where N is the number of entries in the group\'s pending entries list (PEL).', args: 'key group' },
  },
  {
    name: 'xgroup|createconsumer', arity: 5, flags: ['write', 'denyoom'], acl: ACL_WRITE_SLOW, keys: key2('RW', 'insert'), run: xgroupCreateconsumerCommand,
    docs: { summary: 'Creates a consumer in a consumer group.', since: '6.2.0', group: GROUP, complexity: 'O(1)', args: 'key group consumer' },
  },
  {
    name: 'xgroup|delconsumer', arity: 5, flags: ['write'], acl: ACL_WRITE_SLOW, keys: key2('RW', 'delete'), run: xgroupDelconsumerCommand,
    docs: { summary: 'Deletes a consumer from a consumer group.', since: '5.0.0', group: GROUP, complexity: 'O(1)', args: 'key group consumer' },
  },
  {
    name: 'xgroup|help', arity: 2, flags: ['loading', 'stale'], acl: ['stream', 'slow'], run: xgroupHelpCommand,
    docs: { summary: 'Lists the XGROUP subcommands.', since: '5.0.0', group: GROUP, complexity: 'O(1)' },
  },
];

const XINFO_SUBCOMMANDS: readonly CommandSpec[] = [
  {
    name: 'xinfo|consumers', arity: 4, flags: ['readonly'], acl: ACL_READ_SLOW, keys: key2('RO', 'access'), tips: ND, run: xinfoConsumersCommand,
    docs: { summary: 'Lists the consumers of a consumer group.', since: '5.0.0', group: GROUP, complexity: 'O(1)', args: 'key group' },
  },
  {
    name: 'xinfo|groups', arity: 3, flags: ['readonly'], acl: ACL_READ_SLOW, keys: key2('RO', 'access'), run: xinfoGroupsCommand,
    docs: { summary: 'Lists the consumer groups of a stream.', since: '5.0.0', group: GROUP, complexity: 'O(1)', args: 'key' },
  },
  {
    name: 'xinfo|stream', arity: -3, flags: ['readonly'], acl: ACL_READ_SLOW, keys: key2('RO', 'access'), run: xinfoStreamCommand,
    docs: { summary: 'Describes a stream.', since: '5.0.0', group: GROUP, complexity: 'O(1)', args: 'key [FULL [COUNT count]]' },
  },
  {
    name: 'xinfo|help', arity: 2, flags: ['loading', 'stale'], acl: ['stream', 'slow'], run: xinfoHelpCommand,
    docs: { summary: 'Lists the XINFO subcommands.', since: '5.0.0', group: GROUP, complexity: 'O(1)' },
  },
];

export const STREAM_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'xadd', arity: -5, flags: ['write', 'denyoom', 'fast'], acl: ACL_WRITE_FAST, keys: { ...key1('RW', 'update'), notes: 'UPDATE instead of INSERT because of the optional trimming feature' },
    tips: ND, run: xaddCommand,
    docs: {
      summary: 'Appends an entry to a stream, creating the stream when missing.', since: '5.0.0', group: GROUP, complexity: 'O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.',
      args: 'key [NOMKSTREAM] [<MAXLEN | MINID> [= | ~] threshold [LIMIT count]] <* | id> field value [field value ...]',
    },
  },
  {
    name: 'xlen', arity: 2, flags: ['readonly', 'fast'], acl: ['read', 'stream', 'fast'], keys: key1('RO'), run: xlenCommand,
    docs: { summary: 'Returns the number of entries in a stream.', since: '5.0.0', group: GROUP, complexity: 'O(1)', args: 'key' },
  },
  {
    name: 'xrange', arity: -4, flags: ['readonly'], acl: ACL_READ_SLOW, keys: key1('RO', 'access'), run: xrangeCommand,
    docs: { summary: 'Returns the entries of a stream within an ID range.', since: '5.0.0', group: GROUP, complexity: LOG_N, args: 'key start end [COUNT count]' },
  },
  {
    name: 'xrevrange', arity: -4, flags: ['readonly'], acl: ACL_READ_SLOW, keys: key1('RO', 'access'), run: xrevrangeCommand,
    docs: { summary: 'Returns the entries of a stream within an ID range, newest first.', since: '5.0.0', group: GROUP, complexity: LOG_N, args: 'key end start [COUNT count]' },
  },
  {
    name: 'xdel', arity: -3, flags: WRITE_FAST, acl: ACL_WRITE_FAST, keys: key1('RW', 'delete'), run: xdelCommand,
    docs: { summary: 'Deletes entries from a stream.', since: '5.0.0', group: GROUP, complexity: 'O(1) for each single item to delete in the stream, regardless of the stream size.', args: 'key id [id ...]' },
  },
  {
    name: 'xtrim', arity: -4, flags: ['write'], acl: ACL_WRITE_SLOW, keys: key1('RW', 'delete'), tips: ND, run: xtrimCommand,
    docs: { summary: 'Deletes the oldest entries of a stream.', since: '5.0.0', group: GROUP, complexity: 'O(N), with N being the number of evicted entries.', args: 'key <MAXLEN | MINID> [= | ~] threshold [LIMIT count]' },
  },
  {
    name: 'xread', arity: -4, flags: ['readonly', 'blocking', 'movablekeys'], acl: ['read', 'stream', 'slow', 'blocking'], getKeys: streamsKeys,
    keySpecs: [keywordSpec('STREAMS', 1, ['RO', 'access'], -1, 1, 2)], getKeysProc: xreadGetKeysProc, run: xreadCommand,
    docs: { summary: 'Returns entries from streams with IDs above the given ones; may block.', since: '5.0.0', group: GROUP, complexity: 'For each stream mentioned: O(N) with N being the number of elements being returned.', args: '[COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]' },
  },
  {
    name: 'xreadgroup', arity: -7, flags: ['write', 'blocking', 'movablekeys'], acl: ['write', 'stream', 'slow', 'blocking'], getKeys: streamsKeys,
    // Redis flags XREADGROUP's streams RO ACCESS although it updates the group: so does COMMAND INFO.
    keySpecs: [keywordSpec('STREAMS', 4, ['RO', 'access'], -1, 1, 2)], getKeysProc: xreadGetKeysProc, run: xreadgroupCommand,
    docs: { summary: 'Reads entries for a consumer of a group; may block.', since: '5.0.0', group: GROUP, complexity: 'For each stream mentioned: O(M) with M the number of elements returned.', args: 'GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]' },
  },
  {
    name: 'xack', arity: -4, flags: WRITE_FAST, acl: ACL_WRITE_FAST, keys: key1('RW', 'update'), run: xackCommand,
    docs: { summary: 'Acknowledges entries of a consumer group.', since: '5.0.0', group: GROUP, complexity: 'O(1) for each message ID processed.', args: 'key group id [id ...]' },
  },
  {
    name: 'xpending', arity: -3, flags: ['readonly'], acl: ACL_READ_SLOW, keys: key1('RO', 'access'), tips: ND, run: xpendingCommand,
    docs: { summary: 'Inspects the pending entries list of a consumer group.', since: '5.0.0', group: GROUP, complexity: 'O(N) with N being the number of elements returned.', args: 'key group [[IDLE min-idle-time] start end count [consumer]]' },
  },
  {
    name: 'xclaim', arity: -6, flags: WRITE_FAST, acl: ACL_WRITE_FAST, keys: key1('RW', 'update'), tips: ND, run: xclaimCommand,
    docs: { summary: 'Transfers pending entries to another consumer.', since: '5.0.0', group: GROUP, complexity: 'O(log N) with N being the number of messages in the PEL of the consumer group.', args: 'key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]' },
  },
  {
    name: 'xautoclaim', arity: -6, flags: WRITE_FAST, acl: ACL_WRITE_FAST, keys: key1('RW', 'delete'), tips: ND, run: xautoclaimCommand,
    docs: { summary: 'Transfers idle pending entries to another consumer, scanning from a cursor.', since: '6.2.0', group: GROUP, complexity: 'O(1) if COUNT is small.', args: 'key group consumer min-idle-time start [COUNT count] [JUSTID]' },
  },
  {
    name: 'xsetid', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: ACL_WRITE_FAST, keys: key1('RW', 'update'), run: xsetidCommand,
    docs: { summary: 'Sets the last ID (and counters) of a stream.', since: '5.0.0', group: GROUP, complexity: 'O(1)', args: 'key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]' },
  },
  {
    name: 'xgroup', arity: -2, flags: [], acl: ['slow'], subcommands: XGROUP_SUBCOMMANDS,
    docs: { summary: 'Manages consumer groups.', since: '5.0.0', group: GROUP, complexity: 'Depends on subcommand.' },
  },
  {
    name: 'xinfo', arity: -2, flags: [], acl: ['slow'], subcommands: XINFO_SUBCOMMANDS,
    docs: { summary: 'Inspects streams and their consumer groups.', since: '5.0.0', group: GROUP, complexity: 'Depends on subcommand.' },
  },
];
