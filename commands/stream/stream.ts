/*
 * The stream value: entries ordered by ID in a sorted array of nodes, each node a short run of
 * entries (its IDs plus flat [field, value, ...] arrays of latin1 strings). A range seek is a
 * binary search over the nodes, then inside one node: O(log n).
 *
 * Nodes copy Redis's listpack nodes on purpose: a new node starts when the tail node holds
 * stream-node-max-entries entries (live plus deleted) or would pass stream-node-max-bytes (an
 * estimate of the listpack size), and a node dies when its last live entry goes. That makes
 * `MAXLEN ~`/`MINID ~` (which only drop whole nodes) trim exactly as much as Redis does. Deleted
 * entries are removed from the arrays; a node remembers its first and last ID ever (the rax key
 * and the listpack's last entry, which MINID trimming compares) and its deleted count.
 *
 * The stream-level fields (length, lastId, firstId, maxDeletedId, entriesAdded, groups) are
 * those of the neutral RDB model (persistence/rdb-types.ts StreamValue).
 */
import type { CollectionValue } from '../keyspace/value.js';
import { ConsumerGroup } from './group.js';
import { ID_MAX, ID_MIN, type StreamId } from './id.js';

export interface StreamNode {
  /** The first ID ever stored here (Redis's master ID, the rax key). */
  readonly master: StreamId;
  /** The last ID ever appended here, deleted or not. */
  last: StreamId;
  ids: StreamId[];
  fields: string[][];
  /** Entries marked deleted inside the node (count toward the entries limit). */
  deleted: number;
  /** Estimated listpack bytes. */
  bytes: number;
  readonly masterFields: readonly string[];
}

export interface NodeLimits {
  maxBytes: number;
  maxEntries: number;
}

/** Redis's STREAM_LISTPACK_MAX_SIZE. */
const LISTPACK_MAX = 1 << 30;

export class StreamValue implements CollectionValue {
  readonly type = 'stream' as const;
  nodes: StreamNode[] = [];
  length = 0;
  lastId: StreamId = ID_MIN;
  /** First live entry's ID; 0-0 when empty. */
  firstId: StreamId = ID_MIN;
  maxDeletedId: StreamId = ID_MIN;
  entriesAdded = 0;
  groups = new Map<string, ConsumerGroup>();

  encoding(): string {
    return 'stream';
  }

  clone(): StreamValue {
    const s = new StreamValue();
    s.nodes = this.nodes.map((n) => ({ ...n, ids: n.ids.slice(), fields: n.fields.slice() }));
    s.length = this.length;
    s.lastId = this.lastId;
    s.firstId = this.firstId;
    s.maxDeletedId = this.maxDeletedId;
    s.entriesAdded = this.entriesAdded;
    for (const [name, g] of this.groups) s.groups.set(name, g.clone());
    return s;
  }

  /** Appends an entry whose ID is above lastId (the caller checked). */
  append(id: StreamId, fields: string[], limits: NodeLimits): void {
    let tail = this.nodes[this.nodes.length - 1];
    let elementBytes = 0;
    for (const f of fields) elementBytes += f.length;
    if (tail !== undefined) {
      const maxBytes = limits.maxBytes === 0 || limits.maxBytes > LISTPACK_MAX ? LISTPACK_MAX : limits.maxBytes;
      if (tail.bytes + elementBytes >= maxBytes) tail = undefined;
      else if (limits.maxEntries > 0 && tail.ids.length + tail.deleted >= limits.maxEntries) tail = undefined;
    }
    if (tail === undefined) {
      const masterFields: string[] = [];
      for (let i = 0; i < fields.length; i += 2) masterFields.push(fields[i]!);
      tail = { master: id, last: id, ids: [], fields: [], deleted: 0, bytes: masterBytes(masterFields), masterFields };
      this.nodes.push(tail);
    }
    tail.bytes += entryBytes(tail, id, fields);
    tail.ids.push(id);
    tail.fields.push(fields);
    tail.last = id;
    if (this.length === 0) this.firstId = id;
    this.length++;
    this.entriesAdded++;
    this.lastId = id;
  }

  /** Index of the node that would hold id: the last node whose master is <= id (or 0). */
  private nodeFor(id: StreamId): number {
    let lo = 0;
    let hi = this.nodes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.nodes[mid]!.master <= id) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  get(id: StreamId): string[] | undefined {
    if (this.nodes.length === 0) return undefined;
    const node = this.nodes[this.nodeFor(id)]!;
    const i = lowerBound(node.ids, id);
    return node.ids[i] === id ? node.fields[i] : undefined;
  }

  /**
   * Visits live entries with start <= id <= end, ascending (or descending when rev), until visit
   * returns false.
   */
  range(start: StreamId, end: StreamId, rev: boolean, visit: (id: StreamId, fields: string[]) => boolean): void {
    if (start > end || this.nodes.length === 0) return;
    if (!rev) {
      for (let n = this.nodeFor(start); n < this.nodes.length; n++) {
        const node = this.nodes[n]!;
        for (let i = lowerBound(node.ids, start); i < node.ids.length; i++) {
          const id = node.ids[i]!;
          if (id > end) return;
          if (!visit(id, node.fields[i]!)) return;
        }
      }
      return;
    }
    for (let n = this.nodeFor(end); n >= 0; n--) {
      const node = this.nodes[n]!;
      for (let i = lowerBound(node.ids, end + 1n) - 1; i >= 0; i--) {
        const id = node.ids[i]!;
        if (id < start) return;
        if (!visit(id, node.fields[i]!)) return;
      }
    }
  }

  /** The last live entry's ID, 0-0 when empty (streamLastValidID). */
  lastValidId(): StreamId {
    const node = this.nodes[this.nodes.length - 1];
    return node === undefined ? ID_MIN : node.ids[node.ids.length - 1]!;
  }

  private firstLiveId(): StreamId {
    return this.nodes.length === 0 ? ID_MIN : this.nodes[0]!.ids[0]!;
  }

  /** XDEL of one ID: true when it existed. Updates maxDeletedId and firstId. */
  delete(id: StreamId): boolean {
    if (this.nodes.length === 0) return false;
    const n = this.nodeFor(id);
    const node = this.nodes[n]!;
    const i = lowerBound(node.ids, id);
    if (node.ids[i] !== id) return false;
    if (node.ids.length === 1) this.nodes.splice(n, 1);
    else {
      node.ids.splice(i, 1);
      node.fields.splice(i, 1);
      node.deleted++;
    }
    this.length--;
    if (id > this.maxDeletedId) this.maxDeletedId = id;
    this.firstId = this.length === 0 ? ID_MIN : this.firstLiveId();
    return true;
  }

  /**
   * Redis 7.0's streamTrim: drops whole nodes while allowed, then (exact mode only) entries from
   * the first node. limit 0 means no limit. Returns how many entries went.
   */
  trim(maxlen: number | null, minid: StreamId, approx: boolean, limit: number): number {
    let deleted = 0;
    while (this.nodes.length > 0) {
      if (maxlen !== null && this.length <= maxlen) break;
      const node = this.nodes[0]!;
      const entries = node.ids.length;
      if (limit > 0 && deleted + entries > limit) break;
      const removeNode = maxlen !== null ? this.length - entries >= maxlen : node.last < minid;
      if (removeNode) {
        this.nodes.shift();
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (approx) break;
      let k = 0;
      while (k < node.ids.length) {
        const stop = maxlen !== null ? this.length <= maxlen : node.ids[k]! >= minid;
        if (stop) break;
        k++;
        this.length--;
      }
      node.ids.splice(0, k);
      node.fields.splice(0, k);
      node.deleted += k;
      deleted += k;
      break;
    }
    this.firstId = this.length === 0 ? ID_MIN : this.firstLiveId();
    return deleted;
  }

  /** Redis's streamRangeHasTombstones(s, start, +inf). */
  hasTombstonesFrom(start: StreamId): boolean {
    if (this.length === 0 || this.maxDeletedId === ID_MIN) return false;
    if (this.firstId > this.maxDeletedId) return false;
    return start <= this.maxDeletedId && this.maxDeletedId <= ID_MAX;
  }

  /** Redis's streamEstimateDistanceFromFirstEverEntry; -1 when unknown. */
  estimateEntriesRead(id: StreamId): number {
    if (this.entriesAdded === 0) return 0;
    if (this.length === 0 && id <= this.lastId) return this.entriesAdded;
    if (id === this.lastId) return this.entriesAdded;
    if (id > this.lastId) return -1;
    if (this.maxDeletedId === ID_MIN || this.maxDeletedId < this.firstId) {
      if (id < this.firstId) return this.entriesAdded - this.length;
      if (id === this.firstId) return this.entriesAdded - this.length + 1;
    }
    return -1;
  }

  /** XINFO's lag of a group, or null when it cannot be known (streamCGLag, 7.0). */
  lag(g: ConsumerGroup): number | null {
    if (this.entriesAdded === 0) return 0;
    if (g.entriesRead !== -1 && !this.hasTombstonesFrom(g.lastId)) return this.entriesAdded - g.entriesRead;
    const read = this.estimateEntriesRead(g.lastId);
    return read === -1 ? null : this.entriesAdded - read;
  }
}

function lowerBound(ids: readonly StreamId[], id: StreamId): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---- listpack size estimate (only decides where nodes split) ------------------------------------

const INT_RE = /^(0|-?[1-9][0-9]{0,18})$/;

function intBytes(v: number): number {
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  if (v >= -2147483648 && v <= 2147483647) return 6;
  return 10;
}

function elementBytes(s: string): number {
  if (s.length <= 20 && INT_RE.test(s)) {
    const v = Number(s);
    if (Number.isSafeInteger(v)) return intBytes(v);
    return 10;
  }
  const l = s.length;
  const body = (l < 64 ? 1 : l < 4096 ? 2 : 5) + l;
  return body + (body < 128 ? 1 : body < 16384 ? 2 : body < 2097152 ? 3 : body < 268435456 ? 4 : 5);
}

function masterBytes(fields: readonly string[]): number {
  let b = 7 + 2 + 2 + intBytes(fields.length) + 2; // header+end, count, deleted, num-fields, terminator
  for (const f of fields) b += elementBytes(f);
  return b;
}

function entryBytes(node: StreamNode, id: StreamId, fields: readonly string[]): number {
  const msDiff = Number((id >> 64n) - (node.master >> 64n));
  const seqDiff = Number((id & 0xffffffffffffffffn) - (node.master & 0xffffffffffffffffn));
  let b = 2 + intBytes(msDiff) + intBytes(seqDiff);
  const pairs = fields.length / 2;
  let same = pairs === node.masterFields.length;
  for (let i = 0; same && i < pairs; i++) same = fields[i * 2] === node.masterFields[i];
  if (same) {
    for (let i = 1; i < fields.length; i += 2) b += elementBytes(fields[i]!);
    return b + intBytes(pairs + 3);
  }
  b += intBytes(pairs);
  for (const f of fields) b += elementBytes(f);
  return b + intBytes(fields.length + 4);
}
