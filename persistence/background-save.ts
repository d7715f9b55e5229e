/*
 * BackgroundSave: writes a KeyspaceSnapshot to a temp file in small slices between event-loop
 * turns, so clients keep being served while a large keyspace is saved (BGSAVE, AOF rewrite). Each
 * slice encodes keys for at most `sliceMs` into the encoder and takes one chunk; the keys that
 * commands preserve between slices join the next chunk. Chunks go to the file by asynchronous
 * writes, one in flight at a time (a slow disk stalls the save, never the event loop); encoding
 * runs ahead of the disk by at most AHEAD_BYTES.
 *
 * The file is complete only when `done` resolves: the encoder's trailer is written, the data is
 * fsynced and the descriptor closed. The caller then renames it into place. On failure or abort
 * the temp file is removed and `done` rejects; nothing else is touched.
 */
import * as fs from 'node:fs';
import type { Db } from '../commands/keyspace/db.js';
import type { Value } from '../commands/keyspace/value.js';
import { KeyspaceSnapshot } from './keyspace-snapshot.js';

/** Turns keys into file bytes: an RDB writer, or the RESP commands of an AOF base. */
export interface SnapshotEncoder {
  header(): Buffer;
  /** Encodes one key; its bytes come out of the next take(). */
  key(db: number, key: string, value: Value, expireAt: number | bigint): void;
  /** The bytes of the keys encoded since the last take(). */
  take(): Buffer;
  finish(): Buffer;
}

export interface BackgroundSaveOptions {
  dbs: readonly Db[];
  encoder: SnapshotEncoder;
  tempPath: string;
  /** Longest run of encoding before the event loop gets a turn. Default 1 ms. */
  sliceMs?: number;
  /** fsync the output every 4 MB (aof-rewrite-incremental-fsync), so the final fsync is short. */
  incrementalFsync?: boolean;
}

const FSYNC_EVERY = 4 * 1024 * 1024;
const AHEAD_BYTES = 8 * 1024 * 1024;
const KEYS_PER_CHECK = 32;

export class BackgroundSave {
  readonly snapshot: KeyspaceSnapshot;
  readonly done: Promise<{ bytes: number }>;
  readonly startedAt = Date.now();
  private chunks: Buffer[] = [];
  private chunkBytes = 0;
  /** The write in flight; it never rejects: a failure is kept in `failure` for the loop to throw. */
  private writing: Promise<void> | null = null;
  private failure: Error | null = null;
  private fd: number;
  private bytes = 0;
  private unsynced = 0;
  private aborted = false;

  constructor(private readonly opts: BackgroundSaveOptions) {
    this.fd = fs.openSync(opts.tempPath, 'w', 0o644);
    const enc = opts.encoder;
    this.queue(enc.header());
    this.snapshot = new KeyspaceSnapshot(opts.dbs, { key: (db, key, value, expireAt) => enc.key(db, key, value, expireAt) });
    this.done = this.run();
    // The caller awaits `done`; this keeps an unobserved failure from being an unhandled rejection.
    this.done.catch(() => undefined);
  }

  /** Stops at the next slice; `done` rejects and the temp file is removed. */
  abort(): void {
    this.aborted = true;
  }

  private async run(): Promise<{ bytes: number }> {
    const sliceMs = this.opts.sliceMs ?? 1;
    const enc = this.opts.encoder;
    try {
      for (;;) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.aborted) throw new Error('background save aborted');
        if (this.failure !== null) throw this.failure;
        const deadline = performance.now() + sliceMs;
        let finished = false;
        do finished = this.snapshot.step(KEYS_PER_CHECK);
        while (!finished && performance.now() < deadline);
        this.queue(enc.take());
        if (finished) break;
        if (this.writing === null) this.startWrite();
        else if (this.chunkBytes >= AHEAD_BYTES) await this.writing;
      }
      this.queue(enc.take());
      this.queue(enc.finish());
      while (this.writing !== null || this.chunkBytes > 0) {
        if (this.writing === null) this.startWrite();
        await this.writing;
        if (this.failure !== null) throw this.failure;
      }
      await this.sync();
      fs.closeSync(this.fd);
      this.fd = -1;
      return { bytes: this.bytes };
    } catch (e) {
      this.snapshot.detach();
      if (this.writing !== null) await this.writing;
      if (this.fd !== -1) fs.closeSync(this.fd);
      this.fd = -1;
      fs.rmSync(this.opts.tempPath, { force: true });
      throw e;
    }
  }

  private queue(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.chunkBytes += chunk.length;
  }

  /** Writes every queued chunk with one asynchronous write; `writing` settles when it is done. */
  private startWrite(): void {
    if (this.chunks.length === 0) return;
    const data = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    this.chunkBytes = 0;
    this.writing = (async () => {
      try {
        await this.writeAll(data);
        this.bytes += data.length;
        this.unsynced += data.length;
        if (this.unsynced >= FSYNC_EVERY && this.opts.incrementalFsync !== false) await this.sync();
      } catch (e) {
        this.failure = e as Error;
      } finally {
        this.writing = null;
      }
    })();
  }

  private async writeAll(data: Buffer): Promise<void> {
    let off = 0;
    while (off < data.length) {
      off += await new Promise<number>((resolve, reject) => {
        fs.write(this.fd, data, off, data.length - off, null, (err, n) => (err === null ? resolve(n) : reject(err)));
      });
    }
  }

  private sync(): Promise<void> {
    this.unsynced = 0;
    return new Promise((resolve, reject) => fs.fdatasync(this.fd, (err) => (err === null ? resolve() : reject(err))));
  }
}
