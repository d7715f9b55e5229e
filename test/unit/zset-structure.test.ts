/*
 * ScoreTree and ZsetValue against a naive sorted array: random inserts, updates, deletes and pops,
 * with ranks, bounds, cursors and encodings checked as the structure grows past node splits.
 */
import { describe, expect, test } from 'vitest';
import { BOUND_KEY, BOUND_LEX_LE, BOUND_LEX_LT, BOUND_SCORE_LE, BOUND_SCORE_LT, ScoreTree } from '../../commands/zset/tree.js';
import { ZADD_ADDED, ZADD_NOP, ZADD_UPDATED, ZsetValue } from '../../commands/zset/value.js';

type Pair = [string, number];

function cmp(a: Pair, b: Pair): number {
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** A small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x80000000;
  };
}

describe('ScoreTree', () => {
  test('random operations match a sorted array', () => {
    const rand = rng(42);
    const tree = new ScoreTree();
    const model = new Map<string, number>();
    for (let step = 0; step < 40000; step++) {
      const member = `m${Math.floor(rand() * 5000)}`;
      const old = model.get(member);
      if (old !== undefined && rand() < 0.45) {
        expect(tree.delete(member, old)).toBe(true);
        model.delete(member);
      } else if (old === undefined) {
        const score = Math.floor(rand() * 300);
        tree.insert(member, score);
        model.set(member, score);
      }
      if (step % 2000 === 0 || step === 39999) {
        const sorted = [...model.entries()].sort(cmp);
        expect(tree.size).toBe(sorted.length);
        const out: Pair[] = [];
        for (let leaf: ReturnType<ScoreTree['firstLeaf']> | null = tree.firstLeaf(); leaf !== null; leaf = leaf.next) {
          for (let i = 0; i < leaf.m.length; i++) out.push([leaf.m[i]!, leaf.s[i]!]);
        }
        expect(out).toEqual(sorted);
        for (let k = 0; k < 50 && sorted.length > 0; k++) {
          const r = Math.floor(rand() * sorted.length);
          const [m, s] = sorted[r]!;
          expect(tree.rank(m, s)).toBe(r);
          const pos = { leaf: tree.firstLeaf(), i: 0 };
          tree.seek(r, pos);
          expect(pos.leaf.m[pos.i]).toBe(m);
          const b = Math.floor(rand() * 300);
          expect(tree.countBefore(BOUND_SCORE_LT, b, '')).toBe(sorted.filter((p) => p[1] < b).length);
          expect(tree.countBefore(BOUND_SCORE_LE, b, '')).toBe(sorted.filter((p) => p[1] <= b).length);
          expect(tree.countBefore(BOUND_KEY, s, m)).toBe(r);
        }
      }
    }
    // Drain by popping rank 0: ascending order, and the tree ends empty.
    const sorted = [...model.entries()].sort(cmp);
    const out = { member: '', score: 0 };
    for (const [m, s] of sorted) {
      tree.deleteRank(0, out);
      expect([out.member, out.score]).toEqual([m, s]);
    }
    expect(tree.size).toBe(0);
    tree.insert('again', 1);
    expect(tree.rank('again', 1)).toBe(0);
  });

  test('mass deletion merges small leaves and keeps order and ranks', () => {
    const rand = rng(7);
    const tree = new ScoreTree();
    const live: Pair[] = [];
    for (let i = 0; i < 20000; i++) {
      const p: Pair = [`k${i}`, Math.floor(rand() * 1000)];
      tree.insert(p[0], p[1]);
      live.push(p);
    }
    const keep = live.filter(() => rand() < 0.03);
    const keepSet = new Set(keep.map((p) => p[0]));
    for (const [m, s] of live) if (!keepSet.has(m)) expect(tree.delete(m, s)).toBe(true);
    keep.sort(cmp);
    expect(tree.size).toBe(keep.length);
    let leaves = 0;
    const out: Pair[] = [];
    for (let leaf: ReturnType<ScoreTree['firstLeaf']> | null = tree.firstLeaf(); leaf !== null; leaf = leaf.next) {
      leaves++;
      for (let i = 0; i < leaf.m.length; i++) out.push([leaf.m[i]!, leaf.s[i]!]);
    }
    expect(out).toEqual(keep);
    expect(leaves).toBeLessThan(keep.length / 8);
    keep.forEach(([m, s], r) => expect(tree.rank(m, s)).toBe(r));
  });

  test('lex bounds compare bytes (latin1), not UTF-16 or locale', () => {
    const tree = new ScoreTree();
    for (const m of ['a', 'B', '\xff', '\x00', 'ab', '']) tree.insert(m, 0);
    expect(tree.countBefore(BOUND_LEX_LT, 0, 'a')).toBe(3); // '', '\0', 'B'
    expect(tree.countBefore(BOUND_LEX_LE, 0, 'a')).toBe(4);
    expect(tree.countBefore(BOUND_LEX_LT, 0, '\xff')).toBe(5);
  });
});

describe('ZsetValue', () => {
  const limits = { entries: 4, value: 8 };

  test('add outcomes, listpack to skiplist conversion, no way back', () => {
    const z = ZsetValue.create(limits, 1);
    expect(z.add('a', 1, limits)).toBe(ZADD_ADDED);
    expect(z.add('a', 1, limits)).toBe(ZADD_NOP);
    expect(z.add('a', 2, limits)).toBe(ZADD_UPDATED);
    expect(z.encoding()).toBe('listpack');
    for (const m of ['b', 'c', 'd']) z.add(m, 0, limits);
    expect(z.encoding()).toBe('listpack');
    z.add('e', 5, limits);
    expect(z.encoding()).toBe('skiplist');
    z.remove('e');
    z.remove('d');
    expect(z.encoding()).toBe('skiplist');
    expect(z.score('a')).toBe(2);
    expect(z.rank('a')).toBe(2);
    expect(z.rank('zz')).toBe(-1);
    const long = ZsetValue.create(limits, 1);
    long.add('123456789', 1, limits);
    expect(long.encoding()).toBe('skiplist');
    expect(ZsetValue.create({ entries: 0, value: 64 }, 1).encoding()).toBe('skiplist');
  });

  test('cursor walks both ways across leaves; clone is independent', () => {
    const big = { entries: 1, value: 64 };
    const z = ZsetValue.create(big, 1);
    for (let i = 0; i < 1000; i++) z.add(`m${i}`, i, big);
    const c = z.cursor(500);
    for (let i = 500; i < 800; i++, c.next()) expect(c.member).toBe(`m${i}`);
    const d = z.cursor(900);
    for (let i = 900; i > 100; i--, d.prev()) expect(d.score).toBe(i);
    const copy = z.clone();
    z.remove('m0');
    expect(copy.size).toBe(1000);
    expect(copy.encoding()).toBe('skiplist');
    const seen = new Set<string>();
    let cursor = 0;
    do cursor = copy.scan(cursor, 100, (m) => seen.add(m));
    while (cursor !== 0);
    expect(seen.size).toBe(1000);
  });
});
