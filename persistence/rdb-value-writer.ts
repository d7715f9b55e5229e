/*
 * One value as Redis 7.0 serialises it: <type byte> [<key>] <payload>. RdbWriter uses it for each
 * key of a file (with the key), DUMP for its payload (without). Shared so that a value dumped and
 * the same value in a snapshot are the same bytes.
 *
 * Bytes (docs/persistence-format.md §7.6-7.9, §7.11), chosen by the value's encoding hint, which
 * names the in-memory encoding it had, so the bytes are what Redis 7.0 writes for that encoding:
 *   string                 0, one RDB string (int-encoded when canonical int32, LZF when worth it)
 *   list                   18 QUICKLIST_2: nodes split by 7.0's quicklist insert rule for
 *                          list-max-listpack-size (default -2: 8 KB), each a PACKED listpack; an
 *                          element of 1 GB or more gets a PLAIN node
 *   set    'intset'        11, an intset blob (sorted, smallest width), if every member is a
 *                          canonical int64; otherwise (and without hint) 2, members as given
 *   hash   'listpack'      16, listpack field, value, ... as given; otherwise 4, pairs as given
 *   zset   'listpack'      17, listpack member, score, ... by score then member; a score is written
 *                          as 7.0's d2string text (integers, -0 included, become listpack integers)
 *   zset   'skiplist'      5 ZSET_2, from the highest (score, member) to the lowest, as 7.0 walks its
 *                          skiplist from the tail; without hint 5 in the order given
 *   stream                 19 (rdb-stream-writer.ts)
 * Invariants: a hint never changes the data, only its layout; a hint the data cannot honour (an
 * 'intset' hint on a non-integer member) falls back to the plain type. Pure bytes into a sink;
 * nothing survives a crash.
 */
import { formatDouble17g } from '../protocol/numbers.js';
import type { RdbSink } from './rdb-encode.js';
import { canonicalInt64, ListpackBuilder } from './rdb-listpack.js';
import { writeStream } from './rdb-stream-writer.js';
import { TYPE, type RdbValue } from './rdb-types.js';

/** The in-memory encoding a value had (OBJECT ENCODING's answer), as a layout hint for writers. */
export type EncodingHint = 'listpack' | 'intset' | 'hashtable' | 'skiplist' | 'quicklist';

/** An RdbValue that may name its in-memory encoding (what keyspace-codec's toRdbValue returns). */
export type HintedValue = RdbValue & { readonly encoding?: EncodingHint };

/** list-max-listpack-size's default: nodes of at most 8 KB. */
export const DEFAULT_LIST_FILL = -2;

/** Elements from this size on get a PLAIN quicklist node (7.0's packed_threshold default, 1 GB). */
const PLAIN_ELEMENT_BYTES = 1 << 30;
const QUICKLIST_PLAIN = 1;
const QUICKLIST_PACKED = 2;
/** 7.0's quicklist optimization_level: node byte limits for fill -1..-5. */
const NODE_BYTES = [4096, 8192, 16384, 32768, 65536];
/** 7.0's SIZE_SAFETY_LIMIT for count-limited fills. */
const SIZE_SAFETY = 8192;
/** What 7.0 adds per element when deciding whether it still fits a node. */
const SIZE_ESTIMATE_OVERHEAD = 8;
/** quicklistSetFill's upper clamp of list-max-listpack-size (lower values use the 64 KB level). */
const FILL_MAX = 32767;

/**
 * Writes the value's type byte, then `key` as an RDB string unless it is null, then the payload.
 * `listFill` is list-max-listpack-size. Throws on a NaN score (RDB cannot hold it).
 */
export function writeValue(sink: RdbSink, key: Buffer | null, v: RdbValue, listFill = DEFAULT_LIST_FILL): void {
  const hint = (v as HintedValue).encoding;
  switch (v.type) {
    case 'string':
      head(sink, TYPE.STRING, key);
      sink.string(v.value);
      return;
    case 'list':
      head(sink, TYPE.LIST_QUICKLIST_2, key);
      writeQuicklist(sink, v.items, listFill);
      return;
    case 'set': {
      const blob = hint === 'intset' ? intsetBlob(v.members) : null;
      if (blob !== null) {
        head(sink, TYPE.SET_INTSET, key);
        sink.string(blob);
        return;
      }
      head(sink, TYPE.SET, key);
      sink.len(v.members.length);
      for (const m of v.members) sink.string(m);
      return;
    }
    case 'hash':
      if (hint === 'listpack') {
        head(sink, TYPE.HASH_LISTPACK, key);
        const lp = new ListpackBuilder();
        for (const [f, val] of v.fields) {
          lp.add(f);
          lp.add(val);
        }
        sink.string(lp.build());
        return;
      }
      head(sink, TYPE.HASH, key);
      sink.len(v.fields.length);
      for (const [f, val] of v.fields) {
        sink.string(f);
        sink.string(val);
      }
      return;
    case 'zset': {
      for (const [, score] of v.members) if (Number.isNaN(score)) throw new Error('a sorted set score cannot be NaN');
      if (hint === 'listpack') {
        head(sink, TYPE.ZSET_LISTPACK, key);
        const lp = new ListpackBuilder();
        for (const [m, score] of ascending(v.members)) {
          lp.add(m);
          lp.add(Buffer.from(scoreText(score), 'latin1'));
        }
        sink.string(lp.build());
        return;
      }
      head(sink, TYPE.ZSET_2, key);
      sink.len(v.members.length);
      const members = hint === 'skiplist' ? ascending(v.members) : v.members;
      const last = members.length - 1;
      for (let i = 0; i <= last; i++) {
        const [m, score] = members[hint === 'skiplist' ? last - i : i]!;
        sink.string(m);
        sink.double(score);
      }
      return;
    }
    case 'stream':
      head(sink, TYPE.STREAM_LISTPACKS_2, key);
      writeStream(sink, v);
      return;
  }
}

function head(sink: RdbSink, type: number, key: Buffer | null): void {
  sink.byte(type);
  if (key !== null) sink.string(key);
}

/**
 * 7.0's d2string: an integral score in (-(2^52-1), 2^52) prints as an integer, so -0 becomes "0";
 * anything else as %.17g ("inf", "-inf", "2.5", "1e+20"). The listpack then stores integer texts
 * as integers.
 */
function scoreText(score: number): string {
  return score === 0 ? '0' : formatDouble17g(score);
}

/** Redis's zset order: score, then member bytewise (-0 equals 0, as in a skiplist). */
function compareMembers(a: readonly [Buffer, number], b: readonly [Buffer, number]): number {
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return Buffer.compare(a[0], b[0]);
}

/** The members in ascending order: as given when they already are (the keyspace's case), else a sorted copy. */
function ascending(members: readonly [Buffer, number][]): readonly [Buffer, number][] {
  for (let i = 1; i < members.length; i++) {
    if (compareMembers(members[i - 1]!, members[i]!) > 0) return members.slice().sort(compareMembers);
  }
  return members;
}

/** The intset blob of `members`, or null when one of them is not a canonical int64. */
export function intsetBlob(members: readonly Buffer[]): Buffer | null {
  const values: bigint[] = new Array<bigint>(members.length);
  let min = 0n;
  let max = 0n;
  for (let i = 0; i < members.length; i++) {
    const v = canonicalInt64(members[i]!);
    if (v === undefined) return null;
    values[i] = v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const width = min >= -32768n && max <= 32767n ? 2 : min >= -2147483648n && max <= 2147483647n ? 4 : 8;
  const blob = Buffer.allocUnsafe(8 + values.length * width);
  blob.writeUInt32LE(width, 0);
  blob.writeUInt32LE(values.length, 4);
  let p = 8;
  for (const v of values) {
    if (width === 2) blob.writeInt16LE(Number(v), p);
    else if (width === 4) blob.writeInt32LE(Number(v), p);
    else blob.writeBigInt64LE(v, p);
    p += width;
  }
  return blob;
}

/**
 * 7.0's _quicklistNodeAllowInsert: may an element of `sz` raw bytes join a node of `nodeBytes`
 * listpack bytes and `count` elements? Every element is counted with a fixed over-estimate of its
 * header and back-length (SIZE_ESTIMATE_OVERHEAD).
 */
function allowInsert(fill: number, nodeBytes: number, count: number, sz: number): boolean {
  const newSz = nodeBytes + sz + SIZE_ESTIMATE_OVERHEAD;
  if (fill < 0) return newSz <= NODE_BYTES[Math.min(-fill, NODE_BYTES.length) - 1]!;
  if (newSz > SIZE_SAFETY) return false;
  return count + 1 <= (fill === 0 ? 1 : fill);
}

/**
 * QUICKLIST_2 payload: node count, then (container, blob) per node. Nodes are filled from the
 * head as RPUSH fills them, so a list built by appends gets Redis's exact node layout.
 */
function writeQuicklist(sink: RdbSink, items: readonly Buffer[], listFill: number): void {
  const fill = Math.min(FILL_MAX, listFill);
  const nodes: { container: number; blob: Buffer }[] = [];
  let lp: ListpackBuilder | null = null;
  for (const item of items) {
    if (item.length >= PLAIN_ELEMENT_BYTES) {
      if (lp !== null) nodes.push({ container: QUICKLIST_PACKED, blob: lp.build() });
      lp = null;
      nodes.push({ container: QUICKLIST_PLAIN, blob: item });
      continue;
    }
    if (lp !== null && !allowInsert(fill, lp.bytes, lp.count, item.length)) {
      nodes.push({ container: QUICKLIST_PACKED, blob: lp.build() });
      lp = null;
    }
    lp ??= new ListpackBuilder();
    lp.add(item);
  }
  if (lp !== null) nodes.push({ container: QUICKLIST_PACKED, blob: lp.build() });
  sink.len(nodes.length);
  for (const n of nodes) {
    sink.len(n.container);
    sink.string(n.blob);
  }
}
