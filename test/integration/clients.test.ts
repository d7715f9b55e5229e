/*
 * Client compatibility: ioredis 5, ioredis 6, node-redis 4 and node-redis 6 connect to Rewind
 * (RESP2, and RESP3 where the client supports it), run string and key commands through their own
 * APIs, and must get exactly what Redis 7 gives. EXPECTED is Redis 7's answer; when redis-server is
 * on PATH the same workload runs against it too, which keeps EXPECTED honest.
 * MULTI/EXEC is not implemented yet: pipelines here are plain pipelines (no MULTI).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Redis as Ioredis5 } from 'ioredis';
import { Redis as Ioredis6 } from 'ioredis6';
import { createClient as createClient4 } from 'redis';
import { createClient as createClient6 } from 'redis6';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { redisAvailable, startRealRedis, type RealRedis } from '../helpers/real-redis.js';

const HAVE_REDIS = redisAvailable();
if (!HAVE_REDIS) console.warn('[clients] redis-server not found on PATH: client results are checked against EXPECTED only');

type Result = Record<string, unknown>;

/** The value, or `{ error: message }` when the promise rejects. */
async function attempt(p: Promise<unknown>): Promise<unknown> {
  try {
    return await p;
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** TTLs drift with the clock: a value within 5 s under the set TTL counts as the set TTL. */
function ttlApprox(v: unknown, set: number): unknown {
  return typeof v === 'number' && v <= set && v > set - 5 ? `~${set}` : v;
}

/** The `resp=` field of CLIENT INFO: which protocol the client really negotiated. */
function respOf(info: unknown): unknown {
  const text = Buffer.isBuffer(info) ? info.toString('latin1') : info;
  if (typeof text !== 'string') return text;
  return /\bresp=(\d)\b/.exec(text)?.[1] ?? text;
}

const BINARY = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x41, 0x80]);
const SCAN_KEYS = 25;

/** Redis 7's answers to the workload (the same for every client; `resp` is the negotiated protocol). */
const EXPECTED: Result = {
  setPlain: 'OK',
  setNxExisting: null,
  setXxGet: 'v1',
  getAfter: 'v2',
  getMissing: null,
  setEx: 'OK',
  ttlEx: '~100',
  pttlEx: 'ok',
  setBadCombo: { error: 'ERR syntax error' },
  setBadExpire: { error: "ERR invalid expire time in 'set' command" },
  mget: ['v2', null, 'e'],
  incr1: 1,
  incr2: 2,
  incrBy: 12,
  decr: 11,
  incrNotInt: { error: 'ERR value is not an integer or out of range' },
  expire: 1,
  ttlAfterExpire: '~50',
  expireMissing: 0,
  ttlMissing: -2,
  ttlNoExpire: -1,
  exists: 2,
  del: 1,
  existsAfterDel: 0,
  scan: Array.from({ length: SCAN_KEYS }, (_, i) => `scan:${String(i).padStart(2, '0')}`),
  pipeline: ['OK', 'pv', 1, 2],
  binary: BINARY.toString('hex'),
  arity: { error: "ERR wrong number of arguments for 'get' command" },
  unknown: { error: "ERR unknown command 'NOSUCHCMD', with args beginning with: 'x' " },
};

// ---- the workload, once per client API ----------------------------------------------------------

type IoredisLike = Ioredis5 | Ioredis6;

async function ioredisWorkload(r: IoredisLike, p: string): Promise<Result> {
  const k = `${p}:k`;
  const out: Result = {};
  out.resp = respOf(await attempt(r.call('CLIENT', 'INFO')));
  out.setPlain = await attempt(r.set(k, 'v1'));
  out.setNxExisting = await attempt(r.set(k, 'x', 'NX'));
  out.setXxGet = await attempt(r.set(k, 'v2', 'XX', 'GET'));
  out.getAfter = await attempt(r.get(k));
  out.getMissing = await attempt(r.get(`${p}:missing`));
  out.setEx = await attempt(r.set(`${p}:ex`, 'e', 'EX', 100));
  out.ttlEx = ttlApprox(await attempt(r.ttl(`${p}:ex`)), 100);
  const pttl = await attempt(r.pttl(`${p}:ex`));
  out.pttlEx = typeof pttl === 'number' && pttl > 95_000 && pttl <= 100_000 ? 'ok' : pttl;
  out.setBadCombo = await attempt(r.call('SET', k, 'v', 'PX', '100', 'KEEPTTL'));
  out.setBadExpire = await attempt(r.set(k, 'v', 'EX', 0));
  out.mget = await attempt(r.mget(k, `${p}:missing`, `${p}:ex`));
  out.incr1 = await attempt(r.incr(`${p}:n`));
  out.incr2 = await attempt(r.incr(`${p}:n`));
  out.incrBy = await attempt(r.incrby(`${p}:n`, 10));
  out.decr = await attempt(r.decr(`${p}:n`));
  out.incrNotInt = await attempt(r.incr(k));
  out.expire = await attempt(r.expire(k, 50));
  out.ttlAfterExpire = ttlApprox(await attempt(r.ttl(k)), 50);
  out.expireMissing = await attempt(r.expire(`${p}:missing`, 10));
  out.ttlMissing = await attempt(r.ttl(`${p}:missing`));
  out.ttlNoExpire = await attempt(r.ttl(`${p}:n`));
  out.exists = await attempt(r.exists(k, `${p}:missing`, k));
  out.del = await attempt(r.del(k, `${p}:missing`));
  out.existsAfterDel = await attempt(r.exists(k));
  for (let i = 0; i < SCAN_KEYS; i++) await r.set(`${p}:scan:${String(i).padStart(2, '0')}`, 'x');
  out.scan = await attempt(
    new Promise<string[]>((resolve, reject) => {
      const keys: string[] = [];
      const stream = r.scanStream({ match: `${p}:scan:*`, count: 7 });
      stream.on('data', (batch: string[]) => keys.push(...batch));
      stream.on('end', () => resolve([...new Set(keys)].map((key) => key.slice(p.length + 1)).sort()));
      stream.on('error', reject);
    }),
  );
  const piped = await attempt(
    r.pipeline().set(`${p}:pipe`, 'pv').get(`${p}:pipe`).incr(`${p}:pc`).incr(`${p}:pc`).exec(),
  );
  out.pipeline = Array.isArray(piped) ? piped.map((entry: [Error | null, unknown]) => (entry[0] !== null ? { error: entry[0].message } : entry[1])) : piped;
  await attempt(r.set(`${p}:bin`, BINARY));
  const bin = await attempt(r.getBuffer(`${p}:bin`));
  out.binary = Buffer.isBuffer(bin) ? bin.toString('hex') : bin;
  out.arity = await attempt(r.call('GET'));
  out.unknown = await attempt(r.call('NOSUCHCMD', 'x'));
  return out;
}

type Client4 = ReturnType<typeof createClient4>;

async function nodeRedis4Workload(c: Client4, p: string): Promise<Result> {
  const k = `${p}:k`;
  const out: Result = {};
  out.resp = respOf(await attempt(c.sendCommand(['CLIENT', 'INFO'])));
  out.setPlain = await attempt(c.set(k, 'v1'));
  out.setNxExisting = await attempt(c.set(k, 'x', { NX: true }));
  out.setXxGet = await attempt(c.set(k, 'v2', { XX: true, GET: true }));
  out.getAfter = await attempt(c.get(k));
  out.getMissing = await attempt(c.get(`${p}:missing`));
  out.setEx = await attempt(c.set(`${p}:ex`, 'e', { EX: 100 }));
  out.ttlEx = ttlApprox(await attempt(c.ttl(`${p}:ex`)), 100);
  const pttl = await attempt(c.pTTL(`${p}:ex`));
  out.pttlEx = typeof pttl === 'number' && pttl > 95_000 && pttl <= 100_000 ? 'ok' : pttl;
  out.setBadCombo = await attempt(c.sendCommand(['SET', k, 'v', 'PX', '100', 'KEEPTTL']));
  out.setBadExpire = await attempt(c.set(k, 'v', { EX: 0 }));
  out.mget = await attempt(c.mGet([k, `${p}:missing`, `${p}:ex`]));
  out.incr1 = await attempt(c.incr(`${p}:n`));
  out.incr2 = await attempt(c.incr(`${p}:n`));
  out.incrBy = await attempt(c.incrBy(`${p}:n`, 10));
  out.decr = await attempt(c.decr(`${p}:n`));
  out.incrNotInt = await attempt(c.incr(k));
  const expire = await attempt(c.expire(k, 50));
  out.expire = typeof expire === 'boolean' ? Number(expire) : expire;
  out.ttlAfterExpire = ttlApprox(await attempt(c.ttl(k)), 50);
  const expireMissing = await attempt(c.expire(`${p}:missing`, 10));
  out.expireMissing = typeof expireMissing === 'boolean' ? Number(expireMissing) : expireMissing;
  out.ttlMissing = await attempt(c.ttl(`${p}:missing`));
  out.ttlNoExpire = await attempt(c.ttl(`${p}:n`));
  out.exists = await attempt(c.exists([k, `${p}:missing`, k]));
  out.del = await attempt(c.del([k, `${p}:missing`]));
  out.existsAfterDel = await attempt(c.exists(k));
  for (let i = 0; i < SCAN_KEYS; i++) await c.set(`${p}:scan:${String(i).padStart(2, '0')}`, 'x');
  out.scan = await attempt(
    (async () => {
      const keys = new Set<string>();
      for await (const key of c.scanIterator({ MATCH: `${p}:scan:*`, COUNT: 7 })) keys.add(key);
      return [...keys].map((key) => key.slice(p.length + 1)).sort();
    })(),
  );
  out.pipeline = await attempt(
    c.multi().set(`${p}:pipe`, 'pv').get(`${p}:pipe`).incr(`${p}:pc`).incr(`${p}:pc`).execAsPipeline(),
  );
  await attempt(c.set(`${p}:bin`, BINARY));
  const bin = await attempt(c.sendCommand(['GET', `${p}:bin`], { returnBuffers: true }));
  out.binary = Buffer.isBuffer(bin) ? bin.toString('hex') : bin;
  out.arity = await attempt(c.sendCommand(['GET']));
  out.unknown = await attempt(c.sendCommand(['NOSUCHCMD', 'x']));
  return out;
}

function makeClient6(port: number, resp: 2 | 3) {
  return createClient6({ socket: { host: '127.0.0.1', port, reconnectStrategy: false, connectTimeout: 5000 }, RESP: resp });
}

type Client6 = ReturnType<typeof makeClient6>;

async function nodeRedis6Workload(c: Client6, p: string): Promise<Result> {
  const k = `${p}:k`;
  const out: Result = {};
  out.resp = respOf(await attempt(c.sendCommand(['CLIENT', 'INFO'])));
  out.setPlain = await attempt(c.set(k, 'v1'));
  out.setNxExisting = await attempt(c.set(k, 'x', { condition: 'NX' }));
  out.setXxGet = await attempt(c.set(k, 'v2', { condition: 'XX', GET: true }));
  out.getAfter = await attempt(c.get(k));
  out.getMissing = await attempt(c.get(`${p}:missing`));
  out.setEx = await attempt(c.set(`${p}:ex`, 'e', { expiration: { type: 'EX', value: 100 } }));
  out.ttlEx = ttlApprox(await attempt(c.ttl(`${p}:ex`)), 100);
  const pttl = await attempt(c.pTTL(`${p}:ex`));
  out.pttlEx = typeof pttl === 'number' && pttl > 95_000 && pttl <= 100_000 ? 'ok' : pttl;
  out.setBadCombo = await attempt(c.sendCommand(['SET', k, 'v', 'PX', '100', 'KEEPTTL']));
  out.setBadExpire = await attempt(c.set(k, 'v', { expiration: { type: 'EX', value: 0 } }));
  out.mget = await attempt(c.mGet([k, `${p}:missing`, `${p}:ex`]));
  out.incr1 = await attempt(c.incr(`${p}:n`));
  out.incr2 = await attempt(c.incr(`${p}:n`));
  out.incrBy = await attempt(c.incrBy(`${p}:n`, 10));
  out.decr = await attempt(c.decr(`${p}:n`));
  out.incrNotInt = await attempt(c.incr(k));
  out.expire = await attempt(c.expire(k, 50));
  out.ttlAfterExpire = ttlApprox(await attempt(c.ttl(k)), 50);
  out.expireMissing = await attempt(c.expire(`${p}:missing`, 10));
  out.ttlMissing = await attempt(c.ttl(`${p}:missing`));
  out.ttlNoExpire = await attempt(c.ttl(`${p}:n`));
  out.exists = await attempt(c.exists([k, `${p}:missing`, k]));
  out.del = await attempt(c.del([k, `${p}:missing`]));
  out.existsAfterDel = await attempt(c.exists(k));
  for (let i = 0; i < SCAN_KEYS; i++) await c.set(`${p}:scan:${String(i).padStart(2, '0')}`, 'x');
  out.scan = await attempt(
    (async () => {
      const keys = new Set<string>();
      for await (const batch of c.scanIterator({ MATCH: `${p}:scan:*`, COUNT: 7 })) {
        for (const key of batch) keys.add(String(key));
      }
      return [...keys].map((key) => key.slice(p.length + 1)).sort();
    })(),
  );
  out.pipeline = await attempt(
    c.multi().set(`${p}:pipe`, 'pv').get(`${p}:pipe`).incr(`${p}:pc`).incr(`${p}:pc`).execAsPipeline(),
  );
  await attempt(c.set(`${p}:bin`, BINARY));
  const bin = await attempt(c.withTypeMapping({ 36: Buffer }).get(`${p}:bin`));
  out.binary = Buffer.isBuffer(bin) ? bin.toString('hex') : bin;
  out.arity = await attempt(c.sendCommand(['GET']));
  out.unknown = await attempt(c.sendCommand(['NOSUCHCMD', 'x']));
  return out;
}

// ---- connecting -------------------------------------------------------------------------------

interface Flavour {
  name: string;
  /** The protocol the client should end up speaking. */
  resp: '2' | '3';
  /** Connects to 127.0.0.1:port, runs the workload under key prefix p, disconnects. */
  run(port: number, p: string): Promise<Result>;
}

function ioredisFlavour(name: string, resp: '2' | '3', make: (port: number) => IoredisLike): Flavour {
  return {
    name,
    resp,
    async run(port, p) {
      const r = make(port);
      try {
        await r.connect();
        return await ioredisWorkload(r, p);
      } finally {
        r.disconnect();
      }
    },
  };
}

const IOREDIS_OPTIONS = {
  host: '127.0.0.1',
  lazyConnect: true,
  maxRetriesPerRequest: 0,
  retryStrategy: () => null,
  enableOfflineQueue: false,
} as const;

const FLAVOURS: Flavour[] = [
  ioredisFlavour('ioredis 5 (RESP2)', '2', (port) => new Ioredis5({ ...IOREDIS_OPTIONS, port })),
  ioredisFlavour('ioredis 6 (RESP2)', '2', (port) => new Ioredis6({ ...IOREDIS_OPTIONS, port, protocol: 2 })),
  ioredisFlavour('ioredis 6 (RESP3)', '3', (port) => new Ioredis6({ ...IOREDIS_OPTIONS, port, protocol: 3 })),
  {
    name: 'node-redis 4 (RESP2)',
    resp: '2',
    async run(port, p) {
      const c = createClient4({ socket: { host: '127.0.0.1', port, reconnectStrategy: false, connectTimeout: 5000 } });
      c.on('error', () => undefined);
      await c.connect();
      try {
        return await nodeRedis4Workload(c, p);
      } finally {
        await c.disconnect().catch(() => undefined);
      }
    },
  },
  ...([2, 3] as const).map(
    (resp): Flavour => ({
      name: `node-redis 6 (RESP${resp})`,
      resp: resp === 2 ? '2' : '3',
      async run(port, p) {
        const c = makeClient6(port, resp);
        c.on('error', () => undefined);
        await c.connect();
        try {
          return await nodeRedis6Workload(c, p);
        } finally {
          c.destroy();
        }
      },
    }),
  ),
];

describe('client compatibility', () => {
  let rewind: TestServer | undefined;
  let redis: RealRedis | null = null;

  beforeAll(async () => {
    rewind = await startTestServer();
    if (HAVE_REDIS) redis = await startRealRedis();
  });
  afterAll(async () => {
    await Promise.all([rewind?.close(), redis?.stop()]);
  });

  FLAVOURS.forEach((flavour, i) => {
    describe(flavour.name, () => {
      test('Rewind gives what Redis 7 gives', async () => {
        const got = await flavour.run(rewind!.port, `c${i}`);
        expect(got).toEqual({ ...EXPECTED, resp: flavour.resp });
      });

      test.skipIf(!HAVE_REDIS)('real Redis gives EXPECTED (checks the expectations)', async () => {
        const got = await flavour.run(redis!.port, `c${i}`);
        expect(got).toEqual({ ...EXPECTED, resp: flavour.resp });
      });
    });
  });
});
