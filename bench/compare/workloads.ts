/*
 * The workloads bench:compare runs against each server: redis-benchmark (throughput and server
 * CPU per request), redis-cli --pipe (bulk load time and memory per key), and a redis-benchmark
 * startup check for WARNING lines. Each tool run has a hard timeout.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, openSync, closeSync } from 'node:fs';
import { once } from 'node:events';
import { HOST, cpuTicks, rssBytes, syscalls, type ServerProc } from './procs.js';

export interface ToolResult {
  stdout: string;
  stderr: string;
  code: number | null;
  ms: number;
}

/** Runs a tool to completion (killed after timeoutMs); stdin from a file when given. */
export function runTool(cmd: string, args: readonly string[], timeoutMs: number, stdinFile?: string): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const fd = stdinFile !== undefined ? openSync(stdinFile, 'r') : -1;
    const started = performance.now();
    const child = spawn(cmd, args, { stdio: [fd >= 0 ? fd : 'ignore', 'pipe', 'pipe'] });
    if (fd >= 0) closeSync(fd);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => {
      if (stdout.length < 1 << 20) stdout += d.toString('utf8');
    });
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 1 << 20) stderr += d.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, ms: performance.now() - started });
    });
  });
}

export interface BenchRun {
  rps: number;
  /** Server CPU (user + system) per request, microseconds. */
  cpuUsPerReq: number;
  /** Server read + write system calls per request. */
  syscallsPerReq: number;
  requests: number;
  wallMs: number;
  warnings: string[];
}

/** `redis-benchmark --csv` output: the rps column of the row for `test`. */
export function parseCsvRps(stdout: string, test: string): number {
  for (const line of stdout.split(/\r?\n/)) {
    const cols = line.split(',').map((c) => c.replace(/^"|"$/g, ''));
    if (cols[0] === test && cols[1] !== undefined) {
      const v = Number(cols[1]);
      if (Number.isFinite(v) && v > 0) return v;
    }
  }
  throw new Error(`no ${test} row in redis-benchmark output: ${stdout.slice(0, 300)}`);
}

export function warningLines(text: string): string[] {
  return text.split(/\r?\n|\r/).filter((l) => l.includes('WARNING'));
}

export function benchArgs(port: number, test: 'set' | 'get', requests: number, pipeline: number): string[] {
  return ['-h', HOST, '-p', String(port), '-t', test, '-n', String(requests), '-c', '50', '-P', String(pipeline), '-r', '100000', '--csv'];
}

export async function redisBenchmark(s: ServerProc, test: 'set' | 'get', requests: number, pipeline: number, clkTck: number): Promise<BenchRun> {
  const args = benchArgs(s.port, test, requests, pipeline);
  const before = cpuTicks(s.pid);
  const sysBefore = syscalls(s.pid);
  const r = await runTool('redis-benchmark', args, 300_000);
  const after = cpuTicks(s.pid);
  const sysAfter = syscalls(s.pid);
  if (r.code !== 0) throw new Error(`redis-benchmark ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  const rps = parseCsvRps(r.stdout, test.toUpperCase());
  return {
    rps,
    cpuUsPerReq: (((after - before) / clkTck) * 1e6) / requests,
    syscallsPerReq: (sysAfter - sysBefore) / requests,
    requests,
    wallMs: r.ms,
    warnings: warningLines(r.stdout + r.stderr),
  };
}

/**
 * The data-type tests of redis-benchmark, by their `-t` names, in the order redis-benchmark itself
 * runs them (so LPOP/RPOP find what LPUSH/RPUSH left, SPOP what SADD left, ZPOPMIN what ZADD left).
 * `row` is the CSV row that carries the figure; `fill` marks the LRANGE tests, for which
 * redis-benchmark first runs its own LPUSH of the same count ("LPUSH (needed to benchmark LRANGE)").
 */
export const TYPE_TESTS = [
  { test: 'lpush', row: 'LPUSH', fill: false },
  { test: 'rpush', row: 'RPUSH', fill: false },
  { test: 'lpop', row: 'LPOP', fill: false },
  { test: 'rpop', row: 'RPOP', fill: false },
  { test: 'sadd', row: 'SADD', fill: false },
  { test: 'hset', row: 'HSET', fill: false },
  { test: 'spop', row: 'SPOP', fill: false },
  { test: 'zadd', row: 'ZADD', fill: false },
  { test: 'zpopmin', row: 'ZPOPMIN', fill: false },
  { test: 'lrange_100', row: 'LRANGE_100 (first 100 elements)', fill: true },
  { test: 'lrange_600', row: 'LRANGE_600 (first 600 elements)', fill: true },
] as const;

export type TypeTest = (typeof TYPE_TESTS)[number];

/** `redis-benchmark -t <test> -n <requests> -c 50 -P <pipeline> -r 100000 --csv`. */
export function typeBenchArgs(port: number, test: string, requests: number, pipeline: number): string[] {
  return ['-h', HOST, '-p', String(port), '-t', test, '-n', String(requests), '-c', '50', '-P', String(pipeline), '-r', '100000', '--csv'];
}

/** `redis-benchmark -n <requests> -c 50 -P <pipeline> --csv <command...>`: a literal command, no random keys. */
export function commandBenchArgs(port: number, command: readonly string[], requests: number, pipeline: number): string[] {
  return ['-h', HOST, '-p', String(port), '-n', String(requests), '-c', '50', '-P', String(pipeline), '--csv', ...command];
}

/**
 * One redis-benchmark run with the given arguments; throughput from the CSV row `row`. Server CPU
 * and syscalls are divided by `serverRequests` (the LRANGE tests also count their LPUSH fill).
 */
export async function redisBenchmarkRow(s: ServerProc, args: readonly string[], row: string, serverRequests: number, clkTck: number): Promise<BenchRun & { errors: string[] }> {
  const before = cpuTicks(s.pid);
  const sysBefore = syscalls(s.pid);
  const r = await runTool('redis-benchmark', args, 600_000);
  const after = cpuTicks(s.pid);
  const sysAfter = syscalls(s.pid);
  if (r.code !== 0) throw new Error(`redis-benchmark ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  // redis-benchmark prints "Error from server: ..." when a reply is an error.
  const errors = (r.stdout + r.stderr).split(/\r?\n/).filter((l) => /error/i.test(l));
  return {
    errors,
    rps: parseCsvRps(r.stdout, row),
    cpuUsPerReq: (((after - before) / clkTck) * 1e6) / serverRequests,
    syscallsPerReq: (sysAfter - sysBefore) / serverRequests,
    requests: serverRequests,
    wallMs: r.ms,
    warnings: warningLines(r.stdout + r.stderr),
  };
}

/** redis-cli <args> against s, trimmed stdout. */
export function cliCommand(s: ServerProc, ...args: string[]): Promise<string> {
  return cli(s.port, ...args);
}

/** Writes `SET key:<n> value:<n>` for n in [0, count) as RESP to path, once. */
export async function writePipeFile(path: string, count: number): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  const BATCH = 10_000;
  for (let start = 0; start < count; start += BATCH) {
    let text = '';
    const end = Math.min(count, start + BATCH);
    for (let n = start; n < end; n++) {
      const k = `key:${n}`;
      const v = `value:${n}`;
      text += `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`;
    }
    bytes += text.length;
    if (!out.write(text, 'latin1')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

export interface PipeRun {
  seconds: number;
  /** Server CPU (user + system) spent during the load, seconds. */
  cpuSeconds: number;
  errors: number;
  replies: number;
  rssBefore: number;
  rssAfter: number;
  bytesPerKey: number;
  /** DBSIZE after the load; NaN when the server does not answer it with a number. */
  dbsize: number;
  summary: string;
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const r = await runTool('redis-cli', ['-h', HOST, '-p', String(port), ...args], 30_000);
  if (r.code !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * RSS once it stops moving: read every second until two readings differ by under 1% (at least 2 s,
 * at most 15 s), so a garbage-collected heap is measured after V8's memory reducer ran, not mid-way.
 */
async function settledRss(pid: number): Promise<number> {
  let prev = rssBytes(pid);
  for (let i = 0; i < 15; i++) {
    await new Promise((res) => setTimeout(res, 1000));
    const cur = rssBytes(pid);
    if (i >= 1 && Math.abs(cur - prev) < prev * 0.01) return cur;
    prev = cur;
  }
  return prev;
}

/** Loads the pipe file with redis-cli --pipe; RSS is read before and after (once settled). */
export async function pipeLoad(s: ServerProc, file: string, count: number, clkTck: number): Promise<PipeRun> {
  await new Promise((r) => setTimeout(r, 300));
  const rssBefore = rssBytes(s.pid);
  const cpuBefore = cpuTicks(s.pid);
  const r = await runTool('redis-cli', ['-h', HOST, '-p', String(s.port), '--pipe'], 600_000, file);
  const cpuSeconds = (cpuTicks(s.pid) - cpuBefore) / clkTck;
  const rssAfter = await settledRss(s.pid);
  const m = /errors: (\d+), replies: (\d+)/.exec(r.stdout);
  const errors = m !== null ? Number(m[1]) : -1;
  const replies = m !== null ? Number(m[2]) : -1;
  const dbsizeText = await cli(s.port, 'DBSIZE');
  const dbsize = /^\d+$/.test(dbsizeText) ? Number(dbsizeText) : Number.NaN;
  const probe = await cli(s.port, 'GET', `key:${count - 1}`);
  if (probe !== `value:${count - 1}`) throw new Error(`${s.kind}: GET key:${count - 1} gave ${JSON.stringify(probe)} after --pipe`);
  return {
    seconds: r.ms / 1000,
    cpuSeconds,
    errors,
    replies,
    rssBefore,
    rssAfter,
    bytesPerKey: (rssAfter - rssBefore) / count,
    dbsize,
    summary: r.stdout.trim().split('\n').pop() ?? '',
  };
}

/** `redis-benchmark -t set,get -q`: the lines it prints, and any WARNING among them. */
export async function startupWarningCheck(s: ServerProc, requests: number): Promise<{ warnings: string[]; command: string }> {
  const args = ['-h', HOST, '-p', String(s.port), '-t', 'set,get', '-n', String(requests), '-q'];
  const r = await runTool('redis-benchmark', args, 120_000);
  return { warnings: warningLines(r.stdout + r.stderr), command: `redis-benchmark ${args.join(' ')}` };
}
