/*
 * The generic keyspace family (Redis's "generic" group plus DBSIZE FLUSHDB FLUSHALL SWAPDB):
 * arity, flags, ACL categories and key positions as COMMAND INFO shows them in Redis 7.0.
 */
import type { CommandSpec } from '../table.js';
import { indexSpec, type KeySpecFlag } from '../key-specs.js';
import {
  dbsizeCommand, delCommand, existsCommand, randomkeyCommand, touchCommand, typeCommand,
} from './del-exists.js';
import {
  expireatCommand, expireCommand, expiretimeCommand, persistCommand, pexpireatCommand, pexpireCommand,
  pexpiretimeCommand, pttlCommand, ttlCommand,
} from './expire.js';
import { flushallCommand, flushdbCommand, swapdbCommand } from './flush.js';
import {
  objectEncodingCommand, objectFreqCommand, objectHelpCommand, objectIdletimeCommand, objectRefcountCommand,
} from './object.js';
import { copyCommand, moveCommand, renameCommand, renamenxCommand } from './rename-move-copy.js';
import { keysCommand, scanCommand } from './scan.js';
import { dumpCommand, restoreCommand } from './dump.js';

const KEY1 = { first: 1, last: 1, step: 1 } as const;
const KEY2 = { first: 2, last: 2, step: 1 } as const;
const KEYS_ALL = { first: 1, last: -1, step: 1 } as const;
const KEY1_2 = { first: 1, last: 2, step: 1 } as const;
/** DEL and UNLINK remove their keys without reading them. */
const KEYS_REMOVED = { ...KEYS_ALL, flags: ['RM', 'delete'] } as const;
/** EXISTS, TOUCH, TYPE and OBJECT look at keys without reading their values: RO without ACCESS. */
const KEYS_SEEN = { ...KEYS_ALL, flags: ['RO'] } as const;
const KEY1_SEEN = { ...KEY1, flags: ['RO'] } as const;
const KEY2_SEEN = { ...KEY2, flags: ['RO'] } as const;

/** RENAME, RENAMENX and COPY: a source and a destination spec (Redis's flags for each). */
function sourceAndDestination(source: readonly KeySpecFlag[], destination: readonly KeySpecFlag[]): Pick<CommandSpec, 'keys' | 'keySpecs'> {
  return { keys: KEY1_2, keySpecs: [indexSpec(1, source), indexSpec(2, destination)] };
}

const EXPIRE_ARGS = '[NX | XX | GT | LT]';

export const KEYS_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'del', arity: -2, flags: ['write'], acl: ['keyspace', 'write', 'slow'], keys: KEYS_REMOVED, run: delCommand,
    docs: { summary: 'Removes keys; returns how many existed.', since: '1.0.0', group: 'generic', complexity: 'O(N)', args: 'key [key ...]' },
  },
  {
    name: 'unlink', arity: -2, flags: ['write', 'fast'], acl: ['keyspace', 'write', 'fast'], keys: KEYS_REMOVED, run: delCommand,
    docs: { summary: 'Removes keys, reclaiming memory in the background; returns how many existed.', since: '4.0.0', group: 'generic', complexity: 'O(1) per key', args: 'key [key ...]' },
  },
  {
    name: 'exists', arity: -2, flags: ['readonly', 'fast'], acl: ['keyspace', 'read', 'fast'], keys: KEYS_SEEN, run: existsCommand,
    docs: { summary: 'Counts how many of the given keys exist, repeats included.', since: '1.0.0', group: 'generic', complexity: 'O(N)', args: 'key [key ...]' },
  },
  {
    name: 'touch', arity: -2, flags: ['readonly', 'fast'], acl: ['keyspace', 'read', 'fast'], keys: KEYS_SEEN, run: touchCommand,
    docs: { summary: 'Marks keys as just accessed; returns how many exist.', since: '3.2.1', group: 'generic', complexity: 'O(N)', args: 'key [key ...]' },
  },
  {
    name: 'type', arity: 2, flags: ['readonly', 'fast'], acl: ['keyspace', 'read', 'fast'], keys: KEY1_SEEN, run: typeCommand,
    docs: { summary: 'Names the type of the value at a key, or none.', since: '1.0.0', group: 'generic', complexity: 'O(1)', args: 'key' },
  },
  {
    name: 'keys', arity: 2, flags: ['readonly'], acl: ['keyspace', 'read', 'slow', 'dangerous'], run: keysCommand,
    docs: { summary: 'Lists every key matching a glob pattern.', since: '1.0.0', group: 'generic', complexity: 'O(N)', args: 'pattern' },
  },
  {
    name: 'scan', arity: -2, flags: ['readonly'], acl: ['keyspace', 'read', 'slow'], run: scanCommand,
    docs: { summary: 'Iterates over the keys of the database a few at a time with a cursor.', since: '2.8.0', group: 'generic', complexity: 'O(1) per call, O(N) for a full iteration', args: 'cursor [MATCH pattern] [COUNT count] [TYPE type]' },
  },
  {
    name: 'randomkey', arity: 1, flags: ['readonly'], acl: ['keyspace', 'read', 'slow'], run: randomkeyCommand,
    docs: { summary: 'Returns a key picked at random, or nil when the database is empty.', since: '1.0.0', group: 'generic', complexity: 'O(1)' },
  },
  {
    name: 'dbsize', arity: 1, flags: ['readonly', 'fast'], acl: ['keyspace', 'read', 'fast'], run: dbsizeCommand,
    docs: { summary: 'Returns the number of keys in the selected database.', since: '1.0.0', group: 'server', complexity: 'O(1)' },
  },
  {
    name: 'rename', arity: 3, flags: ['write'], acl: ['keyspace', 'write', 'slow'], ...sourceAndDestination(['RW', 'access', 'delete'], ['OW', 'update']), run: renameCommand,
    docs: { summary: 'Gives a key a new name, overwriting any key already called that.', since: '1.0.0', group: 'generic', complexity: 'O(1)', args: 'key newkey' },
  },
  {
    name: 'renamenx', arity: 3, flags: ['write', 'fast'], acl: ['keyspace', 'write', 'fast'], ...sourceAndDestination(['RW', 'access', 'delete'], ['OW', 'insert']), run: renamenxCommand,
    docs: { summary: 'Gives a key a new name only if that name is free.', since: '1.0.0', group: 'generic', complexity: 'O(1)', args: 'key newkey' },
  },
  {
    name: 'move', arity: 3, flags: ['write', 'fast'], acl: ['keyspace', 'write', 'fast'], keys: { ...KEY1, flags: ['RW', 'access', 'update'] }, run: moveCommand,
    docs: { summary: 'Moves a key to another database unless it exists there.', since: '1.0.0', group: 'generic', complexity: 'O(1)', args: 'key db' },
  },
  {
    name: 'copy', arity: -3, flags: ['write', 'denyoom'], acl: ['keyspace', 'write', 'slow'], ...sourceAndDestination(['RO', 'access'], ['OW', 'update']), run: copyCommand,
    docs: { summary: 'Duplicates a value and its TTL under another key, optionally in another database.', since: '6.2.0', group: 'generic', complexity: 'O(N) for collections', args: 'source destination [DB destination-db] [REPLACE]' },
  },
  {
    name: 'expire', arity: -3, flags: ['write', 'fast'], acl: ['keyspace', 'write', 'fast'], keys: KEY1, run: expireCommand,
    docs: { summary: 'Sets a time to live in seconds on a key.', since: '1.0.0', group: 'generic', complexity: 'O(1)', args: `key seconds ${EXPIRE_ARGS}` },
  },
  {
    name: 'pexpire', arity: -3, flags: ['write', 'fast'], acl: ['keyspace', 'write', 'fast'], keys: KEY1, run: pexpireCommand,
    docs: { summary: 'Sets a time to live in milliseconds on a key.', since: '2.6.0', group: 'generic', complexity: 'O(1)', args: `key milliseconds ${EXPIRE_ARGS}` },
  },
  {
    name: 'expireat', arity: -3, flags: ['write', 'fast'], acl: ['keyspace', 'write', 'fast'], keys: KEY1, run: expireatCommand,
    docs: { summary: 'Makes a key expire at a unix time in seconds.', since: '1.2.0', group: 'generic', complexity: 'O(1)', args: `key unix-time-seconds ${EXPIRE_ARGS}` },
  },
  {
    name: 'pexpireat', arity: -3, flags: ['write', 'fast'], acl: ['keyspace', 'write', 'fast'], keys: KEY1, run: pexpireatCommand,
    docs: { summary: 'Makes a key expire at a unix time in milliseconds.', since: '2.6.0', group: 'generic', complexity: 'O(1)', args: `key unix-time-milliseconds ${EXPIRE_ARGS}` },
  },
  {
    name: 'expiretime', arity: 2, flags: ['readonly', 'fast'], acl: ['keyspace', 'read', 'fast'], keys: KEY1, run: expiretimeCommand,
    docs: { summary: 'Returns the unix time in seconds at which a key expires.', since: '7.0.0', group: 'generic', complexity: 'O(1)', args: 'key' },
  },
  {
    name: 'pexpiretime', arity: 2, flags: ['readonly', 'fast'], acl: ['keyspace', 'read', 'fast'], keys: KEY1, run: pexpiretimeCommand,
    docs: { summary: 'Returns the unix time in milliseconds at which a key expires.', since: '7.0.0', group: 'generic', complexity: 'O(1)', args: 'key' },
  },
  {
    name: 'ttl', arity: 2, flags: ['readonly', 'fast'], acl: ['keyspace', 'read', 'fast'], keys: KEY1, run: ttlCommand,
    docs: { summary: 'Returns the seconds a key has left to live.', since: '1.0.0', group: 'generic', complexity: 'O(1)', args: 'key' },
  },
  {
    name: 'pttl', arity: 2, flags: ['readonly', 'fast'], acl: ['keyspace', 'read', 'fast'], keys: KEY1, run: pttlCommand,
    docs: { summary: 'Returns the milliseconds a key has left to live.', since: '2.6.0', group: 'generic', complexity: 'O(1)', args: 'key' },
  },
  {
    name: 'persist', arity: 2, flags: ['write', 'fast'], acl: ['keyspace', 'write', 'fast'], keys: KEY1, run: persistCommand,
    docs: { summary: 'Removes the time to live of a key.', since: '2.2.0', group: 'generic', complexity: 'O(1)', args: 'key' },
  },
  {
    name: 'flushdb', arity: -1, flags: ['write'], acl: ['keyspace', 'write', 'slow', 'dangerous'], run: flushdbCommand,
    docs: { summary: 'Removes every key of the selected database.', since: '1.0.0', group: 'server', complexity: 'O(N)', args: '[ASYNC | SYNC]' },
  },
  {
    name: 'flushall', arity: -1, flags: ['write'], acl: ['keyspace', 'write', 'slow', 'dangerous'], run: flushallCommand,
    docs: { summary: 'Removes every key of every database.', since: '1.0.0', group: 'server', complexity: 'O(N)', args: '[ASYNC | SYNC]' },
  },
  {
    name: 'swapdb', arity: 3, flags: ['write', 'fast'], acl: ['keyspace', 'write', 'fast', 'dangerous'], run: swapdbCommand,
    docs: { summary: 'Exchanges the contents of two databases for every client.', since: '4.0.0', group: 'server', complexity: 'O(N) for blocked clients', args: 'index1 index2' },
  },
  {
    name: 'dump', arity: 2, flags: ['readonly'], acl: ['keyspace', 'read', 'slow'], keys: KEY1, tips: ['nondeterministic_output'], run: dumpCommand,
    docs: { summary: 'Serializes the value at a key (RDB form, version and checksum) for RESTORE.', since: '2.6.0', group: 'generic', complexity: 'O(1) to find the key, plus O(N*M) to serialize N elements of average size M', args: 'key' },
  },
  {
    name: 'restore', arity: -4, flags: ['write', 'denyoom'], acl: ['keyspace', 'write', 'slow', 'dangerous'], keys: { ...KEY1, flags: ['OW', 'update'] }, run: restoreCommand,
    docs: { summary: 'Creates a key from a DUMP payload, optionally replacing it, with a relative or absolute TTL.', since: '2.6.0', group: 'generic', complexity: 'O(1) to create the key, plus O(N*M) to rebuild N elements of average size M (O(N*M*log(N)) for sorted sets)', args: 'key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]' },
  },
  {
    name: 'object', arity: -2, flags: [], acl: ['slow'],
    docs: { summary: 'Inspects how a value is stored.', since: '2.2.3', group: 'generic', complexity: 'Depends on subcommand.' },
    subcommands: [
      {
        name: 'object|encoding', arity: 3, flags: ['readonly'], acl: ['keyspace', 'read', 'slow'], keys: KEY2_SEEN, run: objectEncodingCommand,
        docs: { summary: 'Names the internal representation of a value.', since: '2.2.3', group: 'generic', complexity: 'O(1)', args: 'key' },
      },
      {
        name: 'object|freq', arity: 3, flags: ['readonly'], acl: ['keyspace', 'read', 'slow'], keys: KEY2_SEEN, run: objectFreqCommand,
        docs: { summary: 'Returns the logarithmic access frequency counter of a key (LFU policies).', since: '4.0.0', group: 'generic', complexity: 'O(1)', args: 'key' },
      },
      {
        name: 'object|idletime', arity: 3, flags: ['readonly'], acl: ['keyspace', 'read', 'slow'], keys: KEY2_SEEN, run: objectIdletimeCommand,
        docs: { summary: 'Returns the seconds since a key was last accessed.', since: '2.2.3', group: 'generic', complexity: 'O(1)', args: 'key' },
      },
      {
        name: 'object|refcount', arity: 3, flags: ['readonly'], acl: ['keyspace', 'read', 'slow'], keys: KEY2_SEEN, run: objectRefcountCommand,
        docs: { summary: 'Returns the reference count of the value at a key.', since: '2.2.3', group: 'generic', complexity: 'O(1)', args: 'key' },
      },
      {
        name: 'object|help', arity: 2, flags: ['loading', 'stale'], acl: ['keyspace', 'slow'], run: objectHelpCommand,
        docs: { summary: 'Lists the OBJECT subcommands.', since: '6.2.0', group: 'generic', complexity: 'O(1)' },
      },
    ],
  },
];
