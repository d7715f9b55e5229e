/*
 * RDB snapshots of the whole keyspace into `<dir>/<dbfilename>`: SAVE (blocking), BGSAVE (sliced
 * in the background, see persistence/background-save.ts), the `save <seconds> <changes>` rules,
 * and the dump.rdb loaded at startup when the AOF is off.
 *
 * Every save writes `temp-<pid>.rdb` in `dir`, fsyncs it, renames it over the target and fsyncs
 * the folder, so dump.rdb is always either the old complete file or the new complete file.
 */
import * as fs from 'node:fs';
import path from 'node:path';
import { RedisError } from '../protocol/errors.js';
import { BackgroundSave, type SnapshotEncoder } from '../persistence/background-save.js';
import { rdbSnapshotEncoder } from '../persistence/snapshot-encoders.js';
import { KeyspaceSnapshot } from '../persistence/keyspace-snapshot.js';
import { fsyncDirSync } from '../persistence/fs-durable.js';
import type { RdbWriterOptions } from '../persistence/rdb-writer.js';
import type { ServerState } from './server-state.js';

/** Seconds between retries of a failed automatic BGSAVE (Redis's CONFIG_BGSAVE_RETRY_DELAY). */
const RETRY_DELAY_S = 5;

export function rdbOptions(server: ServerState, aofBase: boolean): RdbWriterOptions {
  return {
    compression: server.config.get('rdbcompression') === 'yes',
    checksum: server.config.get('rdbchecksum') === 'yes',
    aofBase,
    ctime: Math.floor(server.clock.now() / 1000),
    usedMem: process.memoryUsage().heapUsed,
  };
}

/** The whole keyspace through an encoder, now, in one pass (SAVE; the base after a restore). */
export function snapshotNow(server: ServerState, enc: SnapshotEncoder): Buffer {
  const chunks: Buffer[] = [enc.header()];
  const snap = new KeyspaceSnapshot(server.dbs, { key: (db, k, v, at) => enc.key(db, k, v, at) });
  snap.step(Number.MAX_SAFE_INTEGER);
  chunks.push(enc.take(), enc.finish());
  return Buffer.concat(chunks);
}

export class RdbSaver {
  bgsave: BackgroundSave | null = null;
  lastBgsaveOk = true;
  lastBgsaveSeconds = -1;
  saves = 0;
  private lastAttempt = 0;

  constructor(private readonly server: ServerState) {}

  get path(): string {
    const c = this.server.config;
    return path.join(c.get('dir'), c.get('dbfilename'));
  }

  private tempPath(): string {
    return path.join(this.server.config.get('dir'), `temp-${process.pid}.rdb`);
  }

  /** SAVE: the whole keyspace now, blocking, as Redis's SAVE does. */
  save(): void {
    if (this.bgsave !== null) throw new RedisError('ERR Background save already in progress');
    const temp = this.tempPath();
    const enc = rdbSnapshotEncoder(rdbOptions(this.server, false), this.server.functionLibraries.all());
    const fd = fs.openSync(temp, 'w', 0o644);
    try {
      const data = snapshotNow(this.server, enc);
      let off = 0;
      while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
      fs.fdatasyncSync(fd);
      fs.closeSync(fd);
      fs.renameSync(temp, this.path);
      fsyncDirSync(path.dirname(this.path));
    } catch (e) {
      try { fs.closeSync(fd); } catch { /* already closed */ }
      fs.rmSync(temp, { force: true });
      this.server.log.warn({ err: e as Error }, 'SAVE failed');
      throw new RedisError('ERR');
    }
    this.saved(this.server.stats.dirty);
  }

  /** BGSAVE's reply text (the caller checks a rewrite in progress). */
  startBgsave(): void {
    if (this.bgsave !== null) throw new RedisError('ERR Background save already in progress');
    const dirtyAtStart = this.server.stats.dirty;
    this.lastAttempt = Date.now();
    const temp = this.tempPath();
    const job = new BackgroundSave({
      dbs: this.server.dbs,
      encoder: rdbSnapshotEncoder(rdbOptions(this.server, false), this.server.functionLibraries.all()),
      tempPath: temp,
    });
    this.bgsave = job;
    this.server.beginSnapshot(job);
    this.server.log.info('Background saving started');
    job.done.then(
      async () => {
        this.server.endSnapshot(job);
        await fs.promises.rename(temp, this.path);
        fsyncDirSync(path.dirname(this.path));
        this.bgsave = null;
        this.lastBgsaveOk = true;
        this.lastBgsaveSeconds = Math.round((Date.now() - job.startedAt) / 1000);
        this.saved(dirtyAtStart);
        this.server.log.info('Background saving terminated with success');
      },
      (e: unknown) => {
        this.server.endSnapshot(job);
        this.failed(e as Error);
      },
    ).catch((e: unknown) => this.failed(e as Error));
  }

  private failed(err: Error): void {
    this.bgsave = null;
    this.lastBgsaveOk = false;
    this.server.log.warn({ err }, 'Background saving error');
  }

  private saved(dirtyCovered: number): void {
    this.saves++;
    this.server.stats.dirty = Math.max(0, this.server.stats.dirty - dirtyCovered);
    this.server.lastSave = Math.floor(Date.now() / 1000);
  }

  /** The `save` rules, checked from the cron. */
  tick(): void {
    if (this.bgsave !== null || this.server.snapshotRunning) return;
    const rules = this.rules();
    if (rules.length === 0) return;
    const now = Date.now();
    if (!this.lastBgsaveOk && now - this.lastAttempt < RETRY_DELAY_S * 1000) return;
    const dirty = this.server.stats.dirty;
    const since = now / 1000 - this.server.lastSave;
    for (const [seconds, changes] of rules) {
      if (dirty >= changes && since > seconds) {
        this.server.log.info(`${changes} changes in ${seconds} seconds. Saving...`);
        this.startBgsave();
        return;
      }
    }
  }

  /** MISCONF while the last BGSAVE failed, save rules exist and stop-writes-on-bgsave-error is on. */
  denyWrites(): string | null {
    if (this.lastBgsaveOk || this.rules().length === 0) return null;
    if (this.server.config.get('stop-writes-on-bgsave-error') !== 'yes') return null;
    return "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";
  }

  private rules(): [number, number][] {
    const words = this.server.config.get('save').split(' ').filter((w) => w !== '');
    const out: [number, number][] = [];
    for (let i = 0; i + 1 < words.length; i += 2) out.push([Number(words[i]), Number(words[i + 1])]);
    return out;
  }

  infoLines(): string[] {
    const job = this.bgsave;
    return [
      `rdb_changes_since_last_save:${this.server.stats.dirty}`,
      `rdb_bgsave_in_progress:${job === null ? 0 : 1}`,
      `rdb_last_save_time:${this.server.lastSave}`,
      `rdb_last_bgsave_status:${this.lastBgsaveOk ? 'ok' : 'err'}`,
      `rdb_last_bgsave_time_sec:${this.lastBgsaveSeconds}`,
      `rdb_current_bgsave_time_sec:${job === null ? -1 : Math.floor((Date.now() - job.startedAt) / 1000)}`,
      `rdb_saves:${this.saves}`,
      'rdb_last_cow_size:0',
    ];
  }
}
