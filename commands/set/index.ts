/*
 * The SET family's command table: arity, flags, ACL categories, tips and key specs as Redis 7.0's
 * COMMAND INFO shows them.
 */
import type { CommandFlag, CommandSpec, KeyRange } from '../table.js';
import {
  indexSpec, keynumSpec, numkeysGetKeysProc, type KeySpecFlag,
} from '../key-specs.js';
import {
  saddCommand, scardCommand, sismemberCommand, smembersCommand, smismemberCommand, smoveCommand, sremCommand, sscanCommand,
} from './basic.js';
import { spopCommand, srandmemberCommand } from './random.js';
import {
  sdiffCommand, sdiffstoreCommand, sintercardCommand, sintercardKeys, sinterCommand, sinterstoreCommand, sunionCommand,
  sunionstoreCommand,
} from './algebra.js';

function key1(...flags: KeySpecFlag[]): KeyRange {
  return { first: 1, last: 1, step: 1, flags };
}
function allKeys(first: number, ...flags: KeySpecFlag[]): KeyRange {
  return { first, last: -1, step: 1, flags };
}
/** SINTERSTORE, SUNIONSTORE, SDIFFSTORE: the destination (flags as Redis gives each), then the sources read. */
function storeKeys(...destination: KeySpecFlag[]): Pick<CommandSpec, 'keys' | 'keySpecs'> {
  return { keys: { first: 1, last: -1, step: 1 }, keySpecs: [indexSpec(1, destination), indexSpec(2, ['RO', 'access'], -1)] };
}

const READ: readonly CommandFlag[] = ['readonly'];
const READ_FAST: readonly CommandFlag[] = ['readonly', 'fast'];
const ACL_READ_FAST = ['read', 'set', 'fast'];
const ACL_READ_SLOW = ['read', 'set', 'slow'];
const ACL_WRITE_FAST = ['write', 'set', 'fast'];
const ACL_WRITE_SLOW = ['write', 'set', 'slow'];
const GROUP = 'set';
const O1 = 'O(1)';
const ORDER = ['nondeterministic_output_order'];
const RANDOM = ['nondeterministic_output'];
const TOTAL = 'O(N) where N is the total number of elements in all given sets.';
const INTER = 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.';

export const SET_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'sadd', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: ACL_WRITE_FAST, keys: key1('RW', 'insert'), run: saddCommand,
    docs: {
      summary: 'Adds members to a set, creating it if needed; returns how many were new.', since: '1.0.0', group: GROUP,
      complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
      args: 'key member [member ...]',
    },
  },
  {
    name: 'srem', arity: -3, flags: ['write', 'fast'], acl: ACL_WRITE_FAST, keys: key1('RW', 'delete'), run: sremCommand,
    docs: { summary: 'Removes members from a set, and the set when none remain.', since: '1.0.0', group: GROUP, complexity: 'O(N) where N is the number of members to be removed.', args: 'key member [member ...]' },
  },
  {
    name: 'smembers', arity: 2, flags: READ, acl: ACL_READ_SLOW, keys: key1('RO', 'access'), tips: ORDER, run: smembersCommand,
    docs: { summary: 'Returns all members of a set.', since: '1.0.0', group: GROUP, complexity: 'O(N) where N is the set cardinality.', args: 'key' },
  },
  {
    name: 'sismember', arity: 3, flags: READ_FAST, acl: ACL_READ_FAST, keys: key1('RO'), run: sismemberCommand,
    docs: { summary: 'Tells whether a member belongs to a set.', since: '1.0.0', group: GROUP, complexity: O1, args: 'key member' },
  },
  {
    name: 'smismember', arity: -3, flags: READ_FAST, acl: ACL_READ_FAST, keys: key1('RO', 'access'), run: smismemberCommand,
    docs: { summary: 'Tells, for several members, whether each belongs to a set.', since: '6.2.0', group: GROUP, complexity: 'O(N) where N is the number of elements being checked for membership', args: 'key member [member ...]' },
  },
  {
    name: 'scard', arity: 2, flags: READ_FAST, acl: ACL_READ_FAST, keys: key1('RO'), run: scardCommand,
    docs: { summary: 'Returns the number of members of a set.', since: '1.0.0', group: GROUP, complexity: O1, args: 'key' },
  },
  {
    name: 'spop', arity: -2, flags: ['write', 'fast'], acl: ACL_WRITE_FAST, keys: key1('RW', 'access', 'delete'), tips: RANDOM, run: spopCommand,
    docs: { summary: 'Removes and returns random members of a set.', since: '1.0.0', group: GROUP, complexity: 'Without the count argument O(1), otherwise O(N) where N is the value of the passed count.', args: 'key [count]' },
  },
  {
    name: 'srandmember', arity: -2, flags: READ, acl: ACL_READ_SLOW, keys: key1('RO', 'access'), tips: RANDOM, run: srandmemberCommand,
    docs: { summary: 'Returns random members of a set, with repetition for a negative count.', since: '1.0.0', group: GROUP, complexity: 'Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.', args: 'key [count]' },
  },
  {
    name: 'smove', arity: 4, flags: ['write', 'fast'], acl: ACL_WRITE_FAST, keys: { first: 1, last: 2, step: 1 },
    keySpecs: [indexSpec(1, ['RW', 'access', 'delete']), indexSpec(2, ['RW', 'insert'])], run: smoveCommand,
    docs: { summary: 'Moves a member from one set to another.', since: '1.0.0', group: GROUP, complexity: O1, args: 'source destination member' },
  },
  {
    name: 'sinter', arity: -2, flags: READ, acl: ACL_READ_SLOW, keys: allKeys(1, 'RO', 'access'), tips: ORDER, run: sinterCommand,
    docs: { summary: 'Returns the intersection of sets.', since: '1.0.0', group: GROUP, complexity: INTER, args: 'key [key ...]' },
  },
  {
    name: 'sintercard', arity: -3, flags: ['readonly', 'movablekeys'], acl: ACL_READ_SLOW, getKeys: sintercardKeys,
    keySpecs: [keynumSpec(1, ['RO', 'access'])], getKeysProc: numkeysGetKeysProc(0, 1, 2), run: sintercardCommand,
    docs: { summary: 'Returns the size of the intersection of sets, optionally stopping at a limit.', since: '7.0.0', group: GROUP, complexity: INTER, args: 'numkeys key [key ...] [LIMIT limit]' },
  },
  {
    name: 'sinterstore', arity: -3, flags: ['write', 'denyoom'], acl: ACL_WRITE_SLOW, ...storeKeys('RW', 'update'), run: sinterstoreCommand,
    docs: { summary: 'Stores the intersection of sets in a key.', since: '1.0.0', group: GROUP, complexity: INTER, args: 'destination key [key ...]' },
  },
  {
    name: 'sunion', arity: -2, flags: READ, acl: ACL_READ_SLOW, keys: allKeys(1, 'RO', 'access'), tips: ORDER, run: sunionCommand,
    docs: { summary: 'Returns the union of sets.', since: '1.0.0', group: GROUP, complexity: TOTAL, args: 'key [key ...]' },
  },
  {
    name: 'sunionstore', arity: -3, flags: ['write', 'denyoom'], acl: ACL_WRITE_SLOW, ...storeKeys('OW', 'update'), run: sunionstoreCommand,
    docs: { summary: 'Stores the union of sets in a key.', since: '1.0.0', group: GROUP, complexity: TOTAL, args: 'destination key [key ...]' },
  },
  {
    name: 'sdiff', arity: -2, flags: READ, acl: ACL_READ_SLOW, keys: allKeys(1, 'RO', 'access'), tips: ORDER, run: sdiffCommand,
    docs: { summary: 'Returns the members of the first set missing from the others.', since: '1.0.0', group: GROUP, complexity: TOTAL, args: 'key [key ...]' },
  },
  {
    name: 'sdiffstore', arity: -3, flags: ['write', 'denyoom'], acl: ACL_WRITE_SLOW, ...storeKeys('OW', 'update'), run: sdiffstoreCommand,
    docs: { summary: 'Stores the difference of sets in a key.', since: '1.0.0', group: GROUP, complexity: TOTAL, args: 'destination key [key ...]' },
  },
  {
    name: 'sscan', arity: -3, flags: READ, acl: ACL_READ_SLOW, keys: key1('RO', 'access'), tips: RANDOM, run: sscanCommand,
    docs: {
      summary: 'Iterates over the members of a set.', since: '2.8.0', group: GROUP,
      complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
      args: 'key cursor [MATCH pattern] [COUNT count]',
    },
  },
];
