/*
 * The STRING family's command table: arity, flags, ACL categories and key specs as Redis 7.0's
 * COMMAND INFO shows them.
 */
import type { CommandFlag, CommandSpec, KeyRange } from '../table.js';
import { setGetKeysProc, type KeySpecFlag } from '../key-specs.js';
import { getCommand, getdelCommand, getexCommand, strlenCommand } from './get.js';
import { decrbyCommand, decrCommand, incrbyCommand, incrbyfloatCommand, incrCommand } from './incr.js';
import { lcsCommand } from './lcs.js';
import { mgetCommand, msetCommand, msetnxCommand } from './multi.js';
import { appendCommand, getrangeCommand, setrangeCommand } from './range.js';
import { getsetCommand, psetexCommand, setCommand, setexCommand, setnxCommand } from './set.js';

function key1(...flags: KeySpecFlag[]): KeyRange {
  return { first: 1, last: 1, step: 1, flags };
}

const READ_FAST: readonly CommandFlag[] = ['readonly', 'fast'];
const WRITE: readonly CommandFlag[] = ['write', 'denyoom'];
const WRITE_FAST: readonly CommandFlag[] = ['write', 'denyoom', 'fast'];
const ACL_READ_FAST = ['read', 'string', 'fast'];
const ACL_READ_SLOW = ['read', 'string', 'slow'];
const ACL_WRITE_FAST = ['write', 'string', 'fast'];
const ACL_WRITE_SLOW = ['write', 'string', 'slow'];
const GROUP = 'string';
const RANGE_COMPLEXITY = 'O(N) where N is the length of the returned string.';

export const STRING_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'get', arity: 2, flags: READ_FAST, acl: ACL_READ_FAST, keys: key1('RO', 'access'), run: getCommand,
    docs: { summary: 'Returns the string value of a key.', since: '1.0.0', group: GROUP, complexity: 'O(1)', args: 'key' },
  },
  {
    // GET makes the key read as well: Redis's setGetKeys tells GETKEYSANDFLAGS which flags apply.
    name: 'set', arity: -3, flags: WRITE, acl: ACL_WRITE_SLOW,
    keys: { ...key1('RW', 'access', 'update', 'variable_flags'), notes: 'RW and ACCESS due to the optional `GET` argument' },
    getKeysProc: setGetKeysProc, run: setCommand,
    docs: {
      summary: 'Sets the string value of a key, with optional expiry and conditions.', since: '1.0.0', group: GROUP, complexity: 'O(1)',
      args: 'key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]',
    },
  },
  {
    name: 'setnx', arity: 3, flags: WRITE_FAST, acl: ACL_WRITE_FAST, keys: key1('OW', 'insert'), run: setnxCommand,
    docs: { summary: 'Sets a key only when it does not exist yet.', since: '1.0.0', group: GROUP, complexity: 'O(1)', args: 'key value' },
  },
  {
    name: 'setex', arity: 4, flags: WRITE, acl: ACL_WRITE_SLOW, keys: key1('OW', 'update'), run: setexCommand,
    docs: { summary: 'Sets a key with a time to live in seconds.', since: '2.0.0', group: GROUP, complexity: 'O(1)', args: 'key seconds value' },
  },
  {
    name: 'psetex', arity: 4, flags: WRITE, acl: ACL_WRITE_SLOW, keys: key1('OW', 'update'), run: psetexCommand,
    docs: { summary: 'Sets a key with a time to live in milliseconds.', since: '2.6.0', group: GROUP, complexity: 'O(1)', args: 'key milliseconds value' },
  },
  {
    name: 'getset', arity: 3, flags: WRITE_FAST, acl: ACL_WRITE_FAST, keys: key1('RW', 'access', 'update'), run: getsetCommand,
    docs: { summary: 'Sets a key and returns its previous value (deprecated: SET ... GET).', since: '1.0.0', group: GROUP, complexity: 'O(1)', args: 'key value' },
  },
  {
    name: 'getdel', arity: 2, flags: ['write', 'fast'], acl: ACL_WRITE_FAST, keys: key1('RW', 'access', 'delete'), run: getdelCommand,
    docs: { summary: 'Returns the value of a key and deletes the key.', since: '6.2.0', group: GROUP, complexity: 'O(1)', args: 'key' },
  },
  {
    name: 'getex', arity: -2, flags: ['write', 'fast'], acl: ACL_WRITE_FAST, keys: { ...key1('RW', 'access', 'update'), notes: 'RW and UPDATE because it changes the TTL' }, run: getexCommand,
    docs: {
      summary: 'Returns the value of a key and optionally changes or removes its expiry.', since: '6.2.0', group: GROUP, complexity: 'O(1)',
      args: 'key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST]',
    },
  },
  {
    name: 'mget', arity: -2, flags: READ_FAST, acl: ACL_READ_FAST, keys: { first: 1, last: -1, step: 1, flags: ['RO', 'access'] }, run: mgetCommand,
    docs: { summary: 'Returns the values of several keys.', since: '1.0.0', group: GROUP, complexity: 'O(N) where N is the number of keys to retrieve.', args: 'key [key ...]' },
  },
  {
    name: 'mset', arity: -3, flags: WRITE, acl: ACL_WRITE_SLOW, keys: { first: 1, last: -1, step: 2, flags: ['OW', 'update'] }, run: msetCommand,
    docs: { summary: 'Sets several keys at once.', since: '1.0.1', group: GROUP, complexity: 'O(N) where N is the number of keys to set.', args: 'key value [key value ...]' },
  },
  {
    name: 'msetnx', arity: -3, flags: WRITE, acl: ACL_WRITE_SLOW, keys: { first: 1, last: -1, step: 2, flags: ['OW', 'insert'] }, run: msetnxCommand,
    docs: { summary: 'Sets several keys at once, only when none of them exists.', since: '1.0.1', group: GROUP, complexity: 'O(N) where N is the number of keys to set.', args: 'key value [key value ...]' },
  },
  {
    name: 'append', arity: 3, flags: WRITE_FAST, acl: ACL_WRITE_FAST, keys: key1('RW', 'insert'), run: appendCommand,
    docs: { summary: 'Appends bytes to a string value, creating the key when missing.', since: '2.0.0', group: GROUP, complexity: 'O(1) amortized', args: 'key value' },
  },
  {
    name: 'strlen', arity: 2, flags: READ_FAST, acl: ACL_READ_FAST, keys: key1('RO'), run: strlenCommand,
    docs: { summary: 'Returns the length in bytes of a string value.', since: '2.2.0', group: GROUP, complexity: 'O(1)', args: 'key' },
  },
  {
    name: 'incr', arity: 2, flags: WRITE_FAST, acl: ACL_WRITE_FAST, keys: key1('RW', 'access', 'update'), run: incrCommand,
    docs: { summary: 'Adds one to the integer value of a key.', since: '1.0.0', group: GROUP, complexity: 'O(1)', args: 'key' },
  },
  {
    name: 'decr', arity: 2, flags: WRITE_FAST, acl: ACL_WRITE_FAST, keys: key1('RW', 'access', 'update'), run: decrCommand,
    docs: { summary: 'Subtracts one from the integer value of a key.', since: '1.0.0', group: GROUP, complexity: 'O(1)', args: 'key' },
  },
  {
    name: 'incrby', arity: 3, flags: WRITE_FAST, acl: ACL_WRITE_FAST, keys: key1('RW', 'access', 'update'), run: incrbyCommand,
    docs: { summary: 'Adds an amount to the integer value of a key.', since: '1.0.0', group: GROUP, complexity: 'O(1)', args: 'key increment' },
  },
  {
    name: 'decrby', arity: 3, flags: WRITE_FAST, acl: ACL_WRITE_FAST, keys: key1('RW', 'access', 'update'), run: decrbyCommand,
    docs: { summary: 'Subtracts an amount from the integer value of a key.', since: '1.0.0', group: GROUP, complexity: 'O(1)', args: 'key decrement' },
  },
  {
    name: 'incrbyfloat', arity: 3, flags: WRITE_FAST, acl: ACL_WRITE_FAST, keys: key1('RW', 'access', 'update'), run: incrbyfloatCommand,
    docs: { summary: 'Adds a floating-point amount to the value of a key.', since: '2.6.0', group: GROUP, complexity: 'O(1)', args: 'key increment' },
  },
  {
    name: 'getrange', arity: 4, flags: ['readonly'], acl: ACL_READ_SLOW, keys: key1('RO', 'access'), run: getrangeCommand,
    docs: { summary: 'Returns a byte range of a string value.', since: '2.4.0', group: GROUP, complexity: RANGE_COMPLEXITY, args: 'key start end' },
  },
  {
    name: 'setrange', arity: 4, flags: WRITE, acl: ACL_WRITE_SLOW, keys: key1('RW', 'update'), run: setrangeCommand,
    docs: { summary: 'Overwrites part of a string value from an offset, padding with zero bytes.', since: '2.2.0', group: GROUP, complexity: 'O(1), plus O(M) to copy a value of M bytes', args: 'key offset value' },
  },
  {
    name: 'substr', arity: 4, flags: ['readonly'], acl: ACL_READ_SLOW, keys: key1('RO', 'access'), run: getrangeCommand,
    docs: { summary: 'Returns a byte range of a string value (old name of GETRANGE).', since: '1.0.0', group: GROUP, complexity: RANGE_COMPLEXITY, args: 'key start end' },
  },
  {
    name: 'lcs', arity: -3, flags: ['readonly'], acl: ACL_READ_SLOW, keys: { first: 1, last: 2, step: 1, flags: ['RO', 'access'] }, run: lcsCommand,
    docs: { summary: 'Finds the longest common subsequence of two string values.', since: '7.0.0', group: GROUP, complexity: 'O(N*M) where N and M are the lengths of s1 and s2', args: 'key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]' },
  },
];
