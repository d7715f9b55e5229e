/*
 * ReplyWriter encoding cost. One op = write one reply, then flush it to a sink that only counts
 * bytes (what a connection does for each unpipelined request), so the slab bookkeeping and the
 * per-flush chunk handling are inside the figure. "x100 + flush" cases show the pipelined shape.
 * Run: npx tsx bench/writer.bench.ts   (BENCH_QUICK=1 for a smoke run)
 */
import { ReplyWriter, type ReplySink } from '../protocol/reply-writer.js';
import { assert, runSuite, type BenchCase } from './lib/suite.js';

class CountingSink implements ReplySink {
  bytes = 0;
  writes = 0;
  last: Buffer | string = '';
  write(chunk: Buffer): boolean;
  write(chunk: string, encoding: 'latin1'): boolean;
  write(chunk: Buffer | string): boolean {
    this.bytes += chunk.length;
    this.writes++;
    this.last = chunk;
    return true;
  }
  cork(): void {}
  uncork(): void {}
}

const sink = new CountingSink();
const KIB_BUF = Buffer.alloc(1024, 97);
const KIB_STR = 'a'.repeat(1024);
const ITEMS: string[] = Array.from({ length: 100 }, (_, i) => `value:${i}`);
const MAP_FIELDS: string[] = Array.from({ length: 10 }, (_, i) => `field:${i}`);

function writeMap(w: ReplyWriter): void {
  w.mapLen(MAP_FIELDS.length);
  for (let i = 0; i < MAP_FIELDS.length; i++) {
    w.bulk(MAP_FIELDS[i]!);
    w.integer(i * 1000);
  }
}

interface WriterCase {
  name: string;
  resp: 2 | 3;
  write: (w: ReplyWriter) => void;
  /** Expected bytes of one op. */
  expect: string;
}

const kib = `$1024\r\n${KIB_STR}\r\n`;
const arr100 = `*100\r\n${ITEMS.map((s) => `$${s.length}\r\n${s}\r\n`).join('')}`;
const mapBody = MAP_FIELDS.map((f, i) => `$${f.length}\r\n${f}\r\n:${i * 1000}\r\n`).join('');

const WRITER_CASES: WriterCase[] = [
  { name: 'OK', resp: 2, write: (w) => w.ok(), expect: '+OK\r\n' },
  { name: 'integer 12345', resp: 2, write: (w) => w.integer(12345), expect: ':12345\r\n' },
  { name: 'integer 7 (shared)', resp: 2, write: (w) => w.integer(7), expect: ':7\r\n' },
  { name: '1 KiB bulk (Buffer)', resp: 2, write: (w) => w.bulk(KIB_BUF), expect: kib },
  { name: '1 KiB bulk (latin1 string)', resp: 2, write: (w) => w.bulk(KIB_STR), expect: kib },
  { name: 'null bulk', resp: 2, write: (w) => w.nullBulk(), expect: '$-1\r\n' },
  { name: '100-element array', resp: 2, write: (w) => w.bulkArray(ITEMS), expect: arr100 },
  { name: 'map 10 pairs RESP2', resp: 2, write: writeMap, expect: `*20\r\n${mapBody}` },
  { name: 'map 10 pairs RESP3', resp: 3, write: writeMap, expect: `%10\r\n${mapBody}` },
  {
    name: 'OK x100',
    resp: 2,
    write: (w) => {
      for (let i = 0; i < 100; i++) w.ok();
    },
    expect: '+OK\r\n'.repeat(100),
  },
];

const cases: BenchCase[] = WRITER_CASES.map((c) => {
  const w = new ReplyWriter();
  w.resp = c.resp;
  return {
    name: `write ${c.name} + flush`,
    fn: () => {
      c.write(w);
      w.flush(sink);
    },
    check: () => {
      const probe = new ReplyWriter();
      probe.resp = c.resp;
      c.write(probe);
      const got = probe.take().toString('latin1');
      assert(got === c.expect, `${c.name}: got ${JSON.stringify(got.slice(0, 80))}`);
    },
  };
});

runSuite('ReplyWriter', cases);
process.stdout.write(`# sink: ${sink.bytes} bytes in ${sink.writes} writes\n`);
