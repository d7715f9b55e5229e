/*
 * The pub/sub family's table. Flags are Redis 7.0's (COMMAND INFO of 7.0.15); summaries are our
 * own words. SSUBSCRIBE, SUNSUBSCRIBE and SPUBLISH name their shard channels in a not_key key
 * spec, as Redis does for cluster routing; they are never keys of the keyspace.
 */
import type { CommandFlag, CommandSpec, Handler } from '../table.js';
import { indexSpec } from '../key-specs.js';
import {
  psubscribeCommand, publishCommand, pubsubChannelsCommand, pubsubHelpCommand, pubsubNumpatCommand,
  pubsubNumsubCommand, pubsubShardChannelsCommand, pubsubShardNumsubCommand, punsubscribeCommand,
  spublishCommand, ssubscribeCommand, subscribeCommand, sunsubscribeCommand, unsubscribeCommand,
} from './pubsub.js';

const SUB_FLAGS: CommandFlag[] = ['pubsub', 'noscript', 'loading', 'stale'];
const PUB_FLAGS: CommandFlag[] = ['pubsub', 'loading', 'stale', 'fast'];
const SLOW = ['pubsub', 'slow'];

function sub(name: string, arity: number, run: Handler, summary: string, since: string, args: string, complexity: string, shard = false): CommandSpec {
  return {
    name, arity, flags: SUB_FLAGS, acl: SLOW, run,
    ...(shard ? { keys: { first: 1, last: -1, step: 1 }, keySpecs: [indexSpec(1, ['not_key'], -1)] } : {}),
    docs: { summary, since, group: 'pubsub', complexity, args },
  };
}

function pubsubSub(name: string, arity: number, run: Handler, summary: string, since: string, args?: string): CommandSpec {
  return {
    name: `pubsub|${name}`, arity, run,
    flags: name === 'help' ? ['loading', 'stale'] : ['pubsub', 'loading', 'stale'],
    acl: name === 'help' ? ['slow'] : SLOW,
    docs: { summary, since, group: 'pubsub', complexity: 'O(N)', ...(args === undefined ? {} : { args }) },
  };
}

export const PUBSUB_COMMANDS: readonly CommandSpec[] = [
  sub('subscribe', -2, subscribeCommand, 'Listens for messages published to channels.', '2.0.0', 'channel [channel ...]', 'O(N) where N is the number of channels to subscribe to.'),
  sub('unsubscribe', -1, unsubscribeCommand, 'Stops listening to channels (all of them when none is named).', '2.0.0', '[channel [channel ...]]', 'O(N) where N is the number of channels to unsubscribe.'),
  sub('psubscribe', -2, psubscribeCommand, 'Listens for messages published to channels matching glob patterns.', '2.0.0', 'pattern [pattern ...]', 'O(N) where N is the number of patterns to subscribe to.'),
  sub('punsubscribe', -1, punsubscribeCommand, 'Stops listening to patterns (all of them when none is named).', '2.0.0', '[pattern [pattern ...]]', 'O(N) where N is the number of patterns to unsubscribe.'),
  sub('ssubscribe', -2, ssubscribeCommand, 'Listens for messages published to shard channels.', '7.0.0', 'shardchannel [shardchannel ...]', 'O(N) where N is the number of shard channels to subscribe to.', true),
  sub('sunsubscribe', -1, sunsubscribeCommand, 'Stops listening to shard channels (all of them when none is named).', '7.0.0', '[shardchannel [shardchannel ...]]', 'O(N) where N is the number of shard channels to unsubscribe.', true),
  {
    name: 'publish', arity: 3, flags: PUB_FLAGS, acl: ['pubsub', 'fast'], run: publishCommand,
    docs: { summary: 'Posts a message to a channel; returns how many subscribers received it.', since: '2.0.0', group: 'pubsub', complexity: 'O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).', args: 'channel message' },
  },
  {
    name: 'spublish', arity: 3, flags: PUB_FLAGS, acl: ['pubsub', 'fast'], run: spublishCommand,
    keys: { first: 1, last: 1, step: 1 }, keySpecs: [indexSpec(1, ['not_key'])],
    docs: { summary: 'Posts a message to a shard channel; returns how many subscribers received it.', since: '7.0.0', group: 'pubsub', complexity: 'O(N) where N is the number of clients subscribed to the receiving shard channel.', args: 'shardchannel message' },
  },
  {
    name: 'pubsub', arity: -2, flags: [], acl: ['slow'],
    docs: { summary: 'A container for pub/sub introspection commands.', since: '2.8.0', group: 'pubsub', complexity: 'Depends on subcommand.' },
    subcommands: [
      pubsubSub('channels', -2, pubsubChannelsCommand, 'Lists the channels that have subscribers.', '2.8.0', '[pattern]'),
      pubsubSub('numsub', -2, pubsubNumsubCommand, 'Counts the subscribers of channels.', '2.8.0', '[channel [channel ...]]'),
      pubsubSub('numpat', 2, pubsubNumpatCommand, 'Counts the patterns that have subscribers.', '2.8.0'),
      pubsubSub('shardchannels', -2, pubsubShardChannelsCommand, 'Lists the shard channels that have subscribers.', '7.0.0', '[pattern]'),
      pubsubSub('shardnumsub', -2, pubsubShardNumsubCommand, 'Counts the subscribers of shard channels.', '7.0.0', '[shardchannel [shardchannel ...]]'),
      pubsubSub('help', 2, pubsubHelpCommand, 'Describes the PUBSUB subcommands.', '6.2.0'),
    ],
  },
];
