/*
 * A client library's workload run against real Redis (when redis-server is on PATH) and against
 * Rewind, each timed: the outcome is checked the same way on both, and afterwards the library
 * must have let go of everything (the server lists only the checking connection, this process
 * holds no more sockets or timers than before). Prints one line: `<name> workload: rewind <n> ms,
 * redis <n> ms`.
 */
import { afterAll, describe, test } from 'vitest';
import { Redis } from 'ioredis';
import { startTestServer } from './server.js';
import { redisAvailable, startRealRedis } from './real-redis.js';
import { handleCounts, until } from './waiting.js';

const HOST = '127.0.0.1';

/** Connections the server lists (CLIENT LIST), the asking one included. */
async function serverClientCount(port: number): Promise<number> {
  const c = new Redis({ host: HOST, port, lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await c.connect();
    const list = (await c.client('LIST')) as string;
    return list.split('\n').filter((l) => l.trim() !== '').length;
  } finally {
    c.disconnect();
  }
}

export function compareWorkload<T>(name: string, workload: (port: number) => Promise<T>, check: (outcome: T) => void): void {
  const haveRedis = redisAvailable();
  if (!haveRedis) console.warn(`[${name}] redis-server not found on PATH: the real-Redis half of the ${name} workload is SKIPPED`);
  const times = { rewind: 'not run', redis: haveRedis ? 'not run' : 'skipped (redis-server not on PATH)' };

  async function runAndCheck(kind: 'rewind' | 'redis', port: number): Promise<void> {
    const baseline = handleCounts();
    const started = performance.now();
    let outcome: T;
    try {
      outcome = await workload(port);
    } catch (e) {
      times[kind] = `failed after ${Math.round(performance.now() - started)} ms (${(e as Error).message.slice(0, 120)})`;
      throw e;
    }
    times[kind] = `${Math.round(performance.now() - started)} ms`;
    check(outcome);
    await until(async () => (await serverClientCount(port)) === 1, 5000, 'the server to list only the checking connection');
    await until(() => {
      const now = handleCounts();
      return now.sockets <= baseline.sockets && now.timers <= baseline.timers;
    }, 5000, `sockets and timers back to ${JSON.stringify(baseline)} (now ${JSON.stringify(handleCounts())}: ${process.getActiveResourcesInfo().join(',')})`);
  }

  describe(`${name} workload`, () => {
    afterAll(() => {
      console.log(`${name} workload: rewind ${times.rewind}, redis ${times.redis}`);
    });

    test.skipIf(!haveRedis)('against real redis-server 7.0', async () => {
      const redis = await startRealRedis();
      try {
        await runAndCheck('redis', redis.port);
      } finally {
        await redis.stop();
      }
    }, 60_000);

    test('against Rewind', async () => {
      const ts = await startTestServer();
      try {
        await runAndCheck('rewind', ts.port);
      } finally {
        await ts.close();
      }
    }, 60_000);
  });
}
