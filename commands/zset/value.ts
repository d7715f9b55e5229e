/*
 * ZsetValue: a sorted set, the value type behind the Z* commands (and, later, GEO).
 *
 * Two parts, as Redis's skiplist encoding: a ScoreTree ordered by (score, member) for ranks and
 * ranges, and a SlotMap member -> score for O(1) lookups and ZSCAN's cursor guarantee. While the
 * set is small (zset-max-listpack-entries / -value) there is no dict: lookups scan the tree's one
 * or few leaves, as Redis scans its listpack, and OBJECT ENCODING says 'listpack'. Crossing either
 * limit builds the dict once and the set stays 'skiplist' for good, as in Redis.
 *
 * A -0 score: Redis 7.0 keeps a listpack set's scores as text, and its d2string writes -0 as "0",
 * so a 'listpack' set stores 0 where a 'skiplist' one keeps the double -0 (ZSCORE answers "0" or
 * "-0" accordingly). Every insertion here goes through storedScore() for that reason, and a
 * member that makes the set cross a limit converts it first, as zsetAdd does, so it keeps its -0.
 *
 * Public API (what commands and GEO use):
 *   size, score(m), add(m, s, limits) (or insertNew / updateScore when the caller already looked
 *   the member up), remove(m), rank(m), rankOf(m, s), countBefore(bound, s, m) for range ends,
 *   cursor(rank) / seek() to walk ranks forwards or backwards, popRank(r), scan(), entries(),
 *   randomMember(), isListpack / convert().
 * Callers keep the keyspace rule that a stored zset is never empty: delete the key at size 0.
 */
import type { CollectionValue } from '../keyspace/value.js';
import { SlotMap } from '../keyspace/slot-map.js';
import { BOUND_KEY, type Bound, type Leaf, ScoreTree, type TreePos } from './tree.js';

/** zset-max-listpack-entries and zset-max-listpack-value, read once per command. */
export interface ZsetLimits {
  entries: number;
  value: number;
}

/** add()'s outcome. */
export const ZADD_NOP = 0;
export const ZADD_ADDED = 1;
export const ZADD_UPDATED = 2;

/** A position in rank order; step with next()/prev(), read member/score while valid. */
export class ZsetCursor implements TreePos {
  leaf: Leaf;
  i = 0;
  constructor(leaf: Leaf) {
    this.leaf = leaf;
  }
  get member(): string {
    return this.leaf.m[this.i]!;
  }
  get score(): number {
    return this.leaf.s[this.i]!;
  }
  next(): void {
    if (++this.i >= this.leaf.m.length && this.leaf.next !== null) {
      this.leaf = this.leaf.next;
      this.i = 0;
    }
  }
  prev(): void {
    if (--this.i < 0 && this.leaf.prev !== null) {
      this.leaf = this.leaf.prev;
      this.i = this.leaf.m.length - 1;
    }
  }
}

export class ZsetValue implements CollectionValue {
  readonly type = 'zset';
  private tree = new ScoreTree();
  private dict: SlotMap<number> | null = null;

  /** A set that starts as 'skiplist' (zset-max-listpack-entries 0, or a first member too long). */
  static create(limits: ZsetLimits, firstMemberLength: number): ZsetValue {
    const z = new ZsetValue();
    if (limits.entries === 0 || firstMemberLength > limits.value) z.dict = new SlotMap();
    return z;
  }

  get size(): number {
    return this.tree.size;
  }

  get isListpack(): boolean {
    return this.dict === null;
  }

  encoding(): string {
    return this.dict === null ? 'listpack' : 'skiplist';
  }

  /** The member's score, or undefined. */
  score(member: string): number | undefined {
    if (this.dict !== null) return this.dict.get(member);
    for (let leaf: Leaf | null = this.tree.firstLeaf(); leaf !== null; leaf = leaf.next) {
      const i = leaf.m.indexOf(member);
      if (i >= 0) return leaf.s[i];
    }
    return undefined;
  }

  /** The score as this set stores it: a 'listpack' set has no -0 (see the top comment). */
  private storedScore(score: number): number {
    return score === 0 && this.dict === null ? 0 : score;
  }

  /**
   * Sets member's score (the caller already applied NX/XX/GT/LT and NaN checks). Returns ZADD_ADDED,
   * ZADD_UPDATED (score changed) or ZADD_NOP. Converts to 'skiplist' when a limit is crossed.
   */
  add(member: string, score: number, limits: ZsetLimits): number {
    const old = this.score(member);
    if (old !== undefined) {
      if (old === score) return ZADD_NOP;
      this.updateScore(member, old, score);
      return ZADD_UPDATED;
    }
    if (this.dict === null && (this.tree.size + 1 > limits.entries || member.length > limits.value)) this.convert();
    this.insertNew(member, score);
    return ZADD_ADDED;
  }

  /**
   * The dict slot of member in a 'skiplist' set (-1 when absent, or for a 'listpack' set): ZADD
   * reads and updates an existing member's score through it with one hash lookup instead of two.
   */
  slotOf(member: string): number {
    return this.dict === null ? -1 : this.dict.slotOf(member);
  }

  /** slotOf for a member given as its argument bytes (no string made). */
  slotOfBytes(b: Buffer): number {
    return this.dict === null ? -1 : this.dict.slotOfBytes(b);
  }

  /** The stored member in a slot that slotOf/slotOfBytes returned. */
  memberAt(slot: number): string {
    return this.dict!.keyAt(slot)!;
  }

  scoreAtSlot(slot: number): number {
    return this.dict!.valueAt(slot);
  }

  /** updateScore for a member found by slotOf. */
  updateScoreAtSlot(slot: number, member: string, old: number, score: number): void {
    this.tree.delete(member, old);
    this.tree.insert(member, score);
    this.dict!.setValueAt(slot, score);
  }

  /** Moves a present member from score `old` to `score` (old !== score). */
  updateScore(member: string, old: number, score: number): void {
    const stored = this.storedScore(score);
    this.tree.delete(member, old);
    this.tree.insert(member, stored);
    if (this.dict !== null) this.dict.set(member, stored);
  }

  /**
   * Adds a member known to be absent, with no limit checks (building a result set; a caller
   * growing a 'listpack' set past a limit converts it first).
   */
  insertNew(member: string, score: number): void {
    const stored = this.storedScore(score);
    this.tree.insert(member, stored);
    if (this.dict !== null) this.dict.insert(member, stored);
  }

  /** Removes member; false when absent. */
  remove(member: string): boolean {
    const old = this.score(member);
    if (old === undefined) return false;
    this.tree.delete(member, old);
    if (this.dict !== null) this.dict.delete(member);
    return true;
  }

  /** 0-based ascending rank, or -1 when absent. */
  rank(member: string): number {
    const s = this.score(member);
    return s === undefined ? -1 : this.tree.rank(member, s);
  }

  /** Elements sorting before a bound (see tree.ts Bound); range ends are built from this. */
  countBefore(kind: Bound, score: number, member: string): number {
    return this.tree.countBefore(kind, score, member);
  }

  /** A cursor at rank r (0 <= r < size). */
  cursor(r: number): ZsetCursor {
    const c = new ZsetCursor(this.tree.firstLeaf());
    this.tree.seek(r, c);
    return c;
  }

  /** Moves an existing cursor to rank r (no allocation: ZPOPMIN's loop). */
  seek(r: number, c: ZsetCursor): void {
    this.tree.seek(r, c);
  }

  /** Removes the element of rank r, writing it into out. */
  popRank(r: number, out: { member: string; score: number }): void {
    this.tree.deleteRank(r, out);
    if (this.dict !== null) this.dict.delete(out.member);
  }

  /** Rank of (score, member) for a pair known to be present. */
  rankOf(member: string, score: number): number {
    return this.tree.countBefore(BOUND_KEY, score, member);
  }

  /**
   * ZSCAN step. A 'listpack' set returns everything at once with cursor 0 (as Redis does for its
   * small encodings); a 'skiplist' one walks the dict's slots. Returns the next cursor.
   */
  scan(cursor: number, count: number, visit: (member: string, score: number) => void): number {
    if (this.dict !== null) return this.dict.scan(cursor, count, visit);
    for (let leaf: Leaf | null = this.tree.firstLeaf(); leaf !== null; leaf = leaf.next) {
      for (let i = 0; i < leaf.m.length; i++) visit(leaf.m[i]!, leaf.s[i]!);
    }
    return 0;
  }

  /** A uniformly random member (ZRANDMEMBER), or undefined when empty. */
  randomMember(): string | undefined {
    if (this.size === 0) return undefined;
    if (this.dict !== null) {
      const slot = this.dict.randomSlot();
      return this.dict.keyAt(slot) ?? undefined;
    }
    return this.cursor(Math.floor(Math.random() * this.size)).member;
  }

  /** Every (member, score) in ascending order. */
  *entries(): IterableIterator<[string, number]> {
    for (let leaf: Leaf | null = this.tree.firstLeaf(); leaf !== null; leaf = leaf.next) {
      for (let i = 0; i < leaf.m.length; i++) yield [leaf.m[i]!, leaf.s[i]!];
    }
  }

  /** Makes this set 'skiplist' now (result sets past the limits, conversions). */
  convert(): void {
    if (this.dict !== null) return;
    const dict = new SlotMap<number>();
    for (let leaf: Leaf | null = this.tree.firstLeaf(); leaf !== null; leaf = leaf.next) {
      for (let i = 0; i < leaf.m.length; i++) dict.insert(leaf.m[i]!, leaf.s[i]!);
    }
    this.dict = dict;
  }

  clone(): ZsetValue {
    const copy = new ZsetValue();
    if (this.dict !== null) copy.dict = new SlotMap();
    for (let leaf: Leaf | null = this.tree.firstLeaf(); leaf !== null; leaf = leaf.next) {
      for (let i = 0; i < leaf.m.length; i++) copy.insertNew(leaf.m[i]!, leaf.s[i]!);
    }
    return copy;
  }
}

/**
 * A result only replied, never stored (ZUNION, ZINTER, ZDIFF): Redis builds it as a skiplist and
 * replies from that, so a -0 score stays -0.
 */
export function zsetForReply(): ZsetValue {
  const z = new ZsetValue();
  z.convert();
  return z;
}

/** A result set whose encoding Redis 7.0 picks from its final size and longest member. */
export function zsetForResult(limits: ZsetLimits, size: number, maxMemberLength: number): ZsetValue {
  const z = new ZsetValue();
  if (size > limits.entries || maxMemberLength > limits.value) z.convert();
  return z;
}
