/*
 * The hash value: a SlotMap from field to value, both latin1 strings, plus the encoding Redis would
 * report. A hash starts as 'listpack' and becomes 'hashtable' for good once it holds more than
 * hash-max-listpack-entries fields or any field or value longer than hash-max-listpack-value bytes
 * (Redis 7 never converts back). While 'listpack', deletions keep insertion order (deleteStable),
 * so HGETALL, HKEYS and HSCAN answer in the order a real listpack would.
 */
import { ERR_WRONGTYPE, RedisError } from '../../protocol/errors.js';
import type { CommandContext } from '../context.js';
import { SlotMap } from '../keyspace/slot-map.js';
import type { CollectionValue } from '../keyspace/value.js';

export class HashValue implements CollectionValue {
  readonly type = 'hash' as const;
  map = new SlotMap<string>();
  listpack = true;

  clone(): HashValue {
    const copy = new HashValue();
    copy.map = this.map.clone();
    copy.listpack = this.listpack;
    return copy;
  }

  encoding(): string {
    return this.listpack ? 'listpack' : 'hashtable';
  }

  get size(): number {
    return this.map.size;
  }

  /** Removes a field; true when it existed. */
  remove(field: string): boolean {
    return this.listpack ? this.map.deleteStable(field) : this.map.delete(field);
  }
}

/** The hash at key for reading: undefined when missing, WRONGTYPE for another type. */
export function readHash(c: CommandContext, key: string): HashValue | undefined {
  const v = c.db.get(key);
  if (v === undefined) return undefined;
  if (!(v instanceof HashValue)) throw new RedisError(ERR_WRONGTYPE);
  return v;
}

/**
 * The hash at key for writing, created empty (not yet stored) when missing: the caller stores it
 * with c.db.set after adding fields, so an empty hash never reaches the keyspace.
 */
export function writableHash(c: CommandContext, key: string): HashValue {
  return readHash(c, key) ?? new HashValue();
}

/** The listpack limits, read when a hash may still be small. */
export interface HashLimits {
  entries: number;
  value: number;
}

export function hashLimits(c: CommandContext): HashLimits {
  const cfg = c.server.config;
  return { entries: Number(cfg.get('hash-max-listpack-entries')), value: Number(cfg.get('hash-max-listpack-value')) };
}

/**
 * Converts to 'hashtable' when any of argv[from..] (fields and values about to be written) is
 * longer than hash-max-listpack-value, as Redis's hashTypeTryConversion does before the write.
 */
export function convertForArgs(h: HashValue, argv: readonly Buffer[], from: number, limits: HashLimits): void {
  if (!h.listpack) return;
  for (let i = from; i < argv.length; i++) {
    if (argv[i]!.length > limits.value) {
      h.listpack = false;
      return;
    }
  }
}

/** After a write: too many fields (or a long value written) ends the listpack for good. */
export function convertForSize(h: HashValue, limits: HashLimits, longest = 0): void {
  if (h.listpack && (h.map.size > limits.entries || longest > limits.value)) h.listpack = false;
}

/** Stores a new hash, or deletes the key when the hash became empty. */
export function storeOrDelete(c: CommandContext, key: string, h: HashValue, existed: boolean): void {
  if (h.map.size === 0) {
    if (existed) c.db.delete(key);
  } else if (!existed) {
    c.db.set(key, h);
  }
}
