/*
 * bench:compare --only persistence (also part of --only all): Rewind against redis-server with the
 * AOF on. Each server runs in its own fresh temp dir, and each run's figures are compared with the
 * other server's from the same round (the order alternates between rounds).
 *
 *  1. Throughput with appendonly yes, appendfsync everysec: redis-benchmark SET -c 50 -P 16
 *     -r 100000 (the default part's -n) on Rewind and Redis with the AOF, and on both without it, so
 *     Rewind's everysec cost is measured against its own no-AOF run of the same round. A short
 *     warm-up run precedes each measured one. auto-aof-rewrite-percentage is 0 everywhere, so no
 *     automatic rewrite lands inside a run.
 *  2. Startup: each server builds its own folder once (redis-cli --pipe of `keys` SETs,
 *     BGREWRITEAOF until aof_rewrite_in_progress:0, then a --pipe of `incr` SET/INCR commands that
 *     stay in the incr file, then SIGTERM). Each round, each folder is copied to a fresh dir and a
 *     server started on it is timed from spawn() to +PONG with INFO loading:0: Rewind on its own
 *     folder, Redis on its own, and cross (Rewind on Redis's folder, Redis on Rewind's). DBSIZE and
 *     a sample of values are checked after every load; VmHWM gives the peak RSS.
 *  3. Latency during a rewrite: `keys` keys loaded by --pipe, then a steady load (latency-load.ts:
 *     closed-loop GET/SET at -P 1 on several connections) while BGREWRITEAOF runs; the latencies of
 *     the requests sent between BGREWRITEAOF and INFO showing aof_rewrite_in_progress:0 give
 *     p50/p99/max, next to a baseline window before it.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, existsSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { HOST, stopServer, type ServerKind } from './procs.js';
import { benchArgs, redisBenchmark, runTool, writePipeFile } from './workloads.js';
import { median } from './report.js';
import { AOF_EVERYSEC, NO_AOF, memoryOf, shownCommand, sleep, spawnServer, startServer, waitLoaded, waitRewriteDone, type PersistServer } from './persist-procs.js';
import { RespClient, info } from './resp-client.js';
import { LatencyLoad, type LatencyStats } from './latency-load.js';

export interface PersistenceOptions {
  rounds: number;
  quick: boolean;
  /** -n of the SET -P 16 runs: the default part's. */
  p16Requests: number;
  /** Keys of the base (and of the keyspace rewritten in part 3). */
  keys: number;
  /** Commands in the incr file of part 2. */
  incr: number;
  /** Connections of the latency load. */
  connections: number;
  clk: number;
  /** A temp dir the caller removes. */
  tmp: string;
  log: (line: string) => void;
}

export interface PersistenceResult {
  markdown: string;
  problems: string[];
}

const KINDS: readonly ServerKind[] = ['rewind', 'redis'];
const MiB = 2 ** 20;

/** Per metric, per server, one value per round (undefined where a run failed). */
class Figures {
  readonly data = new Map<string, Record<ServerKind, (number | undefined)[]>>();

  set(key: string, kind: ServerKind, round: number, v: number): void {
    let e = this.data.get(key);
    if (e === undefined) this.data.set(key, (e = { rewind: [], redis: [] }));
    e[kind][round] = v;
  }

  get(key: string, kind: ServerKind): (number | undefined)[] {
    return this.data.get(key)?.[kind] ?? [];
  }
}

function fmt(v: number, digits: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function defined(xs: readonly (number | undefined)[]): number[] {
  return xs.filter((x): x is number => x !== undefined && Number.isFinite(x));
}

interface RowDef {
  key: string;
  label: string;
  unit: string;
  digits: number;
  /** Scale stored values for display (bytes to MiB, say). */
  scale?: number;
  /** A target on the median Rewind/Redis ratio... */
  ratio?: { op: '>=' | '<='; value: number };
  /** ...or on Rewind's own figure, checked against its worst round. */
  rewind?: { op: '<'; value: number };
}

/** | Metric | Rewind | Redis | ratio | target | met | per-round |, the compare part's layout. */
function compareTable(f: Figures, rows: readonly RowDef[], rounds: number): { table: string; raw: string[]; failed: string[] } {
  const out = [
    '| Metric | Rewind (median) | Redis (median) | Rewind/Redis (median of rounds) | Target | Met | Per-round ratios |',
    '|---|---:|---:|---:|---|---|---|',
  ];
  const raw: string[] = [];
  const failed: string[] = [];
  for (const d of rows) {
    const rw = f.get(d.key, 'rewind');
    const rd = f.get(d.key, 'redis');
    const scale = d.scale ?? 1;
    const ratios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const a = rw[r];
      const b = rd[r];
      if (a !== undefined && b !== undefined && b !== 0) ratios.push(a / b);
      raw.push(`| ${d.label} (${d.unit}) | ${r + 1} | ${a === undefined ? 'n/a' : fmt(a / scale, d.digits)} | ${b === undefined ? 'n/a' : fmt(b / scale, d.digits)} |`);
    }
    if (defined(rw).length === 0 && defined(rd).length === 0) continue;
    const ratio = median(ratios);
    let target = '—';
    let met = '';
    if (d.ratio !== undefined) {
      target = `ratio ${d.ratio.op} ${d.ratio.value}`;
      const ok = d.ratio.op === '>=' ? ratio >= d.ratio.value : ratio <= d.ratio.value;
      met = ok ? 'yes' : '**no**';
      if (!ok) failed.push(`${d.label}: ratio ${ratio.toFixed(2)} (target ${d.ratio.op} ${d.ratio.value})`);
    } else if (d.rewind !== undefined) {
      const worst = Math.max(...defined(rw));
      target = `Rewind ${d.rewind.op} ${d.rewind.value} ${d.unit}, every round`;
      const ok = worst / scale < d.rewind.value;
      met = ok ? 'yes' : `**no** (worst ${fmt(worst / scale, d.digits)})`;
      if (!ok) failed.push(`${d.label}: Rewind's worst round ${fmt(worst / scale, d.digits)} ${d.unit} (target < ${d.rewind.value})`);
    }
    out.push(`| ${d.label} (${d.unit}) | ${fmt(median(defined(rw)) / scale, d.digits)} | ${fmt(median(defined(rd)) / scale, d.digits)} | ${ratios.length === 0 ? 'n/a' : ratio.toFixed(2)} | ${target} | ${met} | ${ratios.map((x) => x.toFixed(2)).join(', ')} |`);
  }
  return { table: out.join('\n'), raw, failed };
}

// ---- inputs -----------------------------------------------------------------------------------------

/**
 * The incr phase of part 2, as RESP for redis-cli --pipe: command i is, for even i,
 * `SET key:<keys/2 + i> value2:<i>` (half overwrite base keys, half create keys), for odd i
 * `INCR counter:<(i >> 1) % 1000>`. Returns the DBSIZE the keyspace ends with.
 */
async function writeIncrFile(file: string, keys: number, count: number): Promise<{ bytes: number; dbsize: number }> {
  const out = createWriteStream(file);
  const half = Math.floor(keys / 2);
  let bytes = 0;
  let created = 0;
  const counters = new Set<number>();
  for (let start = 0; start < count; start += 10_000) {
    let text = '';
    const end = Math.min(count, start + 10_000);
    for (let i = start; i < end; i++) {
      if ((i & 1) === 0) {
        const k = `key:${half + i}`;
        const v = `value2:${i}`;
        if (half + i >= keys) created++;
        text += `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`;
      } else {
        const c = (i >> 1) % 1000;
        counters.add(c);
        const k = `counter:${c}`;
        text += `*2\r\n$4\r\nINCR\r\n$${k.length}\r\n${k}\r\n`;
      }
    }
    bytes += text.length;
    if (!out.write(text, 'latin1')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { bytes, dbsize: keys + created + counters.size };
}

/** What GET returns for `name` after the base and the incr phase (null: no such key). */
function expectedValue(name: string, keys: number, incr: number): string | null {
  const half = Math.floor(keys / 2);
  if (name.startsWith('counter:')) {
    const c = Number(name.slice(8));
    const j = Math.floor(incr / 2);
    const n = Math.floor(j / 1000) + (c < j % 1000 ? 1 : 0);
    return n === 0 ? null : String(n);
  }
  const k = Number(name.slice(4));
  const i = k - half;
  if (i >= 0 && i % 2 === 0 && i < incr) return `value2:${i}`;
  return k < keys ? `value:${k}` : null;
}

function sampleKeys(keys: number, incr: number): string[] {
  const half = Math.floor(keys / 2);
  const names = [0, half - 1, half, half + 1, keys - 1, keys, keys + 1, half + incr - 2, half + incr].map((k) => `key:${k}`);
  names.push('counter:0', 'counter:999', 'counter:500');
  let x = 12345;
  for (let i = 0; i < 200; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    names.push(`key:${x % (half + incr)}`);
  }
  return names;
}

/** DBSIZE and a sample of values against what the inputs produce; returns the mismatches. */
async function checkContent(c: RespClient, keys: number, incr: number, dbsize: number): Promise<string[]> {
  const bad: string[] = [];
  const n = await c.call('DBSIZE');
  if (n !== dbsize) bad.push(`DBSIZE ${String(n)}, expected ${dbsize}`);
  const names = sampleKeys(keys, incr);
  const got = await c.call('MGET', ...names);
  if (!Array.isArray(got)) return [...bad, 'MGET: not an array'];
  names.forEach((name, i) => {
    const want = expectedValue(name, keys, incr);
    if (got[i] !== want && bad.length < 5) bad.push(`${name} = ${JSON.stringify(got[i])}, expected ${JSON.stringify(want)}`);
  });
  return bad;
}

// ---- folder inspection ------------------------------------------------------------------------------

interface FolderInfo {
  files: { name: string; type: string; bytes: number }[];
  incrRecords: number;
}

/** The manifest's files with their sizes, and the RESP records in the incr files. */
function inspectFolder(dir: string): FolderInfo {
  const aofDir = path.join(dir, 'appendonlydir');
  const manifestName = readdirSync(aofDir).find((n) => n.endsWith('.manifest'));
  if (manifestName === undefined) throw new Error(`no manifest in ${aofDir}`);
  const files: FolderInfo['files'] = [];
  let incrRecords = 0;
  for (const line of readFileSync(path.join(aofDir, manifestName), 'latin1').split('\n')) {
    const m = /^file (\S+) seq \d+ type ([bhi])/.exec(line.trim());
    if (m === null) continue;
    const name = m[1]!;
    const bytes = statSync(path.join(aofDir, name)).size;
    files.push({ name, type: m[2]!, bytes });
    if (m[2] === 'i') {
      // Records start with '*' at the start of a line; these inputs have no '*' or newline in values.
      const data = readFileSync(path.join(aofDir, name));
      if (data.length > 0 && data[0] === 42) incrRecords++;
      let at = data.indexOf('\n*');
      while (at >= 0) {
        incrRecords++;
        at = data.indexOf('\n*', at + 2);
      }
    }
  }
  files.push({ name: manifestName, type: 'manifest', bytes: statSync(path.join(aofDir, manifestName)).size });
  return { files, incrRecords };
}

function dirBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const name of readdirSync(dir, { recursive: true })) {
    const st = statSync(path.join(dir, String(name)));
    if (st.isFile()) total += st.size;
  }
  return total;
}

// ---- the run ----------------------------------------------------------------------------------------

export async function runPersistence(o: PersistenceOptions): Promise<PersistenceResult> {
  const { log } = o;
  const f = new Figures();
  const problems: string[] = [];
  const notes: string[] = [];
  const commands = new Set<string>();
  const warmRequests = Math.max(10_000, Math.round(o.p16Requests / 15));
  const baselineMs = o.quick ? 1000 : 2000;

  const pipeFile = path.join(o.tmp, 'persist-base.resp');
  const incrFile = path.join(o.tmp, 'persist-incr.resp');
  const baseBytes = await writePipeFile(pipeFile, o.keys);
  const incrInput = await writeIncrFile(incrFile, o.keys, o.incr);
  log(`persistence: base input ${o.keys} SETs (${(baseBytes / MiB).toFixed(1)} MiB), incr input ${o.incr} SET/INCR (${(incrInput.bytes / MiB).toFixed(1)} MiB), expected DBSIZE ${incrInput.dbsize}`);

  const pipe = async (s: PersistServer, file: string, count: number, what: string): Promise<number> => {
    const r = await runTool('redis-cli', ['-h', HOST, '-p', String(s.port), '--pipe'], 600_000, file);
    const m = /errors: (\d+), replies: (\d+)/.exec(r.stdout);
    if (m === null || m[1] !== '0' || Number(m[2]) !== count) throw new Error(`${s.kind}: --pipe of ${what}: ${r.stdout.trim().split('\n').pop() ?? ''} ${r.stderr}`);
    return r.ms;
  };

  // -- 1. SET -P 16 with and without appendonly everysec ---------------------------------------------
  const configs = [
    { kind: 'rewind' as const, aof: true },
    { kind: 'redis' as const, aof: true },
    { kind: 'rewind' as const, aof: false },
    { kind: 'redis' as const, aof: false },
  ];
  for (const c of configs) commands.add(shownCommand(c.kind, c.aof ? AOF_EVERYSEC : NO_AOF));
  commands.add(`redis-benchmark ${benchArgs(0, 'set', o.p16Requests, 16).join(' ').replace('-p 0', '-p <port>')}   (after a warm-up run of -n ${warmRequests})`);
  const benchWarnings = new Set<string>();
  for (let round = 0; round < o.rounds; round++) {
    log(`persistence round ${round + 1}/${o.rounds}: SET -P 16, AOF everysec vs none`);
    const order = round % 2 === 0 ? configs : [...configs].reverse();
    for (const c of order) {
      const dir = mkdtempSync(path.join(o.tmp, `p1-${c.kind}-`));
      try {
        const s = await startServer(c.kind, dir, c.aof ? AOF_EVERYSEC : NO_AOF);
        const warm = await runTool('redis-benchmark', benchArgs(s.port, 'set', warmRequests, 16), 120_000);
        if (warm.code !== 0) throw new Error(`warm-up redis-benchmark exited ${warm.code}: ${warm.stderr}`);
        const r = await redisBenchmark(s, 'set', o.p16Requests, 16, o.clk);
        for (const w of r.warnings) benchWarnings.add(`${c.kind}: ${w.trim()}`);
        const tag = c.aof ? 'aof' : 'noaof';
        f.set(`${tag}.rps`, c.kind, round, r.rps);
        f.set(`${tag}.cpu`, c.kind, round, r.cpuUsPerReq);
        if (c.aof) f.set('empty.start', c.kind, round, s.readyMs / 1000);
        const cl = await RespClient.connect(HOST, s.port);
        const fields = await info(cl, 'persistence');
        cl.close();
        const aofBytes = dirBytes(path.join(dir, 'appendonlydir'));
        if (c.aof) {
          f.set('aof.bytes', c.kind, round, aofBytes);
          if (fields.get('aof_enabled') !== '1' || fields.get('aof_last_write_status') !== 'ok') problems.push(`${c.kind} round ${round + 1}: INFO persistence after the AOF run: aof_enabled ${fields.get('aof_enabled')}, aof_last_write_status ${fields.get('aof_last_write_status')}`);
          // Each SET record of redis-benchmark is 45 bytes; the warm-up adds more.
          if (aofBytes < o.p16Requests * 40) problems.push(`${c.kind} round ${round + 1}: AOF folder holds ${aofBytes} bytes after ${o.p16Requests} SETs`);
        } else if (aofBytes !== 0) {
          problems.push(`${c.kind} round ${round + 1}: an AOF folder exists with appendonly no`);
        }
        log(`  ${c.kind.padEnd(6)} ${c.aof ? 'AOF everysec' : 'no AOF     '} SET -P 16: ${Math.round(r.rps)} req/s, ${r.cpuUsPerReq.toFixed(3)} µs CPU/req${c.aof ? `, AOF ${(aofBytes / MiB).toFixed(1)} MiB` : ''}`);
        await stopServer(s);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }

  // -- 2. Build each server's folder once, then time loads -------------------------------------------
  const folders: Record<ServerKind, string> = { rewind: path.join(o.tmp, 'folder-rewind'), redis: path.join(o.tmp, 'folder-redis') };
  const folderInfo: Partial<Record<ServerKind, FolderInfo>> = {};
  const buildLines: string[] = [];
  for (const kind of KINDS) {
    log(`persistence: building ${kind}'s folder`);
    const dir = folders[kind];
    mkdirSync(dir, { recursive: true });
    const s = await startServer(kind, dir, AOF_EVERYSEC);
    const loadMs = await pipe(s, pipeFile, o.keys, 'the base keys');
    const c = await RespClient.connect(HOST, s.port);
    const t0 = performance.now();
    await c.call('BGREWRITEAOF');
    const fields = await waitRewriteDone(c, 600_000, 20);
    const rewriteMs = performance.now() - t0;
    if (fields.get('aof_last_bgrewrite_status') !== 'ok') problems.push(`${kind}: the build's BGREWRITEAOF ended with aof_last_bgrewrite_status:${fields.get('aof_last_bgrewrite_status')}`);
    const incrMs = await pipe(s, incrFile, o.incr, 'the incr commands');
    const bad = await checkContent(c, o.keys, o.incr, incrInput.dbsize);
    if (bad.length > 0) problems.push(`${kind}: content after building its folder: ${bad.join('; ')}`);
    c.close();
    await stopServer(s);
    const fi = inspectFolder(dir);
    folderInfo[kind] = fi;
    if (fi.incrRecords < o.incr) problems.push(`${kind}'s folder: incr files hold ${fi.incrRecords} records, expected at least ${o.incr}`);
    const files = fi.files.map((x) => `${x.name} (${x.type}, ${x.bytes.toLocaleString('en-US')} B)`).join(', ');
    buildLines.push(`- ${kind === 'rewind' ? 'Rewind' : 'Redis'}'s folder: ${files}; ${fi.incrRecords.toLocaleString('en-US')} records in the incr (SELECT included). Built with --pipe of the base in ${(loadMs / 1000).toFixed(2)} s, BGREWRITEAOF in ${(rewriteMs / 1000).toFixed(2)} s, --pipe of the incr commands in ${(incrMs / 1000).toFixed(2)} s.`);
    log(`  ${kind}: ${files}; incr records ${fi.incrRecords}`);
  }
  commands.add(`build, once per server: ${shownCommand('rewind', AOF_EVERYSEC).split(' --port')[0]} | redis-server, same options; redis-cli -h ${HOST} -p <port> --pipe < <${o.keys} x SET key:<n> value:<n>>; BGREWRITEAOF, poll INFO persistence until aof_rewrite_in_progress:0; redis-cli --pipe < <${o.incr} commands: SET key:<${Math.floor(o.keys / 2)}+i> value2:<i> (even i), INCR counter:<(i>>1)%1000> (odd i)>; SIGTERM`);
  commands.add('load: copy the folder into a fresh dir, spawn the server there with the same options, poll PING every 5 ms until +PONG and INFO persistence loading:0');

  const loads = [
    { server: 'rewind' as const, folder: 'rewind' as const, key: 'load.own' },
    { server: 'redis' as const, folder: 'redis' as const, key: 'load.own' },
    { server: 'rewind' as const, folder: 'redis' as const, key: 'load.cross' },
    { server: 'redis' as const, folder: 'rewind' as const, key: 'load.cross' },
  ];
  const redisLoadLog: string[] = [];
  for (let round = 0; round < o.rounds; round++) {
    log(`persistence round ${round + 1}/${o.rounds}: startup on a ${o.keys}-key base + ${o.incr}-command incr`);
    const order = round % 2 === 0 ? loads : [...loads].reverse();
    for (const l of order) {
      const dir = mkdtempSync(path.join(o.tmp, `load-${l.server}-`));
      try {
        cpSync(path.join(folders[l.folder], 'appendonlydir'), path.join(dir, 'appendonlydir'), { recursive: true });
        const s = await spawnServer(l.server, dir, AOF_EVERYSEC);
        let ms: number;
        try {
          ms = await waitLoaded(s, 300_000);
        } catch (e) {
          const msg = `${l.server} loading ${l.folder}'s folder, round ${round + 1}: ${(e as Error).message.slice(0, 500)}`;
          if (l.server === 'redis' && l.folder === 'rewind') notes.push(msg);
          else problems.push(msg);
          await stopServer(s);
          continue;
        }
        const mem = memoryOf(s.pid);
        const c = await RespClient.connect(HOST, s.port);
        const bad = await checkContent(c, o.keys, o.incr, incrInput.dbsize);
        c.close();
        if (bad.length > 0) problems.push(`${l.server} after loading ${l.folder}'s folder, round ${round + 1}: ${bad.join('; ')}`);
        const redisSays = /DB loaded from append only file: ([\d.]+) seconds/.exec(s.stdout);
        if (l.server === 'redis' && redisSays !== null && round === 0) redisLoadLog.push(`${l.folder}'s folder: ${redisSays[1]} s`);
        if (l.key === 'load.own') {
          f.set('load.own', l.server, round, ms / 1000);
          f.set('load.peak', l.server, round, mem.peak);
          f.set('load.rss', l.server, round, mem.rss);
        } else if (l.server === 'rewind') {
          f.set('load.cross', 'rewind', round, ms / 1000);
          f.set('load.cross.peak', 'rewind', round, mem.peak);
        } else {
          f.set('load.redisOnRewind', 'redis', round, ms / 1000);
        }
        log(`  ${l.server.padEnd(6)} loads ${l.folder}'s folder: ${(ms / 1000).toFixed(2)} s, RSS ${(mem.rss / MiB).toFixed(0)} MiB, peak ${(mem.peak / MiB).toFixed(0)} MiB`);
        await stopServer(s);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  // Redis's own folder load goes in the "redis" column of the cross row: the ratio is then
  // "Rewind on Redis's folder / Redis on its own folder".
  f.get('load.own', 'redis').forEach((v, r) => {
    if (v !== undefined) f.set('load.cross', 'redis', r, v);
  });
  f.get('load.peak', 'redis').forEach((v, r) => {
    if (v !== undefined) f.set('load.cross.peak', 'redis', r, v);
  });

  // -- 3. Latency while BGREWRITEAOF rewrites `keys` keys ---------------------------------------------
  commands.add(`latency: fresh dir, same server options; redis-cli --pipe < <${o.keys} x SET key:<n> value:<n>>; 2.5 s idle; ${o.connections} connections each looping GET key:<r> / SET key:<r> value:<r> at -P 1 (r random < ${o.keys}), each request timed with process.hrtime.bigint(); baseline window ${baselineMs / 1000} s; BGREWRITEAOF; INFO persistence every 10 ms on another connection until aof_rewrite_in_progress:0`);
  const forkUsec: number[] = [];
  for (let round = 0; round < o.rounds; round++) {
    log(`persistence round ${round + 1}/${o.rounds}: latency during BGREWRITEAOF of ${o.keys} keys`);
    const order: ServerKind[] = round % 2 === 0 ? ['rewind', 'redis'] : ['redis', 'rewind'];
    for (const kind of order) {
      const dir = mkdtempSync(path.join(o.tmp, `rw-${kind}-`));
      let load: LatencyLoad | null = null;
      try {
        const s = await startServer(kind, dir, AOF_EVERYSEC);
        await pipe(s, pipeFile, o.keys, 'the keys');
        // Rewind runs one full GC once idle for a second after heap growth: let it happen now.
        await sleep(2500);
        load = new LatencyLoad(s.port, o.connections, o.keys);
        await load.start();
        await sleep(500);
        const bFrom = load.now();
        await sleep(baselineMs);
        const bTo = load.now();
        const ctl = await RespClient.connect(HOST, s.port);
        const t0 = load.now();
        await ctl.call('BGREWRITEAOF');
        const fields = await waitRewriteDone(ctl, 600_000, 10);
        const t1 = load.now();
        await load.stop();
        if (fields.get('aof_last_bgrewrite_status') !== 'ok') problems.push(`${kind} round ${round + 1}: BGREWRITEAOF ended with aof_last_bgrewrite_status:${fields.get('aof_last_bgrewrite_status')}`);
        if (kind === 'redis') {
          const stats = await info(ctl, 'stats');
          forkUsec.push(Number(stats.get('latest_fork_usec')));
        }
        const n = await ctl.call('DBSIZE');
        if (n !== o.keys) problems.push(`${kind} round ${round + 1}: DBSIZE ${String(n)} after the rewrite, expected ${o.keys}`);
        ctl.close();
        if (load.errors.length > 0) problems.push(`${kind} round ${round + 1}: latency load errors: ${load.errors.slice(0, 3).join('; ')}`);
        const during: LatencyStats = load.window(t0, t1);
        const base: LatencyStats = load.window(bFrom, bTo);
        const put = (prefix: string, st: LatencyStats): void => {
          f.set(`${prefix}.p50`, kind, round, st.p50);
          f.set(`${prefix}.p99`, kind, round, st.p99);
          f.set(`${prefix}.p999`, kind, round, st.p999);
          f.set(`${prefix}.max`, kind, round, st.max);
          f.set(`${prefix}.rps`, kind, round, st.rps);
          f.set(`${prefix}.count`, kind, round, st.count);
        };
        put('rw', during);
        put('base', base);
        f.set('rw.seconds', kind, round, (t1 - t0) / 1000);
        log(`  ${kind.padEnd(6)} rewrite ${((t1 - t0) / 1000).toFixed(2)} s; during: ${during.count} req, p50 ${during.p50.toFixed(3)} p99 ${during.p99.toFixed(3)} p99.9 ${during.p999.toFixed(3)} max ${during.max.toFixed(2)} ms, ${Math.round(during.rps)} req/s; baseline: p50 ${base.p50.toFixed(3)} p99 ${base.p99.toFixed(3)} max ${base.max.toFixed(2)} ms, ${Math.round(base.rps)} req/s`);
        await stopServer(s);
      } finally {
        if (load !== null) await load.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }

  // -- report ---------------------------------------------------------------------------------------
  const lines: string[] = [];
  const failed: string[] = [];
  const raw: string[] = ['| Metric | Round | Rewind | Redis |', '|---|---:|---:|---:|'];
  const keysText = o.keys.toLocaleString('en-US');

  lines.push('### 1. SET -P 16 with appendonly yes, appendfsync everysec', '');
  const t1 = compareTable(f, [
    { key: 'aof.rps', label: 'SET -P 16 throughput, AOF everysec', unit: 'req/s', digits: 0, ratio: { op: '>=', value: 0.5 } },
    { key: 'aof.cpu', label: 'SET -P 16 server CPU/request, AOF everysec', unit: 'µs', digits: 3 },
    { key: 'noaof.rps', label: 'SET -P 16 throughput, no AOF (same round)', unit: 'req/s', digits: 0 },
    { key: 'noaof.cpu', label: 'SET -P 16 server CPU/request, no AOF', unit: 'µs', digits: 3 },
    { key: 'aof.bytes', label: 'AOF folder after the run', unit: 'MiB', digits: 1, scale: MiB },
    { key: 'empty.start', label: 'startup in an empty dir with the AOF on (first base and incr created)', unit: 's', digits: 3 },
  ], o.rounds);
  lines.push(t1.table, '');
  raw.push(...t1.raw);
  failed.push(...t1.failed);
  lines.push('Each server\'s everysec cost against its own no-AOF run of the same round: throughput lost (1 − with/without),', 'and server CPU per request added (with/without − 1), the steadier of the two on a shared host:', '');
  lines.push('| Server | SET -P 16 with AOF everysec (median req/s) | without AOF (median req/s) | everysec throughput cost (median of rounds) | Target | Met | Per-round costs | CPU/request added (median of rounds) | Per-round |', '|---|---:|---:|---:|---|---|---|---:|---|');
  for (const kind of KINDS) {
    const a = f.get('aof.rps', kind);
    const b = f.get('noaof.rps', kind);
    const costs: number[] = [];
    for (let r = 0; r < o.rounds; r++) {
      const x = a[r];
      const y = b[r];
      if (x !== undefined && y !== undefined) costs.push(1 - x / y);
    }
    const cost = median(costs);
    const hasTarget = kind === 'rewind';
    const ok = cost < 0.2;
    if (hasTarget && !ok) failed.push(`Rewind's everysec cost ${(cost * 100).toFixed(1)}% (target < 20%)`);
    const ca = f.get('aof.cpu', kind);
    const cb = f.get('noaof.cpu', kind);
    const added: number[] = [];
    for (let r = 0; r < o.rounds; r++) {
      const x = ca[r];
      const y = cb[r];
      if (x !== undefined && y !== undefined && y > 0) added.push(x / y - 1);
    }
    const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
    lines.push(`| ${kind === 'rewind' ? 'Rewind' : 'Redis'} | ${fmt(median(defined(a)), 0)} | ${fmt(median(defined(b)), 0)} | ${pct(cost)} | ${hasTarget ? '< 20%' : '—'} | ${hasTarget ? (ok ? 'yes' : '**no**') : ''} | ${costs.map(pct).join(', ')} | ${pct(median(added))} | ${added.map(pct).join(', ')} |`);
  }

  lines.push('', `### 2. Startup on a ${keysText}-key RDB base + ${o.incr.toLocaleString('en-US')}-command incr (spawn to +PONG with loading:0)`, '');
  const t2 = compareTable(f, [
    { key: 'load.own', label: 'startup, each server on its own folder', unit: 's', digits: 2, ratio: { op: '<=', value: 3 } },
    { key: 'load.cross', label: "startup, Rewind on Redis's folder (Redis: on its own)", unit: 's', digits: 2 },
    { key: 'load.peak', label: 'peak RSS (VmHWM) after loading its own folder', unit: 'MiB', digits: 0, scale: MiB },
    { key: 'load.rss', label: 'RSS right after loading its own folder', unit: 'MiB', digits: 0, scale: MiB },
    { key: 'load.cross.peak', label: "peak RSS, Rewind on Redis's folder (Redis: own)", unit: 'MiB', digits: 0, scale: MiB },
  ], o.rounds);
  lines.push(t2.table, '');
  raw.push(...t2.raw);
  failed.push(...t2.failed);
  const redisOnRewind = defined(f.get('load.redisOnRewind', 'redis'));
  lines.push(...buildLines);
  lines.push(`- Redis loading Rewind's folder: ${redisOnRewind.length === 0 ? 'no successful load' : `${redisOnRewind.map((v) => `${v.toFixed(2)} s`).join(', ')} (per round), content checked`}.`);
  if (redisLoadLog.length > 0) lines.push(`- Redis's own log, round 1, "DB loaded from append only file": ${redisLoadLog.join('; ')}.`);

  lines.push('', `### 3. Latency during BGREWRITEAOF of ${keysText} keys (${o.connections} connections, GET/SET at -P 1, AOF everysec)`, '');
  const t3 = compareTable(f, [
    { key: 'rw.seconds', label: 'rewrite duration (BGREWRITEAOF to aof_rewrite_in_progress:0)', unit: 's', digits: 2 },
    { key: 'rw.p50', label: 'latency during the rewrite, p50', unit: 'ms', digits: 3 },
    { key: 'rw.p99', label: 'latency during the rewrite, p99', unit: 'ms', digits: 3, rewind: { op: '<', value: 10 } },
    { key: 'rw.p999', label: 'latency during the rewrite, p99.9', unit: 'ms', digits: 3 },
    { key: 'rw.max', label: 'latency during the rewrite, max', unit: 'ms', digits: 2, rewind: { op: '<', value: 50 } },
    { key: 'rw.rps', label: 'throughput during the rewrite', unit: 'req/s', digits: 0 },
    { key: 'rw.count', label: 'requests timed during the rewrite', unit: 'requests', digits: 0 },
    { key: 'base.p50', label: 'baseline (no rewrite) latency, p50', unit: 'ms', digits: 3 },
    { key: 'base.p99', label: 'baseline latency, p99', unit: 'ms', digits: 3 },
    { key: 'base.max', label: 'baseline latency, max', unit: 'ms', digits: 2 },
    { key: 'base.rps', label: 'baseline throughput', unit: 'req/s', digits: 0 },
  ], o.rounds);
  lines.push(t3.table, '');
  raw.push(...t3.raw);
  failed.push(...t3.failed);
  if (forkUsec.length > 0) lines.push(`- Redis's fork for the rewrite (INFO stats latest_fork_usec): ${forkUsec.map((u) => `${(u / 1000).toFixed(1)} ms`).join(', ')}.`);

  lines.push('', '#### Raw figures per round', '', ...raw, '', '#### Commands', '');
  for (const c of commands) lines.push(`    ${c}`);
  lines.push('', '#### Checks', '');
  const benchW = [...benchWarnings];
  lines.push(`- redis-benchmark WARNING lines: ${benchW.length === 0 ? 'none' : benchW.map((w) => `\`${w}\``).join('; ')}`);
  lines.push(`- targets missed: ${failed.length === 0 ? 'none' : failed.join('; ')}`);
  lines.push(`- correctness: ${problems.length === 0 ? `INFO aof_enabled:1 / aof_last_write_status:ok and an AOF folder of at least 40 B per SET after every AOF run; the build rewrites and the latency rewrites ended with aof_last_bgrewrite_status:ok; DBSIZE ${incrInput.dbsize.toLocaleString('en-US')} and ${sampleKeys(o.keys, o.incr).length} sampled values right after building and after every load (own and cross); DBSIZE ${keysText} after every latency rewrite; no error reply in the latency load` : problems.join('; ')}`);
  if (notes.length > 0) lines.push(`- notes: ${notes.join('; ')}`);
  return { markdown: lines.join('\n'), problems };
}
