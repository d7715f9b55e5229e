/*
 * Crash recovery: Rewind runs as a child process (appendonly yes) on a temp dir while several
 * connections write a steady load, and is killed with SIGKILL at a random moment. Restarted on the
 * same folder it must start, answer PING, and hold what was acknowledged:
 *
 *  - Every connection repeats one step s = 1, 2, 3 ... of five commands, pipelined:
 *      INCR ctr          (reply s)         RPUSH list s     (reply s)
 *      HSET hash last s f<s%32> s          ZADD zset s m<s>
 *      SET str s
 *    so the state after replaying any prefix of its commands says exactly which steps of each key
 *    ran. Each round writes its own keys (r<round>:<kind>:<client>).
 *  - appendfsync always: every acknowledged command is there; a command sent but not answered may
 *    or may not be (never more than acknowledged + in flight).
 *  - appendfsync everysec: only commands acknowledged in the last ~2 s before the kill may be missing
 *    (persistence-format.md §5), and never more than acknowledged + in flight.
 *  - Always: each connection's recovered commands are a prefix of what it sent (no holes), lists and
 *    sorted sets hold exactly steps 1..n, and earlier rounds' keys are exactly as recovered before.
 *  - Rewrites: with 200k keys preloaded, the kill lands while aof_rewrite_in_progress:1 (checked
 *    on the folder: the manifest still lists the old base with two incr files), and right after a
 *    rewrite finished; no acknowledged write may be lost and the preloaded keys must all be there.
 *  - At the end a graceful shutdown, redis-check-aof on the folder (when installed), and a last
 *    restart that must hold everything exactly.
 *
 * REWIND_CRASH_ROUNDS sets the number of kills per fsync policy (default 5); REWIND_CRASH_SEED makes
 * the random delays repeatable (the seed in use is printed).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCommand } from '../../protocol/encode.js';
import { RawClient, type RespValue } from '../helpers/raw.js';
import { freePort, which } from '../helpers/real-redis.js';
import { rng } from '../helpers/rng.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ROUNDS = Math.max(1, Number(process.env.REWIND_CRASH_ROUNDS ?? '5') || 5);
const SEED = Number(process.env.REWIND_CRASH_SEED ?? String(Math.floor(Math.random() * 2 ** 31)));
const CLIENTS = 4;
const PRELOAD_KEYS = 200_000;
/** everysec may lose what was acknowledged in the last ~2 s (§5), plus scheduling slack. */
const EVERYSEC_WINDOW_MS = 2_500;
const CHECK_AOF = which('redis-check-aof');

console.log(`[crash] seed ${SEED} (REWIND_CRASH_SEED), ${ROUNDS} rounds per policy (REWIND_CRASH_ROUNDS)`);


const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---- the child process --------------------------------------------------------------------------

const LIVE = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of LIVE) if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

class RewindProcess {
  private readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    LIVE.add(child);
    const keep = (d: Buffer): void => {
      for (const line of d.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.lines.push(line);
        if (this.lines.length > 80) this.lines.shift();
      }
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        LIVE.delete(child);
        resolve({ code, signal });
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines it printed (for failure messages). */
  get output(): string {
    return this.lines.join('\n');
  }

  /** Starts Rewind on `dir` and waits until it answers PING with PONG (loading done). */
  static async start(dir: string, fsync: 'always' | 'everysec', timeoutMs = 30_000): Promise<RewindProcess> {
    let lastError: Error | null = null;
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freePort();
      const child = spawn(process.execPath, [
        '--import', 'tsx', 'server/main.ts', '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
        '--appendonly', 'yes', '--appendfsync', fsync, '--save', '',
      ], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, REWIND_LOG_LEVEL: 'info' } });
      const p = new RewindProcess(child, port);
      try {
        await p.waitReady(timeoutMs);
        return p;
      } catch (e) {
        lastError = e as Error;
        if (p.running) await p.kill();
        // A port taken between freePort() and listen: try another; anything else is a failure.
        if (!/cannot listen|EADDRINUSE/.test(p.output)) throw e;
      }
    }
    throw lastError ?? new Error('Rewind did not start');
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`Rewind exited (${this.child.exitCode ?? this.child.signalCode}) before it was ready:\n${this.output}`);
      let c: RawClient | null = null;
      try {
        c = await RawClient.connect(this.port, '127.0.0.1', 1000);
        const info = (await c.call('INFO', 'server')).value;
        if (info.type === 'bulk' && !info.value.toString('latin1').includes(`process_id:${this.pid}\r\n`)) {
          throw new Error(`port ${this.port} is answered by another process`);
        }
        for (;;) {
          const r = (await c.call('PING')).value;
          if (r.type === 'simple' && r.text === 'PONG') return;
          last = r.type === 'error' ? r.text : r.type;
          if (Date.now() > deadline || !this.running) break;
          await sleep(20);
        }
      } catch (e) {
        last = (e as Error).message;
        if (last.includes('another process')) throw e;
      } finally {
        await c?.close();
      }
      await sleep(20);
    }
    throw new Error(`Rewind on port ${this.port} not ready within ${timeoutMs} ms (${last}):\n${this.output}`);
  }

  /** SIGKILL, and waits for the exit. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (graceful: AOF written and synced), and waits for the exit. */
  async terminate(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    const r = await this.exited;
    clearTimeout(timer);
    return r;
  }
}

// ---- the load -----------------------------------------------------------------------------------

const KINDS = ['ctr', 'list', 'hash', 'zset', 'str'] as const;
type Kind = (typeof KINDS)[number];
const K = KINDS.length;

function keyOf(round: number, kind: Kind, client: number): string {
  return `r${round}:${kind}:${client}`;
}

function stepCommands(round: number, client: number, s: number): string[][] {
  const v = String(s);
  return [
    ['INCR', keyOf(round, 'ctr', client)],
    ['RPUSH', keyOf(round, 'list', client), v],
    ['HSET', keyOf(round, 'hash', client), 'last', v, `f${s % 32}`, v],
    ['ZADD', keyOf(round, 'zset', client), v, `m${s}`],
    ['SET', keyOf(round, 'str', client), v],
  ];
}

/** One connection's load: its acknowledged and in-flight step per key, and when each was acknowledged. */
class Writer {
  /** Highest acknowledged step per kind. */
  readonly acked: number[] = new Array<number>(K).fill(0);
  /** Step sent and not answered per kind (0: none). */
  readonly inflight: number[] = new Array<number>(K).fill(0);
  /** ackAt[k][s - 1]: when step s of kind k was acknowledged. */
  readonly ackAt: number[][] = KINDS.map(() => []);
  /** A wrong reply, or a failure before the kill. */
  problem: string | null = null;
  private stopped = false;
  private done: Promise<void> = Promise.resolve();

  constructor(
    readonly round: number,
    readonly client: number,
  ) {}

  start(c: RawClient, killed: () => boolean): void {
    this.done = this.loop(c, killed);
  }

  stop(): Promise<void> {
    this.stopped = true;
    return this.done;
  }

  private async loop(c: RawClient, killed: () => boolean): Promise<void> {
    try {
      for (let s = 1; !this.stopped; s++) {
        const cmds = stepCommands(this.round, this.client, s);
        this.inflight.fill(s);
        await c.write(Buffer.concat(cmds.map((a) => encodeCommand(a))));
        for (let k = 0; k < K; k++) {
          const r = (await c.readReply(10_000)).value;
          const bad = checkReply(k, s, r);
          if (bad !== null) {
            this.problem = `client ${this.client} step ${s} ${cmds[k]!.join(' ')}: ${bad}`;
            return;
          }
          this.acked[k] = s;
          this.inflight[k] = 0;
          this.ackAt[k]!.push(Date.now());
        }
      }
    } catch (e) {
      if (!killed()) this.problem = `client ${this.client}: ${(e as Error).message} before the kill`;
    } finally {
      await c.close();
    }
  }
}

function checkReply(k: number, s: number, r: RespValue): string | null {
  if (r.type === 'error') return `error reply ${r.text}`;
  const n = r.type === 'integer' ? Number(r.value) : null;
  switch (KINDS[k]) {
    case 'ctr':
    case 'list':
      return n === s ? null : `expected :${s}, got ${JSON.stringify(r)}`;
    case 'hash':
      return n !== null ? null : `expected an integer, got ${r.type}`;
    case 'zset':
      return n === 1 ? null : `expected :1, got ${JSON.stringify(r)}`;
    case 'str':
      return r.type === 'simple' && r.text === 'OK' ? null : `expected +OK, got ${r.type}`;
    default:
      return 'unknown kind';
  }
}

// ---- reading the recovered state ----------------------------------------------------------------

async function pipeline(c: RawClient, cmds: readonly string[][]): Promise<RespValue[]> {
  await c.write(Buffer.concat(cmds.map((a) => encodeCommand(a))));
  const out: RespValue[] = [];
  for (const cmd of cmds) {
    const r = (await c.readReply(20_000)).value;
    if (r.type === 'error') throw new Error(`${cmd.join(' ')}: ${r.text}`);
    out.push(r);
  }
  return out;
}

const asText = (v: RespValue): string | null => (v.type === 'bulk' ? v.value.toString('latin1') : v.type === 'null' ? null : `<${v.type}>`);
const asInt = (v: RespValue): number => (v.type === 'integer' ? Number(v.value) : Number.NaN);

/**
 * The steps each kind of one client's keys holds, checking that every value is consistent with
 * having run exactly steps 1..n. Returns the step per kind, or throws with what is wrong.
 */
async function recoveredSteps(c: RawClient, round: number, client: number): Promise<number[]> {
  const key = (k: Kind): string => keyOf(round, k, client);
  const [ctr, llen, last, zcard, str] = await pipeline(c, [
    ['GET', key('ctr')], ['LLEN', key('list')], ['HGET', key('hash'), 'last'], ['ZCARD', key('zset')], ['GET', key('str')],
  ]);
  const steps = [Number(asText(ctr!) ?? '0'), asInt(llen!), Number(asText(last!) ?? '0'), asInt(zcard!), Number(asText(str!) ?? '0')];
  const where = `round ${round} client ${client}`;
  for (const [k, n] of steps.entries()) {
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${where}: ${KINDS[k]} holds ${n}`);
  }
  const [list, hashField, zFirst, zLast] = await pipeline(c, [
    ['LRANGE', key('list'), '0', '-1'],
    ['HGET', key('hash'), `f${steps[2]! % 32}`],
    ['ZRANGE', key('zset'), '0', '0', 'WITHSCORES'],
    ['ZRANGE', key('zset'), '-1', '-1', 'WITHSCORES'],
  ]);
  const items = list!.type === 'array' ? list!.items.map((i) => asText(i.value)) : [];
  const wrongAt = items.findIndex((v, i) => v !== String(i + 1));
  if (wrongAt >= 0) throw new Error(`${where}: list element ${wrongAt} is ${items[wrongAt]}, expected ${wrongAt + 1}`);
  if (steps[2]! > 0 && asText(hashField!) !== String(steps[2])) {
    throw new Error(`${where}: hash last=${steps[2]} but f${steps[2]! % 32}=${asText(hashField!)}`);
  }
  if (steps[3]! > 0) {
    const flat = (v: RespValue): (string | null)[] => (v.type === 'array' ? v.items.map((i) => asText(i.value)) : []);
    expect(flat(zFirst!), `${where}: lowest zset member`).toEqual(['m1', '1']);
    expect(flat(zLast!), `${where}: highest zset member`).toEqual([`m${steps[3]}`, String(steps[3])]);
  }
  return steps;
}

interface RoundResult {
  round: number;
  /** Recovered steps per client and kind. */
  steps: number[][];
}

interface RoundFigures {
  killedAfterMs: number;
  ackedCommands: number;
  inflight: number;
  inflightRecovered: number;
  lostAcked: number;
  lostMaxAgeMs: number;
}

/**
 * Checks a killed round's writers against what the restarted server holds. `maxLossAgeMs` null:
 * nothing acknowledged may be lost; else only what was acknowledged less than that long before
 * the kill.
 */
async function verifyRound(c: RawClient, writers: readonly Writer[], killAt: number, maxLossAgeMs: number | null): Promise<{ result: RoundResult; figures: Omit<RoundFigures, 'killedAfterMs'> }> {
  const steps: number[][] = [];
  let ackedCommands = 0;
  let inflight = 0;
  let inflightRecovered = 0;
  let lostAcked = 0;
  let lostMaxAgeMs = 0;
  for (const w of writers) {
    expect(w.problem, `round ${w.round}`).toBeNull();
    const got = await recoveredSteps(c, w.round, w.client);
    const where = `round ${w.round} client ${w.client}`;
    // A prefix of the connection's commands: non-increasing along the step, at most one step apart.
    for (let k = 1; k < K; k++) {
      expect(got[k]! <= got[k - 1]! && got[k]! >= got[0]! - 1, `${where}: recovered steps ${got.join(',')} are not a prefix of what was sent`).toBe(true);
    }
    for (let k = 0; k < K; k++) {
      const acked = w.acked[k]!;
      const limit = acked + (w.inflight[k]! > 0 ? 1 : 0);
      ackedCommands += acked;
      if (w.inflight[k]! > 0) inflight++;
      expect(got[k], `${where} ${KINDS[k]}: ${got[k]} steps present, only ${acked} acknowledged + ${w.inflight[k]! > 0 ? 1 : 0} in flight`).toBeLessThanOrEqual(limit);
      if (got[k]! > acked) inflightRecovered++;
      if (got[k]! < acked) {
        lostAcked += acked - got[k]!;
        // The first missing step is the oldest lost acknowledgement.
        const age = killAt - w.ackAt[k]![got[k]!]!;
        lostMaxAgeMs = Math.max(lostMaxAgeMs, age);
        if (maxLossAgeMs === null) {
          expect.fail(`${where} ${KINDS[k]}: acknowledged step ${acked} lost (only ${got[k]} present)`);
        } else {
          expect(age, `${where} ${KINDS[k]}: lost step ${got[k]! + 1}, acknowledged ${age} ms before the kill`).toBeLessThanOrEqual(maxLossAgeMs);
        }
      }
    }
    steps.push(got);
  }
  return { result: { round: writers[0]!.round, steps }, figures: { ackedCommands, inflight, inflightRecovered, lostAcked, lostMaxAgeMs } };
}

/** Earlier rounds' keys must hold exactly what was recovered right after their kill. */
async function verifyEarlier(c: RawClient, earlier: readonly RoundResult[]): Promise<void> {
  for (const r of earlier) {
    for (let client = 0; client < r.steps.length; client++) {
      expect(await recoveredSteps(c, r.round, client), `round ${r.round} client ${client} changed since it was recovered`).toEqual(r.steps[client]);
    }
  }
}

/** Connects CLIENTS writers for `round` and starts their load. */
async function startLoad(port: number, round: number, killed: () => boolean): Promise<Writer[]> {
  const writers: Writer[] = [];
  const conns = await Promise.all(Array.from({ length: CLIENTS }, () => RawClient.connect(port)));
  for (let i = 0; i < CLIENTS; i++) {
    const w = new Writer(round, i);
    w.start(conns[i]!, killed);
    writers.push(w);
  }
  return writers;
}

async function infoPersistence(c: RawClient): Promise<Record<string, string>> {
  const r = (await c.call('INFO', 'persistence')).value;
  if (r.type !== 'bulk') throw new Error(`INFO persistence: ${JSON.stringify(r)}`);
  const out: Record<string, string> = {};
  for (const line of r.value.toString('latin1').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

async function manifestOf(dir: string): Promise<string> {
  return readFile(path.join(dir, 'appendonlydir', 'appendonly.aof.manifest'), 'utf8');
}

function checkAofFolder(dir: string): void {
  if (CHECK_AOF === null) {
    console.warn('[crash] redis-check-aof is not on PATH: skipping the check of the folder');
    return;
  }
  const manifest = path.join(dir, 'appendonlydir', 'appendonly.aof.manifest');
  const r = spawnSync(CHECK_AOF, [manifest], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, `redis-check-aof ${manifest}:\n${r.stdout}${r.stderr}`).toBe(0);
}

// ---- the tests ----------------------------------------------------------------------------------

describe('crash recovery under SIGKILL', () => {
  const dirs: string[] = [];
  let current: RewindProcess | null = null;

  afterAll(async () => {
    await current?.kill();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  async function newDir(): Promise<string> {
    const d = await mkdtemp(path.join(tmpdir(), 'rewind-crash-'));
    dirs.push(d);
    return d;
  }

  for (const fsync of ['always', 'everysec'] as const) {
    it(`appendfsync ${fsync}: ${ROUNDS} kills at random moments under load`, async () => {
      const random = rng(SEED + (fsync === 'always' ? 1 : 2));
      const dir = await newDir();
      await current?.kill(); // left running by a failed test
      current = await RewindProcess.start(dir, fsync);
      const done: RoundResult[] = [];
      const figures: RoundFigures[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        let killAt = 0;
        const writers = await startLoad(current.port, round, () => killAt !== 0);
        const started = Date.now();
        await sleep(100 + Math.floor(random() * 800));
        killAt = Date.now();
        await current.kill();
        await Promise.all(writers.map((w) => w.stop()));

        current = await RewindProcess.start(dir, fsync);
        const c = await RawClient.connect(current.port);
        try {
          const v = await verifyRound(c, writers, killAt, fsync === 'always' ? null : EVERYSEC_WINDOW_MS);
          await verifyEarlier(c, done);
          done.push(v.result);
          figures.push({ killedAfterMs: killAt - started, ...v.figures });
        } finally {
          await c.close();
        }
      }
      for (const [i, f] of figures.entries()) {
        console.log(`[crash ${fsync}] round ${i + 1}: killed after ${f.killedAfterMs} ms; ${f.ackedCommands} commands acknowledged; ` +
          `${f.inflightRecovered} of ${f.inflight} in-flight commands present; ${f.lostAcked} acknowledged lost` +
          (f.lostAcked > 0 ? ` (oldest acknowledged ${f.lostMaxAgeMs} ms before the kill)` : ''));
      }
      // Every round did some work (a kill before the first acknowledgement would test nothing).
      for (const f of figures) expect(f.ackedCommands).toBeGreaterThan(0);

      // A graceful stop keeps everything; the folder passes redis-check-aof and loads once more.
      expect(await current.terminate()).toEqual({ code: 0, signal: null });
      checkAofFolder(dir);
      current = await RewindProcess.start(dir, fsync);
      const c = await RawClient.connect(current.port);
      try {
        await verifyEarlier(c, done);
      } finally {
        await c.close();
      }
      await current.terminate();
      current = null;
    }, 30_000 + ROUNDS * 8_000);
  }

  describe('kills around an AOF rewrite of 200k keys (appendfsync always)', () => {
    let dir = '';
    const done: RoundResult[] = [];
    let round = 100;
    const random = rng(SEED + 3);

    /** Every preloaded key with its value. */
    async function verifyPreload(c: RawClient): Promise<void> {
      const batch = 2000;
      for (let start = 0; start < PRELOAD_KEYS; start += batch * 10) {
        const cmds: string[][] = [];
        for (let b = start; b < Math.min(PRELOAD_KEYS, start + batch * 10); b += batch) {
          cmds.push(['MGET', ...Array.from({ length: Math.min(batch, PRELOAD_KEYS - b) }, (_, i) => `pre:${b + i}`)]);
        }
        const replies = await pipeline(c, cmds);
        for (const [j, r] of replies.entries()) {
          const first = start + j * batch;
          const values = r.type === 'array' ? r.items.map((i) => asText(i.value)) : [];
          const bad = values.findIndex((v, i) => v !== preValue(first + i));
          if (bad >= 0) throw new Error(`pre:${first + bad} is ${values[bad]}, expected ${preValue(first + bad)}`);
        }
      }
    }

    const preValue = (i: number): string => `value:${i}:${'p'.repeat(24)}`;

    beforeAll(async () => {
      dir = await newDir();
      await current?.kill(); // left running by a failed test
      current = await RewindProcess.start(dir, 'always');
      const c = await RawClient.connect(current.port);
      try {
        const perMset = 500;
        const cmds: string[][] = [];
        for (let i = 0; i < PRELOAD_KEYS; i += perMset) {
          const args = ['MSET'];
          for (let j = i; j < Math.min(PRELOAD_KEYS, i + perMset); j++) args.push(`pre:${j}`, preValue(j));
          cmds.push(args);
        }
        for (let i = 0; i < cmds.length; i += 50) await pipeline(c, cmds.slice(i, i + 50));
        expect(asInt((await c.call('DBSIZE')).value)).toBe(PRELOAD_KEYS);
      } finally {
        await c.close();
      }
    }, 60_000);

    /**
     * One round: load, BGREWRITEAOF, then `pickKill` decides when to kill (polling INFO). Restarts
     * and verifies everything. Returns what pickKill reported and the manifest found after the kill.
     */
    async function rewriteRound(pickKill: (control: RawClient) => Promise<boolean>): Promise<{ landed: boolean; manifest: string; leftovers: string[] }> {
      round++;
      const proc = current!;
      let killAt = 0;
      const control = await RawClient.connect(proc.port);
      const writers = await startLoad(proc.port, round, () => killAt !== 0);
      let landed = false;
      try {
        await sleep(30 + Math.floor(random() * 150));
        const reply = (await control.call('BGREWRITEAOF')).value;
        expect(reply).toEqual({ type: 'simple', text: 'Background append only file rewriting started' });
        landed = await pickKill(control);
        killAt = Date.now();
        await proc.kill();
      } finally {
        killAt ||= Date.now();
        await proc.kill();
        await Promise.all(writers.map((w) => w.stop()));
        await control.close();
      }
      const manifest = await manifestOf(dir);
      const leftovers = (await readdir(dir)).filter((f) => f !== 'appendonlydir');

      current = await RewindProcess.start(dir, 'always');
      const c = await RawClient.connect(current.port);
      try {
        const v = await verifyRound(c, writers, killAt, null);
        await verifyEarlier(c, done);
        await verifyPreload(c);
        const expectedKeys = PRELOAD_KEYS + [...done, v.result].reduce((n, r) => n + r.steps.reduce((m, s) => m + s.filter((x) => x > 0).length, 0), 0);
        expect(asInt((await c.call('DBSIZE')).value)).toBe(expectedKeys);
        done.push(v.result);
        console.log(`[crash rewrite] round ${round}: ${v.figures.ackedCommands} commands acknowledged, ${v.figures.inflightRecovered} of ${v.figures.inflight} in flight present, ` +
          `${v.figures.lostAcked} lost; manifest after the kill: ${manifest.trim().split('\n').join(' | ')}; left in dir: ${leftovers.join(', ') || 'nothing'}`);
      } finally {
        await c.close();
      }
      return { landed, manifest, leftovers };
    }

    it('a kill while aof_rewrite_in_progress:1 loses no acknowledged write; the folder loads', async () => {
      let landedMidRewrite = 0;
      for (let attempt = 0; attempt < 4 && landedMidRewrite === 0; attempt++) {
        const baseBefore = /^file (\S+) seq (\d+) type b$/m.exec(await manifestOf(dir))?.[2];
        const r = await rewriteRound(async (control) => {
          await sleep(Math.floor(random() * 120));
          return (await infoPersistence(control)).aof_rewrite_in_progress === '1';
        });
        if (!r.landed) continue;
        // Mid-rewrite on disk: the same base, the old incr and the rewrite's new incr.
        const base = /^file (\S+) seq (\d+) type b$/m.exec(r.manifest)?.[2];
        const incrs = r.manifest.split('\n').filter((l) => / type i$/.test(l));
        if (base === baseBefore && incrs.length >= 2) landedMidRewrite++;
      }
      expect(landedMidRewrite, 'no kill landed while the rewrite was running').toBeGreaterThan(0);
    }, 90_000);

    it('a kill right after the rewrite finished loses no acknowledged write; the folder loads', async () => {
      const baseBefore = Number(/^file \S+ seq (\d+) type b$/m.exec(await manifestOf(dir))?.[1]);
      const r = await rewriteRound(async (control) => {
        const deadline = Date.now() + 30_000;
        for (;;) {
          const info = await infoPersistence(control);
          if (info.aof_rewrite_in_progress === '0') {
            expect(info.aof_last_bgrewrite_status).toBe('ok');
            return true;
          }
          if (Date.now() > deadline) throw new Error('rewrite not finished within 30 s');
          await sleep(2);
        }
      });
      expect(r.landed).toBe(true);
      // The manifest already names the new base.
      expect(Number(/^file \S+ seq (\d+) type b$/m.exec(r.manifest)?.[1])).toBe(baseBefore + 1);

      // A graceful stop, redis-check-aof, and a last restart holding everything.
      expect(await current!.terminate()).toEqual({ code: 0, signal: null });
      checkAofFolder(dir);
      current = await RewindProcess.start(dir, 'always');
      const c = await RawClient.connect(current.port);
      try {
        await verifyEarlier(c, done);
        await verifyPreload(c);
      } finally {
        await c.close();
      }
      await current.terminate();
      current = null;
    }, 90_000);
  });
});
