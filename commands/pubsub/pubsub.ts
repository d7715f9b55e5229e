/*
 * Pub/sub command handlers: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB's
 * subcommands. The subscriptions live in the server (server/pubsub.ts); these handlers parse and
 * reply in Redis 7.0's shapes. PUBLISH changes no key, so it sets no dirty count and never
 * reaches the AOF (Redis 7.0 propagates it to replicas only).
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { errUnknownSubcommandArity } from '../../protocol/errors.js';
import type { CommandContext, PubSubKind } from '../context.js';
import { writeHelp } from '../server/help.js';

function names(argv: Argv): Buffer[] {
  return argv.slice(1) as Buffer[];
}

const subscribeTo = (kind: PubSubKind) => (c: CommandContext, argv: Argv): void => c.subscribe(kind, names(argv));
const unsubscribeFrom = (kind: PubSubKind) => (c: CommandContext, argv: Argv): void => c.unsubscribe(kind, names(argv));

export const subscribeCommand = subscribeTo('channel');
export const psubscribeCommand = subscribeTo('pattern');
export const ssubscribeCommand = subscribeTo('shard');
export const unsubscribeCommand = unsubscribeFrom('channel');
export const punsubscribeCommand = unsubscribeFrom('pattern');
export const sunsubscribeCommand = unsubscribeFrom('shard');

export function publishCommand(c: CommandContext, argv: Argv): void {
  c.reply.integer(c.server.pubsub.publish('channel', argv[1]!, argv[2]!));
}

export function spublishCommand(c: CommandContext, argv: Argv): void {
  c.reply.integer(c.server.pubsub.publish('shard', argv[1]!, argv[2]!));
}

/** PUBSUB CHANNELS / SHARDCHANNELS [pattern]. */
function channelsGeneric(c: CommandContext, argv: Argv, kind: 'channel' | 'shard'): void {
  if (argv.length > 3) return c.reply.error(errUnknownSubcommandArity(argv[1]!.latin1Slice(0, argv[1]!.length), 'pubsub'));
  const pattern = argv.length === 3 ? argv[2]!.latin1Slice(0, argv[2]!.length) : null;
  c.reply.bulkArray(c.server.pubsub.channels(kind, pattern));
}

/** PUBSUB NUMSUB / SHARDNUMSUB [channel ...]: channel, count pairs in a flat array. */
function numsubGeneric(c: CommandContext, argv: Argv, kind: 'channel' | 'shard'): void {
  const w = c.reply;
  w.arrayLen((argv.length - 2) * 2);
  for (let i = 2; i < argv.length; i++) {
    const ch = argv[i]!;
    w.bulk(ch);
    w.integer(c.server.pubsub.subscribers(kind, ch.latin1Slice(0, ch.length)));
  }
}

export const pubsubChannelsCommand = (c: CommandContext, argv: Argv): void => channelsGeneric(c, argv, 'channel');
export const pubsubShardChannelsCommand = (c: CommandContext, argv: Argv): void => channelsGeneric(c, argv, 'shard');
export const pubsubNumsubCommand = (c: CommandContext, argv: Argv): void => numsubGeneric(c, argv, 'channel');
export const pubsubShardNumsubCommand = (c: CommandContext, argv: Argv): void => numsubGeneric(c, argv, 'shard');

export function pubsubNumpatCommand(c: CommandContext, _argv: Argv): void {
  c.reply.integer(c.server.pubsub.patternCount);
}

export function pubsubHelpCommand(c: CommandContext, _argv: Argv): void {
  writeHelp(c.reply, 'PUBSUB', [
    'CHANNELS [<pattern>]',
    "    Return the currently active channels matching a <pattern> (default: '*').",
    'NUMPAT',
    '    Return number of subscriptions to patterns.',
    'NUMSUB [<channel> ...]',
    '    Return the number of subscribers for the specified channels, excluding',
    '    pattern subscriptions(default: no channels).',
    'SHARDCHANNELS [<pattern>]',
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    'SHARDNUMSUB [<shardchannel> ...]',
    '    Return the number of subscribers for the specified shard level channel(s)',
  ]);
}
