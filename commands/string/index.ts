import type { CommandSpec } from '../table.js';
import { getCommand, setCommand } from './get-set.js';

const KEY1 = { first: 1, last: 1, step: 1 } as const;

export const STRING_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'get', arity: 2, flags: ['readonly', 'fast'], acl: ['read', 'string', 'fast'], keys: KEY1, run: getCommand,
    docs: { summary: 'Returns the string value of a key.', since: '1.0.0', group: 'string', complexity: 'O(1)', args: 'key' },
  },
  {
    name: 'set', arity: -3, flags: ['write', 'denyoom'], acl: ['write', 'string', 'slow'], keys: KEY1, run: setCommand,
    docs: { summary: 'Sets the string value of a key, with optional expiry and conditions.', since: '1.0.0', group: 'string', complexity: 'O(1)', args: 'key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]' },
  },
];
