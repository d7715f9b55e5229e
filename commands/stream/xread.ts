/*
 * XREAD and XREADGROUP, blocking included.
 *
 * Blocking: the server re-runs the same argv when a key is ready (CommandContext.blockOnKeys), so
 * `$` must keep meaning "the last ID when the client blocked", not the last ID at the retry. The
 * IDs resolved before blocking live in DOLLAR_IDS, keyed by client id, read on retry and dropped
 * once the client is served or times out. (An entry left by a client that disconnected while
 * blocked is pruned at the next block.) `>` needs nothing: it always means the group's last ID.
 *
 * Propagation as Redis 7.0: XREADGROUP itself is never logged; each delivered entry is logged as
 * an idempotent XCLAIM ... TIME RETRYCOUNT FORCE JUSTID LASTID, and under NOACK the group's new
 * position as XGROUP SETID ... ENTRIESREAD, preceded by XGROUP CREATECONSUMER when that read
 * created the consumer (with acks, the XCLAIMs create it on replay).
 */
import type { CommandContext } from '../context.js';
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_SYNTAX, ERR_TIMEOUT_NEGATIVE, RedisError } from '../../protocol/errors.js';
import { isWord, keyOf, longArg } from '../args.js';
import { NOTIFY_STREAM } from '../notify.js';
import { ID_MAX, ID_MIN, idBuffer, parseId, type StreamId } from './id.js';
import { streamRead, writeEntry } from './common.js';
import type { ConsumerGroup, Consumer } from './group.js';
import type { StreamValue } from './stream.js';

const DOLLAR_IDS = new Map<number, StreamId[]>();
const PRUNE_AT = 64;

const XCLAIM = Buffer.from('XCLAIM');
const XGROUP = Buffer.from('XGROUP');
const SETID = Buffer.from('SETID');
const CREATECONSUMER = Buffer.from('CREATECONSUMER');
const ENTRIESREAD = Buffer.from('ENTRIESREAD');
const ZERO = Buffer.from('0');
const TIME = Buffer.from('TIME');
const RETRYCOUNT = Buffer.from('RETRYCOUNT');
const FORCE = Buffer.from('FORCE');
const JUSTID = Buffer.from('JUSTID');
const LASTID = Buffer.from('LASTID');

/** Collects the commands one XREADGROUP logs in place of itself. */
export class GroupLog {
  readonly cmds: Buffer[][] = [];

  /** `id` as the client wrote it (XCLAIM logs its argument) or as generated. */
  xclaim(key: Buffer, group: Buffer, consumer: string, id: Buffer, time: number, count: number, lastId: StreamId): void {
    this.cmds.push([
      XCLAIM, key, group, Buffer.from(consumer, 'latin1'), ZERO, id, TIME, Buffer.from(String(time)),
      RETRYCOUNT, Buffer.from(String(count)), FORCE, JUSTID, LASTID, idBuffer(lastId),
    ]);
  }

  /** Set when a NOACK read created its consumer: the SETID it logs is preceded by the creation. */
  newConsumer = false;

  setId(key: Buffer, group: Buffer, g: ConsumerGroup, consumer = ''): void {
    if (this.newConsumer) this.cmds.push([XGROUP, CREATECONSUMER, key, group, Buffer.from(consumer, 'latin1')]);
    this.newConsumer = false;
    this.cmds.push([XGROUP, SETID, key, group, idBuffer(g.lastId), ENTRIESREAD, Buffer.from(String(g.entriesRead))]);
  }

  /** Hands the commands to the context (first replaces the command itself). */
  flush(c: CommandContext): void {
    if (this.cmds.length === 0) return;
    c.dirty++;
    c.propagateAs(this.cmds[0]!);
    for (let i = 1; i < this.cmds.length; i++) c.alsoPropagate(c.dbIndex, this.cmds[i]!);
  }
}

interface ReadArgs {
  timeout: number;
  count: number;
  streamsArg: number;
  streams: number;
  noack: boolean;
  group: Buffer | null;
  consumer: Buffer | null;
}

function parseReadArgs(argv: Argv, xreadgroup: boolean, fromScript: boolean): ReadArgs {
  const a: ReadArgs = { timeout: -1, count: 0, streamsArg: 0, streams: 0, noack: false, group: null, consumer: null };
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const o = argv[i]!;
    if (isWord(o, 'BLOCK') && more > 0) {
      // Redis refuses BLOCK from scripts outright (MULTI instead answers as if timed out).
      if (fromScript) throw new RedisError(`ERR ${argv[0]!.toString('latin1')} command is not allowed with BLOCK option from scripts`);
      i++;
      a.timeout = longArg(argv[i]!, 'ERR timeout is not an integer or out of range');
      if (a.timeout < 0) throw new RedisError(ERR_TIMEOUT_NEGATIVE);
    } else if (isWord(o, 'COUNT') && more > 0) {
      i++;
      a.count = Math.max(0, longArg(argv[i]!));
    } else if (isWord(o, 'STREAMS') && more > 0) {
      a.streamsArg = i + 1;
      const n = argv.length - a.streamsArg;
      if (n % 2 !== 0) {
        const name = xreadgroup ? 'xreadgroup' : 'xread';
        const symbol = xreadgroup ? '>' : '$';
        throw new RedisError(`ERR Unbalanced '${name}' list of streams: for each stream key an ID or '${symbol}' must be specified.`);
      }
      a.streams = n / 2;
      break;
    } else if (isWord(o, 'GROUP') && more >= 2) {
      if (!xreadgroup) throw new RedisError('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
      a.group = argv[i + 1]!;
      a.consumer = argv[i + 2]!;
      i += 2;
    } else if (isWord(o, 'NOACK')) {
      if (!xreadgroup) throw new RedisError('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
      a.noack = true;
    } else {
      throw new RedisError(ERR_SYNTAX);
    }
  }
  if (a.streamsArg === 0) throw new RedisError(ERR_SYNTAX);
  if (xreadgroup && a.group === null) throw new RedisError('ERR Missing GROUP option for XREADGROUP');
  return a;
}

function isSymbol(b: Buffer, ch: number): boolean {
  return b.length === 1 && b[0] === ch;
}

export function xreadCommand(c: CommandContext, argv: Argv): void {
  xreadGeneric(c, argv, false);
}

export function xreadgroupCommand(c: CommandContext, argv: Argv): void {
  xreadGeneric(c, argv, true);
}

function xreadGeneric(c: CommandContext, argv: Argv, xreadgroup: boolean): void {
  const a = parseReadArgs(argv, xreadgroup, c.fromScript);
  const groupName = a.group === null ? '' : keyOf(a.group);
  const remembered = c.isRetry ? DOLLAR_IDS.get(c.id) : undefined;
  const ids: StreamId[] = [];
  const groups: (ConsumerGroup | null)[] = [];
  for (let k = 0; k < a.streams; k++) {
    const keyArg = argv[a.streamsArg + k]!;
    const idArg = argv[a.streamsArg + a.streams + k]!;
    const key = keyOf(keyArg);
    // Redis looks the keys up for reading, in XREADGROUP too (a miss publishes `keymiss`); serving
    // a blocked client, it looks up without counting or publishing.
    const s = streamRead(c, key, !c.isRetry);
    if (a.group !== null) {
      const g = s?.groups.get(groupName);
      if (g === undefined) {
        if (c.isRetry) {
          DOLLAR_IDS.delete(c.id);
          throw new RedisError(s === undefined
            ? 'UNBLOCKED the stream key no longer exists'
            : 'NOGROUP the consumer group this client was blocked on no longer exists');
        }
        throw new RedisError(`NOGROUP No such key '${key}' or consumer group '${groupName}' in XREADGROUP with GROUP option`);
      }
      groups.push(g);
    }
    if (isSymbol(idArg, 0x24)) {
      if (xreadgroup) {
        throw new RedisError('ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.');
      }
      ids.push(remembered?.[k] ?? (s === undefined ? ID_MIN : s.lastId));
    } else if (isSymbol(idArg, 0x3e)) {
      if (!xreadgroup) throw new RedisError('ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
      ids.push(ID_MAX);
    } else {
      ids.push(parseId(idArg));
    }
  }

  const w = c.reply;
  const log = new GroupLog();
  let createdFor: Buffer[] | null = null;
  let served = 0;
  let slot = -1;
  const now = c.now();
  for (let k = 0; k < a.streams; k++) {
    const keyArg = argv[a.streamsArg + k]!;
    const s = streamRead(c, keyOf(keyArg), !c.isRetry);
    if (s === undefined) continue;
    let gt = ids[k]!;
    let sync = false;
    let history = false;
    const g = a.group === null ? null : groups[k]!;
    if (g !== null) {
      if (gt !== ID_MAX) {
        sync = true;
        history = true;
      } else if (s.length > 0 && s.lastValidId() > g.lastId) {
        sync = true;
        gt = g.lastId;
      }
    } else if (s.length > 0 && s.lastValidId() > gt) {
      sync = true;
    }
    if (!sync) continue;
    if (served === 0) slot = w.deferLen();
    served++;
    if (w.resp === 2) w.arrayLen(2);
    w.bulk(keyArg);
    let consumer: Consumer | null = null;
    if (g !== null) {
      // Redis 7.0 creates the consumer only for a stream it serves: a read that finds nothing, or
      // blocks, creates none until it is served. Replayed XCLAIMs create it; only NOACK, which
      // logs no XCLAIM, logs the creation (and only when something is delivered).
      let created: boolean;
      [consumer, created] = g.consumer(keyOf(a.consumer!), now);
      if (created) (createdFor ??= []).push(keyArg);
      log.newConsumer = a.noack && created;
    }
    // gt + 1 cannot overflow: gt is below an existing entry's ID, or a history read from there.
    const start = gt === ID_MAX ? gt : gt + 1n;
    if (g === null) writeRange(c, s, start, a.count);
    else if (history) writeHistory(c, s, g, consumer!, start, a.count);
    else writeGroupRange(c, s, keyArg, a.group!, g, consumer!, start, a.count, a.noack, log);
  }
  if (served > 0) {
    w.setDeferredLen(slot, w.resp === 2 ? 42 : 37, served);
    // Redis publishes each creation inside the reply; after it, every other subscriber sees the
    // same order, and a subscriber on this connection gets no push in the middle of an array.
    if (createdFor !== null) for (const k of createdFor) c.notify(NOTIFY_STREAM, 'xgroup-createconsumer', k);
    DOLLAR_IDS.delete(c.id);
    log.flush(c);
    return;
  }
  log.flush(c);
  if (a.timeout === -1) {
    DOLLAR_IDS.delete(c.id);
    return w.nullArray();
  }
  if (!c.isRetry) {
    if (DOLLAR_IDS.size >= PRUNE_AT) {
      for (const id of DOLLAR_IDS.keys()) if (c.server.clientById(id) === undefined) DOLLAR_IDS.delete(id);
    }
    if (!xreadgroup) DOLLAR_IDS.set(c.id, ids);
  }
  const keys: string[] = [];
  for (let k = 0; k < a.streams; k++) keys.push(keyOf(argv[a.streamsArg + k]!));
  const id = c.id;
  c.blockOnKeys(keys, a.timeout, (reply) => {
    DOLLAR_IDS.delete(id);
    reply.nullArray();
  });
}

function writeRange(c: CommandContext, s: StreamValue, start: StreamId, count: number): void {
  const w = c.reply;
  const slot = w.deferLen();
  let n = 0;
  s.range(start, ID_MAX, false, (id, fields) => {
    writeEntry(w, id, fields);
    n++;
    return count === 0 || n < count;
  });
  w.setDeferredLen(slot, 42, n);
}

/** A consumer's own pending entries from start: deleted entries show with a null body. */
function writeHistory(c: CommandContext, s: StreamValue, g: ConsumerGroup, consumer: Consumer, start: StreamId, count: number): void {
  const w = c.reply;
  const pel = consumer.pel.ids;
  const from = consumer.pel.lowerBound(start);
  const end = count === 0 ? pel.length : Math.min(pel.length, from + count);
  w.arrayLen(end - from);
  for (let i = from; i < end; i++) {
    const id = pel[i]!;
    const fields = s.get(id);
    writeEntry(w, id, fields);
    if (fields !== undefined) {
      const nack = g.pel.get(id)!;
      nack.deliveryTime = c.now();
      nack.deliveryCount++;
    }
  }
}

/** New entries for a group (`>`): advances the group, fills the PELs, logs XCLAIMs. */
export function writeGroupRange(
  c: CommandContext, s: StreamValue, keyArg: Buffer, groupArg: Buffer, g: ConsumerGroup, consumer: Consumer,
  start: StreamId, count: number, noack: boolean, log: GroupLog,
): void {
  const w = c.reply;
  const slot = w.deferLen();
  const now = c.now();
  let n = 0;
  s.range(start, ID_MAX, false, (id, fields) => {
    if (id > g.lastId) {
      if (g.entriesRead !== -1 && !s.hasTombstonesFrom(id)) g.entriesRead++;
      else if (s.entriesAdded > 0) g.entriesRead = s.estimateEntriesRead(id);
      g.lastId = id;
    }
    writeEntry(w, id, fields);
    if (!noack) {
      const nack = g.addPending(id, consumer, now, 1);
      log.xclaim(keyArg, groupArg, consumer.name, idBuffer(id), nack.deliveryTime, nack.deliveryCount, g.lastId);
    }
    consumer.activeTime = now;
    n++;
    return count === 0 || n < count;
  });
  w.setDeferredLen(slot, 42, n);
  // With acks, each XCLAIM's LASTID carries the group's position; NOACK logs it once (7.0).
  if (n > 0 && noack) log.setId(keyArg, groupArg, g, consumer.name);
  log.newConsumer = false;
}
