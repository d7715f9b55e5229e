/*
 * AofManager: the AOF's life in a running server (persistence-format.md §1.4, §5, §6).
 *
 *  - startup with appendonly yes: read the manifest (upgrading an old single file), load base and
 *    incrs through the replay client, then open the last incr for appending (creating the first
 *    base and incr on an empty folder) and delete history;
 *  - every batch: records are fed as commands run, written by flush() before replies leave;
 *  - rewrite (BGREWRITEAOF, the automatic growth trigger, turning the AOF on at runtime): open the
 *    next incr first, then snapshot the keyspace in slices into a temp file beside it, then switch
 *    the manifest to the new base in one atomic rename and retire the old files;
 *  - a write or fsync failure makes the server refuse writes with MISCONF until a write succeeds.
 * The manager is the server's Propagator while the AOF is on.
 */
import type { Argv } from '../protocol/resp-parser.js';
import { RedisError } from '../protocol/errors.js';
import * as fs from 'node:fs';
import path from 'node:path';
import { AofStore, strerror, type RetiredFiles } from '../persistence/aof-store.js';
import { AofArchive, parseDuration, snapshotTimeOf } from '../persistence/aof-archive.js';

import { AofWriter, type FsyncPolicy } from '../persistence/aof-writer.js';
import { loadAof, type AofLoadResult } from '../persistence/aof-loader.js';
import { BackgroundSave } from '../persistence/background-save.js';
import { rdbSnapshotEncoder, respSnapshotEncoder } from '../persistence/snapshot-encoders.js';
import { rdbOptions, snapshotNow } from './rdb-save.js';
import { RestorePlanner, type RestoreChain } from '../persistence/aof-restore.js';
import type { Propagator, ServerState } from './server-state.js';
import type { ReplayClient } from './replay.js';

export type AofStatus = 'off' | 'on' | 'wait-rewrite';

export class AofManager implements Propagator {
  status: AofStatus = 'off';
  store: AofStore | null = null;
  writer: AofWriter | null = null;
  /** The running rewrite, and when the last one ended. */
  rewrite: BackgroundSave | null = null;
  rewriteScheduled = false;
  rewrites = 0;
  consecutiveFailures = 0;
  lastBgrewriteOk = true;
  lastRewriteSeconds = -1;
  /** aof_rewrite_base_size: what automatic rewrites measure growth against (§6.1). */
  rewriteBaseSize = 0;
  /** History removal and archiving after a rewrite or at startup, in order. */
  private housekeeping: Promise<void> = Promise.resolve();
  /** After 3 failures in a row, automatic attempts wait 1, 2, 4 ... 60 minutes (Redis's limiter). */
  private retryNotBefore = 0;
  /** Bytes of the base and the incrs other than the one being written. */
  private otherFilesSize = 0;

  /** MISCONF text while the last write or fsync failed, else null. */
  denyText: string | null = null;

  constructor(
    private readonly server: ServerState,
    /** Told whenever denyText may have changed. */
    private readonly onWriteStatus: () => void,
  ) {}

  private get config() {
    return this.server.config;
  }

  get currentSize(): number {
    return this.otherFilesSize + (this.writer?.fileSize ?? 0);
  }

  // ---- startup ----------------------------------------------------------------------------------

  /** Loads the folder into the (empty) keyspace; throws with Redis's messages when it cannot. */
  async load(replay: ReplayClient, onProgress: (done: number, total: number) => void, stopAfter?: number): Promise<AofLoadResult | null> {
    const store = AofStore.open(this.storeOptions());
    this.store = store;
    if (store.upgraded) {
      this.server.log.info(`Successfully migrated an old-style AOF file (${this.config.get('appendfilename')}) into the AOF directory (${this.config.get('appenddirname')}).`);
    }
    const files = store.filesToLoad();
    if (files.length === 0 || files.every((f) => f.size === 0)) return null;
    return loadAof(replay, {
      files,
      loadTruncated: this.config.get('aof-load-truncated') === 'yes',
      databases: this.server.dbs.length,
      onProgress,
      log: (msg) => this.server.log.info(msg),
      ...(stopAfter === undefined ? {} : { stopAfter, readOnly: true }),
    });
  }

  /**
   * Point in time: loads the chain that reaches second `target` and stops replaying before the
   * first annotation later than it. No file is modified.
   */
  async restore(replay: ReplayClient, target: number, onProgress: (done: number, total: number) => void): Promise<{ result: AofLoadResult; chain: RestoreChain }> {
    const store = AofStore.open(this.storeOptions());
    this.store = store;
    const chain = new RestorePlanner(store).plan(target);
    const result = await loadAof(replay, {
      files: chain.files, loadTruncated: true, readOnly: true, stopAfter: target,
      databases: this.server.dbs.length, onProgress, log: (msg) => this.server.log.info(msg),
    });
    return { result, chain };
  }

  /**
   * After a restore, before any write: the restored keyspace becomes a new base with a new incr,
   * the files of the abandoned timeline move to the archive, and a new timeline begins.
   */
  beginTimeline(target: number): void {
    const store = this.store!;
    const rdb = this.config.get('aof-use-rdb-preamble') === 'yes';
    const functions = this.server.functionLibraries.all();
    const enc = rdb ? rdbSnapshotEncoder(rdbOptions(this.server, true), functions) : respSnapshotEncoder(this.timestampForBase(), functions);
    const retired = store.startNewChain(snapshotNow(this.server, enc), rdb);
    this.archiveFiles(store, retired);
    AofArchive.open(store.aofDir).startTimeline(target, Math.floor(this.server.clock.now() / 1000));
  }

  /** After loading: opens the incr for appending and starts logging (§1.4 step 4-5). */
  openAfterLoad(): void {
    const store = this.store ?? AofStore.open(this.storeOptions());
    this.store = store;
    const rdb = this.config.get('aof-use-rdb-preamble') === 'yes';
    const opened = store.openForAppend(() => ({ data: this.emptyBase(rdb), rdb }));
    this.startWriter(opened.fd, opened.size);
    this.otherFilesSize = store.totalSize() - opened.size;
    this.rewriteBaseSize = store.baseSize();
    this.status = 'on';
    this.server.propagator = this;
    this.server.log.info({ file: opened.name }, 'AOF incr file opened for appending');
    if (this.config.get('aof-disable-auto-gc') !== 'yes') void this.retireHistory();
  }

  // ---- Propagator -------------------------------------------------------------------------------

  feed(dbIndex: number, argv: Argv): void {
    this.writer?.feed(dbIndex, argv);
  }

  flush(): boolean {
    const w = this.writer;
    if (w === null) return true;
    w.fsyncSuspended = this.server.snapshotRunning && this.config.get('no-appendfsync-on-rewrite') === 'yes';
    const ok = w.flush();
    this.updateDenyWrites();
    return ok;
  }

  /** serverCron's part: retries and background fsyncs, scheduled and automatic rewrites. */
  tick(): void {
    const w = this.writer;
    if (w !== null) {
      w.tick();
      this.updateDenyWrites();
    }
    if (this.status === 'off' || this.rewrite !== null || this.server.snapshotRunning) return;
    if (Date.now() < this.retryNotBefore) return;
    if (this.rewriteScheduled || this.status === 'wait-rewrite') {
      this.startRewrite();
      return;
    }
    const pct = this.config.int('auto-aof-rewrite-percentage');
    const size = this.currentSize;
    if (pct > 0 && size > this.config.int('auto-aof-rewrite-min-size')) {
      const base = this.rewriteBaseSize > 0 ? this.rewriteBaseSize : 1;
      const growth = Math.floor((size * 100) / base) - 100;
      if (growth >= pct) {
        this.server.log.info(`Starting automatic rewriting of AOF on ${growth}% growth`);
        this.startRewrite();
      }
    }
  }

  private updateDenyWrites(): void {
    const err = this.writer?.lastError ?? null;
    const text = err === null ? null : `MISCONF Errors writing to the AOF file: ${strerror(err)}`;
    if (text === this.denyText) return;
    this.denyText = text;
    this.onWriteStatus();
  }

  // ---- rewrite ----------------------------------------------------------------------------------

  /** BGREWRITEAOF's reply text. */
  bgrewriteaof(): string {
    this.retryNotBefore = 0;
    if (this.rewrite !== null) throw new RedisError('ERR Background append only file rewriting already in progress');
    if (this.server.snapshotRunning) {
      this.rewriteScheduled = true;
      return 'Background append only file rewriting scheduled';
    }
    this.startRewrite();
    if (this.rewrite === null) throw new RedisError("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.");
    return 'Background append only file rewriting started';
  }

  /** CONFIG SET appendonly yes at runtime: log into a fresh folder state once a base is written. */
  enable(): void {
    if (this.status !== 'off') return;
    this.status = 'wait-rewrite';
    if (this.server.snapshotRunning) this.rewriteScheduled = true;
    else this.startRewrite();
  }

  /** CONFIG SET appendonly no: stop logging; a running rewrite is abandoned. */
  disable(): void {
    if (this.status === 'off') return;
    this.rewrite?.abort();
    this.rewrite = null;
    this.rewriteScheduled = false;
    this.writer?.close();
    this.writer = null;
    this.status = 'off';
    this.server.propagator = this.server.noPropagation;
    this.updateDenyWrites();
  }

  /** Shutdown: everything written and synced. */
  close(): void {
    this.rewrite?.abort();
    this.writer?.close();
    this.writer = null;
  }

  private startRewrite(): void {
    this.rewriteScheduled = false;
    const store = this.store ?? AofStore.open(this.storeOptions());
    this.store = store;
    const fresh = this.status === 'wait-rewrite';
    let opened: { fd: number; name: string };
    try {
      opened = fresh ? store.startFresh() : store.startRewrite();
    } catch (e) {
      this.rewriteFailed(e as Error);
      return;
    }
    if (fresh) {
      // Writes from now on go to the temp incr, which becomes the first incr with the new base.
      // A retry after a failed attempt truncated it: the new snapshot holds all it had.
      this.writer?.close();
      this.startWriter(opened.fd, 0);
      this.server.propagator = this;
    } else {
      this.otherFilesSize += this.writer!.fileSize;
      this.writer!.switchFile(opened.fd, 0);
    }
    this.rewrites++;
    const rdb = this.config.get('aof-use-rdb-preamble') === 'yes';
    const functions = this.server.functionLibraries.all();
    const encoder = rdb
      ? rdbSnapshotEncoder(rdbOptions(this.server, true), functions)
      : respSnapshotEncoder(this.timestampForBase(), functions);
    const tempPath = store.rewriteTempPath();
    const job = new BackgroundSave({
      dbs: this.server.dbs, encoder, tempPath,
      incrementalFsync: this.config.get('aof-rewrite-incremental-fsync') === 'yes',
    });
    this.rewrite = job;
    this.server.beginSnapshot(job);
    this.server.log.info({ incr: opened.name }, 'Background append only file rewriting started');
    job.done.then(
      async () => {
        this.server.endSnapshot(job);
        if (this.rewrite !== job) return;
        const retired = fresh ? await store.finishFresh(tempPath, rdb) : await store.finishRewrite(tempPath, rdb);
        this.rewrite = null;
        this.lastBgrewriteOk = true;
        this.consecutiveFailures = 0;
        this.retryNotBefore = 0;
        this.lastRewriteSeconds = Math.round((Date.now() - job.startedAt) / 1000);
        if (fresh) this.status = 'on';
        const baseSize = store.baseSize();
        this.otherFilesSize = baseSize;
        this.rewriteBaseSize = baseSize + (this.writer?.fileSize ?? 0);
        this.server.log.info({ retired }, 'Background AOF rewrite finished successfully');
        if (this.config.get('aof-disable-auto-gc') !== 'yes') await this.retireHistory(retired);
      },
      (e: unknown) => {
        this.server.endSnapshot(job);
        if (this.rewrite !== job) return;
        this.rewrite = null;
        this.rewriteFailed(e as Error);
      },
    ).catch((e: unknown) => {
      this.rewrite = null;
      this.rewriteFailed(e as Error);
    });
  }

  /** The base written on a first start: the (empty) keyspace's functions, nothing else. */
  private emptyBase(rdb: boolean): Buffer {
    const functions = this.server.functionLibraries.all();
    const enc = rdb ? rdbSnapshotEncoder(rdbOptions(this.server, true), functions) : respSnapshotEncoder(this.timestampForBase(), functions);
    return Buffer.concat([enc.header(), enc.take(), enc.finish()]);
  }

  /** A RESP base begins with a #TS line when timestamps are on (§2.6). */
  private timestampForBase(): number | null {
    return this.config.get('aof-timestamp-enabled') === 'yes' ? Math.floor(this.server.clock.now() / 1000) : null;
  }

  private rewriteFailed(err: Error): void {
    this.lastBgrewriteOk = false;
    this.consecutiveFailures++;
    if (this.consecutiveFailures >= 3) {
      const minutes = Math.min(60, 2 ** (this.consecutiveFailures - 3));
      this.retryNotBefore = Date.now() + minutes * 60_000;
    }
    this.server.log.warn({ err }, 'Background AOF rewrite failed');
  }

  /**
   * Files the manifest now lists as history: with timestamps on they move to the archive (so
   * restores can reach back past this rewrite), then the manifest stops listing them.
   */
  private retireHistory(retired: RetiredFiles = { base: null, incrs: [] }): Promise<void> {
    // Chained, so two never run at once and close() can wait for the last one.
    const run = this.housekeeping.then(() => this.retire(retired));
    this.housekeeping = run;
    return run;
  }

  /** Resolves when no history removal or archiving is in progress. */
  idle(): Promise<void> {
    return this.housekeeping;
  }

  private async retire(retired: RetiredFiles): Promise<void> {
    const store = this.store;
    if (store === null) return;
    try {
      if (this.config.get('aof-timestamp-enabled') === 'yes') this.archiveFiles(store, retired);
      await store.deleteHistory();
    } catch (e) {
      this.server.log.warn({ err: e as Error }, 'could not remove AOF history files');
    }
  }

  /** Moves retired files into the archive as one generation, then applies the retention limits. */
  archiveFiles(store: AofStore, retired: RetiredFiles): void {
    if (retired.base === null) return;
    const basePath = path.join(store.aofDir, retired.base);
    if (!fs.existsSync(basePath)) return;
    const baseTime = snapshotTimeOf(basePath);
    const archive = AofArchive.open(store.aofDir);
    archive.addGeneration(retired.base, retired.incrs, baseTime);
    const retention = parseDuration(this.config.get('aof-archive-retention')) ?? 0;
    archive.prune(retention, this.config.int('aof-archive-max-size'), Math.floor(Date.now() / 1000));
  }

  private startWriter(fd: number, size: number): void {
    this.writer = new AofWriter({
      fd,
      size,
      policy: this.config.get('appendfsync') as FsyncPolicy,
      timestamps: this.config.get('aof-timestamp-enabled') === 'yes',
      clock: () => this.server.commandTime,
      warn: (msg, err) => this.server.log.warn(err === undefined ? {} : { err }, msg),
    });
  }

  private storeOptions(): { dir: string; dirName: string; fileName: string } {
    return { dir: this.config.get('dir'), dirName: this.config.get('appenddirname'), fileName: this.config.get('appendfilename') };
  }

  /** Config changes that apply to a running AOF. */
  watchConfig(): void {
    this.config.watch('appendfsync', (v) => {
      if (this.writer !== null) this.writer.policy = v as FsyncPolicy;
    });
    this.config.watch('aof-timestamp-enabled', (v) => {
      if (this.writer !== null) this.writer.timestamps = v === 'yes';
    });
  }

  infoLines(): string[] {
    const w = this.writer;
    const lines = [
      `aof_enabled:${this.status === 'off' ? 0 : 1}`,
      `aof_rewrite_in_progress:${this.rewrite !== null ? 1 : 0}`,
      `aof_rewrite_scheduled:${this.rewriteScheduled ? 1 : 0}`,
      `aof_last_rewrite_time_sec:${this.lastRewriteSeconds}`,
      `aof_current_rewrite_time_sec:${this.rewrite === null ? -1 : Math.floor((Date.now() - this.rewrite.startedAt) / 1000)}`,
      `aof_last_bgrewrite_status:${this.lastBgrewriteOk ? 'ok' : 'err'}`,
      `aof_rewrites:${this.rewrites}`,
      `aof_rewrites_consecutive_failures:${this.consecutiveFailures}`,
      `aof_last_write_status:${w?.lastError == null ? 'ok' : 'err'}`,
      'aof_last_cow_size:0',
      'module_fork_in_progress:0',
      'module_fork_last_cow_size:0',
    ];
    if (this.status !== 'off') {
      lines.push(
        `aof_current_size:${this.currentSize}`,
        `aof_base_size:${this.rewriteBaseSize}`,
        `aof_pending_rewrite:${this.rewriteScheduled ? 1 : 0}`,
        `aof_buffer_length:${w?.bufferLength ?? 0}`,
        `aof_pending_bio_fsync:${w?.pendingFsync ?? 0}`,
        `aof_delayed_fsync:${w?.delayedFsync ?? 0}`,
      );
    }
    return lines;
  }
}
