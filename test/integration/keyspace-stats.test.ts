/*
 * INFO stats keyspace_hits / keyspace_misses count the key lookups of read-only commands, as in
 * Redis: the same commands against real Redis and Rewind must give the same two numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connect, disconnectAll } from '../helpers/clients.js';
import { redisAvailable, startRealRedis, type RealRedis } from '../helpers/real-redis.js';

const available = redisAvailable();
if (!available) console.warn('keyspace-stats: redis-server not on PATH, comparison skipped');

function counters(info: string): [number, number] {
  const hits = Number(/keyspace_hits:(\d+)/.exec(info)?.[1]);
  const misses = Number(/keyspace_misses:(\d+)/.exec(info)?.[1]);
  return [hits, misses];
}

async function workload(r: Redis): Promise<[number, number]> {
  await r.set('a', '1');
  await r.get('a');
  await r.get('missing');
  await r.mget('a', 'missing', 'a');
  await r.strlen('a');
  await r.incr('a'); // a write: not counted
  await r.set('a', '2');
  await r.getrange('a', 0, -1);
  return counters(await r.info('stats'));
}

describe.skipIf(!available)('keyspace hits and misses', () => {
  let ours: TestServer;
  let real: RealRedis;
  let a: Redis;
  let b: Redis;
  beforeAll(async () => {
    ours = await startTestServer();
    real = await startRealRedis();
    a = await connect(ours.port);
    b = await connect(real.port);
  });
  afterAll(async () => {
    await disconnectAll([a, b]);
    await ours.close();
    await real.stop();
  });

  it('count the same lookups as Redis', async () => {
    const [theirs, mine] = await Promise.all([workload(b), workload(a)]);
    expect(mine).toEqual(theirs);
    expect(mine[0]).toBeGreaterThan(0);
  });
});
