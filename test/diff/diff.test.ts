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
import { parseReply } from '../helpers/raw.js';
import { compareOutcomes, formatMismatches, loadCorpus, parseCorpus, runCorpus, type Outcome } from './harness.js';

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
      // The same settings as the real server: DEBUG allowed on both sides.
      const ours = (rewind = await startTestServer({ 'enable-debug-command': 'yes' }));
      const mismatches = await runCorpus(file, steps, { redisPort: real.port, rewindPort: ours.port });
      if (mismatches.length > 0) throw new Error(`${file}: ${formatMismatches(mismatches)}`);
    });
  }
});

describe('harness', () => {
  test('parses directives, quoting and comments, and names file:line on errors', () => {
    const steps = parseCorpus('x.redis', '# c\n\nSET k "a b"  # trailing\n!sorted KEYS *\n!sleep 5\n!redis72 CLIENT NO-TOUCH on\nSET h "#"\n');
    expect(steps.map((s) => (s.kind === 'command' ? [s.line, s.directive, s.argv.map(String)] : [s.line, s.kind]))).toEqual([
      [3, 'plain', ['SET', 'k', 'a b']],
      [4, 'sorted', ['KEYS', '*']],
      [5, 'sleep'],
      [6, 'skip'],
      [7, 'plain', ['SET', 'h', '#']],
    ]);
    const two = parseCorpus('p.redis', 'SUBSCRIBE a\n!read\n!other PUBLISH a "m 1"\n');
    expect(two.map((s) => (s.kind === 'command' ? [s.kind, s.other === true, s.argv.map(String)] : [s.kind]))).toEqual([
      ['command', false, ['SUBSCRIBE', 'a']], ['read'], ['command', true, ['PUBLISH', 'a', 'm 1']],
    ]);
    expect(() => parseCorpus('q.redis', '!read PING\n')).toThrow('q.redis:1: !read takes nothing');
    expect(() => parseCorpus('y.redis', 'PING\nECHO "open\n')).toThrow('y.redis:2: unbalanced quotes');
    expect(() => parseCorpus('z.redis', '!nope PING\n')).toThrow('z.redis:1: unknown directive !nope');
  });

  test('compares under each directive', () => {
    const r = (text: string): Outcome => ({ ok: true, reply: parseReply(text) });
    expect(compareOutcomes('plain', r('+OK\r\n'), r('+OK\r\n'))).toBeNull();
    expect(compareOutcomes('plain', r(':1\r\n'), r(':2\r\n'))).toBe('reply bytes differ');
    expect(compareOutcomes('ignore', r(':1\r\n'), r(':2\r\n'))).toBeNull();
    expect(compareOutcomes('ignore', r(':1\r\n'), r('+1\r\n'))).not.toBeNull();
    expect(compareOutcomes('sorted', r('*2\r\n$1\r\na\r\n$1\r\nb\r\n'), r('*2\r\n$1\r\nb\r\n$1\r\na\r\n'))).toBeNull();
    expect(compareOutcomes('sorted', r('*2\r\n$1\r\na\r\n$1\r\nb\r\n'), r('*2\r\n$1\r\nb\r\n$1\r\nb\r\n'))).not.toBeNull();
    expect(compareOutcomes('scan', r('*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n'), r('*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$1\r\na\r\n'))).toBeNull();
    expect(compareOutcomes('scan', r('*2\r\n$1\r\n0\r\n*0\r\n'), r('*2\r\n$2\r\n17\r\n*0\r\n'))).not.toBeNull();
    expect(compareOutcomes('plain', { ok: false, what: 'connection closed' }, { ok: false, what: 'connection closed' })).toBeNull();
    expect(compareOutcomes('plain', r('+OK\r\n'), { ok: false, what: 'connection closed' })).not.toBeNull();
  });

  test('reports file:line, the command and both replies', () => {
    const text = formatMismatches([{ file: 'a.redis', line: 7, command: 'GET k', reason: 'reply bytes differ', redis: '"$-1\\r\\n"', rewind: '"_\\r\\n"' }]);
    expect(text).toContain('a.redis:7: GET k');
    expect(text).toContain('redis:  "$-1\\r\\n"');
    expect(text).toContain('rewind: "_\\r\\n"');
  });
});
