/*
 * Heap bytes per key of the keyspace, split into its parts, for N small string keys shaped like
 * the --pipe load of bench:compare (key:<n> -> value:<n>, made with latin1Slice as the server
 * makes them). Compare with the RSS-based figure of bench:compare and with Redis (~100 B/key).
 *   npx tsx --expose-gc bench/keyspace-memory.ts [N]
 */
import { Db } from '../commands/keyspace/db.js';
import { SYSTEM_CLOCK } from '../commands/keyspace/db-hooks.js';

const N = Number(process.argv[2] ?? 1_000_000);
const collect = globalThis.gc;
if (collect === undefined) throw new Error('run with --expose-gc');
const gc: () => void = () => collect();

function heap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function makeStrings(prefix: string): string[] {
  const out: string[] = new Array<string>(N);
  for (let i = 0; i < N; i++) {
    const b = Buffer.from(`${prefix}${i}`, 'latin1');
    out[i] = b.latin1Slice(0, b.length);
  }
  return out;
}

const base = heap();
const keys = makeStrings('key:');
const values = makeStrings('value:');
const afterStrings = heap();
const map = new Map<string, number>();
for (let i = 0; i < N; i++) map.set(keys[i]!, i);
const afterMap = heap();
map.clear();
const cleared = heap();
const db = new Db(0, SYSTEM_CLOCK, { expired: () => undefined });
for (let i = 0; i < N; i++) db.set(keys[i]!, values[i]!);
const afterDb = heap();

const per = (bytes: number): string => `${(bytes / N).toFixed(1)} B/key`;
const arrays = 2 * 8 * N; // the two string[] holders in this script, 8 bytes per slot
process.stdout.write(
  [
    `keyspace heap cost, ${N.toLocaleString('en-US')} keys (node ${process.version})`,
    `  key + value strings:               ${per(afterStrings - base - arrays)}`,
    `  Map<string, number> alone:         ${per(afterMap - afterStrings)}`,
    `  Db without the strings:            ${per(afterDb - cleared)}`,
    `  Db total (strings + Db):           ${per(afterDb - cleared + afterStrings - base - arrays)}`,
    `  (Db.size ${db.size}; RSS now ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB)`,
  ].join('\n') + '\n',
);
