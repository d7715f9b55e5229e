/*
 * Persistence as a running server does it: what reaches the incr file and when, rewrites (manual,
 * automatic, with writes racing the snapshot), history removal, the old single-file upgrade,
 * SAVE/BGSAVE/dump.rdb at startup, DEBUG RELOAD, a failing disk (MISCONF, held replies, recovery)
 * and -LOADING with progress while a big folder loads.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { Redis } from 'ioredis';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { freePort } from '../helpers/real-redis.js';
import { startServer } from '../../server/index.js';
import { NODE_FILE_OPS, type AofFileOps } from '../../persistence/aof-writer.js';
import { encodeCommand } from '../../protocol/encode.js';

const servers: TestServer[] = [];
const clients: Redis[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect();
  for (const s of servers.splice(0)) await s.close();
});

async function start(config: Record<string, string | number> = {}): Promise<{ ts: TestServer; r: Redis; aofDir: string }> {
  const ts = await startTestServer({ appendonly: 'yes', ...config });
  servers.push(ts);
  const r = new Redis(ts.port, '127.0.0.1');
  clients.push(r);
  return { ts, r, aofDir: path.join(ts.dir, 'appendonlydir') };
}

async function info(r: Redis, field: string): Promise<string> {
  const text = await r.info('persistence');
  const line = text.split('\r\n').find((l) => l.startsWith(`${field}:`));
  return line === undefined ? '' : line.slice(field.length + 1);
}

async function waitRewrite(r: Redis): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if ((await info(r, 'aof_rewrite_in_progress')) === '0') return;
    await new Promise((res) => setTimeout(res, 5));
  }
  throw new Error('rewrite did not finish');
}

const manifest = (aofDir: string): string => readFileSync(path.join(aofDir, 'appendonly.aof.manifest'), 'latin1');

describe('the incr file', () => {
  test('a first start creates base 1 and incr 1; records are in the file before the reply arrives', async () => {
    const { r, aofDir } = await start({ appendfsync: 'always' });
    expect(manifest(aofDir)).toBe('file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    expect(statSync(path.join(aofDir, 'appendonly.aof.1.base.rdb')).size).toBe(89);
    await r.set('k', 'v');
    const incr = readFileSync(path.join(aofDir, 'appendonly.aof.1.incr.aof'));
    expect(incr).toEqual(Buffer.concat([encodeCommand(['SELECT', '0']), encodeCommand(['set', 'k', 'v'])]));
  });

  test('a write that changes nothing is not logged; SELECT is written when the db changes', async () => {
    const { r, aofDir } = await start();
    await r.set('a', '1');
    await r.set('a', '2', 'NX');
    await r.del('missing');
    await r.select(2);
    await r.set('b', '1');
    const incr = readFileSync(path.join(aofDir, 'appendonly.aof.1.incr.aof'));
    expect(incr).toEqual(Buffer.concat([
      encodeCommand(['SELECT', '0']), encodeCommand(['set', 'a', '1']),
      encodeCommand(['SELECT', '2']), encodeCommand(['set', 'b', '1']),
    ]));
  });

  test('#TS annotations: one per second with writes, before SELECT and MULTI', async () => {
    const { r, aofDir } = await start({ 'aof-timestamp-enabled': 'yes' });
    await r.sadd('s', 'a', 'b', 'c');
    await r.spop('s', 2);
    const text = readFileSync(path.join(aofDir, 'appendonly.aof.1.incr.aof'), 'latin1');
    expect(text).toMatch(/^#TS:\d{10}\r\n\*2\r\n\$6\r\nSELECT\r\n/);
    expect(text.match(/#TS:/g)!.length).toBeLessThanOrEqual(2);
    expect(text).toContain('*1\r\n$5\r\nMULTI\r\n*3\r\n$4\r\nSREM\r\n');
    expect(text.endsWith('*1\r\n$4\r\nEXEC\r\n')).toBe(true);
  });
});

describe('rewrite', () => {
  test('BGREWRITEAOF: new incr first, then base 2; old files removed; data intact after restart', async () => {
    const { ts, r, aofDir } = await start();
    for (let i = 0; i < 500; i++) await r.rpush('list', String(i));
    expect(await r.bgrewriteaof()).toBe('Background append only file rewriting started');
    await r.set('after', 'x');
    await waitRewrite(r);
    await expect.poll(() => readdirSync(aofDir).sort()).toEqual(['appendonly.aof.2.base.rdb', 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']);
    expect(manifest(aofDir)).toBe('file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
    expect(await info(r, 'aof_rewrites')).toBe('1');
    expect(await info(r, 'aof_last_bgrewrite_status')).toBe('ok');
    r.disconnect();
    await ts.server.close();
    const again = await start({ dir: ts.dir });
    expect(await again.r.llen('list')).toBe(500);
    expect(await again.r.get('after')).toBe('x');
  });

  test('writes racing the snapshot keep the values they had when it began (copy on first write)', async () => {
    const { ts, r } = await start();
    const pipe = r.pipeline();
    for (let i = 0; i < 60_000; i++) pipe.set(`k${i}`, String(i));
    for (let i = 0; i < 200; i++) pipe.rpush('l', String(i));
    await pipe.exec();
    await r.bgrewriteaof();
    // Each of these runs while the snapshot is being written in slices.
    const racing = r.pipeline();
    for (let i = 0; i < 60_000; i += 97) racing.incr(`k${i}`);
    racing.lpush('l', 'head').del('k1').set('new', '1').rename('k2', 'k2b').swapdb(0, 1).swapdb(0, 1);
    await racing.exec();
    await waitRewrite(r);
    const want = await r.mget('k0', 'k97', 'k1', 'k2', 'k2b', 'new', 'k59946');
    const wantList = await r.lrange('l', 0, -1);
    r.disconnect();
    await ts.server.close();
    const again = await start({ dir: ts.dir });
    expect(await again.r.mget('k0', 'k97', 'k1', 'k2', 'k2b', 'new', 'k59946')).toEqual(want);
    expect(await again.r.lrange('l', 0, -1)).toEqual(wantList);
    expect(await again.r.dbsize()).toBe(60_000 + 1);
  });

  test('the automatic trigger rewrites when the AOF doubled past auto-aof-rewrite-min-size', async () => {
    const { r } = await start({ 'auto-aof-rewrite-min-size': 4096, 'auto-aof-rewrite-percentage': 100 });
    for (let i = 0; i < 100; i++) await r.set(`key:${i}`, 'x'.repeat(64));
    await expect.poll(() => info(r, 'aof_rewrites'), { timeout: 3000 }).not.toBe('0');
    await waitRewrite(r);
    expect(Number(await info(r, 'aof_base_size'))).toBeGreaterThan(0);
  });

  test('aof-disable-auto-gc yes keeps history files in the manifest', async () => {
    const { r, aofDir } = await start({ 'aof-disable-auto-gc': 'yes' });
    await r.set('a', '1');
    await r.bgrewriteaof();
    await waitRewrite(r);
    expect(manifest(aofDir)).toBe([
      'file appendonly.aof.2.base.rdb seq 2 type b',
      'file appendonly.aof.1.incr.aof seq 1 type h',
      'file appendonly.aof.1.base.rdb seq 1 type h',
      'file appendonly.aof.2.incr.aof seq 2 type i',
      '',
    ].join('\n'));
  });

  test('a RESP base (aof-use-rdb-preamble no) starts with #TS and loads back', async () => {
    const { ts, r, aofDir } = await start({ 'aof-use-rdb-preamble': 'no', 'aof-timestamp-enabled': 'yes' });
    await r.zadd('z', 1.5, 'a', '-inf', 'b');
    await r.set('t', 'v', 'PX', 1_000_000);
    await r.bgrewriteaof();
    await waitRewrite(r);
    const base = readFileSync(path.join(aofDir, 'appendonly.aof.2.base.aof'), 'latin1');
    expect(base).toMatch(/^#TS:\d+\r\n\*2\r\n\$6\r\nSELECT\r\n/);
    r.disconnect();
    await ts.server.close();
    const again = await start({ dir: ts.dir, 'aof-use-rdb-preamble': 'no' });
    expect(await again.r.zrange('z', 0, -1, 'WITHSCORES')).toEqual(['b', '-inf', 'a', '1.5']);
    expect(await again.r.pttl('t')).toBeGreaterThan(900_000);
  });
});

describe('startup', () => {
  test('an old single-file appendonly.aof is moved into the folder and loaded', async () => {
    const dir = await tempDir();
    writeFileSync(path.join(dir, 'appendonly.aof'), Buffer.concat([encodeCommand(['SELECT', '0']), encodeCommand(['SET', 'old', 'style'])]));
    const { r } = await start({ dir });
    expect(await r.get('old')).toBe('style');
    const aofDir = path.join(dir, 'appendonlydir');
    expect(existsSync(path.join(dir, 'appendonly.aof'))).toBe(false);
    expect(manifest(aofDir)).toBe('file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
  });

  test('appendonly no loads dump.rdb, dropping keys whose TTL passed; SAVE and BGSAVE write it', async () => {
    const { ts, r } = await start({ appendonly: 'no' });
    await r.set('kept', '1');
    await r.set('short', '1', 'PX', 50);
    expect(await r.save()).toBe('OK');
    await r.set('bg', '2');
    expect(await r.bgsave()).toBe('Background saving started');
    await expect.poll(async () => (await r.info('persistence')).includes('rdb_bgsave_in_progress:0')).toBe(true);
    expect(Number(await info(r, 'rdb_saves'))).toBe(2);
    expect(await info(r, 'rdb_changes_since_last_save')).toBe('0');
    r.disconnect();
    await ts.server.close();
    await new Promise((res) => setTimeout(res, 60));
    const again = await start({ dir: ts.dir, appendonly: 'no' });
    expect(await again.r.mget('kept', 'bg', 'short')).toEqual(['1', '2', null]);
    expect(await info(again.r, 'rdb_last_load_keys_loaded')).toBe('2');
  });

  test('with appendonly yes, dump.rdb is ignored even when the folder is empty', async () => {
    const dir = await tempDir();
    const first = await start({ dir, appendonly: 'no' });
    await first.r.set('in-rdb', '1');
    await first.r.save();
    first.r.disconnect();
    await first.ts.server.close();
    const { r } = await start({ dir });
    expect(await r.dbsize()).toBe(0);
  });

  test('DEBUG RELOAD saves, empties and loads back the same data', async () => {
    const { r } = await start({ appendonly: 'no', 'enable-debug-command': 'yes' });
    await r.hset('h', 'f', 'v');
    await r.set('t', 'v', 'EX', 1000);
    expect(await r.call('DEBUG', 'RELOAD')).toBe('OK');
    expect(await r.hgetall('h')).toEqual({ f: 'v' });
    expect(await r.ttl('t')).toBeGreaterThan(990);
  });

  test('while a big folder loads, clients get -LOADING and INFO shows loading:1 with progress', async () => {
    const dir = await tempDir();
    mkdirSync(path.join(dir, 'appendonlydir'));
    const records: Buffer[] = [encodeCommand(['SELECT', '0'])];
    for (let i = 0; i < 300_000; i++) records.push(encodeCommand(['SET', `key:${i}`, 'value']));
    writeFileSync(path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof'), Buffer.concat(records));
    writeFileSync(path.join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'file appendonly.aof.1.incr.aof seq 1 type i\n');
    const port = await freePort();
    const started = startServer({ config: { port, bind: '127.0.0.1', dir, appendonly: 'yes', save: '' } });
    const seen = { loading: false, refused: '' };
    const probe = new Redis(port, '127.0.0.1', { retryStrategy: () => 5, maxRetriesPerRequest: null, enableReadyCheck: false });
    clients.push(probe);
    const running = (async () => {
      for (let i = 0; i < 2000 && !seen.loading; i++) {
        try {
          if ((await probe.info('persistence')).includes('loading:1')) {
            seen.loading = true;
            seen.refused = await probe.get('key:1').then(() => '', (e: Error) => e.message);
          }
        } catch {
          // not listening yet
        }
      }
    })();
    const s = await started;
    servers.push({ port: s.port, dir, server: s, close: () => s.close() });
    await running;
    expect(seen.loading).toBe(true);
    expect(seen.refused).toBe('LOADING Redis is loading the dataset in memory');
    expect(await probe.dbsize()).toBe(300_000);
  });
});

describe('a failing disk', () => {
  test('a failed write: writes get MISCONF, reads go on, replies wait, and it recovers by itself', async () => {
    const { ts, r } = await start();
    await r.set('before', '1');
    const writer = ts.server.state.persistence.aof.writer!;
    let failing = true;
    const broken: AofFileOps = {
      ...NODE_FILE_OPS,
      write: (fd, buf, off, len) => {
        if (failing) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return NODE_FILE_OPS.write(fd, buf, off, len);
      },
    };
    writer.ops = broken;
    const pending = r.set('during', '2');
    const other = new Redis(ts.port, '127.0.0.1');
    clients.push(other);
    await expect.poll(() => other.set('x', '1').then(() => 'ok', (e: Error) => e.message)).toBe('MISCONF Errors writing to the AOF file: No space left on device');
    expect(await other.get('before')).toBe('1');
    let answered = false;
    void pending.then(() => (answered = true));
    await new Promise((res) => setTimeout(res, 150));
    expect(answered).toBe(false);
    failing = false;
    expect(await pending).toBe('OK');
    await expect.poll(() => other.set('x', '1').then(() => 'ok', (e: Error) => e.message)).toBe('ok');
    r.disconnect();
    other.disconnect();
    await ts.server.close();
    const again = await start({ dir: ts.dir });
    expect(await again.r.mget('before', 'during', 'x')).toEqual(['1', '2', '1']);
  });
});

describe('fixtures as a starting point', () => {
  test('Rewind appends to a folder real Redis wrote, and it still loads', async () => {
    const dir = await tempDir();
    cpSync(new URL('../fixtures/redis-7.0.15/aof/pitr-basic/appendonlydir', import.meta.url), path.join(dir, 'appendonlydir'), { recursive: true });
    const first = await start({ dir });
    await first.r.set('from-rewind', 'yes');
    first.r.disconnect();
    await first.ts.server.close();
    const { r } = await start({ dir });
    expect(await r.get('from-rewind')).toBe('yes');
    expect(await r.get('after:flush')).toBe('1');
  });
});
