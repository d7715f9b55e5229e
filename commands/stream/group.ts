/*
 * Consumer groups: the group's last-delivered ID and entries-read counter, its pending entries
 * list (PEL) and its consumers, each with its own PEL. The PELs are sorted ID arrays (plus a Map
 * from ID to the NACK for the group), so XPENDING/XAUTOCLAIM seek in O(log n). Fields map 1:1 to
 * the neutral RDB model (persistence/rdb-types.ts StreamGroup/StreamConsumer/StreamPendingEntry).
 */
import type { StreamId } from './id.js';

/** Redis's SCG_INVALID_ENTRIES_READ: the group's read counter is unknown. */
export const ENTRIES_READ_INVALID = -1;

/** A sorted set of IDs in a plain array: binary-search seeks, splice updates. */
export class IdList {
  ids: StreamId[] = [];

  get size(): number {
    return this.ids.length;
  }

  /** Index of the first ID >= id. */
  lowerBound(id: StreamId): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ids[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds id; false when already present. */
  add(id: StreamId): boolean {
    const n = this.ids.length;
    if (n === 0 || this.ids[n - 1]! < id) {
      this.ids.push(id);
      return true;
    }
    const i = this.lowerBound(id);
    if (this.ids[i] === id) return false;
    this.ids.splice(i, 0, id);
    return true;
  }

  remove(id: StreamId): boolean {
    const i = this.lowerBound(id);
    if (this.ids[i] !== id) return false;
    this.ids.splice(i, 1);
    return true;
  }
}

export class Consumer {
  readonly pel = new IdList();

  constructor(
    readonly name: string,
    /** Unix ms of the last interaction (XINFO seen-time / idle). */
    public seenTime: number,
    /** Unix ms of the last successful read or claim; -1 never (XINFO active-time / inactive). */
    public activeTime = -1,
  ) {}
}

export interface Nack {
  /** Unix ms of the last delivery. */
  deliveryTime: number;
  deliveryCount: number;
  consumer: Consumer;
}

export class ConsumerGroup {
  /** The group PEL: sorted IDs plus the NACK of each. */
  readonly pelIds = new IdList();
  readonly pel = new Map<StreamId, Nack>();
  readonly consumers = new Map<string, Consumer>();

  constructor(
    public lastId: StreamId,
    /** Entries the group has read, or ENTRIES_READ_INVALID. */
    public entriesRead: number,
  ) {}

  /**
   * Creates a consumer unless it exists; returns it and whether it is new. A lookup refreshes
   * the seen time unless `refresh` is false (Redis's SLC_NO_REFRESH).
   */
  consumer(name: string, now: number, refresh = true): [Consumer, boolean] {
    const existing = this.consumers.get(name);
    if (existing !== undefined) {
      if (refresh) existing.seenTime = now;
      return [existing, false];
    }
    const c = new Consumer(name, now);
    this.consumers.set(name, c);
    return [c, true];
  }

  /** Adds (or takes over) a pending entry for consumer. */
  addPending(id: StreamId, consumer: Consumer, deliveryTime: number, deliveryCount: number): Nack {
    const old = this.pel.get(id);
    if (old !== undefined) {
      old.consumer.pel.remove(id);
      old.consumer = consumer;
      old.deliveryTime = deliveryTime;
      old.deliveryCount = deliveryCount;
      consumer.pel.add(id);
      return old;
    }
    const nack: Nack = { deliveryTime, deliveryCount, consumer };
    this.pel.set(id, nack);
    this.pelIds.add(id);
    consumer.pel.add(id);
    return nack;
  }

  /** Acknowledges id; false when it was not pending. */
  ack(id: StreamId): boolean {
    const nack = this.pel.get(id);
    if (nack === undefined) return false;
    this.pel.delete(id);
    this.pelIds.remove(id);
    nack.consumer.pel.remove(id);
    return true;
  }

  /** Deletes a consumer and its pending entries; returns how many were pending. */
  deleteConsumer(name: string): number {
    const c = this.consumers.get(name);
    if (c === undefined) return 0;
    const n = c.pel.size;
    for (const id of c.pel.ids) {
      this.pel.delete(id);
      this.pelIds.remove(id);
    }
    this.consumers.delete(name);
    return n;
  }

  clone(): ConsumerGroup {
    const g = new ConsumerGroup(this.lastId, this.entriesRead);
    for (const [name, c] of this.consumers) {
      const copy = new Consumer(name, c.seenTime, c.activeTime);
      copy.pel.ids = c.pel.ids.slice();
      g.consumers.set(name, copy);
    }
    g.pelIds.ids = this.pelIds.ids.slice();
    for (const [id, n] of this.pel) {
      g.pel.set(id, { deliveryTime: n.deliveryTime, deliveryCount: n.deliveryCount, consumer: g.consumers.get(n.consumer.name)! });
    }
    return g;
  }
}

/** Names in Redis's rax order (bytewise; latin1 code units compare as bytes). */
export function sortedNames<T>(m: Map<string, T>): string[] {
  return [...m.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
