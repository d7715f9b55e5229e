/*
 * The HYPERLOGLOG family's command table, with arity, flags, ACL categories and key specs as
 * Redis 7.0's COMMAND INFO shows them. PFCOUNT is flagged readonly like Redis's, although caching
 * the estimate rewrites the value and is propagated.
 */
import type { CommandSpec } from '../table.js';
import { indexSpec } from '../key-specs.js';
import { pfaddCommand, pfcountCommand, pfdebugCommand, pfmergeCommand, pfselftestCommand } from './pf.js';

const GROUP = 'hyperloglog';

export const HLL_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'pfadd', arity: -2, flags: ['write', 'denyoom', 'fast'], acl: ['write', 'hyperloglog', 'fast'],
    keys: { first: 1, last: 1, step: 1, flags: ['RW', 'insert'] }, run: pfaddCommand,
    docs: { summary: 'Adds elements to a HyperLogLog, creating the key when missing.', since: '2.8.9', group: GROUP, complexity: 'O(1) to add every element.', args: 'key [element [element ...]]' },
  },
  {
    name: 'pfcount', arity: -2, flags: ['readonly'], acl: ['read', 'hyperloglog', 'slow'],
    keys: { first: 1, last: -1, step: 1, flags: ['RW', 'access'], notes: 'RW because it may change the internal representation of the key, and propagate to replicas' },
    run: pfcountCommand,
    docs: {
      summary: 'Returns the approximated cardinality of one HyperLogLog or of the union of several.', since: '2.8.9', group: GROUP,
      complexity: 'O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.',
      args: 'key [key ...]',
    },
  },
  {
    name: 'pfmerge', arity: -2, flags: ['write', 'denyoom'], acl: ['write', 'hyperloglog', 'slow'],
    keys: { first: 1, last: -1, step: 1 },
    keySpecs: [indexSpec(1, ['RW', 'access', 'insert']), indexSpec(2, ['RO', 'access'], -1)], run: pfmergeCommand,
    docs: { summary: 'Merges HyperLogLogs into a destination key.', since: '2.8.9', group: GROUP, complexity: 'O(N) to merge N HyperLogLogs, but with high constant times.', args: 'destkey [sourcekey [sourcekey ...]]' },
  },
  {
    name: 'pfdebug', arity: 3, flags: ['write', 'denyoom', 'admin'], acl: ['write', 'hyperloglog', 'admin', 'slow', 'dangerous'],
    keys: { first: 2, last: 2, step: 1, flags: ['RW', 'access'] }, run: pfdebugCommand,
    docs: { summary: 'Internal commands for debugging HyperLogLog values.', since: '2.8.9', group: GROUP, complexity: 'N/A', args: 'subcommand key' },
  },
  {
    name: 'pfselftest', arity: 1, flags: ['admin'], acl: ['hyperloglog', 'admin', 'slow', 'dangerous'], run: pfselftestCommand,
    docs: { summary: 'An internal command for testing HyperLogLog values.', since: '2.8.9', group: GROUP, complexity: 'N/A' },
  },
];
