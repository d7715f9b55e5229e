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

async function more(): Promise<Redis> {
  const r = await connect(server!.port);
  clients.push(r);
  return r;
}

afterEach(async () => {
  await disconnectAll(clients.splice(0));
  await server?.close();
  server = null;
});

describe('CLIENT', () => {
  it('ID, SETNAME, GETNAME, SETINFO, INFO, LIST', async () => {
    const r = await setup();
    const id = (await r.call('CLIENT', 'ID')) as number;
    await expect(r.call('CLIENT', 'SETNAME', 'a b')).rejects.toThrow('ERR Client names cannot contain spaces, newlines or special characters.');
    expect(await r.call('CLIENT', 'SETNAME', 'worker')).toBe('OK');
    expect(await r.call('CLIENT', 'SETINFO', 'LIB-NAME', 'mylib')).toBe('OK');
    expect(await r.call('CLIENT', 'SETINFO', 'lib-ver', '1.2')).toBe('OK');
    await expect(r.call('CLIENT', 'SETINFO', 'foo', 'x')).rejects.toThrow("ERR Unrecognized option 'foo'");
    const info = (await r.call('CLIENT', 'INFO')) as string;
    expect(info).toMatch(new RegExp(`^id=${id} addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:\\d+ fd=-?\\d+ name=worker age=\\d+ idle=\\d+ flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=\\d+ qbuf-free=\\d+ argv-mem=\\d+ multi-mem=0 rbs=\\d+ rbp=\\d+ obl=0 oll=0 omem=0 tot-mem=\\d+ events=r cmd=client\\|info user=default redir=-1 resp=2 lib-name=mylib lib-ver=1\\.2\\n$`));
    const other = await more();
    const otherId = (await other.call('CLIENT', 'ID')) as number;
    const list = (await r.call('CLIENT', 'LIST')) as string;
    expect(list.trimEnd().split('\n')).toHaveLength(2);
    expect(await r.call('CLIENT', 'LIST', 'ID', String(otherId))).toMatch(new RegExp(`^id=${otherId} .* cmd=client\\|id `));
    expect(((await r.call('CLIENT', 'LIST', 'TYPE', 'normal')) as string).trimEnd().split('\n')).toHaveLength(2);
    expect(await r.call('CLIENT', 'LIST', 'TYPE', 'pubsub')).toBe('');
    await expect(r.call('CLIENT', 'LIST', 'TYPE', 'foo')).rejects.toThrow("ERR Unknown client type 'foo'");
    await expect(r.call('CLIENT', 'LIST', 'ID', 'x')).rejects.toThrow('ERR Invalid client ID');
  });

  it('KILL, old and new forms', async () => {
    const r = await setup();
    const victim = await more();
    const vid = (await victim.call('CLIENT', 'ID')) as number;
    await expect(r.call('CLIENT', 'KILL', '1.2.3.4:5')).rejects.toThrow('ERR No such client');
    await expect(r.call('CLIENT', 'KILL', 'ID', '0')).rejects.toThrow('ERR client-id should be greater than 0');
    await expect(r.call('CLIENT', 'KILL', 'USER', 'bob')).rejects.toThrow("ERR No such user 'bob'");
    await expect(r.call('CLIENT', 'KILL', 'SKIPME', 'maybe')).rejects.toThrow('ERR syntax error');
    expect(await r.call('CLIENT', 'KILL', 'ID', String(vid))).toBe(1);
    await expect(victim.ping()).rejects.toThrow();
    const v2 = await more();
    const addr = ((await v2.call('CLIENT', 'INFO')) as string).match(/ addr=(\S+)/)![1]!;
    expect(await r.call('CLIENT', 'KILL', addr)).toBe('OK');
    expect(await r.call('CLIENT', 'KILL', 'ID', '999999')).toBe(0);
  });

  it('REPLY OFF/SKIP/ON, NO-EVICT, NO-TOUCH, HELP', async () => {
    const r = await setup();
    expect(await r.call('CLIENT', 'NO-EVICT', 'on')).toBe('OK');
    expect(await r.call('CLIENT', 'NO-TOUCH', 'on')).toBe('OK');
    expect(await r.call('CLIENT', 'INFO')).toMatch(/ flags=eT /);
    await expect(r.call('CLIENT', 'NO-TOUCH', 'x')).rejects.toThrow('ERR syntax error');
    await expect(r.call('CLIENT', 'REPLY', 'x')).rejects.toThrow('ERR syntax error');
    const help = (await r.call('CLIENT', 'HELP')) as string[];
    expect(help[0]).toBe('CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    expect(help.at(-1)).toBe('    Prints this help.');
  });
});

describe('COMMAND', () => {
  it('COUNT, INFO, DOCS, GETKEYS, LIST', async () => {
    const r = await setup();
    const count = (await r.call('COMMAND', 'COUNT')) as number;
    expect((await r.call('COMMAND')) as unknown[]).toHaveLength(count);
    expect(await r.call('COMMAND', 'INFO', 'get', 'nosuch')).toEqual([
      ['get', 2, ['readonly', 'fast'], 1, 1, 1, ['@read', '@string', '@fast'], [],
        [['flags', ['RO', 'access'], 'begin_search', ['type', 'index', 'spec', ['index', 1]], 'find_keys', ['type', 'range', 'spec', ['lastkey', 0, 'keystep', 1, 'limit', 0]]]], []],
      null,
    ]);
    const docs = (await r.call('COMMAND', 'DOCS', 'get')) as unknown[];
    expect(docs[0]).toBe('get');
    expect(docs[1]).toEqual(['summary', expect.any(String), 'since', '1.0.0', 'group', 'string', 'complexity', 'O(1)',
      'arguments', [['name', 'key', 'type', 'key', 'key_spec_index', 0]]]);
    expect(await r.call('COMMAND', 'GETKEYS', 'SET', 'a', 'b')).toEqual(['a']);
    await expect(r.call('COMMAND', 'GETKEYS', 'nosuch', 'a')).rejects.toThrow('ERR Invalid command specified');
    await expect(r.call('COMMAND', 'GETKEYS', 'PING', 'a')).rejects.toThrow('ERR The command has no key arguments');
    await expect(r.call('COMMAND', 'GETKEYS', 'SET', 'a')).rejects.toThrow('ERR Invalid number of arguments specified for command');
    expect(await r.call('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'client|*')).toContain('client|list');
    expect(await r.call('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'connection')).toContain('hello');
    await expect(r.call('COMMAND', 'LIST', 'FILTERBY', 'x', 'y')).rejects.toThrow('ERR syntax error');
  });
});

describe('INFO, TIME, LASTSAVE, DEBUG, SHUTDOWN, MONITOR', () => {
  it('INFO sections', async () => {
    const r = await setup();
    await r.set('k', 'v');
    const all = (await r.call('INFO')) as string;
    expect(all).toContain('# Server\r\nredis_version:7.2.4\r\nrewind_version:');
    expect(all).toContain('loading:0\r\n');
    expect(all).toContain('maxmemory_policy:noeviction\r\n');
    expect(all).toContain('aof_enabled:0\r\n');
    expect(all).toContain('# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n');
    expect(all).not.toContain('# Commandstats');
    const stats = (await r.call('INFO', 'commandstats', 'errorstats')) as string;
    expect(stats).toMatch(/cmdstat_set:calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0/);
    expect(stats).not.toContain('# Server');
    await expect(r.call('GET')).rejects.toThrow();
    expect(await r.call('INFO', 'errorstats')).toContain('errorstat_ERR:count=1');
    expect(await r.call('INFO', 'nosuch')).toBe('');
    expect(await r.call('INFO', 'everything')).toContain('# Commandstats');
  });

  it('TIME and LASTSAVE', async () => {
    const r = await setup();
    const [s, us] = (await r.call('TIME')) as [string, string];
    expect(Math.abs(Number(s) - Date.now() / 1000)).toBeLessThan(5);
    expect(Number(us)).toBeLessThan(1e6);
    expect(typeof (await r.call('LASTSAVE'))).toBe('number');
  });

  it('DEBUG is gated by enable-debug-command', async () => {
    const r = await setup();
    await expect(r.call('DEBUG', 'SLEEP', '0')).rejects.toThrow('ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.');
    clients.splice(0).forEach((c) => c.disconnect());
    await server!.close();
    const l = await setup({ 'enable-debug-command': 'local' });
    const t0 = Date.now();
    expect(await l.call('DEBUG', 'SLEEP', '0.05')).toBe('OK');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    expect(await l.call('DEBUG', 'SLEEP', 'x')).toBe('OK');
    await expect(l.call('DEBUG', 'FOO')).rejects.toThrow("ERR unknown subcommand or wrong number of arguments for 'FOO'. Try DEBUG HELP.");
    expect(((await l.call('DEBUG', 'HELP')) as string[]).length).toBe(106);
  });

  it('SHUTDOWN argument errors, then NOSAVE stops the server', async () => {
    const r = await setup();
    await expect(r.call('SHUTDOWN', 'foo')).rejects.toThrow('ERR syntax error');
    await expect(r.call('SHUTDOWN', 'SAVE', 'NOSAVE')).rejects.toThrow('ERR syntax error');
    await expect(r.call('SHUTDOWN', 'ABORT')).rejects.toThrow('ERR No shutdown in progress.');
    await expect(r.call('SHUTDOWN', 'NOSAVE')).rejects.toThrow();
    await server!.server.closed;
  });

  it('MONITOR shows other clients\' commands', async () => {
    const r = await setup();
    const m = await more();
    const lines: string[] = [];
    const monitor = await m.monitor();
    monitor.on('monitor', (time: string, args: string[], source: string, db: string) => lines.push(`${time} ${db} ${source} ${args.join(' ')}`));
    await r.set('k', 'v');
    const deadline = Date.now() + 2000;
    while (lines.length === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
    expect(lines[0]).toMatch(/^\d+\.\d{6} 0 127\.0\.0\.1:\d+ set k v$/);
    monitor.disconnect();
  });
});
