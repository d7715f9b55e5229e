/*
 * The server as a process and as a socket owner: command-line and config-file errors, graceful
 * SIGTERM, SHUTDOWN, and backpressure on a client that does not read its replies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { startServer } from '../../server/index.js';
import { encodeCommand } from '../../protocol/encode.js';
import type { Client } from '../../server/client.js';
import { Db } from '../../commands/keyspace/db.js';

const BIN = join(import.meta.dirname, '../../server/bin.js');

/** Every server process a test starts; killed after each test, even one that timed out. */
const children = new Set<ChildProcess>();

function startChild(args: string[], env: NodeJS.ProcessEnv): ChildProcess & { stdout: Readable; stderr: Readable } {
  // No save rules: a SIGTERM would otherwise write dump.rdb into the working directory.
  const noSave = args.includes('--save') || args[0] === '--version' ? [] : ['--save', ''];
  const child = spawn(process.execPath, [BIN, ...args, ...noSave], { env });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runServer(args: string[], timeoutMs = 20_000): Promise<Exit> {
  return new Promise((resolve) => {
    const child = startChild(args, { ...process.env, REWIND_LOG_LEVEL: 'silent' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('command line', () => {
  it('refuses an unknown option with one line and status 1', async () => {
    const r = await runServer(['--no-such-option', 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain("unknown option 'no-such-option'");
  });

  it('refuses an invalid value with the reason', async () => {
    const r = await runServer(['--port', 'abc']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain("argument couldn't be parsed into an integer");
  });

  it('reports the file and line of a bad config file directive', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rewind-conf-'));
    try {
      const file = join(dir, 'redis.conf');
      writeFileSync(file, '# comment\nport 0\nappendfsync sometimes\n');
      const r = await runServer([file]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${file}:3`);
      expect(r.stderr).toContain('argument(s) must be one of the following: everysec, always, no');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints its version', async () => {
    const r = await runServer(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Rewind server v=\S+ redis-compat=7\.2\.4/);
  });

  it('serves, then exits 0 on SIGTERM', async () => {
    const child = startChild(['--port', '0', '--loglevel', 'notice'], { ...process.env, REWIND_LOG_LEVEL: 'info' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /"port":(\d+)[^\n]*ready to accept connections/.exec(out);
          if (m !== null) resolve(Number(m[1]));
        });
        void exited.then((code) => reject(new Error(`exited ${code}`)));
      });
      const r = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableReadyCheck: false });
      await r.connect();
      expect(await r.set('k', 'v')).toBe('OK');
      r.disconnect();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      // Whatever failed above, no server may outlive the test.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});

describe('in-process server', () => {
  it('close() is idempotent and frees the port', async () => {
    const s = await startServer({ port: 0, save: '' });
    await Promise.all([s.close(), s.close()]);
    await s.closed;
    const again = await startServer({ port: s.port, save: '' });
    expect(again.port).toBe(s.port);
    await again.close();
  });

  it('stops reading from a client whose replies are not drained, then catches up', async () => {
    const s = await startServer({ port: 0, save: '' });
    try {
      const setup = new Redis({ port: s.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableReadyCheck: false });
      await setup.connect();
      const big = 'x'.repeat(1024 * 1024);
      await setup.set('big', big);
      setup.disconnect();

      const sock = net.connect(s.port, '127.0.0.1');
      await new Promise<void>((r) => sock.once('connect', () => r()));
      sock.pause(); // do not read: the server's socket buffer fills
      const requests = 200;
      const get = encodeCommand(['GET', 'big']);
      for (let i = 0; i < requests; i++) sock.write(get);

      const client = (): Client | undefined => [...s.state.clients()].find((c) => c.lastCommand === 'get') as Client | undefined;
      const deadline = Date.now() + 10_000;
      while (client()?.paused !== true && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(client()?.paused).toBe(true);

      // Reading resumes the server side, and every reply arrives intact.
      const expected = requests * (big.length + '$1048576\r\n\r\n'.length);
      let received = 0;
      await new Promise<void>((resolve) => {
        sock.on('data', (d: Buffer) => {
          received += d.length;
          if (received >= expected) resolve();
        });
        sock.resume();
      });
      expect(received).toBe(expected);
      sock.destroy();
    } finally {
      await s.close();
    }
  });
});

describe('persistence settings at startup', () => {
  it('refuses a damaged AOF manifest with Redis\'s fatal lines and exit code 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rewind-manifest-'));
    try {
      mkdirSync(join(dir, 'appendonlydir'));
      writeFileSync(join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'file appendonly.aof.1.base.rdb seq 1 type x\n');
      const r = await runServer(['--port', '0', '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('*** FATAL AOF MANIFEST FILE ERROR ***');
      expect(r.stderr).toContain('Unknown AOF file type');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('CONFIG SET appendonly yes at runtime writes a base and starts logging', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rewind-enable-'));
    const s = await startServer({ port: 0, bind: '127.0.0.1', dir, save: '' });
    try {
      const r = new Redis({ port: s.port, lazyConnect: true });
      await r.connect();
      await r.set('before', '1');
      expect(await r.config('SET', 'appendonly', 'yes')).toBe('OK');
      await r.set('during', '2');
      for (let i = 0; i < 200 && (await r.info('persistence')).includes('aof_rewrite_in_progress:1'); i++) await new Promise((res) => setTimeout(res, 10));
      await r.set('after', '3');
      const manifest = readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'latin1');
      expect(manifest).toBe('file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
      r.disconnect();
      await s.close();
      const again = await startServer({ port: 0, bind: '127.0.0.1', dir, save: '', appendonly: 'yes' });
      const r2 = new Redis({ port: again.port, lazyConnect: true });
      await r2.connect();
      expect(await r2.mget('before', 'during', 'after')).toEqual(['1', '2', '3']);
      r2.disconnect();
      await again.close();
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a bug in a command handler', () => {
  it('answers an internal error and keeps serving', async () => {
    const s = await startServer({ port: 0, save: '' });
    const original = Db.prototype.get;
    const spy = vi.spyOn(Db.prototype, 'get').mockImplementation(function (this: Db, key: string) {
      if (key === 'boom') throw new TypeError('simulated bug');
      return original.call(this, key);
    });
    try {
      const r = new Redis({ port: s.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableReadyCheck: false });
      await r.connect();
      await expect(r.get('boom')).rejects.toThrow("ERR internal error in 'get' command: simulated bug");
      expect(await r.set('fine', '1')).toBe('OK');
      expect(await r.get('fine')).toBe('1');
      r.disconnect();
    } finally {
      spy.mockRestore();
      await s.close();
    }
  });
});

describe('exit with a closed stdout', () => {
  it('still exits 0 on SIGTERM when nobody reads its log any more', async () => {
    const child = startChild(['--port', '0'], { ...process.env, REWIND_LOG_LEVEL: 'info' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    try {
      await new Promise<void>((resolve) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('ready to accept connections')) resolve();
        });
      });
      child.stdout.destroy(); // the reader goes away: the next log line meets EPIPE
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
