/*
 * The HASH family's command table: arity, flags, ACL categories, tips and key specs as Redis
 * 7.0's COMMAND INFO shows them.
 */
import type { CommandFlag, CommandSpec, KeyRange } from '../table.js';
import type { KeySpecFlag } from '../key-specs.js';
import {
  hdelCommand, hexistsCommand, hgetallCommand, hgetCommand, hkeysCommand, hlenCommand, hmgetCommand,
  hmsetCommand, hsetCommand, hsetnxCommand, hstrlenCommand, hvalsCommand,
} from './basic.js';
import { hincrbyCommand, hincrbyfloatCommand } from './incr.js';
import { hrandfieldCommand, hscanCommand } from './random-scan.js';

function key1(...flags: KeySpecFlag[]): KeyRange {
  return { first: 1, last: 1, step: 1, flags };
}

const READ: readonly CommandFlag[] = ['readonly'];
const READ_FAST: readonly CommandFlag[] = ['readonly', 'fast'];
const WRITE_FAST: readonly CommandFlag[] = ['write', 'denyoom', 'fast'];
const ACL_READ_FAST = ['read', 'hash', 'fast'];
const ACL_READ_SLOW = ['read', 'hash', 'slow'];
const ACL_WRITE_FAST = ['write', 'hash', 'fast'];
const GROUP = 'hash';
const O1 = 'O(1)';
const ON_SIZE = 'O(N) where N is the size of the hash.';
const ORDER = ['nondeterministic_output_order'];
const RANDOM = ['nondeterministic_output'];

export const HASH_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'hset', arity: -4, flags: WRITE_FAST, acl: ACL_WRITE_FAST, keys: key1('RW', 'update'), run: hsetCommand,
    docs: {
      summary: 'Sets fields of a hash, creating it if needed; returns how many fields were new.', since: '2.0.0', group: GROUP,
      complexity: 'O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.',
      args: 'key field value [field value ...]',
    },
  },
  {
    name: 'hmset', arity: -4, flags: WRITE_FAST, acl: ACL_WRITE_FAST, keys: key1('RW', 'update'), run: hmsetCommand,
    docs: {
      summary: 'Sets fields of a hash (deprecated: HSET takes several pairs).', since: '2.0.0', group: GROUP,
      complexity: 'O(N) where N is the number of fields being set.', args: 'key field value [field value ...]',
    },
  },
  {
    name: 'hsetnx', arity: 4, flags: WRITE_FAST, acl: ACL_WRITE_FAST, keys: key1('RW', 'insert'), run: hsetnxCommand,
    docs: { summary: 'Sets a hash field only when it does not exist yet.', since: '2.0.0', group: GROUP, complexity: O1, args: 'key field value' },
  },
  {
    name: 'hget', arity: 3, flags: READ_FAST, acl: ACL_READ_FAST, keys: key1('RO', 'access'), run: hgetCommand,
    docs: { summary: 'Returns the value of a hash field.', since: '2.0.0', group: GROUP, complexity: O1, args: 'key field' },
  },
  {
    name: 'hmget', arity: -3, flags: READ_FAST, acl: ACL_READ_FAST, keys: key1('RO', 'access'), run: hmgetCommand,
    docs: {
      summary: 'Returns the values of several hash fields.', since: '2.0.0', group: GROUP,
      complexity: 'O(N) where N is the number of fields being requested.', args: 'key field [field ...]',
    },
  },
  {
    name: 'hdel', arity: -3, flags: ['write', 'fast'], acl: ACL_WRITE_FAST, keys: key1('RW', 'delete'), run: hdelCommand,
    docs: {
      summary: 'Deletes fields of a hash, and the hash when none remain.', since: '2.0.0', group: GROUP,
      complexity: 'O(N) where N is the number of fields to be removed.', args: 'key field [field ...]',
    },
  },
  {
    name: 'hexists', arity: 3, flags: READ_FAST, acl: ACL_READ_FAST, keys: key1('RO'), run: hexistsCommand,
    docs: { summary: 'Tells whether a hash field exists.', since: '2.0.0', group: GROUP, complexity: O1, args: 'key field' },
  },
  {
    name: 'hlen', arity: 2, flags: READ_FAST, acl: ACL_READ_FAST, keys: key1('RO'), run: hlenCommand,
    docs: { summary: 'Returns the number of fields in a hash.', since: '2.0.0', group: GROUP, complexity: O1, args: 'key' },
  },
  {
    name: 'hstrlen', arity: 3, flags: READ_FAST, acl: ACL_READ_FAST, keys: key1('RO'), run: hstrlenCommand,
    docs: { summary: 'Returns the length of a hash field value.', since: '3.2.0', group: GROUP, complexity: O1, args: 'key field' },
  },
  {
    name: 'hkeys', arity: 2, flags: READ, acl: ACL_READ_SLOW, keys: key1('RO', 'access'), tips: ORDER, run: hkeysCommand,
    docs: { summary: 'Returns all fields of a hash.', since: '2.0.0', group: GROUP, complexity: ON_SIZE, args: 'key' },
  },
  {
    name: 'hvals', arity: 2, flags: READ, acl: ACL_READ_SLOW, keys: key1('RO', 'access'), tips: ORDER, run: hvalsCommand,
    docs: { summary: 'Returns all values of a hash.', since: '2.0.0', group: GROUP, complexity: ON_SIZE, args: 'key' },
  },
  {
    name: 'hgetall', arity: 2, flags: READ, acl: ACL_READ_SLOW, keys: key1('RO', 'access'), tips: ORDER, run: hgetallCommand,
    docs: { summary: 'Returns all fields and values of a hash.', since: '2.0.0', group: GROUP, complexity: ON_SIZE, args: 'key' },
  },
  {
    name: 'hincrby', arity: 4, flags: WRITE_FAST, acl: ACL_WRITE_FAST, keys: key1('RW', 'access', 'update'), run: hincrbyCommand,
    docs: { summary: 'Adds an integer to a hash field, starting from 0.', since: '2.0.0', group: GROUP, complexity: O1, args: 'key field increment' },
  },
  {
    name: 'hincrbyfloat', arity: 4, flags: WRITE_FAST, acl: ACL_WRITE_FAST, keys: key1('RW', 'access', 'update'), run: hincrbyfloatCommand,
    docs: { summary: 'Adds a floating point number to a hash field, starting from 0.', since: '2.6.0', group: GROUP, complexity: O1, args: 'key field increment' },
  },
  {
    name: 'hrandfield', arity: -2, flags: READ, acl: ACL_READ_SLOW, keys: key1('RO', 'access'), tips: RANDOM, run: hrandfieldCommand,
    docs: {
      summary: 'Returns random fields of a hash, optionally with their values.', since: '6.2.0', group: GROUP,
      complexity: 'O(N) where N is the number of fields returned', args: 'key [count [WITHVALUES]]',
    },
  },
  {
    name: 'hscan', arity: -3, flags: READ, acl: ACL_READ_SLOW, keys: key1('RO', 'access'), tips: RANDOM, run: hscanCommand,
    docs: {
      summary: 'Iterates over the fields and values of a hash.', since: '2.8.0', group: GROUP,
      complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
      args: 'key cursor [MATCH pattern] [COUNT count]',
    },
  },
];
