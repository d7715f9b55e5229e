/*
 * RespParser throughput: whole inputs and the same inputs in 16-byte chunks (the worst case for
 * the resumable state: every token spans chunks). One op = feed everything, drain every argv.
 * Run: npx tsx bench/parser.bench.ts   (BENCH_QUICK=1 for a smoke run)
 */
import { RespParser, type ParserLimits } from '../protocol/resp-parser.js';
import { assert, blackhole, encodeResp, runSuite, splitChunks, type BenchCase } from './lib/suite.js';

const LIMITS: ParserLimits = { maxBulkLen: 512 * 1024 * 1024, unauthenticated: false };

interface Input {
  name: string;
  chunks: Buffer[];
  commands: number;
}

const set = encodeResp(['SET', 'key:000000001234', 'value:000000001234']);
const msetArgs: string[] = ['MSET'];
for (let i = 0; i < 100; i++) msetArgs.push(`key:${i}`, `value:${i}`);
const mset = encodeResp(msetArgs);
const big = encodeResp(['SET', 'big', Buffer.alloc(1024 * 1024, 120)]);
const gets = Buffer.concat(Array.from({ length: 100 }, (_, i) => encodeResp(['GET', `key:${i}`])));

const WHOLE: Input[] = [
  { name: 'SET', chunks: [set], commands: 1 },
  { name: 'MSET 100 pairs', chunks: [mset], commands: 1 },
  { name: 'SET 1 MiB bulk', chunks: [big], commands: 1 },
  { name: '100 pipelined GETs', chunks: [gets], commands: 100 },
];
const INPUTS: Input[] = [
  ...WHOLE,
  ...WHOLE.map((i) => ({ name: `${i.name} (16-byte chunks)`, chunks: splitChunks(i.chunks[0]!, 16), commands: i.commands })),
];

/** Feeds every chunk and drains; returns the number of commands and arguments seen. */
function parseAll(parser: RespParser, chunks: readonly Buffer[]): number {
  let n = 0;
  for (let i = 0; i < chunks.length; i++) {
    parser.feed(chunks[i]!);
    for (;;) {
      const argv = parser.next();
      if (argv === null) break;
      n += argv.length;
    }
  }
  return n;
}

const cases: BenchCase[] = INPUTS.map((input) => {
  const parser = new RespParser(LIMITS);
  return {
    name: `parse ${input.name}`,
    fn: () => {
      blackhole.n += parseAll(parser, input.chunks);
    },
    check: () => {
      const p = new RespParser(LIMITS);
      let commands = 0;
      for (const c of input.chunks) {
        p.feed(c);
        while (p.next() !== null) commands++;
      }
      assert(p.error === null, `${input.name}: ${String(p.error)}`);
      assert(commands === input.commands, `${input.name}: ${commands} commands, expected ${input.commands}`);
      assert(p.buffered === 0, `${input.name}: ${p.buffered} bytes left`);
    },
  };
});

runSuite('RespParser', cases);
