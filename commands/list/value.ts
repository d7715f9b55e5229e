/*
 * ListValue: a Redis list. Elements are latin1 strings (one char per byte, binary safe).
 *
 * Layout: a deque of blocks, like Redis's quicklist of listpacks. Each block is a plain JS array
 * of at most BLOCK elements; `blocks[head..tail)` are in use and the spare room on both sides of
 * that window lets a block be added at either end in O(1) amortised (the window is re-centred
 * when one side runs out). So:
 *   - push/pop at either end: O(1) whatever the length (an unshift/shift inside one block moves
 *     at most BLOCK pointers);
 *   - index i: walk the blocks from the nearer end, O(n/BLOCK);
 *   - insert/remove in the middle: a splice inside one block; an overfull block is split, an
 *     empty one dropped.
 * A small list is one exact-size array, so a million short lists cost what their strings cost.
 *
 * Encoding (OBJECT ENCODING) follows Redis 7.2: 'listpack' until the estimated listpack size
 * passes list-max-listpack-size, then 'quicklist', and back to 'listpack' after a shrinking
 * command once the list fits in half the limit. `lpBytes` estimates the listpack's size entry by
 * entry as Redis lays it out (encoding header + payload + back-length). Redis converts back only
 * when the quicklist has a single node; we have no nodes to count and use the total instead, so
 * a list near the threshold may convert back a little sooner than in Redis. Redis 7.0 always
 * answers 'quicklist'.
 */
import type { CollectionValue } from '../keyspace/value.js';

const BLOCK = 128;
/** An empty listpack: 4-byte total length, 2-byte count, 1-byte terminator. */
const LP_EMPTY = 7;
/** Redis's quicklist optimization_level: node byte limits for fill -1..-5. */
const SIZE_LEVELS = [4096, 8192, 16384, 32768, 65536];
/** Redis's SIZE_SAFETY_LIMIT for count-limited fills. */
const SIZE_SAFETY = 8192;

/** Bytes one element takes in a listpack (Redis 7 lpEncode*: int encodings, string headers, backlen). */
export function lpEntrySize(s: string): number {
  const len = s.length;
  let enc: number;
  const n = len <= 20 && len > 0 ? canonicalInt(s) : undefined;
  if (n !== undefined) {
    if (n >= 0 && n <= 127) enc = 1;
    else if (n >= -4096 && n <= 4095) enc = 2;
    else if (n >= -32768 && n <= 32767) enc = 3;
    else if (n >= -8388608 && n <= 8388607) enc = 4;
    else if (n >= -2147483648 && n <= 2147483647) enc = 5;
    else enc = 9;
  } else if (len < 64) enc = 1 + len;
  else if (len < 4096) enc = 2 + len;
  else enc = 5 + len;
  const back = enc <= 127 ? 1 : enc < 16383 ? 2 : enc < 2097151 ? 3 : enc < 268435455 ? 4 : 5;
  return enc + back;
}

/**
 * The value when s is an int64 in canonical form (lpStringToInt64's test: no '+', no leading
 * zeros, no "-0"), else undefined. Beyond 2^53 the magnitude is approximate, which only matters
 * for choosing between the 5- and 9-byte encodings, where it is still right.
 */
function canonicalInt(s: string): number | undefined {
  let i = 0;
  const first = s.charCodeAt(0);
  if (first === 45) {
    if (s.length === 1) return undefined;
    i = 1;
  }
  const lead = s.charCodeAt(i);
  if (lead === 48) return s.length === 1 ? 0 : undefined;
  let v = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    v = v * 10 + (c - 48);
  }
  if (s.length >= 19) {
    const big = BigInt(s);
    if (big > 9223372036854775807n || big < -9223372036854775808n) return undefined;
  }
  return first === 45 ? -v : v;
}

export class ListValue implements CollectionValue {
  readonly type = 'list' as const;
  private blocks: string[][];
  private head: number;
  private tail: number;
  private count = 0;
  /** Estimated listpack bytes of all elements (header included), kept up to date by every change. */
  private lpBytes = LP_EMPTY;
  private quick = false;

  constructor() {
    this.blocks = [[]];
    this.head = 0;
    this.tail = 1;
  }

  get length(): number {
    return this.count;
  }

  encoding(): string {
    return this.quick ? 'quicklist' : 'listpack';
  }

  clone(): ListValue {
    const copy = new ListValue();
    copy.blocks = this.blocks.slice(this.head, this.tail).map((b) => b.slice());
    copy.head = 0;
    copy.tail = copy.blocks.length;
    copy.count = this.count;
    copy.lpBytes = this.lpBytes;
    copy.quick = this.quick;
    return copy;
  }

  // ---- encoding transitions (Redis 7.2 listTypeTryConversion*) -----------------------------------

  /**
   * Call before adding elements whose raw lengths sum to addBytes: Redis 7.2 converts a listpack
   * to a quicklist when its bytes plus the new payload would pass the node limit.
   */
  willGrow(fill: number, addBytes: number, addCount: number): void {
    if (this.quick) return;
    if (exceedsLimit(fill, this.lpBytes + addBytes, this.count + addCount)) this.quick = true;
  }

  /** Call after a command removed or replaced elements (pops, LREM, LTRIM, LSET). */
  shrunk(fill: number): void {
    if (!this.quick) return;
    let sz: number;
    let cnt: number;
    if (fill >= 0) {
      sz = Number.MAX_SAFE_INTEGER;
      cnt = fill === 0 ? 1 : fill;
    } else {
      sz = SIZE_LEVELS[Math.min(-fill - 1, SIZE_LEVELS.length - 1)]!;
      cnt = Number.MAX_SAFE_INTEGER;
    }
    if (this.lpBytes <= Math.floor(sz / 2) && this.count <= Math.floor(cnt / 2)) this.quick = false;
  }

  // ---- ends ---------------------------------------------------------------------------------------

  pushTail(s: string): void {
    let b = this.blocks[this.tail - 1]!;
    if (b.length >= BLOCK) {
      if (this.tail === this.blocks.length) this.recentre();
      b = [];
      this.blocks[this.tail++] = b;
    }
    b.push(s);
    this.count++;
    this.lpBytes += lpEntrySize(s);
  }

  pushHead(s: string): void {
    let b = this.blocks[this.head]!;
    if (b.length >= BLOCK) {
      if (this.head === 0) this.recentre();
      b = [];
      this.blocks[--this.head] = b;
    }
    b.unshift(s);
    this.count++;
    this.lpBytes += lpEntrySize(s);
  }

  popHead(): string | undefined {
    if (this.count === 0) return undefined;
    const b = this.blocks[this.head]!;
    const s = b.shift()!;
    if (b.length === 0 && this.tail - this.head > 1) this.dropBlock(this.head);
    this.removed(s);
    return s;
  }

  popTail(): string | undefined {
    if (this.count === 0) return undefined;
    const b = this.blocks[this.tail - 1]!;
    const s = b.pop()!;
    if (b.length === 0 && this.tail - this.head > 1) this.dropBlock(this.tail - 1);
    this.removed(s);
    return s;
  }

  // ---- positions ----------------------------------------------------------------------------------

  /** The element at index (0-based from the head, in range), O(n/BLOCK). */
  at(index: number): string {
    const [bi, off] = this.locate(index);
    return this.blocks[bi]![off]!;
  }

  /** Replaces the element at index (in range). */
  setAt(index: number, s: string): void {
    const [bi, off] = this.locate(index);
    const b = this.blocks[bi]!;
    this.lpBytes += lpEntrySize(s) - lpEntrySize(b[off]!);
    b[off] = s;
  }

  /** Inserts s so that it ends up at index (0..length). */
  insertAt(index: number, s: string): void {
    if (index === 0) return this.pushHead(s);
    if (index === this.count) return this.pushTail(s);
    const [bi, off] = this.locate(index);
    const b = this.blocks[bi]!;
    b.splice(off, 0, s);
    this.count++;
    this.lpBytes += lpEntrySize(s);
    if (b.length > BLOCK) this.splitBlock(bi);
  }

  /**
   * Calls visit(element, index) from the head (or from the tail when reverse) until it returns
   * false. The list must not change during the walk.
   */
  forEach(visit: (s: string, index: number) => boolean, reverse = false): void {
    if (!reverse) {
      let i = 0;
      for (let bi = this.head; bi < this.tail; bi++) {
        const b = this.blocks[bi]!;
        for (let j = 0; j < b.length; j++) if (!visit(b[j]!, i++)) return;
      }
    } else {
      let i = this.count - 1;
      for (let bi = this.tail - 1; bi >= this.head; bi--) {
        const b = this.blocks[bi]!;
        for (let j = b.length - 1; j >= 0; j--) if (!visit(b[j]!, i--)) return;
      }
    }
  }

  /** Elements start..end inclusive (in range, start <= end), head to tail. */
  range(start: number, end: number): string[] {
    const out = new Array<string>(end - start + 1);
    let [bi, off] = this.locate(start);
    for (let k = 0; k < out.length; k++) {
      let b = this.blocks[bi]!;
      if (off >= b.length) {
        b = this.blocks[++bi]!;
        off = 0;
      }
      out[k] = b[off++]!;
    }
    return out;
  }

  /**
   * Removes elements for which remove(s) is true, up to limit of them (0 = all), scanning from
   * the head or, when fromTail, from the tail. Returns how many were removed. One pass, O(n).
   */
  removeWhere(remove: (s: string) => boolean, limit: number, fromTail: boolean): number {
    let removed = 0;
    const step = fromTail ? -1 : 1;
    for (let bi = fromTail ? this.tail - 1 : this.head; bi >= this.head && bi < this.tail; bi += step) {
      const b = this.blocks[bi]!;
      const kept: string[] = [];
      const n = b.length;
      let hit = false;
      for (let k = 0; k < n; k++) {
        const j = fromTail ? n - 1 - k : k;
        const s = b[j]!;
        if ((limit === 0 || removed < limit) && remove(s)) {
          removed++;
          this.lpBytes -= lpEntrySize(s);
          hit = true;
        } else kept.push(s);
      }
      if (hit) {
        if (fromTail) kept.reverse();
        this.blocks[bi] = kept;
      }
      if (limit !== 0 && removed >= limit) break;
    }
    this.count -= removed;
    if (removed > 0) this.compact();
    return removed;
  }

  /** Keeps elements start..end inclusive (in range); drops the rest from both ends. */
  trim(start: number, end: number): void {
    const fromTail = this.count - 1 - end;
    for (let i = 0; i < start; i++) this.popHead();
    for (let i = 0; i < fromTail; i++) this.popTail();
  }

  // ---- internals ----------------------------------------------------------------------------------

  private removed(s: string): void {
    this.count--;
    this.lpBytes -= lpEntrySize(s);
  }

  /** [block index, offset] of a valid element index, walking from the nearer end. */
  private locate(index: number): [number, number] {
    if (index < this.count / 2) {
      let i = index;
      for (let bi = this.head; ; bi++) {
        const len = this.blocks[bi]!.length;
        if (i < len) return [bi, i];
        i -= len;
      }
    }
    let i = this.count - 1 - index;
    for (let bi = this.tail - 1; ; bi--) {
      const len = this.blocks[bi]!.length;
      if (i < len) return [bi, len - 1 - i];
      i -= len;
    }
  }

  /** Makes room on both sides of the block window (amortised O(1) per added block). */
  private recentre(): void {
    const used = this.tail - this.head;
    const room = Math.max(4, used);
    const next = new Array<string[]>(used + 2 * room);
    for (let i = 0; i < used; i++) next[room + i] = this.blocks[this.head + i]!;
    this.blocks = next;
    this.head = room;
    this.tail = room + used;
  }

  /** Releases an emptied end block; bi is the head or the tail block. */
  private dropBlock(bi: number): void {
    if (bi === this.head) {
      this.blocks[this.head++] = EMPTY_SLOT;
    } else {
      this.blocks[--this.tail] = EMPTY_SLOT;
    }
  }

  private splitBlock(bi: number): void {
    const b = this.blocks[bi]!;
    // Splicing into the window shifts the right-hand spare room along; the left side is untouched.
    this.blocks.splice(bi + 1, 0, b.splice(b.length >> 1));
    this.tail++;
  }

  /** After bulk removal: drops empty blocks (keeping one) and rebuilds the window. */
  private compact(): void {
    const live: string[][] = [];
    for (let bi = this.head; bi < this.tail; bi++) {
      const b = this.blocks[bi]!;
      if (b.length > 0) live.push(b);
    }
    if (live.length === 0) live.push([]);
    this.blocks = live;
    this.head = 0;
    this.tail = live.length;
  }
}

/** Released block slots point here, so the window's spare room holds no stale arrays. */
const EMPTY_SLOT: string[] = [];

/** Redis's quicklistNodeExceedsLimit. */
function exceedsLimit(fill: number, bytes: number, count: number): boolean {
  if (fill < 0) return bytes > SIZE_LEVELS[Math.min(-fill - 1, SIZE_LEVELS.length - 1)]!;
  if (bytes > SIZE_SAFETY) return true;
  return count > (fill === 0 ? 1 : fill);
}
