/*
 * Blocking XREAD / XREADGROUP: served by a later XADD, `$` keeps meaning the last ID at the time
 * the client blocked, timeouts, and XGROUP DESTROY waking a blocked XREADGROUP with -NOGROUP.
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connect, disconnectAll } from '../helpers/clients.js';

let ts: TestServer;
let r: Redis;
let b: Redis;

beforeEach(async () => {
  ts = await startTestServer();
  r = await connect(ts.port);
  b = await connect(ts.port);
});

afterEach(async () => {
  await disconnectAll([r, b]);
  await ts.close();
});

/** Waits until `n` clients have run an XREAD/XREADGROUP (INFO's blocked_clients is not kept yet). */
async function blockedClients(n: number): Promise<void> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const list = (await r.call('CLIENT', 'LIST')) as string;
    if ((list.match(/cmd=xread(group)? /g) ?? []).length >= n) return;
    if (Date.now() > deadline) throw new Error(`never saw ${n} blocked clients`);
    await new Promise((res) => setTimeout(res, 5));
  }
}

test('XREAD BLOCK $ is served by the next XADD only', async () => {
  await r.call('XADD', 's', '1-1', 'a', '1');
  const pending = b.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
  await blockedClients(1);
  await r.call('XADD', 's', '2-1', 'b', '2');
  expect(await pending).toEqual([['s', [['2-1', ['b', '2']]]]]);
});

test('$ on a missing key, then the key is created', async () => {
  const pending = b.call('XREAD', 'BLOCK', '0', 'STREAMS', 'new', '$');
  await blockedClients(1);
  await r.call('XADD', 'new', '5-5', 'a', '1');
  expect(await pending).toEqual([['new', [['5-5', ['a', '1']]]]]);
});

test('$ stays the ID seen when blocking, even after the stream is recreated lower', async () => {
  await r.call('XADD', 's', '3-3', 'a', '1');
  const pending = b.call('XREAD', 'BLOCK', '300', 'STREAMS', 's', '$');
  await blockedClients(1);
  await r.call('DEL', 's');
  await r.call('XADD', 's', '1-1', 'a', '1');
  await r.call('XADD', 's', '2-2', 'a', '1');
  expect(await pending).toBeNull();
});

test('timeout answers a null array', async () => {
  expect(await b.call('XREAD', 'BLOCK', '50', 'STREAMS', 's', '0')).toBeNull();
  expect(await b.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '50', 'STREAMS', 's', '>').catch((e: Error) => e.message))
    .toBe("NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option");
});

test('XREADGROUP BLOCK > is served by XADD and fills the PEL', async () => {
  await r.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
  const pending = b.call('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>');
  await blockedClients(1);
  await r.call('XADD', 's', '1-1', 'a', '1');
  expect(await pending).toEqual([['s', [['1-1', ['a', '1']]]]]);
  expect(((await r.call('XPENDING', 's', 'g')) as unknown[])[0]).toBe(1);
});

test('XGROUP DESTROY wakes a blocked XREADGROUP with -NOGROUP', async () => {
  await r.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
  const pending = b.call('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>').catch((e: Error) => e.message);
  await blockedClients(1);
  expect(await r.call('XGROUP', 'DESTROY', 's', 'g')).toBe(1);
  expect(await pending).toBe('NOGROUP the consumer group this client was blocked on no longer exists');
});

test('BLOCK argument errors', async () => {
  await expect(b.call('XREAD', 'BLOCK', '-1', 'STREAMS', 's', '0')).rejects.toThrow('ERR timeout is negative');
  await expect(b.call('XREAD', 'BLOCK', 'x', 'STREAMS', 's', '0')).rejects.toThrow('ERR timeout is not an integer or out of range');
});

test('a blocked XREADGROUP is woken with UNBLOCKED when its stream is deleted, flushed or swapped away', async () => {
  for (const remove of [
    () => r.del('s'),
    () => r.flushdb(),
    () => r.call('SWAPDB', '0', '1'),
  ]) {
    await r.flushall();
    await r.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    const outcome = b.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 's', '>').then(() => 'served', (e: Error) => e.message);
    await blockedClients(1);
    await remove();
    expect(await outcome).toBe('UNBLOCKED the stream key no longer exists');
  }
});

test('a blocked XREAD (no group) stays blocked when its stream is deleted, and is served once it is re-created', async () => {
  await r.call('XADD', 's', '1-1', 'a', '1');
  const pending = b.call('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$');
  await blockedClients(1);
  await r.del('s');
  await new Promise((res) => setTimeout(res, 50));
  await r.call('XADD', 's', '2-1', 'b', '2');
  expect(await pending).toEqual([['s', [['2-1', ['b', '2']]]]]);
});
