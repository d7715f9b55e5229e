/*
 * AofStore: the files of a multi-part AOF folder and the manifest that names them
 * (persistence-format.md §1, §6.2), as Redis 7.0 lays them out:
 *   <dir>/<appenddirname>/<P>.manifest, <P>.<n>.base.(rdb|aof), <P>.<n>.incr.aof
 *
 * Every change of the manifest is atomic (temp file, fsync, rename, fsync of the folder), and the
 * order of each operation keeps the folder loadable after a crash at any point:
 *  - start of a rewrite: the new incr file is created, then listed (the old manifest, without it,
 *    is still complete: the file is merely unused);
 *  - end of a rewrite: the finished base is renamed into the folder under its new name, then the
 *    manifest switches to it in one rename; only after that are the old files history;
 *  - history files are removed only after a manifest that no longer needs them is durable.
 * An old single-file AOF (<dir>/<P>) is moved into the folder on open, as Redis's upgrade does.
 * Files named only by the manifest's history are never loaded.
 */
import * as fs from 'node:fs';
import path from 'node:path';
import {
  ManifestError, baseName, incrName, nextBaseSeq, nextIncrSeq, parseManifest, serializeManifest,
  type Manifest, type ManifestEntry,
} from './aof-manifest.js';
import { fsyncDirSync, writeFileDurable, writeFileDurableSync } from './fs-durable.js';

export interface AofStoreOptions {
  /** The working directory (config `dir`). */
  dir: string;
  /** appenddirname. */
  dirName: string;
  /** appendfilename: the prefix of every file name. */
  fileName: string;
}

/** Files a rewrite or restore took out of the chain: a base and the incrs written after it. */
export interface RetiredFiles {
  base: string | null;
  incrs: string[];
}

export interface AofFileInfo {
  name: string;
  path: string;
  type: 'b' | 'i';
  size: number;
  /** True for the last file to be loaded (the only one aof-load-truncated may cut). */
  last: boolean;
}

/** Startup cannot go on: the message says what is wrong and what to do. */
export class AofStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AofStoreError';
  }
}

export class AofStore {
  readonly aofDir: string;
  manifest: Manifest;
  /** Set when open() moved an old single-file AOF into the folder. */
  upgraded = false;

  private constructor(
    readonly opts: AofStoreOptions,
    manifest: Manifest,
  ) {
    this.aofDir = path.join(opts.dir, opts.dirName);
    this.manifest = manifest;
  }

  /**
   * Reads the manifest (absent folder or manifest = no files), then upgrades an old-style
   * `<dir>/<P>` file into the folder when Redis would (§1.4 step 2).
   */
  static open(opts: AofStoreOptions): AofStore {
    const aofDir = path.join(opts.dir, opts.dirName);
    const manifestPath = path.join(aofDir, manifestName(opts.fileName));
    let manifest: Manifest = { base: null, history: [], incrs: [] };
    let text: Buffer | null = null;
    try {
      text = fs.readFileSync(manifestPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new AofStoreError(`Read AOF manifest failed: ${(e as Error).message}`);
    }
    if (text !== null) manifest = parseManifest(text);
    const store = new AofStore(opts, manifest);
    store.upgradeOldFile();
    return store;
  }

  get manifestPath(): string {
    return path.join(this.aofDir, manifestName(this.opts.fileName));
  }

  /** The base then every incr, in load order, with their sizes. A missing file is fatal. */
  filesToLoad(): AofFileInfo[] {
    const entries: ManifestEntry[] = [];
    if (this.manifest.base !== null) entries.push(this.manifest.base);
    entries.push(...this.manifest.incrs);
    return entries.map((e, i) => {
      const p = path.join(this.aofDir, e.name);
      let size: number;
      try {
        size = fs.statSync(p).size;
      } catch (err) {
        throw new AofStoreError(`Unable to obtain the AOF file ${e.name} length. stat: ${strerror(err)}`);
      }
      return { name: e.name, path: p, type: e.type === 'b' ? 'b' : 'i', size, last: i === entries.length - 1 };
    });
  }

  /** Bytes of the base file (INFO aof_base_size after a restart). */
  baseSize(): number {
    return this.manifest.base === null ? 0 : fileSize(path.join(this.aofDir, this.manifest.base.name));
  }

  /** Bytes of the base and every incr (INFO aof_current_size). */
  totalSize(): number {
    let total = this.baseSize();
    for (const e of this.manifest.incrs) total += fileSize(path.join(this.aofDir, e.name));
    return total;
  }

  /**
   * After loading (§1.4 step 4): writes a base from the (empty) data set when the manifest has
   * neither base nor incr, then opens the last incr for appending or creates the next one, and
   * persists the manifest if it changed. Returns the open descriptor and the file's size.
   */
  openForAppend(initialBase: () => { data: Buffer; rdb: boolean }): { fd: number; size: number; name: string } {
    fs.mkdirSync(this.aofDir, { recursive: true });
    const m = this.manifest;
    let changed = false;
    if (m.base === null && m.incrs.length === 0) {
      const { data, rdb } = initialBase();
      const seq = nextBaseSeq(m);
      const name = baseName(this.opts.fileName, seq, rdb);
      writeFileDurableSync(this.aofDir, name, data, `temp-${name}`);
      m.base = { name, seq, type: 'b' };
      changed = true;
    }
    let last = m.incrs[m.incrs.length - 1];
    let fd: number;
    if (last === undefined) {
      const seq = nextIncrSeq(m);
      last = { name: incrName(this.opts.fileName, seq), seq, type: 'i' };
      fd = fs.openSync(path.join(this.aofDir, last.name), 'a');
      m.incrs.push(last);
      changed = true;
    } else {
      fd = fs.openSync(path.join(this.aofDir, last.name), 'a');
    }
    if (changed) this.persistManifestSync();
    return { fd, size: fs.fstatSync(fd).size, name: last.name };
  }

  /**
   * Start of a rewrite (§6.2 step 1b): creates the next incr file and lists it. From here on new
   * writes go to it; the manifest still names the old base and incrs.
   */
  startRewrite(): { fd: number; name: string } {
    fs.mkdirSync(this.aofDir, { recursive: true });
    const seq = nextIncrSeq(this.manifest);
    const name = incrName(this.opts.fileName, seq);
    const fd = fs.openSync(path.join(this.aofDir, name), fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_APPEND, 0o644);
    const next = cloneManifest(this.manifest);
    next.incrs.push({ name, seq, type: 'i' });
    try {
      this.persistManifestSync(next);
    } catch (e) {
      fs.closeSync(fd);
      fs.rmSync(path.join(this.aofDir, name), { force: true });
      throw e;
    }
    this.manifest = next;
    return { fd, name };
  }

  /**
   * End of a rewrite (§6.2 step 3): the finished temp file becomes the next base, the old base and
   * every incr but the last become history, and the manifest switches in one atomic rename.
   * Returns the names that are now history.
   */
  async finishRewrite(tempPath: string, rdb: boolean): Promise<RetiredFiles> {
    const m = this.manifest;
    const seq = nextBaseSeq(m);
    const name = baseName(this.opts.fileName, seq, rdb);
    await fs.promises.rename(tempPath, path.join(this.aofDir, name));
    const next = cloneManifest(m);
    const retired: ManifestEntry[] = [];
    if (next.base !== null) retired.push({ ...next.base, type: 'h' });
    const current = next.incrs[next.incrs.length - 1]!;
    for (const e of next.incrs.slice(0, -1)) retired.push({ ...e, type: 'h' });
    next.base = { name, seq, type: 'b' };
    next.incrs = [current];
    // History is listed newest first.
    next.history = [...[...retired].reverse(), ...next.history];
    await writeFileDurable(this.aofDir, manifestName(this.opts.fileName), serializeManifest(next), tempManifestName(this.opts.fileName));
    this.manifest = next;
    return retiredFiles(m);
  }

  /**
   * Turning the AOF on at runtime (§6.4): until the first base is written, writes go to
   * `temp-<P>.incr`, which no manifest names, so a crash meanwhile leaves the old folder as it was.
   */
  startFresh(): { fd: number; name: string } {
    fs.mkdirSync(this.aofDir, { recursive: true });
    const name = `temp-${this.opts.fileName}.incr`;
    const fd = fs.openSync(path.join(this.aofDir, name), fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_APPEND, 0o644);
    return { fd, name };
  }

  /**
   * The first base after turning the AOF on is written: it and the temp incr get their real
   * names, and the manifest lists only them; every file it named before becomes history.
   */
  async finishFresh(tempBasePath: string, rdb: boolean): Promise<RetiredFiles> {
    const m = this.manifest;
    const baseSeq = nextBaseSeq(m);
    const incrSeq = nextIncrSeq(m);
    const base = baseName(this.opts.fileName, baseSeq, rdb);
    const incr = incrName(this.opts.fileName, incrSeq);
    await fs.promises.rename(tempBasePath, path.join(this.aofDir, base));
    await fs.promises.rename(path.join(this.aofDir, `temp-${this.opts.fileName}.incr`), path.join(this.aofDir, incr));
    const retired: ManifestEntry[] = [];
    if (m.base !== null) retired.push({ ...m.base, type: 'h' });
    for (const e of m.incrs) retired.push({ ...e, type: 'h' });
    const next: Manifest = {
      base: { name: base, seq: baseSeq, type: 'b' },
      history: [...[...retired].reverse(), ...m.history.map((e) => ({ ...e }))],
      incrs: [{ name: incr, seq: incrSeq, type: 'i' }],
    };
    await writeFileDurable(this.aofDir, manifestName(this.opts.fileName), serializeManifest(next), tempManifestName(this.opts.fileName));
    this.manifest = next;
    return { base: m.base?.name ?? null, incrs: m.incrs.map((e) => e.name) };
  }

  /**
   * After a point-in-time restore: the restored keyspace becomes a new base with an empty incr,
   * and the manifest switches to them in one rename. The files it named before are returned, no
   * longer listed but untouched (the caller archives them: they hold the abandoned timeline).
   */
  startNewChain(baseData: Buffer, rdb: boolean): RetiredFiles {
    fs.mkdirSync(this.aofDir, { recursive: true });
    const m = this.manifest;
    const baseSeq = nextBaseSeq(m);
    const incrSeq = nextIncrSeq(m);
    const base = baseName(this.opts.fileName, baseSeq, rdb);
    const incr = incrName(this.opts.fileName, incrSeq);
    writeFileDurableSync(this.aofDir, base, baseData, `temp-${base}`);
    writeFileDurableSync(this.aofDir, incr, Buffer.alloc(0), `temp-${incr}`);
    const next: Manifest = { base: { name: base, seq: baseSeq, type: 'b' }, history: [], incrs: [{ name: incr, seq: incrSeq, type: 'i' }] };
    this.persistManifestSync(next);
    this.manifest = next;
    return { base: m.base?.name ?? null, incrs: m.incrs.map((e) => e.name) };
  }

  /** Removes history files, then lists the manifest without them (§6.2 step 3f). */
  async deleteHistory(): Promise<void> {
    const history = this.manifest.history;
    if (history.length === 0) return;
    const next = cloneManifest(this.manifest);
    next.history = [];
    await writeFileDurable(this.aofDir, manifestName(this.opts.fileName), serializeManifest(next), tempManifestName(this.opts.fileName));
    this.manifest = next;
    for (const e of history) await fs.promises.rm(path.join(this.aofDir, e.name), { force: true });
  }

  /** A temp file for a rewrite's output, in `dir` as Redis puts it (§1.1). */
  rewriteTempPath(): string {
    return path.join(this.opts.dir, `temp-rewriteaof-bg-${process.pid}.aof`);
  }

  private persistManifestSync(m: Manifest = this.manifest): void {
    writeFileDurableSync(this.aofDir, manifestName(this.opts.fileName), serializeManifest(m), tempManifestName(this.opts.fileName));
  }

  /** §1.4 step 2: an old single-file AOF in `dir` becomes the base of a new folder. */
  private upgradeOldFile(): void {
    const { dir, fileName } = this.opts;
    const oldPath = path.join(dir, fileName);
    if (!fs.existsSync(oldPath)) return;
    const m = this.manifest;
    const dirExists = fs.existsSync(this.aofDir);
    const onlyOldBase = m.base !== null && m.base.name === fileName && m.incrs.length === 0
      && !fs.existsSync(path.join(this.aofDir, fileName));
    if (dirExists && !(m.base === null && m.incrs.length === 0) && !onlyOldBase) return;
    fs.mkdirSync(this.aofDir, { recursive: true });
    const next: Manifest = { base: { name: fileName, seq: 1, type: 'b' }, history: [], incrs: [] };
    this.persistManifestSync(next);
    fs.renameSync(oldPath, path.join(this.aofDir, fileName));
    fsyncDirSync(dir);
    this.manifest = next;
    this.upgraded = true;
  }
}

export function manifestName(fileName: string): string {
  return `${fileName}.manifest`;
}

function tempManifestName(fileName: string): string {
  return `temp-${fileName}.manifest`;
}

/** A rewrite retires the base and every incr but the last (the one now written). */
function retiredFiles(m: Manifest): RetiredFiles {
  return { base: m.base?.name ?? null, incrs: m.incrs.slice(0, -1).map((e) => e.name) };
}

function cloneManifest(m: Manifest): Manifest {
  return { base: m.base === null ? null : { ...m.base }, history: m.history.map((e) => ({ ...e })), incrs: m.incrs.map((e) => ({ ...e })) };
}

function fileSize(p: string): number {
  try {
    return fs.statSync(p).size;
  } catch {
    return 0;
  }
}

/** The C library's wording for the common errno codes, as Redis prints them. */
export function strerror(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'No such file or directory';
    case 'EACCES': return 'Permission denied';
    case 'ENOSPC': return 'No space left on device';
    case 'EIO': return 'Input/output error';
    case 'EROFS': return 'Read-only file system';
    case 'EDQUOT': return 'Disk quota exceeded';
    case 'EISDIR': return 'Is a directory';
    case 'ENOTDIR': return 'Not a directory';
    default: return (e as Error).message;
  }
}

export { ManifestError };
