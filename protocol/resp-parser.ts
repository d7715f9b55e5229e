/*
 * Incremental RESP request parser: bytes from a socket in, one argv (Buffer[]) per command out.
 *
 * Wire forms, as Redis 7 accepts them:
 *   multibulk  *<count>\r\n then <count> times $<len>\r\n<len bytes>\r\n
 *   inline     a text line split on spaces with "double" and 'single' quotes, ended by \n or \r\n
 * Redis skips the two bytes after a bulk without looking at them, and a count <= 0 is an empty
 * command that runs nothing; this parser does the same.
 *
 * Limits and their errors (the caller replies `-ERR Protocol error: <reason>` and closes):
 *   a line without \r past 64 KiB        too big mbulk count string / too big bulk count string
 *   an inline line past 64 KiB           too big inline request
 *   count not an int or > 2^31-1         invalid multibulk length
 *   length not an int, < 0 or too big    invalid bulk length (proto-max-bulk-len)
 *   before AUTH: count > 10, len > 16384 unauthenticated multibulk length / unauthenticated bulk length
 *
 * Ownership: argv elements are views into the chunks given to feed(). A caller whose chunks are
 * reused (the server reads into one buffer) calls detach() before the chunk's bytes change: the
 * parser then copies what it still holds. So an argv is valid while its command runs; anything
 * kept longer (a stored value, a blocked command) must be copied. A bulk of 32 KiB or more that
 * spans chunks is assembled once into its own buffer instead of by repeated concatenation.
 */
import { ProtocolError } from './errors.js';

export type Argv = Buffer[];

export const PROTO_INLINE_MAX_SIZE = 64 * 1024;
const BIG_ARG = 32 * 1024;
const INT_MAX = 2147483647;
const UNAUTH_MAX_COUNT = 10;
const UNAUTH_MAX_BULK = 16384;
const EMPTY = Buffer.alloc(0);
const INVALID = -2;
const PREALLOC_ARGS = 64;
/** Argument positions (from the command name) and sizes that recentOrView may serve from a copy. */
const RECENT_ARGS = 4;
const RECENT_ARG_MAX = 32;

export interface ParserLimits {
  /** proto-max-bulk-len: the largest bulk accepted. */
  maxBulkLen: number;
  /** True while the client has not authenticated and a password is required. */
  unauthenticated: boolean;
}

export class RespParser {
  /** Set when input was malformed; no further commands are returned after it. */
  error: ProtocolError | null = null;

  private buf: Buffer = EMPTY;
  private pos = 0;
  /** Chunks waiting because the current token needs `need` bytes and fewer have arrived. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private need = 0;

  private argv: Argv | null = null;
  /** Arguments stored in argv so far (argv is preallocated, so its length says nothing). */
  private filled = 0;
  /** Per argument position, an owned copy of bytes that repeated there (see recentOrView). */
  private readonly recentArg: Buffer[] = [EMPTY, EMPTY, EMPTY, EMPTY];
  private readonly recentHash = new Int32Array(RECENT_ARGS);
  private remaining = 0;
  private bulkLen = -1;
  private big: Buffer | null = null;
  /** The chunk of the last feed(), whose memory the caller may reuse after detach(). */
  private lastChunk: Buffer = EMPTY;
  private bigFilled = 0;

  constructor(private readonly limits: ParserLimits) {}

  /** Adds bytes from the socket. The chunk must not be modified afterwards. */
  feed(chunk: Buffer): void {
    this.lastChunk = chunk;
    if (this.big !== null) {
      chunk = this.fillBig(chunk);
      if (chunk.length === 0) return;
    }
    if (this.pos >= this.buf.length) {
      this.buf = chunk;
      this.pos = 0;
      return;
    }
    const held = this.buf.length - this.pos + this.pendingBytes + chunk.length;
    // Waiting for a bulk: keep chunks aside until it is complete. Waiting for a line end: keep
    // them aside until one may have arrived, or the 64 KiB limit is passed. Either way each byte
    // is copied once instead of once per chunk.
    const waiting = this.need > 0
      ? held < this.need
      : held <= PROTO_INLINE_MAX_SIZE && chunk.indexOf(10) < 0 && chunk.indexOf(13) < 0;
    if (waiting) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      return;
    }
    const parts = [this.buf.subarray(this.pos), ...this.pending, chunk];
    this.buf = Buffer.concat(parts);
    this.pos = 0;
    this.pending.length = 0;
    this.pendingBytes = 0;
    this.need = 0;
  }

  /**
   * Copies every byte still held from the last chunk (an unparsed tail, a half-read command's
   * arguments), so the caller may reuse the chunk's memory. Cheap when everything was consumed.
   */
  detach(): void {
    const shared = this.lastChunk.buffer;
    this.lastChunk = EMPTY;
    if (this.pos >= this.buf.length) {
      this.buf = EMPTY;
      this.pos = 0;
    } else if (this.buf.buffer === shared) {
      this.buf = Buffer.from(this.buf.subarray(this.pos));
      this.pos = 0;
    }
    const pending = this.pending;
    for (let i = 0; i < pending.length; i++) if (pending[i]!.buffer === shared) pending[i] = Buffer.from(pending[i]!);
    const argv = this.argv;
    if (argv !== null) for (let i = 0; i < this.filled; i++) if (argv[i]!.buffer === shared) argv[i] = Buffer.from(argv[i]!);
  }

  /** Bytes received but not yet returned as commands (for CLIENT LIST qbuf). */
  get buffered(): number {
    return this.buf.length - this.pos + this.pendingBytes + this.bigFilled;
  }

  /**
   * Returns the next complete command, or null when more bytes are needed or input was malformed
   * (then `error` is set).
   */
  next(): Argv | null {
    if (this.error !== null || this.big !== null) return null;
    const buf = this.buf;
    for (;;) {
      if (this.argv === null) {
        if (this.pos >= buf.length) return this.release();
        if (buf[this.pos] === 42 /* * */) {
          if (!this.readCount(buf)) return null;
          if (this.argv === null) continue; // *0 or negative: nothing to run
        } else {
          const argv = this.readInline(buf);
          if (argv === null) return null;
          if (argv.length === 0) continue;
          return argv;
        }
      }
      while (this.remaining > 0) {
        if (this.bulkLen < 0 && !this.readBulkLen(buf)) return null;
        const len = this.bulkLen;
        const avail = buf.length - this.pos;
        if (avail < len + 2) {
          if (len >= BIG_ARG) return this.startBig(buf, len);
          this.need = len + 2;
          return null;
        }
        const idx = this.filled++;
        this.argv![idx] = idx < RECENT_ARGS && len <= RECENT_ARG_MAX
          ? this.recentOrView(buf, this.pos, len, idx)
          : buf.subarray(this.pos, this.pos + len);
        this.pos += len + 2;
        this.bulkLen = -1;
        this.remaining--;
      }
      const argv = this.argv!;
      this.argv = null;
      return argv;
    }
  }

  /**
   * The argument at position idx: the parser's own copy when the same bytes came last time at that
   * position, else a view. A pipeline repeats its command name and often its key and small values,
   * and making a Buffer view costs more than comparing a few bytes. Bytes are copied only once
   * they come twice in a row (a short hash tells), so arguments that never repeat (random keys and
   * members) cost that hash and no copy. The copies are never written, so sharing them between
   * commands (queued in MULTI, held by a blocked client, awaiting the AOF) is safe.
   */
  private recentOrView(buf: Buffer, at: number, len: number, idx: number): Buffer {
    const prev = this.recentArg[idx]!;
    if (prev.length === len) {
      let i = len - 1;
      while (i >= 0 && prev[i] === buf[at + i]) i--;
      if (i < 0) return prev;
    }
    let h = len;
    for (let i = 0; i < len; i++) h = Math.imul(h ^ buf[at + i]!, 0x01000193);
    if (h === this.recentHash[idx]) {
      const copy = Buffer.from(buf.subarray(at, at + len));
      this.recentArg[idx] = copy;
      return copy;
    }
    this.recentHash[idx] = h;
    return buf.subarray(at, at + len);
  }

  private release(): null {
    this.buf = EMPTY;
    this.pos = 0;
    return null;
  }

  private fail(reason: string): false {
    this.error = new ProtocolError(reason);
    return false;
  }

  /**
   * Index of the '\r' ending the line at pos, -1 if not here yet (with the 64 KiB check). Redis
   * looks for it with strchr, which stops at a NUL byte: a NUL before the line end means "wait".
   */
  private lineEnd(buf: Buffer, tooBig: string): number {
    const cr = findBeforeNul(buf, 13, this.pos);
    if (cr < 0 || cr + 1 >= buf.length) {
      if (buf.length - this.pos > PROTO_INLINE_MAX_SIZE) this.fail(tooBig);
      else this.need = 0;
      return -1;
    }
    return cr;
  }

  private readCount(buf: Buffer): boolean {
    let cr = scanShortLine(buf, this.pos + 1);
    if (cr < 0) cr = this.lineEnd(buf, 'too big mbulk count string');
    if (cr < 0) return false;
    const n = parseLength(buf, this.pos + 1, cr);
    if (n === INVALID || n > INT_MAX) return this.fail('invalid multibulk length');
    if (n > UNAUTH_MAX_COUNT && this.limits.unauthenticated) return this.fail('unauthenticated multibulk length');
    this.pos = cr + 2;
    if (n > 0) {
      // Sized up front (push grows an empty array to 17 slots: garbage per command); a count
      // from the wire is only trusted that far, as Redis caps its preallocation.
      this.argv = n <= PREALLOC_ARGS ? new Array<Buffer>(n) : [];
      this.filled = 0;
      this.remaining = n;
      this.bulkLen = -1;
    }
    return true;
  }

  private readBulkLen(buf: Buffer): boolean {
    let cr = buf[this.pos] === 36 ? scanShortLine(buf, this.pos + 1) : -1;
    if (cr < 0) cr = this.lineEnd(buf, 'too big bulk count string');
    if (cr < 0) return false;
    const first = buf[this.pos]!;
    if (first !== 36 /* $ */) {
      return this.fail(`expected '$', got '${String.fromCharCode(first)}'`);
    }
    const n = parseLength(buf, this.pos + 1, cr);
    if (n < 0 || n > this.limits.maxBulkLen) return this.fail('invalid bulk length');
    if (n > UNAUTH_MAX_BULK && this.limits.unauthenticated) return this.fail('unauthenticated bulk length');
    this.pos = cr + 2;
    this.bulkLen = n;
    return true;
  }

  private startBig(buf: Buffer, len: number): null {
    const big = Buffer.allocUnsafe(len + 2);
    const avail = buf.length - this.pos;
    buf.copy(big, 0, this.pos);
    this.big = big;
    this.bigFilled = avail;
    this.release();
    return null;
  }

  /** Copies bytes into the big bulk under assembly; returns what is left of the chunk. */
  private fillBig(chunk: Buffer): Buffer {
    const big = this.big!;
    const take = Math.min(chunk.length, big.length - this.bigFilled);
    chunk.copy(big, this.bigFilled, 0, take);
    this.bigFilled += take;
    if (this.bigFilled < big.length) return EMPTY;
    this.argv![this.filled++] = big.subarray(0, big.length - 2);
    this.big = null;
    this.bigFilled = 0;
    this.bulkLen = -1;
    this.remaining--;
    // The tail of this chunk is parsed from a fresh buffer; a completed argv waits in this.argv.
    this.buf = EMPTY;
    this.pos = 0;
    return chunk.subarray(take);
  }

  private readInline(buf: Buffer): Argv | null {
    const nl = findBeforeNul(buf, 10, this.pos);
    if (nl < 0) {
      if (buf.length - this.pos > PROTO_INLINE_MAX_SIZE) this.fail('too big inline request');
      return null;
    }
    let end = nl;
    if (end > this.pos && buf[end - 1] === 13) end--;
    const argv = splitInline(buf, this.pos, end);
    if (argv === null) {
      this.fail('unbalanced quotes in request');
      return null;
    }
    this.pos = nl + 1;
    return argv;
  }
}

/**
 * The '\r' ending a short line of digits at start, found by a JS loop (a native indexOf per
 * header line costs more than the scan). -1 when the line is anything else or incomplete; the
 * caller then takes the general path, which has Redis's exact rules.
 */
function scanShortLine(buf: Buffer, start: number): number {
  const end = Math.min(buf.length - 1, start + 21);
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c === 13) return i;
    if ((c < 48 || c > 57) && c !== 45) return -1;
  }
  return -1;
}

/** indexOf(byte) from start, as strchr sees it: -1 when a NUL comes first. */
function findBeforeNul(buf: Buffer, byte: number, start: number): number {
  const at = buf.indexOf(byte, start);
  const nul = buf.indexOf(0, start);
  if (nul >= 0 && (at < 0 || nul < at)) return -1;
  return at;
}

/** string2ll over buf[start, end): a canonical integer, or INVALID. */
function parseLength(buf: Buffer, start: number, end: number): number {
  const len = end - start;
  if (len <= 0 || len > 20) return INVALID;
  let i = start;
  let negative = false;
  if (buf[i] === 45) {
    if (len === 1) return INVALID;
    negative = true;
    i++;
  }
  if (buf[i] === 48) return end - i === 1 && !negative ? 0 : INVALID;
  let v = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return INVALID;
    v = v * 10 + d;
  }
  // Past 2^53 the value is only approximate, but every caller treats such sizes as too big.
  return negative ? -v : v;
}

/** isspace() in the C locale. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** The characters that end a bare word in sdssplitargs. */
function endsBareWord(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

const ESCAPES: Record<number, number> = { 110: 10, 114: 13, 116: 9, 98: 8, 97: 7 };

/**
 * Splits an inline command line as sdssplitargs does; null on unbalanced quotes. A word is bare
 * bytes and quoted sections glued together ("a"b is an error, a"b c" is the word `ab c`); a NUL
 * byte ends the line, as it ends the C string Redis splits.
 */
export function splitInline(buf: Buffer, start: number, end: number): Argv | null {
  const nul = buf.indexOf(0, start);
  if (nul >= 0 && nul < end) end = nul;
  const argv: Argv = [];
  let i = start;
  for (;;) {
    while (i < end && isSpace(buf[i]!)) i++;
    if (i >= end) return argv;
    const wordStart = i;
    while (i < end && !endsBareWord(buf[i]!) && buf[i] !== 34 && buf[i] !== 39) i++;
    if (i >= end || endsBareWord(buf[i]!)) {
      argv.push(buf.subarray(wordStart, i));
      continue;
    }
    const word: number[] = [];
    for (let k = wordStart; k < i; k++) word.push(buf[k]!);
    const next = readQuotedWord(buf, i, end, word);
    if (next < 0) return null;
    i = next;
    argv.push(Buffer.from(word));
  }
}

/** Reads from a quote at i to the end of the word into `word`; returns the next index or -1. */
function readQuotedWord(buf: Buffer, i: number, end: number, word: number[]): number {
  while (i < end) {
    const c = buf[i]!;
    if (endsBareWord(c)) return i;
    if (c !== 34 && c !== 39) {
      word.push(c);
      i++;
      continue;
    }
    i++;
    let closed = false;
    while (i < end) {
      const b = buf[i]!;
      if (c === 34 && b === 92 && i + 1 < end) {
        const n = buf[i + 1]!;
        const h1 = hexValue(buf[i + 2]);
        const h2 = hexValue(buf[i + 3]);
        if (n === 120 && i + 3 < end && h1 >= 0 && h2 >= 0) {
          word.push(h1 * 16 + h2);
          i += 4;
        } else {
          word.push(ESCAPES[n] ?? n);
          i += 2;
        }
      } else if (c === 39 && b === 92 && buf[i + 1] === 39 && i + 1 < end) {
        word.push(39);
        i += 2;
      } else if (b === c) {
        i++;
        if (i < end && !isSpace(buf[i]!)) return -1;
        closed = true;
        break;
      } else {
        word.push(b);
        i++;
      }
    }
    if (!closed) return -1;
    return i;
  }
  return i;
}
