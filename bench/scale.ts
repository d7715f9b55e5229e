/*
 * Scale check: 20,000,000 keys in one database and 10,000,000 members in one sorted set, one set
 * and one hash, written through the real command path (pipelined RESP into a socket-less client),
 * then spot-checked with reads. V8 refuses more than ~16.7M entries in one Map; this shows the
 * keyspace and the member tables go past it. Prints time and heap per phase.
 *
 * Run: node --max-old-space-size=16000 --import tsx bench/scale.ts   (SCALE=0.1 for a smaller run)
 * Needs about 6 GB of memory at full scale.
 */
import { Config } from '../server/config.js';
import { createLogger } from '../server/log.js';
import { ServerState } from '../server/server-state.js';
import { SYSTEM_CLOCK } from '../commands/keyspace/db-hooks.js';
import { encodeResp } from './lib/suite.js';

const scale = Number(process.env.SCALE ?? '1');
const KEYS = Math.round(20_000_000 * scale);
const MEMBERS = Math.round(10_000_000 * scale);
const BATCH = 1000;

const state = new ServerState(new Config(), createLogger('silent'), SYSTEM_CLOCK);
const client = state.newClient(null);

function phase(name: string, count: number, make: (i: number) => string[]): void {
  const t0 = performance.now();
  for (let i = 0; i < count; i += BATCH) {
    const parts: Buffer[] = [];
    for (let j = i; j < Math.min(count, i + BATCH); j++) parts.push(encodeResp(make(j)));
    const errors = state.stats.totalErrorReplies;
    state.onData(client, Buffer.concat(parts));
    if (state.stats.totalErrorReplies !== errors) throw new Error(`${name}: an error reply`);
  }
  const s = (performance.now() - t0) / 1000;
  const heap = process.memoryUsage().heapUsed / 2 ** 30;
  process.stdout.write(`${name}: ${count.toLocaleString('en')} in ${s.toFixed(1)} s (${Math.round(count / s).toLocaleString('en')}/s), heap ${heap.toFixed(2)} GiB\n`);
}

phase('SET keys', KEYS, (i) => ['SET', `key:${i}`, 'v']);
const db = state.dbs[0]!;
if (db.size !== KEYS + 0) throw new Error(`DBSIZE ${db.size}, expected ${KEYS}`);
process.stdout.write(`  DBSIZE ${db.size.toLocaleString('en')} across ${db.mapCount} Maps\n`);
for (const i of [0, KEYS >> 1, KEYS - 1]) if (db.get(`key:${i}`) !== 'v') throw new Error(`key:${i} lost`);
db.flush();

phase('ZADD members', MEMBERS, (i) => ['ZADD', 'z', String(i), `m:${i}`]);
phase('SADD members', MEMBERS, (i) => ['SADD', 's', `m:${i}`]);
phase('HSET fields', MEMBERS, (i) => ['HSET', 'h', `f:${i}`, 'v']);
const sizes = ['z', 's', 'h'].map((key) => {
  const v = db.get(key);
  if (v === undefined || typeof v === 'string' || !('size' in v) || typeof v.size !== 'number') throw new Error(`${key} missing`);
  if (v.size !== MEMBERS) throw new Error(`${key} has ${v.size} members, expected ${MEMBERS}`);
  return `${key}: ${v.size.toLocaleString('en')} (${v.encoding()})`;
});
process.stdout.write(`  members: ${sizes.join(', ')}\n`);
