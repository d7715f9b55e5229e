/*
 * Keyspace notifications end to end: the session-store pattern (keys with short TTLs that nobody
 * reads must still produce `expired` events, from the active expire cycle, promptly), keyspace
 * and keyevent channels for one command, CONFIG's validation and normal form, and the events
 * around blocked readers compared with real Redis (the differential corpora in test/diff cannot
 * unblock a client: their second connection waits for each reply).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Redis } from 'ioredis';
import { serverWithClientsPerTest } from '../helpers/fixture.js';
import { connect, disconnectAll } from '../helpers/clients.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { redisAvailable, startRealRedis, type RealRedis } from '../helpers/real-redis.js';
import { rawClient } from '../helpers/raw.js';
import { notifyFlagsFromString, notifyFlagsToString } from '../../commands/notify.js';

let client: () => Promise<Redis>;

serverWithClientsPerTest((f) => {
  ({ client } = f);
});

async function until(cond: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('expired events from the active expire cycle', () => {
  test('1000 untouched keys with TTLs of 50..300 ms give 1000 events, each soon after its deadline', async () => {
    const admin = await client();
    const sub = await client();
    await admin.config('SET', 'notify-keyspace-events', 'Egx');
    const lateness: number[] = [];
    const deadlines = new Map<string, number>();
    const seen = new Set<string>();
    sub.on('message', (ch: string, key: string) => {
      if (ch !== '__keyevent@0__:expired') return;
      seen.add(key);
      lateness.push(Date.now() - deadlines.get(key)!);
    });
    await sub.subscribe('__keyevent@0__:expired');
    const pipe = admin.pipeline();
    const now = Date.now();
    for (let i = 0; i < 1000; i++) {
      const ttl = 50 + (i % 251);
      deadlines.set(`session:${i}`, now + ttl);
      pipe.set(`session:${i}`, 'data', 'PX', ttl);
    }
    await pipe.exec();
    await until(() => seen.size === 1000, 5000);
    expect(seen.size).toBe(1000);
    expect(await admin.dbsize()).toBe(0);
    // At hz 10 the cycle runs every 100 ms: the typical event comes within one cycle; the bound on
    // the slowest leaves room for a loaded test machine.
    lateness.sort((a, b) => a - b);
    expect(lateness[500]!).toBeLessThan(250);
    expect(lateness[999]!).toBeLessThan(1500);
  });
});

describe('channels', () => {
  test('K and E publish on __keyspace@db__:key and __keyevent@db__:event, in the db of the command', async () => {
    const admin = await client();
    const sub = await client();
    await admin.config('SET', 'notify-keyspace-events', 'KEA');
    const got: string[] = [];
    sub.on('pmessage', (_p: string, ch: string, msg: string) => got.push(`${ch} ${msg}`));
    await sub.psubscribe('__key*__:*');
    await admin.select(3);
    await admin.rpush('q', 'a');
    await admin.rename('q', 'r');
    await until(() => got.length === 6, 2000);
    expect(got).toEqual([
      '__keyspace@3__:q rpush', '__keyevent@3__:rpush q',
      '__keyspace@3__:q rename_from', '__keyevent@3__:rename_from q',
      '__keyspace@3__:r rename_to', '__keyevent@3__:rename_to r',
    ]);
  });

  test('no K and no E publishes nothing, whatever the classes', async () => {
    const admin = await client();
    const sub = await client();
    await admin.config('SET', 'notify-keyspace-events', 'A');
    let n = 0;
    sub.on('pmessage', () => n++);
    await sub.psubscribe('*');
    await admin.set('k', 'v');
    await admin.del('k');
    await admin.config('SET', 'notify-keyspace-events', 'E$');
    await admin.set('k', 'v');
    await until(() => n === 1, 2000);
    expect(n).toBe(1);
  });
});

describe('notify-keyspace-events values', () => {
  test.each([
    ['', ''], ['KEA', 'AKE'], ['Ex', 'xE'], ['g$lshzxetd', 'A'], ['g$lshzxet', 'g$lshzxet'],
    ['$lshzxetmdnK', '$lshzxetdnKm'], ['nA', 'A'], ['AKEm', 'AKEm'],
  ])('%j shows as %j', async (value, shown) => {
    const admin = await client();
    await admin.config('SET', 'notify-keyspace-events', value);
    expect(await admin.config('GET', 'notify-keyspace-events')).toEqual(['notify-keyspace-events', shown]);
  });

  test('an unknown letter is refused with Redis 7.0 wording', async () => {
    const admin = await client();
    await expect(admin.config('SET', 'notify-keyspace-events', 'KEQ')).rejects.toThrow(
      "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.",
    );
  });

  test('n survives under A in the flags though CONFIG GET shows only A', () => {
    expect(notifyFlagsToString(notifyFlagsFromString('nAK'))).toBe('AK');
    expect(notifyFlagsFromString('nA') & notifyFlagsFromString('n')).not.toBe(0);
  });
});

/** A scenario run against one server: `c()` opens a client (closed afterwards). */
type Scenario = (c: () => Promise<Redis>) => Promise<void>;

const SENTINEL = '__keyend__:done';

/** Polls INFO until exactly n clients are blocked (on either server). */
async function blocked(r: Redis, n: number): Promise<void> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const info = await r.info('clients');
    if (Number(/blocked_clients:(\d+)/.exec(info)?.[1]) === n) return;
    if (Date.now() > deadline) throw new Error(`expected ${n} blocked clients`);
    await new Promise((res) => setTimeout(res, 5));
  }
}

/**
 * The events a scenario publishes, in order, as `channel message` (`__key*__:*`, all classes with
 * `n` and `m`). A PUBLISH on a channel the pattern matches ends the list: the server delivers it
 * after every event the scenario caused.
 */
async function eventsOf(port: number, scenario: Scenario): Promise<string[]> {
  const opened: Redis[] = [];
  const open = async (): Promise<Redis> => {
    const r = await connect(port);
    opened.push(r);
    return r;
  };
  try {
    const admin = await open();
    await admin.flushall();
    await admin.config('SET', 'notify-keyspace-events', 'KEAnm');
    const sub = await open();
    const got: string[] = [];
    let done = false;
    sub.on('pmessage', (_p: string, ch: string, msg: string) => {
      if (ch === SENTINEL) done = true;
      else if (!done) got.push(`${ch} ${msg}`);
    });
    await sub.psubscribe('__key*__:*');
    await scenario(open);
    await admin.publish(SENTINEL, 'x');
    await until(() => done, 3000);
    return got;
  } finally {
    await disconnectAll(opened);
  }
}

const HAVE_REDIS = redisAvailable();

describe.skipIf(!HAVE_REDIS)('events around blocked clients, as real Redis 7.0 publishes them', () => {
  let ours: TestServer;
  let real: RealRedis;
  beforeAll(async () => {
    [ours, real] = await Promise.all([startTestServer(), startRealRedis()]);
  });
  afterAll(async () => {
    await Promise.all([ours.close(), real.stop()]);
  });

  async function same(scenario: Scenario): Promise<string[]> {
    const theirs = await eventsOf(real.port, scenario);
    const mine = await eventsOf(ours.port, scenario);
    expect(mine).toEqual(theirs);
    return mine;
  }

  test('a blocked XREADGROUP creates its consumer when served, after the XADD that served it', async () => {
    const events = await same(async (c) => {
      const admin = await c();
      await admin.xgroup('CREATE', 's', 'g', '$', 'MKSTREAM');
      const reader = await c();
      const noack = await c();
      const served = reader.xreadgroup('GROUP', 'g', 'c1', 'BLOCK', 5000, 'STREAMS', 's', '>');
      const servedNoack = noack.xreadgroup('GROUP', 'g', 'c2', 'BLOCK', 5000, 'NOACK', 'STREAMS', 's', '>');
      await blocked(admin, 2);
      await admin.xadd('s', '1-1', 'f', 'v');
      await served;
      await admin.xadd('s', '2-1', 'f', 'v');
      await servedNoack;
      // Timed out without being served: no consumer, no event.
      await (await c()).xreadgroup('GROUP', 'g', 'c3', 'BLOCK', 20, 'STREAMS', 's', '>');
    });
    expect(events.filter((e) => e.startsWith('__keyevent'))).toEqual([
      '__keyevent@0__:new s', '__keyevent@0__:xgroup-create s',
      '__keyevent@0__:xadd s', '__keyevent@0__:xgroup-createconsumer s',
      '__keyevent@0__:xadd s', '__keyevent@0__:xgroup-createconsumer s',
    ]);
  });

  test('a blocked XREAD publishes its read misses when it blocks, not again when served', async () => {
    const events = await same(async (c) => {
      const admin = await c();
      const reader = await c();
      const served = reader.xread('BLOCK', 5000, 'STREAMS', 'missing', 's', '$', '$');
      await blocked(admin, 1);
      await admin.xadd('s', '1-1', 'f', 'v');
      await served;
    });
    expect(events.filter((e) => e.startsWith('__keyevent'))).toEqual([
      '__keyevent@0__:keymiss missing', '__keyevent@0__:keymiss s',
      '__keyevent@0__:keymiss missing', '__keyevent@0__:keymiss s',
      '__keyevent@0__:new s', '__keyevent@0__:xadd s',
    ]);
  });

  test('a served BLMOVE creates its destination: new, push, pop, del, in that order', async () => {
    await same(async (c) => {
      const admin = await c();
      const mover = await c();
      const served = mover.blmove('src', 'dst', 'LEFT', 'RIGHT', 5);
      await blocked(admin, 1);
      await admin.lpush('src', 'x');
      await served;
    });
  });
});

describe('a subscriber that runs the command itself (RESP3)', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer();
  });
  afterAll(async () => {
    await ts.close();
  });

  // Redis 7.0 writes each creation's push in the middle of XREADGROUP's reply; Rewind sends the
  // reply whole and the pushes after it, in the same order.
  test("XREADGROUP's consumer-creation pushes follow its reply instead of splitting it", async () => {
    const r = await rawClient(ts.port);
    try {
      await r.call('HELLO', '3');
      await r.call('CONFIG', 'SET', 'notify-keyspace-events', 'Et');
      for (const k of ['a', 'b']) {
        await r.call('XGROUP', 'CREATE', k, 'g', '$', 'MKSTREAM');
        await r.call('XADD', k, '1-1', 'f', 'v');
      }
      await r.call('SUBSCRIBE', '__keyevent@0__:xgroup-createconsumer');
      const reply = await r.call('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'a', 'b', '>', '>');
      expect(reply.value.type).toBe('map');
      const pushes = await r.readReplies(2);
      expect(pushes.map((p) => p.bytes.toString('latin1'))).toEqual(['a', 'b'].map((k) =>
        `>3\r\n$7\r\nmessage\r\n$36\r\n__keyevent@0__:xgroup-createconsumer\r\n$1\r\n${k}\r\n`));
    } finally {
      await r.close();
    }
  });
});
