/*
 * A thin wrapper over benchmark.js: one Suite per file, inputs built by the caller once at load,
 * `String(event.target)` printed on every cycle, and a per-case check so a benchmark that silently
 * measures the wrong thing (an error path, an empty result) fails loudly instead.
 *
 * BENCH_QUICK=1 shortens every case (smoke runs); BENCH_FILTER=<substring> runs matching cases only.
 */
import Benchmark from 'benchmark';

export interface BenchCase {
  name: string;
  fn: () => void;
  /** Runs once before timing; throws when the case does not do what its name says. */
  check?: () => void;
}

/** Fed by benchmark bodies so the engine cannot drop their work as dead code. */
export const blackhole = { n: 0 };

export function quickMode(): boolean {
  return process.env.BENCH_QUICK === '1' || process.argv.includes('--quick');
}

export function runSuite(title: string, cases: readonly BenchCase[]): void {
  const filter = process.env.BENCH_FILTER ?? '';
  const options: Benchmark.Options = quickMode() ? { minSamples: 5, maxTime: 0.5 } : { minSamples: 20, maxTime: 3 };
  const suite = new Benchmark.Suite(title);
  for (const c of cases) {
    if (filter !== '' && !c.name.includes(filter)) continue;
    if (c.check !== undefined) c.check();
    suite.add(c.name, c.fn, options);
  }
  process.stdout.write(`# ${title} (node ${process.version}${quickMode() ? ', quick' : ''})\n`);
  suite.on('cycle', (event: Benchmark.Event) => {
    process.stdout.write(`${String(event.target)}\n`);
  });
  suite.on('error', (event: Benchmark.Event) => {
    const target: unknown = event.target;
    const error = target instanceof Benchmark ? target.error : undefined;
    process.stderr.write(`error in ${event.target.name ?? '?'}: ${String(error)}\n`);
    process.exitCode = 1;
  });
  suite.run({ async: false });
}

/** Splits bytes into chunks of `size` (the last may be shorter), each its own Buffer. */
export function splitChunks(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(Buffer.from(bytes.subarray(i, Math.min(i + size, bytes.length))));
  return out;
}

/** RESP multibulk encoding of one command (bench inputs only; built once at load). */
export function encodeResp(argv: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
  for (const a of argv) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

export function assert(cond: boolean, message: string): void {
  if (!cond) throw new Error(`bench check failed: ${message}`);
}
