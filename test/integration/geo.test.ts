/*
 * The GEO family over a real connection: what reaches the AOF (GEOADD as the ZADD it runs, STORE forms as
 * sent, no-op writes not logged, a STORE that empties its destination), key extraction for the
 * movable-key GEORADIUS forms, arity errors, and GEO sets read back through the Z* commands.
 * Byte-exact replies against real Redis live in test/diff/geo*.redis.
 */
import { describe, expect, test } from 'vitest';
import type { Redis } from 'ioredis';
import type { TestServer } from '../helpers/server.js';
import { serverPerTest } from '../helpers/fixture.js';

let ts: TestServer;
let r: Redis;
let logged: string[];

serverPerTest((f) => {
  ({ ts, r, logged } = f);
});

const SICILY = ['13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'];

describe('writes and what is logged', () => {
  test('GEOADD is logged as the ZADD Redis 7.0 writes (flags kept, integer scores); a no-op GEOADD is not', async () => {
    expect(await r.call('GEOADD', 'g', ...SICILY)).toBe(2);
    expect(await r.call('GEOADD', 'g', 'NX', '13.361389', '38.115556', 'Palermo')).toBe(0);
    expect(await r.call('GEOADD', 'g', 'XX', 'CH', '13.4', '38.1', 'Palermo')).toBe(1);
    const palermo = await r.call('ZSCORE', 'g', 'Palermo');
    // Scores as Redis 7.0.15 logged them for these coordinates (read from its appendonlydir).
    expect(logged).toEqual([
      'zadd g 3479099956230698 Palermo 3479447370796909 Catania',
      `zadd g XX CH ${String(palermo)} Palermo`,
    ]);
  });

  test('GEOSEARCHSTORE and GEORADIUS STORE are logged as sent; an empty result deletes the destination', async () => {
    await r.call('GEOADD', 'g', ...SICILY);
    expect(await r.call('GEOSEARCHSTORE', 'd', 'g', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'STOREDIST')).toBe(2);
    expect(await r.zrange('d', 0, -1, 'WITHSCORES')).toEqual(['Catania', '56.441257870158204', 'Palermo', '190.44242984775784']);
    expect(await r.call('GEORADIUS', 'g', '15', '37', '200', 'km', 'STORE', 'd2')).toBe(2);
    expect(await r.call('GEORADIUS', 'g', '0', '0', '1', 'km', 'STORE', 'd2')).toBe(0);
    expect(await r.exists('d2')).toBe(0);
    expect(await r.call('GEORADIUS', 'g', '0', '0', '1', 'km', 'STORE', 'd2')).toBe(0);
    expect(logged.slice(1)).toEqual([
      'GEOSEARCHSTORE d g FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST',
      'GEORADIUS g 15 37 200 km STORE d2',
      'GEORADIUS g 0 0 1 km STORE d2',
    ]);
  });

  test('a GEO set is a sorted set with 52-bit geohash scores', async () => {
    await r.call('GEOADD', 'g', ...SICILY);
    expect(await r.type('g')).toBe('zset');
    expect(await r.zscore('g', 'Palermo')).toBe('3479099956230698');
    expect(await r.object('ENCODING', 'g')).toBe('listpack');
    expect(await r.call('GEOHASH', 'g', 'Palermo')).toEqual(['sqc8b49rny0']);
    expect(await r.call('GEODIST', 'g', 'Palermo', 'Catania', 'km')).toBe('166.2742');
    expect(await r.call('GEOPOS', 'g', 'Palermo', 'x')).toEqual([['13.36138933897018433', '38.11555639549629859'], null]);
  });

  test('a large GEO set (skiplist) searches the same way', async () => {
    const args: string[] = [];
    for (let i = 0; i < 300; i++) args.push(String(-5 + (i % 20) * 0.5), String(-5 + Math.floor(i / 20) * 0.5), `m${i}`);
    expect(await r.call('GEOADD', 'big', ...args)).toBe(300);
    expect(await r.object('ENCODING', 'big')).toBe('skiplist');
    const near = (await r.call('GEOSEARCH', 'big', 'FROMLONLAT', '0', '0', 'BYRADIUS', '60', 'km', 'ASC')) as string[];
    expect(near).toEqual(['m210', 'm211', 'm209', 'm230', 'm190']);
    expect(await r.call('GEORADIUS_RO', 'big', '0', '0', '60', 'km', 'COUNT', '1')).toEqual(['m210']);
    expect(await r.call('GEORADIUSBYMEMBER_RO', 'big', 'm210', '1', 'km')).toEqual(['m210']);
    expect(await r.call('GEORADIUSBYMEMBER', 'big', 'm210', '1', 'km', 'STOREDIST', 'one')).toBe(1);
    expect(await r.zscore('one', 'm210')).toBe('0');
  });
});

describe('table', () => {
  test('movable keys of GEORADIUS / GEORADIUSBYMEMBER', async () => {
    expect(await r.call('COMMAND', 'GETKEYS', 'GEORADIUS', 'src', '1', '2', '3', 'km', 'STORE', 'dst')).toEqual(['src', 'dst']);
    expect(await r.call('COMMAND', 'GETKEYS', 'GEORADIUSBYMEMBER', 'src', 'm', '3', 'km', 'STOREDIST', 'dst')).toEqual(['src', 'dst']);
    expect(await r.call('COMMAND', 'GETKEYS', 'GEOSEARCHSTORE', 'dst', 'src', 'FROMLONLAT', '1', '2', 'BYRADIUS', '1', 'km')).toEqual(['dst', 'src']);
  });

  test('arity and wrong type', async () => {
    await expect(r.call('GEOADD', 'g', '1', '2')).rejects.toThrow("ERR wrong number of arguments for 'geoadd' command");
    await expect(r.call('GEOSEARCH', 'g', 'FROMLONLAT', '1', '2', 'BYRADIUS')).rejects.toThrow("ERR wrong number of arguments for 'geosearch' command");
    await expect(r.call('GEORADIUS_RO', 'g', '1', '2', '3')).rejects.toThrow("ERR wrong number of arguments for 'georadius_ro' command");
    await r.set('s', 'x');
    await expect(r.call('GEOPOS', 's', 'a')).rejects.toThrow('WRONGTYPE Operation against a key holding the wrong kind of value');
    await expect(r.call('GEOADD', 'g', '181', '0', 'a')).rejects.toThrow('ERR invalid longitude,latitude pair 181.000000,0.000000');
  });
});
