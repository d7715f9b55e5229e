/*
 * Durable file replacement: the new content lands under the final name, the temp file never
 * survives (success or failure), a failure leaves the old file as it was, and a stale temp file
 * from a crash is overwritten rather than appended to.
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fsyncDir, fsyncDirSync, writeFileDurable, writeFileDurableSync } from '../../persistence/fs-durable.js';

let dir = '';

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(tmpdir(), 'fs-durable-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

type Write = (dir: string, name: string, data: Uint8Array | string, tempName: string) => void | Promise<void>;

const VARIANTS: [string, Write][] = [
  ['writeFileDurableSync', writeFileDurableSync],
  ['writeFileDurable', writeFileDurable],
];

for (const [label, write] of VARIANTS) {
  describe(label, () => {
    it('creates the file with the data and mode 0644 (less umask), leaving no temp file', async () => {
      await write(dir, 'appendonly.aof.manifest', Buffer.from('file a seq 1 type b\n'), 'temp-appendonly.aof.manifest');
      expect(fs.readFileSync(path.join(dir, 'appendonly.aof.manifest'), 'latin1')).toBe('file a seq 1 type b\n');
      expect(fs.readdirSync(dir)).toEqual(['appendonly.aof.manifest']);
      const mode = fs.statSync(path.join(dir, 'appendonly.aof.manifest')).mode & 0o777;
      expect(mode & ~0o644).toBe(0);
      expect(mode & 0o600).toBe(0o600);
    });

    it('replaces an existing file, and writes strings as latin1', async () => {
      fs.writeFileSync(path.join(dir, 'm'), 'old content that is longer');
      await write(dir, 'm', 'new \xe9', 'temp-m');
      expect(fs.readFileSync(path.join(dir, 'm'))).toEqual(Buffer.from([0x6e, 0x65, 0x77, 0x20, 0xe9]));
      expect(fs.readdirSync(dir)).toEqual(['m']);
    });

    it('truncates a stale temp file left by a crash', async () => {
      fs.writeFileSync(path.join(dir, 'temp-m'), 'x'.repeat(1000));
      await write(dir, 'm', 'short', 'temp-m');
      expect(fs.readFileSync(path.join(dir, 'm'), 'latin1')).toBe('short');
      expect(fs.existsSync(path.join(dir, 'temp-m'))).toBe(false);
    });

    it('writes large and empty data', async () => {
      const big = Buffer.alloc(3 * 1024 * 1024 + 17, 0xab);
      await write(dir, 'big', big, 'temp-big');
      expect(fs.readFileSync(path.join(dir, 'big')).equals(big)).toBe(true);
      await write(dir, 'empty', new Uint8Array(0), 'temp-empty');
      expect(fs.statSync(path.join(dir, 'empty')).size).toBe(0);
    });

    it('on a failed rename, removes the temp file and leaves the old target as it was', async () => {
      // A non-empty directory cannot be replaced by a file.
      fs.mkdirSync(path.join(dir, 'target'));
      fs.writeFileSync(path.join(dir, 'target', 'keep'), 'kept');
      await expect(Promise.resolve().then(() => write(dir, 'target', 'data', 'temp-target'))).rejects.toMatchObject({ code: expect.any(String) });
      expect(fs.readdirSync(dir)).toEqual(['target']);
      expect(fs.readFileSync(path.join(dir, 'target', 'keep'), 'latin1')).toBe('kept');
    });

    it('fails without creating anything when the folder is missing', async () => {
      const missing = path.join(dir, 'nope');
      await expect(Promise.resolve().then(() => write(missing, 'm', 'data', 'temp-m'))).rejects.toMatchObject({ code: 'ENOENT' });
      expect(fs.readdirSync(dir)).toEqual([]);
    });
  });
}

describe('fsyncDir', () => {
  it('syncs an existing folder', async () => {
    expect(() => fsyncDirSync(dir)).not.toThrow();
    await expect(fsyncDir(dir)).resolves.toBeUndefined();
  });

  it('throws for a missing folder', async () => {
    expect(() => fsyncDirSync(path.join(dir, 'nope'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    await expect(fsyncDir(path.join(dir, 'nope'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
