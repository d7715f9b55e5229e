/*
 * The AOF loader (persistence-format.md §3): the base, then every incr in manifest order, each
 * replayed from db 0 into a ReplayTarget (the server's fake client). It yields to the event loop
 * every few milliseconds so the server answers -LOADING and INFO (loading:1, ETA) meanwhile.
 *
 * Outcomes, as Redis 7.0 decides them:
 *  - a file that starts with "REDIS" is an RDB (a base, or an old preamble AOF); its RESP tail, if
 *    any, follows. A damaged or short RDB always stops startup;
 *  - in RESP, EOF inside a record, or a clean EOF inside MULTI, of the LAST file is cut off on disk
 *    with aof-load-truncated yes (at the end of the last command executed completely, or where the
 *    unfinished MULTI began), and stops startup with it off; in any other file it is fatal;
 *  - a format error anywhere, or an unknown command, stops startup;
 *  - a command answering with an error is logged and loading goes on.
 * Point in time: with stopAfter = T, replay stops just before the first `#TS:x` annotation with
 * x > T, which leaves the state at the end of second T (the cut redis-check-aof
 * --truncate-to-timestamp makes, but without touching any file).
 */
import * as fs from 'node:fs';
import { readRdbRecords } from './rdb-reader.js';
import { RdbFormatError, type RdbRecord } from './rdb-types.js';
import { AofRecordReader } from './aof-records.js';
import type { AofFileInfo } from './aof-store.js';

export interface ReplayTarget {
  /** A file begins: db 0, no transaction. */
  beginFile(): void;
  /** One record of an RDB base or preamble. */
  rdbRecord(r: RdbRecord): void;
  /** Runs one command; false when no such command exists. Error replies are the target's to log. */
  command(argv: Buffer[]): boolean;
}

export interface AofLoadOptions {
  files: readonly AofFileInfo[];
  loadTruncated: boolean;
  /** Point in time: stop before the first #TS annotation later than this (unix seconds). */
  stopAfter?: number;
  /** Never modify a file (a point-in-time restore or dry run): a torn tail is skipped, not cut. */
  readOnly?: boolean;
  databases?: number;
  /** Called with bytes done and the total, at most every yieldEveryMs. */
  onProgress?: (done: number, total: number) => void;
  /** Work this long, then let the event loop run. Default 50 ms. */
  yieldEveryMs?: number;
  log: (msg: string) => void;
}

export interface AofLoadResult {
  /** Commands replayed. */
  commands: number;
  /** The last #TS annotation seen before the stop (null: none). */
  lastTimestamp: number | null;
  /** Where a point-in-time load stopped, when it did. */
  stoppedAt: { file: string; offset: number; timestamp: number } | null;
  /** The last command applied (for a dry-run report). */
  lastCommand: string[] | null;
}

/** Loading cannot go on; `lines` are the log lines that say why and what to do. */
export class AofLoadError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
    this.name = 'AofLoadError';
  }
}

const MULTI = Buffer.from('multi');
const EXEC = Buffer.from('exec');

/** Loads the files, letting the event loop run every yieldEveryMs (startup). */
export async function loadAof(target: ReplayTarget, opts: AofLoadOptions): Promise<AofLoadResult> {
  const steps = loadSteps(target, opts);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Loads the files in one go, without yielding (a command: REWIND RESTORE). */
export function loadAofSync(target: ReplayTarget, opts: AofLoadOptions): AofLoadResult {
  const steps = loadSteps(target, { ...opts, yieldEveryMs: Number.POSITIVE_INFINITY });
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

/** The load, as a generator that yields where the caller may let other work run. */
function* loadSteps(target: ReplayTarget, opts: AofLoadOptions): Generator<void, AofLoadResult> {
  const total = opts.files.reduce((n, f) => n + f.size, 0);
  const state = new LoadState(target, opts, total);
  for (const file of opts.files) {
    target.beginFile();
    if (file.size === 0) continue;
    const stopped = yield* state.loadFile(file);
    opts.log(`DB loaded from ${file.type === 'b' ? 'base' : 'incr'} file ${file.name}`);
    if (stopped) break;
  }
  opts.onProgress?.(total, total);
  return state.result;
}

class LoadState {
  readonly result: AofLoadResult = { commands: 0, lastTimestamp: null, stoppedAt: null, lastCommand: null };
  private doneBefore = 0;
  /** The last command applied: its offset in the current file, or a copy (from a transaction). */
  private last: number | Buffer[] | null = null;
  private sliceStart = performance.now();
  private sinceClock = 0;
  private readonly yieldMs: number;

  constructor(
    private readonly target: ReplayTarget,
    private readonly opts: AofLoadOptions,
    private readonly total: number,
  ) {
    this.yieldMs = opts.yieldEveryMs ?? 50;
  }

  /** Loads one file; true when a point-in-time stop was reached. */
  *loadFile(file: AofFileInfo): Generator<void, boolean> {
    const fd = fs.openSync(file.path, this.opts.readOnly === true ? 'r' : 'r+');
    try {
      const head = Buffer.alloc(5);
      fs.readSync(fd, head, 0, 5, 0);
      let offset = 0;
      if (head.toString('latin1') === 'REDIS') offset = yield* this.loadRdb(file);
      if (offset >= file.size) return false;
      const stopped = yield* this.loadResp(fd, file, offset);
      this.keepLastCommand(file);
      return stopped;
    } finally {
      this.doneBefore += file.size;
      fs.closeSync(fd);
    }
  }

  private *loadRdb(file: AofFileInfo): Generator<void, number> {
    const buf = fs.readFileSync(file.path);
    const it = readRdbRecords(buf, { databases: this.opts.databases ?? 16 });
    try {
      for (;;) {
        const r = it.next();
        if (r.done === true) return r.value.end;
        this.target.rdbRecord(r.value);
        if (performance.now() - this.sliceStart > this.yieldMs) yield* this.breather(0);
      }
    } catch (e) {
      if (!(e instanceof RdbFormatError)) throw e;
      throw new AofLoadError([
        `Bad file format reading the RDB preamble of the AOF file ${file.name}: ${e.message}`,
        `The base file is damaged; it was not modified. Run redis-check-aof on ${file.name} to see where.`,
      ]);
    }
  }

  private *loadResp(fd: number, file: AofFileInfo, startOffset: number): Generator<void, boolean> {
    const reader = new AofRecordReader(fd, { startOffset, fileSize: file.size });
    const stopAfter = this.opts.stopAfter;
    // End of the last command executed completely (Redis's valid_up_to) and its value at MULTI.
    let validUpTo = startOffset;
    let validBeforeMulti = -1;
    let queued: Buffer[][] | null = null;
    for (;;) {
      const item = reader.next();
      if (item.kind === 'annotation') {
        if (item.ts !== null && stopAfter !== undefined && item.ts > stopAfter) {
          // A #TS never falls inside a transaction, so nothing is queued here.
          this.result.stoppedAt = { file: file.name, offset: item.start, timestamp: item.ts };
          return true;
        }
        if (item.ts !== null) this.result.lastTimestamp = item.ts;
        continue;
      }
      if (item.kind === 'command') {
        const argv = item.argv;
        if (queued === null && isName(argv[0]!, MULTI)) {
          validBeforeMulti = validUpTo;
          queued = [];
        } else if (queued !== null && isName(argv[0]!, EXEC)) {
          for (const q of queued) this.run(q, file);
          if (queued.length > 0) this.last = queued[queued.length - 1]!;
          queued = null;
        } else if (queued !== null) {
          // Views into the reader's window are only valid until the next record: keep copies.
          queued.push(argv.map((a) => Buffer.from(a)));
        } else {
          this.run(argv, file);
          this.last = item.start;
        }
        validUpTo = item.end;
        // The clock is read every 256 records: a read per record costs more than the check saves.
        if ((++this.sinceClock & 255) === 0 && performance.now() - this.sliceStart > this.yieldMs) yield* this.breather(item.end);
        continue;
      }
      if (item.kind === 'eof') {
        if (queued === null) return false;
        this.opts.log(`Revert incomplete MULTI/EXEC transaction in AOF file ${file.name}`);
        return this.truncatedTail(fd, file, validBeforeMulti);
      }
      if (item.kind === 'truncated') {
        if (queued !== null) {
          this.opts.log(`Revert incomplete MULTI/EXEC transaction in AOF file ${file.name}`);
          validUpTo = validBeforeMulti;
        }
        return this.truncatedTail(fd, file, validUpTo);
      }
      throw new AofLoadError([
        `Bad file format reading the append only file ${file.name} at offset ${item.offset}: ${item.message}.`,
        `Make a backup of your AOF file, then use redis-check-aof --fix <filename.manifest> (or rewind-check-aof --fix).`,
      ]);
    }
  }

  private run(argv: Buffer[], file: AofFileInfo): void {
    if (!this.target.command(argv)) {
      throw new AofLoadError([`Unknown command '${argv[0]!.toString('latin1')}' reading the append only file ${file.name}`]);
    }
    this.result.commands++;
  }

  /**
   * The last command applied in a file, read back from it (the reader's views of it are gone by
   * then): the dry-run report shows it. Queued commands of a transaction are kept as copies.
   */
  private keepLastCommand(file: AofFileInfo): void {
    const last = this.last;
    this.last = null;
    if (last === null) return;
    if (Array.isArray(last)) {
      this.result.lastCommand = last.map((a) => a.toString('latin1'));
      return;
    }
    const fd = fs.openSync(file.path, 'r');
    try {
      const item = new AofRecordReader(fd, { startOffset: last }).next();
      if (item.kind === 'command') this.result.lastCommand = item.argv.map((a) => a.toString('latin1'));
    } finally {
      fs.closeSync(fd);
    }
  }

  private truncatedTail(fd: number, file: AofFileInfo, cutAt: number): boolean {
    if (!file.last) {
      throw new AofLoadError([`Fatal error: the truncated file is not the last file (${file.name})`]);
    }
    if (!this.opts.loadTruncated) {
      throw new AofLoadError([
        `Unexpected end of file reading the append only file ${file.name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`,
      ]);
    }
    this.opts.log(`!!! Warning: short read while loading the AOF file ${file.name}!!!`);
    if (this.opts.readOnly === true) {
      this.opts.log(`The torn tail of ${file.name} after offset ${cutAt} was not replayed (the file is left as it is)`);
      return false;
    }
    this.opts.log(`!!! Truncating the AOF ${file.name} at offset ${cutAt} !!!`);
    fs.ftruncateSync(fd, cutAt);
    fs.fdatasyncSync(fd);
    this.opts.log(`AOF ${file.name} loaded anyway because aof-load-truncated is enabled`);
    return false;
  }

  /** Reports progress, lets the caller run other work, then starts a new slice. */
  private *breather(offsetInFile: number): Generator<void, void> {
    this.opts.onProgress?.(this.doneBefore + offsetInFile, this.total);
    yield;
    this.sliceStart = performance.now();
  }
}

function isName(arg: Buffer, lower: Buffer): boolean {
  if (arg.length !== lower.length) return false;
  for (let i = 0; i < arg.length; i++) if ((arg[i]! | 0x20) !== lower[i]) return false;
  return true;
}
