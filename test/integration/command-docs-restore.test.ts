/*
 * COMMAND DOCS RESTORE: the argument tree (names, types, tokens, flags) as Redis 7.0 gives it,
 * which redis-cli turns into typing hints. Summaries, complexity and history are our own wording,
 * so the reply cannot be compared byte for byte (test/diff); only the arguments are compared here,
 * against a real redis-server when one is on PATH.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient, simplify } from '../helpers/raw.js';
import { redisAvailable, startRealRedis, type RealRedis } from '../helpers/real-redis.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

interface ArgShape {
  name: string;
  type: string;
  token?: string;
  flags?: string[];
}

/** A flat RESP2 map ([k1, v1, k2, v2...]) as an object. */
function pairs(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const items = list as unknown[];
  for (let i = 0; i + 1 < items.length; i += 2) out[String(items[i])] = items[i + 1];
  return out;
}

/** The `arguments` of a COMMAND DOCS reply for one command, without per-argument `since`. */
async function argumentsOf(c: RawClient, command: string): Promise<ArgShape[]> {
  const reply = simplify((await c.call('COMMAND', 'DOCS', command)).value) as unknown[];
  const doc = pairs(reply[1]);
  return (doc['arguments'] as unknown[]).map((a) => {
    const f = pairs(a);
    const shape: ArgShape = { name: String(f['name']), type: String(f['type']) };
    if (f['token'] !== undefined) shape.token = String(f['token']);
    if (f['flags'] !== undefined) shape.flags = f['flags'] as string[];
    return shape;
  });
}

describe('COMMAND DOCS RESTORE', () => {
  let ours: TestServer;
  let c: RawClient;
  beforeAll(async () => {
    ours = await startTestServer();
    c = await RawClient.connect(ours.port);
  });
  afterAll(async () => {
    await c?.close();
    await ours?.close();
  });

  it('types FREQ frequency and IDLETIME seconds as integers', async () => {
    const args = await argumentsOf(c, 'restore');
    expect(args.find((a) => a.name === 'frequency')).toEqual({ name: 'frequency', type: 'integer', token: 'FREQ', flags: ['optional'] });
    expect(args.find((a) => a.name === 'seconds')).toEqual({ name: 'seconds', type: 'integer', token: 'IDLETIME', flags: ['optional'] });
  });

  describe.skipIf(!redisAvailable())('against Redis 7.0', () => {
    let redis: RealRedis;
    let r: RawClient;
    beforeAll(async () => {
      redis = await startRealRedis();
      r = await RawClient.connect(redis.port);
    });
    afterAll(async () => {
      await r?.close();
      await redis?.stop();
    });

    it('has the same argument names, types, tokens and flags', async () => {
      expect(await argumentsOf(c, 'restore')).toEqual(await argumentsOf(r, 'restore'));
    });
  });
});
