/*
 * XINFO STREAM [FULL [COUNT n]], GROUPS, CONSUMERS and HELP, in Redis 7.0.15's reply shapes
 * (maps, which RESP2 shows as flat arrays). radix-tree-nodes is an estimate: Rewind has no rax.
 */
import type { CommandContext } from '../context.js';
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_NO_SUCH_KEY, RedisError, errUnknownSubcommandArity } from '../../protocol/errors.js';
import { isWord, keyOf, longArg } from '../args.js';
import { writeHelp } from '../server/help.js';
import { ID_MAX, ID_MIN, idText } from './id.js';
import { errNoSuchGroup, streamRead, writeEntry } from './common.js';
import { sortedNames, type ConsumerGroup } from './group.js';
import type { StreamValue } from './stream.js';

function existing(c: CommandContext, argv: Argv): StreamValue {
  const s = streamRead(c, keyOf(argv[2]!));
  if (s === undefined) throw new RedisError(ERR_NO_SUCH_KEY);
  return s;
}

export function xinfoConsumersCommand(c: CommandContext, argv: Argv): void {
  const s = existing(c, argv);
  const name = keyOf(argv[3]!);
  const g = s.groups.get(name);
  if (g === undefined) throw new RedisError(errNoSuchGroup(keyOf(argv[2]!), name));
  const w = c.reply;
  const now = c.now();
  const names = sortedNames(g.consumers);
  w.arrayLen(names.length);
  for (const n of names) {
    const cons = g.consumers.get(n)!;
    w.mapLen(3);
    w.bulk('name');
    w.bulk(n);
    w.bulk('pending');
    w.integer(cons.pel.size);
    w.bulk('idle');
    w.integer(Math.max(0, now - cons.seenTime));
  }
}

function writeLag(c: CommandContext, s: StreamValue, g: ConsumerGroup): void {
  c.reply.bulk('entries-read');
  if (g.entriesRead === -1) c.reply.nullBulk();
  else c.reply.integer(g.entriesRead);
  c.reply.bulk('lag');
  const lag = s.lag(g);
  if (lag === null) c.reply.nullBulk();
  else c.reply.integer(lag);
}

export function xinfoGroupsCommand(c: CommandContext, argv: Argv): void {
  const s = existing(c, argv);
  const w = c.reply;
  const names = sortedNames(s.groups);
  w.arrayLen(names.length);
  for (const n of names) {
    const g = s.groups.get(n)!;
    w.mapLen(6);
    w.bulk('name');
    w.bulk(n);
    w.bulk('consumers');
    w.integer(g.consumers.size);
    w.bulk('pending');
    w.integer(g.pelIds.size);
    w.bulk('last-delivered-id');
    w.bulk(idText(g.lastId));
    writeLag(c, s, g);
  }
}

export function xinfoStreamCommand(c: CommandContext, argv: Argv): void {
  const s = existing(c, argv);
  let full = false;
  let count = 10;
  const extra = argv.length - 3;
  if (extra > 0) {
    const syntax = (): never => {
      throw new RedisError(errUnknownSubcommandArity(argv[1]!.latin1Slice(), 'xinfo'));
    };
    if (!isWord(argv[3]!, 'FULL')) syntax();
    if (extra === 3) {
      if (!isWord(argv[4]!, 'COUNT')) syntax();
      count = Math.max(0, longArg(argv[5]!));
    } else if (extra !== 1) {
      syntax();
    }
    full = true;
  }
  const w = c.reply;
  w.mapLen(full ? 9 : 10);
  w.bulk('length');
  w.integer(s.length);
  w.bulk('radix-tree-keys');
  w.integer(s.nodes.length);
  w.bulk('radix-tree-nodes');
  w.integer(s.nodes.length + 1);
  w.bulk('last-generated-id');
  w.bulk(idText(s.lastId));
  w.bulk('max-deleted-entry-id');
  w.bulk(idText(s.maxDeletedId));
  w.bulk('entries-added');
  w.integer(s.entriesAdded);
  w.bulk('recorded-first-entry-id');
  w.bulk(idText(s.firstId));
  if (!full) {
    w.bulk('groups');
    w.integer(s.groups.size);
    for (const [label, rev] of [['first-entry', false], ['last-entry', true]] as const) {
      w.bulk(label);
      let found = false;
      s.range(ID_MIN, ID_MAX, rev, (id, fields) => {
        writeEntry(w, id, fields);
        found = true;
        return false;
      });
      if (!found) w.nullBulk();
    }
    return;
  }
  w.bulk('entries');
  const slot = w.deferLen();
  let n = 0;
  s.range(ID_MIN, ID_MAX, false, (id, fields) => {
    writeEntry(w, id, fields);
    n++;
    return count === 0 || n < count;
  });
  w.setDeferredLen(slot, 42, n);
  w.bulk('groups');
  const names = sortedNames(s.groups);
  w.arrayLen(names.length);
  for (const name of names) writeFullGroup(c, s, name, s.groups.get(name)!, count);
}

function writeFullGroup(c: CommandContext, s: StreamValue, name: string, g: ConsumerGroup, count: number): void {
  const w = c.reply;
  w.mapLen(7);
  w.bulk('name');
  w.bulk(name);
  w.bulk('last-delivered-id');
  w.bulk(idText(g.lastId));
  writeLag(c, s, g);
  w.bulk('pel-count');
  w.integer(g.pelIds.size);
  w.bulk('pending');
  const pel = g.pelIds.ids;
  const shown = count === 0 ? pel.length : Math.min(count, pel.length);
  w.arrayLen(shown);
  for (let i = 0; i < shown; i++) {
    const nack = g.pel.get(pel[i]!)!;
    w.arrayLen(4);
    w.bulk(idText(pel[i]!));
    w.bulk(nack.consumer.name);
    w.integer(nack.deliveryTime);
    w.integer(nack.deliveryCount);
  }
  w.bulk('consumers');
  const names = sortedNames(g.consumers);
  w.arrayLen(names.length);
  for (const cn of names) {
    const cons = g.consumers.get(cn)!;
    w.mapLen(4);
    w.bulk('name');
    w.bulk(cn);
    w.bulk('seen-time');
    w.integer(cons.seenTime);
    w.bulk('pel-count');
    w.integer(cons.pel.size);
    w.bulk('pending');
    const ids = cons.pel.ids;
    const k = count === 0 ? ids.length : Math.min(count, ids.length);
    w.arrayLen(k);
    for (let i = 0; i < k; i++) {
      const nack = g.pel.get(ids[i]!)!;
      w.arrayLen(3);
      w.bulk(idText(ids[i]!));
      w.integer(nack.deliveryTime);
      w.integer(nack.deliveryCount);
    }
  }
}

const XINFO_HELP = [
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
];

export function xinfoHelpCommand(c: CommandContext): void {
  writeHelp(c.reply, 'XINFO', XINFO_HELP);
}
