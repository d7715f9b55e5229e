/*
 * Writes to a stream's entries: XADD XTRIM XDEL XSETID, and XLEN.
 *
 * Logged as Redis 7.0 logs them: XADD with the generated ID in place of `*`/`ms-*`, and an
 * approximate trim (`~`, maybe with LIMIT) rewritten to `=` with the resulting limit (the length
 * for MAXLEN, the first entry's ID for MINID), so replay trims exactly what happened here.
 */
import type { CommandContext } from '../context.js';
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_NO_SUCH_KEY, ERR_SYNTAX, RedisError, errWrongArity } from '../../protocol/errors.js';
import { isWord, keyOf, longArg, valueOf } from '../args.js';
import { ID_MAX, ID_MIN, idBuffer, idMs, idSeq, makeId, parseId, parseIdFull, U64_MAX, type StreamId } from './id.js';
import { ERR_EXHAUSTED, ERR_XADD_SMALLER, ERR_XADD_ZERO, nodeLimits, streamRead } from './common.js';
import { StreamValue } from './stream.js';
import { NOTIFY_STREAM } from '../notify.js';

const EQ = Buffer.from('=');

interface TrimArgs {
  strategy: 'none' | 'maxlen' | 'minid';
  maxlen: number;
  minid: StreamId;
  approx: boolean;
  limit: number;
  /** argv index of the MAXLEN/MINID value (its `~`/`=` is just before it when given). */
  argIndex: number;
  /** XADD only. */
  noMkStream: boolean;
  idGiven: boolean;
  seqGiven: boolean;
  id: StreamId;
}

/**
 * Redis 7.0's streamParseAddOrTrimArgsOrReply. Returns the index where XADD's ID is (or the
 * argument count for XTRIM); throws on bad options.
 */

/**
 * After MAXLEN or MINID: refuses a second strategy, reads an optional `=` or `~`, and returns the
 * index just before the threshold argument.
 */
function readTrimOperator(a: TrimArgs, argv: Argv, i: number, more: number): number {
  if (a.strategy !== 'none') throw new RedisError('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
  a.approx = false;
  const next = argv[i + 1]!;
  if (more >= 2 && next.length === 1 && (next[0] === 0x7e || next[0] === 0x3d)) {
    a.approx = next[0] === 0x7e;
    return i + 1;
  }
  return i;
}

function parseAddOrTrimArgs(argv: Argv, xadd: boolean, a: TrimArgs): number {
  let limitGiven = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const opt = argv[i]!;
    if (xadd && opt.length === 1 && opt[0] === 0x2a) break;
    if (isWord(opt, 'MAXLEN') && more > 0) {
      i = readTrimOperator(a, argv, i, more);
      a.maxlen = longArg(argv[i + 1]!);
      if (a.maxlen < 0) throw new RedisError('ERR The MAXLEN argument must be >= 0.');
      i++;
      a.strategy = 'maxlen';
      a.argIndex = i;
    } else if (isWord(opt, 'MINID') && more > 0) {
      i = readTrimOperator(a, argv, i, more);
      a.minid = parseId(argv[i + 1]!);
      i++;
      a.strategy = 'minid';
      a.argIndex = i;
    } else if (isWord(opt, 'LIMIT') && more > 0) {
      a.limit = longArg(argv[i + 1]!);
      if (a.limit < 0) throw new RedisError('ERR The LIMIT argument must be >= 0.');
      limitGiven = true;
      i++;
    } else if (xadd && isWord(opt, 'NOMKSTREAM')) {
      a.noMkStream = true;
    } else if (xadd) {
      const p = parseIdFull(opt, true, 0n, true);
      a.id = p.id;
      a.seqGiven = p.seqGiven;
      a.idGiven = true;
      break;
    } else {
      throw new RedisError(ERR_SYNTAX);
    }
  }
  if (a.limit !== 0 && a.strategy === 'none') {
    throw new RedisError('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
  }
  if (!xadd && a.strategy === 'none') throw new RedisError('ERR syntax error, XTRIM must be called with a trimming strategy');
  if (limitGiven) {
    if (!a.approx) throw new RedisError('ERR syntax error, LIMIT cannot be used without the special ~ option');
  } else if (a.approx) {
    // Redis: 100 * stream-node-max-entries, clamped to (0, 10000]; filled in by the caller.
    a.limit = -1;
  } else {
    a.limit = 0;
  }
  return i;
}

function newTrimArgs(): TrimArgs {
  return {
    strategy: 'none', maxlen: 0, minid: ID_MIN, approx: false, limit: 0, argIndex: 0,
    noMkStream: false, idGiven: false, seqGiven: true, id: ID_MIN,
  };
}

function defaultLimit(c: CommandContext, a: TrimArgs): void {
  if (a.limit !== -1) return;
  const l = 100 * nodeLimits(c).maxEntries;
  a.limit = l <= 0 || l > 10000 ? 10000 : l;
}

function trimStream(s: StreamValue, a: TrimArgs): number {
  if (a.strategy === 'none') return 0;
  return s.trim(a.strategy === 'maxlen' ? a.maxlen : null, a.minid, a.approx, a.limit);
}

/** The rewritten trim arguments for the log (`=` and the limit now in effect). */
function rewriteApproxTrim(out: Buffer[], s: StreamValue, a: TrimArgs): void {
  out[a.argIndex - 1] = EQ;
  if (a.strategy === 'maxlen') out[a.argIndex] = Buffer.from(String(s.length));
  else out[a.argIndex] = idBuffer(s.length === 0 ? ID_MAX : s.firstId);
}

export function xaddCommand(c: CommandContext, argv: Argv): void {
  const a = newTrimArgs();
  const i = parseAddOrTrimArgs(argv, true, a);
  const fieldPos = i + 1;
  const nfields = argv.length - fieldPos;
  if (nfields < 2 || nfields % 2 === 1) throw new RedisError(errWrongArity('xadd'));
  if (a.idGiven && a.seqGiven && a.id === ID_MIN) throw new RedisError(ERR_XADD_ZERO);
  defaultLimit(c, a);
  const key = keyOf(argv[1]!);
  let s = streamRead(c, key);
  if (s === undefined && a.noMkStream) return c.reply.nullBulk();
  const created = s === undefined;
  s ??= new StreamValue();
  if (s.lastId === ID_MAX) throw new RedisError(ERR_EXHAUSTED);
  let id: StreamId;
  if (!a.idGiven) {
    const ms = BigInt(c.now());
    const lastMs = idMs(s.lastId);
    id = ms > lastMs ? makeId(ms, 0n) : s.lastId + 1n;
  } else if (a.seqGiven) {
    id = a.id;
  } else {
    const ms = idMs(a.id);
    if (ms === idMs(s.lastId)) {
      // Redis 7.0 leaves errno unset on this path and so reports it as the size error.
      if (idSeq(s.lastId) === U64_MAX) throw new RedisError('ERR Elements are too large to be stored');
      id = s.lastId + 1n;
    } else {
      id = makeId(ms, 0n);
    }
  }
  if (id <= s.lastId) throw new RedisError(ERR_XADD_SMALLER);
  const fields: string[] = new Array<string>(nfields);
  for (let k = 0; k < nfields; k++) fields[k] = valueOf(argv[fieldPos + k]!);
  s.append(id, fields, nodeLimits(c));
  if (created) c.db.set(key, s);
  c.dirty++;
  // Redis replies first, then publishes xadd and, when trimming removed entries, xtrim.
  c.reply.bulk(idBuffer(id));
  c.notify(NOTIFY_STREAM, 'xadd', argv[1]!);
  if (a.strategy !== 'none' && trimStream(s, a) > 0) c.notify(NOTIFY_STREAM, 'xtrim', argv[1]!);
  const rewriteId = !a.idGiven || !a.seqGiven;
  if (a.approx || rewriteId) {
    const out = argv.slice();
    if (a.approx) rewriteApproxTrim(out, s, a);
    if (rewriteId) out[i] = idBuffer(id);
    c.propagateAs(out);
  }
  if (!created) c.signalKeyAsReady(key);
}

export function xtrimCommand(c: CommandContext, argv: Argv): void {
  const s = streamRead(c, keyOf(argv[1]!));
  if (s === undefined) return c.reply.integer(0);
  const a = newTrimArgs();
  parseAddOrTrimArgs(argv, false, a);
  defaultLimit(c, a);
  const deleted = trimStream(s, a);
  if (deleted > 0) {
    if (a.approx) {
      const out = argv.slice();
      rewriteApproxTrim(out, s, a);
      c.propagateAs(out);
    }
    c.dirty += deleted;
    c.notify(NOTIFY_STREAM, 'xtrim', argv[1]!);
  }
  c.reply.integer(deleted);
}

export function xdelCommand(c: CommandContext, argv: Argv): void {
  const key = keyOf(argv[1]!);
  const s = streamRead(c, key);
  if (s === undefined) return c.reply.integer(0);
  const ids: StreamId[] = [];
  for (let j = 2; j < argv.length; j++) ids.push(parseId(argv[j]!));
  let deleted = 0;
  for (const id of ids) if (s.delete(id)) deleted++;
  c.dirty += deleted;
  if (deleted > 0) c.notify(NOTIFY_STREAM, 'xdel', argv[1]!);
  c.reply.integer(deleted);
}

export function xlenCommand(c: CommandContext, argv: Argv): void {
  const s = streamRead(c, keyOf(argv[1]!));
  c.reply.integer(s === undefined ? 0 : s.length);
}

export function xsetidCommand(c: CommandContext, argv: Argv): void {
  const id = parseId(argv[2]!);
  let entriesAdded = -1;
  let maxDeleted = ID_MIN;
  for (let i = 3; i < argv.length; i += 2) {
    const more = argv.length - 1 - i;
    if (isWord(argv[i]!, 'ENTRIESADDED') && more > 0) {
      entriesAdded = longArg(argv[i + 1]!);
      if (entriesAdded < 0) throw new RedisError('ERR entries_added must be positive');
    } else if (isWord(argv[i]!, 'MAXDELETEDID') && more > 0) {
      maxDeleted = parseId(argv[i + 1]!);
      if (id < maxDeleted) throw new RedisError('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
    } else {
      throw new RedisError(ERR_SYNTAX);
    }
  }
  const s = streamRead(c, keyOf(argv[1]!));
  if (s === undefined) throw new RedisError(ERR_NO_SUCH_KEY);
  if (id < s.maxDeletedId) throw new RedisError('ERR The ID specified in XSETID is smaller than current max_deleted_entry_id');
  if (s.length > 0) {
    if (id < s.lastValidId()) throw new RedisError('ERR The ID specified in XSETID is smaller than the target stream top item');
    if (entriesAdded !== -1 && s.length > entriesAdded) {
      throw new RedisError('ERR The entries_added specified in XSETID is smaller than the target stream length');
    }
  }
  s.lastId = id;
  if (entriesAdded !== -1) s.entriesAdded = entriesAdded;
  if (maxDeleted !== ID_MIN) s.maxDeletedId = maxDeleted;
  c.dirty++;
  c.notify(NOTIFY_STREAM, 'xsetid', argv[1]!);
  c.reply.ok();
}
