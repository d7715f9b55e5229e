/*
 * Bytes in, replies out, without a socket (Garnet's BDN pattern): pre-encoded RESP goes into a
 * socket-less Client through ServerState.onData, so one op is parse + lookup + checks + handler +
 * reply encoding + the batch end (Client.flush discards the output when there is no socket).
 * The last cases run over a keyspace of 1M keys, where the hash lookups miss the caches.
 * Variants: no propagation (AOF off) and a propagator that encodes every write as RESP into a
 * buffer, the work an AOF feed does before any file I/O. The real AOF writer is not wired here
 * yet (persistence/ has no writer at the time of writing); swap it in when it lands.
 * Run: npx tsx bench/dispatch.bench.ts   (BENCH_QUICK=1 for a smoke run)
 */
import { Config } from '../server/config.js';
import { createLogger } from '../server/log.js';
import { ServerState, type Propagator } from '../server/server-state.js';
import { SYSTEM_CLOCK } from '../commands/keyspace/db.js';
import type { Argv } from '../protocol/resp-parser.js';
import { assert, blackhole, encodeResp, quickMode, runSuite, type BenchCase } from './lib/suite.js';

/** Encodes fed commands as RESP into a growing buffer, reset on flush (an AOF feed without I/O). */
class EncodingPropagator implements Propagator {
  private buf = Buffer.allocUnsafe(1024 * 1024);
  private pos = 0;
  fed = 0;
  feed(_dbIndex: number, argv: Argv): void {
    this.fed++;
    this.ensure(16 + argv.length * 16);
    this.pos += this.buf.latin1Write(`*${argv.length}\r\n`, this.pos);
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      this.ensure(a.length + 16);
      this.pos += this.buf.latin1Write(`$${a.length}\r\n`, this.pos);
      this.pos += a.copy(this.buf, this.pos);
      this.buf[this.pos++] = 13;
      this.buf[this.pos++] = 10;
    }
  }
  flush(): boolean {
    blackhole.n += this.pos;
    this.pos = 0;
    return true;
  }
  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}

function makeState(propagator: Propagator | null): ServerState {
  const state = new ServerState(new Config(), createLogger('silent'), SYSTEM_CLOCK);
  if (propagator !== null) state.propagator = propagator;
  return state;
}

function pipeline(n: number, make: (i: number) => string[]): Buffer {
  return Buffer.concat(Array.from({ length: n }, (_, i) => encodeResp(make(i))));
}

const probe = makeState(null);

interface Workload {
  name: string;
  bytes: Buffer;
  commands: number;
  /** Commands the workload needs registered. */
  needs: string[];
}

const WORKLOADS: Workload[] = [
  { name: 'SET x1', bytes: pipeline(1, () => ['SET', 'key:1', 'value:1']), commands: 1, needs: ['set'] },
  { name: 'GET x1 (hit)', bytes: pipeline(1, () => ['GET', 'key:1']), commands: 1, needs: ['get'] },
  { name: 'SET x100 pipeline', bytes: pipeline(100, (i) => ['SET', `key:${i}`, `value:${i}`]), commands: 100, needs: ['set'] },
  { name: 'GET x100 pipeline (hits)', bytes: pipeline(100, (i) => ['GET', `key:${i}`]), commands: 100, needs: ['get'] },
  { name: 'GET x100 pipeline (misses)', bytes: pipeline(100, (i) => ['GET', `nokey:${i}`]), commands: 100, needs: ['get'] },
  { name: 'INCR x100 pipeline', bytes: pipeline(100, (i) => ['INCR', `counter:${i % 10}`]), commands: 100, needs: ['incr'] },
];

const cases: BenchCase[] = [];
for (const aof of [false, true]) {
  for (const w of WORKLOADS) {
    const missing = w.needs.filter((n) => probe.table.lookup(n) === undefined);
    if (missing.length > 0) {
      if (!aof) process.stdout.write(`# skipped ${w.name}: command(s) not registered yet: ${missing.join(', ')}\n`);
      continue;
    }
    const propagator = aof ? new EncodingPropagator() : null;
    const state = makeState(propagator);
    const client = state.newClient(null);
    // Keys the GET workloads hit.
    state.onData(client, pipeline(100, (i) => ['SET', `key:${i}`, `value:${i}`]));
    const label = `${w.name} [${aof ? 'propagate: RESP encode' : 'no propagation'}]`;
    cases.push({
      name: label,
      fn: () => {
        state.onData(client, w.bytes);
      },
      check: () => {
        const errorsBefore = state.stats.totalErrorReplies;
        const before = state.stats.totalCommands;
        state.onData(client, w.bytes);
        assert(state.stats.totalCommands - before === w.commands, `${label}: ran ${state.stats.totalCommands - before} commands`);
        assert(state.stats.totalErrorReplies === errorsBefore, `${label}: error replies`);
        assert(client.reply.pendingBytes === 0, `${label}: output not discarded`);
        if (propagator !== null && w.name.startsWith('SET')) assert(propagator.fed > 0, `${label}: nothing propagated`);
      },
    });
  }
}

// A large keyspace: the same GET/SET pipelines over keys spread across 1M keys (100k in quick
// mode), where hash-table lookups miss the CPU caches as they do in a loaded server.
const BIG = quickMode() ? 100_000 : 1_000_000;
const bigState = makeState(null);
const bigClient = bigState.newClient(null);
for (let start = 0; start < BIG; start += 10_000) {
  bigState.onData(bigClient, pipeline(10_000, (i) => ['SET', `key:${start + i}`, `value:${start + i}`]));
}
// 1000 different pipelines, used in turn, so the keys touched do not stay in the CPU caches.
const ROTATE = 1000;
const spread = (i: number): number => (i * 7919 + 12345) % BIG;
const bigGets = Array.from({ length: ROTATE }, (_, r) => pipeline(100, (i) => ['GET', `key:${spread(r * 100 + i)}`]));
const bigSets = Array.from({ length: ROTATE }, (_, r) => pipeline(100, (i) => ['SET', `key:${spread(r * 100 + i + 7)}`, `value:${i}`]));
const keysLabel = `${BIG.toLocaleString('en-US')} keys`;
for (const [name, inputs] of [[`GET x100 pipeline over ${keysLabel}`, bigGets], [`SET x100 pipeline over ${keysLabel} (overwrites)`, bigSets]] as const) {
  let turn = 0;
  cases.push({
    name: `${name} [no propagation]`,
    fn: () => {
      bigState.onData(bigClient, inputs[turn]!);
      turn = turn + 1 === ROTATE ? 0 : turn + 1;
    },
    check: () => {
      const before = bigState.stats.totalCommands;
      const errors = bigState.stats.totalErrorReplies;
      bigState.onData(bigClient, inputs[0]!);
      assert(bigState.stats.totalCommands - before === 100, `${name}: ran ${bigState.stats.totalCommands - before}`);
      assert(bigState.stats.totalErrorReplies === errors, `${name}: error replies`);
      assert(bigState.dbs[0]!.size === BIG, `${name}: ${bigState.dbs[0]!.size} keys, expected ${BIG}`);
    },
  });
}

runSuite('dispatch (socket-less client)', cases);
