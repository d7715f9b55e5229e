/*
 * Durable whole-file replacement, the way Redis 7.0 replaces its AOF manifest
 * (persistence-format.md §1.2 "Atomic replacement"): write a temp file in the same folder
 * (O_WRONLY|O_TRUNC|O_CREAT, mode 0644), fsync it, rename() it over the target, fsync the folder.
 *
 * What survives a crash: before the rename, the old file, untouched (the temp may be left behind
 * and is overwritten next time); after the folder fsync, the new file, complete. A failure at any
 * step removes the temp file and rethrows, so the old file stays in place.
 * Folder fsync ignores EINVAL/EBADF (file systems that cannot sync a folder), as Redis's
 * fsyncFileDir does, and EISDIR from opening one (platforms that cannot open a folder).
 */
import * as fs from 'node:fs';
import path from 'node:path';

const TEMP_FLAGS = fs.constants.O_WRONLY | fs.constants.O_TRUNC | fs.constants.O_CREAT;
const FILE_MODE = 0o644;

/** Replaces dir/name with `data` via dir/tempName; returns once the new file and its name are on disk. */
export function writeFileDurableSync(dir: string, name: string, data: Uint8Array | string, tempName: string): void {
  const tempPath = path.join(dir, tempName);
  try {
    const fd = fs.openSync(tempPath, TEMP_FLAGS, FILE_MODE);
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
      let done = 0;
      while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tempPath, path.join(dir, name));
  } catch (e) {
    fs.rmSync(tempPath, { force: true });
    throw e;
  }
  fsyncDirSync(dir);
}

/** writeFileDurableSync without blocking the event loop. */
export async function writeFileDurable(dir: string, name: string, data: Uint8Array | string, tempName: string): Promise<void> {
  const tempPath = path.join(dir, tempName);
  try {
    const handle = await fs.promises.open(tempPath, TEMP_FLAGS, FILE_MODE);
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
      let done = 0;
      while (done < bytes.length) done += (await handle.write(bytes, done, bytes.length - done)).bytesWritten;
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(tempPath, path.join(dir, name));
  } catch (e) {
    await fs.promises.rm(tempPath, { force: true });
    throw e;
  }
  await fsyncDir(dir);
}

/** fsync a folder, so a rename or create inside it survives a crash. */
export function fsyncDirSync(dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, 'r');
  } catch (e) {
    if (errnoCode(e) === 'EISDIR') return;
    throw e;
  }
  try {
    fs.fsyncSync(fd);
  } catch (e) {
    if (!ignoredSyncError(e)) throw e;
  } finally {
    fs.closeSync(fd);
  }
}

/** fsyncDirSync without blocking the event loop. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(dir, 'r');
  } catch (e) {
    if (errnoCode(e) === 'EISDIR') return;
    throw e;
  }
  try {
    await handle.sync();
  } catch (e) {
    if (!ignoredSyncError(e)) throw e;
  } finally {
    await handle.close();
  }
}

function errnoCode(e: unknown): string | undefined {
  return e instanceof Error ? (e as NodeJS.ErrnoException).code : undefined;
}

function ignoredSyncError(e: unknown): boolean {
  const code = errnoCode(e);
  return code === 'EINVAL' || code === 'EBADF';
}
