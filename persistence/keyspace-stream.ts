/*
 * Stream values: the keyspace's StreamValue (commands/stream/) <-> the neutral RDB stream
 * (rdb-types.ts StreamValue). Everything RDB type 19 can carry survives both ways: live entries
 * in ID order with their fields, length, last ID, first ID, max deleted ID, entries added, and per
 * consumer group (in name order, as Redis's rax) its last ID, entries read (-1 <-> unknown), its
 * PEL with delivery time and count, and its consumers (name order) with seen time and owned IDs.
 *
 * Not carried: the node layout (re-split on load by stream-node-max-bytes/-entries, as appends
 * would split it) and a consumer's active time, which only type 21 (RDB 11) stores; a loaded
 * consumer gets its seen time as active time, as Redis 7.2 does for older files.
 * Invariants checked on load (Redis refuses these files too): the stated length equals the entry
 * count, group and consumer names are unique, every consumer-owned ID is in the group PEL and
 * owned once, and every PEL entry has an owner. Pure conversion; nothing survives a crash.
 */
import { Consumer, ConsumerGroup, sortedNames } from '../commands/stream/group.js';
import { idMs, idSeq, makeId, type StreamId } from '../commands/stream/id.js';
import { StreamValue, type NodeLimits } from '../commands/stream/stream.js';
import { RdbValueError } from './keyspace-error.js';
import type {
  StreamConsumer, StreamEntry, StreamGroup, StreamId as RdbId, StreamPendingEntry, StreamValue as RdbStream,
} from './rdb-types.js';

const UNKNOWN_ENTRIES_READ = -1;

function rdbId(id: StreamId): RdbId {
  return { ms: idMs(id), seq: idSeq(id) };
}

function keyspaceId(id: RdbId): StreamId {
  return makeId(id.ms, id.seq);
}

function bytes(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

function latin1(b: Buffer): string {
  return b.latin1Slice(0, b.length);
}

/** The neutral form of a stored stream; shares nothing mutable with it. */
export function streamToRdb(s: StreamValue): RdbStream {
  const entries: StreamEntry[] = [];
  for (const node of s.nodes) {
    for (let i = 0; i < node.ids.length; i++) {
      const flat = node.fields[i]!;
      const fields: [Buffer, Buffer][] = new Array<[Buffer, Buffer]>(flat.length >> 1);
      for (let f = 0; f < flat.length; f += 2) fields[f >> 1] = [bytes(flat[f]!), bytes(flat[f + 1]!)];
      entries.push({ id: rdbId(node.ids[i]!), fields });
    }
  }
  const groups: StreamGroup[] = [];
  for (const name of sortedNames(s.groups)) {
    const g = s.groups.get(name)!;
    const pending: StreamPendingEntry[] = g.pelIds.ids.map((id) => {
      const nack = g.pel.get(id)!;
      return { id: rdbId(id), deliveryTime: nack.deliveryTime, deliveryCount: nack.deliveryCount };
    });
    const consumers: StreamConsumer[] = sortedNames(g.consumers).map((cname) => {
      const c = g.consumers.get(cname)!;
      return { name: bytes(cname), seenTime: c.seenTime, pending: c.pel.ids.map(rdbId) };
    });
    groups.push({
      name: bytes(name),
      lastId: rdbId(g.lastId),
      entriesRead: g.entriesRead === UNKNOWN_ENTRIES_READ ? null : BigInt(g.entriesRead),
      pending,
      consumers,
    });
  }
  return {
    type: 'stream',
    entries,
    length: s.length,
    lastId: rdbId(s.lastId),
    firstId: rdbId(s.firstId),
    maxDeletedId: rdbId(s.maxDeletedId),
    entriesAdded: BigInt(s.entriesAdded),
    groups,
  };
}

/** A keyspace stream holding `v`, nodes split by `limits`. Throws RdbValueError on inconsistent data. */
export function streamFromRdb(v: RdbStream, limits: NodeLimits): StreamValue {
  if (v.length !== v.entries.length) {
    throw new RdbValueError(`stream length ${v.length} but ${v.entries.length} entries`);
  }
  const s = new StreamValue();
  let prev: StreamId = -1n;
  for (const e of v.entries) {
    const id = keyspaceId(e.id);
    if (id <= prev) throw new RdbValueError('stream entries out of ID order');
    prev = id;
    const flat: string[] = new Array<string>(e.fields.length * 2);
    for (let f = 0; f < e.fields.length; f++) {
      const [field, value] = e.fields[f]!;
      flat[2 * f] = latin1(field);
      flat[2 * f + 1] = latin1(value);
    }
    s.append(id, flat, limits);
  }
  // append() kept its own counters; the file's are the truth (deletions, trimming, XSETID).
  s.length = v.length;
  s.lastId = keyspaceId(v.lastId);
  s.firstId = keyspaceId(v.firstId);
  s.maxDeletedId = keyspaceId(v.maxDeletedId);
  s.entriesAdded = Number(v.entriesAdded);
  for (const g of v.groups) {
    const name = latin1(g.name);
    if (s.groups.has(name)) throw new RdbValueError('duplicate stream consumer group');
    s.groups.set(name, groupFrom(g));
  }
  return s;
}

function groupFrom(g: StreamGroup): ConsumerGroup {
  const cg = new ConsumerGroup(keyspaceId(g.lastId), g.entriesRead === null ? UNKNOWN_ENTRIES_READ : Number(g.entriesRead));
  const nacks = new Map<StreamId, StreamPendingEntry>();
  for (const p of g.pending) {
    const id = keyspaceId(p.id);
    if (nacks.has(id)) throw new RdbValueError('duplicate stream PEL entry');
    nacks.set(id, p);
  }
  for (const c of g.consumers) {
    const name = latin1(c.name);
    if (cg.consumers.has(name)) throw new RdbValueError('duplicate stream consumer');
    const consumer = new Consumer(name, c.seenTime, c.activeTime ?? c.seenTime);
    cg.consumers.set(name, consumer);
    for (const rid of c.pending) {
      const id = keyspaceId(rid);
      const p = nacks.get(id);
      if (p === undefined) throw new RdbValueError('stream consumer PEL entry not in the group PEL');
      if (cg.pel.has(id)) throw new RdbValueError('stream PEL entry owned by two consumers');
      cg.addPending(id, consumer, p.deliveryTime, p.deliveryCount);
    }
  }
  if (cg.pel.size !== nacks.size) throw new RdbValueError('stream PEL entry without a consumer');
  return cg;
}
