/*
 * A steady client load that records every request's latency: `connections` connections, each a
 * closed loop at -P 1 (send one command, wait for its reply, send the next), alternating GET and SET
 * of random keys key:<0..keys-1>. Each request is timed with process.hrtime.bigint() from the write
 * to the reply, and stored with its send time, so a window (a rewrite, say) can be cut out later.
 *
 * A closed loop records one long sample per connection for a stall, not one per request that would
 * have been sent during it (coordinated omission): the max is exact, p99 under a stall is flattered.
 * The same load runs against both servers.
 */
import { HOST } from './procs.js';
import { RespClient, ReplyError, encodeCommand } from './resp-client.js';

export interface LatencyStats {
  count: number;
  /** Requests per second over the window. */
  rps: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/** Growable Float64 column (no boxed numbers, little garbage while the load runs). */
class Column {
  private chunks: Float64Array[] = [];
  private cur = new Float64Array(1 << 16);
  private n = 0;
  length = 0;

  push(v: number): void {
    if (this.n === this.cur.length) {
      this.chunks.push(this.cur);
      this.cur = new Float64Array(1 << 16);
      this.n = 0;
    }
    this.cur[this.n++] = v;
    this.length++;
  }

  *values(): Generator<number> {
    for (const c of this.chunks) yield* c;
    for (let i = 0; i < this.n; i++) yield this.cur[i]!;
  }
}

export class LatencyLoad {
  /** Send times, ms since `origin`. */
  private readonly sent = new Column();
  /** Latencies, ms. */
  private readonly lat = new Column();
  private stopping = false;
  private loops: Promise<void>[] = [];
  private clients: RespClient[] = [];
  readonly errors: string[] = [];
  readonly origin = process.hrtime.bigint();

  constructor(
    private readonly port: number,
    private readonly connections: number,
    private readonly keys: number,
  ) {}

  /** Milliseconds since origin. */
  now(): number {
    return Number(process.hrtime.bigint() - this.origin) / 1e6;
  }

  async start(): Promise<void> {
    for (let i = 0; i < this.connections; i++) this.clients.push(await RespClient.connect(HOST, this.port));
    this.loops = this.clients.map((c, i) => this.loop(c, i));
  }

  private async loop(c: RespClient, seed: number): Promise<void> {
    // xorshift32: the same key sequence on both servers.
    let x = (seed + 1) * 2654435761 >>> 0 || 1;
    let n = 0;
    while (!this.stopping) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      const k = x % this.keys;
      const cmd = (n++ & 1) === 0 ? encodeCommand(['GET', `key:${k}`]) : encodeCommand(['SET', `key:${k}`, `value:${k}`]);
      const t0 = process.hrtime.bigint();
      let r;
      try {
        r = await c.sendRaw(cmd);
      } catch (e) {
        if (!this.stopping) this.errors.push((e as Error).message);
        return;
      }
      const t1 = process.hrtime.bigint();
      if (r instanceof ReplyError && this.errors.length < 10) this.errors.push(r.text);
      this.sent.push(Number(t0 - this.origin) / 1e6);
      this.lat.push(Number(t1 - t0) / 1e6);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
    for (const c of this.clients) c.close();
  }

  /** Latency figures of the requests sent in [fromMs, toMs) (ms since origin). */
  window(fromMs: number, toMs: number): LatencyStats {
    const picked: number[] = [];
    const lat = this.lat.values();
    for (const t of this.sent.values()) {
      const l = lat.next().value as number;
      if (t >= fromMs && t < toMs) picked.push(l);
    }
    const a = Float64Array.from(picked).sort();
    const q = (p: number): number => (a.length === 0 ? Number.NaN : a[Math.min(a.length - 1, Math.floor(p * a.length))]!);
    return {
      count: a.length,
      rps: a.length / ((toMs - fromMs) / 1000),
      p50: q(0.5),
      p99: q(0.99),
      p999: q(0.999),
      max: a.length === 0 ? Number.NaN : a[a.length - 1]!,
    };
  }
}
