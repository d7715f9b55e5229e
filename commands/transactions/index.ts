/*
 * Transaction commands (Redis's "transactions" group): flags, ACL categories and key specs as
 * Redis 7.0.15's COMMAND INFO shows them.
 */
import type { CommandFlag, CommandSpec } from '../table.js';
import { discardCommand, execCommand, multiCommand } from './multi-exec.js';
import { unwatchCommand, watchCommand } from './watch.js';

const GROUP = 'transactions';
const FAST: readonly CommandFlag[] = ['noscript', 'loading', 'stale', 'fast', 'allow_busy'];
const ACL_FAST = ['fast', 'transaction'];

export const TRANSACTION_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'multi', arity: 1, flags: FAST, acl: ACL_FAST, run: multiCommand,
    docs: { summary: 'Starts a transaction: later commands are queued until EXEC.', since: '1.2.0', group: GROUP, complexity: 'O(1)' },
  },
  {
    name: 'exec', arity: 1, flags: ['noscript', 'loading', 'stale', 'skip_slowlog'], acl: ['slow', 'transaction'], run: execCommand,
    docs: { summary: 'Runs the commands queued since MULTI, unless a watched key changed.', since: '1.2.0', group: GROUP, complexity: 'Depends on commands in the transaction' },
  },
  {
    name: 'discard', arity: 1, flags: FAST, acl: ACL_FAST, run: discardCommand,
    docs: { summary: 'Drops the commands queued since MULTI and ends the transaction.', since: '2.0.0', group: GROUP, complexity: 'O(N), when N is the number of queued commands' },
  },
  {
    // Neither read nor write, but Redis gives WATCH a key spec (RO), so COMMAND GETKEYS finds its keys.
    name: 'watch', arity: -2, flags: FAST, acl: ACL_FAST, keys: { first: 1, last: -1, step: 1, flags: ['RO'] }, run: watchCommand,
    docs: { summary: 'Watches keys: the next EXEC fails if any of them changes first.', since: '2.2.0', group: GROUP, complexity: 'O(1) for every key.', args: 'key [key ...]' },
  },
  {
    name: 'unwatch', arity: 1, flags: FAST, acl: ACL_FAST, run: unwatchCommand,
    docs: { summary: 'Forgets every key watched by this connection.', since: '2.2.0', group: GROUP, complexity: 'O(1)' },
  },
];
