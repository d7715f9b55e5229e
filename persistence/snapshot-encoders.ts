/*
 * The two ways a snapshot of the keyspace becomes file bytes: an RDB file (dump.rdb, or an AOF
 * base with aof-use-rdb-preamble yes) or the RESP commands of an AOF base (preamble off).
 * Keys arrive as the keyspace holds them and are converted to the neutral RDB model one at a time,
 * so no second copy of the keyspace is ever built.
 */
import type { SnapshotEncoder } from './background-save.js';
import { RespBaseEncoder } from './aof-resp-base.js';
import { RdbWriter, type RdbWriterOptions } from './rdb-writer.js';
import { entryFrom, toRdbValue } from './keyspace-codec.js';

export function rdbSnapshotEncoder(opts: RdbWriterOptions, functions: readonly Buffer[]): SnapshotEncoder {
  const w = new RdbWriter(opts);
  return {
    header: () => Buffer.concat([w.header(), ...functions.map((f) => w.function(f))]),
    key: (db, key, value, expireAt) => {
      if (typeof value === 'string') w.addString(db, key, value, expireAt > 0 ? Number(expireAt) : undefined);
      else w.add(entryFrom(db, key, value, expireAt));
    },
    take: () => w.take(),
    finish: () => w.finish(),
  };
}

export function respSnapshotEncoder(timestamp: number | null, functions: readonly Buffer[]): SnapshotEncoder {
  const enc = new RespBaseEncoder(timestamp, functions);
  let chunks: Buffer[] = [];
  return {
    header: () => enc.header(),
    key: (db, key, value, expireAt) => void chunks.push(enc.key(db, Buffer.from(key, 'latin1'), toRdbValue(value), expireAt)),
    take: () => {
      const out = Buffer.concat(chunks);
      chunks = [];
      return out;
    },
    finish: () => enc.finish(),
  };
}
