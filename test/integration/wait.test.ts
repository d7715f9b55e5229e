/*
 * WAIT and WAITAOF on a primary without replicas. WAIT's replies are compared with Redis 7.0 in
 * test/diff/wait.redis; WAITAOF is a Redis 7.2 command the diff server (7.0.15) lacks, so its
 * replies are asserted here against what Redis 7.2's waitaofCommand answers: `*2 :<local> :0`,
 * local 1 when appendonly is on and its policy syncs, and the argument checks in 7.2's order.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { encodeCommand } from '../../protocol/encode.js';
import { rawClient, simplify, type RawClient } from '../helpers/raw.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

async function bytes(c: RawClient, ...argv: string[]): Promise<string> {
  return (await c.call(...argv)).bytes.toString('latin1');
}

async function blockedClients(c: RawClient): Promise<number> {
  const info = String(simplify((await c.call('INFO', 'clients')).value));
  return Number(/blocked_clients:(\d+)/.exec(info)![1]);
}

async function waitBlocked(c: RawClient, n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while ((await blockedClients(c)) !== n) {
    if (Date.now() > deadline) throw new Error(`blocked_clients never reached ${n}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('WAITAOF with appendonly no', () => {
  let server: TestServer;
  let c: RawClient;
  beforeAll(async () => {
    server = await startTestServer();
    c = await rawClient(server.port);
  });
  afterAll(async () => {
    await c?.close();
    await server?.close();
  });

  test('argument errors, in Redis 7.2 order', async () => {
    expect(await bytes(c, 'WAITAOF', '0', '0')).toBe("-ERR wrong number of arguments for 'waitaof' command\r\n");
    expect(await bytes(c, 'WAITAOF', '0', '0', '0', '0')).toBe("-ERR wrong number of arguments for 'waitaof' command\r\n");
    expect(await bytes(c, 'WAITAOF', 'x', 'y', 'z')).toBe('-ERR value is not an integer or out of range\r\n');
    expect(await bytes(c, 'WAITAOF', '2', '0', '0')).toBe('-ERR value is out of range, value must between 0 and 1\r\n');
    expect(await bytes(c, 'WAITAOF', '-1', '0', '0')).toBe('-ERR value is out of range, value must between 0 and 1\r\n');
    // getPositiveLongFromObjectOrReply says the same for a non-integer.
    expect(await bytes(c, 'WAITAOF', '0', 'x', '0')).toBe('-ERR value is out of range, must be positive\r\n');
    expect(await bytes(c, 'WAITAOF', '0', '-1', '0')).toBe('-ERR value is out of range, must be positive\r\n');
    expect(await bytes(c, 'WAITAOF', '0', '0', 'x')).toBe('-ERR timeout is not an integer or out of range\r\n');
    expect(await bytes(c, 'WAITAOF', '0', '0', '-1')).toBe('-ERR timeout is negative\r\n');
    // The arguments are checked before appendonly.
    expect(await bytes(c, 'WAITAOF', '1', '0', '-1')).toBe('-ERR timeout is negative\r\n');
    expect(await bytes(c, 'WAITAOF', '1', '0', '0')).toBe('-ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.\r\n');
  });

  test('nothing asked: answered at once, nothing synced locally', async () => {
    await c.call('SET', 'k', 'v');
    expect(await bytes(c, 'WAITAOF', '0', '0', '0')).toBe('*2\r\n:0\r\n:0\r\n');
  });

  test('a replica asked for: waits out the timeout, then says none', async () => {
    const start = Date.now();
    expect(await bytes(c, 'WAITAOF', '0', '1', '50')).toBe('*2\r\n:0\r\n:0\r\n');
    expect(Date.now() - start).toBeGreaterThanOrEqual(45);
  });

  test('in MULTI it answers at once', async () => {
    await c.call('MULTI');
    expect(await bytes(c, 'WAITAOF', '0', '1', '0')).toBe('+QUEUED\r\n');
    expect(await bytes(c, 'EXEC')).toBe('*1\r\n*2\r\n:0\r\n:0\r\n');
  });
});

describe('WAITAOF with appendonly yes', () => {
  let server: TestServer;
  let c: RawClient;
  beforeAll(async () => {
    server = await startTestServer({ appendonly: 'yes', appendfsync: 'everysec' });
    c = await rawClient(server.port);
  });
  afterAll(async () => {
    await c?.close();
    await server?.close();
  });

  test('the local AOF counts as synced', async () => {
    await c.call('INCR', 'foo');
    expect(await bytes(c, 'WAITAOF', '1', '0', '0')).toBe('*2\r\n:1\r\n:0\r\n');
    expect(await bytes(c, 'WAITAOF', '0', '0', '0')).toBe('*2\r\n:1\r\n:0\r\n');
    await c.call('HELLO', '3');
    expect(await bytes(c, 'WAITAOF', '1', '0', '0')).toBe('*2\r\n:1\r\n:0\r\n');
    await c.call('HELLO', '2');
  });

  test('a replica asked for: the timeout passes, the local sync is reported', async () => {
    expect(await bytes(c, 'WAITAOF', '1', '1', '50')).toBe('*2\r\n:1\r\n:0\r\n');
  });

  test('under appendfsync no nothing is known synced: numlocal 1 times out with 0', async () => {
    await c.call('CONFIG', 'SET', 'appendfsync', 'no');
    try {
      expect(await bytes(c, 'WAITAOF', '1', '0', '50')).toBe('*2\r\n:0\r\n:0\r\n');
      expect(await bytes(c, 'WAITAOF', '0', '0', '0')).toBe('*2\r\n:0\r\n:0\r\n');
    } finally {
      await c.call('CONFIG', 'SET', 'appendfsync', 'everysec');
    }
  });
});

describe('WAIT blocking', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  test('WAIT 1 0 waits until CLIENT UNBLOCK, counted as blocked meanwhile; then the pipeline goes on', async () => {
    const [a, b] = await Promise.all([rawClient(server.port), rawClient(server.port)]);
    try {
      const id = String(simplify((await a.call('CLIENT', 'ID')).value));
      await a.write(Buffer.concat([encodeCommand(['WAIT', '1', '0']), encodeCommand(['PING'])]));
      await waitBlocked(b, 1);
      expect(await bytes(b, 'CLIENT', 'UNBLOCK', id)).toBe(':1\r\n');
      expect((await a.readReply()).bytes.toString('latin1')).toBe(':0\r\n');
      expect((await a.readReply()).bytes.toString('latin1')).toBe('+PONG\r\n');
      await a.write(encodeCommand(['WAITAOF', '0', '1', '0']));
      await waitBlocked(b, 1);
      expect(await bytes(b, 'CLIENT', 'UNBLOCK', id, 'ERROR')).toBe(':1\r\n');
      expect((await a.readReply()).bytes.toString('latin1')).toBe('-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n');
      expect(await blockedClients(b)).toBe(0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
