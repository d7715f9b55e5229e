/*
 * SORT and SORT_RO: arity, flags, ACL categories and key specs as Redis 7.0's COMMAND INFO
 * shows them. Both are movablekeys: the sorted key is always argv[1]; BY/GET patterns name keys
 * only through the elements, so they are not reported (an unknown spec says so); SORT's STORE
 * destination (the last one given, as SORT itself uses) is, found by Redis's sortGetKeys.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import type { CommandSpec } from '../table.js';
import { indexSpec, sortGetKeysProc, sortRoGetKeysProc, unknownSpec } from '../key-specs.js';
import { sortCommand, sortRoCommand } from './sort.js';

const COMPLEXITY = 'O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).';

/** Keys of SORT as Redis's sortGetKeys finds them: argv[1], then the last STORE destination. */
function sortKeys(argv: Argv): number[] {
  return sortGetKeysProc(argv).map((k) => k.index);
}

const SORTED_KEY = indexSpec(1, ['RO', 'access']);
const BY_GET_KEYS = unknownSpec(['RO', 'access'], "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort");
const STORE_KEY = unknownSpec(['OW', 'update'], "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array");

export const SORT_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'sort', arity: -2, flags: ['write', 'denyoom', 'movablekeys'],
    acl: ['write', 'set', 'sortedset', 'list', 'slow', 'dangerous'],
    keys: { first: 1, last: 1, step: 1 }, getKeys: sortKeys,
    keySpecs: [SORTED_KEY, BY_GET_KEYS, STORE_KEY], getKeysProc: sortGetKeysProc, run: sortCommand,
    docs: {
      summary: 'Sorts the elements of a list, set or sorted set, optionally storing the result.', since: '1.0.0', group: 'generic', complexity: COMPLEXITY,
      args: 'key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC] [ALPHA] [STORE destination]',
    },
  },
  {
    name: 'sort_ro', arity: -2, flags: ['readonly', 'movablekeys'],
    acl: ['read', 'set', 'sortedset', 'list', 'slow', 'dangerous'],
    keys: { first: 1, last: 1, step: 1 }, getKeys: () => [1],
    keySpecs: [SORTED_KEY, BY_GET_KEYS], getKeysProc: sortRoGetKeysProc, run: sortRoCommand,
    docs: {
      summary: 'Sorts the elements of a list, set or sorted set (the read-only SORT).', since: '7.0.0', group: 'generic', complexity: COMPLEXITY,
      args: 'key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC] [ALPHA]',
    },
  },
];
