/*
 * SlotMap in isolation: slot stability and reuse (the SCAN guarantee), trailing trims, stable
 * deletion for the small encodings, random sampling and clone independence.
 */
import { describe, expect, test } from 'vitest';
import { SlotMap } from '../../commands/keyspace/slot-map.js';

function scanAll<V>(m: SlotMap<V>, count: number, between?: (round: number) => void): string[] {
  const out: string[] = [];
  let cursor = 0;
  let round = 0;
  do {
    cursor = m.scan(cursor, count, (k) => out.push(k));
    between?.(round++);
  } while (cursor !== 0);
  return out;
}

describe('SlotMap basics', () => {
  test('set get has delete size', () => {
    const m = new SlotMap<string>();
    expect(m.set('a', '1')).toBe(true);
    expect(m.set('b', '2')).toBe(true);
    expect(m.set('a', '3')).toBe(false);
    expect(m.get('a')).toBe('3');
    expect(m.get('zz')).toBeUndefined();
    expect(m.has('b')).toBe(true);
    expect(m.size).toBe(2);
    expect(m.delete('a')).toBe(true);
    expect(m.delete('a')).toBe(false);
    expect(m.size).toBe(1);
    expect([...m.entries()]).toEqual([['b', '2']]);
  });

  test('freed slots are reused and trailing ones trimmed', () => {
    const m = new SlotMap<number>();
    for (let i = 0; i < 10; i++) m.set(`k${i}`, i);
    m.delete('k3');
    m.delete('k5');
    expect(m.slotCount).toBe(10);
    m.set('x', 0);
    expect(m.slotOf('x')).toBe(5);
    m.set('y', 0);
    expect(m.slotOf('y')).toBe(3);
    for (let i = 6; i < 10; i++) m.delete(`k${i}`);
    expect(m.slotCount).toBe(6);
    m.delete('x');
    expect(m.slotCount).toBe(5);
    // a stale free entry (slot 5 was trimmed) must not be reused wrongly
    m.set('z', 1);
    m.set('w', 2);
    expect(m.slotOf('z')).toBe(5);
    expect(m.slotOf('w')).toBe(6);
    expect(m.size).toBe(7);
    expect(new Set(m.keys())).toEqual(new Set(['k0', 'k1', 'k2', 'y', 'k4', 'z', 'w']));
  });

  test('emptying resets everything', () => {
    const m = new SlotMap<null>();
    for (let i = 0; i < 100; i++) m.set(String(i), null);
    for (let i = 0; i < 100; i++) m.delete(String(i));
    expect(m.size).toBe(0);
    expect(m.slotCount).toBe(0);
    expect(m.randomSlot()).toBe(-1);
    m.set('a', null);
    expect(m.slotOf('a')).toBe(0);
  });

  test('deleteStable keeps insertion order', () => {
    const m = new SlotMap<string>();
    for (const k of ['a', 'b', 'c', 'd']) m.set(k, k.toUpperCase());
    m.deleteStable('b');
    expect([...m.entries()]).toEqual([['a', 'A'], ['c', 'C'], ['d', 'D']]);
    expect(m.slotOf('d')).toBe(2);
    m.set('e', 'E');
    expect([...m.keys()]).toEqual(['a', 'c', 'd', 'e']);
    expect(m.deleteStable('nope')).toBe(false);
  });
});

describe('SlotMap scan', () => {
  test('returns every member once without changes', () => {
    const m = new SlotMap<number>();
    for (let i = 0; i < 1000; i++) m.set(`m${i}`, i);
    const seen = scanAll(m, 7);
    expect(seen.length).toBe(1000);
    expect(new Set(seen).size).toBe(1000);
  });

  test('a member present for the whole scan is returned despite churn', () => {
    const m = new SlotMap<number>();
    for (let i = 0; i < 500; i++) m.set(`stable${i}`, i);
    for (let i = 0; i < 500; i++) m.set(`churn${i}`, i);
    let n = 0;
    const seen = new Set(
      scanAll(m, 10, (round) => {
        if (round >= 40) return;
        for (let j = 0; j < 20; j++) {
          m.delete(`churn${n % 500}`);
          m.set(`new${n}`, n);
          n++;
        }
      }),
    );
    for (let i = 0; i < 500; i++) expect(seen.has(`stable${i}`)).toBe(true);
  });

  test('bounds free slots passed per call', () => {
    const m = new SlotMap<number>();
    for (let i = 0; i < 1000; i++) m.set(`m${i}`, i);
    for (let i = 0; i < 999; i++) m.delete(`m${i}`);
    const got: string[] = [];
    const next = m.scan(0, 5, (k) => got.push(k));
    expect(got).toEqual([]);
    expect(next).toBe(50);
  });
});

describe('SlotMap sampling and clone', () => {
  test('randomSlot reaches every member, also when sparse', () => {
    const m = new SlotMap<number>();
    for (let i = 0; i < 10_000; i++) m.set(`m${i}`, i);
    for (let i = 0; i < 10_000; i++) if (i % 1000 !== 7) m.delete(`m${i}`);
    const hits = new Set<string>();
    for (let i = 0; i < 2000; i++) hits.add(m.keyAt(m.randomSlot())!);
    expect(hits.size).toBe(10);
  });

  test('clone shares nothing mutable', () => {
    const m = new SlotMap<string>();
    m.set('a', '1');
    m.set('b', '2');
    const c = m.clone();
    c.set('c', '3');
    c.delete('a');
    expect([...m.keys()]).toEqual(['a', 'b']);
    expect(c.size).toBe(2);
    expect(c.get('b')).toBe('2');
  });
});

describe('SlotMap index', () => {
  // The member index is an open-addressing table with backward-shift deletion: checked against a
  // Map through growth, shrinking, collisions of probe runs, stable deletes, clears and clones.
  test('matches a Map under random operations', () => {
    for (let round = 0; round < 8; round++) {
      const m = new SlotMap<number>();
      const ref = new Map<string, number>();
      const range = [5, 50, 500, 5000][round % 4]!;
      for (let op = 0; op < 6000; op++) {
        // Every other round with a byte above 127, which slotOfBytes must hash as the string does.
        const k = `k${Math.floor(Math.random() * range)}${round % 2 === 1 ? '\u00e9' : ''}`;
        const r = Math.random();
        if (r < 0.4) {
          expect(m.set(k, op)).toBe(!ref.has(k));
          ref.set(k, op);
        } else if (r < 0.55) {
          expect(m.delete(k)).toBe(ref.delete(k));
        } else if (r < 0.65) {
          expect(m.deleteStable(k)).toBe(ref.delete(k));
        } else if (r < 0.7) {
          const s = m.randomSlot();
          if (s >= 0) {
            const key = m.keyAt(s)!;
            m.deleteSlot(s);
            expect(ref.delete(key)).toBe(true);
          }
        } else if (r < 0.71) {
          const copy = m.clone();
          m.clear();
          for (const [key, v] of ref) expect(copy.get(key)).toBe(v);
          ref.clear();
        } else {
          expect(m.get(k)).toBe(ref.get(k));
          expect(m.has(k)).toBe(ref.has(k));
          const s = m.slotOf(k);
          expect(m.slotOfBytes(Buffer.from(k, 'latin1'))).toBe(s);
          if (s >= 0) expect(m.keyAt(s)).toBe(k);
        }
        expect(m.size).toBe(ref.size);
      }
      for (const [k, v] of ref) expect(m.get(k)).toBe(v);
      expect([...m.keys()].sort()).toEqual([...ref.keys()].sort());
    }
  });
});
