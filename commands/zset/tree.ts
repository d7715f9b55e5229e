/*
 * ScoreTree: the ordered half of a sorted set, a counted B+tree over (score, member) pairs.
 *
 * Order: score ascending (doubles, -0 equals 0), ties by member compared bytewise; members are
 * latin1 strings, so JS `<` on them is memcmp order. Redis uses a skiplist with spans; a B+tree
 * gives the same O(log n) insert, delete, rank and rank-to-element, but keeps members and scores
 * in packed per-leaf arrays (about 12 bytes per element besides the member string) instead of one
 * node object with two level arrays per element, which is what lets 10 million members fit.
 *
 * Invariants:
 *   - every leaf but a lone root holds 1..LEAF_CAP elements; leaves are chained prev/next in order;
 *   - an inner node holds 1..INNER_CAP children and, per child, its element count and its smallest
 *     key (minS/minM), so descents compare against those keys without visiting the child;
 *   - the tree never holds the same member twice (the caller's member dict guarantees it).
 * Underfull nodes are not merged: a node leaves the tree only when it is empty. Height is bounded
 * by the largest size the set ever had, which is what Redis's skiplist level is bounded by too.
 *
 * The module keeps one descent path in module state (commands run synchronously), so an insert or
 * delete allocates nothing unless a node splits.
 */

const LEAF_CAP = 128;
const INNER_CAP = 64;
/** A leaf this small is merged into a sibling when both fit in half a leaf (memory after deletes). */
const LEAF_MIN = LEAF_CAP / 8;

export class Leaf {
  readonly isLeaf = true;
  m: string[] = [];
  s: number[] = [];
  prev: Leaf | null = null;
  next: Leaf | null = null;
}

class Inner {
  readonly isLeaf = false;
  kids: TreeNode[] = [];
  cnt: number[] = [];
  minS: number[] = [];
  minM: string[] = [];
}

type TreeNode = Leaf | Inner;

/*
 * How countBefore compares an element with the bound: (score, member) < (bs, bm); score < bs;
 * score <= bs; member < bm; member <= bm. Lex bounds ignore scores: Redis's lex ranges assume all
 * scores are equal and give unspecified results otherwise.
 */
export const BOUND_KEY = 0;
export const BOUND_SCORE_LT = 1;
export const BOUND_SCORE_LE = 2;
export const BOUND_LEX_LT = 3;
export const BOUND_LEX_LE = 4;
export type Bound = 0 | 1 | 2 | 3 | 4;

function before(kind: Bound, s: number, m: string, bs: number, bm: string): boolean {
  switch (kind) {
    case BOUND_KEY: return s < bs || (s === bs && m < bm);
    case BOUND_SCORE_LT: return s < bs;
    case BOUND_SCORE_LE: return s <= bs;
    case BOUND_LEX_LT: return m < bm;
    default: return m <= bm;
  }
}

const pathNodes: Inner[] = [];
const pathIdx: number[] = [];

/** Position found by seek(): a leaf and an index in it. */
export interface TreePos {
  leaf: Leaf;
  i: number;
}

export class ScoreTree {
  private root: TreeNode = new Leaf();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Inserts a pair whose member is not in the tree. */
  insert(member: string, score: number): void {
    const depth = this.descend(score, member);
    const leaf = this.leafAt(depth);
    const ms = leaf.m;
    const ss = leaf.s;
    const pos = leafPosition(ms, ss, score, member);
    ms.push(member);
    ss.push(score);
    for (let j = ms.length - 1; j > pos; j--) {
      ms[j] = ms[j - 1]!;
      ss[j] = ss[j - 1]!;
    }
    ms[pos] = member;
    ss[pos] = score;
    this.count++;
    let split: TreeNode | null = ms.length > LEAF_CAP ? splitLeaf(leaf) : null;
    for (let d = depth - 1; d >= 0; d--) {
      const parent = pathNodes[d]!;
      const i = pathIdx[d]!;
      parent.cnt[i]!++;
      setMin(parent, i);
      if (split !== null) {
        const n = sizeOf(split);
        parent.cnt[i]! -= n;
        insertKid(parent, i + 1, split, n);
        split = parent.kids.length > INNER_CAP ? splitInner(parent) : null;
      }
    }
    if (split !== null) {
      const old = this.root;
      const root = new Inner();
      insertKid(root, 0, old, sizeOf(old));
      insertKid(root, 1, split, sizeOf(split));
      this.root = root;
    }
  }

  /** Removes the pair; false when it is not in the tree. */
  delete(member: string, score: number): boolean {
    const depth = this.descend(score, member);
    const leaf = this.leafAt(depth);
    const ms = leaf.m;
    const ss = leaf.s;
    // By binary search, as insert: a linear scan compared up to LEAF_CAP member strings by
    // content (ZADD's update of a big set spent most of its time there).
    const pos = leafPosition(ms, ss, score, member);
    if (pos === ms.length || ms[pos] !== member) return false;
    this.removeAt(leaf, pos, depth);
    return true;
  }

  /** Removes and returns the element of rank r (0-based, in range) into `out`. */
  deleteRank(r: number, out: { member: string; score: number }): void {
    let node = this.root;
    let depth = 0;
    while (!node.isLeaf) {
      const cnt = node.cnt;
      let i = 0;
      while (r >= cnt[i]!) r -= cnt[i++]!;
      pathNodes[depth] = node;
      pathIdx[depth++] = i;
      node = node.kids[i]!;
    }
    out.member = node.m[r]!;
    out.score = node.s[r]!;
    this.removeAt(node, r, depth);
  }

  /** Number of elements that sort before the bound (the rank of the first one that does not). */
  countBefore(kind: Bound, bs: number, bm: string): number {
    let node = this.root;
    let rank = 0;
    while (!node.isLeaf) {
      const n = node.kids.length;
      let j = 0;
      while (j < n && before(kind, node.minS[j]!, node.minM[j]!, bs, bm)) j++;
      if (j === 0) return rank;
      for (let k = 0; k < j - 1; k++) rank += node.cnt[k]!;
      node = node.kids[j - 1]!;
    }
    const ms = node.m;
    const ss = node.s;
    let lo = 0;
    let hi = ms.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(kind, ss[mid]!, ms[mid]!, bs, bm)) lo = mid + 1;
      else hi = mid;
    }
    return rank + lo;
  }

  /** 0-based rank of a pair known to be in the tree. */
  rank(member: string, score: number): number {
    return this.countBefore(BOUND_KEY, score, member);
  }

  /** The leaf and index of the element of rank r (0 <= r < size), written into pos. */
  seek(r: number, pos: TreePos): void {
    let node = this.root;
    while (!node.isLeaf) {
      const cnt = node.cnt;
      let i = 0;
      while (r >= cnt[i]!) r -= cnt[i++]!;
      node = node.kids[i]!;
    }
    pos.leaf = node;
    pos.i = r;
  }

  /** The first leaf (possibly empty when the tree is). */
  firstLeaf(): Leaf {
    let node = this.root;
    while (!node.isLeaf) node = node.kids[0]!;
    return node;
  }

  /** Finds the leaf for (score, member) and records the inner nodes on the way; returns the depth. */
  private descend(score: number, member: string): number {
    let node = this.root;
    let depth = 0;
    while (!node.isLeaf) {
      const n = node.kids.length;
      let j = 0;
      // The child to enter is the last whose smallest key is <= the key (or the first).
      while (j < n && !before(BOUND_KEY, score, member, node.minS[j]!, node.minM[j]!)) j++;
      const i = j === 0 ? 0 : j - 1;
      pathNodes[depth] = node;
      pathIdx[depth++] = i;
      node = node.kids[i]!;
    }
    return depth;
  }

  private leafAt(depth: number): Leaf {
    const node = depth === 0 ? this.root : pathNodes[depth - 1]!.kids[pathIdx[depth - 1]!]!;
    return node as Leaf;
  }

  private removeAt(leaf: Leaf, pos: number, depth: number): void {
    const ms = leaf.m;
    const ss = leaf.s;
    for (let j = pos + 1; j < ms.length; j++) {
      ms[j - 1] = ms[j]!;
      ss[j - 1] = ss[j]!;
    }
    ms.pop();
    ss.pop();
    this.count--;
    let emptied = ms.length === 0;
    if (emptied && depth > 0) {
      if (leaf.prev !== null) leaf.prev.next = leaf.next;
      if (leaf.next !== null) leaf.next.prev = leaf.prev;
    }
    let top = depth - 1;
    if (!emptied && depth > 0 && ms.length < LEAF_MIN && mergeLeaf(pathNodes[top]!, pathIdx[top]!)) top--;
    for (let d = top; d >= 0; d--) {
      const parent = pathNodes[d]!;
      const i = pathIdx[d]!;
      if (emptied) {
        removeKid(parent, i);
        emptied = parent.kids.length === 0;
      } else {
        parent.cnt[i]!--;
        setMin(parent, i);
      }
    }
    if (emptied && depth > 0) {
      this.root = new Leaf();
      return;
    }
    let root = this.root;
    while (!root.isLeaf && root.kids.length === 1) root = root.kids[0]!;
    this.root = root;
  }
}

/**
 * Merges the small leaf at parent.kids[i] with a neighbour under the same parent when together
 * they fit in half a leaf; fixes that parent's count and min exactly. False when nothing merged.
 */
function mergeLeaf(parent: Inner, i: number): boolean {
  const kids = parent.kids;
  const n = (kids[i] as Leaf).m.length;
  let left = -1;
  if (i + 1 < kids.length && n + (kids[i + 1] as Leaf).m.length <= LEAF_CAP / 2) left = i;
  else if (i > 0 && n + (kids[i - 1] as Leaf).m.length <= LEAF_CAP / 2) left = i - 1;
  if (left < 0) return false;
  const a = kids[left] as Leaf;
  const b = kids[left + 1] as Leaf;
  for (let k = 0; k < b.m.length; k++) {
    a.m.push(b.m[k]!);
    a.s.push(b.s[k]!);
  }
  a.next = b.next;
  if (b.next !== null) b.next.prev = a;
  removeKid(parent, left + 1);
  parent.cnt[left] = a.m.length;
  setMin(parent, left);
  return true;
}

function sizeOf(node: TreeNode): number {
  if (node.isLeaf) return node.m.length;
  let n = 0;
  for (const c of node.cnt) n += c;
  return n;
}

function setMin(parent: Inner, i: number): void {
  const kid = parent.kids[i]!;
  if (kid.isLeaf) {
    parent.minS[i] = kid.s[0]!;
    parent.minM[i] = kid.m[0]!;
  } else {
    parent.minS[i] = kid.minS[0]!;
    parent.minM[i] = kid.minM[0]!;
  }
}

function insertKid(parent: Inner, at: number, kid: TreeNode, n: number): void {
  parent.kids.splice(at, 0, kid);
  parent.cnt.splice(at, 0, n);
  parent.minS.splice(at, 0, 0);
  parent.minM.splice(at, 0, '');
  setMin(parent, at);
}

function removeKid(parent: Inner, at: number): void {
  parent.kids.splice(at, 1);
  parent.cnt.splice(at, 1);
  parent.minS.splice(at, 1);
  parent.minM.splice(at, 1);
}

/** Moves the upper half of an overfull leaf into a new right neighbour and returns it. */
function splitLeaf(leaf: Leaf): Leaf {
  const half = leaf.m.length >>> 1;
  const right = new Leaf();
  right.m = leaf.m.slice(half);
  right.s = leaf.s.slice(half);
  leaf.m.length = half;
  leaf.s.length = half;
  right.next = leaf.next;
  right.prev = leaf;
  if (leaf.next !== null) leaf.next.prev = right;
  leaf.next = right;
  return right;
}

function splitInner(node: Inner): Inner {
  const half = node.kids.length >>> 1;
  const right = new Inner();
  right.kids = node.kids.slice(half);
  right.cnt = node.cnt.slice(half);
  right.minS = node.minS.slice(half);
  right.minM = node.minM.slice(half);
  node.kids.length = half;
  node.cnt.length = half;
  node.minS.length = half;
  node.minM.length = half;
  return right;
}

/** Where (score, member) is or would go in a leaf's sorted arrays. */
function leafPosition(ms: readonly string[], ss: readonly number[], score: number, member: string): number {
  let pos = 0;
  let hi = ms.length;
  while (pos < hi) {
    const mid = (pos + hi) >>> 1;
    if (before(BOUND_KEY, ss[mid]!, ms[mid]!, score, member)) pos = mid + 1;
    else hi = mid;
  }
  return pos;
}
