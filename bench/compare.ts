/*
 * bench:compare: Rewind against a real redis-server on this host, same workloads, alternating
 * which server goes first, for N rounds; prints Rewind/Redis ratios (median of the rounds) next to
 * the targets. Helpers live in bench/compare/.
 *
 *   npm run bench:compare                      3 rounds, full sizes
 *   npm run bench:compare -- --rounds 5        (or BENCH_ROUNDS=5)
 *   npm run bench:compare -- --quick           1 round, small sizes: a smoke run
 *   npm run bench:compare -- --json out.json   raw figures as JSON too
 *   npm run bench:compare -- --only types      only the data-type workloads (below)
 *   npm run bench:compare -- --only persistence  AOF everysec throughput, load time, latency during
 *                                              a rewrite (bench/compare/persistence.ts)
 *   npm run bench:compare -- --only scripting  EVALSHA at -P 16 / -P 1 and PUBLISH fan-out to 100
 *                                              subscribers (bench/compare/scripting.ts);
 *                                              --scripting-requests sets the EVALSHA -P 16 -n
 *   npm run bench:compare -- --only all        the default workloads, the data-type ones, scripting,
 *                                              then persistence
 *
 * Each round starts both servers fresh (temp dir, loopback, no persistence), then per workload
 * runs one server then the other: redis-cli --pipe of SET key:<n> value:<n> (load time, RSS
 * growth per key), then redis-benchmark SET/GET -c 50 at -P 1 and -P 16 (requests/sec, and server
 * CPU per request from /proc/<pid>/stat). Both servers are stopped by PID at the end of the round
 * and on any error or signal.
 *
 * The data-type workloads (--only types|all) are redis-benchmark's own tests, one run per test,
 * -c 50 -P 16 -r 100000: lpush, rpush, lpop, rpop, sadd, hset, spop, zadd, zpopmin, lrange_100,
 * lrange_600, in that order on each server (LPOP/RPOP pop what LPUSH/RPUSH pushed, and so on).
 * lrange_N runs redis-benchmark's LPUSH fill first, in the same invocation, as `-t lrange_N` does;
 * its CPU per request counts the fill too. --types-requests sets -n for the single-element tests
 * (default 1,000,000); lrange_100 gets a fifth of it, lrange_600 a twentieth.
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
  TYPE_TESTS, benchArgs, cliCommand, pipeLoad, redisBenchmark, redisBenchmarkRow, startupWarningCheck, typeBenchArgs, writePipeFile,
  type TypeTest,
} from './compare/workloads.js';
import { markdownTable, rawTable, summarize, type MetricDef, type Sample } from './compare/report.js';
import { runPersistence } from './compare/persistence.js';
import { scriptingChecks, scriptingMetrics, scriptingSteps } from './compare/scripting.js';

const { values: opts } = parseArgs({
  options: {
    rounds: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'pipe-keys': { type: 'string' },
    'p1-requests': { type: 'string' },
    'p16-requests': { type: 'string' },
    json: { type: 'string' },
    only: { type: 'string' },
    'types-requests': { type: 'string' },
    'scripting-requests': { type: 'string' },
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
const ONLY = opts.only ?? 'default';
if (ONLY !== 'default' && ONLY !== 'types' && ONLY !== 'scripting' && ONLY !== 'persistence' && ONLY !== 'all') throw new Error(`bad --only: ${ONLY} (default, types, scripting, persistence or all)`);
const RUN_DEFAULT = ONLY === 'default' || ONLY === 'all';
const RUN_TYPES = ONLY === 'types' || ONLY === 'all';
const RUN_SCRIPTING = ONLY === 'scripting' || ONLY === 'all';
const RUN_PERSISTENCE = ONLY === 'persistence' || ONLY === 'all';
const SCRIPTING_REQUESTS = intOpt(opts['scripting-requests'], undefined, quick ? 50_000 : 250_000, 'scripting-requests');
const TYPES_REQUESTS = intOpt(opts['types-requests'], undefined, quick ? 100_000 : 1_000_000, 'types-requests');
/** -n per data-type test: LRANGE replies are 100 / 600 elements, so those get fewer requests. */
function typeRequests(t: TypeTest): number {
  if (t.test === 'lrange_100') return Math.max(1000, Math.round(TYPES_REQUESTS / 5));
  if (t.test === 'lrange_600') return Math.max(1000, Math.round(TYPES_REQUESTS / 20));
  return TYPES_REQUESTS;
}
const P16_REQUESTS = intOpt(opts['p16-requests'], undefined, quick ? 200_000 : 1_500_000, 'p16-requests');

const DEFAULT_METRICS: MetricDef[] = [
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

const TYPE_METRICS: MetricDef[] = [
  ...TYPE_TESTS.map((t): MetricDef => ({
    key: `t.${t.test}.rps`, label: `${t.test.toUpperCase()} -P 16 throughput`, unit: 'req/s', better: 'higher', target: { op: '>=', value: 0.5 }, digits: 0,
  })),
  ...TYPE_TESTS.map((t): MetricDef => ({
    key: `t.${t.test}.cpu`, label: `${t.test.toUpperCase()} -P 16 server CPU/request${t.fill ? ' (incl. its LPUSH fill)' : ''}`, unit: 'µs', better: 'lower', digits: 3,
  })),
];

const METRICS: MetricDef[] = [...(RUN_DEFAULT ? DEFAULT_METRICS : []), ...(RUN_TYPES ? TYPE_METRICS : []), ...(RUN_SCRIPTING ? scriptingMetrics(SCRIPTING_REQUESTS) : [])];

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

/** Elements pushed by the two LRANGE fills: about what mylist holds after the sequence. */
function expectedListLength(): number {
  return TYPE_TESTS.filter((t) => t.fill).reduce((n, t) => n + typeRequests(t), 0);
}

/** LLEN mylist after the data-type sequence, per round and server: both must agree. */
const listLengths: Partial<Record<ServerKind, number>>[] = [];

function typeStep(t: TypeTest, clk: number): Step {
  return async (s, round) => {
    const requests = typeRequests(t);
    const args = typeBenchArgs(s.port, t.test, requests, 16);
    const r = await redisBenchmarkRow(s, args, t.row, t.fill ? 2 * requests : requests, clk);
    record(round, `t.${t.test}.rps`, s.kind, r.rps);
    record(round, `t.${t.test}.cpu`, s.kind, r.cpuUsPerReq);
    for (const w of r.warnings) if (!warnings[s.kind].includes(w)) warnings[s.kind].push(w);
    if (r.errors.length > 0) problems.push(`${s.kind} round ${round + 1} ${t.test}: ${r.errors.slice(0, 2).join(' | ')}`);
    commands.add(`redis-benchmark ${typeBenchArgs(0, t.test, requests, 16).join(' ').replace('-p 0', '-p <port>')}`);
    log(`  ${s.kind.padEnd(6)} ${t.test.toUpperCase()} -P 16: ${Math.round(r.rps)} req/s, ${r.cpuUsPerReq.toFixed(3)} µs CPU/req (${(r.wallMs / 1000).toFixed(1)} s)`);
    if (t.test === 'lrange_600') {
      // The sequence leaves the two LRANGE fills in mylist (LPOP/RPOP emptied it before); the
      // client may send a few requests over -n, so the check is that both servers agree.
      const len = Number(await cliCommand(s, 'LLEN', 'mylist'));
      while (listLengths.length <= round) listLengths.push({});
      listLengths[round]![s.kind] = len;
      if (!Number.isInteger(len) || len < expectedListLength()) problems.push(`${s.kind} round ${round + 1}: LLEN mylist ${len} after the data-type tests, expected at least ${expectedListLength()}`);
      const other = listLengths[round]![s.kind === 'rewind' ? 'redis' : 'rewind'];
      if (other !== undefined && other !== len) problems.push(`round ${round + 1}: LLEN mylist differs after the data-type tests (${s.kind} ${len}, other ${other})`);
    }
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
    const steps: [string, Step][] = [];
    if (RUN_DEFAULT) {
      const pipeFile = path.join(tmp, 'pipe.resp');
      const bytes = await writePipeFile(pipeFile, PIPE_KEYS);
      log(`pipe file: ${PIPE_KEYS} SETs, ${(bytes / 2 ** 20).toFixed(1)} MiB`);
      steps.push(
        ['pipe', pipeStep(pipeFile, clk)],
        ['SET -P 1', benchStep('set', 1, P1_REQUESTS, clk)],
        ['GET -P 1', benchStep('get', 1, P1_REQUESTS, clk)],
        ['SET -P 16', benchStep('set', 16, P16_REQUESTS, clk)],
        ['GET -P 16', benchStep('get', 16, P16_REQUESTS, clk)],
      );
    }
    if (RUN_TYPES) for (const t of TYPE_TESTS) steps.push([t.test, typeStep(t, clk)]);
    if (RUN_SCRIPTING) steps.push(...scriptingSteps({ requests: SCRIPTING_REQUESTS, clk, record, log, problems, commands, warnings }));
    log(`workloads: ${ONLY}; rounds: ${ROUNDS}${quick ? ' (quick)' : ''}; load average ${loadAverage()}`);
    let serverCommands: string[] = [];
    revision = `Rewind at ${sourceRevision()}, running ${rewindEntry()}`;
    log(revision);
    for (let round = 0; round < ROUNDS && steps.length > 0; round++) {
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
        if (round === 0 && RUN_DEFAULT) {
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
    if (steps.length > 0) {
      log(`load average at the end: ${loadAverage()}`);
      print(serverCommands);
    }
    if (RUN_PERSISTENCE) {
      const keys = quick ? 100_000 : 1_000_000;
      const p = await runPersistence({ rounds: ROUNDS, quick, p16Requests: P16_REQUESTS, keys, incr: keys, connections: 4, clk, tmp, log });
      process.stdout.write(`\n## bench:compare persistence (${ROUNDS} round${ROUNDS === 1 ? '' : 's'}${quick ? ', quick' : ''}), node ${process.version}, ${cpuModel()}\n\n${new Date().toISOString()}; ${revision}; redis-server ${redisVersion()}; load average at start ${startLoad}, at end ${loadAverage()}\n\n${p.markdown}\n`);
      if (p.problems.length > 0) process.exitCode = 2;
    }
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
  lines.push(`## bench:compare (${ROUNDS} round${ROUNDS === 1 ? '' : 's'}${quick ? ', quick' : ''}${ONLY === 'default' ? '' : `, --only ${ONLY}`}), node ${process.version}, ${cpuModel()}`);
  lines.push('', `${new Date().toISOString()}; ${revision}; redis-server ${redisVersion()}; load average at start ${startLoad}, at end ${loadAverage()}`);
  lines.push('', markdownTable(rows), '', '### Raw figures per round', '', rawTable(rows), '', '### Commands', '');
  for (const c of serverCommands) lines.push(`    ${c.replace(/--port \d+/, '--port <free port>').replace(/--dir \S+/, '--dir <temp dir>')}`);
  for (const c of commands) lines.push(`    ${c}`);
  lines.push('', '### Checks', '');
  lines.push(`- redis-benchmark WARNING lines, Rewind: ${warnings.rewind.length === 0 ? 'none' : warnings.rewind.map((w) => `\`${w.trim()}\``).join('; ')}`);
  lines.push(`- redis-benchmark WARNING lines, Redis: ${warnings.redis.length === 0 ? 'none' : warnings.redis.map((w) => `\`${w.trim()}\``).join('; ')}`);
  const ok: string[] = [];
  if (RUN_DEFAULT) ok.push(`--pipe 'errors: 0, replies: ${PIPE_KEYS}' and DBSIZE ${PIPE_KEYS} (where answered) on both servers, every round, and GET key:<last> returned value:<last>`);
  if (RUN_TYPES) ok.push(`no error reply reported by redis-benchmark in the data-type tests, and LLEN mylist after them equal on both servers every round (${listLengths.map((r) => r.rewind).join(', ')}; the two LRANGE fills of ${expectedListLength()} plus what redis-benchmark sends over -n)`);
  if (RUN_SCRIPTING) ok.push(scriptingChecks(SCRIPTING_REQUESTS));
  lines.push(`- correctness: ${problems.length === 0 ? ok.join('; ') : problems.join('; ')}`);
  if (notes.length > 0) lines.push(`- notes: ${notes.join('; ')} (the load was checked by the --pipe summary and a GET of the last key)`);
  process.stdout.write(`${lines.join('\n')}\n`);
  if (opts.json !== undefined) {
    writeFileSync(opts.json, JSON.stringify({ rounds: ROUNDS, quick, node: process.version, figures: Object.fromEntries(figures), warnings, problems, notes }, null, 2));
  }
  if (problems.length > 0) process.exitCode = 2;
}

function loadAverage(): string {
  return os.loadavg().map((v) => v.toFixed(2)).join(', ');
}
const startLoad = loadAverage();

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
