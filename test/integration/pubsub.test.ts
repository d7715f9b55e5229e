/*
 * Pub/sub with several clients: ioredis in subscriber mode, raw RESP2 and RESP3 framing, pattern
 * and shard delivery, per-publisher order, cleanup on disconnect and RESET, CLIENT LIST / INFO
 * counters, PUBLISH staying out of the AOF, and the pubsub output buffer limit closing a
 * subscriber that does not read.
 */
import net from 'node:net';
import { describe, expect, test } from 'vitest';
import type { Redis } from 'ioredis';
import type { TestServer } from '../helpers/server.js';
import { serverWithClientsPerTest } from '../helpers/fixture.js';
import { RawClient, simplify } from '../helpers/raw.js';
import { encodeCommand } from '../../protocol/encode.js';

let ts: TestServer;
let logged: string[];
let client: () => Promise<Redis>;

serverWithClientsPerTest((f) => {
  ({ ts, logged, client } = f);
});

async function raw(resp: 2 | 3 = 2): Promise<RawClient> {
  const c = await RawClient.connect(ts.port);
  if (resp === 3) await c.call('HELLO', '3');
  return c;
}

async function next(c: RawClient): Promise<unknown> {
  return simplify((await c.readReply(2000)).value);
}

/** Polls until cond() holds (server-side effects of a disconnect are asynchronous). */
async function until(cond: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('ioredis subscriber mode', () => {
  test('subscribe, message, pmessage, unsubscribe', async () => {
    const sub = await client();
    const pub = await client();
    const got: string[] = [];
    sub.on('message', (ch: string, msg: string) => got.push(`message ${ch} ${msg}`));
    sub.on('pmessage', (pat: string, ch: string, msg: string) => got.push(`pmessage ${pat} ${ch} ${msg}`));
    expect(await sub.subscribe('news', 'sport')).toBe(2);
    expect(await sub.psubscribe('n*')).toBe(3);
    expect(await pub.publish('news', 'hello')).toBe(2);
    expect(await pub.publish('sport', 'goal')).toBe(1);
    expect(await pub.publish('none', 'x')).toBe(1);
    expect(await pub.publish('other', 'x')).toBe(0);
    await until(() => got.length === 4);
    expect(got).toEqual(['message news hello', 'pmessage n* news hello', 'message sport goal', 'pmessage n* none x']);
    expect(await pub.call('PUBSUB', 'NUMSUB', 'news', 'zzz')).toEqual(['news', 1, 'zzz', 0]);
    expect(await pub.call('PUBSUB', 'NUMPAT')).toBe(1);
    expect(((await pub.call('PUBSUB', 'CHANNELS')) as string[]).sort()).toEqual(['news', 'sport']);
    expect(await sub.unsubscribe('news')).toBe(2);
    expect(await pub.publish('news', 'again')).toBe(1);
    // Named: ioredis 5 waits forever on a bare PUNSUBSCRIBE (against real Redis too).
    expect(await sub.punsubscribe('n*')).toBe(1);
    expect(await sub.unsubscribe('sport')).toBe(0);
    expect(await pub.publish('news', 'gone')).toBe(0);
    // Out of subscribed mode: ordinary commands work again.
    expect(await sub.set('k', 'v')).toBe('OK');
  });

  test('message order from one publisher is preserved across many messages', async () => {
    const sub = await client();
    const pub = await client();
    const got: string[] = [];
    sub.on('message', (_ch: string, msg: string) => got.push(msg));
    await sub.subscribe('seq');
    const pipe = pub.pipeline();
    for (let i = 0; i < 2000; i++) pipe.publish('seq', String(i));
    await pipe.exec();
    await until(() => got.length === 2000);
    expect(got).toEqual(Array.from({ length: 2000 }, (_, i) => String(i)));
  });

  test('several subscribers each get every message', async () => {
    const subs = [await client(), await client(), await client()];
    const pub = await client();
    const got = subs.map(() => [] as string[]);
    for (const [i, s] of subs.entries()) {
      s.on('message', (_ch: string, msg: string) => got[i]!.push(msg));
      await s.subscribe('all');
    }
    expect(await pub.publish('all', 'a')).toBe(3);
    expect(await pub.publish('all', 'b')).toBe(3);
    await until(() => got.every((g) => g.length === 2));
    expect(got).toEqual([['a', 'b'], ['a', 'b'], ['a', 'b']]);
  });
});

describe('RESP2 framing and subscribed mode', () => {
  test('confirmations, messages and the subscribed-mode refusal', async () => {
    const c = await raw();
    const pub = await client();
    await c.write(encodeCommand(['UNSUBSCRIBE']));
    expect(await next(c)).toEqual(['unsubscribe', null, 0]);
    await c.write(encodeCommand(['SUBSCRIBE', 'a', 'b']));
    expect(await next(c)).toEqual(['subscribe', 'a', 1]);
    expect(await next(c)).toEqual(['subscribe', 'b', 2]);
    await c.write(encodeCommand(['PSUBSCRIBE', 'a*']));
    expect(await next(c)).toEqual(['psubscribe', 'a*', 3]);
    await c.write(encodeCommand(['SSUBSCRIBE', 's']));
    expect(await next(c)).toEqual(['ssubscribe', 's', 1]);
    expect(simplify((await c.call('GET', 'k')).value)).toEqual(
      new Error("ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"),
    );
    expect(simplify((await c.call('CLIENT', 'ID')).value)).toEqual(
      new Error("ERR Can't execute 'client|id': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"),
    );
    expect(simplify((await c.call('PING')).value)).toEqual(['pong', '']);
    expect(await pub.publish('a', 'm')).toBe(2);
    expect(await next(c)).toEqual(['message', 'a', 'm']);
    expect(await next(c)).toEqual(['pmessage', 'a*', 'a', 'm']);
    expect(await pub.call('SPUBLISH', 's', 'sm')).toBe(1);
    expect(await next(c)).toEqual(['smessage', 's', 'sm']);
    // Binary-safe names and payloads.
    await c.write(encodeCommand(['SUBSCRIBE', Buffer.from([0, 255, 13, 10])]));
    const conf = (await c.readReply(2000)).value;
    expect(conf.type).toBe('array');
    await c.write(encodeCommand(['RESET']));
    expect(await next(c)).toBe('RESET');
    expect(await pub.call('PUBSUB', 'NUMSUB', 'a')).toEqual(['a', 0]);
    expect(await pub.call('PUBSUB', 'NUMPAT')).toBe(0);
    expect(simplify((await c.call('SET', 'k', 'v')).value)).toBe('OK');
    await c.close();
  });

  test('QUIT is allowed while subscribed', async () => {
    const c = await raw();
    await c.write(encodeCommand(['SUBSCRIBE', 'q']));
    await next(c);
    expect(simplify((await c.call('QUIT')).value)).toBe('OK');
    expect(await c.waitClose(2000)).toBe(true);
  });
});

describe('RESP3 push frames', () => {
  test('pushes use >, any command may run, self-publish arrives before the PUBLISH reply', async () => {
    const c = await raw(3);
    await c.write(encodeCommand(['SUBSCRIBE', 'me']));
    const conf = await c.readReply(2000);
    expect(conf.bytes.toString('latin1')).toBe('>3\r\n$9\r\nsubscribe\r\n$2\r\nme\r\n:1\r\n');
    expect(simplify((await c.call('SET', 'k', 'v')).value)).toBe('OK');
    expect(simplify((await c.call('PING')).value)).toBe('PONG');
    await c.write(encodeCommand(['PUBLISH', 'me', 'hi']));
    const push = await c.readReply(2000);
    expect(push.bytes.toString('latin1')).toBe('>3\r\n$7\r\nmessage\r\n$2\r\nme\r\n$2\r\nhi\r\n');
    expect(simplify((await c.readReply(2000)).value)).toBe(1);
    await c.write(encodeCommand(['UNSUBSCRIBE']));
    expect((await c.readReply(2000)).bytes.toString('latin1')).toBe('>3\r\n$11\r\nunsubscribe\r\n$2\r\nme\r\n:0\r\n');
    await c.write(encodeCommand(['UNSUBSCRIBE']));
    expect((await c.readReply(2000)).bytes.toString('latin1')).toBe('>3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n');
    await c.close();
  });
});

describe('glob patterns', () => {
  test.each([
    ['h?llo', 'hello', true], ['h?llo', 'hllo', false], ['h*llo', 'heeeello', true],
    ['h[ae]llo', 'hallo', true], ['h[ae]llo', 'hillo', false], ['h[^e]llo', 'hallo', true],
    ['h[^e]llo', 'hello', false], ['h[a-b]llo', 'hbllo', true], ['h[b-a]llo', 'hallo', true],
    ['h\\*llo', 'h*llo', true], ['h\\*llo', 'hello', false], ['*', '', false], ['a*', 'a', true],
    ['[\\]]', ']', true], ['x[', 'x', false],
  ])('%s vs %s -> %s', async (pattern, channel, matches) => {
    const sub = await client();
    const pub = await client();
    await sub.psubscribe(pattern);
    expect(await pub.publish(channel, 'm')).toBe(matches ? 1 : 0);
  });
});

describe('bookkeeping', () => {
  test('CLIENT LIST fields and flag, INFO counters, TYPE pubsub, disconnect frees everything', async () => {
    const sub = await client();
    const admin = await client();
    await sub.subscribe('c1', 'c2');
    await sub.psubscribe('p*');
    await sub.call('SSUBSCRIBE', 's1');
    const list = (await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
    expect(list).toMatch(/ flags=P /);
    expect(list).toMatch(/ sub=2 psub=1 ssub=1 /);
    expect(((await admin.call('CLIENT', 'LIST', 'TYPE', 'normal')) as string).split('\n').filter((l) => l !== '')).toHaveLength(1);
    const info = (await admin.info('stats')) as string;
    expect(info).toContain('pubsub_channels:2');
    expect(info).toContain('pubsub_patterns:1');
    expect(info).toContain('pubsubshard_channels:1');
    sub.disconnect();
    await until(async () => ((await admin.info('stats')) as string).includes('pubsub_channels:0'));
    const after = (await admin.info('stats')) as string;
    expect(after).toContain('pubsub_patterns:0');
    expect(after).toContain('pubsubshard_channels:0');
    expect(await admin.publish('c1', 'x')).toBe(0);
  });

  test('PUBLISH is not written to the AOF (Redis 7.0 propagates it to replicas only)', async () => {
    const pub = await client();
    await pub.set('a', '1');
    await pub.publish('ch', 'hi');
    await pub.call('SPUBLISH', 'ch', 'hi');
    expect(logged).toEqual(['set a 1']);
  });
});

describe('output buffer limit', () => {
  test('a subscriber that stops reading is closed at the hard limit; others keep receiving', async () => {
    const admin = await client();
    await admin.config('SET', 'client-output-buffer-limit', 'pubsub 1mb 512kb 60');
    // A raw socket that subscribes and then never reads.
    const slow = net.connect(ts.port, '127.0.0.1');
    await new Promise<void>((r) => slow.once('connect', () => r()));
    const closed = new Promise<void>((r) => slow.once('close', () => r()));
    slow.on('error', () => undefined);
    slow.write(encodeCommand(['SUBSCRIBE', 'flood']));
    await until(async () => (await admin.call('PUBSUB', 'NUMSUB', 'flood') as unknown[])[1] === 1);
    slow.pause();
    const good = await client();
    let received = 0;
    good.on('message', () => received++);
    await good.subscribe('flood');
    const payload = 'x'.repeat(64 * 1024);
    const pub = await client();
    let sent = 0;
    // Up to 64 MB: far past what kernel buffers absorb, so the limit must act.
    for (let i = 0; i < 1024 && (await admin.call('PUBSUB', 'NUMSUB', 'flood') as unknown[])[1] === 2; i++) {
      await pub.publish('flood', payload);
      sent++;
    }
    expect(await admin.call('PUBSUB', 'NUMSUB', 'flood')).toEqual(['flood', 1]);
    expect(sent).toBeLessThan(1024);
    // The server dropped it without sending what overflowed: reading now finds the end early.
    slow.resume();
    await closed;
    await until(() => received === sent);
    expect((ts.server.state.pubsub.limit.hard)).toBe(1024 * 1024);
    slow.destroy();
  });

  test('the soft limit closes a subscriber that stays over it for longer than its seconds', async () => {
    const admin = await client();
    await admin.config('SET', 'client-output-buffer-limit', 'pubsub 0 256kb 0');
    const slow = net.connect(ts.port, '127.0.0.1');
    await new Promise<void>((r) => slow.once('connect', () => r()));
    slow.on('error', () => undefined);
    const closed = new Promise<void>((r) => slow.once('close', () => r()));
    slow.write(encodeCommand(['SUBSCRIBE', 'soft']));
    await until(async () => (await admin.call('PUBSUB', 'NUMSUB', 'soft') as unknown[])[1] === 1);
    slow.pause();
    const pub = await client();
    const payload = 'y'.repeat(32 * 1024);
    const started = Date.now();
    // No hard limit: only time over the soft one can close it (once a second boundary passes, as
    // Redis counts whole seconds).
    while ((await admin.call('PUBSUB', 'NUMSUB', 'soft') as unknown[])[1] === 1) {
      if (Date.now() - started > 10_000) throw new Error('soft limit never applied');
      await pub.publish('soft', payload);
      await new Promise((r) => setTimeout(r, 5));
    }
    slow.resume();
    await closed;
    slow.destroy();
  });
});
