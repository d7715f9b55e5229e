/*
 * XGROUP (CREATE SETID DESTROY CREATECONSUMER DELCONSUMER HELP) and XACK, in Redis 7.0's order
 * of checks: CREATE's options, then the key, then the group, then the subcommand's own arguments.
 * DESTROY readies the key so XREADGROUP clients blocked on the group get their -NOGROUP.
 */
import { NOTIFY_STREAM } from '../notify.js';
import type { CommandContext } from '../context.js';
import type { Argv } from '../../protocol/resp-parser.js';
import { RedisError, errUnknownSubcommandArity } from '../../protocol/errors.js';
import { isWord, keyOf, longArg } from '../args.js';
import { writeHelp } from '../server/help.js';
import { ID_MIN, parseId, type StreamId } from './id.js';
import { ERR_NO_KEY_GROUP, errNoSuchGroup, streamRead } from './common.js';
import { ConsumerGroup, ENTRIES_READ_INVALID } from './group.js';
import { StreamValue } from './stream.js';

const ERR_ENTRIES_READ = 'ERR value for ENTRIESREAD must be positive or -1';

function entriesReadArg(buf: Buffer): number {
  const n = longArg(buf);
  if (n < 0 && n !== ENTRIES_READ_INVALID) throw new RedisError(ERR_ENTRIES_READ);
  return n;
}

/** The existing stream for XGROUP, or throws Redis's "requires the key" error. */
function existing(c: CommandContext, argv: Argv): StreamValue {
  const s = streamRead(c, keyOf(argv[2]!));
  if (s === undefined) throw new RedisError(ERR_NO_KEY_GROUP);
  return s;
}

function existingGroup(c: CommandContext, argv: Argv): [StreamValue, ConsumerGroup] {
  const s = existing(c, argv);
  const name = keyOf(argv[3]!);
  const g = s.groups.get(name);
  if (g === undefined) throw new RedisError(errNoSuchGroup(keyOf(argv[2]!), name));
  return [s, g];
}

function isDollar(b: Buffer): boolean {
  return b.length === 1 && b[0] === 0x24;
}

export function xgroupCreateCommand(c: CommandContext, argv: Argv): void {
  let mkstream = false;
  let entriesRead = ENTRIES_READ_INVALID;
  for (let i = 5; i < argv.length;) {
    if (isWord(argv[i]!, 'MKSTREAM')) {
      mkstream = true;
      i++;
    } else if (isWord(argv[i]!, 'ENTRIESREAD') && i + 1 < argv.length) {
      entriesRead = entriesReadArg(argv[i + 1]!);
      i += 2;
    } else {
      throw new RedisError(errUnknownSubcommandArity(argv[1]!.latin1Slice(), 'xgroup'));
    }
  }
  const key = keyOf(argv[2]!);
  let s = streamRead(c, key);
  if (s === undefined && !mkstream) throw new RedisError(ERR_NO_KEY_GROUP);
  if (argv.length > 8) throw new RedisError(errUnknownSubcommandArity(argv[1]!.latin1Slice(), 'xgroup'));
  let id: StreamId;
  if (isDollar(argv[4]!)) id = s === undefined ? ID_MIN : s.lastId;
  else id = parseId(argv[4]!);
  const name = keyOf(argv[3]!);
  if (s === undefined) {
    s = new StreamValue();
    c.db.set(key, s);
    c.dirty++;
  }
  if (s.groups.has(name)) throw new RedisError('BUSYGROUP Consumer Group name already exists');
  s.groups.set(name, new ConsumerGroup(id, entriesRead));
  c.dirty++;
  // MKSTREAM's creation has no event of its own in Redis 7.0.
  c.notify(NOTIFY_STREAM, 'xgroup-create', argv[2]!);
  c.reply.ok();
}

export function xgroupSetidCommand(c: CommandContext, argv: Argv): void {
  const [s, g] = existingGroup(c, argv);
  if (argv.length !== 5 && argv.length !== 7) throw new RedisError(errUnknownSubcommandArity(argv[1]!.latin1Slice(), 'xgroup'));
  const id = isDollar(argv[4]!) ? s.lastId : parseId(argv[4]!, false);
  let entriesRead = ENTRIES_READ_INVALID;
  if (argv.length === 7) {
    if (!isWord(argv[5]!, 'ENTRIESREAD')) throw new RedisError(errUnknownSubcommandArity(argv[1]!.latin1Slice(), 'xgroup'));
    entriesRead = entriesReadArg(argv[6]!);
  }
  g.lastId = id;
  g.entriesRead = entriesRead;
  c.dirty++;
  c.notify(NOTIFY_STREAM, 'xgroup-setid', argv[2]!);
  c.reply.ok();
}

export function xgroupDestroyCommand(c: CommandContext, argv: Argv): void {
  const s = existing(c, argv);
  const key = keyOf(argv[2]!);
  if (!s.groups.delete(keyOf(argv[3]!))) return c.reply.integer(0);
  c.dirty++;
  c.notify(NOTIFY_STREAM, 'xgroup-destroy', argv[2]!);
  c.reply.integer(1);
  c.signalKeyAsReady(key);
}

export function xgroupCreateconsumerCommand(c: CommandContext, argv: Argv): void {
  const [, g] = existingGroup(c, argv);
  const [, created] = g.consumer(keyOf(argv[4]!), c.now(), false);
  if (created) {
    c.dirty++;
    c.notify(NOTIFY_STREAM, 'xgroup-createconsumer', argv[2]!);
  }
  c.reply.integer(created ? 1 : 0);
}

export function xgroupDelconsumerCommand(c: CommandContext, argv: Argv): void {
  const [, g] = existingGroup(c, argv);
  // Redis notifies only when the consumer existed.
  const existed = g.consumers.has(keyOf(argv[4]!));
  const pending = g.deleteConsumer(keyOf(argv[4]!));
  c.dirty++;
  if (existed) c.notify(NOTIFY_STREAM, 'xgroup-delconsumer', argv[2]!);
  c.reply.integer(pending);
}

const XGROUP_HELP = [
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
];

export function xgroupHelpCommand(c: CommandContext): void {
  writeHelp(c.reply, 'XGROUP', XGROUP_HELP);
}

export function xackCommand(c: CommandContext, argv: Argv): void {
  const s = streamRead(c, keyOf(argv[1]!), true);
  const g = s?.groups.get(keyOf(argv[2]!));
  if (g === undefined) return c.reply.integer(0);
  const ids: StreamId[] = [];
  for (let j = 3; j < argv.length; j++) ids.push(parseId(argv[j]!));
  let acked = 0;
  for (const id of ids) if (g.ack(id)) acked++;
  c.dirty += acked;
  c.reply.integer(acked);
}
