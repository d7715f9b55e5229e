/*
 * SPOP and SRANDMEMBER. What reaches the AOF (persistence-format.md §2.4): SPOP is logged as
 * `SREM key member`; SPOP with a count below the size as one SREM per member inside MULTI/EXEC;
 * SPOP with a count covering the whole set as `DEL key`.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_SYNTAX, RedisError } from '../../protocol/errors.js';
import { parseLong } from '../../protocol/numbers.js';
import type { CommandContext } from '../context.js';
import { keyOf } from '../args.js';
import { distinctSlots, randomCountArg } from '../hash/random-scan.js';
import { readSet } from './set-value.js';
import { NOTIFY_GENERIC, NOTIFY_SET } from '../notify.js';

export const ERR_MUST_BE_POSITIVE = 'ERR value is out of range, must be positive';

const SREM = Buffer.from('SREM');
const DEL = Buffer.from('DEL');

export function spopCommand(c: CommandContext, argv: Argv): void {
  if (argv.length > 3) throw new RedisError(ERR_SYNTAX);
  if (argv.length === 3) return spopWithCount(c, argv);
  const key = keyOf(argv[1]!);
  const s = readSet(c, key);
  if (s === undefined) return c.reply.nullBulk();
  const member = s.map.keyAt(s.map.randomSlot())!;
  s.remove(member);
  const emptied = s.size === 0;
  if (emptied) c.db.delete(key);
  c.dirty++;
  c.notify(NOTIFY_SET, 'spop', argv[1]!);
  if (emptied) c.notify(NOTIFY_GENERIC, 'del', argv[1]!);
  c.propagateAs([SREM, argv[1]!, Buffer.from(member, 'latin1')]);
  c.reply.bulk(member);
}

function spopWithCount(c: CommandContext, argv: Argv): void {
  const count = parseLong(argv[2]!);
  if (count === undefined || count < 0) throw new RedisError(ERR_MUST_BE_POSITIVE);
  const key = keyOf(argv[1]!);
  const s = readSet(c, key);
  if (s === undefined || count === 0) return c.reply.setLen(0);
  // Redis announces spop before choosing how to pop, so taking the whole set adds a del after it.
  c.notify(NOTIFY_SET, 'spop', argv[1]!);
  if (count >= s.size) {
    const all = s.ordered();
    c.db.delete(key);
    c.dirty++;
    c.notify(NOTIFY_GENERIC, 'del', argv[1]!);
    c.propagateAs([DEL, argv[1]!]);
    c.reply.setLen(all.length);
    for (let i = 0; i < all.length; i++) c.reply.bulk(all[i]!);
    return;
  }
  const map = s.map;
  const members: string[] = [];
  for (const slot of distinctSlots(map, count)) members.push(map.keyAt(slot)!);
  c.reply.setLen(members.length);
  for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    s.remove(m);
    // One SREM per member; the server wraps the records of one command in MULTI/EXEC.
    const srem = [SREM, argv[1]!, Buffer.from(m, 'latin1')];
    if (i === 0) c.propagateAs(srem);
    else c.alsoPropagate(c.dbIndex, srem);
    c.reply.bulk(m);
  }
  c.dirty += members.length;
}

export function srandmemberCommand(c: CommandContext, argv: Argv): void {
  if (argv.length > 3) throw new RedisError(ERR_SYNTAX);
  if (argv.length === 2) {
    const s = readSet(c, keyOf(argv[1]!));
    if (s === undefined) return c.reply.nullBulk();
    return c.reply.bulk(s.map.keyAt(s.map.randomSlot())!);
  }
  const l = randomCountArg(argv[2]!);
  const s = readSet(c, keyOf(argv[1]!));
  if (s === undefined || l === 0) return c.reply.arrayLen(0);
  const map = s.map;
  const reply = c.reply;
  if (l < 0) {
    reply.arrayLen(-l);
    for (let i = 0; i < -l; i++) reply.bulk(map.keyAt(map.randomSlot())!);
    return;
  }
  if (l >= s.size) {
    const all = s.ordered();
    reply.arrayLen(all.length);
    for (let i = 0; i < all.length; i++) reply.bulk(all[i]!);
    return;
  }
  const slots = distinctSlots(map, l);
  reply.arrayLen(slots.length);
  for (let i = 0; i < slots.length; i++) reply.bulk(map.keyAt(slots[i]!)!);
}
