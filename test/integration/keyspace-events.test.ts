/*
 * Keyspace notifications end to end: the session-store pattern (keys with short TTLs that nobody
 * reads must still produce `expired` events, from the active expire cycle, promptly), keyspace
 * and keyevent channels for one command, and CONFIG's validation and normal form.
 */
import { describe, expect, test } from 'vitest';
import type { Redis } from 'ioredis';
import { serverWithClientsPerTest } from '../helpers/fixture.js';
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
