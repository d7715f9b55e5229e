/*
 * BackgroundSave: writes a KeyspaceSnapshot to a temp file in small slices between event-loop
 * turns, so clients keep being served while a large keyspace is saved (BGSAVE, AOF rewrite). Each
 * slice encodes keys for at most `sliceMs`, then writes what it produced; the keys that commands
 * preserve between slices are written with the next slice.
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
  key(db: number, key: string, value: Value, expireAt: number | bigint): Buffer;
  finish(): Buffer;
}

export interface BackgroundSaveOptions {
  dbs: readonly Db[];
  encoder: SnapshotEncoder;
  tempPath: string;
  /** Longest run of encoding before the event loop gets a turn. Default 2 ms. */
  sliceMs?: number;
  /** fsync the output every 4 MB (aof-rewrite-incremental-fsync), so the final fsync is short. */
  incrementalFsync?: boolean;
}

const FSYNC_EVERY = 4 * 1024 * 1024;
const KEYS_PER_CHECK = 64;

export class BackgroundSave {
  readonly snapshot: KeyspaceSnapshot;
  readonly done: Promise<{ bytes: number }>;
  readonly startedAt = Date.now();
  private chunks: Buffer[] = [];
  private fd: number;
  private bytes = 0;
  private unsynced = 0;
  private aborted = false;

  constructor(private readonly opts: BackgroundSaveOptions) {
    this.fd = fs.openSync(opts.tempPath, 'w', 0o644);
    const enc = opts.encoder;
    this.chunks.push(enc.header());
    this.snapshot = new KeyspaceSnapshot(opts.dbs, {
      key: (db, key, value, expireAt) => {
        this.chunks.push(enc.key(db, key, value, expireAt));
      },
    });
    this.done = this.run();
    // The caller awaits `done`; this keeps an unobserved failure from being an unhandled rejection.
    this.done.catch(() => undefined);
  }

  /** Stops at the next slice; `done` rejects and the temp file is removed. */
  abort(): void {
    this.aborted = true;
  }

  private async run(): Promise<{ bytes: number }> {
    const sliceMs = this.opts.sliceMs ?? 2;
    try {
      for (;;) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.aborted) throw new Error('background save aborted');
        const deadline = performance.now() + sliceMs;
        let finished = false;
        do finished = this.snapshot.step(KEYS_PER_CHECK);
        while (!finished && performance.now() < deadline);
        this.writeChunks();
        if (this.unsynced >= FSYNC_EVERY && this.opts.incrementalFsync !== false) await this.sync();
        if (finished) break;
      }
      this.chunks.push(this.opts.encoder.finish());
      this.writeChunks();
      await this.sync();
      fs.closeSync(this.fd);
      this.fd = -1;
      return { bytes: this.bytes };
    } catch (e) {
      this.snapshot.detach();
      if (this.fd !== -1) fs.closeSync(this.fd);
      this.fd = -1;
      fs.rmSync(this.opts.tempPath, { force: true });
      throw e;
    }
  }

  private writeChunks(): void {
    if (this.chunks.length === 0) return;
    const data = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    let off = 0;
    while (off < data.length) off += fs.writeSync(this.fd, data, off, data.length - off);
    this.bytes += data.length;
    this.unsynced += data.length;
  }

  private sync(): Promise<void> {
    this.unsynced = 0;
    return new Promise((resolve, reject) => fs.fdatasync(this.fd, (err) => (err === null ? resolve() : reject(err))));
  }
}
