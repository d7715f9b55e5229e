import type { CommandSpec } from '../table.js';
import { echoCommand, pingCommand } from './ping-echo.js';

export const CONNECTION_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'ping', arity: -1, flags: ['fast', 'sentinel'], acl: ['fast', 'connection'], run: pingCommand,
    docs: { summary: 'Checks that the server answers; returns PONG or the given message.', since: '1.0.0', group: 'connection', complexity: 'O(1)', args: '[message]' },
  },
  {
    name: 'echo', arity: 2, flags: ['fast'], acl: ['fast', 'connection'], run: echoCommand,
    docs: { summary: 'Returns the given string.', since: '1.0.0', group: 'connection', complexity: 'O(1)', args: 'message' },
  },
];
