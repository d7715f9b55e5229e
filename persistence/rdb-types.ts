/*
 * The neutral, decoded form of an RDB file, shared by rdb-reader.ts and rdb-writer.ts, plus the
 * format's constants (opcodes, value type codes) and its error classes.
 *
 * Bytes (see docs/persistence-format.md §7): "REDIS" + 4 version digits, then records led by an
 * opcode byte (AUX, FUNCTION2, SELECTDB, RESIZEDB, EXPIRETIME[_MS], IDLE, FREQ, EOF) or a value
 * type byte followed by the key and the value, then EOF and the CRC-64 (LE). This module holds no
 * bytes itself: entries are plain data, independent of how the keyspace stores values, so a loader
 * can convert them into whatever commands/keyspace holds. Invariants: an entry's members are in
 * file order (the reader never sorts); a stream's entries are in ID order. Nothing here touches
 * files, so nothing here survives or fails in a crash.
 */

/** Highest RDB version the reader accepts (Redis 7.2 writes 11). The writer emits WRITE_VERSION. */
export const MAX_READ_VERSION = 11;
export const WRITE_VERSION = 10;

export const OP = {
  FUNCTION_PRE_GA: 0xf6,
  FUNCTION2: 0xf5,
  MODULE_AUX: 0xf7,
  IDLE: 0xf8,
  FREQ: 0xf9,
  AUX: 0xfa,
  RESIZEDB: 0xfb,
  EXPIRETIME_MS: 0xfc,
  EXPIRETIME: 0xfd,
  SELECTDB: 0xfe,
  EOF: 0xff,
} as const;

export const TYPE = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  MODULE: 6,
  MODULE_2: 7,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
  SET_LISTPACK: 20,
  STREAM_LISTPACKS_3: 21,
} as const;

/** A stream ID; both parts are unsigned 64-bit. */
export interface StreamId {
  ms: bigint;
  seq: bigint;
}

export interface StreamEntry {
  id: StreamId;
  /** Field/value pairs in entry order (fields may repeat, as XADD allows). */
  fields: [Buffer, Buffer][];
}

export interface StreamPendingEntry {
  id: StreamId;
  /** Unix ms of the last delivery. */
  deliveryTime: number;
  deliveryCount: number;
}

export interface StreamConsumer {
  name: Buffer;
  /** Unix ms the consumer was last seen (any interaction). */
  seenTime: number;
  /** Unix ms of the last successful read/claim (RDB 11, type 21); absent in older files. */
  activeTime?: number;
  /** IDs this consumer owns; each is also in its group's pending list. */
  pending: StreamId[];
}

export interface StreamGroup {
  name: Buffer;
  lastId: StreamId;
  /** Entries read by the group; null when unknown (stored as 2^64-1, or absent before RDB 10). */
  entriesRead: bigint | null;
  pending: StreamPendingEntry[];
  consumers: StreamConsumer[];
}

export interface StreamValue {
  type: 'stream';
  /** Live entries in ID order (deleted entries are not kept). */
  entries: StreamEntry[];
  /** Number of live entries as the file states it (normally entries.length). */
  length: number;
  lastId: StreamId;
  /** RDB >= 10; for older files derived: the first entry's ID (or 0-0). */
  firstId: StreamId;
  /** RDB >= 10; 0-0 for older files. */
  maxDeletedId: StreamId;
  /** RDB >= 10; for older files the length. */
  entriesAdded: bigint;
  groups: StreamGroup[];
}

export type RdbValue =
  | { type: 'string'; value: Buffer }
  | { type: 'list'; items: Buffer[] }
  | { type: 'hash'; fields: [Buffer, Buffer][] }
  | { type: 'set'; members: Buffer[] }
  | { type: 'zset'; members: [Buffer, number][] }
  | StreamValue;

export interface RdbEntry {
  db: number;
  key: Buffer;
  /** Absolute expiry, Unix ms. Absent: no TTL. */
  expireMs?: number;
  /** IDLE opcode (LRU policies): seconds since last access. */
  idleSeconds?: number;
  /** FREQ opcode (LFU policies): the 8-bit logarithmic counter. */
  lfuFreq?: number;
  value: RdbValue;
}

/** One record of a file, in file order, as the reader yields them. */
export type RdbRecord =
  | { kind: 'aux'; key: Buffer; value: Buffer }
  /** A function library: FUNCTION2's whole source ("#!lua name=<lib>\n..."), or a pre-GA FUNCTION. */
  | { kind: 'function'; code: Buffer; name?: Buffer; engine?: Buffer }
  | { kind: 'selectdb'; db: number }
  | { kind: 'resizedb'; db: number; size: number; expires: number }
  | { kind: 'entry'; entry: RdbEntry };

/** A malformed file. `offset` is the byte offset in the file where the problem was found. */
export class RdbFormatError extends Error {
  /** The key whose value was being read, when the problem is inside one. */
  key?: Buffer;

  constructor(readonly reason: string, readonly offset: number) {
    super(`${reason} at offset ${offset}`);
    this.name = 'RdbFormatError';
  }

  /** Names the key in the message (added by the reader, so values need not carry it). */
  withKey(key: Buffer): this {
    this.key = key;
    this.message = `${this.reason} (key ${JSON.stringify(key.toString('latin1'))}) at offset ${this.offset}`;
    return this;
  }
}

/** The file ends before a record does (a short read in Redis's terms). */
export class RdbTruncatedError extends RdbFormatError {
  constructor(what: string, offset: number, readonly needed: number) {
    super(`unexpected end of file reading ${what} (need ${needed} more byte(s))`, offset);
    this.name = 'RdbTruncatedError';
  }
}

/** The stored CRC-64 does not match the data. */
export class RdbChecksumError extends RdbFormatError {
  constructor(readonly stored: bigint, readonly computed: bigint, offset: number) {
    super(`wrong RDB checksum: computed ${computed.toString(16)} but the file has ${stored.toString(16)}`, offset);
    this.name = 'RdbChecksumError';
  }
}

export function streamIdText(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

export function compareStreamIds(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}
