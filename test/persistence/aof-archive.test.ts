/*
 * The archive's own rules: generations are moved in (files and list), retention by age and by
 * size drops the oldest generations first, durations parse as documented, and a rewrite of a
 * server with timestamps on archives what it retires.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { Redis } from 'ioredis';
import { AofArchive, parseDuration } from '../../persistence/aof-archive.js';
import { startServer } from '../../server/index.js';

function folder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rewind-archive-'));
  mkdirSync(path.join(dir, 'appendonlydir'));
  return path.join(dir, 'appendonlydir');
}

function file(aofDir: string, name: string, bytes: number): void {
  writeFileSync(path.join(aofDir, name), Buffer.alloc(bytes, 1));
}

describe('AofArchive', () => {
  test('a generation moves its files in and is listed with its timeline', () => {
    const aofDir = folder();
    file(aofDir, 'a.1.base.rdb', 100);
    file(aofDir, 'a.1.incr.aof', 50);
    AofArchive.open(aofDir).addGeneration('a.1.base.rdb', ['a.1.incr.aof'], 1000);
    expect(existsSync(path.join(aofDir, 'a.1.base.rdb'))).toBe(false);
    expect(readFileSync(path.join(aofDir, 'archive', 'a.1.incr.aof')).length).toBe(50);
    const list = AofArchive.open(aofDir).list;
    expect(list.generations).toEqual([expect.objectContaining({ timeline: 1, base: 'a.1.base.rdb', baseTime: 1000, incrs: ['a.1.incr.aof'], bytes: 150 })]);
  });

  test('retention drops the oldest generations by age, then by size', () => {
    const aofDir = folder();
    const archive = AofArchive.open(aofDir);
    for (let i = 1; i <= 4; i++) {
      file(aofDir, `a.${i}.base.rdb`, 100);
      archive.addGeneration(`a.${i}.base.rdb`, [], 1000 * i);
    }
    const gens = archive.list.generations;
    gens.forEach((g, i) => (g.retiredAt = 10_000 + i * 100));
    expect(archive.prune(350, 0, 10_000 + 400)).toEqual(['a.1.base.rdb']);
    expect(archive.prune(0, 200, 10_000 + 400)).toEqual(['a.2.base.rdb']);
    expect(AofArchive.open(aofDir).list.generations.map((g) => g.base)).toEqual(['a.3.base.rdb', 'a.4.base.rdb']);
    expect(existsSync(path.join(aofDir, 'archive', 'a.1.base.rdb'))).toBe(false);
    expect(archive.prune(0, 0, 99_999_999)).toEqual([]);
  });

  test('durations', () => {
    expect(parseDuration('7d')).toBe(604_800);
    expect(parseDuration('12h')).toBe(43_200);
    expect(parseDuration('30m')).toBe(1_800);
    expect(parseDuration('3600')).toBe(3_600);
    expect(parseDuration('2w')).toBe(1_209_600);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('soon')).toBeNull();
  });

  test('a rewrite with timestamps on archives the retired base and incr; aof-archive-max-size applies', async () => {
    const dir = path.dirname(folder());
    const s = await startServer({ config: { port: 0, bind: '127.0.0.1', dir, save: '', appendonly: 'yes', 'aof-timestamp-enabled': 'yes' } });
    const r = new Redis(s.port, '127.0.0.1');
    try {
      await r.set('k', 'v');
      for (let i = 0; i < 3; i++) {
        await r.bgrewriteaof();
        await expect.poll(async () => (await r.info('persistence')).includes('aof_rewrite_in_progress:0') && AofArchive.open(path.join(dir, 'appendonlydir')).list.generations.length === i + 1).toBe(true);
        await r.set('k', String(i));
      }
      expect(AofArchive.open(path.join(dir, 'appendonlydir')).list.generations.map((g) => g.base)).toEqual(['appendonly.aof.1.base.rdb', 'appendonly.aof.2.base.rdb', 'appendonly.aof.3.base.rdb']);
      await r.config('SET', 'aof-archive-max-size', '1');
      await r.bgrewriteaof();
      await expect.poll(() => AofArchive.open(path.join(dir, 'appendonlydir')).list.generations.length).toBe(0);
    } finally {
      r.disconnect();
      await s.close();
    }
  });
});
