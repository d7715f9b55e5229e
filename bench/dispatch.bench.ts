/*
 * Bytes in, replies out, without a socket (Garnet's BDN pattern): pre-encoded RESP goes into a
 * socket-less Client through ServerState.onData, so one op is parse + lookup + checks + handler +
 * reply encoding + the batch end (Client.flush discards the output when there is no socket).
 * The last cases run over a keyspace of 1M keys, where the hash lookups miss the caches.
 * Variants: no propagation (AOF off) and the real AofWriter over file operations that discard the
 * bytes: the feed, #TS/SELECT and RESP encoding an AOF adds before any file I/O.
 * Run: npx tsx bench/dispatch.bench.ts   (BENCH_QUICK=1 for a smoke run)
 */
import { Config } from '../server/config.js';
import { createLogger } from '../server/log.js';
import { ServerState, type Propagator } from '../server/server-state.js';
import { SYSTEM_CLOCK } from '../commands/keyspace/db-hooks.js';
import { AofWriter, type AofFileOps } from '../persistence/aof-writer.js';
import { assert, blackhole, encodeResp, quickMode, runSuite, type BenchCase } from './lib/suite.js';

/** The real AOF writer, over file operations that discard the bytes: the feed and encoding cost
 * an AOF adds before any file I/O. */
function discardingWriter(): AofWriter {
  const ops: AofFileOps = {
    write: (_fd, _buf, _off, len) => {
      blackhole.n += len;
      return len;
    },
    fdatasyncSync: () => undefined,
    fdatasync: (_fd, done) => done(null),
    ftruncate: () => undefined,
    close: () => undefined,
  };
  return new AofWriter({ fd: -1, size: 0, policy: 'no', timestamps: true, clock: () => Date.now(), ops });
}

interface CountingPropagator extends Propagator {
  fed: number;
}

function aofPropagator(): CountingPropagator {
  const w = discardingWriter();
  const p: CountingPropagator = {
    fed: 0,
    feed: (db, argv) => {
      p.fed++;
      w.feed(db, argv);
    },
    flush: () => w.flush(),
  };
  return p;
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
    const propagator = aof ? aofPropagator() : null;
    const state = makeState(propagator);
    const client = state.newClient(null);
    // Keys the GET workloads hit.
    state.onData(client, pipeline(100, (i) => ['SET', `key:${i}`, `value:${i}`]));
    const label = `${w.name} [${aof ? 'AOF writer, no file I/O' : 'no propagation'}]`;
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
