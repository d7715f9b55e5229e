/*
 * Profiles Rewind's hot path: starts `node --cpu-prof server/bin.js` on a free loopback port, runs
 * one workload against it, stops it by PID (SIGTERM, so the profile is written), and prints the
 * functions with the most self time and the most inclusive time.
 *
 *   npx tsx bench/profile.ts bench16        redis-benchmark SET then GET, -c 50 -P 16
 *   npx tsx bench/profile.ts bench1         the same at -P 1 (200,000 requests each)
 *   npx tsx bench/profile.ts pipe           redis-cli --pipe of 1,000,000 SETs
 *   npx tsx bench/profile.ts types [tests]  redis-benchmark -t <tests> -n 1000000 -c 50 -P 16 -r 100000
 *                                           (default rpush,sadd,hset,zadd; any -t names, comma-separated)
 *   npx tsx bench/profile.ts summarize F    summarize an existing .cpuprofile
 * Options: --out <dir> keeps the .cpuprofile there (open it in Chrome DevTools), --top <n>.
 * The server runs with the V8 flags of server/bin.js's shebang (the young-generation size), from
 * BENCH_REWIND_ROOT when set (as bench:compare does), else this checkout.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { HOST, REPO_ROOT, REWIND_ROOT, freePort, installExitHandlers, stopAll, trackServer, type ServerProc } from './compare/procs.js';
import { runTool, writePipeFile } from './compare/workloads.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function isCpuProfile(v: unknown): v is CpuProfile {
  return typeof v === 'object' && v !== null && 'nodes' in v && 'samples' in v && 'timeDeltas' in v;
}

function frameName(f: CallFrame): string {
  const file = f.url === '' ? '' : f.url.replace(/^file:\/\//, '').replace(`${REPO_ROOT}/`, '').replace(`${REWIND_ROOT}/`, '');
  return `${f.functionName === '' ? '(anonymous)' : f.functionName} ${file}${file === '' ? '' : `:${f.lineNumber + 1}`}`.trim();
}

export function summarize(file: string, top: number): string {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isCpuProfile(parsed)) throw new Error(`${file} is not a .cpuprofile`);
  const p = parsed;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    total += us;
    const node = byId.get(id)!;
    const name = frameName(node.callFrame);
    if (node.callFrame.functionName === '(idle)') idle += us;
    self.set(name, (self.get(name) ?? 0) + us);
    // Inclusive: count each distinct frame name once per stack.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const nm = frameName(byId.get(cur)!.callFrame);
      if (seen.has(nm)) continue;
      seen.add(nm);
      incl.set(nm, (incl.get(nm) ?? 0) + us);
    }
  }
  const busy = total - idle;
  const pct = (us: number): string => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
  const lines = [`profile ${path.basename(file)}: ${(total / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s busy (percentages of busy time)`, '', 'self time:'];
  for (const [n, us] of [...self].filter(([n]) => !n.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${n}`);
  lines.push('', 'inclusive time:');
  for (const [n, us] of [...incl].filter(([n]) => !n.startsWith('(idle)') && !n.startsWith('(root)')).sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${n}`);
  return lines.join('\n');
}

/** The node flags in server/bin.js's shebang (`#!/usr/bin/env -S node <flags>`). */
function shebangFlags(): string[] {
  const first = readFileSync(path.join(REWIND_ROOT, 'server', 'bin.js'), 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!.*\bnode\b(.*)$/.exec(first);
  return m === null ? [] : m[1]!.trim().split(/\s+/).filter((f) => f !== '');
}

type Mode = 'bench16' | 'bench1' | 'pipe' | 'types';

async function profileRun(mode: Mode, tests: string, outDir: string, top: number): Promise<void> {
  installExitHandlers();
  const port = await freePort();
  const args = [...shebangFlags(), '--cpu-prof', '--cpu-prof-dir', outDir, path.join(REWIND_ROOT, 'server/bin.js'), '--port', String(port), '--bind', HOST, '--save', ''];
  const child = spawn(process.execPath, args, { cwd: REWIND_ROOT, env: { ...process.env, REWIND_LOG_LEVEL: 'silent' }, stdio: ['ignore', 'ignore', 'inherit'] });
  if (child.pid === undefined) throw new Error('cannot start rewind');
  const s: ServerProc = { kind: 'rewind', port, pid: child.pid, command: `node ${args.join(' ')}`, child, stderr: [] };
  trackServer(s);
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await runTool('redis-cli', ['-h', HOST, '-p', String(port), 'PING'], 5000);
      if (r.stdout.trim() === 'PONG') break;
      if (Date.now() > deadline) throw new Error('rewind not ready');
      await new Promise((res) => setTimeout(res, 200));
    }
    if (mode === 'bench16' || mode === 'bench1') {
      const [pipeline, requests] = mode === 'bench16' ? ['16', '1500000'] : ['1', '200000'];
      for (const t of ['set', 'get']) {
        const r = await runTool('redis-benchmark', ['-h', HOST, '-p', String(port), '-t', t, '-n', requests, '-c', '50', '-P', pipeline, '-r', '100000', '-q'], 300_000);
        process.stderr.write(r.stdout.split('\r').pop() ?? '');
      }
    } else if (mode === 'types') {
      for (const t of tests.split(',')) {
        const r = await runTool('redis-benchmark', ['-h', HOST, '-p', String(port), '-t', t, '-n', '1000000', '-c', '50', '-P', '16', '-r', '100000', '-q'], 300_000);
        process.stderr.write(r.stdout.split('\r').pop() ?? '');
      }
    } else {
      const file = path.join(outDir, 'pipe.resp');
      await writePipeFile(file, 1_000_000);
      const r = await runTool('redis-cli', ['-h', HOST, '-p', String(port), '--pipe'], 600_000, file);
      rmSync(file);
      process.stderr.write(`${r.stdout.trim()} (${(r.ms / 1000).toFixed(2)} s)\n`);
    }
  } finally {
    await stopAll();
  }
  // One file per thread (tsx's module-hooks worker writes one too): the largest is the main thread.
  const prof = readdirSync(outDir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(outDir, f))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  if (prof.length === 0) throw new Error(`no .cpuprofile written in ${outDir}`);
  process.stdout.write(`${summarize(prof[0]!, top)}\n`);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' }, top: { type: 'string' } } });
  const top = Number(values.top ?? 25);
  const mode = positionals[0];
  if (mode === 'summarize') {
    process.stdout.write(`${summarize(positionals[1] ?? '', top)}\n`);
    return;
  }
  if (mode !== 'bench16' && mode !== 'bench1' && mode !== 'pipe' && mode !== 'types') throw new Error('usage: profile.ts bench16|bench1|pipe|types [tests]|summarize <file>');
  const outDir = values.out ?? mkdtempSync(path.join(os.tmpdir(), 'rewind-prof-'));
  mkdirSync(outDir, { recursive: true });
  await profileRun(mode, positionals[1] ?? 'rpush,sadd,hset,zadd', outDir, top);
  process.stderr.write(`profile kept in ${outDir}\n`);
}

main().catch(async (e: unknown) => {
  await stopAll();
  process.stderr.write(`profile failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
