/*
 * RDB reader: the opcode loop over a whole file held in a Buffer, yielding one record at a time so
 * a caller can insert each key as it comes (no array of every entry is built unless asked for).
 *
 * Bytes (docs/persistence-format.md §7.1, §7.4, §7.12):
 *   "REDIS" + 4 ASCII digits (version 1..11 accepted; Redis 7.0 writes 10, 7.2 writes 11)
 *   records: 0xFA AUX key value | 0xF5 FUNCTION2 code | 0xF6 pre-GA FUNCTION | 0xFE SELECTDB len
 *     | 0xFB RESIZEDB len len | 0xFC EXPIRETIME_MS int64 LE | 0xFD EXPIRETIME int32 LE seconds
 *     | 0xF8 IDLE len | 0xF9 FREQ byte | 0xF7 MODULE_AUX (refused) | <type byte> key value
 *   0xFF EOF, then (version >= 5) the CRC-64/Jones of everything before it, 8 bytes LE; 0 = none.
 * Invariants: EXPIRETIME/IDLE/FREQ apply to the next key only. Every failure is an RdbFormatError
 * carrying the byte offset (RdbTruncatedError for a short file, RdbChecksumError for a CRC
 * mismatch); no input makes the reader loop forever or throw anything else. Records before a bad
 * CRC have already been yielded, so a loader must discard what it loaded when the read throws
 * (Redis likewise refuses the whole file). Empty collections are skipped, as Redis skips them.
 * Reading has no side effects; what survives a crash is whatever file the writer left.
 */
import { crc64 } from './crc64.js';
import { RdbCursor } from './rdb-strings.js';
import {
  MAX_READ_VERSION, OP, RdbChecksumError, RdbFormatError, TYPE,
  type RdbEntry, type RdbRecord, type RdbValue,
} from './rdb-types.js';
import { isEmptyValue, moduleTypeName, readValue } from './rdb-values.js';

export interface RdbReadOptions {
  /** Number of databases; a SELECTDB at or beyond it is an error. Default 16. */
  databases?: number;
  /** Verify the CRC-64 trailer when it is non-zero. Default true (Redis's rdbchecksum yes). */
  verifyChecksum?: boolean;
  /** Called with (bytes consumed, total bytes) at most every `progressEvery` bytes, and at the end. */
  onProgress?: (consumed: number, total: number) => void;
  /** Bytes between progress calls. Default 1 MiB. */
  progressEvery?: number;
}

export interface RdbSummary {
  version: number;
  /** Entries yielded. */
  keys: number;
  /** Empty collections skipped. */
  skippedEmpty: number;
  /** 'verified', 'absent' (stored 0 or version < 5) or 'unchecked' (verifyChecksum false). */
  checksum: 'verified' | 'absent' | 'unchecked';
  /** Offset just past the checksum (or EOF): the bytes the file really used. */
  end: number;
}

const KNOWN_TYPES = new Set<number>(Object.values(TYPE));
// Module-local copies: the opcode switch runs once per record, and a local const is cheapest.
const OP_EXPIRETIME_MS = OP.EXPIRETIME_MS;
const OP_EXPIRETIME = OP.EXPIRETIME;
const OP_IDLE = OP.IDLE;
const OP_FREQ = OP.FREQ;
const OP_SELECTDB = OP.SELECTDB;
const OP_RESIZEDB = OP.RESIZEDB;
const OP_AUX = OP.AUX;
const OP_MODULE_AUX = OP.MODULE_AUX;
const OP_FUNCTION_PRE_GA = OP.FUNCTION_PRE_GA;
const OP_FUNCTION2 = OP.FUNCTION2;
const OP_EOF = OP.EOF;
const TYPE_MODULE = TYPE.MODULE;
const TYPE_MODULE_2 = TYPE.MODULE_2;
const MAGIC = Buffer.from('REDIS', 'latin1');

/** Parses the 9-byte header; returns the version. */
export function readRdbHeader(c: RdbCursor): number {
  const head = c.raw(9, 'the RDB header');
  if (!head.subarray(0, 5).equals(MAGIC)) c.fail('wrong signature (not an RDB file)', 0);
  const digits = head.subarray(5, 9).toString('latin1');
  if (!/^\d{4}$/.test(digits)) c.fail(`bad RDB version ${JSON.stringify(digits)}`, 5);
  const version = Number(digits);
  if (version < 1 || version > MAX_READ_VERSION) c.fail(`can't handle RDB format version ${version}`, 5);
  return version;
}

/**
 * Yields every record of the RDB file in `buf`, in file order; returns a summary. Buffers in
 * the records may be views into `buf` (valid while `buf` is), so copy what must outlive it.
 */
export function* readRdbRecords(buf: Buffer, opts: RdbReadOptions = {}): Generator<RdbRecord, RdbSummary> {
  const databases = opts.databases ?? 16;
  const verify = opts.verifyChecksum ?? true;
  const every = opts.progressEvery ?? 1 << 20;
  const progress = opts.onProgress;
  const total = buf.length;
  const c = new RdbCursor(buf);
  const version = readRdbHeader(c);
  let db = 0;
  let expireMs: number | undefined;
  let idle: number | undefined;
  let freq: number | undefined;
  let keys = 0;
  let skippedEmpty = 0;
  let nextReport = every;

  for (;;) {
    if (progress !== undefined && c.pos >= nextReport) {
      progress(c.pos, total);
      nextReport = c.pos + every;
    }
    const at = c.pos;
    const op = c.u8('an opcode');
    switch (op) {
      case OP_EXPIRETIME_MS:
        expireMs = c.int64LE('EXPIRETIME_MS');
        continue;
      case OP_EXPIRETIME:
        expireMs = c.int32LE('EXPIRETIME') * 1000;
        continue;
      case OP_IDLE:
        idle = c.len('IDLE');
        continue;
      case OP_FREQ:
        freq = c.u8('FREQ');
        continue;
      case OP_SELECTDB:
        db = c.len('SELECTDB');
        if (db >= databases) c.fail(`SELECTDB ${db} is beyond the configured ${databases} databases`, at);
        yield { kind: 'selectdb', db };
        continue;
      case OP_RESIZEDB: {
        const size = c.len('RESIZEDB db size');
        const expires = c.len('RESIZEDB expires size');
        yield { kind: 'resizedb', db, size, expires };
        continue;
      }
      case OP_AUX: {
        const key = c.string('AUX key');
        const value = c.string('AUX value');
        yield { kind: 'aux', key, value };
        continue;
      }
      case OP_MODULE_AUX: {
        const id = c.lenBig('MODULE_AUX module id');
        return c.fail(`module aux data is not supported: ${moduleTypeName(id)}`, at);
      }
      case OP_FUNCTION_PRE_GA: {
        const name = c.string('FUNCTION name');
        const engine = c.string('FUNCTION engine');
        if (c.len('FUNCTION has-description') !== 0) c.string('FUNCTION description');
        const code = c.string('FUNCTION code');
        yield { kind: 'function', code, name, engine };
        continue;
      }
      case OP_FUNCTION2:
        yield { kind: 'function', code: c.string('FUNCTION2 library code') };
        continue;
      case OP_EOF:
        break;
      default: {
        if (!KNOWN_TYPES.has(op) || op === TYPE_MODULE || op === TYPE_MODULE_2) {
          if (op === TYPE_MODULE || op === TYPE_MODULE_2) {
            c.string('key');
            const idAt = c.pos;
            const id = c.lenBig('module id');
            c.fail(`module type values are not supported: ${moduleTypeName(id)}`, idAt);
          }
          c.fail(`unknown RDB value type ${op}`, at);
        }
        const key = c.string('key');
        let value: RdbValue;
        try {
          value = readValue(c, op, 'value');
        } catch (e) {
          if (e instanceof RdbFormatError) throw e.withKey(key);
          throw e;
        }
        const entry: RdbEntry = { db, key, value };
        if (expireMs !== undefined) entry.expireMs = expireMs;
        if (idle !== undefined) entry.idleSeconds = idle;
        if (freq !== undefined) entry.lfuFreq = freq;
        expireMs = idle = freq = undefined;
        if (isEmptyValue(value)) skippedEmpty++;
        else {
          keys++;
          yield { kind: 'entry', entry };
        }
        continue;
      }
    }
    break;
  }

  const eofAt = c.pos - 1;
  let checksum: RdbSummary['checksum'] = 'absent';
  if (version >= 5) {
    c.need(8, 'the checksum');
    const stored = buf.readBigUInt64LE(c.pos);
    c.pos += 8;
    if (stored !== 0n) {
      if (!verify) checksum = 'unchecked';
      else {
        const computed = crc64(buf, 0n, 0, eofAt + 1);
        if (computed !== stored) throw new RdbChecksumError(stored, computed, eofAt + 1);
        checksum = 'verified';
      }
    }
  }
  progress?.(c.pos, total);
  return { version, keys, skippedEmpty, checksum, end: c.pos };
}

/** A whole file decoded into arrays (tests, tools and small files). */
export interface RdbFile {
  summary: RdbSummary;
  aux: [Buffer, Buffer][];
  functions: Buffer[];
  entries: RdbEntry[];
}

/** Reads a whole file into an RdbFile. Throws RdbFormatError as readRdbRecords does. */
export function readRdb(buf: Buffer, opts: RdbReadOptions = {}): RdbFile {
  const aux: [Buffer, Buffer][] = [];
  const functions: Buffer[] = [];
  const entries: RdbEntry[] = [];
  const it = readRdbRecords(buf, opts);
  for (;;) {
    const r = it.next();
    if (r.done === true) return { summary: r.value, aux, functions, entries };
    const rec = r.value;
    if (rec.kind === 'aux') aux.push([rec.key, rec.value]);
    else if (rec.kind === 'function') functions.push(rec.code);
    else if (rec.kind === 'entry') entries.push(rec.entry);
  }
}

/** Callback form of readRdbRecords, for callers that prefer not to drive a generator. */
export function forEachRdbRecord(buf: Buffer, onRecord: (r: RdbRecord) => void, opts: RdbReadOptions = {}): RdbSummary {
  const it = readRdbRecords(buf, opts);
  for (;;) {
    const r = it.next();
    if (r.done === true) return r.value;
    onRecord(r.value);
  }
}

export { RdbFormatError };
