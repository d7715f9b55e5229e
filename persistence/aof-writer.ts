/*
 * AofWriter: the append side of the current incr file (persistence-format.md §2, §5).
 *
 * Records are encoded into an in-memory buffer as commands run (feed), so argv views that are only
 * valid during a command are copied at once. flush() writes the buffer with one write(2) and is
 * called once per batch before any reply of that batch is sent; it reports whether everything fed
 * so far is in the file (and on disk, under `always`), so the server can hold back the replies of
 * a batch whose records could not be written ("never report success for a write that is not in
 * the log").
 *
 * Bytes, as Redis 7.0 writes them: `#TS:<unix seconds>\r\n` before the first record of each new
 * second (when enabled; the remembered second L is never reset, so values never go down), a
 * `SELECT <db>` record whenever the db differs from the last logged one (-1 after open or a switch
 * of file, so every file starts with a SELECT), then the record `*<argc>\r\n$<len>\r\n<arg>\r\n...`.
 *
 * fsync (fdatasync on Linux): `always` syncs in flush() before returning; `everysec` starts a
 * background fdatasync (libuv thread pool) at most once per wall-clock second, never two at a time,
 * also for bytes written before a quiet period (from tick()); `no` leaves it to the kernel.
 * Redis's everysec postpones write(2) for up to 2 s while a background fsync is slow; we never
 * postpone, because the records of a batch must be in the file before its replies leave. Writes
 * made while an fsync has been running for 2 s or more are counted in delayedFsync, the field
 * Redis reports for the same disk trouble.
 *
 * Failure: a failed or short write is undone with ftruncate to the last good size, the bytes stay
 * in the buffer, lastError is set (the server then refuses writes with MISCONF) and tick() retries
 * once per second; the first successful write clears it. A failed background fsync sets lastError
 * too and is retried on the next tick.
 */
import * as fs from 'node:fs';
import { appendBytes, appendRecord, encodeSelect, encodeTimestamp, type RecordBuffer } from './aof-records.js';

export type FsyncPolicy = 'always' | 'everysec' | 'no';

/** The file operations used, injectable so tests can make a disk fail. */
export interface AofFileOps {
  write(fd: number, buf: Buffer, offset: number, length: number): number;
  fdatasyncSync(fd: number): void;
  fdatasync(fd: number, done: (err: Error | null) => void): void;
  ftruncate(fd: number, length: number): void;
  close(fd: number): void;
}

export const NODE_FILE_OPS: AofFileOps = {
  write: (fd, buf, offset, length) => fs.writeSync(fd, buf, offset, length),
  fdatasyncSync: (fd) => fs.fdatasyncSync(fd),
  fdatasync: (fd, done) => fs.fdatasync(fd, (err) => done(err)),
  ftruncate: (fd, length) => fs.ftruncateSync(fd, length),
  close: (fd) => fs.closeSync(fd),
};

export interface AofWriterOptions {
  /** Open (O_APPEND) descriptor of the incr file, and its current size. */
  fd: number;
  size: number;
  policy: FsyncPolicy;
  timestamps: boolean;
  /** Unix ms: the time the running command sees (the server's cached time). */
  clock: () => number;
  ops?: AofFileOps;
  /** Called for conditions worth a log line (slow fsync, write errors, recovery). */
  warn?: (msg: string, err?: Error) => void;
}

const INITIAL_BUFFER = 64 * 1024;
/** A buffer that grew past this while a burst was written is given back afterwards. */
const KEEP_BUFFER = 4 * 1024 * 1024;

export class AofWriter {
  policy: FsyncPolicy;
  timestamps: boolean;
  /** Bytes in the current incr file (kept exact across failed writes). */
  fileSize: number;
  /** Writes made while a background fsync had been running for 2 s or more (INFO aof_delayed_fsync). */
  delayedFsync = 0;
  /** The last write or fsync error, or null: the server answers writes with MISCONF while set. */
  lastError: Error | null = null;
  /** no-appendfsync-on-rewrite yes while a snapshot runs: write, but leave syncing to the kernel. */
  fsyncSuspended = false;

  /** The file operations in use; tests swap them to make the disk fail and recover. */
  ops: AofFileOps;
  private fd: number;
  private readonly clock: () => number;
  private readonly warn: (msg: string, err?: Error) => void;
  private readonly out: RecordBuffer = { buf: Buffer.allocUnsafe(INITIAL_BUFFER), length: 0 };
  private selectedDb = -1;
  /** Second of the last #TS annotation (Redis's L); 0 at start, never reset. */
  private lastTs = 0;
  /** Bytes written to fd that no fsync has covered yet. */
  private unsynced = false;
  private fsyncStartedAt = 0;
  private fsyncRunning = false;
  private lastFsyncSecond = 0;
  private lastSlowWarning = 0;

  constructor(opts: AofWriterOptions) {
    this.fd = opts.fd;
    this.fileSize = opts.size;
    this.policy = opts.policy;
    this.timestamps = opts.timestamps;
    this.clock = opts.clock;
    this.ops = opts.ops ?? NODE_FILE_OPS;
    this.warn = opts.warn ?? (() => undefined);
  }

  /** Bytes fed but not yet written (INFO aof_buffer_length). */
  get bufferLength(): number {
    return this.out.length;
  }

  /** Background fsyncs in flight (INFO aof_pending_bio_fsync). */
  get pendingFsync(): number {
    return this.fsyncRunning ? 1 : 0;
  }

  /** Appends one record; db -1 means "no SELECT" (the EXEC closing a transaction). */
  feed(db: number, argv: readonly Uint8Array[]): void {
    if (this.timestamps) {
      const sec = Math.floor(this.clock() / 1000);
      if (sec > this.lastTs) {
        this.lastTs = sec;
        appendBytes(this.out, encodeTimestamp(sec));
      }
    }
    if (db !== -1 && db !== this.selectedDb) {
      this.selectedDb = db;
      appendBytes(this.out, encodeSelect(db));
    }
    appendRecord(this.out, argv);
  }

  /**
   * Writes what was fed (and syncs it under `always`). True when everything fed is in the file;
   * false after a failure, with the bytes kept for the next attempt.
   */
  flush(): boolean {
    if (this.out.length === 0) return this.lastError === null || !this.retrySyncFailure();
    if (!this.writeBuffer()) return false;
    if (this.fsyncSuspended) return true;
    if (this.policy === 'always') return this.syncNow();
    if (this.policy === 'everysec') this.maybeBackgroundSync();
    return true;
  }

  /** Once per cron run: retries a failed write, and syncs bytes left unsynced by a quiet period. */
  tick(): void {
    if (this.out.length > 0) {
      this.flush();
      return;
    }
    if (this.lastError !== null) {
      this.retrySyncFailure();
      return;
    }
    if (this.policy === 'everysec') this.maybeBackgroundSync();
  }

  /**
   * Switches to a new incr file (rewrite start): writes what is buffered to the old file, then
   * syncs and closes it in the background; the next record begins with a SELECT.
   */
  switchFile(fd: number, size: number): void {
    this.flush();
    const old = this.fd;
    this.fd = fd;
    this.fileSize = size;
    this.selectedDb = -1;
    this.unsynced = false;
    this.ops.fdatasync(old, () => this.ops.close(old));
  }

  /** Shutdown or turning the AOF off: write and sync everything, then close the file. */
  close(): void {
    this.flush();
    try {
      this.ops.fdatasyncSync(this.fd);
    } catch (e) {
      this.warn('fsync of the AOF at close failed', e as Error);
    }
    this.ops.close(this.fd);
    this.fd = -1;
  }

  /** Drops the remembered db, so the next record starts with a SELECT (Redis does at rewrite start). */
  forgetSelectedDb(): void {
    this.selectedDb = -1;
  }

  private writeBuffer(): boolean {
    const out = this.out;
    let written = 0;
    try {
      written = this.ops.write(this.fd, out.buf, 0, out.length);
    } catch (e) {
      return this.writeFailed(e as Error, 0);
    }
    if (written < out.length) return this.writeFailed(new Error(`short write (${written} of ${out.length} bytes)`), written);
    if (this.fsyncRunning && this.clock() - this.fsyncStartedAt >= 2000) {
      this.delayedFsync++;
      this.warnSlowFsync();
    }
    this.fileSize += out.length;
    out.length = 0;
    this.unsynced = true;
    if (out.buf.length > KEEP_BUFFER) out.buf = Buffer.allocUnsafe(INITIAL_BUFFER);
    if (this.lastError !== null) {
      this.warn('AOF write error cleared: the AOF is being written again');
      this.lastError = null;
    }
    return true;
  }

  private writeFailed(err: Error, partial: number): boolean {
    if (partial > 0) {
      try {
        this.ops.ftruncate(this.fd, this.fileSize);
      } catch {
        // The partial record could not be removed: it is in the file, so drop it from the buffer
        // (the file stays a valid prefix of the stream, ending mid-record until the next write).
        const out = this.out;
        out.buf.copy(out.buf, 0, partial, out.length);
        out.length -= partial;
        this.fileSize += partial;
      }
    }
    if (this.lastError === null) this.warn('error writing to the AOF file', err);
    this.lastError = err;
    return false;
  }

  private syncNow(): boolean {
    try {
      this.ops.fdatasyncSync(this.fd);
      this.unsynced = false;
      return true;
    } catch (e) {
      if (this.lastError === null) this.warn('error syncing the AOF file', e as Error);
      this.lastError = e as Error;
      return false;
    }
  }

  /** After a failed fsync with nothing buffered: sync again; true while it still fails. */
  private retrySyncFailure(): boolean {
    if (this.policy === 'always' || this.policy === 'no') {
      if (!this.syncNow()) return true;
      this.lastError = null;
      return false;
    }
    this.maybeBackgroundSync(true);
    return this.lastError !== null;
  }

  private maybeBackgroundSync(force = false): void {
    if (this.fsyncSuspended) return;
    if (!this.unsynced && !force) return;
    if (this.fsyncRunning) return;
    const now = this.clock();
    const sec = Math.floor(now / 1000);
    if (sec <= this.lastFsyncSecond && !force) return;
    this.lastFsyncSecond = sec;
    this.fsyncRunning = true;
    this.fsyncStartedAt = now;
    this.unsynced = false;
    this.ops.fdatasync(this.fd, (err) => {
      this.fsyncRunning = false;
      if (err !== null) {
        if (this.lastError === null) this.warn('background AOF fsync failed', err);
        this.lastError = err;
        this.unsynced = true;
      } else if (this.lastError !== null && this.out.length === 0) {
        this.warn('AOF fsync error cleared');
        this.lastError = null;
      }
    });
  }

  private warnSlowFsync(): void {
    const now = this.clock();
    if (now - this.lastSlowWarning < 10_000) return;
    this.lastSlowWarning = now;
    this.warn('Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Rewind.');
  }
}
