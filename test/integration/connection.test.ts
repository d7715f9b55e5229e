import { afterEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { connect, disconnectAll } from '../helpers/clients.js';

let server: TestServer | null = null;
const clients: Redis[] = [];

async function setup(config: Record<string, string> = {}): Promise<Redis> {
  server = await startTestServer(config);
  const r = await connect(server.port);
  clients.push(r);
  return r;
}

afterEach(async () => {
  await disconnectAll(clients.splice(0));
  await server?.close();
  server = null;
});

describe('connection commands', () => {
  it('PING and ECHO', async () => {
    const r = await setup();
    expect(await r.ping()).toBe('PONG');
    expect(await r.call('PING', 'x')).toBe('x');
    expect(await r.echo('hi')).toBe('hi');
    await expect(r.call('PING', 'a', 'b')).rejects.toThrow("ERR wrong number of arguments for 'ping' command");
  });

  it('HELLO answers the server map and switches protocol', async () => {
    const r = await setup();
    const id = await r.call('CLIENT', 'ID');
    expect(await r.call('HELLO', '2', 'SETNAME', 'me')).toEqual([
      'server', 'redis', 'version', '7.2.4', 'proto', 2, 'id', id, 'mode', 'standalone', 'role', 'master', 'modules', [],
    ]);
    expect(await r.call('CLIENT', 'GETNAME')).toBe('me');
    await expect(r.call('HELLO', '4')).rejects.toThrow('NOPROTO unsupported protocol version');
    await expect(r.call('HELLO', 'x')).rejects.toThrow('ERR Protocol version is not an integer or out of range');
    await expect(r.call('HELLO', '2', 'AUTH', 'a')).rejects.toThrow("ERR Syntax error in HELLO option 'AUTH'");
    await expect(r.call('HELLO', '2', 'AUTH', 'a', 'b')).rejects.toThrow('WRONGPASS invalid username-password pair or user is disabled.');
    await expect(r.call('HELLO', '2', 'SETNAME', 'a b')).rejects.toThrow('ERR Client names cannot contain spaces, newlines or special characters.');
  });

  it('AUTH without requirepass, and with it', async () => {
    const r = await setup();
    await expect(r.call('AUTH', 'x')).rejects.toThrow('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
    expect(await r.call('AUTH', 'default', 'anything')).toBe('OK');
    await expect(r.call('AUTH', 'bob', 'x')).rejects.toThrow('WRONGPASS invalid username-password pair or user is disabled.');
    await expect(r.call('AUTH', 'a', 'b', 'c')).rejects.toThrow('ERR syntax error');
    await r.call('CONFIG', 'SET', 'requirepass', 'secret');
    // No ready check: ioredis's INFO would fail with NOAUTH before the test starts.
    const other = await connect(server!.port, { enableReadyCheck: false });
    clients.push(other);
    await expect(other.call('GET', 'k')).rejects.toThrow('NOAUTH Authentication required.');
    await expect(other.call('HELLO', '3')).rejects.toThrow('NOAUTH HELLO must be called with the client already authenticated');
    await expect(other.call('AUTH', 'wrong')).rejects.toThrow('WRONGPASS invalid username-password pair or user is disabled.');
    expect(await other.call('AUTH', 'secret')).toBe('OK');
    expect(await other.call('RESET')).toBe('RESET');
    await expect(other.call('GET', 'k')).rejects.toThrow('NOAUTH Authentication required.');
    expect(await other.call('HELLO', '2', 'AUTH', 'default', 'secret')).toContain('redis');
  });

  it('SELECT and RESET', async () => {
    const r = await setup();
    expect(await r.call('SELECT', '3')).toBe('OK');
    await r.call('SET', 'k', 'v');
    await expect(r.call('SELECT', '16')).rejects.toThrow('ERR DB index is out of range');
    await expect(r.call('SELECT', 'x')).rejects.toThrow('ERR value is not an integer or out of range');
    await r.call('CLIENT', 'SETNAME', 'n');
    expect(await r.call('RESET')).toBe('RESET');
    expect(await r.call('CLIENT', 'GETNAME')).toBeNull();
    expect(await r.call('EXISTS', 'k')).toBe(0);
  });

  it('QUIT replies OK and closes', async () => {
    const r = await setup();
    expect(await r.call('QUIT')).toBe('OK');
  });
});
