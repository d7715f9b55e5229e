/*
 * A live server's keyspace in the shape of the Redis 7.0.15 fixtures' expected JSON
 * (the expected/ folders under test/fixtures/redis-7.0.15/aof): {db: {key: {type, value, encoding, has_ttl,
 * pexpiretime?}}}, sets sorted, hashes as objects with sorted fields, sorted sets as
 * [member, score] pairs with RESP2 score texts, streams as XRANGE output.
 */
import { Redis } from 'ioredis';

export interface FixtureKey {
  type: string;
  value: unknown;
  encoding: string;
  has_ttl: boolean;
  pexpiretime?: number;
}
export type FixtureKeyspace = Record<string, Record<string, FixtureKey>>;

/** Reads every db of the server on 127.0.0.1:port. */
export async function fixtureView(port: number): Promise<FixtureKeyspace> {
  const r = new Redis(port, '127.0.0.1', { lazyConnect: true });
  await r.connect();
  const out: FixtureKeyspace = {};
  try {
    for (let db = 0; db < 16; db++) {
      await r.select(db);
      const keys = (await r.keys('*')).sort();
      if (keys.length === 0) continue;
      const view: Record<string, FixtureKey> = {};
      for (const key of keys) {
        const type = await r.type(key);
        let value: unknown;
        if (type === 'string') value = await r.get(key);
        else if (type === 'list') value = await r.lrange(key, 0, -1);
        else if (type === 'set') value = (await r.smembers(key)).sort();
        else if (type === 'hash') {
          const h = await r.hgetall(key);
          value = Object.fromEntries(Object.keys(h).sort().map((f) => [f, h[f]]));
        } else if (type === 'zset') {
          const flat = await r.zrange(key, 0, -1, 'WITHSCORES');
          const pairs: [string, string][] = [];
          for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
          value = pairs;
        } else {
          value = await r.call('XRANGE', key, '-', '+');
        }
        const pexpire = Number(await r.call('PEXPIRETIME', key));
        const entry: FixtureKey = { type, value, encoding: String(await r.call('OBJECT', 'ENCODING', key)), has_ttl: pexpire > 0 };
        if (pexpire > 0) entry.pexpiretime = pexpire;
        view[key] = entry;
      }
      out[String(db)] = view;
    }
  } finally {
    r.disconnect();
  }
  return out;
}

