/*
 * Scripts as the rest of the server sees them: what their writes log (the effects, wrapped in
 * MULTI/EXEC, never the EVAL), redis.set_repl, keyspace events, WATCH, clients blocked on a key a
 * script fills, SELECT inside a script, the script cache across SCRIPT FLUSH, an AOF replayed
 * after a restart, and errors counted in INFO. Reply bytes against real Redis are checked by the
 * differential corpus (test/diff/scripting.redis); these tests state their expectations.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Redis } from 'ioredis';
import { serverWithClientsPerTest } from '../helpers/fixture.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { connect, disconnectAll } from '../helpers/clients.js';
import { encodeCommand } from '../../protocol/encode.js';
import { redisAvailable, startRealRedis } from '../helpers/real-redis.js';

const HAVE_REDIS = redisAvailable();
if (!HAVE_REDIS) console.warn('[scripting] redis-server not found on PATH: FUNCTION DUMP payload exchange with real Redis is SKIPPED');

const LIB_A = "#!lua name=liba\nredis.register_function('fa', function(keys, args) return redis.call('incr', keys[1]) end)";
const LIB_B = "#!lua name=libb\nredis.register_function{function_name='fb', callback=function() return 'b' end, flags={'no-writes'}}";

let ts: TestServer;
let logged: string[];
let client: () => Promise<Redis>;
let blockedCount: (n: number, ms?: number) => Promise<void>;

describe('scripts and the server', () => {
  serverWithClientsPerTest((f) => {
    ({ ts, logged, client, blockedCount } = f);
  });

  test('writes are logged as their effects inside MULTI/EXEC; one write bare; reads and EVAL never', async () => {
    const r = await client();
    await r.eval("redis.call('set', KEYS[1], ARGV[1]); redis.call('incr', 'n'); return redis.call('get', 'n')", 1, 'k', 'v');
    expect(logged).toEqual(['MULTI', 'set k v', 'incr n', 'EXEC']);
    logged.length = 0;
    await r.eval("return redis.call('lpush', 'l', 'a')", 0);
    await r.eval("return redis.call('get', 'k')", 0);
    await r.eval("redis.pcall('incr', 'k'); return 1", 0);
    expect(logged).toEqual(['lpush l a']);
  });

  test('SET EX inside a script is logged as Redis rewrites it, in the script db', async () => {
    const r = await client();
    const dbs: number[] = [];
    ts.server.state.propagator = { feed: (db, argv) => dbs.push(db) && logged.push(argv.join(' ')), flush: () => true };
    await r.eval("redis.call('select', 2); redis.call('set', 'a', '1', 'EX', '100'); redis.call('select', 3); return redis.call('set', 'b', '2')", 0);
    expect(logged[0]).toBe('MULTI');
    expect(logged[1]).toMatch(/^SET a 1 PXAT \d{13}$/);
    expect(logged.slice(2)).toEqual(['set b 2', 'EXEC']);
    expect(dbs).toEqual([2, 2, 3, -1]);
    // The caller's db is not changed by the script's SELECT.
    expect(await r.exists('a', 'b')).toBe(0);
    await r.select(2);
    expect(await r.get('a')).toBe('1');
  });

  test('redis.set_repl(REPL_NONE) keeps writes out of the AOF until REPL_ALL', async () => {
    const r = await client();
    await r.eval("redis.call('set', 'x', '1'); redis.set_repl(redis.REPL_NONE); redis.call('set', 'y', '2'); redis.set_repl(redis.REPL_ALL); return redis.call('set', 'z', '3')", 0);
    expect(logged).toEqual(['MULTI', 'set x 1', 'set z 3', 'EXEC']);
    expect(await r.mget('x', 'y', 'z')).toEqual(['1', '2', '3']);
  });

  test('keyspace events of script writes are published, in order', async () => {
    const r = await client();
    const sub = await client();
    await r.config('SET', 'notify-keyspace-events', 'KEA');
    const events: string[] = [];
    sub.on('pmessage', (_p: string, channel: string, message: string) => events.push(`${channel} ${message}`));
    await sub.psubscribe('__keyevent@0__:*');
    await r.eval("redis.call('set', 'a', '1'); redis.call('expire', 'a', 100); redis.call('del', 'a'); return 1", 0);
    await r.ping();
    await sub.ping();
    expect(events).toEqual(['__keyevent@0__:set a', '__keyevent@0__:expire a', '__keyevent@0__:del a']);
  });

  test('a write by a script invalidates a WATCH', async () => {
    const a = await client();
    const b = await client();
    await a.watch('w');
    await b.eval("return redis.call('set', 'w', 'by script')", 0);
    expect(await a.multi().get('w').exec()).toBeNull();
  });

  test('a client blocked on a key is served after the script that filled it, not during', async () => {
    const waiter = await client();
    const r = await client();
    const popped = waiter.blpop('q', 0);
    await blockedCount(1);
    // The script pushes twice and reads the length back: the blocked client has not taken one yet.
    const len = await r.eval("redis.call('rpush', 'q', 'a'); redis.call('rpush', 'q', 'b'); return redis.call('llen', 'q')", 0);
    expect(len).toBe(2);
    expect(await popped).toEqual(['q', 'a']);
    expect(await r.lrange('q', 0, -1)).toEqual(['b']);
  });

  test('scripts cannot block: BLPOP is refused, XREAD BLOCK too, XREAD without BLOCK reads', async () => {
    const r = await client();
    await expect(r.eval("return redis.call('blpop', 'none', 0)", 0)).rejects.toThrow('This Redis command is not allowed from script');
    await expect(r.eval("return redis.call('xread', 'BLOCK', 0, 'STREAMS', 's', '$')", 0)).rejects.toThrow('xread command is not allowed with BLOCK option from scripts');
    await r.xadd('s', '1-1', 'f', 'v');
    expect(await r.eval("return redis.call('xread', 'STREAMS', 's', '0')", 0)).toEqual([['s', [['1-1', ['f', 'v']]]]]);
    expect(ts.server.state.blocking.count).toBe(0);
  });

  test('EVALSHA finds a script EVAL cached; SCRIPT FLUSH forgets it and resets the state', async () => {
    const r = await client();
    const sha = (await r.script('LOAD', "return 'x'")) as string;
    expect(await r.evalsha(sha, 0)).toBe('x');
    expect(await r.evalsha(sha.toUpperCase(), 0)).toBe('x');
    const first = await r.eval('return math.random(1000000)', 0);
    expect(await r.script('FLUSH')).toBe('OK');
    await expect(r.evalsha(sha, 0)).rejects.toThrow('NOSCRIPT No matching script. Please use EVAL.');
    // A new state: the generator starts from Redis's seed again.
    expect(await r.eval('return math.random(1000000)', 0)).toBe(first);
  });

  test('errors: a failed redis.call counts for the command and for EVAL in INFO', async () => {
    const r = await client();
    await r.set('s', 'text');
    await expect(r.eval("return redis.call('incr', 's')", 0)).rejects.toThrow(/^ERR value is not an integer or out of range script: [0-9a-f]{40}, on @user_script:1\.$/);
    const stats = (await r.info('commandstats')).split('\r\n');
    expect(stats.find((l) => l.startsWith('cmdstat_incr:'))).toMatch(/calls=1,.*failed_calls=1/);
    expect(stats.find((l) => l.startsWith('cmdstat_eval:'))).toMatch(/calls=1,/);
  });

  test('binary-safe arguments and replies', async () => {
    const r = await client();
    const bytes = Buffer.from([0, 1, 13, 10, 255, 128, 0]);
    const out = await r.callBuffer('EVAL', "redis.call('set', KEYS[1], ARGV[1]); return redis.call('get', KEYS[1])", '1', 'bin', bytes);
    expect(Buffer.compare(out as Buffer, bytes)).toBe(0);
    expect(Buffer.compare((await r.getBuffer('bin'))!, bytes)).toBe(0);
  });

  test('CLIENT PAUSE WRITE lets no-writes scripts and functions run, holds the others until UNPAUSE', async () => {
    const r = await client();
    const admin = await client();
    await r.function('LOAD', LIB_B);
    await r.function('LOAD', LIB_A);
    await admin.client('PAUSE', '10000', 'WRITE');
    expect(await r.eval("#!lua flags=no-writes\nreturn 'read'", 0)).toBe('read');
    expect(await r.fcall('fb', 0)).toBe('b');
    const other = await client();
    const held = [other.eval("return 'compat'", 0), other.eval("#!lua\nreturn 'shebang'", 0), other.fcall('fa', 1, 'n')];
    let settled = false;
    void Promise.all(held).then(() => (settled = true));
    // The held scripts have not run: the key the function would increment does not exist yet.
    expect(await admin.exists('n')).toBe(0);
    expect(settled).toBe(false);
    await admin.client('UNPAUSE');
    expect(await Promise.all(held)).toEqual(['compat', 'shebang', 1]);
  });

  test('after a script grew the runtime past 256 MiB, a new runtime gives the memory back and keeps scripts and libraries', async () => {
    const r = await client();
    const sha = (await r.script('LOAD', "return 'kept'")) as string;
    await r.function('LOAD', LIB_B);
    const before = ts.server.state.scripts.runtimeBytes;
    expect(await r.eval("local s = string.rep('x', 300 * 1024 * 1024) return #s", 0)).toBe(300 * 1024 * 1024);
    expect(ts.server.state.scripts.runtimeBytes).toBeGreaterThan(300 * 1024 * 1024);
    const deadline = Date.now() + 10_000;
    while (ts.server.state.scripts.runtimeBytes > 64 * 1024 * 1024 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    expect(ts.server.state.scripts.runtimeBytes).toBeLessThanOrEqual(Math.max(before, 64 * 1024 * 1024));
    expect(await r.evalsha(sha, 0)).toBe('kept');
    expect(await r.fcall('fb', 0)).toBe('b');
    await expect(r.eval('x = 1', 0)).rejects.toThrow('Attempt to modify a readonly table');
  });

  test('a script cannot create globals or change libraries, and nothing leaks into the next script', async () => {
    const r = await client();
    await expect(r.eval('x = 1', 0)).rejects.toThrow('Attempt to modify a readonly table');
    await expect(r.eval("string.lower = function() return 'hacked' end", 0)).rejects.toThrow('Attempt to modify a readonly table');
    await expect(r.eval("rawset(_G, 'x', 1)", 0)).rejects.toThrow('Attempt to modify a readonly table');
    await expect(r.eval("getmetatable(_G).__index = nil", 0)).rejects.toThrow('Attempt to modify a readonly table');
    expect(await r.eval("return string.lower('ABC')", 0)).toBe('abc');
    await expect(r.eval('return x', 0)).rejects.toThrow("Script attempted to access nonexistent global variable 'x'");
  });
});

describe('scripts and the AOF', () => {
  test('the incr file holds the effects, and a restart replays them', async () => {
    const dir = await tempDir();
    let own = await startTestServer({ appendonly: 'yes', dir, 'enable-debug-command': 'yes' });
    let r = await connect(own.port);
    try {
      await r.eval("redis.call('set', 'a', '1'); redis.call('rpush', 'l', 'x', 'y'); return 1", 0);
      await r.eval("return redis.call('incr', 'a')", 0);
      const incr = readFileSync(path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof'), 'latin1');
      expect(incr).toBe(Buffer.concat([
        encodeCommand(['SELECT', '0']),
        encodeCommand(['MULTI']), encodeCommand(['set', 'a', '1']), encodeCommand(['rpush', 'l', 'x', 'y']), encodeCommand(['EXEC']),
        encodeCommand(['incr', 'a']),
      ]).toString('latin1'));
      await disconnectAll([r]);
      await own.close();
      own = await startTestServer({ appendonly: 'yes', dir, 'enable-debug-command': 'yes' });
      r = await connect(own.port);
      expect(await r.get('a')).toBe('2');
      expect(await r.lrange('l', 0, -1)).toEqual(['x', 'y']);
    } finally {
      await disconnectAll([r]);
      await own.close();
    }
  });
});

describe('function libraries', () => {
  test('FUNCTION DUMP and RESTORE: round trip, APPEND collision, REPLACE, FLUSH, a damaged payload', async () => {
    const own = await startTestServer();
    const r = await connect(own.port);
    try {
      await r.function('LOAD', LIB_A);
      await r.function('LOAD', LIB_B);
      const payload = (await r.callBuffer('FUNCTION', 'DUMP')) as Buffer;
      await expect(r.callBuffer('FUNCTION', 'RESTORE', payload)).rejects.toThrow('ERR Library liba already exists');
      expect(await r.function('FLUSH')).toBe('OK');
      expect(await r.callBuffer('FUNCTION', 'RESTORE', payload)).toEqual(Buffer.from('OK'));
      expect(await r.fcall('fa', 1, 'n')).toBe(1);
      expect(await r.fcall_ro('fb', 0)).toBe('b');
      expect(await r.callBuffer('FUNCTION', 'RESTORE', payload, 'REPLACE')).toEqual(Buffer.from('OK'));
      await r.function('LOAD', "#!lua name=libc\nredis.register_function('fc', function() return 'c' end)");
      expect(await r.callBuffer('FUNCTION', 'RESTORE', payload, 'FLUSH')).toEqual(Buffer.from('OK'));
      await expect(r.fcall('fc', 0)).rejects.toThrow('ERR Function not found');
      const damaged = Buffer.from(payload);
      damaged[5] = damaged[5]! ^ 1;
      await expect(r.callBuffer('FUNCTION', 'RESTORE', damaged)).rejects.toThrow('ERR DUMP payload version or checksum are wrong');
      expect(await r.fcall('fa', 1, 'n')).toBe(2);
    } finally {
      await disconnectAll([r]);
      await own.close();
    }
  });

  test.skipIf(!HAVE_REDIS)('FUNCTION DUMP payloads pass between Rewind and real Redis 7.0 both ways', async () => {
    const real = await startRealRedis();
    const own = await startTestServer();
    const [rr, r] = [await connect(real.port), await connect(own.port)];
    try {
      await rr.function('LOAD', LIB_A);
      expect(await r.callBuffer('FUNCTION', 'RESTORE', (await rr.callBuffer('FUNCTION', 'DUMP')) as Buffer)).toEqual(Buffer.from('OK'));
      expect(await r.fcall('fa', 1, 'x')).toBe(1);
      await r.function('LOAD', LIB_B);
      await rr.function('FLUSH');
      expect(await rr.callBuffer('FUNCTION', 'RESTORE', (await r.callBuffer('FUNCTION', 'DUMP')) as Buffer)).toEqual(Buffer.from('OK'));
      expect(await rr.fcall_ro('fb', 0)).toBe('b');
      expect(await rr.fcall('fa', 1, 'x')).toBe(1);
      // One library dumps to the same bytes on both (the order of several is Redis's hash order).
      await rr.function('FLUSH');
      await rr.function('LOAD', LIB_B);
      await r.function('DELETE', 'liba');
      expect(await r.callBuffer('FUNCTION', 'DUMP')).toEqual(await rr.callBuffer('FUNCTION', 'DUMP'));
    } finally {
      await disconnectAll([rr, r]);
      await own.close();
      await real.stop();
    }
  });

  test("FUNCTION LOAD of a library whose top level runs away fails after Redis's 500 ms", async () => {
    const own = await startTestServer();
    const r = await connect(own.port);
    try {
      const started = performance.now();
      await expect(r.function('LOAD', '#!lua name=spin\nlocal n = 0\nwhile true do n = n + 1 end')).rejects.toThrow(
        'ERR Error registering functions: ERR FUNCTION LOAD timeout');
      expect(performance.now() - started).toBeGreaterThanOrEqual(450);
      expect(await r.function('LIST')).toEqual([]);
      expect(await r.eval('return 1', 0)).toBe(1);
    } finally {
      await disconnectAll([r]);
      await own.close();
    }
  });

  test('libraries survive a restart from the AOF and from the RDB, and SCRIPT FLUSH', async () => {
    const dir = await tempDir();
    let own = await startTestServer({ appendonly: 'yes', dir, 'enable-debug-command': 'yes' });
    let r = await connect(own.port);
    try {
      await r.function('LOAD', LIB_A);
      await r.function('LOAD', LIB_B);
      await r.function('DELETE', 'libb');
      expect(await r.script('FLUSH')).toBe('OK');
      expect(await r.fcall('fa', 1, 'n')).toBe(1);
      await disconnectAll([r]);
      await own.close();
      own = await startTestServer({ appendonly: 'yes', dir, 'enable-debug-command': 'yes' });
      r = await connect(own.port);
      expect(await r.fcall('fa', 1, 'n')).toBe(2);
      await expect(r.fcall('fb', 0)).rejects.toThrow('ERR Function not found');
      expect(await r.call('DEBUG', 'RELOAD')).toBe('OK');
      expect(await r.fcall('fa', 1, 'n')).toBe(3);
      expect(await r.function('LIST')).toEqual([['library_name', 'liba', 'engine', 'LUA', 'functions', [['name', 'fa', 'description', null, 'flags', []]]]]);
    } finally {
      await disconnectAll([r]);
      await own.close();
    }
  });
});
