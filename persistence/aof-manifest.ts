/*
 * The multi-part AOF manifest (persistence-format.md §1.2, §1.3): parsed and written exactly as
 * Redis 7.0 does, so either server can read the other's folder.
 *
 * Bytes on disk: one line per file, `file <name> seq <n> type <b|h|i>\n`, base first, then
 * history (newest first), then incrs in ascending seq. A name with spaces, quotes, backslashes or
 * non-printable bytes is written double-quoted with C escapes.
 *
 * Parsing follows aof.c's loader step by step, including its surprises: lines are read as fgets
 * with a 1025-byte buffer (so a line over 1024 bytes is split, and its tail is parsed as a line of
 * its own), a `#` line is skipped before any other check (a last comment line needs no newline),
 * every other line must end in `\n`, tokens are split like redis.conf arguments, and values are C
 * strings (a `\x00` escape ends the name, atoll reads the seq). Names are latin1 JS strings: one
 * code unit per byte, so any byte sequence survives a parse/serialize round trip.
 *
 * Like Redis, the writer leaves a `'` bare, and the reader then takes it for a quote: a prefix
 * containing `'` or `\` gives a manifest that neither Redis nor this module can read back.
 *
 * Invariants of a parsed Manifest: at most one base; incr seqs strictly ascending and > 0; no name
 * contains `/` or `\`. serializeManifest writes what it is given and refuses entries whose type
 * does not match their slot. Nothing here touches the disk; atomic replacement is fs-durable.ts.
 */
import { splitInline } from '../protocol/resp-parser.js';

export type AofFileType = 'b' | 'h' | 'i';

export interface ManifestEntry {
  /** The file name's bytes as a latin1 string, relative to the AOF folder. */
  name: string;
  seq: number;
  type: AofFileType;
}

export interface Manifest {
  base: ManifestEntry | null;
  /** As listed (Redis lists the newest first). */
  history: ManifestEntry[];
  /** Ascending seq: the load order. */
  incrs: ManifestEntry[];
}

/** A manifest Redis would refuse to start with. `message` is Redis's own text. */
export class ManifestError extends Error {
  /**
   * 1-based line (counting comment lines and fgets pieces, as Redis does) and the trimmed line,
   * set exactly when Redis logs "Reading the manifest file, at line N" and ">>> '<line>'".
   */
  readonly lineNumber: number | null;
  readonly line: string | null;

  constructor(message: string, lineNumber: number | null = null, line: string | null = null) {
    super(message);
    this.name = 'ManifestError';
    this.lineNumber = lineNumber;
    this.line = line;
  }
}

export const MANIFEST_ERRORS = {
  empty: 'Found an empty AOF manifest',
  tooLong: 'The AOF manifest file contains too long line',
  format: 'Invalid AOF manifest file format',
  path: "File can't be a path, just a filename",
  duplicateBase: 'Found duplicate base file information',
  nonMonotonic: 'Found a non-monotonic sequence number',
  unknownType: 'Unknown AOF file type',
} as const;

/** Longest line Redis accepts, counting its `\n` (MANIFEST_MAX_LINE). */
export const MANIFEST_MAX_LINE = 1024;

const NL = 10;
const HASH = 35;

/** Parses manifest bytes with Redis 7.0's rules; throws ManifestError where Redis exits. */
export function parseManifest(text: Uint8Array): Manifest {
  const m: Manifest = { base: null, history: [], incrs: [] };
  if (text.length === 0) throw new ManifestError(MANIFEST_ERRORS.empty);
  let maxSeq = 0;
  let lineNumber = 0;
  let p = 0;
  while (p < text.length) {
    // fgets(buf, 1025): up to and including '\n', at most 1024 bytes.
    const limit = Math.min(text.length, p + MANIFEST_MAX_LINE);
    let end = p;
    while (end < limit && text[end] !== NL) end++;
    const hasNewline = end < limit;
    if (hasNewline) end++;
    const start = p;
    p = end;
    lineNumber++;
    if (text[start] === HASH) continue;
    // strchr(buf, '\n') stops at a NUL byte, so a NUL before the newline counts as no newline.
    if (!hasNewline || text.subarray(start, end).includes(0)) throw new ManifestError(MANIFEST_ERRORS.tooLong);
    const line = trim(text, start, end);
    const lineText = latin1(line);
    const fail = (msg: string): never => {
      throw new ManifestError(msg, lineNumber, lineText);
    };
    if (line.length === 0) fail(MANIFEST_ERRORS.format);
    // The manifest's tokens follow redis.conf quoting, which is the inline command syntax.
    const argv = splitInline(Buffer.from(line.buffer, line.byteOffset, line.length), 0, line.length);
    if (argv === null || argv.length < 6 || argv.length % 2 !== 0) return fail(MANIFEST_ERRORS.format);

    let name: string | null = null;
    let seq = 0;
    let type = 0;
    for (let i = 0; i < argv.length; i += 2) {
      const key = cString(argv[i]!);
      const value = cString(argv[i + 1]!);
      if (equalsIgnoreCase(key, 'file')) {
        name = latin1(value);
        if (value.includes(0x2f) || value.includes(0x5c)) fail(MANIFEST_ERRORS.path);
      } else if (equalsIgnoreCase(key, 'seq')) {
        seq = atoll(value);
      } else if (equalsIgnoreCase(key, 'type')) {
        type = value.length > 0 ? value[0]! : 0;
      }
      // Other keys are ignored: Redis reserves them for future fields.
    }
    if (name === null || seq === 0 || type === 0) return fail(MANIFEST_ERRORS.format);

    if (type === 0x62 /* b */) {
      if (m.base !== null) fail(MANIFEST_ERRORS.duplicateBase);
      m.base = { name, seq, type: 'b' };
    } else if (type === 0x68 /* h */) {
      m.history.push({ name, seq, type: 'h' });
    } else if (type === 0x69 /* i */) {
      if (seq <= maxSeq) fail(MANIFEST_ERRORS.nonMonotonic);
      m.incrs.push({ name, seq, type: 'i' });
      maxSeq = seq;
    } else {
      fail(MANIFEST_ERRORS.unknownType);
    }
  }
  return m;
}

/** The manifest text Redis 7.0 would write for `m` (getAofManifestAsString). */
export function serializeManifest(m: Manifest): Buffer {
  let out = '';
  if (m.base !== null) out += entryLine(m.base, 'b');
  for (const e of m.history) out += entryLine(e, 'h');
  for (const e of m.incrs) out += entryLine(e, 'i');
  return Buffer.from(out, 'latin1');
}

/** `P.<seq>.base.rdb` (RDB preamble) or `P.<seq>.base.aof`. */
export function baseName(prefix: string, seq: number, rdb: boolean): string {
  return `${prefix}.${seq}.base.${rdb ? 'rdb' : 'aof'}`;
}

/** `P.<seq>.incr.aof`. */
export function incrName(prefix: string, seq: number): string {
  return `${prefix}.${seq}.incr.aof`;
}

/** Seq for the next base: the current base's + 1, or 1 without a base. */
export function nextBaseSeq(m: Manifest): number {
  return (m.base === null ? 0 : m.base.seq) + 1;
}

/** Seq for the next incr: the last incr's + 1, or 1 without incrs. Independent of the base's. */
export function nextIncrSeq(m: Manifest): number {
  const last = m.incrs[m.incrs.length - 1];
  return (last === undefined ? 0 : last.seq) + 1;
}

function entryLine(e: ManifestEntry, slot: AofFileType): string {
  if (e.type !== slot) throw new RangeError(`manifest entry ${e.name} has type ${e.type} in the '${slot}' list`);
  if (!Number.isSafeInteger(e.seq)) throw new RangeError(`manifest entry ${e.name} has seq ${e.seq}`);
  return `file ${quoteName(e.name)} seq ${e.seq} type ${e.type}\n`;
}

/**
 * sdsneedsrepr + sdscatrepr: bare when every byte is printable, non-space and not `"` or `\`.
 * Throws RangeError for a code unit above 0xff (not a latin1 byte string).
 */
export function quoteName(name: string): string {
  let needs = false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`manifest name ${JSON.stringify(name)} is not latin1 bytes`);
  }
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x22 || c === 0x5c) {
      needs = true;
      break;
    }
  }
  if (!needs) return name;
  let out = '"';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    switch (c) {
      case 0x5c: out += '\\\\'; break;
      case 0x22: out += '\\"'; break;
      case 0x0a: out += '\\n'; break;
      case 0x0d: out += '\\r'; break;
      case 0x09: out += '\\t'; break;
      case 0x07: out += '\\a'; break;
      case 0x08: out += '\\b'; break;
      default:
        out += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
    }
  }
  return `${out}"`;
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

/** sdstrim(line, " \t\r\n"). */
function trim(b: Uint8Array, start: number, end: number): Uint8Array {
  while (start < end && isTrimmed(b[start]!)) start++;
  while (end > start && isTrimmed(b[end - 1]!)) end--;
  return b.subarray(start, end);
}

function isTrimmed(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/** C isspace in the C locale. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** A token as C sees it: up to its first NUL (a `\x00` escape ends the string). */
function cString(b: Uint8Array): Uint8Array {
  const z = b.indexOf(0);
  return z < 0 ? b : b.subarray(0, z);
}

/** strcasecmp(b, lower) === 0 for an ASCII lowercase `lower`. */
function equalsIgnoreCase(b: Uint8Array, lower: string): boolean {
  if (b.length !== lower.length) return false;
  for (let i = 0; i < b.length; i++) {
    let c = b[i]!;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

const LLONG_MAX = 9223372036854775807n;
const LLONG_MIN = -9223372036854775808n;

/**
 * atoll: optional leading whitespace and sign, then digits; anything else ends the number (no
 * digits gives 0); out-of-range values clamp as strtoll does. Seqs beyond 2^53 lose precision.
 */
function atoll(b: Uint8Array): number {
  let p = 0;
  while (p < b.length && isSpace(b[p]!)) p++;
  let neg = false;
  if (b[p] === 0x2d || b[p] === 0x2b) {
    neg = b[p] === 0x2d;
    p++;
  }
  const digitsStart = p;
  while (p < b.length && b[p]! >= 0x30 && b[p]! <= 0x39) p++;
  if (p === digitsStart) return 0;
  const text = latin1(b.subarray(digitsStart, p));
  if (p - digitsStart <= 15) return neg ? -Number(text) : Number(text);
  let v = BigInt(text);
  if (neg) v = -v;
  if (v > LLONG_MAX) v = LLONG_MAX;
  if (v < LLONG_MIN) v = LLONG_MIN;
  return Number(v);
}
