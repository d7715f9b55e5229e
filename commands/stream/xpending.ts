/*
 * Pending entries: XPENDING (summary and extended form), XCLAIM and XAUTOCLAIM (Redis 7.0 reply
 * with the list of deleted IDs it dropped from the PEL). Claims are logged as Redis 7.0 logs
 * them: one idempotent XCLAIM ... FORCE JUSTID LASTID per claimed (or dropped) entry, plus XGROUP
 * SETID when only XCLAIM's LASTID moved the group.
 */
import type { CommandContext } from '../context.js';
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_SYNTAX, ERR_WRONGTYPE, RedisError } from '../../protocol/errors.js';
import { parseLong } from '../../protocol/numbers.js';
import { isWord, keyOf, longArg } from '../args.js';
import { NOTIFY_STREAM } from '../notify.js';
import { ID_MAX, ID_MIN, idBuffer, idText, parseIdFull, parseIntervalId, U64_MAX, type StreamId } from './id.js';
import { groupOf, streamRead, writeEntry } from './common.js';
import { sortedNames, type Consumer, type Nack } from './group.js';
import { GroupLog } from './xread.js';
import { StreamValue } from './stream.js';

/** An `(`-exclusive or inclusive interval bound, as XPENDING/XAUTOCLAIM read it. */
function boundArg(buf: Buffer, isStart: boolean): StreamId {
  const b = parseIntervalId(buf, isStart ? 0n : U64_MAX);
  if (!b.exclusive) return b.id;
  if (isStart) {
    if (b.id === ID_MAX) throw new RedisError('ERR invalid start ID for the interval');
    return b.id + 1n;
  }
  if (b.id === ID_MIN) throw new RedisError('ERR invalid end ID for the interval');
  return b.id - 1n;
}

export function xpendingCommand(c: CommandContext, argv: Argv): void {
  const summary = argv.length === 3;
  if (argv.length !== 3 && (argv.length < 6 || argv.length > 9)) throw new RedisError(ERR_SYNTAX);
  let minIdle = 0;
  let count = 0;
  let start = ID_MIN;
  let end = ID_MAX;
  let consumerName: string | null = null;
  if (argv.length >= 6) {
    let at = 3;
    if (isWord(argv[3]!, 'IDLE')) {
      minIdle = longArg(argv[4]!);
      if (argv.length < 8) throw new RedisError(ERR_SYNTAX);
      at += 2;
    }
    count = Math.max(0, longArg(argv[at + 2]!));
    start = boundArg(argv[at]!, true);
    end = boundArg(argv[at + 1]!, false);
    if (at + 3 < argv.length) consumerName = keyOf(argv[at + 3]!);
  }
  const key = keyOf(argv[1]!);
  const g = groupOf(streamRead(c, key), key, keyOf(argv[2]!));
  const w = c.reply;
  if (summary) {
    w.arrayLen(4);
    const ids = g.pelIds.ids;
    w.integer(ids.length);
    if (ids.length === 0) {
      w.nullBulk();
      w.nullBulk();
      w.nullArray();
      return;
    }
    w.bulk(idText(ids[0]!));
    w.bulk(idText(ids[ids.length - 1]!));
    const names = sortedNames(g.consumers).filter((n) => g.consumers.get(n)!.pel.size > 0);
    w.arrayLen(names.length);
    for (const n of names) {
      w.arrayLen(2);
      w.bulk(n);
      w.bulk(String(g.consumers.get(n)!.pel.size));
    }
    return;
  }
  let list = g.pelIds;
  if (consumerName !== null) {
    const cons = g.consumers.get(consumerName);
    if (cons === undefined) return w.arrayLen(0);
    list = cons.pel;
  }
  const now = c.now();
  const slot = w.deferLen();
  let n = 0;
  for (let i = list.lowerBound(start); count > 0 && i < list.ids.length; i++) {
    const id = list.ids[i]!;
    if (id > end) break;
    const nack = g.pel.get(id)!;
    if (minIdle !== 0 && now - nack.deliveryTime < minIdle) continue;
    n++;
    count--;
    w.arrayLen(4);
    w.bulk(idText(id));
    w.bulk(nack.consumer.name);
    w.integer(Math.max(0, now - nack.deliveryTime));
    w.integer(nack.deliveryCount);
  }
  w.setDeferredLen(slot, 42, n);
}

/** Moves a NACK (already in the group PEL) to consumer. */
function takeOver(id: StreamId, nack: Nack, consumer: Consumer): void {
  if (nack.consumer === consumer) return;
  nack.consumer.pel.remove(id);
  consumer.pel.add(id);
  nack.consumer = consumer;
}

interface ClaimOptions {
  retryCount: number;
  deliveryTime: number;
  force: boolean;
  justId: boolean;
}

export function xclaimCommand(c: CommandContext, argv: Argv): void {
  const key = keyOf(argv[1]!);
  const s = streamRead(c, key, true);
  const g = groupOf(s, key, keyOf(argv[2]!));
  const stream = s!;
  const minIdle = Math.max(0, longArg(argv[4]!, 'ERR Invalid min-idle-time argument for XCLAIM'));
  const ids: StreamId[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    let id: StreamId;
    try {
      id = parseIdFull(argv[j]!, true, 0n).id;
    } catch {
      break;
    }
    ids.push(id);
  }
  const now = c.now();
  const o: ClaimOptions = { retryCount: -1, deliveryTime: -1, force: false, justId: false };
  let propagateLastId = false;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j]!;
    if (isWord(opt, 'FORCE')) o.force = true;
    else if (isWord(opt, 'JUSTID')) o.justId = true;
    else if (isWord(opt, 'IDLE') && more > 0) {
      o.deliveryTime = now - longArg(argv[++j]!, 'ERR Invalid IDLE option argument for XCLAIM');
    } else if (isWord(opt, 'TIME') && more > 0) {
      o.deliveryTime = longArg(argv[++j]!, 'ERR Invalid TIME option argument for XCLAIM');
    } else if (isWord(opt, 'RETRYCOUNT') && more > 0) {
      o.retryCount = longArg(argv[++j]!, 'ERR Invalid RETRYCOUNT option argument for XCLAIM');
    } else if (isWord(opt, 'LASTID') && more > 0) {
      const id = parseIdFull(argv[++j]!, true, 0n).id;
      // Redis moves the group while parsing (only its own replicated form sends LASTID).
      if (id > g.lastId) {
        g.lastId = id;
        propagateLastId = true;
      }
    } else {
      throw new RedisError(`ERR Unrecognized XCLAIM option '${opt.latin1Slice()}'`);
    }
  }
  if (o.deliveryTime < 0 || o.deliveryTime > now) o.deliveryTime = now;
  const groupArg = argv[2]!;
  const consumerName = keyOf(argv[3]!);
  const log = new GroupLog();
  const w = c.reply;
  const slot = w.deferLen();
  let n = 0;
  let consumer: Consumer | null = null;
  let created = false;
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k]!;
    const idArg = argv[5 + k]!;
    let nack = g.pel.get(id);
    const fields = stream.get(id);
    if (fields === undefined) {
      if (nack !== undefined) {
        log.xclaim(argv[1]!, groupArg, nack.consumer.name, idArg, nack.deliveryTime, nack.deliveryCount, g.lastId);
        propagateLastId = false;
        g.ack(id);
      }
      continue;
    }
    if (nack !== undefined && minIdle !== 0 && now - nack.deliveryTime < minIdle) continue;
    if (nack === undefined && !o.force) continue;
    if (consumer === null) [consumer, created] = g.consumer(consumerName, now);
    if (nack === undefined) nack = g.addPending(id, consumer, o.deliveryTime, 1);
    else {
      takeOver(id, nack, consumer);
      nack.deliveryTime = o.deliveryTime;
    }
    if (o.retryCount >= 0) nack.deliveryCount = o.retryCount;
    else if (!o.justId) nack.deliveryCount++;
    if (o.justId) w.bulk(idText(id));
    else writeEntry(w, id, fields);
    n++;
    consumer.activeTime = now;
    log.xclaim(argv[1]!, groupArg, consumer.name, idArg, nack.deliveryTime, nack.deliveryCount, g.lastId);
    propagateLastId = false;
  }
  if (propagateLastId) log.setId(argv[1]!, groupArg, g);
  w.setDeferredLen(slot, 42, n);
  // Redis publishes when the first entry is claimed, inside its reply; after the reply is the same
  // for other subscribers and keeps a push out of the middle of this connection's array.
  if (created) c.notify(NOTIFY_STREAM, 'xgroup-createconsumer', argv[1]!);
  log.flush(c);
}

export function xautoclaimCommand(c: CommandContext, argv: Argv): void {
  // Redis looks the key up for reading before parsing (a miss publishes `keymiss` even when the
  // arguments are then refused) but checks its type after.
  const key = keyOf(argv[1]!);
  const found = c.db.lookupRead(key);
  const minIdle = Math.max(0, longArg(argv[4]!, 'ERR Invalid min-idle-time argument for XAUTOCLAIM'));
  const start = boundArg(argv[5]!, true);
  let count = 100;
  let justId = false;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (isWord(argv[j]!, 'COUNT') && more > 0) {
      const v = parseLong(argv[j + 1]!);
      // Redis's bound: LONG_MAX / max(sizeof(streamID), attempts factor 10).
      if (v === undefined || v < 1 || BigInt(v) > 576460752303423487n) throw new RedisError('ERR COUNT must be > 0');
      count = v;
      j++;
    } else if (isWord(argv[j]!, 'JUSTID')) {
      justId = true;
    } else {
      throw new RedisError(ERR_SYNTAX);
    }
  }
  if (found !== undefined && !(found instanceof StreamValue)) throw new RedisError(ERR_WRONGTYPE);
  const s = found;
  const g = groupOf(s, key, keyOf(argv[2]!));
  const stream = s!;
  const now = c.now();
  const log = new GroupLog();
  const deleted: StreamId[] = [];
  const claimed: [StreamId, string[]][] = [];
  let attempts = count * 10;
  let consumer: Consumer | null = null;
  let created = false;
  const pel = g.pelIds;
  let i = pel.lowerBound(start);
  while (attempts-- > 0 && count > 0 && i < pel.ids.length) {
    const id = pel.ids[i]!;
    const nack = g.pel.get(id)!;
    const fields = stream.get(id);
    if (fields === undefined) {
      log.xclaim(argv[1]!, argv[2]!, nack.consumer.name, idBuffer(id), nack.deliveryTime, nack.deliveryCount, g.lastId);
      g.ack(id);
      deleted.push(id);
      count--;
      continue;
    }
    i++;
    if (minIdle !== 0 && now - nack.deliveryTime < minIdle) continue;
    if (consumer === null) [consumer, created] = g.consumer(keyOf(argv[3]!), now);
    takeOver(id, nack, consumer);
    nack.deliveryTime = now;
    if (!justId) nack.deliveryCount++;
    claimed.push([id, fields]);
    count--;
    consumer.activeTime = now;
    log.xclaim(argv[1]!, argv[2]!, consumer.name, idBuffer(id), nack.deliveryTime, nack.deliveryCount, g.lastId);
  }
  const w = c.reply;
  w.arrayLen(3);
  w.bulk(idText(i < pel.ids.length ? pel.ids[i]! : ID_MIN));
  w.arrayLen(claimed.length);
  for (const [id, fields] of claimed) {
    if (justId) w.bulk(idText(id));
    else writeEntry(w, id, fields);
  }
  w.arrayLen(deleted.length);
  for (const id of deleted) w.bulk(idText(id));
  // Published when the reply is complete, as XCLAIM does (Redis publishes inside the reply).
  if (created) c.notify(NOTIFY_STREAM, 'xgroup-createconsumer', argv[1]!);
  log.flush(c);
}
