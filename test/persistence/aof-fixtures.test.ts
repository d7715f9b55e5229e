/*
 * Every AOF folder written by real Redis 7.0.15 (test/fixtures/redis-7.0.15/aof) loads in Rewind
 * to the keyspace the real server reported, and the damaged ones (torn tail, unfinished MULTI)
 * are handled as Redis handles them with aof-load-truncated yes and no: same cut offset, same
 * refusal text, file untouched when refused.
 */
import { cpSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { fixtureView as dumpKeyspace, type FixtureKey as ExpectedKey, type FixtureKeyspace as Keyspace } from '../helpers/fixture-keyspace.js';

const AOF_FIXTURES = new URL('../fixtures/redis-7.0.15/aof/', import.meta.url);


/**
 * Rewind reports Redis 7.2's encodings, where small lists and sets are listpacks; 7.0 (which wrote
 * the fixtures) had quicklist and hashtable for them. Their values are compared, not that name.
 */
function comparable(ks: Keyspace): Keyspace {
  const out: Keyspace = {};
  for (const [db, keys] of Object.entries(ks)) {
    out[db] = {};
    for (const [k, v] of Object.entries(keys)) {
      const { encoding, ...rest } = v;
      out[db][k] = (v.type === 'list' || v.type === 'set' ? rest : { ...rest, encoding }) as ExpectedKey;
    }
  }
  return out;
}

function expected(fixture: string, file: string): { keyspace: Keyspace; incr_file_size_after_start?: number; relevant_log_lines?: string[] } {
  return JSON.parse(readFileSync(new URL(`${fixture}/expected/${file}`, AOF_FIXTURES), 'utf8')) as ReturnType<typeof expected>;
}

/** A copy of a fixture's appendonlydir in a fresh temp dir (the server may truncate files). */
async function copyFixture(fixture: string): Promise<string> {
  const dir = await tempDir('rewind-aof-fixture-');
  cpSync(new URL(`${fixture}/appendonlydir`, AOF_FIXTURES), path.join(dir, 'appendonlydir'), { recursive: true });
  return dir;
}

let server: TestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function load(fixture: string, config: Record<string, string> = {}): Promise<{ dir: string; keyspace: Keyspace }> {
  const dir = await copyFixture(fixture);
  server = await startTestServer({ appendonly: 'yes', dir, ...config });
  return { dir, keyspace: await dumpKeyspace(server.port) };
}

describe('AOF folders written by Redis 7.0.15 load to the same keyspace', () => {
  for (const fixture of ['pitr-basic', 'pitr-multi-incr', 'resp-base']) {
    test(fixture, async () => {
      const { keyspace } = await load(fixture);
      expect(comparable(keyspace)).toEqual(comparable(expected(fixture, 'final.json').keyspace));
    });
  }

  test('resp-base keeps its function library (FUNCTION LOAD in the base)', async () => {
    await load('resp-base');
    expect(server!.server.state.functionLibraries.size).toBe(1);
  });
});

describe('damaged tails, as Redis 7.0.15 handles them', () => {
  for (const fixture of ['torn-tail', 'torn-multi']) {
    test(`${fixture} with aof-load-truncated yes: loads and cuts the file where Redis does`, async () => {
      const want = expected(fixture, 'load-aof-load-truncated-yes.json');
      const { dir, keyspace } = await load(fixture, { 'aof-load-truncated': 'yes' });
      expect(comparable(keyspace)).toEqual(comparable(want.keyspace));
      // Appending after the cut would change the size: compare right after startup's cut, before writes.
      expect(statSync(path.join(dir, 'appendonlydir', 'appendonly.aof.2.incr.aof')).size).toBe(want.incr_file_size_after_start);
    });

    test(`${fixture} with aof-load-truncated no: refuses to start and leaves the file as it was`, async () => {
      const want = expected(fixture, 'load-aof-load-truncated-no.json');
      const dir = await copyFixture(fixture);
      const incr = path.join(dir, 'appendonlydir', 'appendonly.aof.2.incr.aof');
      const before = statSync(incr).size;
      const refusal = want.relevant_log_lines!.find((l) => l.startsWith('Unexpected end of file'))!;
      await expect(startTestServer({ appendonly: 'yes', dir, 'aof-load-truncated': 'no' })).rejects.toThrow(refusal);
      expect(statSync(incr).size).toBe(before);
      expect(before).toBe(want.incr_file_size_after_start);
    });
  }
});
