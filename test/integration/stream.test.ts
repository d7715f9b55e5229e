/*
 * The STREAM family over a real connection: what replies look like where the differential corpus
 * cannot compare bytes (auto IDs, times), and what reaches the AOF (recording propagator).
 */
import { beforeEach, describe, expect, test } from 'vitest';
import type { Redis } from 'ioredis';
import type { TestServer } from '../helpers/server.js';
import { serverPerTest } from '../helpers/fixture.js';

let ts: TestServer;
let r: Redis;
let logged: string[];

serverPerTest((f) => {
  ({ ts, r, logged } = f);
});

describe('XADD', () => {
  test('auto IDs are logged as the generated ID', async () => {
    const id = (await r.call('XADD', 's', '*', 'a', '1')) as string;
    expect(id).toMatch(/^\d+-0$/);
    const id2 = (await r.call('XADD', 's', `${id.split('-')[0]}-*`, 'b', '2')) as string;
    expect(id2).toBe(`${id.split('-')[0]}-1`);
    expect(logged).toEqual([`XADD s ${id} a 1`, `XADD s ${id2} b 2`]);
  });

  test('approximate trims are logged as = with the resulting limit', async () => {
    await r.call('CONFIG', 'SET', 'stream-node-max-entries', '2');
    for (let i = 1; i <= 5; i++) await r.call('XADD', 's', String(i), 'a', '1');
    logged.length = 0;
    await r.call('XADD', 's', 'MAXLEN', '~', '1', '6', 'a', '1');
    expect(await r.call('XLEN', 's')).toBe(2);
    expect(logged).toEqual(['XADD s MAXLEN = 2 6 a 1']);
    logged.length = 0;
    expect(await r.call('XTRIM', 's', 'MINID', '~', '99')).toBe(2);
    expect(logged).toEqual(['XTRIM s MINID = 18446744073709551615-18446744073709551615']);
  });

  test('exact IDs up to 2^64-1 in both halves', async () => {
    expect(await r.call('XADD', 's', '18446744073709551615-18446744073709551614', 'a', '1')).toBe('18446744073709551615-18446744073709551614');
    expect(await r.call('XADD', 's', '*', 'a', '1')).toBe('18446744073709551615-18446744073709551615');
    await expect(r.call('XADD', 's', '*', 'a', '1')).rejects.toThrow('ERR The stream has exhausted the last possible ID, unable to add more items');
  });
});

describe('consumer groups', () => {
  beforeEach(async () => {
    await r.call('XADD', 's', '1-1', 'a', '1');
    await r.call('XADD', 's', '1-2', 'b', '2');
    await r.call('XGROUP', 'CREATE', 's', 'g', '0');
    logged.length = 0;
  });

  test('XREADGROUP is logged as XCLAIMs (and SETID under NOACK)', async () => {
    expect(await r.call('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 's', '>')).toEqual([['s', [['1-1', ['a', '1']]]]]);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^XCLAIM s g alice 0 1-1 TIME \d+ RETRYCOUNT 1 FORCE JUSTID LASTID 1-1$/);
    logged.length = 0;
    await r.call('XREADGROUP', 'GROUP', 'g', 'alice', 'NOACK', 'STREAMS', 's', '>');
    expect(logged).toEqual(['XGROUP SETID s g 1-2 ENTRIESREAD 2']);
    logged.length = 0;
    await r.call('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0');
    expect(logged).toEqual([]);
  });

  test('XCLAIM, XAUTOCLAIM and XPENDING idle times come from the clock', async () => {
    await r.call('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>');
    logged.length = 0;
    const before = Date.now();
    expect(await r.call('XCLAIM', 's', 'g', 'bob', '0', '1-1', 'IDLE', '5000', 'JUSTID')).toEqual(['1-1']);
    expect(logged[0]).toMatch(/^XCLAIM s g bob 0 1-1 TIME (\d+) RETRYCOUNT 1 FORCE JUSTID LASTID 1-2$/);
    const time = Number(/TIME (\d+)/.exec(logged[0]!)![1]);
    expect(time).toBeGreaterThanOrEqual(before - 5000 - 50);
    expect(time).toBeLessThanOrEqual(Date.now() - 5000 + 50);
    const pending = (await r.call('XPENDING', 's', 'g', 'IDLE', '4000', '-', '+', '10')) as unknown[][];
    expect(pending).toHaveLength(1);
    expect(pending[0]![0]).toBe('1-1');
    expect(Number(pending[0]![2])).toBeGreaterThanOrEqual(5000);
    const auto = (await r.call('XAUTOCLAIM', 's', 'g', 'carol', '1000', '0')) as unknown[];
    expect(auto).toEqual(['0-0', [['1-1', ['a', '1']]], []]);
    const consumers = (await r.call('XINFO', 'CONSUMERS', 's', 'g')) as unknown[][];
    expect(consumers.map((c) => [c[1], c[3]])).toEqual([['alice', 1], ['bob', 0], ['carol', 1]]);
  });

  test('XINFO STREAM FULL shows groups, PEL and consumers', async () => {
    await r.call('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 's', '>');
    const full = (await r.call('XINFO', 'STREAM', 's', 'FULL')) as unknown[];
    expect(full.slice(0, 2)).toEqual(['length', 2]);
    const groups = full[full.indexOf('groups') + 1] as unknown[][];
    const g = groups[0]!;
    expect(g.slice(0, 10)).toEqual(['name', 'g', 'last-delivered-id', '1-1', 'entries-read', 1, 'lag', 1, 'pel-count', 1]);
    expect(await r.call('OBJECT', 'ENCODING', 's')).toBe('stream');
  });

  test('COPY deep-copies groups', async () => {
    await r.call('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>');
    await r.call('COPY', 's', 't');
    await r.call('XACK', 's', 'g', '1-1', '1-2');
    expect(((await r.call('XPENDING', 't', 'g')) as unknown[])[0]).toBe(2);
    expect(((await r.call('XPENDING', 's', 'g')) as unknown[])[0]).toBe(0);
  });
});
