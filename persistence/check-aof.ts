/*
 * rewind-check-aof's checks: redis-check-aof 7.0.15 (persistence-format.md §4), run in-process.
 *
 *   checkAof(file, { mode, answer }) -> { code: 0 | 1, stdout, lines }
 *
 * `file` is a manifest (a line starting with `file`, `#` lines aside), an old-style RDB-preamble
 * file (>= 8 bytes starting with REDIS) or an old-style RESP file, decided from its content as
 * redis-check-aof does. The flow, the order of the files, every AOF message, ok_up_to,
 * ok_up_to_line, the exit codes and the file changes (ftruncate of the last file only) follow
 * redis-check-aof.c; each place where the tool calls exit() throws Exit here, so the caller always
 * gets the exit code and exactly the stdout bytes the tool would have printed up to that point.
 *
 * Deliberate differences:
 *  - The RDB preamble is checked by our RDB reader, not redis-check-rdb: its `[offset N] ...`
 *    progress lines (AUX fields, DB selection, checksum) are not printed. The verdict lines are
 *    the same, and so are the `[info] N keys read / expires / already expired` lines before them
 *    (counted as redis-check-rdb counts). A failure prints `--- RDB ERROR DETECTED ---`, one
 *    `[offset N] <reason>` line with our reader's offset and words (the same as Redis's for a
 *    version it cannot handle) and `[additional info] Reading key '<key>'` inside a key; Redis's
 *    other `[additional info]` lines are not printed. The whole file is read into memory for that
 *    check (it must fit in one Buffer), where redis-check-rdb streams it.
 *  - Manifest errors are printed as Redis's log lines (`<pid>:C <date> # ...`); only the pid and
 *    the time differ from run to run, as they do for Redis.
 * All strings are byte strings (latin1: one code unit per byte), so a manifest name or path with
 * any bytes is printed and opened exactly as given; the caller writes stdout as latin1.
 */
import * as fs from 'node:fs';
import { constants as bufferConstants } from 'node:buffer';
import { ManifestError, parseManifest, type Manifest } from './aof-manifest.js';
import { AofRecordReader, isAofStop, type AofItem, type AofStop } from './aof-records.js';
import { readRdbRecords } from './rdb-reader.js';
import { RdbFormatError } from './rdb-types.js';
import { strerror } from './aof-store.js';

export type CheckAofMode =
  | { kind: 'check' }
  | { kind: 'fix' }
  /** `timestamp` 0 means no truncation at all, as in the tool (its to_timestamp is then unset). */
  | { kind: 'truncate'; timestamp: bigint };

export interface CheckAofOptions {
  mode?: CheckAofMode;
  /**
   * The answer to `Continue? [y/N]: ` (asked by --fix, after the prompt has been written): the
   * line read from stdin, or null at end of input. Only its first character counts, as the tool
   * reads it with fgets(buf, 2). Default: null (so --fix aborts).
   */
  answer?: () => string | null;
  /** Receives stdout as it is produced (byte string), e.g. so the prompt shows before the read. */
  write?: (text: string) => void;
  /** Wall clock in ms: "already expired" keys, and the time in manifest error log lines. */
  now?: () => number;
  /** The pid shown in manifest error log lines. */
  pid?: number;
}

export interface CheckAofResult {
  code: 0 | 1;
  /** Everything printed, byte string. */
  stdout: string;
  /** stdout split at '\n' (the prompt and the answer's reply share a line, as on a pipe). */
  lines: string[];
}

/** The tool's "Usage:" line for a program name. */
export function usageLine(program: string): string {
  return `Usage: ${program} [--fix|--truncate-to-timestamp $timestamp] <file.manifest|file.aof>`;
}

/**
 * The timestamp argument as the tool reads it: strtol(text, &end, 10) that must consume the whole
 * string without overflow. So leading whitespace and a sign are accepted, and "" is 0. Returns
 * null where the tool prints "Invalid timestamp, aborting...".
 */
export function parseTimestampArg(text: string): bigint | null {
  // No digits: strtol leaves end at the start, so only "" itself reads as a whole number (0).
  if (text === '') return 0n;
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)$/.exec(text);
  if (m === null) return null;
  const v = m[1] === '-' ? -BigInt(m[2]!) : BigInt(m[2]!);
  return v > LONG_MAX || v < LONG_MIN ? null : v;
}

const LONG_MAX = 9223372036854775807n;
const LONG_MIN = -9223372036854775808n;
/** The RDB version redis-check-rdb 7.0.15 reads up to (RDB_VERSION). */
const RDB_MAX_VERSION = 10;
/** fgets(buf, MANIFEST_MAX_LINE + 1) in fileIsManifest. */
const MANIFEST_PIECE = 1024;

/** checkSingleAof's result: AOF_CHECK_OK, _EMPTY, _TRUNCATED, _TIMESTAMP_TRUNCATED. */
type Ret = 'ok' | 'empty' | 'truncated' | 'timestamp-truncated';

/** exit(code) in the tool. */
class Exit {
  constructor(readonly code: 0 | 1) {}
}

/** Runs redis-check-aof's main flow on `file` (a byte string path, as given on the command line). */
export function checkAof(file: string, opts: CheckAofOptions = {}): CheckAofResult {
  const run = new CheckRun(opts);
  let code: 0 | 1 = 0;
  try {
    run.main(file);
  } catch (e) {
    if (!(e instanceof Exit)) throw e;
    code = e.code;
  }
  const lines = run.stdout.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return { code, stdout: run.stdout, lines };
}

class CheckRun {
  stdout = '';
  /** to_timestamp: 0n means unset. */
  private readonly toTimestamp: bigint;
  private readonly fix: boolean;
  /** The tool's global line counter (ok_up_to_line), never reset between files. */
  private line = 1;

  constructor(private readonly opts: CheckAofOptions) {
    const mode = opts.mode ?? { kind: 'check' };
    this.toTimestamp = mode.kind === 'truncate' ? mode.timestamp : 0n;
    this.fix = mode.kind === 'fix';
  }

  private print(text: string): void {
    this.stdout += text;
    this.opts.write?.(text);
  }

  private println(text: string): void {
    this.print(`${text}\n`);
  }

  private exit(code: 0 | 1): never {
    throw new Exit(code);
  }

  main(filepath: string): void {
    const dirpath = cDirname(filepath);
    if (this.fileIsManifest(filepath)) this.checkMultiPart(dirpath, filepath);
    else this.checkOldStyle(filepath, this.fileIsRdb(filepath));
    this.exit(0);
  }

  private openOrExit(p: string, flags: string, suffix: string): number {
    try {
      return fs.openSync(bytesPath(p), flags);
    } catch (e) {
      this.println(`Cannot open file ${p}: ${strerror(e)}${suffix}`);
      return this.exit(1);
    }
  }

  /** fileIsManifest: some fgets piece (1024 bytes at most) not starting with '#' starts with "file". */
  private fileIsManifest(p: string): boolean {
    const fd = this.openOrExit(p, 'r', '');
    try {
      const chunk = Buffer.allocUnsafe(64 * 1024);
      let pieceLen = 0;
      let head = '';
      let pos = 0;
      const pieceIsFile = (): boolean => head[0] !== '#' && head.startsWith('file');
      for (;;) {
        let n: number;
        try {
          n = fs.readSync(fd, chunk, 0, chunk.length, pos);
        } catch {
          this.println(`Cannot read file: ${p}`);
          return this.exit(1);
        }
        if (n === 0) return pieceLen > 0 && pieceIsFile();
        pos += n;
        for (let i = 0; i < n; i++) {
          if (head.length < 4) head += String.fromCharCode(chunk[i]!);
          pieceLen++;
          if (chunk[i] === 0x0a || pieceLen === MANIFEST_PIECE) {
            if (pieceIsFile()) return true;
            pieceLen = 0;
            head = '';
          }
        }
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  /** fileIsRDB: at least 8 bytes, starting with "REDIS". */
  private fileIsRdb(p: string): boolean {
    const fd = this.openOrExit(p, 'r', '');
    try {
      const size = fs.fstatSync(fd).size;
      if (size < 8) return false;
      const sig = Buffer.alloc(5);
      fs.readSync(fd, sig, 0, 5, 0);
      return sig.toString('latin1') === 'REDIS';
    } finally {
      fs.closeSync(fd);
    }
  }

  private checkMultiPart(dirpath: string, manifestPath: string): void {
    this.println('Start checking Multi Part AOF');
    const manifest = this.loadManifest(manifestPath);
    const total = (manifest.base === null ? 0 : 1) + manifest.incrs.length;
    let n = 0;
    if (manifest.base !== null) {
      const name = manifest.base.name;
      const p = `${dirpath}/${name}`;
      const last = ++n === total;
      const preamble = this.fileIsRdb(p);
      this.println(`Start to check BASE AOF (${preamble ? 'RDB' : 'RESP'} format).`);
      this.reportFile(this.checkSingle(name, p, last, preamble), `BASE AOF ${name}`, name);
    }
    if (manifest.incrs.length > 0) this.println('Start to check INCR files.');
    for (const { name } of manifest.incrs) {
      const p = `${dirpath}/${name}`;
      const last = ++n === total;
      this.reportFile(this.checkSingle(name, p, last, false), `INCR AOF ${name}`, name);
    }
    this.println('All AOF files and manifest are valid');
  }

  private checkOldStyle(filepath: string, preamble: boolean): void {
    this.println('Start checking Old-Style AOF');
    const ret = this.checkSingle(filepath, filepath, true, preamble);
    this.reportFile(ret, `AOF ${filepath}`, filepath);
  }

  private reportFile(ret: Ret, label: string, name: string): void {
    if (ret === 'ok') this.println(`${label} is valid`);
    else if (ret === 'empty') this.println(`${label} is empty`);
    else if (ret === 'timestamp-truncated') this.println(`Successfully truncated AOF ${name} to timestamp ${this.toTimestamp}`);
    else this.println(`Successfully truncated AOF ${name}`);
  }

  /** aofLoadManifestFromFile: the server's parser; its fatal errors are log lines, then exit(1). */
  private loadManifest(p: string): Manifest {
    let text: Buffer;
    try {
      text = fs.readFileSync(bytesPath(p));
    } catch {
      this.log('Read AOF manifest failed\n');
      return this.exit(1);
    }
    try {
      return parseManifest(text);
    } catch (e) {
      if (!(e instanceof ManifestError)) throw e;
      this.log('\n*** FATAL AOF MANIFEST FILE ERROR ***\n');
      if (e.lineNumber !== null) {
        this.log(`Reading the manifest file, at line ${e.lineNumber}\n`);
        this.log(`>>> '${e.line ?? ''}'\n`);
      }
      this.log(`${e.message}\n`);
      return this.exit(1);
    }
  }

  /** serverLog(LL_WARNING, ...) of a redis-check-aof process: `<pid>:C <dd Mon yyyy hh:mm:ss.mmm> # <msg>`. */
  private log(msg: string): void {
    const pid = this.opts.pid ?? process.pid;
    this.println(`${pid}:C ${logTime(this.opts.now?.() ?? Date.now())} # ${msg}`);
  }

  /** checkSingleAof. */
  private checkSingle(name: string, p: string, last: boolean, preamble: boolean): Ret {
    // The tool opens "r+" (it may truncate), so a read-only file fails here as it does there.
    const fd = this.openOrExit(p, 'r+', ', aborting...');
    try {
      const size = fs.fstatSync(fd).size;
      if (size === 0) return 'empty';
      let start = 0;
      if (preamble) start = this.checkRdbPreamble(fd, size);
      const reader = new AofRecordReader(fd, { strict: true, startOffset: start, fileSize: size, path: p });
      let stop: AofStop;
      for (;;) {
        const item = this.nextItem(reader, name);
        if (isAofStop(item)) {
          stop = item;
          break;
        }
        if (item.kind === 'annotation' && this.toTimestamp !== 0n && item.line.toString('latin1', 0, 4) === '#TS:') {
          if (this.cutAt(fd, p, last, item.ts, item.start)) return 'timestamp-truncated';
        }
      }
      if (stop.kind === 'format' && stop.at === null) this.println(`AOF ${name} format error`);
      else if (stop.kind !== 'eof' && stop.message !== '' && stop.at !== null) {
        // ERROR(): the message goes through a 1024-byte buffer.
        this.println(`0x${stop.at.toString(16).padStart(16, ' ')}: ${stop.message.slice(0, 1023)}`);
      }
      this.line += reader.lines;
      const pos = stop.offset;
      const diff = size - pos;
      if (diff === 0 && this.toTimestamp !== 0n) {
        this.println(`Truncate nothing in AOF ${name} to timestamp ${this.toTimestamp}`);
        return 'ok';
      }
      this.println(`AOF analyzed: filename=${name}, size=${size}, ok_up_to=${pos}, ok_up_to_line=${this.line}, diff=${diff}`);
      if (diff <= 0) return 'ok';
      if (!this.fix) {
        this.println(`AOF ${name} is not valid. Use the --fix option to try fixing it.`);
        return this.exit(1);
      }
      if (!last) {
        this.println(`Failed to truncate AOF ${name} because it is not the last file`);
        return this.exit(1);
      }
      this.println(`This will shrink the AOF ${name} from ${size} bytes, with ${diff} bytes, to ${pos} bytes`);
      this.print('Continue? [y/N]: ');
      const answer = this.opts.answer?.() ?? null;
      if (answer === null || !/^[yY]/.test(answer)) {
        this.println('Aborting...');
        return this.exit(1);
      }
      try {
        fs.ftruncateSync(fd, pos);
      } catch {
        this.println(`Failed to truncate AOF ${name}`);
        return this.exit(1);
      }
      return 'truncated';
    } finally {
      fs.closeSync(fd);
    }
  }

  private nextItem(reader: AofRecordReader, name: string): AofItem | AofStop {
    try {
      return reader.next();
    } catch {
      // The reader throws only for I/O errors.
      this.println(`Failed to read from AOF ${name}, aborting...`);
      return this.exit(1);
    }
  }

  /**
   * processAnnotations for a `#TS:` line in truncate mode: true when the file was cut at the
   * annotation (it is later than the target); exits where the tool refuses.
   */
  private cutAt(fd: number, p: string, last: boolean, ts: number | null, epos: number): boolean {
    if (ts === null) {
      this.println('Invalid timestamp annotation');
      return this.exit(1);
    }
    const t = this.toTimestamp;
    if (BigInt(ts) <= t) return false;
    if (epos === 0) {
      this.println(`AOF ${p} has nothing before timestamp ${t}, aborting...`);
      return this.exit(1);
    }
    if (!last) {
      this.println(`Failed to truncate AOF ${p} to timestamp ${t} to offset ${epos} because it is not the last file.`);
      this.println('If you insist, please delete all files after this file according to the manifest file and delete the corresponding records in manifest file manually. Then re-run redis-check-aof.');
      return this.exit(1);
    }
    try {
      fs.ftruncateSync(fd, epos);
    } catch {
      this.println(`Failed to truncate AOF ${p} to timestamp ${t}`);
      return this.exit(1);
    }
    return true;
  }

  /**
   * The RDB part of a preamble file, in place of redis_check_rdb_main: returns the offset where
   * the AOF tail starts, or prints the verdict and exits.
   */
  private checkRdbPreamble(fd: number, size: number): number {
    let keys = 0;
    let expires = 0;
    let expired = 0;
    const now = this.opts.now?.() ?? Date.now();
    const info = (): void => {
      this.println(`[info] ${keys} keys read`);
      this.println(`[info] ${expires} expires`);
      this.println(`[info] ${expired} already expired`);
    };
    const fail = (offset: number, reason: string, key?: Buffer): never => {
      this.println('--- RDB ERROR DETECTED ---');
      this.println(`[offset ${offset}] ${reason}`);
      if (key !== undefined) this.println(`[additional info] Reading key '${key.toString('latin1')}'`);
      info();
      this.println('RDB preamble of AOF file is not sane, aborting.');
      return this.exit(1);
    };
    if (size > bufferConstants.MAX_LENGTH) fail(0, `the file (${size} bytes) is too big to check in memory`);
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = fs.readSync(fd, buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    const data = buf.subarray(0, got);
    const version = Number(data.toString('latin1', 5, 9));
    if (version > RDB_MAX_VERSION) fail(9, `Can't handle RDB format version ${version}`);
    try {
      const it = readRdbRecords(data);
      for (;;) {
        const r = it.next();
        if (r.done === true) {
          info();
          this.println('RDB preamble is OK, proceeding with AOF tail...');
          return r.value.end;
        }
        if (r.value.kind !== 'entry') continue;
        keys++;
        const exp = r.value.entry.expireMs;
        if (exp !== undefined) {
          expires++;
          if (exp < now) expired++;
        }
      }
    } catch (e) {
      if (!(e instanceof RdbFormatError)) throw e;
      // redis-check-rdb counts a key once its name is read, before its value.
      if (e.key !== undefined) keys++;
      return fail(e.offset, e.reason, e.key);
    }
  }
}

/** The path's bytes: every string here is latin1, one code unit per byte. */
function bytesPath(p: string): Buffer {
  return Buffer.from(p, 'latin1');
}

/** glibc dirname(): "a/b" -> "a", "b" -> ".", "/b" -> "/", "a/b/" -> "a", "a//b" -> "a". */
export function cDirname(p: string): string {
  let end = p.length;
  while (end > 1 && p[end - 1] === '/') end--;
  const slash = p.lastIndexOf('/', end - 1);
  if (slash < 0) return '.';
  let d = slash;
  while (d > 0 && p[d - 1] === '/') d--;
  if (d === 0) return p.startsWith('//') && !p.startsWith('///') && slash === 1 ? '//' : '/';
  return p.slice(0, d);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** strftime("%d %b %Y %H:%M:%S.") + milliseconds, in local time, as serverLog prints it. */
function logTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}
