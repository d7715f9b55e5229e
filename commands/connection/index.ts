import type { CommandSpec } from '../table.js';
import { echoCommand, pingCommand } from './ping-echo.js';
import {
  authCommand, helloCommand, quitCommand, resetCommand, selectCommand,
} from './hello-auth.js';

const AUTH_FLAGS = ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'sentinel', 'allow_busy'] as const;

export const CONNECTION_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'ping', arity: -1, flags: ['fast', 'sentinel'], acl: ['fast', 'connection'], run: pingCommand,
    tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
    docs: { summary: 'Checks that the server answers; returns PONG or the given message.', since: '1.0.0', group: 'connection', complexity: 'O(1)', args: '[message]' },
  },
  {
    name: 'echo', arity: 2, flags: ['loading', 'stale', 'fast'], acl: ['fast', 'connection'], run: echoCommand,
    docs: { summary: 'Returns the given string.', since: '1.0.0', group: 'connection', complexity: 'O(1)', args: 'message' },
  },
  {
    name: 'hello', arity: -1, flags: AUTH_FLAGS, acl: ['fast', 'connection'], run: helloCommand,
    docs: { summary: 'Negotiates the protocol version, optionally authenticating and naming the connection.', since: '6.0.0', group: 'connection', complexity: 'O(1)', args: '[protover [AUTH username password] [SETNAME clientname]]' },
  },
  {
    name: 'auth', arity: -2, flags: AUTH_FLAGS, acl: ['fast', 'connection'], run: authCommand,
    docs: { summary: 'Authenticates the connection.', since: '1.0.0', group: 'connection', complexity: 'O(N) where N is the number of passwords defined for the user', args: '[username] password' },
  },
  {
    name: 'select', arity: 2, flags: ['loading', 'stale', 'fast'], acl: ['fast', 'connection'], run: selectCommand,
    docs: { summary: 'Switches the connection to another database.', since: '1.0.0', group: 'connection', complexity: 'O(1)', args: 'index' },
  },
  {
    name: 'quit', arity: -1, flags: ['allow_busy', 'noscript', 'loading', 'stale', 'fast', 'no_auth'], acl: ['fast', 'connection'], run: quitCommand,
    docs: { summary: 'Closes the connection after the reply.', since: '1.0.0', group: 'connection', complexity: 'O(1)' },
  },
  {
    name: 'reset', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], acl: ['fast', 'connection'], run: resetCommand,
    docs: { summary: 'Returns the connection to its initial state.', since: '6.2.0', group: 'connection', complexity: 'O(1)' },
  },
];
