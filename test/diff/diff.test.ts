/*
 * Runs every test/diff/*.redis corpus against a real redis-server and a Rewind server, one test
 * per file. Each file gets fresh servers of both kinds, so files never see each other's keys or
 * config. Without redis-server on PATH the suite is skipped with a warning (CI installs it).
 *
 * Run one file: npx vitest run test/diff -t strings.redis
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { redisAvailable, startRealRedis, type RealRedis } from '../helpers/real-redis.js';
import { formatMismatches, loadCorpus, runCorpus } from './harness.js';

const DIR = path.dirname(fileURLToPath(import.meta.url));
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.redis')).sort();
const HAVE_REDIS = redisAvailable();

if (!HAVE_REDIS) {
  console.warn('[diff] redis-server not found on PATH: differential corpus tests are SKIPPED');
}

describe.skipIf(!HAVE_REDIS)('differential corpus vs real Redis', () => {
  let redis: RealRedis | null = null;
  let rewind: TestServer | null = null;

  afterEach(async () => {
    await Promise.all([redis?.stop(), rewind?.close()]);
    redis = null;
    rewind = null;
  });

  test('the corpus directory has files', () => {
    expect(FILES).toContain('protocol.redis');
  });

  for (const file of FILES) {
    test(file, async () => {
      // Parse first: a syntax error in the corpus fails this file only, with file:line.
      const steps = await loadCorpus(path.join(DIR, file));
      const real = (redis = await startRealRedis());
      const ours = (rewind = await startTestServer());
      const mismatches = await runCorpus(file, steps, { redisPort: real.port, rewindPort: ours.port });
      if (mismatches.length > 0) throw new Error(`${file}: ${formatMismatches(mismatches)}`);
    });
  }
});
