/*
 * The RESP command stream of an .aof file (incr files, RESP bases, the tail after an RDB
 * preamble): reading it record by record as Redis 7.0 does, and encoding records
 * (persistence-format.md §2.1, §2.6, §3.2, §3.3, §4.2).
 *
 * Bytes: `*<argc>\r\n` then per argument `$<len>\r\n<len bytes>\r\n`; at a record boundary a line
 * starting with `#` is an annotation (Redis 7.0 writes only `#TS:<unix seconds>\r\n`).
 *
 * Reading works on a file descriptor through a window of at least `chunkSize` bytes (4 MiB), grown
 * to hold a record bigger than that, so a multi-GB file is never in memory at once; a Buffer can be
 * read whole (no copy) or through the same window (tests force tiny windows). Argument Buffers are
 * subarray views into the window: valid until the next call to next(); copy what you keep.
 *
 * Two rule sets, both taken from the 7.0.15 sources:
 *  - server (default), as loadSingleAppendOnlyFile: lines are fgets pieces of at most 1023 bytes
 *    (a longer line is split, and its tail read as the next line, as Redis does); argc by atoi
 *    (< 1 is a format error); lengths by strtol; the 2 bytes after each bulk are skipped unchecked;
 *    EOF inside a record is 'truncated' at the record's start (Redis's fread/fgets short read).
 *  - strict, as redis-check-aof's checkSingleAof: header lines are fgets pieces of at most 127
 *    bytes and must be `<prefix><strtol>\r\n`, every bulk must end in \r\n, nested MULTI and EXEC
 *    without MULTI are errors, and a stop reports ok_up_to (`offset`, which stays at an open
 *    MULTI), the error position (`at`, the tool's `0x…:` prefix) and its message text; `lines`
 *    counts the lines the tool counts for ok_up_to_line.
 * The reader never throws for bad bytes; I/O errors from the descriptor propagate. It does not
 * own the descriptor.
 */
import { constants as bufferConstants } from 'node:buffer';
import * as fs from 'node:fs';

export type AofItem =
  | { kind: 'command'; argv: Buffer[]; start: number; end: number }
  /** `line` is the fgets piece without its trailing \n (and a \r before it). */
  | { kind: 'annotation'; line: Buffer; ts: number | null; start: number; end: number };

/**
 * `offset`: the start of the record that failed (strict: ok_up_to). `at`: where the problem is.
 * Strict stops carry redis-check-aof's message text ('' where it prints none) and `at` is its
 * `0x…:` offset, except `at === null` with 'format error': the tool's `AOF <name> format error`.
 */
export type AofStop =
  /** Clean end at a record boundary (strict: and no MULTI left open). */
  | { kind: 'eof'; offset: number }
  /** EOF inside a record (strict: or inside a MULTI). */
  | { kind: 'truncated'; offset: number; at: number | null; message: string }
  /** Bytes Redis refuses to load. */
  | { kind: 'format'; offset: number; at: number | null; message: string };

export interface AofReaderOptions {
  /** File offset of the first record (after an RDB preamble). Default 0. */
  startOffset?: number;
  /** Bytes of the file to read; default: fstat size for a descriptor, length for a Buffer. */
  fileSize?: number;
  /** redis-check-aof rules instead of the server's. */
  strict?: boolean;
  /** Smallest window in bytes. Default 4 MiB; a Buffer is read without a window unless set. */
  chunkSize?: number;
  /** Strict: the path redis-check-aof names in "Unexpected MULTI/EXEC in AOF <path>". */
  path?: string;
}

export function isAofStop(r: AofItem | AofStop): r is AofStop {
  return r.kind !== 'command' && r.kind !== 'annotation';
}

export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;
/** fgets(buf, 1024) in the server loader and for annotations. */
const LINE_MAX = 1023;
/** fgets(buf, 128) in redis-check-aof's readLong. */
const STRICT_HEADER_MAX = 127;
const STAR = 42;
const DOLLAR = 36;
const HASH = 35;
const CR = 13;
const LF = 10;
const LONG_MAX = 9223372036854775807n;
const LONG_MIN = -9223372036854775808n;
const EOF_IN_MULTI = 'Reached EOF before reading EXEC for MULTI';

export class AofRecordReader {
  private readonly fd: number;
  private readonly src: Buffer | null;
  private readonly limit: number;
  private readonly chunk: number;
  private readonly strict: boolean;
  private readonly path: string;
  private win: Buffer;
  /** File offset of win[0]; win holds `len` valid bytes. */
  private base: number;
  private len: number;
  /** The window reaches the end of what can be read. */
  private srcEof: boolean;
  private pos: number;
  /** File offset the parser needs the window to reach before it can decide. */
  private need = 0;
  private stop: AofStop | null = null;
  // redis-check-aof state: open MULTI count, ok_up_to, last error position, counted lines.
  private multi = 0;
  private okUpTo: number;
  private epos: number;
  private lineCount = 0;

  constructor(source: number | Buffer, opts: AofReaderOptions = {}) {
    const start = opts.startOffset ?? 0;
    this.strict = opts.strict ?? false;
    this.path = opts.path ?? '';
    this.pos = start;
    this.okUpTo = start;
    this.epos = start;
    if (typeof source === 'number') {
      this.fd = source;
      this.src = null;
      this.limit = opts.fileSize ?? fs.fstatSync(source).size;
    } else {
      this.fd = -1;
      this.src = source;
      this.limit = Math.min(opts.fileSize ?? source.length, source.length);
    }
    this.chunk = Math.max(1, opts.chunkSize ?? DEFAULT_CHUNK_SIZE);
    if (this.src !== null && opts.chunkSize === undefined) {
      // The whole Buffer is the window: no copy at all.
      [this.win, this.base, this.len, this.srcEof] = [this.src, 0, this.limit, true];
    } else {
      this.win = Buffer.alloc(0);
      this.base = start;
      this.len = 0;
      this.srcEof = start >= this.limit;
    }
  }

  /** File offset where the next record starts (the end of the last item returned). */
  get offset(): number {
    return this.pos;
  }

  /** Strict mode: lines redis-check-aof has counted so far (its ok_up_to_line starts at 1). */
  get lines(): number {
    return this.lineCount;
  }

  /** The next item, or the stop that ends the file (returned again on every later call). */
  next(): AofItem | AofStop {
    if (this.stop !== null) return this.stop;
    for (;;) {
      const wasEof = this.srcEof;
      const r = this.strict ? this.parseStrict() : this.parseServer();
      if (r !== null) {
        if (isAofStop(r)) this.stop = r;
        return r;
      }
      if (wasEof) throw new Error('AofRecordReader: parser asked for bytes past the end');
      if (!this.fill()) {
        return (this.stop = format(this.pos, this.pos, `record at ${this.pos} does not fit in one Buffer`));
      }
    }
  }

  /** Asks for the window to reach file offset `abs`; callers check srcEof first. */
  private more(abs: number): null {
    this.need = abs;
    return null;
  }

  /**
   * Starts a new window at pos with the unparsed bytes, at least `need` long (doubling for a
   * record larger than a chunk, so a huge record costs O(size) copying), and reads into it.
   */
  private fill(): boolean {
    const keepFrom = this.pos - this.base;
    const keep = this.len - keepFrom;
    let size = Math.max(Math.min(this.need, this.limit) - this.pos, keep + Math.max(this.chunk, keep));
    size = Math.min(size, this.limit - this.pos);
    if (size > bufferConstants.MAX_LENGTH) return false;
    const next = Buffer.allocUnsafe(size);
    this.win.copy(next, 0, keepFrom, this.len);
    this.win = next;
    this.base = this.pos;
    this.len = keep;
    while (this.len < size) {
      const n = this.read(next, this.len, size - this.len, this.base + this.len);
      if (n === 0) break;
      this.len += n;
    }
    if (this.len < size || this.base + this.len >= this.limit) this.srcEof = true;
    return true;
  }

  private read(into: Buffer, offset: number, length: number, position: number): number {
    if (this.src !== null) return this.src.copy(into, offset, position, Math.min(position + length, this.limit));
    return fs.readSync(this.fd, into, offset, length, position);
  }

  /**
   * fgets(buf, max + 1) from window index i: the index just past the piece (its \n included),
   * or -1 when the window ends first and more can be read.
   */
  private lineEnd(i: number, max: number): number {
    const b = this.win;
    const stop = Math.min(this.len, i + max);
    for (let k = i; k < stop; k++) if (b[k] === LF) return k + 1;
    if (i + max <= this.len || this.srcEof) return stop;
    return -1;
  }

  /** The fgets piece ending at window index e stopped at the end of the file, not at a \n. */
  private hitEof(e: number): boolean {
    return e === this.len && this.srcEof && this.win[e - 1] !== LF;
  }

  private annotation(i: number): AofItem | null {
    const e = this.lineEnd(i, LINE_MAX);
    if (e < 0) return this.more(this.base + this.len + 1);
    const b = this.win;
    // The piece is never empty; drop its \n and a \r before it.
    let t = e;
    if (b[t - 1] === LF && --t > i && b[t - 1] === CR) t--;
    const start = this.base + i;
    this.pos = this.base + e;
    return { kind: 'annotation', line: b.subarray(i, t), ts: annotationTs(b, i, e), start, end: this.pos };
  }

  private parseServer(): AofItem | AofStop | null {
    const b = this.win;
    const n = this.len;
    const base = this.base;
    const start = this.pos;
    const i = start - base;
    if (i >= n) return this.srcEof ? { kind: 'eof', offset: start } : this.more(start + 1);
    const c0 = b[i]!;
    if (c0 === HASH) return this.annotation(i);
    if (c0 !== STAR) return format(start, start, `expected '*' or '#' at a record start, got ${show(c0)}`);

    let argc = fastNumber(b, i + 1, n);
    let j = fastEnd;
    if (argc < 0) {
      const e = this.lineEnd(i, LINE_MAX);
      if (e < 0) return this.more(base + n + 1);
      // Redis: buf[1] == '\0' is a read error, which at EOF means a short read.
      if (e === i + 1) return truncated(start, start + 1);
      if (b[i + 1] === 0) return format(start, start + 1, "NUL byte after '*'");
      argc = strtol(b, i + 1, e);
      if (cBig !== null) argc = Number(BigInt.asIntN(32, cBig));
      j = e;
    }
    // atoi returns an int: the low 32 bits of what strtol read.
    argc |= 0;
    if (argc < 1) return format(start, start, `invalid argument count ${argc}`);

    const argv: Buffer[] = [];
    for (let a = 0; a < argc; a++) {
      if (j >= n) return this.srcEof ? truncated(start, base + j) : this.more(base + j + 1);
      if (b[j] !== DOLLAR) return format(start, base + j, `expected '$', got ${show(b[j]!)}`);
      let len = fastNumber(b, j + 1, n);
      let h = fastEnd;
      if (len < 0) {
        const e = this.lineEnd(j, LINE_MAX);
        if (e < 0) return this.more(base + n + 1);
        len = strtol(b, j + 1, e);
        if (len < 0) return format(start, base + j, `invalid bulk length ${cBig ?? len}`);
        h = e;
      }
      const dataEnd = h + len + 2;
      if (dataEnd > n) return this.srcEof ? truncated(start, base + h) : this.more(base + dataEnd);
      argv.push(b.subarray(h, h + len));
      j = dataEnd;
    }
    this.pos = base + j;
    return { kind: 'command', argv, start, end: this.pos };
  }

  private strictStop(lines: number, offset: number, kind: 'truncated' | 'format', at: number, message: string): AofStop {
    this.lineCount += lines;
    return { kind, offset, at, message };
  }

  private parseStrict(): AofItem | AofStop | null {
    const b = this.win;
    const n = this.len;
    const base = this.base;
    const start = this.pos;
    const i = start - base;
    // checkSingleAof moves ok_up_to to each record start, except inside MULTI.
    const okUpTo = this.multi === 0 ? start : this.okUpTo;
    if (i >= n) {
      if (!this.srcEof) return this.more(start + 1);
      if (this.multi !== 0) return { kind: 'truncated', offset: okUpTo, at: this.epos, message: EOF_IN_MULTI };
      return { kind: 'eof', offset: start };
    }
    const c0 = b[i]!;
    if (c0 === HASH) {
      const item = this.annotation(i);
      if (item !== null) {
        this.okUpTo = okUpTo;
        this.epos = start;
      }
      return item;
    }
    if (c0 !== STAR) return { kind: 'format', offset: okUpTo, at: null, message: 'format error' };

    let lines = 0;
    let multi = this.multi;
    let argc = fastNumber(b, i + 1, n);
    let j = fastEnd;
    if (argc < 0) {
      const e = this.lineEnd(i, STRICT_HEADER_MAX);
      if (e < 0) return this.more(base + n + 1);
      argc = strtol(b, i + 1, e);
      const bad = badNewline(b, cEnd, e);
      if (bad !== null) return this.strictStop(lines, okUpTo, this.hitEof(e) ? 'truncated' : 'format', start, bad);
      j = e;
    }
    lines++;

    let epos = start;
    const argv: Buffer[] = [];
    for (let a = 0; a < argc; a++) {
      epos = base + j;
      if (j >= n) {
        if (!this.srcEof) return this.more(base + j + 1);
        return this.strictStop(lines, okUpTo, 'truncated', epos, multi !== 0 ? EOF_IN_MULTI : '');
      }
      if (b[j] !== DOLLAR) return this.strictStop(lines, okUpTo, 'format', epos, `Expected prefix '$', got: '${cChar(b[j]!)}`);
      let len = fastNumber(b, j + 1, n);
      let h = fastEnd;
      let bigLen: bigint | null = null;
      if (len < 0) {
        const e = this.lineEnd(j, STRICT_HEADER_MAX);
        if (e < 0) return this.more(base + n + 1);
        len = strtol(b, j + 1, e);
        bigLen = cBig;
        const bad = badNewline(b, cEnd, e);
        if (bad !== null) return this.strictStop(lines, okUpTo, this.hitEof(e) ? 'truncated' : 'format', epos, bad);
        h = e;
      }
      lines++;
      if (len < 0 || len > Number.MAX_SAFE_INTEGER) {
        // len > LONG_MAX - 2 can only be the clamped LONG_MAX; anything this big cannot be read.
        const shown = bigLen ?? BigInt(len);
        if (shown < 0n || shown > LONG_MAX - 2n) {
          return this.strictStop(lines, okUpTo, 'format', epos, `Expected to read string of ${shown} bytes, which is not in the suitable range`);
        }
        return this.strictStop(lines, okUpTo, 'truncated', base + h, `Expected to read ${shown + 2n} bytes, got ${n - h} bytes`);
      }
      epos = base + h;
      const dataEnd = h + len + 2;
      if (dataEnd > n) {
        if (!this.srcEof) return this.more(base + dataEnd);
        return this.strictStop(lines, okUpTo, 'truncated', epos, `Expected to read ${len + 2} bytes, got ${n - h} bytes`);
      }
      const bad = badNewline(b, h + len, dataEnd);
      if (bad !== null) return this.strictStop(lines, okUpTo, 'format', epos, bad);
      lines++;
      // strcasecmp on the C string: a NUL byte ends the name.
      if (a === 0 && len >= 4 && ((b[h]! | 0x20) === 0x6d || (b[h]! | 0x20) === 0x65)) {
        if (cNameIs(b, h, h + len, 'multi')) {
          if (multi++ !== 0) return this.strictStop(lines, okUpTo, 'format', epos, `Unexpected MULTI in AOF ${this.path}`);
        } else if (cNameIs(b, h, h + len, 'exec')) {
          if (--multi !== 0) return this.strictStop(lines, okUpTo, 'format', epos, `Unexpected EXEC in AOF ${this.path}`);
        }
      }
      argv.push(b.subarray(h, h + len));
      j = dataEnd;
    }
    this.lineCount += lines;
    this.multi = multi;
    this.okUpTo = okUpTo;
    this.epos = epos;
    this.pos = base + j;
    return { kind: 'command', argv, start, end: this.pos };
  }
}

function truncated(offset: number, at: number): AofStop {
  return { kind: 'truncated', offset, at, message: 'unexpected end of file' };
}

function format(offset: number, at: number, message: string): AofStop {
  return { kind: 'format', offset, at, message };
}

function show(c: number): string {
  return c >= 0x21 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `0x${c.toString(16).padStart(2, '0')}`;
}

/** printf("%c"): a NUL ends the message there (it is a C string). */
function cChar(c: number): string {
  return c === 0 ? '' : `${String.fromCharCode(c)}'`;
}

/** printf("%02x") of a char, which is signed on the platforms Redis runs on. */
function hexByte(c: number): string {
  return (c >= 0x80 ? 'ffffff' : '') + c.toString(16).padStart(2, '0');
}

/**
 * consumeNewline: null when b[p..p+2) is \r\n inside the piece ending at `end`, else the tool's
 * message. Past the piece is fgets's NUL (and then stack bytes we cannot know: shown as 00).
 */
function badNewline(b: Uint8Array, p: number, end: number): string | null {
  const x = p < end ? b[p]! : 0;
  const y = p + 1 < end ? b[p + 1]! : 0;
  if (x === CR && y === LF) return null;
  return `Expected \\r\\n, got: ${hexByte(x)}${hexByte(y)}`;
}

function cNameIs(b: Uint8Array, p: number, end: number, lower: string): boolean {
  let k = 0;
  for (; p + k < end && b[p + k] !== 0; k++) {
    if (k >= lower.length) return false;
    let c = b[p + k]!;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== lower.charCodeAt(k)) return false;
  }
  return k === lower.length;
}

let fastEnd = 0;

/**
 * The common header: 1..15 digits right after the prefix, then \r\n, all inside the window.
 * Returns the value and sets fastEnd past the \r\n, or -1 for anything else (the caller then
 * applies the exact C rules).
 */
function fastNumber(b: Uint8Array, p: number, n: number): number {
  let v = 0;
  let k = p;
  const stop = Math.min(n, p + 15);
  for (; k < stop; k++) {
    const d = b[k]! - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  if (k === p || k + 1 >= n || b[k] !== CR || b[k + 1] !== LF) return -1;
  fastEnd = k + 2;
  return v;
}

/** Results of the last strtol: where it stopped, the exact value if not a safe integer, ERANGE. */
let cEnd = 0;
let cBig: bigint | null = null;
let cRange = false;

/** C isspace in the C locale. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/**
 * strtol(s, &end, 10) over the C string b[p..end) (a NUL byte ends it too): leading whitespace, a
 * sign, digits; no digits gives 0 with cEnd = p; overflow clamps to LONG_MIN/LONG_MAX (cRange).
 */
function strtol(b: Uint8Array, p: number, end: number): number {
  const nptr = p;
  while (p < end && isSpace(b[p]!)) p++;
  let neg = false;
  if (p < end && (b[p] === 0x2b || b[p] === 0x2d)) {
    neg = b[p] === 0x2d;
    p++;
  }
  const digits = p;
  let v = 0;
  for (; p < end; p++) {
    const d = b[p]! - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  cBig = null;
  cRange = false;
  if (p === digits) {
    cEnd = nptr;
    return 0;
  }
  cEnd = p;
  if (p - digits <= 15) return neg ? -v : v;
  let big = BigInt(Buffer.from(b.buffer, b.byteOffset + digits, p - digits).toString('latin1'));
  if (neg) big = -big;
  if (big > LONG_MAX || big < LONG_MIN) {
    big = big > 0n ? LONG_MAX : LONG_MIN;
    cRange = true;
  }
  cBig = big;
  return Number(big);
}

/**
 * The value redis-check-aof accepts from `#TS:` (strtol without ERANGE, followed directly by
 * \r): so `#TS: 5`, `#TS:+5` and even `#TS:\r\n` (0) count, `#TS:5x` and `#TS:5\n` do not.
 */
function annotationTs(b: Uint8Array, i: number, e: number): number | null {
  if (e - i < 5 || b[i + 1] !== 0x54 || b[i + 2] !== 0x53 || b[i + 3] !== 0x3a) return null;
  const v = strtol(b, i + 4, e);
  if (cRange || cEnd >= e || b[cEnd] !== CR) return null;
  return v;
}

/** Digits of a non-negative integer; lengths of 10000+ bytes dwarf the cost of String(). */
function decimalLength(n: number): number {
  return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : String(n).length;
}

function writeDecimal(out: Uint8Array, p: number, n: number): number {
  const end = p + decimalLength(n);
  let q = end;
  do {
    out[--q] = 48 + (n % 10);
    n = Math.floor(n / 10);
  } while (n > 0);
  return end;
}

/** Bytes of `*<argc>\r\n` + `$<len>\r\n<arg>\r\n` per argument. */
export function recordSize(argv: readonly Uint8Array[]): number {
  let size = decimalLength(argv.length) + 3;
  for (let k = 0; k < argv.length; k++) {
    const len = argv[k]!.length;
    size += decimalLength(len) + len + 5;
  }
  return size;
}

/** Writes the record at out[p..]; the caller made room for recordSize(argv). Returns the end. */
export function writeRecord(out: Uint8Array, p: number, argv: readonly Uint8Array[]): number {
  out[p++] = STAR;
  p = writeDecimal(out, p, argv.length);
  out[p++] = CR;
  out[p++] = LF;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    const len = a.length;
    out[p++] = DOLLAR;
    p = writeDecimal(out, p, len);
    out[p++] = CR;
    out[p++] = LF;
    // A byte loop beats the native call for the short keys and values most records hold.
    if (len <= 32) for (let x = 0; x < len; x++) out[p + x] = a[x]!;
    else out.set(a, p);
    p += len;
    out[p++] = CR;
    out[p++] = LF;
  }
  return p;
}

/** One record as a new Buffer. */
export function encodeRecord(argv: readonly Uint8Array[]): Buffer {
  const out = Buffer.allocUnsafe(recordSize(argv));
  writeRecord(out, 0, argv);
  return out;
}

/** A caller-owned output buffer: bytes [0, length) of buf are in use; buf is replaced to grow. */
export interface RecordBuffer {
  buf: Buffer;
  length: number;
}

/** Makes room for `extra` more bytes (at least doubling, so appends are amortised O(1)). */
export function reserve(out: RecordBuffer, extra: number): void {
  const needed = out.length + extra;
  if (needed <= out.buf.length) return;
  const next = Buffer.allocUnsafe(Math.max(needed, out.buf.length * 2, 64));
  out.buf.copy(next, 0, 0, out.length);
  out.buf = next;
}

/** Appends one record to `out`. */
export function appendRecord(out: RecordBuffer, argv: readonly Uint8Array[]): void {
  reserve(out, recordSize(argv));
  out.length = writeRecord(out.buf, out.length, argv);
}

/** Appends raw bytes (an annotation or a cached SELECT) to `out`. */
export function appendBytes(out: RecordBuffer, bytes: Uint8Array): void {
  reserve(out, bytes.length);
  out.buf.set(bytes, out.length);
  out.length += bytes.length;
}

/** `#TS:<sec>\r\n`, the annotation Redis 7.0 writes with aof-timestamp-enabled (§2.6). */
export function encodeTimestamp(sec: number): Buffer {
  if (!Number.isSafeInteger(sec) || sec < 0) throw new RangeError(`bad #TS second: ${sec}`);
  const out = Buffer.allocUnsafe(decimalLength(sec) + 6);
  out.latin1Write('#TS:', 0);
  const p = writeDecimal(out, 4, sec);
  out[p] = CR;
  out[p + 1] = LF;
  return out;
}

const SELECT = Buffer.from('SELECT', 'latin1');
const SELECT_CACHE: Buffer[] = [];

/** `*2\r\n$6\r\nSELECT\r\n$<n>\r\n<db>\r\n`. Shared Buffer for db < 16: never mutate it. */
export function encodeSelect(db: number): Buffer {
  if (!Number.isSafeInteger(db) || db < 0) throw new RangeError(`bad db index: ${db}`);
  const rec = SELECT_CACHE[db] ?? encodeRecord([SELECT, Buffer.from(String(db), 'latin1')]);
  if (db < 16) SELECT_CACHE[db] = rec;
  return rec;
}
