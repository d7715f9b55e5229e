/*
 * Persistence: what the server does to keep data across restarts, behind one object that
 * commands reach through ServerApi.persistence (SAVE, BGSAVE, BGREWRITEAOF, INFO persistence,
 * DEBUG RELOAD) and that startup, the cron and shutdown drive.
 *
 * Startup, as Redis 7.0: with appendonly yes only the AOF folder is loaded (dump.rdb is ignored
 * even when the folder is empty); otherwise dump.rdb is loaded when it exists, dropping keys whose
 * TTL passed. While loading, INFO shows loading:1 with progress and an ETA, other commands get
 * -LOADING, and the log shows how far it is.
 */
import * as fs from 'node:fs';
import { RedisError } from '../protocol/errors.js';
import { loadAof, AofLoadError } from '../persistence/aof-loader.js';
import { ManifestError } from '../persistence/aof-manifest.js';
import { AofStoreError } from '../persistence/aof-store.js';
import { RestoreError, RestorePlanner, formatTime, parseRestoreTime } from '../persistence/aof-restore.js';
import { RdbFormatError } from '../persistence/rdb-types.js';
import { forEachRdbRecord } from '../persistence/rdb-reader.js';
import { encodingLimits } from '../persistence/keyspace-codec.js';
import type { FlashbackOptions, FlashbackResult, PersistenceApi } from '../commands/context.js';
import { flashback } from './flashback.js';
import { AofManager } from './aof.js';
import { RdbSaver } from './rdb-save.js';
import { ReplayClient } from './replay.js';
import type { ServerState } from './server-state.js';

/** Startup cannot go on (a damaged file, a bad manifest): the lines say why and what to do. */
export class StartupError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
    this.name = 'StartupError';
  }
}

/** What a point-in-time restore loaded (the --dry-run report). */
export interface RestoreReport {
  target: number;
  chain: string[];
  timeline: number;
  commands: number;
  lastCommand: string[] | null;
  stoppedAt: { file: string; offset: number; timestamp: number } | null;
}

interface LoadingInfo {
  startedAt: number;
  total: number;
  done: number;
}

export class Persistence implements PersistenceApi {
  readonly aof: AofManager;
  readonly rdb: RdbSaver;
  private loadingInfo: LoadingInfo | null = null;
  /** Set once startup loading is over. */
  private started = false;
  private lastProgressLog = 0;
  keysLoaded = 0;
  keysExpired = 0;

  constructor(private readonly server: ServerState) {
    this.aof = new AofManager(server, () => this.refreshDenyWrites());
    this.rdb = new RdbSaver(server);
    this.aof.watchConfig();
    server.config.watch('appendonly', (v) => {
      // Startup decides from the initial value; only later changes (CONFIG SET) switch it here.
      if (!this.started) return;
      if (v === 'yes') this.aof.enable();
      else this.aof.disable();
    });
  }

  get loading(): boolean {
    return this.loadingInfo !== null;
  }

  /**
   * Loads what the config says to load, then starts the AOF when it is on. With `restore-to`,
   * loads the state at that second instead and (unless dryRun) starts a new timeline from it;
   * the returned report says what was restored.
   */
  async loadAtStartup(dryRun = false): Promise<RestoreReport | null> {
    const server = this.server;
    const aofOn = server.config.get('appendonly') === 'yes';
    const restoreTo = server.config.get('restore-to');
    let target: number | null = null;
    let report: RestoreReport | null = null;
    if (restoreTo !== '') {
      if (!aofOn) throw new StartupError(['--restore-to replays the AOF folder: start it with --appendonly yes']);
      try {
        target = parseRestoreTime(restoreTo);
      } catch (e) {
        throw new StartupError([(e as Error).message]);
      }
    }
    const replay = new ReplayClient(server, { keepExpired: aofOn, limits: encodingLimits(server.config) });
    this.loadingInfo = { startedAt: Date.now(), total: 0, done: 0 };
    server.loading = true;
    const started = performance.now();
    try {
      if (target !== null) {
        const { result, chain } = await this.aof.restore(replay, target, (d, t) => this.progress(d, t));
        report = { target, chain: chain.files.map((f) => f.path), timeline: chain.timeline, commands: result.commands, lastCommand: result.lastCommand, stoppedAt: result.stoppedAt };
        server.log.info({ target, files: report.chain, commands: result.commands, stoppedAt: result.stoppedAt }, `Restored the state at the end of second ${formatTime(target)}`);
      } else if (aofOn) {
        const result = await this.aof.load(replay, (d, t) => this.progress(d, t));
        if (result !== null) {
          server.log.info({ commands: result.commands, seconds: ((performance.now() - started) / 1000).toFixed(3) }, 'DB loaded from append only file');
        }
      } else {
        await this.loadDumpFile(replay);
      }
    } catch (e) {
      throw toStartupError(e);
    } finally {
      server.loading = false;
      this.loadingInfo = null;
    }
    this.keysLoaded = replay.keysLoaded;
    this.keysExpired = replay.keysExpired;
    // Loading is not a change: counters start from here, as after Redis's load.
    server.resetStats();
    server.stats.dirty = 0;
    if (dryRun) return report;
    if (aofOn) {
      try {
        if (target !== null) this.aof.beginTimeline(target);
        this.aof.openAfterLoad();
      } catch (e) {
        throw toStartupError(e);
      }
    }
    this.started = true;
    return report;
  }

  private async loadDumpFile(replay: ReplayClient): Promise<void> {
    const file = this.rdb.path;
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      return;
    }
    const started = performance.now();
    await loadAof(replay, {
      files: [{ name: this.server.config.get('dbfilename'), path: file, type: 'b', size, last: true }],
      loadTruncated: false,
      readOnly: true,
      databases: this.server.dbs.length,
      onProgress: (d, t) => this.progress(d, t),
      log: () => undefined,
    });
    this.server.log.info(
      { keysLoaded: replay.keysLoaded, keysExpired: replay.keysExpired, seconds: ((performance.now() - started) / 1000).toFixed(3) },
      `Done loading RDB, keys loaded: ${replay.keysLoaded}, keys expired: ${replay.keysExpired}.`,
    );
  }

  private progress(done: number, total: number): void {
    const info = this.loadingInfo;
    if (info === null) return;
    info.done = done;
    info.total = total;
    const now = Date.now();
    if (now - this.lastProgressLog >= 1000 && done < total) {
      this.lastProgressLog = now;
      this.server.log.info({ loadedBytes: done, totalBytes: total, percent: pct(done, total), eta: this.eta() }, 'loading');
    }
  }

  private eta(): number {
    const info = this.loadingInfo;
    if (info === null || info.done === 0) return 1;
    const elapsed = (Date.now() - info.startedAt) / 1000;
    return Math.round(((info.total - info.done) * elapsed) / info.done);
  }

  /** From the cron. */
  tick(): void {
    if (this.loadingInfo !== null) return;
    this.aof.tick();
    this.rdb.tick();
    this.refreshDenyWrites();
  }

  /** Writes are refused while the last BGSAVE (with save rules) or the last AOF write failed. */
  refreshDenyWrites(): void {
    this.server.denyWrites = this.rdb.denyWrites() ?? this.aof.denyText;
  }

  /** Resolves once background file housekeeping (history removal, archiving) is done. */
  idle(): Promise<void> {
    return this.aof.idle();
  }

  /** SHUTDOWN: save when asked (or by default when save rules exist), then close the AOF. */
  shutdown(save: 'default' | 'save' | 'nosave'): void {
    const rules = this.server.config.get('save').trim() !== '';
    if (save === 'save' || (save === 'default' && rules)) this.rdb.save();
    this.aof.close();
  }

  // ---- PersistenceApi ---------------------------------------------------------------------------

  save(): void {
    if (this.server.snapshotRunning && this.rdb.bgsave !== null) throw new RedisError('ERR Background save already in progress');
    this.rdb.save();
  }

  bgsave(schedule: boolean): string {
    if (this.rdb.bgsave !== null) throw new RedisError('ERR Background save already in progress');
    if (this.aof.rewrite !== null) {
      if (!schedule) {
        throw new RedisError("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
      }
      return 'Background saving scheduled';
    }
    this.rdb.startBgsave();
    return 'Background saving started';
  }

  bgrewriteaof(): string {
    return this.aof.bgrewriteaof();
  }

  debugReload(opts: { save: boolean; flush: boolean; merge: boolean }): void {
    const server = this.server;
    if (opts.save) this.rdb.save();
    let data: Buffer;
    try {
      data = fs.readFileSync(this.rdb.path);
    } catch (e) {
      server.log.warn({ err: e as Error }, 'DEBUG RELOAD: cannot read the RDB file');
      throw new RedisError('ERR Error trying to load the RDB dump, check server logs.');
    }
    if (opts.flush) {
      for (const db of server.dbs) db.flush();
      server.functionLibraries.clear();
    }
    const replay = new ReplayClient(server, { keepExpired: false, limits: encodingLimits(server.config) });
    // Keys loaded from the file publish nothing (Redis's dbAddRDBLoad): no `new` event for each.
    const notifyFlags = server.notifyFlags;
    server.notifyFlags = 0;
    try {
      forEachRdbRecord(data, (r) => replay.rdbRecord(r), { databases: server.dbs.length });
    } catch (e) {
      server.log.warn({ err: e as Error }, 'DEBUG RELOAD: the RDB file does not load');
      throw new RedisError('ERR Error trying to load the RDB dump, check server logs.');
    } finally {
      server.notifyFlags = notifyFlags;
    }
  }

  flashback(opts: FlashbackOptions): FlashbackResult {
    return flashback(this.server, opts);
  }

  restoreRange(): { oldest: number; newest: number } {
    const store = this.aof.store;
    if (store === null || this.aof.writer === null) throw new RedisError('ERR REWIND needs the AOF: start with appendonly yes and aof-timestamp-enabled yes');
    this.aof.writer.flush();
    try {
      return new RestorePlanner(store).range();
    } catch (e) {
      throw new RedisError(`ERR ${(e as Error).message}`);
    }
  }

  infoLines(): string[] {
    const snap = this.server.snapshot;
    const lines = [
      `loading:${this.loadingInfo === null ? 0 : 1}`,
      'async_loading:0',
      'current_cow_peak:0',
      'current_cow_size:0',
      'current_cow_size_age:0',
      'current_fork_perc:0.00',
      `current_save_keys_processed:${snap?.snapshot.processed ?? 0}`,
      `current_save_keys_total:${snap?.snapshot.total ?? 0}`,
      ...this.rdb.infoLines(),
      `rdb_last_load_keys_expired:${this.keysExpired}`,
      `rdb_last_load_keys_loaded:${this.keysLoaded}`,
      ...this.aof.infoLines(),
    ];
    const info = this.loadingInfo;
    if (info !== null) {
      lines.push(
        `loading_start_time:${Math.floor(info.startedAt / 1000)}`,
        `loading_total_bytes:${info.total}`,
        `loading_rdb_used_mem:0`,
        `loading_loaded_bytes:${info.done}`,
        `loading_loaded_perc:${pct(info.done, info.total)}`,
        `loading_eta_seconds:${this.eta()}`,
      );
    }
    return lines;
  }
}

function pct(done: number, total: number): string {
  return total === 0 ? '0.00' : ((done * 100) / total).toFixed(2);
}

function toStartupError(e: unknown): StartupError {
  if (e instanceof StartupError) return e;
  if (e instanceof AofLoadError) return new StartupError(e.lines);
  if (e instanceof ManifestError) {
    const lines = ['*** FATAL AOF MANIFEST FILE ERROR ***'];
    if (e.lineNumber !== undefined) lines.push(`Reading the manifest file, at line ${e.lineNumber}`, `>>> '${e.line ?? ''}'`);
    lines.push(e.message);
    return new StartupError(lines);
  }
  if (e instanceof AofStoreError || e instanceof RestoreError) return new StartupError([e.message]);
  if (e instanceof RdbFormatError) return new StartupError([`Bad RDB file: ${e.message}`]);
  return new StartupError([(e as Error).message]);
}
