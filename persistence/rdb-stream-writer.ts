/*
 * Writes a stream value as STREAM_LISTPACKS_2 (type 19), the form Redis 7.0 writes and loads.
 *
 * Bytes: see rdb-stream.ts. Node layout chosen here: up to NODE_MAX_ENTRIES entries per node
 * (Redis's stream-node-max-entries default), the node's master ID is its first entry's ID and its
 * master fields are that entry's field names; an entry with exactly those fields is written with
 * flag 2 (values only). No deleted entries are written, so each master count is the node's size
 * and its deleted count 0. lp-count = 3 (flags, ms-delta, seq-delta) + values, or + 1 + 2 x fields.
 * The file's length field is entries.length. Consumers are written without active-time (that
 * field exists only in type 21). Nothing survives a crash: this only builds bytes in memory.
 */
import { ListpackBuilder } from './rdb-listpack.js';
import type { RdbSink } from './rdb-encode.js';
import { compareStreamIds, type StreamId, type StreamValue } from './rdb-types.js';

const NODE_MAX_ENTRIES = 100;
const FLAG_SAMEFIELDS = 2;
const U64_MAX = (1n << 64n) - 1n;

function rawId(id: StreamId): Buffer {
  const b = Buffer.allocUnsafe(16);
  b.writeBigUInt64BE(id.ms, 0);
  b.writeBigUInt64BE(id.seq, 8);
  return b;
}

function sameFields(master: readonly Buffer[], fields: readonly [Buffer, Buffer][]): boolean {
  if (master.length !== fields.length) return false;
  for (let i = 0; i < master.length; i++) if (!master[i]!.equals(fields[i]![0])) return false;
  return true;
}

/** Appends the payload of a type-19 stream (the caller writes the type byte and key). */
export function writeStream(sink: RdbSink, v: StreamValue): void {
  const entries = v.entries;
  for (let i = 1; i < entries.length; i++) {
    if (compareStreamIds(entries[i - 1]!.id, entries[i]!.id) >= 0) throw new Error('stream entries must be in ascending ID order');
  }
  const nodeCount = Math.ceil(entries.length / NODE_MAX_ENTRIES);
  sink.len(nodeCount);
  for (let start = 0; start < entries.length; start += NODE_MAX_ENTRIES) {
    const node = entries.slice(start, start + NODE_MAX_ENTRIES);
    const master = node[0]!.id;
    const masterFields = node[0]!.fields.map(([f]) => f);
    const lp = new ListpackBuilder();
    lp.addInt(node.length);
    lp.addInt(0);
    lp.addInt(masterFields.length);
    for (const f of masterFields) lp.add(f);
    lp.addInt(0);
    for (const e of node) {
      const same = sameFields(masterFields, e.fields);
      lp.addInt(same ? FLAG_SAMEFIELDS : 0);
      lp.addInt(e.id.ms - master.ms);
      lp.addInt(e.id.seq - master.seq);
      if (same) {
        for (const [, value] of e.fields) lp.add(value);
        lp.addInt(3 + e.fields.length);
      } else {
        lp.addInt(e.fields.length);
        for (const [field, value] of e.fields) {
          lp.add(field);
          lp.add(value);
        }
        lp.addInt(3 + 1 + 2 * e.fields.length);
      }
    }
    sink.string(rawId(master));
    sink.string(lp.build());
  }
  sink.len(entries.length);
  sink.len(v.lastId.ms);
  sink.len(v.lastId.seq);
  sink.len(v.firstId.ms);
  sink.len(v.firstId.seq);
  sink.len(v.maxDeletedId.ms);
  sink.len(v.maxDeletedId.seq);
  sink.len(v.entriesAdded);
  sink.len(v.groups.length);
  for (const g of v.groups) {
    sink.string(g.name);
    sink.len(g.lastId.ms);
    sink.len(g.lastId.seq);
    sink.len(g.entriesRead ?? U64_MAX);
    sink.len(g.pending.length);
    for (const p of g.pending) {
      sink.push(rawId(p.id));
      sink.int64LE(p.deliveryTime);
      sink.len(p.deliveryCount);
    }
    sink.len(g.consumers.length);
    for (const c of g.consumers) {
      sink.string(c.name);
      sink.int64LE(c.seenTime);
      sink.len(c.pending.length);
      for (const id of c.pending) sink.push(rawId(id));
    }
  }
}
