import { afterEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connect, disconnectAll } from '../helpers/clients.js';

let server: TestServer | null = null;
const clients: Redis[] = [];

afterEach(async () => {
  await disconnectAll(clients.splice(0));
  await server?.close();
  server = null;
});

async function setup(): Promise<Redis> {
  server = await startTestServer();
  const r = await connect(server.port);
  clients.push(r);
  return r;
}

describe('CONFIG', () => {
  it('GET with patterns and several arguments', async () => {
    const r = await setup();
    expect(await r.call('CONFIG', 'GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    expect(await r.call('CONFIG', 'GET', 'appendonly', 'save')).toEqual(['appendonly', 'no', 'save', '']);
    expect(await r.call('CONFIG', 'GET', 'nosuch')).toEqual([]);
    const all = (await r.call('CONFIG', 'GET', '*')) as string[];
    expect(all.length).toBeGreaterThan(40);
    await expect(r.call('CONFIG', 'GET')).rejects.toThrow("ERR wrong number of arguments for 'config|get' command");
  });

  it('SET is all or nothing, with Redis error texts', async () => {
    const r = await setup();
    expect(await r.call('CONFIG', 'SET', 'hz', '20', 'maxmemory', '1mb')).toBe('OK');
    expect(await r.call('CONFIG', 'GET', 'hz', 'maxmemory')).toEqual(['hz', '20', 'maxmemory', '1048576']);
    await expect(r.call('CONFIG', 'SET', 'hz', '5', 'foo', 'bar')).rejects.toThrow("ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
    expect(await r.call('CONFIG', 'GET', 'hz')).toEqual(['hz', '20']);
    await expect(r.call('CONFIG', 'SET', 'a', 'b', 'c')).rejects.toThrow('ERR syntax error');
    await expect(r.call('CONFIG', 'SET', 'a')).rejects.toThrow("ERR wrong number of arguments for 'config|set' command");
    await expect(r.call('CONFIG', 'SET', 'maxmemory-policy', 'nope')).rejects.toThrow("ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction");
  });

  it('RESETSTAT, REWRITE, HELP', async () => {
    const r = await setup();
    await r.set('k', 'v');
    expect(await r.call('CONFIG', 'RESETSTAT')).toBe('OK');
    expect(await r.call('INFO', 'commandstats')).not.toContain('cmdstat_set');
    await expect(r.call('CONFIG', 'REWRITE')).rejects.toThrow('ERR The server is running without a config file');
    const help = (await r.call('CONFIG', 'HELP')) as string[];
    expect(help).toHaveLength(11);
    await expect(r.call('CONFIG', 'FOO')).rejects.toThrow("ERR unknown subcommand 'FOO'. Try CONFIG HELP.");
  });
});
