/*
 * Servers for the persistence benchmark: Rewind or redis-server in a given directory with given
 * persistence options, on a free loopback port, tracked by procs.ts (stopped by PID on exit and by
 * stopAll). startTimed() measures what a user waits for after a restart: from spawn() until the
 * server answers PING with +PONG and INFO persistence says loading:0.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HOST, REPO_ROOT, REWIND_ROOT, freePort, trackServer, type ServerKind, type ServerProc } from './procs.js';
import { RespClient, info } from './resp-client.js';

/** appendonly yes, everysec, and no automatic rewrite (so only the rewrites we ask for happen). */
export const AOF_EVERYSEC = ['--appendonly', 'yes', '--appendfsync', 'everysec', '--auto-aof-rewrite-percentage', '0'];
export const NO_AOF = ['--appendonly', 'no'];

export interface PersistServer extends ServerProc {
  dir: string;
  /** process.hrtime.bigint() just before spawn(). */
  spawnedAt: bigint;
  stdout: string;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The command line as RESULTS.md shows it (port and dir replaced by placeholders). */
export function shownCommand(kind: ServerKind, extra: readonly string[]): string {
  const opts = extra.map((a) => (a === '' ? "''" : a)).join(' ');
  return kind === 'rewind'
    ? `REWIND_LOG_LEVEL=silent server/bin.js --port <free port> --bind ${HOST} --save '' --dir <temp dir> ${opts}`
    : `redis-server --port <free port> --bind ${HOST} --save '' --dir <temp dir> --daemonize no --logfile '' ${opts}`;
}

/** Spawns a server in dir; does not wait for it. */
export async function spawnServer(kind: ServerKind, dir: string, extra: readonly string[]): Promise<PersistServer> {
  const port = await freePort();
  const common = ['--port', String(port), '--bind', HOST, '--save', '', '--dir', dir];
  const cmd = kind === 'rewind' ? path.join(REWIND_ROOT, 'server/bin.js') : 'redis-server';
  const args = kind === 'rewind' ? [...common, ...extra] : [...common, '--daemonize', 'no', '--logfile', '', ...extra];
  const env = kind === 'rewind' ? { ...process.env, REWIND_LOG_LEVEL: 'silent' } : process.env;
  const spawnedAt = process.hrtime.bigint();
  const child = spawn(cmd, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`cannot start ${kind}`);
  const s: PersistServer = { kind, port, pid: child.pid, command: shownCommand(kind, extra), child, stderr: [], dir, spawnedAt, stdout: '' };
  child.stderr?.on('data', (d: Buffer) => {
    if (s.stderr.length < 50) s.stderr.push(d.toString('utf8'));
  });
  child.stdout?.on('data', (d: Buffer) => {
    // Redis logs to stdout; keep the tail (the load summary line is what we read).
    s.stdout = (s.stdout + d.toString('utf8')).slice(-65536);
  });
  trackServer(s);
  return s;
}

function exited(s: ServerProc): boolean {
  return s.child.exitCode !== null || s.child.signalCode !== null;
}

/**
 * Polls until the server answers PING with +PONG (not -LOADING) and INFO persistence shows
 * loading:0; returns the milliseconds from spawn to that +PONG. Polls every 5 ms on one
 * connection (reconnecting while the port refuses).
 */
export async function waitLoaded(s: PersistServer, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let c: RespClient | null = null;
  try {
    while (Date.now() < deadline) {
      if (exited(s)) throw new Error(`${s.kind} exited while starting (${s.child.exitCode ?? s.child.signalCode}): ${s.stderr.join('')}${s.stdout.slice(-2000)}`);
      if (c === null) {
        try {
          c = await RespClient.connect(HOST, s.port, 1000);
        } catch {
          await sleep(5);
          continue;
        }
      }
      let reply;
      try {
        reply = await c.send(['PING']);
      } catch {
        c.close();
        c = null;
        await sleep(5);
        continue;
      }
      if (reply === 'PONG') {
        const at = process.hrtime.bigint();
        const fields = await info(c, 'persistence');
        if (fields.get('loading') === '0') return Number(at - s.spawnedAt) / 1e6;
      }
      await sleep(5);
    }
    throw new Error(`${s.kind} on port ${s.port} not loaded after ${timeoutMs} ms`);
  } finally {
    c?.close();
  }
}

export async function startServer(kind: ServerKind, dir: string, extra: readonly string[], timeoutMs = 120_000): Promise<PersistServer & { readyMs: number }> {
  const s = await spawnServer(kind, dir, extra);
  const readyMs = await waitLoaded(s, timeoutMs);
  return Object.assign(s, { readyMs });
}

/** VmRSS and VmHWM (peak RSS) of pid, bytes. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const rss = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  if (rss === null || hwm === null) throw new Error(`no VmRSS/VmHWM for ${pid}`);
  return { rss: Number(rss[1]) * 1024, peak: Number(hwm[1]) * 1024 };
}

/** Polls INFO persistence until no AOF rewrite is running or scheduled; returns the last fields. */
export async function waitRewriteDone(c: RespClient, timeoutMs: number, pollMs = 25): Promise<Map<string, string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const f = await info(c, 'persistence');
    if (f.get('aof_rewrite_in_progress') === '0' && f.get('aof_rewrite_scheduled') === '0') return f;
    if (Date.now() > deadline) throw new Error(`AOF rewrite still running after ${timeoutMs} ms`);
    await sleep(pollMs);
  }
}
