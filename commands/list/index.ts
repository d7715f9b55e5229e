/*
 * The LIST family's command table: arity, flags, ACL categories and key specs as Redis 7.0's
 * COMMAND INFO shows them.
 */
import type { CommandFlag, CommandSpec, KeyRange } from '../table.js';
import {
  indexSpec, keynumSpec, numkeysGetKeysProc, type KeySpec, type KeySpecFlag,
} from '../key-specs.js';
import { blmoveCommand, blmpopCommand, blpopCommand, brpopCommand, brpoplpushCommand } from './blocking.js';
import { lmoveCommand, rpoplpushCommand } from './move.js';
import {
  lmpopCommand, lpopCommand, lpushCommand, lpushxCommand, mpopKeys, rpopCommand, rpushCommand, rpushxCommand,
} from './push-pop.js';
import {
  lindexCommand, linsertCommand, llenCommand, lposCommand, lrangeCommand, lremCommand, lsetCommand, ltrimCommand,
} from './range.js';

function key1(...flags: KeySpecFlag[]): KeyRange {
  return { first: 1, last: 1, step: 1, flags };
}

/** LMOVE and its kin: popped from the source, pushed to the destination (Redis's two specs). */
const MOVE_KEYS: Pick<CommandSpec, 'keys' | 'keySpecs'> = {
  keys: { first: 1, last: 2, step: 1 },
  keySpecs: [indexSpec(1, ['RW', 'access', 'delete']), indexSpec(2, ['RW', 'insert'])],
};
/** LMPOP and BLMPOP: numkeys at `at`, the keys after it. */
function mpopSpecs(at: number): Pick<CommandSpec, 'keySpecs' | 'getKeysProc'> {
  const specs: KeySpec[] = [keynumSpec(at, ['RW', 'access', 'delete'])];
  return { keySpecs: specs, getKeysProc: numkeysGetKeysProc(0, at, at + 1) };
}
const WRITE_FAST: readonly CommandFlag[] = ['write', 'denyoom', 'fast'];
const WRITE_DENYOOM: readonly CommandFlag[] = ['write', 'denyoom'];
const ACL_WRITE_FAST = ['write', 'list', 'fast'];
const ACL_WRITE_SLOW = ['write', 'list', 'slow'];
const ACL_READ_SLOW = ['read', 'list', 'slow'];
const ACL_BLOCKING = ['write', 'list', 'slow', 'blocking'];
const GROUP = 'list';
const PUSH_COMPLEXITY = 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.';
const POP_COMPLEXITY = 'O(N) where N is the number of elements returned';
const MPOP_COMPLEXITY = 'O(N+M) where N is the number of provided keys and M is the number of elements returned.';

export const LIST_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'lpush', arity: -3, flags: WRITE_FAST, acl: ACL_WRITE_FAST, keys: key1('RW', 'insert'), run: lpushCommand,
    docs: { summary: 'Prepends elements to a list, creating it when missing.', since: '1.0.0', group: GROUP, complexity: PUSH_COMPLEXITY, args: 'key element [element ...]' },
  },
  {
    name: 'rpush', arity: -3, flags: WRITE_FAST, acl: ACL_WRITE_FAST, keys: key1('RW', 'insert'), run: rpushCommand,
    docs: { summary: 'Appends elements to a list, creating it when missing.', since: '1.0.0', group: GROUP, complexity: PUSH_COMPLEXITY, args: 'key element [element ...]' },
  },
  {
    name: 'lpushx', arity: -3, flags: WRITE_FAST, acl: ACL_WRITE_FAST, keys: key1('RW', 'insert'), run: lpushxCommand,
    docs: { summary: 'Prepends elements to a list only when it exists.', since: '2.2.0', group: GROUP, complexity: PUSH_COMPLEXITY, args: 'key element [element ...]' },
  },
  {
    name: 'rpushx', arity: -3, flags: WRITE_FAST, acl: ACL_WRITE_FAST, keys: key1('RW', 'insert'), run: rpushxCommand,
    docs: { summary: 'Appends elements to a list only when it exists.', since: '2.2.0', group: GROUP, complexity: PUSH_COMPLEXITY, args: 'key element [element ...]' },
  },
  {
    name: 'lpop', arity: -2, flags: ['write', 'fast'], acl: ACL_WRITE_FAST, keys: key1('RW', 'access', 'delete'), run: lpopCommand,
    docs: { summary: 'Removes and returns the first elements of a list; deletes it when emptied.', since: '1.0.0', group: GROUP, complexity: POP_COMPLEXITY, args: 'key [count]' },
  },
  {
    name: 'rpop', arity: -2, flags: ['write', 'fast'], acl: ACL_WRITE_FAST, keys: key1('RW', 'access', 'delete'), run: rpopCommand,
    docs: { summary: 'Removes and returns the last elements of a list; deletes it when emptied.', since: '1.0.0', group: GROUP, complexity: POP_COMPLEXITY, args: 'key [count]' },
  },
  {
    name: 'llen', arity: 2, flags: ['readonly', 'fast'], acl: ['read', 'list', 'fast'], keys: key1('RO'), run: llenCommand,
    docs: { summary: 'Returns the length of a list.', since: '1.0.0', group: GROUP, complexity: 'O(1)', args: 'key' },
  },
  {
    name: 'lrange', arity: 4, flags: ['readonly'], acl: ACL_READ_SLOW, keys: key1('RO', 'access'), run: lrangeCommand,
    docs: { summary: 'Returns a range of elements from a list.', since: '1.0.0', group: GROUP, complexity: 'O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.', args: 'key start stop' },
  },
  {
    name: 'lindex', arity: 3, flags: ['readonly'], acl: ACL_READ_SLOW, keys: key1('RO', 'access'), run: lindexCommand,
    docs: { summary: 'Returns an element from a list by its index.', since: '1.0.0', group: GROUP, complexity: 'O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1).', args: 'key index' },
  },
  {
    name: 'lset', arity: 4, flags: WRITE_DENYOOM, acl: ACL_WRITE_SLOW, keys: key1('RW', 'update'), run: lsetCommand,
    docs: { summary: 'Replaces the element at an index of a list.', since: '1.0.0', group: GROUP, complexity: 'O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1).', args: 'key index element' },
  },
  {
    name: 'linsert', arity: 5, flags: WRITE_DENYOOM, acl: ACL_WRITE_SLOW, keys: key1('RW', 'insert'), run: linsertCommand,
    docs: { summary: 'Inserts an element before or after another element of a list.', since: '2.2.0', group: GROUP, complexity: 'O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N).', args: 'key <BEFORE | AFTER> pivot element' },
  },
  {
    name: 'lrem', arity: 4, flags: ['write'], acl: ACL_WRITE_SLOW, keys: key1('RW', 'delete'), run: lremCommand,
    docs: { summary: 'Removes elements equal to a value from a list; deletes it when emptied.', since: '1.0.0', group: GROUP, complexity: 'O(N+M) where N is the length of the list and M is the number of elements removed.', args: 'key count element' },
  },
  {
    name: 'ltrim', arity: 4, flags: ['write'], acl: ACL_WRITE_SLOW, keys: key1('RW', 'delete'), run: ltrimCommand,
    docs: { summary: 'Keeps only a range of elements of a list; deletes it when emptied.', since: '1.0.0', group: GROUP, complexity: 'O(N) where N is the number of elements to be removed by the operation.', args: 'key start stop' },
  },
  {
    name: 'lpos', arity: -3, flags: ['readonly'], acl: ACL_READ_SLOW, keys: key1('RO', 'access'), run: lposCommand,
    docs: { summary: 'Returns the indexes of matching elements of a list.', since: '6.0.6', group: GROUP, complexity: 'O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.', args: 'key element [RANK rank] [COUNT num-matches] [MAXLEN len]' },
  },
  {
    name: 'lmove', arity: 5, flags: WRITE_DENYOOM, acl: ACL_WRITE_SLOW, ...MOVE_KEYS, run: lmoveCommand,
    docs: { summary: 'Moves an element from one end of a list to an end of another; deletes the source when emptied.', since: '6.2.0', group: GROUP, complexity: 'O(1)', args: 'source destination <LEFT | RIGHT> <LEFT | RIGHT>' },
  },
  {
    name: 'rpoplpush', arity: 3, flags: WRITE_DENYOOM, acl: ACL_WRITE_SLOW, ...MOVE_KEYS, run: rpoplpushCommand,
    docs: { summary: 'Moves the last element of a list to the head of another (deprecated: LMOVE).', since: '1.2.0', group: GROUP, complexity: 'O(1)', args: 'source destination' },
  },
  {
    name: 'lmpop', arity: -4, flags: ['write', 'movablekeys'], acl: ACL_WRITE_SLOW, getKeys: mpopKeys(1), ...mpopSpecs(1), run: lmpopCommand,
    docs: { summary: 'Pops elements from the first non-empty list among several keys.', since: '7.0.0', group: GROUP, complexity: MPOP_COMPLEXITY, args: 'numkeys key [key ...] <LEFT | RIGHT> [COUNT count]' },
  },
  {
    name: 'blpop', arity: -3, flags: ['write', 'noscript', 'blocking'], acl: ACL_BLOCKING, keys: { first: 1, last: -2, step: 1, flags: ['RW', 'access', 'delete'] }, run: blpopCommand,
    docs: { summary: 'Pops the first element of the first non-empty list, waiting for one when all are empty.', since: '2.0.0', group: GROUP, complexity: 'O(N) where N is the number of provided keys.', args: 'key [key ...] timeout' },
  },
  {
    name: 'brpop', arity: -3, flags: ['write', 'noscript', 'blocking'], acl: ACL_BLOCKING, keys: { first: 1, last: -2, step: 1, flags: ['RW', 'access', 'delete'] }, run: brpopCommand,
    docs: { summary: 'Pops the last element of the first non-empty list, waiting for one when all are empty.', since: '2.0.0', group: GROUP, complexity: 'O(N) where N is the number of provided keys.', args: 'key [key ...] timeout' },
  },
  {
    name: 'blmove', arity: 6, flags: ['write', 'denyoom', 'noscript', 'blocking'], acl: ACL_BLOCKING, ...MOVE_KEYS, run: blmoveCommand,
    docs: { summary: 'Moves an element between lists, waiting for the source to get one when it is empty.', since: '6.2.0', group: GROUP, complexity: 'O(1)', args: 'source destination <LEFT | RIGHT> <LEFT | RIGHT> timeout' },
  },
  {
    name: 'brpoplpush', arity: 4, flags: ['write', 'denyoom', 'noscript', 'blocking'], acl: ACL_BLOCKING, ...MOVE_KEYS, run: brpoplpushCommand,
    docs: { summary: 'Moves the last element of a list to the head of another, waiting when it is empty (deprecated: BLMOVE).', since: '2.2.0', group: GROUP, complexity: 'O(1)', args: 'source destination timeout' },
  },
  {
    name: 'blmpop', arity: -5, flags: ['write', 'blocking', 'movablekeys'], acl: ACL_BLOCKING, getKeys: mpopKeys(2), ...mpopSpecs(2), run: blmpopCommand,
    docs: { summary: 'Pops elements from the first non-empty list among several keys, waiting when all are empty.', since: '7.0.0', group: GROUP, complexity: MPOP_COMPLEXITY, args: 'timeout numkeys key [key ...] <LEFT | RIGHT> [COUNT count]' },
  },
];
