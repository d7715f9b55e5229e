/*
 * LPUSH into ONE growing list, on Rewind and on a real redis-server: does throughput hold as the
 * list grows? Starts both servers fresh (loopback, no persistence), then BATCHES times runs
 *
 *   redis-benchmark -h 127.0.0.1 -p <port> -n <batch> -c 50 -P 16 --csv lpush mylist x
 *
 * on each server (alternating which goes first), so mylist grows by <batch> per batch, and prints
 * req/s and server CPU per request for each batch, the list length after it, and the last/first
 * batch ratio per server. LLEN mylist is checked after every batch. Both servers are stopped by
 * PID at the end and on any error or signal (bench/compare/procs.ts).
 *
 *   npx tsx bench/lpush-growth.ts                          5 batches of 200,000 (1,000,000 elements)
 *   npx tsx bench/lpush-growth.ts --batches 10 --batch 100000
 *   BENCH_REWIND_ROOT=<dir> npx tsx bench/lpush-growth.ts  Rewind from another (built) checkout
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  clockTicksPerSecond, installExitHandlers, rewindEntry, sourceRevision, startRedis, startRewind, stopAll,
  type ServerKind, type ServerProc,
} from './compare/procs.js';
import { cliCommand, commandBenchArgs, redisBenchmarkRow } from './compare/workloads.js';

const { values: opts } = parseArgs({
  options: {
    batches: { type: 'string' },
    batch: { type: 'string' },
  },
});

function intOpt(v: string | undefined, dflt: number, name: string): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 100_000_000) throw new Error(`bad --${name}: ${v}`);
  return n;
}

const BATCHES = intOpt(opts.batches, 5, 'batches');
const BATCH = intOpt(opts.batch, 200_000, 'batch');
const COMMAND = ['lpush', 'mylist', 'x'] as const;

interface BatchFigure {
  rps: number;
  cpuUsPerReq: number;
  llen: number;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function load(): string {
  return os.loadavg().map((v) => v.toFixed(2)).join(', ');
}

async function main(): Promise<void> {
  installExitHandlers();
  const clk = clockTicksPerSecond();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'rewind-lpush-growth-'));
  const startLoad = load();
  const results: Record<ServerKind, BatchFigure[]> = { rewind: [], redis: [] };
  const problems: string[] = [];
  let serverCommands: string[] = [];
  try {
    const rewind = await startRewind();
    const redis = await startRedis(tmp);
    serverCommands = [rewind.command, redis.command];
    log(`Rewind at ${sourceRevision()}, running ${rewindEntry()}; load average ${startLoad}`);
    for (let b = 0; b < BATCHES; b++) {
      const order: ServerProc[] = b % 2 === 0 ? [rewind, redis] : [redis, rewind];
      for (const s of order) {
        const args = commandBenchArgs(s.port, COMMAND, BATCH, 16);
        const r = await redisBenchmarkRow(s, args, COMMAND.join(' '), BATCH, clk);
        if (r.errors.length > 0) problems.push(`${s.kind} batch ${b + 1}: ${r.errors.slice(0, 2).join(' | ')}`);
        const llen = Number(await cliCommand(s, 'LLEN', 'mylist'));
        // redis-benchmark may send a few requests over -n (whole pipelines); never fewer.
        if (!Number.isInteger(llen) || llen < (b + 1) * BATCH) problems.push(`${s.kind} batch ${b + 1}: LLEN mylist ${llen}, expected at least ${(b + 1) * BATCH}`);
        results[s.kind].push({ rps: r.rps, cpuUsPerReq: r.cpuUsPerReq, llen });
        log(`  batch ${b + 1} ${s.kind.padEnd(6)} ${Math.round(r.rps)} req/s, ${r.cpuUsPerReq.toFixed(3)} µs CPU/req, LLEN ${llen}`);
      }
    }
  } finally {
    await stopAll();
    rmSync(tmp, { recursive: true, force: true });
  }

  const fmt = (v: number): string => Math.round(v).toLocaleString('en-US');
  const lines: string[] = [];
  lines.push(`## LPUSH into one growing list (${BATCHES} × ${BATCH.toLocaleString('en-US')}), node ${process.version}`);
  lines.push('', `${new Date().toISOString()}; Rewind at ${sourceRevision()}, running ${rewindEntry()}; load average at start ${startLoad}, at end ${load()}`);
  lines.push('', '| Batch | LLEN after (Rewind / Redis) | Rewind req/s | Redis req/s | Rewind/Redis | Rewind CPU µs/req | Redis CPU µs/req |', '|---:|---:|---:|---:|---:|---:|---:|');
  for (let b = 0; b < BATCHES; b++) {
    const w = results.rewind[b];
    const r = results.redis[b];
    if (w === undefined || r === undefined) continue;
    lines.push(`| ${b + 1} | ${fmt(w.llen)} / ${fmt(r.llen)} | ${fmt(w.rps)} | ${fmt(r.rps)} | ${(w.rps / r.rps).toFixed(2)} | ${w.cpuUsPerReq.toFixed(3)} | ${r.cpuUsPerReq.toFixed(3)} |`);
  }
  for (const kind of ['rewind', 'redis'] as const) {
    const xs = results[kind];
    const first = xs[0];
    const last = xs[xs.length - 1];
    if (first !== undefined && last !== undefined) {
      lines.push('', `- ${kind === 'rewind' ? 'Rewind' : 'Redis'}: last/first batch throughput ${(last.rps / first.rps).toFixed(2)}, CPU per request ${(last.cpuUsPerReq / first.cpuUsPerReq).toFixed(2)}`);
    }
  }
  lines.push('', '### Commands', '');
  for (const c of serverCommands) lines.push(`    ${c.replace(/--port \d+/, '--port <free port>').replace(/--dir \S+/, '--dir <temp dir>')}`);
  lines.push(`    redis-benchmark ${commandBenchArgs(0, COMMAND, BATCH, 16).join(' ').replace('-p 0', '-p <port>')}   # ${BATCHES} times per server`);
  lines.push('', `- checks: ${problems.length === 0 ? 'no error replies; LLEN mylist grew by at least the batch size after every batch, on both servers' : problems.join('; ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  if (problems.length > 0) process.exitCode = 2;
}

main().catch(async (e: unknown) => {
  await stopAll();
  process.stderr.write(`lpush-growth failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
