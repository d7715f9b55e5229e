/*
 * Stream values: types 15 (STREAM_LISTPACKS), 19 (_2, RDB 10) and 21 (_3, RDB 11).
 *
 * Bytes (docs/persistence-format.md §7.11):
 *   len(node count), per node: RDB string node key (master ID: ms u64 BE, seq u64 BE), RDB string
 *     listpack: master entry (count, deleted, num-fields, fields..., 0), then per entry
 *     flags (1 deleted, 2 same fields as master), ms-delta, seq-delta, [num-fields, field/value
 *     pairs | values only], lp-count
 *   len(length) len(last ms) len(last seq)
 *   types 19, 21: len(first ms) len(first seq) len(max-deleted ms) len(max-deleted seq) len(entries added)
 *   len(group count), per group: string name, len(last ms) len(last seq), [19+: len(entries read),
 *     2^64-1 = unknown], len(PEL size) x (16-byte raw ID BE, int64 LE delivery ms, len(count)),
 *     len(consumer count) x (string name, int64 LE seen ms, [21: int64 LE active ms],
 *     len(PEL size) x 16-byte raw ID)
 * Invariants checked: IDs inside a node ascend; every consumer's pending ID is in its group's PEL.
 * Deleted entries are dropped. Pure parsing; nothing survives a crash.
 */
import { lpDecode, lpInt, lpText, type LpItem } from './rdb-listpack.js';
import type { RdbCursor } from './rdb-strings.js';
import {
  compareStreamIds, RdbFormatError, streamIdText, TYPE,
  type StreamConsumer, type StreamEntry, type StreamGroup, type StreamId, type StreamPendingEntry, type StreamValue,
} from './rdb-types.js';

const FLAG_DELETED = 1;
const FLAG_SAMEFIELDS = 2;
const U64_MAX = (1n << 64n) - 1n;
const U64_MOD = 1n << 64n;

function rawId(c: RdbCursor, what: string): StreamId {
  const b = c.raw(16, what);
  return { ms: b.readBigUInt64BE(0), seq: b.readBigUInt64BE(8) };
}

function lenId(c: RdbCursor, what: string): StreamId {
  const ms = c.lenBig(what);
  const seq = c.lenBig(what);
  return { ms, seq };
}

/** Decodes one node's listpack, appending its live entries to `out`. */
function readNode(master: StreamId, items: LpItem[], offset: number, out: StreamEntry[]): void {
  let i = 0;
  const next = (what: string): LpItem => {
    const item = items[i++];
    if (item === undefined) throw new RdbFormatError(`stream node ends inside ${what}`, offset);
    return item;
  };
  const int = (what: string): bigint => lpInt(next(what), what, offset);
  const live = int('master count');
  const deleted = int('master deleted count');
  const numFields = Number(int('master field count'));
  if (numFields < 0 || numFields > items.length) throw new RdbFormatError('bad stream master field count', offset);
  const masterFields: Buffer[] = [];
  for (let f = 0; f < numFields; f++) masterFields.push(lpText(next('master field')));
  if (int('master terminator') !== 0n) throw new RdbFormatError('stream master entry not terminated by 0', offset);
  let seen = 0n;
  let prev: StreamId | null = null;
  while (i < items.length) {
    const flags = Number(int('entry flags'));
    const ms = (master.ms + int('entry ms delta') + U64_MOD) % U64_MOD;
    const seq = (master.seq + int('entry seq delta') + U64_MOD) % U64_MOD;
    const id = { ms, seq };
    if (prev !== null && compareStreamIds(prev, id) >= 0) {
      throw new RdbFormatError(`stream IDs not ascending at ${streamIdText(id)}`, offset);
    }
    prev = id;
    const fields: [Buffer, Buffer][] = [];
    if ((flags & FLAG_SAMEFIELDS) !== 0) {
      for (const field of masterFields) fields.push([field, lpText(next('entry value'))]);
    } else {
      const n = Number(int('entry field count'));
      if (n < 0 || n * 2 > items.length - i) throw new RdbFormatError('bad stream entry field count', offset);
      for (let f = 0; f < n; f++) fields.push([lpText(next('entry field')), lpText(next('entry value'))]);
    }
    int('entry lp-count');
    seen++;
    if ((flags & FLAG_DELETED) === 0) out.push({ id, fields });
  }
  if (seen !== live + deleted) {
    throw new RdbFormatError(`stream node holds ${seen} entries, master says ${live} + ${deleted} deleted`, offset);
  }
}

/** Reads a stream value of type 15, 19 or 21 at the cursor. */
export function readStream(c: RdbCursor, type: number, what: string): StreamValue {
  const v2 = type >= TYPE.STREAM_LISTPACKS_2;
  const v3 = type >= TYPE.STREAM_LISTPACKS_3;
  const entries: StreamEntry[] = [];
  const nodes = c.len('stream node count');
  for (let n = 0; n < nodes; n++) {
    const keyAt = c.base + c.pos;
    const nodeKey = c.string('stream node key');
    if (nodeKey.length !== 16) throw new RdbFormatError(`stream node key of ${nodeKey.length} bytes (expected 16)`, keyAt);
    const master = { ms: nodeKey.readBigUInt64BE(0), seq: nodeKey.readBigUInt64BE(8) };
    const lpAt = c.base + c.pos;
    const lp = c.string('stream node listpack');
    const items = lpDecode(lp, lpAt, 'stream node');
    if (items.length === 0) throw new RdbFormatError('empty listpack inside stream', lpAt);
    const before = entries.length;
    readNode(master, items, lpAt, entries);
    const first = entries[before];
    const prevLast = entries[before - 1];
    if (first !== undefined && prevLast !== undefined && compareStreamIds(prevLast.id, first.id) >= 0) {
      throw new RdbFormatError('stream nodes out of order', keyAt);
    }
  }
  const length = c.len('stream length');
  const lastId = lenId(c, 'stream last ID');
  let firstId: StreamId;
  let maxDeletedId: StreamId = { ms: 0n, seq: 0n };
  let entriesAdded: bigint;
  if (v2) {
    firstId = lenId(c, 'stream first ID');
    maxDeletedId = lenId(c, 'stream max deleted ID');
    entriesAdded = c.lenBig('stream entries added');
  } else {
    firstId = entries[0]?.id ?? { ms: 0n, seq: 0n };
    entriesAdded = BigInt(length);
  }
  const groups: StreamGroup[] = [];
  const groupCount = c.len('stream group count');
  for (let g = 0; g < groupCount; g++) {
    const name = c.string('stream group name');
    const groupLast = lenId(c, 'stream group last ID');
    let entriesRead: bigint | null = null;
    if (v2) {
      const r = c.lenBig('stream group entries read');
      entriesRead = r === U64_MAX ? null : r;
    }
    const pending: StreamPendingEntry[] = [];
    const pendingIds = new Set<string>();
    const pelSize = c.len('stream group PEL size');
    for (let p = 0; p < pelSize; p++) {
      const id = rawId(c, 'stream PEL ID');
      const deliveryTime = c.int64LE('stream PEL delivery time');
      const deliveryCount = c.len('stream PEL delivery count');
      pending.push({ id, deliveryTime, deliveryCount });
      pendingIds.add(streamIdText(id));
    }
    const consumers: StreamConsumer[] = [];
    const consumerCount = c.len('stream consumer count');
    for (let k = 0; k < consumerCount; k++) {
      const cname = c.string('stream consumer name');
      const seenTime = c.int64LE('stream consumer seen time');
      const consumer: StreamConsumer = { name: cname, seenTime, pending: [] };
      if (v3) consumer.activeTime = c.int64LE('stream consumer active time');
      const own = c.len('stream consumer PEL size');
      for (let p = 0; p < own; p++) {
        const at = c.base + c.pos;
        const id = rawId(c, 'stream consumer PEL ID');
        if (!pendingIds.has(streamIdText(id))) {
          throw new RdbFormatError(`consumer PEL entry ${streamIdText(id)} not found in the group's PEL`, at);
        }
        consumer.pending.push(id);
      }
      consumers.push(consumer);
    }
    groups.push({ name, lastId: groupLast, entriesRead, pending, consumers });
  }
  return { type: 'stream', entries, length, lastId, firstId, maxDeletedId, entriesAdded, groups };
}
