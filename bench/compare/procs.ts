/*
 * Server processes for bench:compare: start redis-server and Rewind on free loopback ports, read
 * their CPU time and RSS from /proc, and stop them by PID. Every process started here is tracked
 * and killed on exit, on SIGINT/SIGTERM and on an uncaught error, so a failed run leaves nothing.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const HOST = '127.0.0.1';
/**
 * Where the Rewind under test lives: this checkout, or BENCH_REWIND_ROOT (e.g. a built `git archive`
 * of a commit, when this checkout has others' uncommitted work that would make bin.js fall back to tsx).
 */
export const REWIND_ROOT = process.env.BENCH_REWIND_ROOT !== undefined && process.env.BENCH_REWIND_ROOT !== '' ? path.resolve(process.env.BENCH_REWIND_ROOT) : REPO_ROOT;

export type ServerKind = 'rewind' | 'redis';

export interface ServerProc {
  kind: ServerKind;
  port: number;
  pid: number;
  /** The command line, for RESULTS.md. */
  command: string;
  child: ChildProcess;
  stderr: string[];
}

const live = new Set<ServerProc>();
let handlersInstalled = false;

function killAllSync(): void {
  for (const s of live) {
    try {
      process.kill(s.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

/** Kills every tracked server when this process exits for any reason. */
export function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      killAllSync();
      process.exit(130);
    });
  }
  process.on('uncaughtException', (e) => {
    killAllSync();
    process.stderr.write(`bench:compare: ${e.stack ?? e.message}\n`);
    process.exit(1);
  });
}

export function clockTicksPerSecond(): number {
  const v = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  if (!Number.isInteger(v) || v <= 0) throw new Error(`getconf CLK_TCK gave ${v}`);
  return v;
}

/** utime + stime of pid in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`cannot parse /proc/${pid}/stat`);
  return utime + stime;
}

/** read + write system calls made by pid so far (syscr + syscw of /proc/<pid>/io). */
export function syscalls(pid: number): number {
  const io = readFileSync(`/proc/${pid}/io`, 'latin1');
  const r = /^syscr:\s+(\d+)$/m.exec(io);
  const w = /^syscw:\s+(\d+)$/m.exec(io);
  if (r === null || w === null) throw new Error(`cannot parse /proc/${pid}/io`);
  return Number(r[1]) + Number(w[1]);
}

/** VmRSS of pid in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (m === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

/**
 * BENCH_PORTS=<low>-<high>: take servers' ports from that range only (hosts where other work owns
 * the rest), else any free port the kernel gives.
 */
const PORT_RANGE = /^(\d+)-(\d+)$/.exec(process.env.BENCH_PORTS ?? '');
let nextInRange = PORT_RANGE !== null ? Number(PORT_RANGE[1]) : 0;

export async function freePort(): Promise<number> {
  if (PORT_RANGE === null) return tryPort(0);
  const low = Number(PORT_RANGE[1]);
  const high = Number(PORT_RANGE[2]);
  // Round-robin, so a port just released by a stopped server is not reused at once (TIME_WAIT).
  for (let tries = 0; tries <= high - low; tries++) {
    const port = nextInRange;
    nextInRange = port >= high ? low : port + 1;
    try {
      return await tryPort(port);
    } catch {
      // in use: next one
    }
  }
  throw new Error(`no free port in BENCH_PORTS=${process.env.BENCH_PORTS}`);
}

function tryPort(want: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(want, HOST, () => {
      const addr = srv.address();
      const port = addr !== null && typeof addr === 'object' ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** One PING over a raw socket; resolves true on +PONG. */
function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: HOST, port });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve(false);
    }, 1000);
    let got = '';
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.includes('\r\n')) {
        clearTimeout(timer);
        sock.destroy();
        resolve(got.startsWith('+PONG'));
      }
    });
    sock.on('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

async function waitReady(s: ServerProc, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (s.child.exitCode !== null) throw new Error(`${s.kind} exited early (${s.child.exitCode}): ${s.stderr.join('')}`);
    if (await pingOnce(s.port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${s.kind} on port ${s.port} not ready after ${timeoutMs} ms`);
}

function launch(kind: ServerKind, port: number, cmd: string, args: string[], env: NodeJS.ProcessEnv, shown: string): ServerProc {
  const child = spawn(cmd, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (child.pid === undefined) throw new Error(`cannot start ${kind}`);
  const s: ServerProc = { kind, port, pid: child.pid, command: shown, child, stderr: [] };
  child.stderr?.on('data', (d: Buffer) => {
    if (s.stderr.length < 50) s.stderr.push(d.toString('utf8'));
  });
  live.add(s);
  return s;
}

/**
 * What `node server/bin.js` runs right now: the compiled dist/ when it is at least as new as every
 * source file (bin.js's rule), else the TypeScript source through tsx.
 */
export function rewindEntry(): 'dist (compiled)' | 'TypeScript via tsx' {
  const built = path.join(REWIND_ROOT, 'dist', 'server', 'main.js');
  if (!existsSync(built)) return 'TypeScript via tsx';
  let newest = 0;
  for (const dir of ['protocol', 'commands', 'persistence', 'server']) {
    const root = path.join(REWIND_ROOT, dir);
    if (!existsSync(root)) continue;
    for (const name of readdirSync(root, { recursive: true })) {
      if (String(name).endsWith('.ts')) newest = Math.max(newest, statSync(path.join(root, String(name))).mtimeMs);
    }
  }
  return statSync(built).mtimeMs >= newest ? 'dist (compiled)' : 'TypeScript via tsx';
}

/** HEAD's short hash, and whether the server sources have uncommitted changes. */
export function sourceRevision(): string {
  if (REWIND_ROOT !== REPO_ROOT) return `BENCH_REWIND_ROOT=${REWIND_ROOT}`;
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'protocol', 'commands', 'persistence', 'server'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    return dirty === '' ? head : `${head} + uncommitted changes in ${dirty.split('\n').length} server file(s)`;
  } catch {
    return 'unknown revision';
  }
}

/** Adds a server started elsewhere to the set killed on exit and by stopAll(). */
export function trackServer(s: ServerProc): void {
  live.add(s);
}

export async function startRedis(dir: string): Promise<ServerProc> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--logfile', ''];
  const shown = `redis-server --port ${port} --bind ${HOST} --save '' --appendonly no --dir ${dir}`;
  const s = launch('redis', port, 'redis-server', args, process.env, shown);
  await waitReady(s, 10_000);
  return s;
}

export async function startRewind(): Promise<ServerProc> {
  const port = await freePort();
  // Run the bin as users do (npx rewind-server): its shebang carries the V8 flags we ship with.
  const args = ['--port', String(port), '--bind', HOST, '--save', ''];
  const shown = `REWIND_LOG_LEVEL=silent server/bin.js --port ${port} --bind ${HOST} --save ''`;
  const s = launch('rewind', port, path.join(REWIND_ROOT, 'server/bin.js'), args, { ...process.env, REWIND_LOG_LEVEL: 'silent' }, shown);
  await waitReady(s, 30_000);
  return s;
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. */
export async function stopServer(s: ServerProc): Promise<void> {
  if (!live.has(s)) return;
  if (s.child.exitCode === null && s.child.signalCode === null) {
    const exited = new Promise<void>((resolve) => s.child.once('exit', () => resolve()));
    try {
      process.kill(s.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        process.kill(s.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  }
  live.delete(s);
}

export async function stopAll(): Promise<void> {
  for (const s of [...live]) await stopServer(s);
}
