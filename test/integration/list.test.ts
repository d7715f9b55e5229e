/*
 * The LIST family over a real connection (non-blocking commands, and the blocking ones when data
 * is there): replies, errors, empty-list deletion, OBJECT ENCODING under Redis 7.2's rule, and
 * what reaches the AOF (recording propagator). Byte-level replies are in test/diff/list*.redis.
 */
import { describe, expect, test } from 'vitest';
import type { Redis } from 'ioredis';
import type { TestServer } from '../helpers/server.js';
import { ListValue } from '../../commands/list/value.js';
import { serverPerTest } from '../helpers/fixture.js';
import { ERR_WRONGTYPE as WRONGTYPE } from '../../protocol/errors.js';

let ts: TestServer;
let r: Redis;
let logged: string[];

serverPerTest((f) => {
  ({ ts, r, logged } = f);
});

const arity = (name: string) => `ERR wrong number of arguments for '${name}' command`;

describe('push and pop', () => {
  test('both ends, counts, deletion when emptied', async () => {
    expect(await r.lpush('l', 'a', 'b')).toBe(2);
    expect(await r.rpush('l', 'c')).toBe(3);
    expect(await r.lrange('l', 0, -1)).toEqual(['b', 'a', 'c']);
    expect(await r.call('LPOP', 'l', '2')).toEqual(['b', 'a']);
    expect(await r.rpop('l')).toBe('c');
    expect(await r.exists('l')).toBe(0);
    expect(await r.lpop('l')).toBeNull();
    expect(await r.call('LPOP', 'l', '1')).toBeNull();
    expect(await r.lpushx('l', 'x')).toBe(0);
    expect(await r.exists('l')).toBe(0);
    expect(logged).toEqual(['lpush l a b', 'rpush l c', 'LPOP l 2', 'rpop l']);
  });

  test('errors: count, arity, wrong type', async () => {
    await r.set('s', 'v');
    await expect(r.lpush('s', 'a')).rejects.toThrow(WRONGTYPE);
    await expect(r.call('LPOP', 's')).rejects.toThrow(WRONGTYPE);
    await expect(r.call('LPOP', 'l', '-1')).rejects.toThrow('ERR value is out of range, must be positive');
    await expect(r.call('LPOP', 'l', '1', '2')).rejects.toThrow(arity('lpop'));
    await expect(r.call('RPUSH', 'l')).rejects.toThrow(arity('rpush'));
    expect(logged).toEqual(['set s v']);
  });

  test('a long list keeps its order at both ends', async () => {
    const n = 1000;
    const left = Array.from({ length: n }, (_, i) => `l${i}`);
    const right = Array.from({ length: n }, (_, i) => `r${i}`);
    await r.lpush('big', ...left);
    await r.rpush('big', ...right);
    const all = await r.lrange('big', 0, -1);
    expect(all).toEqual([...left.reverse(), ...right]);
    expect(await r.lindex('big', 1500)).toBe('r500');
    expect(await r.lindex('big', -1)).toBe(`r${n - 1}`);
    expect(await r.lrange('big', 995, 1004)).toEqual(['l4', 'l3', 'l2', 'l1', 'l0', 'r0', 'r1', 'r2', 'r3', 'r4']);
    expect(await r.call('RPOP', 'big', '1500')).toHaveLength(1500);
    expect(await r.llen('big')).toBe(500);
  });
});

describe('positions', () => {
  test('LSET LINSERT LREM LTRIM LPOS', async () => {
    await r.rpush('l', 'a', 'b', 'c', 'b');
    expect(await r.lset('l', -1, 'B')).toBe('OK');
    await expect(r.lset('l', 9, 'x')).rejects.toThrow('ERR index out of range');
    await expect(r.lset('nol', 0, 'x')).rejects.toThrow('ERR no such key');
    expect(await r.linsert('l', 'BEFORE', 'b', 'x')).toBe(5);
    expect(await r.linsert('l', 'AFTER', 'zz', 'x')).toBe(-1);
    expect(await r.lrange('l', 0, -1)).toEqual(['a', 'x', 'b', 'c', 'B']);
    expect(await r.lrem('l', 0, 'x')).toBe(1);
    expect(await r.call('LPOS', 'l', 'c')).toBe(2);
    expect(await r.call('LPOS', 'l', 'q', 'COUNT', '0')).toEqual([]);
    expect(await r.ltrim('l', 1, 1)).toBe('OK');
    expect(await r.lrange('l', 0, -1)).toEqual(['b']);
    expect(await r.ltrim('l', 0, 0)).toBe('OK');
    expect(await r.ltrim('l', 5, 1)).toBe('OK');
    expect(await r.exists('l')).toBe(0);
    // LTRIM removing nothing, LINSERT without pivot and a failed LSET are not logged.
    expect(logged).toEqual(['rpush l a b c b', 'lset l -1 B', 'linsert l BEFORE b x', 'lrem l 0 x', 'ltrim l 1 1', 'ltrim l 5 1']);
  });

  test('LINSERT and LREM across block boundaries', async () => {
    const items = Array.from({ length: 600 }, (_, i) => String(i % 7));
    await r.rpush('l', ...items);
    expect(await r.linsert('l', 'AFTER', '6', 'x')).toBe(601);
    for (let i = 0; i < 300; i++) await r.linsert('l', 'BEFORE', '3', `y${i}`);
    const expected = [...items];
    expected.splice(7, 0, 'x');
    for (let i = 0; i < 300; i++) expected.splice(expected.indexOf('3'), 0, `y${i}`);
    expect(await r.lrange('l', 0, -1)).toEqual(expected);
    expect(await r.lrem('l', -50, '3')).toBe(50);
    let kept = 0;
    const after = expected.filter((s) => s !== '3' || kept++ < expected.filter((t) => t === '3').length - 50);
    expect(await r.lrange('l', 0, -1)).toEqual(after);
    expect(await r.lindex('l', 450)).toBe(after[450]);
  });
});

describe('moves', () => {
  test('LMOVE RPOPLPUSH LMPOP and their logged forms', async () => {
    await r.rpush('a', '1', '2');
    expect(await r.call('LMOVE', 'a', 'b', 'LEFT', 'RIGHT')).toBe('1');
    expect(await r.rpoplpush('a', 'b')).toBe('2');
    expect(await r.exists('a')).toBe(0);
    expect(await r.rpoplpush('b', 'b')).toBe('1');
    expect(await r.lrange('b', 0, -1)).toEqual(['1', '2']);
    expect(await r.call('LMPOP', '2', 'a', 'b', 'RIGHT', 'COUNT', '5')).toEqual(['b', ['2', '1']]);
    expect(await r.call('LMPOP', '1', 'b', 'LEFT')).toBeNull();
    await r.rpush('c', 'x');
    expect(await r.call('BLMPOP', '0', '1', 'c', 'LEFT', 'COUNT', '3')).toEqual(['c', ['x']]);
    await r.rpush('c', 'y', 'z');
    expect(await r.blpop('c', 0)).toEqual(['c', 'y']);
    expect(await r.call('BLMOVE', 'c', 'd', 'RIGHT', 'LEFT', '0')).toBe('z');
    await r.rpush('c', 'w');
    expect(await r.brpoplpush('c', 'd', 0)).toBe('w');
    expect(logged).toEqual([
      'rpush a 1 2', 'LMOVE a b LEFT RIGHT', 'rpoplpush a b', 'rpoplpush b b', 'RPOP b 2',
      'rpush c x', 'LPOP c 1', 'rpush c y z', 'LPOP c', 'LMOVE c d RIGHT LEFT', 'rpush c w', 'RPOPLPUSH c d',
    ]);
  });

  test('a wrong-type destination changes nothing', async () => {
    await r.rpush('a', '1');
    await r.set('s', 'v');
    await expect(r.rpoplpush('a', 's')).rejects.toThrow(WRONGTYPE);
    expect(await r.lrange('a', 0, -1)).toEqual(['1']);
  });
});

describe('encoding (Redis 7.2 rule)', () => {
  test('listpack until 8 KiB, quicklist beyond, back to listpack at half', async () => {
    await r.rpush('l', 'a', 'b');
    expect(await r.object('ENCODING', 'l')).toBe('listpack');
    const big = 'x'.repeat(1000);
    // 1004 bytes per entry: the 9th push would pass 8192 bytes (7 + 2*2 + 8*1004 + 1000).
    for (let i = 0; i < 8; i++) await r.rpush('l', big);
    expect(await r.object('ENCODING', 'l')).toBe('listpack');
    await r.rpush('l', big);
    expect(await r.object('ENCODING', 'l')).toBe('quicklist');
    await r.call('RPOP', 'l', '4');
    expect(await r.object('ENCODING', 'l')).toBe('quicklist');
    await r.call('RPOP', 'l', '1');
    expect(await r.object('ENCODING', 'l')).toBe('listpack');
    await r.config('SET', 'list-max-listpack-size', '3');
    await r.del('l');
    await r.rpush('l', '1', '2', '3');
    expect(await r.object('ENCODING', 'l')).toBe('listpack');
    await r.rpush('l', '4');
    expect(await r.object('ENCODING', 'l')).toBe('quicklist');
    await r.ltrim('l', 0, 0);
    expect(await r.object('ENCODING', 'l')).toBe('listpack');
  });

  test('COPY gives an independent list', async () => {
    await r.rpush('l', 'a', 'b');
    await r.copy('l', 'm');
    await r.rpush('m', 'c');
    expect(await r.lrange('l', 0, -1)).toEqual(['a', 'b']);
    expect(ts.server.state.dbs[0]!.peek('m')).toBeInstanceOf(ListValue);
  });
});

describe('ListValue against an array model', () => {
  test('random pushes, pops, inserts, removals, trims and sets keep the same contents', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const list = new ListValue();
    let model: string[] = [];
    for (let step = 0; step < 20000; step++) {
      const op = rand(10);
      const v = String(rand(50));
      if (op < 3) {
        list.pushHead(v);
        model.unshift(v);
      } else if (op < 6) {
        list.pushTail(v);
        model.push(v);
      } else if (op === 6 && model.length > 0) {
        if (rand(2) === 0) expect(list.popHead()).toBe(model.shift());
        else expect(list.popTail()).toBe(model.pop());
      } else if (op === 7) {
        const i = rand(model.length + 1);
        list.insertAt(i, v);
        model.splice(i, 0, v);
      } else if (op === 8 && model.length > 0) {
        const i = rand(model.length);
        list.setAt(i, v);
        model[i] = v;
      } else if (op === 9 && rand(20) === 0) {
        const limit = rand(4);
        const fromTail = rand(2) === 0;
        const removed = list.removeWhere((s) => s === v, limit, fromTail);
        let left = limit === 0 ? Infinity : limit;
        const order = fromTail ? [...model.keys()].reverse() : [...model.keys()];
        const drop = new Set<number>();
        for (const i of order) {
          if (left > 0 && model[i] === v) {
            drop.add(i);
            left--;
          }
        }
        model = model.filter((_, i) => !drop.has(i));
        expect(removed).toBe(drop.size);
      }
      if (step % 500 === 0 && model.length > 2) {
        list.trim(1, model.length - 2);
        model = model.slice(1, model.length - 1);
      }
      expect(list.length).toBe(model.length);
      if (step % 97 === 0 && model.length > 0) {
        expect(list.range(0, model.length - 1)).toEqual(model);
        const i = rand(model.length);
        expect(list.at(i)).toBe(model[i]);
      }
    }
    expect(list.range(0, model.length - 1)).toEqual(model);
  });
});
