/*
 * RDB writer: neutral entries -> RDB version 10 bytes, emitted as chunks so the server can
 * serialise a keyspace in slices between event-loop turns and write each chunk to a file as it
 * comes. Redis 7.0 and later load the result, and redis-check-rdb accepts it.
 *
 * Bytes written (docs/persistence-format.md §7):
 *   "REDIS0010"
 *   AUX redis-ver (default "7.0.15": the release whose format we write; 7.0 only checks the RDB
 *     version), redis-bits 64, ctime (save time, seconds), used-mem, aof-base 0|1
 *   FUNCTION2 <library source>, one per library
 *   per db: SELECTDB n [RESIZEDB size expires] then per key [EXPIRETIME_MS int64 LE] [IDLE|FREQ]
 *     <type> <key> <value>
 *   EOF 0xFF, CRC-64/Jones of every byte before it and of EOF itself, 8 bytes LE (0 when off)
 * Types (rdb-value-writer.ts): 0 string (int-encoded when canonical int32, LZF when on and it
 *   saves >= 4 bytes), 18 QUICKLIST_2 list with listpack nodes split as Redis 7.0 splits them
 *   (list-max-listpack-size, default -2: 8 KB; an element of 1 GB or more gets a PLAIN node),
 *   19 stream; sets, hashes and sorted sets plain (2, 4, 5 ZSET_2) unless the value carries an
 *   encoding hint (HintedValue): then what 7.0 writes for that in-memory encoding, 11 intset,
 *   16 hash listpack, 17 zset listpack, 5 from the highest score for a skiplist. Redis re-chooses
 *   the in-memory encodings after loading either way.
 * Invariants: chunks must be written in the order returned; the CRC covers exactly the bytes of
 * all chunks before the trailer. Empty collections are not written (Redis would skip them). What
 * survives a crash depends on the caller: write to a temp file, fsync, rename (style.md §3.5);
 * an interrupted file lacks EOF + CRC and every reader refuses it.
 */
import { Crc64 } from './crc64.js';
import { RdbSink } from './rdb-encode.js';
import { OP, TYPE, WRITE_VERSION, type RdbEntry } from './rdb-types.js';
import { DEFAULT_LIST_FILL, writeValue } from './rdb-value-writer.js';
import { isEmptyValue } from './rdb-values.js';

export interface RdbWriterOptions {
  /** LZF-compress strings longer than 20 bytes when it saves space (rdbcompression). Default true. */
  compression?: boolean;
  /** Compute the CRC-64 trailer (rdbchecksum); else 8 zero bytes. Default true. */
  checksum?: boolean;
  /** AUX aof-base value: true inside an AOF base file. Default false. */
  aofBase?: boolean;
  /** AUX redis-ver. Default "7.0.15". */
  redisVer?: string;
  /** AUX ctime, Unix seconds. Default: now. */
  ctime?: number;
  /** AUX used-mem, bytes. Default 0. */
  usedMem?: number;
  /** list-max-listpack-size: how lists are split into quicklist nodes. Default -2 (8 KB). */
  listFill?: number;
}

/**
 * Reused buffers for addString. RdbSink.string copies anything shorter than its copy limit, so a
 * view of these is never kept; longer strings get their own Buffer.
 */
const SCRATCH_LIMIT = 4096;
const KEY_SCRATCH = Buffer.allocUnsafe(SCRATCH_LIMIT);
const VALUE_SCRATCH = Buffer.allocUnsafe(SCRATCH_LIMIT);

function latin1Bytes(s: string, scratch: Buffer): Buffer {
  if (s.length >= SCRATCH_LIMIT) return Buffer.from(s, 'latin1');
  return scratch.subarray(0, scratch.latin1Write(s, 0));
}

export class RdbWriter {
  private readonly sink: RdbSink;
  private readonly crc = new Crc64();
  private readonly checksum: boolean;
  private readonly listFill: number;
  private readonly opts: RdbWriterOptions;
  private started = false;
  private finished = false;
  private db = -1;
  private keyCount = 0;

  constructor(opts: RdbWriterOptions = {}) {
    this.opts = opts;
    this.sink = new RdbSink(opts.compression ?? true);
    this.checksum = opts.checksum ?? true;
    this.listFill = opts.listFill ?? DEFAULT_LIST_FILL;
  }

  /** Keys written so far. */
  get keys(): number {
    return this.keyCount;
  }

  /** The header and AUX fields. Called implicitly by the first other call if not called. */
  header(): Buffer {
    this.ensureHeader();
    return this.take();
  }

  /** A FUNCTION2 record for one library (its whole source, "#!lua name=<lib>\n..."). */
  function(code: Uint8Array): Buffer {
    this.ensureHeader();
    if (this.db !== -1) throw new Error('functions must be written before any key');
    this.sink.byte(OP.FUNCTION2);
    this.sink.string(code);
    return this.take();
  }

  /**
   * SELECTDB db, plus RESIZEDB when the sizes are known (a hint Redis uses to pre-size its
   * tables). entry() selects on its own when the db changes; call this to add RESIZEDB.
   */
  selectDb(db: number, size?: number, expires?: number): Buffer {
    this.ensureHeader();
    this.select(db, size, expires);
    return this.take();
  }

  /** One key. Empty collections give an empty chunk. Throws on values RDB cannot hold (NaN scores). */
  entry(e: RdbEntry): Buffer {
    this.add(e);
    return this.take();
  }

  /**
   * One key, kept in the writer until the next take(): a snapshot adds many keys per slice and
   * takes one chunk (one allocation, one CRC update) for all of them.
   */
  add(e: RdbEntry): void {
    this.ensureHeader();
    if (isEmptyValue(e.value)) return;
    if (e.db !== this.db) this.select(e.db);
    const s = this.sink;
    if (e.expireMs !== undefined) {
      s.byte(OP.EXPIRETIME_MS);
      s.int64LE(e.expireMs);
    }
    if (e.idleSeconds !== undefined) {
      s.byte(OP.IDLE);
      s.len(e.idleSeconds);
    } else if (e.lfuFreq !== undefined) {
      s.byte(OP.FREQ);
      s.byte(e.lfuFreq & 0xff);
    }
    writeValue(s, e.key, e.value, this.listFill);
    this.keyCount++;
  }

  /**
   * A string key with a string value, both latin1 JS strings as the keyspace holds them: the
   * common key of a snapshot, written without building an RdbEntry or Buffers for it.
   */
  addString(db: number, key: string, value: string, expireMs?: number): void {
    this.ensureHeader();
    if (db !== this.db) this.select(db);
    const s = this.sink;
    if (expireMs !== undefined) {
      s.byte(OP.EXPIRETIME_MS);
      s.int64LE(expireMs);
    }
    s.byte(TYPE.STRING);
    s.string(latin1Bytes(key, KEY_SCRATCH));
    s.string(latin1Bytes(value, VALUE_SCRATCH));
    this.keyCount++;
  }

  /** EOF and the checksum. The writer accepts nothing after this. */
  finish(): Buffer {
    this.ensureHeader();
    this.sink.byte(OP.EOF);
    const body = this.take();
    this.finished = true;
    const trailer = this.checksum ? this.crc.digestLE() : Buffer.alloc(8);
    return Buffer.concat([body, trailer]);
  }

  /** A whole file in one Buffer (tests and small data sets). */
  static writeAll(entries: Iterable<RdbEntry>, functions: Iterable<Uint8Array> = [], opts: RdbWriterOptions = {}): Buffer {
    const w = new RdbWriter(opts);
    const chunks: Buffer[] = [w.header()];
    for (const f of functions) chunks.push(w.function(f));
    for (const e of entries) chunks.push(w.entry(e));
    chunks.push(w.finish());
    return Buffer.concat(chunks);
  }

  private ensureHeader(): void {
    if (this.finished) throw new Error('RdbWriter: already finished');
    if (this.started) return;
    this.started = true;
    const s = this.sink;
    s.push(Buffer.from(`REDIS${String(WRITE_VERSION).padStart(4, '0')}`, 'latin1'));
    const aux = (k: string, v: string): void => {
      s.byte(OP.AUX);
      s.string(Buffer.from(k, 'latin1'));
      s.string(Buffer.from(v, 'latin1'));
    };
    aux('redis-ver', this.opts.redisVer ?? '7.0.15');
    aux('redis-bits', '64');
    aux('ctime', String(this.opts.ctime ?? Math.floor(Date.now() / 1000)));
    aux('used-mem', String(this.opts.usedMem ?? 0));
    aux('aof-base', this.opts.aofBase === true ? '1' : '0');
  }

  private select(db: number, size?: number, expires?: number): void {
    if (!Number.isInteger(db) || db < 0) throw new Error(`bad db number ${db}`);
    this.sink.byte(OP.SELECTDB);
    this.sink.len(db);
    if (size !== undefined) {
      this.sink.byte(OP.RESIZEDB);
      this.sink.len(size);
      this.sink.len(expires ?? 0);
    }
    this.db = db;
  }

  /** Drains what was added since the last chunk into one chunk, and folds it into the CRC. */
  take(): Buffer {
    const out = this.sink.take();
    if (this.checksum) this.crc.update(out);
    return out;
  }
}
