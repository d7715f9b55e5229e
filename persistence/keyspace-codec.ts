/*
 * Keyspace values <-> neutral RDB values (rdb-types.ts): what a snapshot writer, the RDB/AOF-base
 * loader and DUMP/RESTORE convert through.
 *
 * toRdbValue copies a stored value into Buffers (latin1 strings are one byte per char, so nothing
 * is lost) and names its in-memory encoding as a hint, so the writer can lay it out as Redis 7.0
 * does for that encoding (rdb-value-writer.ts). fromRdbValue builds the keyspace object directly,
 * choosing the encoding Redis 7.2 (whose encodings the value classes follow) re-chooses when it
 * loads a key, from the server's thresholds (EncodingLimits), not from the file's type byte:
 *   hash  listpack iff at most hash-max-listpack-entries fields and no field or value longer
 *         than hash-max-listpack-value; else hashtable
 *   set   more than set-max-intset-entries members: hashtable; all members canonical int64:
 *         intset; at most set-max-listpack-entries members none longer than
 *         set-max-listpack-value: listpack (a leading run of integers in sorted order, as the
 *         intset it started as); else hashtable
 *   zset  listpack iff at most zset-max-listpack-entries members none longer than
 *         zset-max-listpack-value; else skiplist
 *   list  listpack while it fits one list-max-listpack-size node, else quicklist
 *   stream  re-split into nodes by stream-node-max-bytes/-entries; metadata kept as in the file
 * (Redis keeps a listpack read from a type 16/17 file even when a value is over the byte limit; we
 * cannot see the file's type here, so such a value becomes a hashtable/skiplist. Files written with
 * the same thresholds are unaffected.)
 * Invariants: fromRdbValue refuses what Redis's rdbLoadObject refuses: an empty collection, a
 * duplicate member/field, a NaN score, a malformed stream (RdbValueError). Pure conversion: no
 * I/O, nothing survives a crash.
 */
import { HashValue } from '../commands/hash/hash-value.js';
import type { Value } from '../commands/keyspace/value.js';
import { ListValue } from '../commands/list/value.js';
import { HASHTABLE, INTSET, LISTPACK, SetValue } from '../commands/set/set-value.js';
import { StreamValue } from '../commands/stream/stream.js';
import { parseIntValue } from '../commands/string/incr.js';
import { ZsetValue } from '../commands/zset/value.js';
import type { Db } from '../commands/keyspace/db.js';
import type { RdbEntry, RdbValue } from './rdb-types.js';
import type { HintedValue } from './rdb-value-writer.js';
import { RdbValueError } from './keyspace-error.js';
import { streamFromRdb, streamToRdb } from './keyspace-stream.js';

export { RdbValueError };

/** The encoding thresholds of the server that receives loaded values (Redis's config names). */
export interface EncodingLimits {
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  setMaxIntsetEntries: number;
  /** Redis 7.2; 0 makes every non-intset set a hashtable, as 7.0 has no listpack sets. */
  setMaxListpackEntries: number;
  setMaxListpackValue: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
  /** list-max-listpack-size: < 0 a node byte limit (-2 = 8 KB), > 0 an element count. */
  listMaxListpackSize: number;
  streamNodeMaxBytes: number;
  streamNodeMaxEntries: number;
}

/** Redis's defaults. */
export const DEFAULT_ENCODING_LIMITS: Readonly<EncodingLimits> = {
  hashMaxListpackEntries: 512,
  hashMaxListpackValue: 64,
  setMaxIntsetEntries: 512,
  setMaxListpackEntries: 128,
  setMaxListpackValue: 64,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
  listMaxListpackSize: -2,
  streamNodeMaxBytes: 4096,
  streamNodeMaxEntries: 100,
};

/** The limits as a config (CONFIG GET names) currently sets them. */
export function encodingLimits(config: { get(name: string): string }): EncodingLimits {
  const n = (name: string): number => Number(config.get(name));
  return {
    hashMaxListpackEntries: n('hash-max-listpack-entries'),
    hashMaxListpackValue: n('hash-max-listpack-value'),
    setMaxIntsetEntries: n('set-max-intset-entries'),
    setMaxListpackEntries: n('set-max-listpack-entries'),
    setMaxListpackValue: n('set-max-listpack-value'),
    zsetMaxListpackEntries: n('zset-max-listpack-entries'),
    zsetMaxListpackValue: n('zset-max-listpack-value'),
    listMaxListpackSize: n('list-max-listpack-size'),
    streamNodeMaxBytes: n('stream-node-max-bytes'),
    streamNodeMaxEntries: n('stream-node-max-entries'),
  };
}

/** Redis caps set-max-intset-entries at 2^30 when loading. */
const INTSET_CAP = 1 << 30;

function latin1(b: Buffer): string {
  return b.latin1Slice(0, b.length);
}

function bytes(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

/**
 * The neutral form of a stored value, with its in-memory encoding as a hint. Buffers are fresh
 * copies, so the result stays valid whatever happens to the keyspace afterwards.
 */
export function toRdbValue(v: Value): HintedValue {
  if (typeof v === 'string') return { type: 'string', value: bytes(v) };
  if (v instanceof HashValue) {
    const map = v.map;
    const fields: [Buffer, Buffer][] = [];
    for (let slot = 0, n = map.slotCount; slot < n; slot++) {
      const f = map.keyAt(slot);
      if (f !== null) fields.push([bytes(f), bytes(map.valueAt(slot))]);
    }
    return { type: 'hash', fields, encoding: v.listpack ? 'listpack' : 'hashtable' };
  }
  if (v instanceof SetValue) {
    const map = v.map;
    const members: Buffer[] = [];
    for (let slot = 0, n = map.slotCount; slot < n; slot++) {
      const m = map.keyAt(slot);
      if (m !== null) members.push(bytes(m));
    }
    return { type: 'set', members, encoding: v.enc === INTSET ? 'intset' : v.enc === LISTPACK ? 'listpack' : 'hashtable' };
  }
  if (v instanceof ZsetValue) {
    const members: [Buffer, number][] = new Array<[Buffer, number]>(v.size);
    let i = 0;
    for (const [m, score] of v.entries()) members[i++] = [bytes(m), score];
    return { type: 'zset', members, encoding: v.isListpack ? 'listpack' : 'skiplist' };
  }
  if (v instanceof ListValue) {
    const items: Buffer[] = new Array<Buffer>(v.length);
    v.forEach((s, index) => {
      items[index] = bytes(s);
      return true;
    });
    return { type: 'list', items, encoding: v.encoding() === 'listpack' ? 'listpack' : 'quicklist' };
  }
  if (v instanceof StreamValue) return streamToRdb(v);
  throw new Error(`no RDB form for a ${v.type} value of class ${v.constructor.name}`);
}

/**
 * Builds the keyspace value for `v` in the encoding Redis re-chooses after loading under
 * `limits`. Buffers in `v` are not kept. Throws RdbValueError for data Redis refuses to load.
 */
export function fromRdbValue(v: RdbValue, limits: EncodingLimits): Value {
  switch (v.type) {
    case 'string':
      return latin1(v.value);
    case 'list':
      return listFrom(v.items, limits);
    case 'hash':
      return hashFrom(v.fields, limits);
    case 'set':
      return setFrom(v.members, limits);
    case 'zset':
      return zsetFrom(v.members, limits);
    case 'stream':
      return streamFromRdb(v, { maxBytes: limits.streamNodeMaxBytes, maxEntries: limits.streamNodeMaxEntries });
  }
}

function listFrom(items: readonly Buffer[], limits: EncodingLimits): ListValue {
  if (items.length === 0) throw new RdbValueError('empty list');
  const l = new ListValue();
  for (const item of items) l.pushTail(latin1(item));
  // Redis 7.2 loads a quicklist and keeps it unless it is one node within the limit; with no
  // nodes here, "fits one node" is the whole list's listpack size against the same limit.
  l.willGrow(limits.listMaxListpackSize, 0, 0);
  return l;
}

function hashFrom(fields: readonly [Buffer, Buffer][], limits: EncodingLimits): HashValue {
  if (fields.length === 0) throw new RdbValueError('empty hash');
  const h = new HashValue();
  let listpack = fields.length <= limits.hashMaxListpackEntries;
  const maxLen = limits.hashMaxListpackValue;
  const map = h.map;
  for (const [f, val] of fields) {
    if (listpack && (f.length > maxLen || val.length > maxLen)) listpack = false;
    if (!map.set(latin1(f), latin1(val))) throw new RdbValueError('duplicate hash field');
  }
  h.listpack = listpack;
  return h;
}

function isIntMember(m: Buffer): boolean {
  return m.length <= 20 && parseIntValue(latin1(m)) !== undefined;
}

function setFrom(members: readonly Buffer[], limits: EncodingLimits): SetValue {
  const n = members.length;
  if (n === 0) throw new RdbValueError('empty set');
  const s = new SetValue();
  let firstText = n;
  let longest = 0;
  if (n <= Math.min(limits.setMaxIntsetEntries, INTSET_CAP)) {
    for (let i = 0; i < n; i++) {
      const m = members[i]!;
      if (m.length > longest) longest = m.length;
      if (firstText === n && !isIntMember(m)) firstText = i;
    }
    if (firstText === n) s.enc = INTSET;
    else if (n <= limits.setMaxListpackEntries && longest <= limits.setMaxListpackValue) s.enc = LISTPACK;
    else s.enc = HASHTABLE;
  } else {
    s.enc = HASHTABLE;
  }
  const map = s.map;
  let start = 0;
  if (s.enc === LISTPACK && firstText > 1) {
    // The members read before the first non-integer sat in an intset: they enter the listpack sorted.
    const head = members.slice(0, firstText).map((m) => ({ m: latin1(m), v: BigInt(latin1(m)) }));
    head.sort((a, b) => (a.v < b.v ? -1 : a.v > b.v ? 1 : 0));
    for (const { m } of head) {
      if (map.has(m)) throw new RdbValueError('duplicate set member');
      map.insert(m, null);
    }
    start = firstText;
  }
  for (let i = start; i < n; i++) {
    const m = latin1(members[i]!);
    if (map.has(m)) throw new RdbValueError('duplicate set member');
    map.insert(m, null);
  }
  return s;
}

function zsetFrom(members: readonly [Buffer, number][], limits: EncodingLimits): ZsetValue {
  const n = members.length;
  if (n === 0) throw new RdbValueError('empty sorted set');
  let longest = 0;
  for (const [m] of members) if (m.length > longest) longest = m.length;
  const z = new ZsetValue();
  const listpack = n <= limits.zsetMaxListpackEntries && longest <= limits.zsetMaxListpackValue;
  // A skiplist set has its member dict from the start, which also finds duplicates in O(1); a
  // listpack set has none, so a throwaway Set does that job.
  const seen = listpack ? new Set<string>() : null;
  if (!listpack) z.convert();
  for (const [mb, score] of members) {
    if (Number.isNaN(score)) throw new RdbValueError('NaN score in a sorted set');
    const m = latin1(mb);
    if (seen !== null) {
      if (seen.has(m)) throw new RdbValueError('duplicate sorted set member');
      seen.add(m);
    } else if (z.score(m) !== undefined) {
      throw new RdbValueError('duplicate sorted set member');
    }
    z.insertNew(m, score);
  }
  return z;
}

// ---- whole keys --------------------------------------------------------------------------------

/** What entryOf adds to key, value and TTL. */
export interface EntryOptions {
  /** The IDLE opcode (seconds since the last access), which Redis writes under an LRU policy. */
  idle?: boolean;
  /** The FREQ opcode (the LFU counter), which Redis writes under an LFU policy. */
  freq?: boolean;
}

/**
 * The RDB entry of a live key of `db`, or undefined when it does not exist. Reads without
 * touching the key's access time (as a save does).
 */
export function entryOf(db: Db, key: string, opts: EntryOptions = {}): RdbEntry | undefined {
  const value = db.peek(key);
  if (value === undefined) return undefined;
  const e = entryFrom(db.id, key, value, db.getExpireExact(key));
  if (opts.idle === true) e.idleSeconds = Math.max(0, db.idleSeconds(key));
  if (opts.freq === true) {
    const freq = db.frequency(key);
    if (freq !== undefined) e.lfuFreq = freq;
  }
  return e;
}

/**
 * The RDB entry for a key already in hand (a snapshot walking slots). `expireAt` is the absolute
 * deadline in unix ms; 0 or a negative value (Db's -1) means no TTL.
 */
export function entryFrom(dbIndex: number, key: string, value: Value, expireAt: number | bigint): RdbEntry {
  const e: RdbEntry = { db: dbIndex, key: bytes(key), value: toRdbValue(value) };
  if (expireAt > 0) e.expireMs = Number(expireAt);
  return e;
}

/**
 * Stores an entry read from an RDB file into `db` (the caller picked the db from entry.db and
 * decided about keys whose TTL has passed): the value in the encoding `limits` choose, its TTL,
 * its idle time from an IDLE opcode and its LFU counter from a FREQ opcode (kept only under an LFU
 * policy, as Redis keeps it). Throws RdbValueError for a value Redis would
 * refuse, or a key already present (Redis stops loading: "Duplicated key found in RDB file").
 */
export function loadEntry(db: Db, entry: RdbEntry, limits: EncodingLimits): void {
  const key = latin1(entry.key);
  const value = fromRdbValue(entry.value, limits);
  const idle = entry.idleSeconds;
  let added: boolean;
  if (idle !== undefined && idle > 0) {
    // A new key's access time is the Db's LRU clock: move the clock back for this one insert.
    const clock = db.lruClock;
    db.lruClock = clock - Math.min(idle, clock);
    try {
      added = db.set(key, value);
    } finally {
      db.lruClock = clock;
    }
  } else {
    added = db.set(key, value);
  }
  if (!added) throw new RdbValueError(`duplicated key ${JSON.stringify(key)} in db ${db.id}`);
  if (entry.lfuFreq !== undefined) db.setFrequency(key, entry.lfuFreq);
  if (entry.expireMs !== undefined) db.setExpire(key, entry.expireMs);
}
