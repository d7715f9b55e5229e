/*
 * A real redis-server for differential tests: started on a free 127.0.0.1 port in its own temp
 * dir (no RDB, no AOF, DEBUG enabled), ready when it answers PING, stopped by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RawClient } from './raw.js';

export interface RealRedis {
  readonly port: number;
  readonly pid: number;
  readonly dir: string;
  /** Stops the server (SIGTERM, then SIGKILL after 3 s) and removes its dir. Idempotent. */
  stop(): Promise<void>;
}

/** Path of an executable on PATH, or null. */
export function which(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

/** True when redis-server is on PATH (override the binary with REDIS_SERVER). */
export function redisAvailable(): boolean {
  return redisServerPath() !== null;
}

function redisServerPath(): string | null {
  const env = process.env.REDIS_SERVER;
  if (env !== undefined && env !== '') return env;
  return which('redis-server');
}

/** A port that was free a moment ago (the kernel's choice for port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = addr !== null && typeof addr === 'object' ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Children not yet stopped. If the test process exits without stopping them (a hook timed out,
 * the worker is torn down), the exit handler kills them so no redis-server outlives the run.
 */
const LIVE = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  LIVE.add(child);
  child.once('exit', () => LIVE.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of LIVE) {
        if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) {
          try {
            process.kill(c.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
    });
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts redis-server; `extraArgs` are appended as `--name value` pairs. Retries a taken port. */
export async function startRealRedis(extraArgs: readonly string[] = []): Promise<RealRedis> {
  const bin = redisServerPath();
  if (bin === null) throw new Error('redis-server is not on PATH');
  let lastError: Error | null = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await startOnce(bin, extraArgs);
    } catch (e) {
      lastError = e instanceof Error ? e : new Error(String(e));
    }
  }
  throw lastError ?? new Error('redis-server failed to start');
}

/** Whether `port` on 127.0.0.1 can be listened on right now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * The port for a real redis-server: the kernel's choice, or a free one in REAL_REDIS_PORTS
 * ("7500-7599") on machines where real servers must stay in a given range.
 */
async function realRedisPort(): Promise<number> {
  const m = /^(\d+)-(\d+)$/.exec(process.env.REAL_REDIS_PORTS ?? '');
  if (m === null) return freePort();
  const lo = Number(m[1]);
  const span = Number(m[2]) - lo + 1;
  const first = Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const port = lo + ((first + i) % span);
    if (await portFree(port)) return port;
  }
  throw new Error(`no free port in REAL_REDIS_PORTS ${process.env.REAL_REDIS_PORTS}`);
}

async function startOnce(bin: string, extraArgs: readonly string[]): Promise<RealRedis> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rewind-real-redis-'));
  const port = await realRedisPort();
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
    '--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes',
    '--daemonize', 'no', '--logfile', '', '--loglevel', 'warning', ...extraArgs,
  ];
  const pw = extraArgs.indexOf('--requirepass');
  const password = pw >= 0 ? extraArgs[pw + 1] : undefined;
  const child = spawn(bin, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        const done = exited(child);
        process.kill(child.pid, 'SIGTERM');
        const timer = setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
        }, 3000);
        await done;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  const deadline = Date.now() + 10_000;
  for (;;) {
    const failed = await Promise.race([spawnError, new Promise<null>((r) => setTimeout(() => r(null), 0))]);
    if (failed !== null) {
      await stop();
      throw failed;
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`redis-server exited (${child.exitCode ?? child.signalCode}): ${output.trim()}`);
    }
    if (await isOurRedis(port, child.pid ?? -1, password)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server on port ${port} not ready after 10 s: ${output.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { port, pid: child.pid ?? -1, dir, stop };
}

/** True when the server on port answers and is the process we spawned (not a port-race neighbour). */
async function isOurRedis(port: number, pid: number, password: string | undefined): Promise<boolean> {
  let c: RawClient | null = null;
  try {
    c = await RawClient.connect(port, '127.0.0.1', 500);
    if (password !== undefined) await c.call('AUTH', password);
    const r = await c.call('INFO', 'server');
    return r.value.type === 'bulk' && r.value.value.toString('latin1').includes(`process_id:${pid}\r\n`);
  } catch {
    return false;
  } finally {
    await c?.close();
  }
}
