/*
 * bench:compare --only scripting (also part of --only all): EVALSHA and PUBLISH fan-out, Rewind
 * against redis-server in the same round, through compare.ts's round loop (fresh servers, order
 * alternating between rounds).
 *
 *  1. EVALSHA of `return redis.call('incr', KEYS[1])` (SCRIPT LOAD by redis-cli first) driven by
 *     redis-benchmark -c 50 -r 100000 at -P 16 and -P 1: requests/s and server CPU per request.
 *     A Lua sum of every incr:* value before and after each run must grow by at least -n, so a run
 *     that only collected NOSCRIPT or other errors cannot pass as fast.
 *  2. PUBLISH fan-out: 100 raw-socket subscribers on one channel, one publisher sending N
 *     fixed-width messages in pipelined batches (a bounded window of unanswered PUBLISHes). The
 *     time runs from the first write until every subscriber has received all N messages and the
 *     publisher all N replies; the figure is messages delivered per second (N x 100 / time).
 *     Every subscriber's bytes are compared with the exact expected stream and every PUBLISH reply
 *     must be :100, so ordering, loss and the receiver count are all checked. The client shares
 *     the two cores with the server; its own CPU per delivery is logged so that limit is visible.
 */
import net from 'node:net';
import { HOST, cpuTicks, syscalls, type ServerKind, type ServerProc } from './procs.js';
import { cliCommand, redisBenchmarkRow } from './workloads.js';
import { encodeCommand } from './resp-client.js';
import type { MetricDef } from './report.js';

export const SCRIPT = "return redis.call('incr', KEYS[1])";
/**
 * Sums incr:* with KEYS + GET in one script: what the EVALSHA runs must have incremented. Not key:*,
 * which --only all's earlier workloads fill with non-numbers.
 */
const SUM_SCRIPT = "local s = 0 for _, k in ipairs(redis.call('keys', 'incr:*')) do s = s + tonumber(redis.call('get', k)) end return s";
const CHANNEL = 'bench:fanout';
export const SUBSCRIBERS = 100;
/** PUBLISH commands per write, and the most left unanswered before the publisher waits. */
const BATCH = 100;
const WINDOW = 1000;
const PUBSUB_TIMEOUT_MS = 60_000;

type Step = (s: ServerProc, round: number) => Promise<void>;

export interface ScriptingContext {
  /** -n of the EVALSHA -P 16 run; -P 1 gets a fifth, the fan-out a twenty-fifth (messages). */
  requests: number;
  clk: number;
  record: (round: number, key: string, kind: ServerKind, v: number) => void;
  log: (line: string) => void;
  problems: string[];
  commands: Set<string>;
  warnings: Record<ServerKind, string[]>;
}

export function evalshaRequests(requests: number, pipeline: number): number {
  return pipeline === 1 ? Math.max(1000, Math.round(requests / 5)) : requests;
}

export function fanoutMessages(requests: number): number {
  return Math.max(1000, Math.round(requests / 25));
}

export function scriptingMetrics(requests: number): MetricDef[] {
  const n = fanoutMessages(requests).toLocaleString('en-US');
  return [
    { key: 'evalsha16.rps', label: 'EVALSHA incr -P 16 throughput', unit: 'req/s', better: 'higher', digits: 0 },
    { key: 'evalsha1.rps', label: 'EVALSHA incr -P 1 throughput', unit: 'req/s', better: 'higher', digits: 0 },
    { key: 'evalsha16.cpu', label: 'EVALSHA incr -P 16 server CPU/request', unit: 'µs', better: 'lower', digits: 2 },
    { key: 'evalsha1.cpu', label: 'EVALSHA incr -P 1 server CPU/request', unit: 'µs', better: 'lower', digits: 2 },
    { key: 'fanout.rate', label: `PUBLISH ${n} messages to ${SUBSCRIBERS} subscribers, deliveries`, unit: 'msg/s', better: 'higher', digits: 0 },
    { key: 'fanout.cpu', label: 'PUBLISH fan-out server CPU/delivery', unit: 'µs', better: 'lower', digits: 3 },
    { key: 'fanout.sys', label: 'PUBLISH fan-out server read+write syscalls/delivery', unit: 'calls', better: 'lower', digits: 3 },
  ];
}

function evalshaArgs(port: number, sha: string, requests: number, pipeline: number): string[] {
  return ['-h', HOST, '-p', String(port), '-n', String(requests), '-c', '50', '-P', String(pipeline), '-r', '100000', '--csv', 'evalsha', sha, '1', 'incr:__rand_int__'];
}

async function keySum(s: ServerProc): Promise<number> {
  return Number(await cliCommand(s, 'EVAL', SUM_SCRIPT, '0'));
}

function evalshaStep(ctx: ScriptingContext, pipeline: number): Step {
  return async (s, round) => {
    const requests = evalshaRequests(ctx.requests, pipeline);
    const sha = await cliCommand(s, 'SCRIPT', 'LOAD', SCRIPT);
    if (!/^[0-9a-f]{40}$/.test(sha)) throw new Error(`${s.kind}: SCRIPT LOAD gave ${JSON.stringify(sha)}`);
    const before = await keySum(s);
    const args = evalshaArgs(s.port, sha, requests, pipeline);
    const r = await redisBenchmarkRow(s, args, `evalsha ${sha} 1 incr:__rand_int__`, requests, ctx.clk);
    const after = await keySum(s);
    ctx.record(round, `evalsha${pipeline}.rps`, s.kind, r.rps);
    ctx.record(round, `evalsha${pipeline}.cpu`, s.kind, r.cpuUsPerReq);
    for (const w of r.warnings) if (!ctx.warnings[s.kind].includes(w)) ctx.warnings[s.kind].push(w);
    if (r.errors.length > 0) ctx.problems.push(`${s.kind} round ${round + 1} EVALSHA -P ${pipeline}: ${r.errors.slice(0, 2).join(' | ')}`);
    // redis-benchmark may send up to a pipeline's worth per client over -n, never fewer.
    if (!(after - before >= requests)) ctx.problems.push(`${s.kind} round ${round + 1} EVALSHA -P ${pipeline}: incr:* sum grew by ${after - before}, expected at least ${requests}`);
    ctx.commands.add(`redis-cli -h ${HOST} -p <port> SCRIPT LOAD "${SCRIPT}"`);
    ctx.commands.add(`redis-benchmark ${evalshaArgs(0, '<sha>', requests, pipeline).join(' ').replace('-p 0', '-p <port>')}`);
    ctx.log(`  ${s.kind.padEnd(6)} EVALSHA -P ${pipeline}: ${Math.round(r.rps)} req/s, ${r.cpuUsPerReq.toFixed(3)} µs CPU/req, incr:* sum +${after - before} (${(r.wallMs / 1000).toFixed(1)} s)`);
  };
}

// ---- PUBLISH fan-out ------------------------------------------------------------------------

function messageBytes(i: number): Buffer {
  const payload = `m:${String(i).padStart(7, '0')}`;
  return Buffer.from(`*3\r\n$7\r\nmessage\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n$${payload.length}\r\n${payload}\r\n`, 'latin1');
}

interface FanoutRun {
  seconds: number;
  deliveries: number;
  serverCpuUs: number;
  serverSyscalls: number;
  clientCpuUs: number;
}

/**
 * One subscriber: connects, subscribes, then compares every byte it gets with `expected` (the
 * whole message stream), which is cheaper than parsing and checks order and content exactly.
 */
class Subscriber {
  private readonly sock: net.Socket;
  private pos = 0;
  private confirmed = 0;
  private readonly confirmation = Buffer.from(`*3\r\n$9\r\nsubscribe\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n:1\r\n`, 'latin1');
  private mismatch: string | null = null;
  readonly subscribed: Promise<void>;
  readonly done: Promise<void>;

  constructor(port: number, private readonly expected: Buffer) {
    this.sock = net.connect({ host: HOST, port });
    this.sock.setNoDelay(true);
    let onSubscribed!: () => void;
    let onDone!: () => void;
    let onError!: (e: Error) => void;
    this.done = new Promise((resolve, reject) => {
      onDone = resolve;
      onError = reject;
    });
    // A failure before the confirmation fails both; `done` alone may go unawaited until then.
    this.subscribed = new Promise((resolve, reject) => {
      onSubscribed = resolve;
      this.done.catch(reject);
    });
    this.sock.on('error', (e) => onError(e));
    this.sock.on('close', () => onError(new Error(`subscriber closed after ${this.pos} of ${this.expected.length} bytes`)));
    this.sock.on('connect', () => this.sock.write(encodeCommand(['SUBSCRIBE', CHANNEL])));
    this.sock.on('data', (chunk: Buffer) => {
      let off = 0;
      if (this.confirmed < this.confirmation.length) {
        const n = Math.min(chunk.length, this.confirmation.length - this.confirmed);
        if (!chunk.subarray(0, n).equals(this.confirmation.subarray(this.confirmed, this.confirmed + n))) {
          this.mismatch = `unexpected subscribe reply ${JSON.stringify(chunk.subarray(0, 80).toString('latin1'))}`;
          onError(new Error(this.mismatch));
          return;
        }
        this.confirmed += n;
        off = n;
        if (this.confirmed === this.confirmation.length) onSubscribed();
      }
      if (off === chunk.length) return;
      const part = chunk.subarray(off);
      const end = this.pos + part.length;
      if (end > this.expected.length || !part.equals(this.expected.subarray(this.pos, end))) {
        this.mismatch ??= `stream differs at byte ${this.pos} of ${this.expected.length}: ${JSON.stringify(part.subarray(0, 60).toString('latin1'))}`;
        onError(new Error(this.mismatch));
        return;
      }
      this.pos = end;
      if (this.pos === this.expected.length) onDone();
    });
  }

  get received(): number {
    return this.pos;
  }

  close(): void {
    this.sock.removeAllListeners('close');
    this.sock.destroy();
  }
}

/** Publishes `messages` PUBLISHes in batches; resolves when every reply was :<SUBSCRIBERS>. */
function publish(port: number, batches: readonly Buffer[], messages: number): { started: Promise<void>; done: Promise<void>; close: () => void } {
  const sock = net.connect({ host: HOST, port });
  sock.setNoDelay(true);
  const reply = Buffer.from(`:${SUBSCRIBERS}\r\n`, 'latin1');
  const expected = Buffer.alloc(reply.length * messages);
  for (let i = 0; i < messages; i++) reply.copy(expected, i * reply.length);
  let sent = 0;
  let next = 0;
  let got = 0;
  const started = new Promise<void>((resolve, reject) => {
    sock.once('connect', () => resolve());
    sock.once('error', reject);
  });
  const done = new Promise<void>((resolve, reject) => {
    const pump = (): void => {
      while (next < batches.length && sent - got / reply.length < WINDOW) {
        sock.write(batches[next]!);
        sent += Math.min(BATCH, messages - next * BATCH);
        next++;
      }
    };
    sock.on('connect', pump);
    sock.on('data', (chunk: Buffer) => {
      const end = got + chunk.length;
      if (end > expected.length || !chunk.equals(expected.subarray(got, end))) {
        reject(new Error(`PUBLISH reply differs at byte ${got}: ${JSON.stringify(chunk.subarray(0, 40).toString('latin1'))} (expected :${SUBSCRIBERS} each)`));
        return;
      }
      got = end;
      if (got === expected.length) resolve();
      else pump();
    });
    sock.on('error', reject);
    sock.on('close', () => reject(new Error(`publisher closed after ${got / reply.length} of ${messages} replies`)));
  });
  done.catch(() => undefined);
  return {
    started,
    done,
    close: () => {
      sock.removeAllListeners('close');
      sock.destroy();
    },
  };
}

/** One timed fan-out against a running server (exported for one-off profiling runs). */
export async function fanout(s: ServerProc, messages: number, clk: number): Promise<FanoutRun> {
  const stream = Buffer.concat(Array.from({ length: messages }, (_, i) => messageBytes(i)));
  const batches: Buffer[] = [];
  for (let i = 0; i < messages; i += BATCH) {
    const cmds: Buffer[] = [];
    for (let j = i; j < Math.min(messages, i + BATCH); j++) cmds.push(encodeCommand(['PUBLISH', CHANNEL, `m:${String(j).padStart(7, '0')}`]));
    batches.push(Buffer.concat(cmds));
  }
  const subs: Subscriber[] = [];
  let pub: ReturnType<typeof publish> | undefined;
  try {
    for (let i = 0; i < SUBSCRIBERS; i++) subs.push(new Subscriber(s.port, stream));
    await Promise.all(subs.map((x) => x.subscribed));
    const cpuBefore = cpuTicks(s.pid);
    const sysBefore = syscalls(s.pid);
    const clientBefore = process.cpuUsage();
    const t0 = performance.now();
    pub = publish(s.port, batches, messages);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const behind = subs.filter((x) => x.received < stream.length).length;
        reject(new Error(`fan-out not done after ${PUBSUB_TIMEOUT_MS} ms (${behind} subscribers short)`));
      }, PUBSUB_TIMEOUT_MS);
    });
    try {
      await Promise.race([Promise.all([pub.started, pub.done, ...subs.map((x) => x.done)]), timeout]);
    } finally {
      clearTimeout(timer);
    }
    const seconds = (performance.now() - t0) / 1000;
    const client = process.cpuUsage(clientBefore);
    const deliveries = messages * SUBSCRIBERS;
    return {
      seconds,
      deliveries,
      serverCpuUs: ((cpuTicks(s.pid) - cpuBefore) / clk) * 1e6,
      serverSyscalls: syscalls(s.pid) - sysBefore,
      clientCpuUs: client.user + client.system,
    };
  } finally {
    pub?.close();
    for (const x of subs) x.close();
  }
}

function fanoutStep(ctx: ScriptingContext): Step {
  return async (s, round) => {
    const messages = fanoutMessages(ctx.requests);
    try {
      const r = await fanout(s, messages, ctx.clk);
      ctx.record(round, 'fanout.rate', s.kind, r.deliveries / r.seconds);
      ctx.record(round, 'fanout.cpu', s.kind, r.serverCpuUs / r.deliveries);
      ctx.record(round, 'fanout.sys', s.kind, r.serverSyscalls / r.deliveries);
      ctx.log(`  ${s.kind.padEnd(6)} PUBLISH x ${messages} to ${SUBSCRIBERS} subscribers: ${(r.seconds * 1000).toFixed(0)} ms, ${Math.round(r.deliveries / r.seconds)} deliveries/s, server ${(r.serverCpuUs / r.deliveries).toFixed(3)} µs CPU and ${(r.serverSyscalls / r.deliveries).toFixed(3)} syscalls/delivery, bench client ${(r.clientCpuUs / r.deliveries).toFixed(3)} µs CPU/delivery`);
    } catch (e) {
      ctx.problems.push(`${s.kind} round ${round + 1} PUBLISH fan-out: ${e instanceof Error ? e.message : String(e)}`);
      ctx.log(`  ${s.kind.padEnd(6)} PUBLISH fan-out failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    ctx.commands.add(`PUBLISH fan-out: ${SUBSCRIBERS} raw-socket connections SUBSCRIBE ${CHANNEL}; one connection sends ${messages} x PUBLISH ${CHANNEL} m:<7-digit n> in writes of ${BATCH}, at most ${WINDOW} unanswered; timed from the first write until all ${SUBSCRIBERS} subscribers hold all ${messages} messages (byte-exact) and the publisher all ${messages} :${SUBSCRIBERS} replies`);
  };
}

export function scriptingSteps(ctx: ScriptingContext): [string, Step][] {
  return [
    ['EVALSHA -P 16', evalshaStep(ctx, 16)],
    ['EVALSHA -P 1', evalshaStep(ctx, 1)],
    ['PUBLISH fan-out', fanoutStep(ctx)],
  ];
}

/** The correctness line of the report, when no problem was recorded. */
export function scriptingChecks(requests: number): string {
  return `EVALSHA: no error reply from redis-benchmark, and the incr:* sum grew by at least -n in every run (${evalshaRequests(requests, 16)} at -P 16, ${evalshaRequests(requests, 1)} at -P 1); fan-out: every subscriber received the exact ${fanoutMessages(requests)}-message stream in order, every PUBLISH answered :${SUBSCRIBERS}`;
}
