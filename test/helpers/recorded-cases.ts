/*
 * Push scenarios (push-scenario.ts) stored with the transcript redis-server 7.0.15 gave: each is
 * run on a flushed server and must give the same transcript, on Rewind always and, when
 * redis-server is on PATH, on a real Redis too (so a recording that went stale shows).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parsePushScenario, runPushScenario } from './push-scenario.js';
import { redisAvailable, startRealRedis, type RealRedis } from './real-redis.js';

export interface RecordedCase {
  readonly name: string;
  readonly script: string;
  /** The transcript from redis-server 7.0.15. */
  readonly expected: string;
}

/** The case's transcript on the server at port, after a FLUSHALL. */
export async function transcript(port: number, c: RecordedCase): Promise<string> {
  return (await runPushScenario(port, parsePushScenario(`Z: FLUSHALL\n${c.script}`))).join('\n');
}

/** Runs every recording against a real redis-server (skipped, with the caller's warning, without one). */
export function recordingsHoldOnRealRedis(title: string, cases: readonly RecordedCase[]): void {
  describe.skipIf(!redisAvailable())(`${title}: the recordings still hold against real Redis 7.0`, () => {
    let redis: RealRedis;
    beforeAll(async () => {
      redis = await startRealRedis();
    });
    afterAll(async () => {
      await redis?.stop();
    });

    for (const c of cases) {
      test(c.name, async () => {
        expect(await transcript(redis.port, c)).toBe(c.expected.trim());
      });
    }
  });
}
