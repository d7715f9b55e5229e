/*
 * Db in isolation, with a fake clock: slots and their reuse (what SCAN's guarantee rests on),
 * several key Maps past the per-Map limit, lazy and active expiry, exact int64 deadlines.
 */
import { describe, expect, test } from 'vitest';
import { Db } from '../../commands/keyspace/db.js';
import type { Clock } from '../../commands/keyspace/db-hooks.js';

function makeDb(mapLimit?: number) {
  const clock = { t: 1_000_000 };
  const expired: string[] = [];
  const fake: Clock = { now: () => clock.t };
  const db = new Db(0, fake, { expired: (_db, key) => expired.push(key) }, mapLimit);
  return { db, clock, expired };
}

function scanKeys(db: Db, cursor: number, count: number): [number, string[]] {
  const keys: string[] = [];
  const next = db.scan(cursor, count, (k) => keys.push(k));
  return [next, keys];
}

describe('slots', () => {
  test('set, get, delete, size', () => {
    const { db } = makeDb();
    expect(db.set('a', '1')).toBe(true);
    expect(db.set('a', '2')).toBe(false);
    expect(db.get('a')).toBe('2');
    expect(db.size).toBe(1);
    expect(db.delete('a')).toBe(true);
    expect(db.delete('a')).toBe(false);
    expect(db.get('a')).toBeUndefined();
    expect(db.size).toBe(0);
  });

  test('a freed slot is reused, so a scan cursor past it sees the new key only on the next walk', () => {
    const { db } = makeDb();
    for (const k of ['a', 'b', 'c', 'd']) db.set(k, k);
    let [cursor, keys] = scanKeys(db, 0, 2);
    expect(keys).toEqual(['a', 'b']);
    expect(cursor).toBe(2);
    db.delete('a');
    db.set('e', 'e'); // takes slot 0, behind the cursor
    [cursor, keys] = scanKeys(db, cursor, 10);
    expect(keys).toEqual(['c', 'd']);
    expect(cursor).toBe(0);
    expect(scanKeys(db, 0, 10)[1]).toEqual(['e', 'b', 'c', 'd']);
  });

  test('an overwritten key keeps its slot (present for the whole scan = returned)', () => {
    const { db } = makeDb();
    for (const k of ['a', 'b', 'c']) db.set(k, '1');
    const [cursor] = scanKeys(db, 0, 1);
    db.set('b', '2');
    db.delete('a');
    db.set('z', '1');
    expect(scanKeys(db, cursor, 10)[1]).toEqual(['b', 'c']);
  });

  test('scan stops after 10*count empty slots and resumes there', () => {
    const { db } = makeDb();
    for (let i = 0; i < 100; i++) db.set(`k${i}`, '1');
    for (let i = 0; i < 99; i++) db.delete(`k${i}`);
    const [cursor, keys] = scanKeys(db, 0, 2);
    expect(keys).toEqual([]);
    expect(cursor).toBe(20);
    let c = cursor;
    const seen: string[] = [];
    while (c !== 0) {
      const [next, ks] = scanKeys(db, c, 2);
      seen.push(...ks);
      c = next;
    }
    expect(seen).toEqual(['k99']);
  });

  test('past the per-Map limit keys spread over several Maps, and freed room is reused', () => {
    const { db } = makeDb(4);
    for (let i = 0; i < 10; i++) db.set(`k${i}`, String(i));
    expect(db.mapCount).toBe(3);
    for (let i = 0; i < 10; i++) expect(db.get(`k${i}`)).toBe(String(i));
    db.delete('k1');
    db.delete('k2');
    for (let i = 10; i < 14; i++) db.set(`k${i}`, String(i));
    expect(db.mapCount).toBe(3);
    expect(db.size).toBe(12);
    for (let i = 10; i < 14; i++) expect(db.has(`k${i}`)).toBe(true);
    expect(db.has('k1')).toBe(false);
    db.flush();
    expect(db.mapCount).toBe(1);
    expect(db.size).toBe(0);
  });

  test('randomKey finds the one live key of a sparse table', () => {
    const { db } = makeDb();
    for (let i = 0; i < 1000; i++) db.set(`k${i}`, '1');
    for (let i = 0; i < 999; i++) db.delete(`k${i}`);
    expect(db.randomKey()).toBe('k999');
    db.delete('k999');
    expect(db.randomKey()).toBeUndefined();
  });

  test('swapContents exchanges keys and TTLs', () => {
    const { db } = makeDb();
    const other = makeDb().db;
    db.set('a', '1');
    db.setExpire('a', 9_000_000);
    other.set('b', '2');
    db.swapContents(other);
    expect(db.get('b')).toBe('2');
    expect(other.getExpire('a')).toBe(9_000_000);
    expect(other.expiresCount).toBe(1);
    expect(db.expiresCount).toBe(0);
  });
});

describe('expiry', () => {
  test('lazy: a lookup after the deadline deletes and reports the key', () => {
    const { db, clock, expired } = makeDb();
    db.set('k', 'v');
    db.setExpire('k', clock.t + 100);
    expect(db.getExpire('k')).toBe(clock.t + 100);
    clock.t += 99;
    expect(db.get('k')).toBe('v');
    clock.t += 1;
    expect(db.size).toBe(1);
    expect(db.has('k')).toBe(false);
    expect(expired).toEqual(['k']);
    expect(db.size).toBe(0);
    expect(db.expiresCount).toBe(0);
  });

  test('set clears the TTL unless keepTtl; persist removes it', () => {
    const { db, clock } = makeDb();
    db.set('k', 'v');
    db.setExpire('k', clock.t + 100);
    db.set('k', 'w', true);
    expect(db.getExpire('k')).toBe(clock.t + 100);
    db.set('k', 'x');
    expect(db.getExpire('k')).toBe(-1);
    db.setExpire('k', clock.t + 100);
    expect(db.persist('k')).toBe(true);
    expect(db.persist('k')).toBe(false);
    expect(db.expiresCount).toBe(0);
    expect(db.getExpire('nokey')).toBe(-2);
  });

  test('active: steps walk every volatile key with a cursor and never check one twice per step', () => {
    const { db, clock, expired } = makeDb();
    for (let i = 0; i < 100; i++) {
      db.set(`k${i}`, '1');
      db.setExpire(`k${i}`, clock.t + (i % 10 === 0 ? 10 : 1_000_000));
    }
    db.set('plain', '1');
    clock.t += 10;
    let total = 0;
    for (let step = 0; step < 5; step++) {
      const [checked, n] = db.activeExpireStep(20);
      expect(checked).toBe(20);
      total += n;
    }
    expect(total).toBe(10);
    expect(expired.length).toBe(10);
    expect(db.size).toBe(91);
    expect(db.expiresCount).toBe(90);
    const few = makeDb();
    few.db.set('a', '1');
    few.db.setExpire('a', few.clock.t + 1000);
    expect(few.db.activeExpireStep(20)).toEqual([1, 0]);
    expect(few.db.avgTtl).toBe(1000);
  });

  test('deadlines beyond 2^53 ms stay exact; past ones still order as doubles', () => {
    const { db, clock } = makeDb();
    db.set('k', 'v');
    db.setExpire('k', 9223372036854775807n);
    expect(db.getExpireExact('k')).toBe(9223372036854775807n);
    db.setExpire('k', 9223372036854775806n);
    expect(db.getExpireExact('k')).toBe(9223372036854775806n);
    db.setExpire('k', 5000n + BigInt(clock.t));
    expect(db.getExpireExact('k')).toBe(clock.t + 5000);
    db.setExpire('k', 9007199254740993n);
    const other = makeDb().db;
    db.swapContents(other);
    expect(other.getExpireExact('k')).toBe(9007199254740993n);
    other.persist('k');
    expect(other.getExpireExact('k')).toBe(-1);
  });
});
