/*
 * bench:compare: Rewind against a real redis-server on this host, same workloads, alternating
 * which server goes first, for N rounds; prints Rewind/Redis ratios (median of the rounds) next to
 * the targets. Helpers live in bench/compare/.
 *
 *   npm run bench:compare                      3 rounds, full sizes
 *   npm run bench:compare -- --rounds 5        (or BENCH_ROUNDS=5)
 *   npm run bench:compare -- --quick           1 round, small sizes: a smoke run
 *   npm run bench:compare -- --json out.json   raw figures as JSON too
 *
 * Each round starts both servers fresh (temp dir, loopback, no persistence), then per workload
 * runs one server then the other: redis-cli --pipe of SET key:<n> value:<n> (load time, RSS
 * growth per key), then redis-benchmark SET/GET -c 50 at -P 1 and -P 16 (requests/sec, and server
 * CPU per request from /proc/<pid>/stat). Both servers are stopped by PID at the end of the round
 * and on any error or signal.
 */
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  clockTicksPerSecond, installExitHandlers, rewindEntry, sourceRevision, startRedis, startRewind, stopAll,
  type ServerKind, type ServerProc,
} from './compare/procs.js';
import {
  benchArgs, pipeLoad, redisBenchmark, startupWarningCheck, writePipeFile,
} from './compare/workloads.js';
import { markdownTable, rawTable, summarize, type MetricDef, type Sample } from './compare/report.js';

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'pipe-keys': { type: 'string' },
    'p1-requests': { type: 'string' },
    'p16-requests': { type: 'string' },
    json: { type: 'string' },
  },
});

function intOpt(v: string | undefined, env: string | undefined, dflt: number, name: string): number {
  const raw = v ?? env;
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 100_000_000) throw new Error(`bad --${name}: ${raw}`);
  return n;
}

const quick = opts.quick === true;
const ROUNDS = intOpt(opts.rounds, process.env.BENCH_ROUNDS, quick ? 1 : 3, 'rounds');
const PIPE_KEYS = intOpt(opts['pipe-keys'], undefined, quick ? 100_000 : 1_000_000, 'pipe-keys');
const P1_REQUESTS = intOpt(opts['p1-requests'], undefined, quick ? 20_000 : 200_000, 'p1-requests');
const P16_REQUESTS = intOpt(opts['p16-requests'], undefined, quick ? 200_000 : 1_500_000, 'p16-requests');

const METRICS: MetricDef[] = [
  { key: 'set1.rps', label: 'SET -P 1 throughput', unit: 'req/s', better: 'higher', target: { op: '>=', value: 0.95 }, digits: 0 },
  { key: 'get1.rps', label: 'GET -P 1 throughput', unit: 'req/s', better: 'higher', target: { op: '>=', value: 0.95 }, digits: 0 },
  { key: 'set1.cpu', label: 'SET -P 1 server CPU/request', unit: 'µs', better: 'lower', target: { op: '<=', value: 1.3 }, digits: 2 },
  { key: 'get1.cpu', label: 'GET -P 1 server CPU/request', unit: 'µs', better: 'lower', target: { op: '<=', value: 1.3 }, digits: 2 },
  { key: 'set16.rps', label: 'SET -P 16 throughput', unit: 'req/s', better: 'higher', target: { op: '>=', value: 0.5 }, digits: 0 },
  { key: 'get16.rps', label: 'GET -P 16 throughput', unit: 'req/s', better: 'higher', target: { op: '>=', value: 0.5 }, digits: 0 },
  { key: 'set16.cpu', label: 'SET -P 16 server CPU/request', unit: 'µs', better: 'lower', digits: 3 },
  { key: 'get16.cpu', label: 'GET -P 16 server CPU/request', unit: 'µs', better: 'lower', digits: 3 },
  { key: 'set1.sys', label: 'SET -P 1 server read+write syscalls/request', unit: 'calls', better: 'lower', digits: 3 },
  { key: 'get1.sys', label: 'GET -P 1 server read+write syscalls/request', unit: 'calls', better: 'lower', digits: 3 },
  { key: 'set16.sys', label: 'SET -P 16 server read+write syscalls/request', unit: 'calls', better: 'lower', digits: 3 },
  { key: 'get16.sys', label: 'GET -P 16 server read+write syscalls/request', unit: 'calls', better: 'lower', digits: 3 },
  { key: 'pipe.seconds', label: `--pipe load of ${PIPE_KEYS.toLocaleString('en-US')} SETs`, unit: 's', better: 'lower', target: { op: '<=', value: 2 }, digits: 2 },
  { key: 'pipe.cpu', label: '--pipe load, server CPU time', unit: 's', better: 'lower', digits: 2 },
  { key: 'pipe.bytesPerKey', label: 'memory per key (RSS growth / keys)', unit: 'bytes', better: 'lower', target: { op: '<=', value: 1.5 }, digits: 1 },
];

type Figures = Map<string, Partial<Record<ServerKind, number>>[]>;
const figures: Figures = new Map();
const problems: string[] = [];
const notes: string[] = [];
const warnings: Record<ServerKind, string[]> = { rewind: [], redis: [] };
const commands = new Set<string>();
let revision = '';

function record(round: number, key: string, kind: ServerKind, v: number): void {
  let rounds = figures.get(key);
  if (rounds === undefined) figures.set(key, (rounds = []));
  while (rounds.length <= round) rounds.push({});
  rounds[round]![kind] = v;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

type Step = (s: ServerProc, round: number) => Promise<void>;

function benchStep(test: 'set' | 'get', pipeline: number, requests: number, clk: number): Step {
  return async (s, round) => {
    const r = await redisBenchmark(s, test, requests, pipeline, clk);
    const key = `${test}${pipeline}`;
    record(round, `${key}.rps`, s.kind, r.rps);
    record(round, `${key}.cpu`, s.kind, r.cpuUsPerReq);
    record(round, `${key}.sys`, s.kind, r.syscallsPerReq);
    for (const w of r.warnings) if (!warnings[s.kind].includes(w)) warnings[s.kind].push(w);
    commands.add(`redis-benchmark ${benchArgs(0, test, requests, pipeline).join(' ').replace('-p 0', '-p <port>')}`);
    log(`  ${s.kind.padEnd(6)} ${test.toUpperCase()} -P ${pipeline}: ${Math.round(r.rps)} req/s, ${r.cpuUsPerReq.toFixed(3)} µs CPU/req, ${r.syscallsPerReq.toFixed(3)} syscalls/req (${(r.wallMs / 1000).toFixed(1)} s)`);
  };
}

function pipeStep(file: string, clk: number): Step {
  return async (s, round) => {
    const r = await pipeLoad(s, file, PIPE_KEYS, clk);
    record(round, 'pipe.seconds', s.kind, r.seconds);
    record(round, 'pipe.cpu', s.kind, r.cpuSeconds);
    record(round, 'pipe.bytesPerKey', s.kind, r.bytesPerKey);
    commands.add('redis-cli -h 127.0.0.1 -p <port> --pipe < <file of SET key:<n> value:<n>>');
    if (r.errors !== 0 || r.replies !== PIPE_KEYS) problems.push(`${s.kind} round ${round + 1}: --pipe summary '${r.summary}' (expected errors: 0, replies: ${PIPE_KEYS})`);
    if (Number.isNaN(r.dbsize)) {
      if (!notes.includes(`${s.kind}: DBSIZE unavailable`)) notes.push(`${s.kind}: DBSIZE unavailable`);
    } else if (r.dbsize !== PIPE_KEYS) problems.push(`${s.kind} round ${round + 1}: DBSIZE ${r.dbsize} after --pipe, expected ${PIPE_KEYS}`);
    log(`  ${s.kind.padEnd(6)} --pipe: ${r.seconds.toFixed(2)} s (server CPU ${r.cpuSeconds.toFixed(2)} s), '${r.summary}', RSS ${(r.rssBefore / 2 ** 20).toFixed(1)} -> ${(r.rssAfter / 2 ** 20).toFixed(1)} MiB, ${r.bytesPerKey.toFixed(1)} B/key`);
  };
}

async function main(): Promise<void> {
  installExitHandlers();
  const clk = clockTicksPerSecond();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'rewind-bench-'));
  try {
    const pipeFile = path.join(tmp, 'pipe.resp');
    const bytes = await writePipeFile(pipeFile, PIPE_KEYS);
    log(`pipe file: ${PIPE_KEYS} SETs, ${(bytes / 2 ** 20).toFixed(1)} MiB; rounds: ${ROUNDS}${quick ? ' (quick)' : ''}`);
    const steps: [string, Step][] = [
      ['pipe', pipeStep(pipeFile, clk)],
      ['SET -P 1', benchStep('set', 1, P1_REQUESTS, clk)],
      ['GET -P 1', benchStep('get', 1, P1_REQUESTS, clk)],
      ['SET -P 16', benchStep('set', 16, P16_REQUESTS, clk)],
      ['GET -P 16', benchStep('get', 16, P16_REQUESTS, clk)],
    ];
    let serverCommands: string[] = [];
    revision = `Rewind at ${sourceRevision()}, running ${rewindEntry()}`;
    log(revision);
    for (let round = 0; round < ROUNDS; round++) {
      log(`round ${round + 1}/${ROUNDS}`);
      const redisDir = mkdtempSync(path.join(tmp, `redis-${round}-`));
      try {
        const rewind = await startRewind();
        const redis = await startRedis(redisDir);
        serverCommands = [rewind.command, redis.command];
        for (let i = 0; i < steps.length; i++) {
          const [, step] = steps[i]!;
          const order = (round + i) % 2 === 0 ? [rewind, redis] : [redis, rewind];
          for (const s of order) await step(s, round);
        }
        if (round === 0) {
          for (const s of [rewind, redis]) {
            const check = await startupWarningCheck(s, quick ? 10_000 : 50_000);
            commands.add(check.command.replace(`-p ${s.port}`, '-p <port>'));
            for (const w of check.warnings) if (!warnings[s.kind].includes(w)) warnings[s.kind].push(w);
          }
        }
      } finally {
        await stopAll();
      }
    }
    print(serverCommands);
  } finally {
    await stopAll();
    rmSync(tmp, { recursive: true, force: true });
  }
}

function print(serverCommands: string[]): void {
  const data = new Map<string, Sample[]>();
  for (const [key, rounds] of figures) {
    const samples: Sample[] = [];
    for (const r of rounds) if (r.rewind !== undefined && r.redis !== undefined) samples.push({ rewind: r.rewind, redis: r.redis });
    data.set(key, samples);
  }
  const rows = summarize(METRICS, data);
  const lines: string[] = [];
  lines.push(`## bench:compare (${ROUNDS} round${ROUNDS === 1 ? '' : 's'}${quick ? ', quick' : ''}), node ${process.version}, ${cpuModel()}`);
  lines.push('', `${new Date().toISOString()}; ${revision}; redis-server ${redisVersion()}`);
  lines.push('', markdownTable(rows), '', '### Raw figures per round', '', rawTable(rows), '', '### Commands', '');
  for (const c of serverCommands) lines.push(`    ${c.replace(/--port \d+/, '--port <free port>').replace(/--dir \S+/, '--dir <temp dir>')}`);
  for (const c of commands) lines.push(`    ${c}`);
  lines.push('', '### Checks', '');
  lines.push(`- redis-benchmark WARNING lines, Rewind: ${warnings.rewind.length === 0 ? 'none' : warnings.rewind.map((w) => `\`${w.trim()}\``).join('; ')}`);
  lines.push(`- redis-benchmark WARNING lines, Redis: ${warnings.redis.length === 0 ? 'none' : warnings.redis.map((w) => `\`${w.trim()}\``).join('; ')}`);
  lines.push(`- correctness: ${problems.length === 0 ? `--pipe 'errors: 0, replies: ${PIPE_KEYS}' and DBSIZE ${PIPE_KEYS} (where answered) on both servers, every round, and GET key:<last> returned value:<last>` : problems.join('; ')}`);
  if (notes.length > 0) lines.push(`- notes: ${notes.join('; ')} (the load was checked by the --pipe summary and a GET of the last key)`);
  process.stdout.write(`${lines.join('\n')}\n`);
  if (opts.json !== undefined) {
    writeFileSync(opts.json, JSON.stringify({ rounds: ROUNDS, quick, node: process.version, figures: Object.fromEntries(figures), warnings, problems, notes }, null, 2));
  }
  if (problems.length > 0) process.exitCode = 2;
}

function redisVersion(): string {
  const m = /v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }));
  return m?.[1] ?? 'unknown';
}

function cpuModel(): string {
  const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  return `${m?.[1] ?? 'unknown CPU'}, ${os.cpus().length} cores`;
}

main().catch(async (e: unknown) => {
  await stopAll();
  process.stderr.write(`bench:compare failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
