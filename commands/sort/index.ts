/*
 * SORT and SORT_RO: arity, flags, ACL categories and key positions as Redis 7.0's COMMAND INFO
 * shows them. Both are movablekeys: the sorted key is always argv[1]; BY/GET patterns name keys
 * only through the elements, so they are not reported; SORT's STORE destination (the last one
 * given, as SORT itself uses) is.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { isWord } from '../args.js';
import type { CommandSpec } from '../table.js';
import { sortCommand, sortRoCommand } from './sort.js';

const COMPLEXITY = 'O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).';

/** Keys of SORT as Redis's sortGetKeys finds them: argv[1], then the last STORE destination. */
function sortKeys(argv: Argv): number[] {
  const keys = [1];
  let store = -1;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (isWord(a, 'LIMIT')) i += 2;
    else if (isWord(a, 'GET') || isWord(a, 'BY')) i += 1;
    else if (isWord(a, 'STORE') && i + 1 < argv.length) store = i + 1;
  }
  if (store >= 0) keys.push(store);
  return keys;
}

export const SORT_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'sort', arity: -2, flags: ['write', 'denyoom', 'movablekeys'],
    acl: ['write', 'set', 'sortedset', 'list', 'slow', 'dangerous'],
    keys: { first: 1, last: 1, step: 1, flags: ['RO', 'access'] }, getKeys: sortKeys, run: sortCommand,
    docs: {
      summary: 'Sorts the elements of a list, set or sorted set, optionally storing the result.', since: '1.0.0', group: 'generic', complexity: COMPLEXITY,
      args: 'key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC] [ALPHA] [STORE destination]',
    },
  },
  {
    name: 'sort_ro', arity: -2, flags: ['readonly', 'movablekeys'],
    acl: ['read', 'set', 'sortedset', 'list', 'slow', 'dangerous'],
    keys: { first: 1, last: 1, step: 1, flags: ['RO', 'access'] }, getKeys: () => [1], run: sortRoCommand,
    docs: {
      summary: 'Sorts the elements of a list, set or sorted set (the read-only SORT).', since: '7.0.0', group: 'generic', complexity: COMPLEXITY,
      args: 'key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | DESC] [ALPHA]',
    },
  },
];
