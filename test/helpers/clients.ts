/*
 * Client factories with fail-fast options: a test that loses its server fails at once instead of
 * retrying or queueing commands until the test timeout.
 */
import { Redis, type RedisOptions } from 'ioredis';

export const FAIL_FAST: RedisOptions = {
  host: '127.0.0.1',
  lazyConnect: true,
  maxRetriesPerRequest: 0,
  retryStrategy: () => null,
  enableOfflineQueue: false,
};

/** An ioredis 5 client connected to 127.0.0.1:port (connect() awaited). */
export async function connect(port: number, options: RedisOptions = {}): Promise<Redis> {
  const r = new Redis({ ...FAIL_FAST, port, ...options });
  await r.connect();
  return r;
}

/** Quits (or, if that fails, disconnects) every client given; never throws. */
export async function disconnectAll(clients: readonly Redis[]): Promise<void> {
  await Promise.all(
    clients.map(async (r) => {
      try {
        await r.quit();
      } catch {
        r.disconnect();
      }
    }),
  );
}
