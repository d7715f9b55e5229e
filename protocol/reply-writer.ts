/*
 * ReplyWriter: replies by meaning in, RESP2 or RESP3 bytes out, one writer per connection.
 *
 * Bytes on the wire, RESP2 | RESP3:
 *   status +OK  error -ERR ...  integer :12  bulk $3\r\nfoo  null $-1 | _  array *n
 *   map *2n | %n   set *n | ~n   double $len\r\n17g | ,17g   bool :1 | #t   push *n | >n
 *   verbatim $len | =len\r\ntxt:...   big number $len | (digits
 *
 * Memory: every writer appends into one shared slab (a large Buffer). A writer remembers the
 * segment it owns; at flush the segment leaves as a subarray view, so a batch of replies costs no
 * allocation beyond that view. Bytes handed to the socket are never written again: the slab only
 * grows forward and a full slab is replaced, not reused. When two writers interleave (a PUBLISH
 * writes into a subscriber's writer mid-batch) each closes its segment and opens a new one.
 * Values of 16 KiB or more are not copied: they go to the socket as their own chunk.
 */
import { formatDouble17g } from './numbers.js';

/** Where a flush sends its chunks: a net.Socket satisfies it. */
export interface ReplySink {
  write(chunk: Buffer): boolean;
  write(chunk: string, encoding: 'latin1'): boolean;
  cork(): void;
  uncork(): void;
}

export type RespVersion = 2 | 3;
type Chunk = Buffer | string;

const SLAB_SIZE = 256 * 1024;
const BIG_VALUE = 16 * 1024;
/** A writer's own buffer once others interleave with it; a new one after each flush. */
const PRIVATE_SIZE = 4 * 1024;

/** The shared slab. Module state on purpose: all connections of a process write into it. */
let slab: Buffer = Buffer.allocUnsafeSlow(SLAB_SIZE);
let slabPos = 0;

const CRLF_0 = 13;
const CRLF_1 = 10;

/** Bytes of the decimal form of a non-negative safe integer. */
function digitCount(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

export class ReplyWriter {
  /** 2 or 3, switched by HELLO. */
  resp: RespVersion = 2;
  /** Total bytes ever written to this writer (dispatch compares it before and after a handler). */
  written = 0;
  /** Error replies written, and the last one (dispatch counts them per command and per code). */
  errorCount = 0;
  lastError = '';

  private chunks: Chunk[] = [];
  /** Bytes in `chunks`, kept as they are added so output limits cost O(1) per check. */
  private chunkBytes = 0;
  /**
   * The buffer this writer's open segment is in: the shared slab, or a private buffer it took
   * when other writers kept interleaving with it (pub/sub fan-out), so that each delivery is
   * not a segment of its own.
   */
  private owner: Buffer | null = null;
  private start = 0;
  private end = 0;
  private muted = false;
  private scratch: Buffer | null = null;

  /** Discards everything written until unmute() (CLIENT REPLY OFF / SKIP). */
  mute(): void {
    this.closeSegment();
    this.muted = true;
  }

  unmute(): void {
    this.muted = false;
    this.owner = null;
  }

  get isMuted(): boolean {
    return this.muted;
  }

  /** True when replies are waiting for flush(). */
  get hasPending(): boolean {
    return this.chunks.length > 0 || (this.owner !== null && this.end > this.start);
  }

  /** Bytes waiting for flush(), for CLIENT LIST omem and output limits. */
  get pendingBytes(): number {
    return (this.owner !== null ? this.end - this.start : 0) + this.chunkBytes;
  }

  /**
   * Sends everything written since the last flush in one socket write (corked when it is several
   * chunks). Returns false when the socket's buffer is full and the caller should stop reading.
   */
  flush(sink: ReplySink): boolean {
    this.closeSegment();
    const chunks = this.chunks;
    const n = chunks.length;
    if (n === 0) return true;
    let ok = true;
    if (n === 1) {
      const c = chunks[0]!;
      ok = typeof c === 'string' ? sink.write(c, 'latin1') : sink.write(c);
    } else {
      sink.cork();
      for (let i = 0; i < n; i++) {
        const c = chunks[i]!;
        ok = typeof c === 'string' ? sink.write(c, 'latin1') : sink.write(c);
      }
      sink.uncork();
    }
    chunks.length = 0;
    this.chunkBytes = 0;
    return ok;
  }

  /** Takes the pending bytes as one Buffer (tests, in-process clients, MULTI capture). */
  take(): Buffer {
    this.closeSegment();
    const parts = this.chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'latin1') : c));
    this.chunks.length = 0;
    this.chunkBytes = 0;
    return parts.length === 1 ? Buffer.from(parts[0]!) : Buffer.concat(parts);
  }

  /** Drops everything written since the last flush. */
  discard(): void {
    this.closeSegment();
    this.chunks.length = 0;
    this.chunkBytes = 0;
  }

  // ---- replies -------------------------------------------------------------------------------

  ok(): void {
    this.raw(OK);
  }

  simple(text: string): void {
    this.line(43 /* + */, text);
  }

  /** `line` is the error without '-', e.g. `ERR syntax error`. */
  error(line: string): void {
    this.errorCount++;
    this.lastError = line;
    this.line(45 /* - */, line);
  }

  integer(n: number | bigint): void {
    if (typeof n === 'bigint' || !Number.isSafeInteger(n)) {
      this.line(58, BigInt(n).toString());
      return;
    }
    if (n >= 0 && n < SMALL_INTS.length) {
      this.raw(SMALL_INTS[n]!);
      return;
    }
    this.numberLine(58 /* : */, n);
  }

  /** A bulk string; a string value is taken as latin1 (one char per byte). */
  bulk(v: string | Buffer): void {
    const len = v.length;
    if (len >= BIG_VALUE) {
      this.numberLine(36, len);
      this.closeSegment();
      if (!this.muted) {
        this.chunks.push(typeof v === 'string' ? v : Buffer.from(v));
        this.chunkBytes += len;
        this.written += len;
      }
      this.raw(CRLF);
      return;
    }
    const b = this.reserve(len + 24);
    let p = this.writeHeader(b, this.end, 36, len);
    if (typeof v === 'string') {
      if (len < 16) {
        for (let i = 0; i < len; i++) b[p++] = v.charCodeAt(i);
      } else {
        p += b.latin1Write(v, p, len);
      }
    } else {
      v.copy(b, p);
      p += len;
    }
    b[p++] = CRLF_0;
    b[p++] = CRLF_1;
    this.commit(p);
  }

  /** A bulk string of a number's decimal form (INCR results shown as bulk, CONFIG GET...). */
  bulkNumber(n: number): void {
    this.bulk(String(n));
  }

  nullBulk(): void {
    this.raw(this.resp === 3 ? NULL3 : NULL_BULK);
  }

  nullArray(): void {
    this.raw(this.resp === 3 ? NULL3 : NULL_ARRAY);
  }

  arrayLen(n: number): void {
    if (n === 0) return this.raw(EMPTY_ARRAY);
    this.numberLine(42 /* * */, n);
  }

  /** A map of n pairs: RESP3 %n, RESP2 a flat array of 2n. */
  mapLen(n: number): void {
    if (this.resp === 3) this.numberLine(37 /* % */, n);
    else this.arrayLen(n * 2);
  }

  setLen(n: number): void {
    if (this.resp === 3) this.numberLine(126 /* ~ */, n);
    else this.arrayLen(n);
  }

  pushLen(n: number): void {
    if (this.resp === 3) this.numberLine(62 /* > */, n);
    else this.arrayLen(n);
  }

  /** RESP3 attribute-free double; RESP2 sends it as a bulk string. Formatted %.17g as Redis 7.0. */
  double(d: number): void {
    const text = formatDouble17g(d);
    if (this.resp === 3) this.line(44 /* , */, text);
    else this.bulk(text);
  }

  bool(b: boolean): void {
    if (this.resp === 3) this.raw(b ? TRUE3 : FALSE3);
    else this.raw(b ? SMALL_INTS[1]! : SMALL_INTS[0]!);
  }

  /** RESP3 verbatim string (INFO, CLIENT LIST...), a plain bulk under RESP2. */
  verbatim(text: string, format = 'txt'): void {
    if (this.resp !== 3) return this.bulk(text);
    const body = `${format}:${text}`;
    this.numberLine(61 /* = */, body.length);
    this.raw(Buffer.from(body + '\r\n', 'latin1'));
  }

  bigNumber(digits: string): void {
    if (this.resp === 3) this.line(40 /* ( */, digits);
    else this.bulk(digits);
  }

  /** Bulk strings for each element, after an array header. */
  bulkArray(items: readonly (string | Buffer)[]): void {
    this.arrayLen(items.length);
    for (let i = 0; i < items.length; i++) this.bulk(items[i]!);
  }

  /** Pre-encoded bytes, copied in (shared constant replies). */
  raw(bytes: Buffer): void {
    const len = bytes.length;
    const b = this.reserve(len);
    let p = this.end;
    if (len <= 32) {
      // Constant replies are a few bytes: a loop beats a native copy call.
      for (let i = 0; i < len; i++) b[p++] = bytes[i]!;
    } else {
      p += bytes.copy(b, p);
    }
    this.commit(p);
  }

  /**
   * Reserves a place for an aggregate header whose length is known only later (EXEC, COMMAND).
   * Fill it with setDeferredLen; until then flush() must not run.
   */
  deferLen(): number {
    this.closeSegment();
    if (this.muted) return -1;
    this.chunks.push('');
    return this.chunks.length - 1;
  }

  setDeferredLen(slot: number, kind: 42 | 37 | 126, n: number): void {
    if (slot < 0) return;
    let prefix = kind;
    let count = n;
    if (this.resp === 2 && kind !== 42) {
      prefix = 42;
      if (kind === 37) count = n * 2;
    }
    const header = `${String.fromCharCode(prefix)}${count}\r\n`;
    this.chunkBytes += header.length - this.chunks[slot]!.length;
    this.chunks[slot] = header;
  }

  // ---- internals -----------------------------------------------------------------------------

  private line(prefix: number, text: string): void {
    const len = text.length;
    const b = this.reserve(len + 3);
    let p = this.end;
    b[p++] = prefix;
    p += b.latin1Write(text, p, len);
    b[p++] = CRLF_0;
    b[p++] = CRLF_1;
    this.commit(p);
  }

  private numberLine(prefix: number, n: number): void {
    const b = this.reserve(24);
    this.commit(this.writeHeader(b, this.end, prefix, n));
  }

  /** Writes `<prefix><n>\r\n` at p; returns the index after it. */
  private writeHeader(b: Buffer, p: number, prefix: number, n: number): number {
    b[p++] = prefix;
    if (n < 0) {
      b[p++] = 45;
      n = -n;
    }
    const d = digitCount(n);
    let q = p + d;
    p = q;
    do {
      b[--q] = 48 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
    b[p++] = CRLF_0;
    b[p++] = CRLF_1;
    return p;
  }

  /** Makes room for n bytes at this.end in the buffer returned; the caller then calls commit. */
  private reserve(n: number): Buffer {
    if (this.owner === slab && this.end === slabPos && slabPos + n <= slab.length) return slab;
    return this.reserveSlow(n);
  }

  private reserveSlow(n: number): Buffer {
    if (this.muted) {
      if (this.scratch === null || this.scratch.length < n) this.scratch = Buffer.allocUnsafe(Math.max(n, 4096));
      this.owner = null;
      this.end = 0;
      return this.scratch;
    }
    const owner = this.owner;
    if (owner !== null && owner !== slab && this.end + n <= owner.length) return owner;
    // Another writer wrote after this one's segment: from now until the flush, a private buffer.
    const interleaved = owner !== null && (owner !== slab || this.end !== slabPos);
    this.closeSegment();
    if (interleaved) {
      this.owner = Buffer.allocUnsafe(Math.max(PRIVATE_SIZE, n));
      this.start = this.end = 0;
      return this.owner;
    }
    if (slabPos + n > slab.length) {
      slab = Buffer.allocUnsafeSlow(Math.max(SLAB_SIZE, n));
      slabPos = 0;
    }
    this.owner = slab;
    this.start = this.end = slabPos;
    return slab;
  }

  private commit(p: number): void {
    if (this.muted) return;
    this.written += p - this.end;
    this.end = p;
    if (this.owner === slab) slabPos = p;
  }

  private closeSegment(): void {
    if (this.owner !== null && this.end > this.start) {
      this.chunks.push(this.owner.subarray(this.start, this.end));
      this.chunkBytes += this.end - this.start;
    }
    this.owner = null;
    this.start = this.end = 0;
  }
}

const OK = Buffer.from('+OK\r\n');
const CRLF = Buffer.from('\r\n');
const NULL_BULK = Buffer.from('$-1\r\n');
const NULL_ARRAY = Buffer.from('*-1\r\n');
const NULL3 = Buffer.from('_\r\n');
const EMPTY_ARRAY = Buffer.from('*0\r\n');
const TRUE3 = Buffer.from('#t\r\n');
const FALSE3 = Buffer.from('#f\r\n');
const SMALL_INTS: Buffer[] = Array.from({ length: 1024 }, (_, i) => Buffer.from(`:${i}\r\n`));
