/*
 * Key-level flashback (REWIND RESTORE): puts chosen keys of a running server back to their state
 * at an earlier second, leaving every other key alone, without a restart.
 *
 * The chain that reaches the target second (see persistence/aof-restore.ts) is replayed into a
 * scratch server that never listens; the chosen keys are then copied into the live db. Each change
 * is logged as an ordinary deterministic write (RESTORE ... REPLACE ABSTTL with a DUMP payload, or
 * DEL), wrapped in one MULTI/EXEC by the server, so it survives restarts and replays exactly; the
 * REWIND command itself is never logged. Expiry: a key keeps the absolute deadline it had at the
 * target time, or with TIMESHIFT that deadline moved forward by the time elapsed since the target
 * (Tair's "time shift"); a key whose deadline has passed is not restored.
 */
import { RedisError } from '../protocol/errors.js';
import { globMatch } from '../commands/glob.js';
import type { FlashbackOptions, FlashbackResult } from '../commands/context.js';
import { encodingLimits, toRdbValue } from '../persistence/keyspace-codec.js';
import { dumpPayload } from '../persistence/value-serializer.js';
import { loadAofSync } from '../persistence/aof-loader.js';
import { RestoreError, RestorePlanner } from '../persistence/aof-restore.js';
import { Config } from './config.js';
import { createLogger } from './log.js';
import { ReplayClient } from './replay.js';
import { ServerState } from './server-state.js';

/** What a scratch server needs from the live config: db count and encoding thresholds. */
const COPIED = /^(databases|(list|hash|set|zset|stream)-.*)$/;

const DEL = Buffer.from('DEL');
const RESTORE = Buffer.from('RESTORE');
const REPLACE = Buffer.from('REPLACE');
const ABSTTL = Buffer.from('ABSTTL');

export function flashback(server: ServerState, o: FlashbackOptions): FlashbackResult {
  const aof = server.persistence.aof;
  if (aof.store === null || aof.writer === null) {
    throw new RedisError('ERR REWIND needs the AOF: start with appendonly yes and aof-timestamp-enabled yes');
  }
  // What this server wrote so far must be in the files the replay reads.
  aof.writer.flush();
  let scratch: ServerState;
  let stoppedAt: number | null;
  try {
    const chain = new RestorePlanner(aof.store).plan(o.target);
    scratch = scratchServer(server);
    const replay = new ReplayClient(scratch, { keepExpired: true, limits: encodingLimits(server.config) });
    scratch.loading = true;
    const result = loadAofSync(replay, {
      files: chain.files, loadTruncated: true, readOnly: true, stopAfter: o.target,
      databases: server.dbs.length, log: () => undefined,
    });
    // The scratch server stays "loading": its keys are read as they were at the target, not
    // expired against the current time (expiry is decided below, with TIMESHIFT).
    stoppedAt = result.stoppedAt?.timestamp ?? null;
  } catch (e) {
    if (e instanceof RestoreError) throw new RedisError(`ERR ${e.message}`);
    throw e;
  }
  const then = scratch.dbs[o.db]!;
  const live = server.dbs[o.db]!;
  const chosen = (key: string): boolean => (o.keys !== null ? o.keys.includes(key) : globMatch(o.match ?? '*', key));
  const out: FlashbackResult = { restored: [], replaced: [], deleted: [], skipped: [], expired: [], stoppedAt };
  const now = server.commandTime;
  const shift = o.timeshift ? Math.max(0, now - (o.target + 1) * 1000) : 0;
  const seen = new Set<string>();
  const candidates = o.keys ?? [];
  if (o.keys === null) then.scan(0, Number.MAX_SAFE_INTEGER, (key) => candidates.push(key));
  for (const key of candidates) {
    if (seen.has(key) || !chosen(key)) continue;
    const value = then.peek(key);
    // A key absent then is left to the REPLACE pass below.
    if (value === undefined) continue;
    seen.add(key);
    const at = then.getExpireExact(key);
    const deadline = typeof at === 'number' && at < 0 ? 0 : Number(at) + shift;
    if (deadline !== 0 && deadline <= now) {
      out.expired.push(key);
      continue;
    }
    const exists = live.peek(key) !== undefined;
    if (exists && !o.replace) {
      out.skipped.push(key);
      continue;
    }
    (exists ? out.replaced : out.restored).push(key);
    if (o.dryRun) continue;
    server.snapshot?.snapshot.preserve(o.db, key);
    live.set(key, value);
    if (deadline !== 0) live.setExpire(key, deadline);
    // WATCH: a restored key changed, as a RESTORE ... REPLACE would have changed it.
    server.signalModifiedKey(o.db, key);
    const keyBytes = Buffer.from(key, 'latin1');
    server.propagate(o.db, [RESTORE, keyBytes, Buffer.from(String(deadline)), dumpPayload(toRdbValue(value)), REPLACE, ABSTTL]);
  }
  if (o.replace) {
    // Keys chosen now that did not exist at the target: their state then was "absent".
    const gone: string[] = [];
    const consider = (key: string): void => {
      if (!seen.has(key) && chosen(key) && then.peek(key) === undefined && live.peek(key) !== undefined) gone.push(key);
    };
    if (o.keys !== null) o.keys.forEach(consider);
    else live.scan(0, Number.MAX_SAFE_INTEGER, (key) => consider(key));
    for (const key of new Set(gone)) {
      out.deleted.push(key);
      if (o.dryRun) continue;
      server.snapshot?.snapshot.preserve(o.db, key);
      live.delete(key);
      server.signalModifiedKey(o.db, key);
      server.propagate(o.db, [DEL, Buffer.from(key, 'latin1')]);
    }
  }
  if (!o.dryRun) server.stats.dirty += out.restored.length + out.replaced.length + out.deleted.length;
  return out;
}

function scratchServer(server: ServerState): ServerState {
  const config = new Config();
  for (const [name, value] of server.config.getMatching(['*'])) {
    if (COPIED.test(name)) config.load(name, [value], 'flashback');
  }
  config.load('save', [''], 'flashback');
  return new ServerState(config, createLogger('silent'), server.clock);
}
