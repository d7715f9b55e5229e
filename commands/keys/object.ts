/*
 * OBJECT ENCODING | REFCOUNT | IDLETIME | FREQ | HELP. Lookups never refresh the access time
 * (Redis uses LOOKUP_NOTOUCH), and a missing key answers nil before any policy check.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { RedisError } from '../../protocol/errors.js';
import type { CommandContext } from '../context.js';
import { keyOf } from '../args.js';
import { encodingOf, refcountOf } from '../keyspace/encoding.js';
import { ERR_FREQ_NOT_LFU, ERR_IDLETIME_LFU } from './errors.js';

/** OBJECT HELP, line for line as redis-server 7.0.15 replies it (clients print it verbatim). */
const OBJECT_HELP: readonly string[] = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
];

function isLfuPolicy(c: CommandContext): boolean {
  return c.server.config.get('maxmemory-policy').endsWith('-lfu');
}

export function objectHelpCommand(c: CommandContext): void {
  c.reply.arrayLen(OBJECT_HELP.length);
  for (const line of OBJECT_HELP) c.reply.simple(line);
}

export function objectEncodingCommand(c: CommandContext, argv: Argv): void {
  const v = c.db.peek(keyOf(argv[2]!));
  if (v === undefined) return c.reply.nullBulk();
  c.reply.bulk(encodingOf(v));
}

export function objectRefcountCommand(c: CommandContext, argv: Argv): void {
  const v = c.db.peek(keyOf(argv[2]!));
  if (v === undefined) return c.reply.nullBulk();
  const config = c.server.config;
  // Redis stops sharing integers when an LRU/LFU policy needs a clock per object.
  const policy = config.get('maxmemory-policy');
  const perObjectClock = config.get('maxmemory') !== '0' && (policy.endsWith('-lru') || policy.endsWith('-lfu'));
  c.reply.integer(refcountOf(v, !perObjectClock));
}

export function objectIdletimeCommand(c: CommandContext, argv: Argv): void {
  const key = keyOf(argv[2]!);
  if (c.db.peek(key) === undefined) return c.reply.nullBulk();
  if (isLfuPolicy(c)) throw new RedisError(ERR_IDLETIME_LFU);
  c.reply.integer(c.db.idleSeconds(key));
}

/** The key's LFU counter, kept by the Db while an *-lfu maxmemory-policy is active. */
export function objectFreqCommand(c: CommandContext, argv: Argv): void {
  const key = keyOf(argv[2]!);
  if (c.db.peek(key) === undefined) return c.reply.nullBulk();
  const freq = c.db.frequency(key);
  if (!isLfuPolicy(c) || freq === undefined) throw new RedisError(ERR_FREQ_NOT_LFU);
  c.reply.integer(freq);
}
