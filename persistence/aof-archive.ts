/*
 * The AOF archive: what makes points in time before the last rewrite, and timelines abandoned by
 * a restore, reachable (Rewind's own; Redis deletes these files).
 *
 * Layout: `<appenddirname>/archive/` holds the retired files under their own names, and
 * `archive.json` lists them as generations:
 *   { "version": 1, "timeline": <current timeline id>,
 *     "timelines": [{ "id", "startedAt", "parent": { "timeline", "restoredTo" } | null, "endedAt" }],
 *     "generations": [{ "timeline", "base", "baseTime", "incrs": [...], "retiredAt", "bytes" }] }
 * A generation is a base file and the incr files written after it in the same timeline. Since a
 * rewrite's new incr starts at the instant its base was snapshotted, a base followed by every later
 * incr of its timeline replays to any point of that timeline after the base's time: that sequence
 * is a restore chain. Redis never looks inside the folder's subdirectories, so real Redis still
 * loads a folder that has an archive.
 *
 * Safety: files are renamed into the archive (same filesystem), then archive.json is replaced
 * atomically; a crash in between leaves a file in the archive folder that no list names, never a
 * list naming a missing file. Retention removes whole generations, oldest first.
 */
import * as fs from 'node:fs';
import path from 'node:path';
import { writeFileDurableSync } from './fs-durable.js';
import { readRdbRecords } from './rdb-reader.js';
import { AofRecordReader } from './aof-records.js';

export const ARCHIVE_DIR = 'archive';
const LIST_NAME = 'archive.json';

export interface Generation {
  timeline: number;
  base: string;
  /** Unix seconds of the base's snapshot (RDB ctime, a RESP base's #TS). */
  baseTime: number;
  incrs: string[];
  retiredAt: number;
  bytes: number;
}

export interface Timeline {
  id: number;
  startedAt: number;
  /** The timeline a restore left, and the second it restored to. */
  parent: { timeline: number; restoredTo: number } | null;
  /** When a restore abandoned it (null: the current one). */
  endedAt: number | null;
}

export interface ArchiveList {
  version: 1;
  timeline: number;
  timelines: Timeline[];
  generations: Generation[];
}

export class AofArchive {
  readonly dir: string;
  list: ArchiveList;

  private constructor(readonly aofDir: string, list: ArchiveList) {
    this.dir = path.join(aofDir, ARCHIVE_DIR);
    this.list = list;
  }

  static open(aofDir: string): AofArchive {
    const file = path.join(aofDir, ARCHIVE_DIR, LIST_NAME);
    let list: ArchiveList = { version: 1, timeline: 1, timelines: [], generations: [] };
    try {
      list = JSON.parse(fs.readFileSync(file, 'utf8')) as ArchiveList;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read the AOF archive list ${file}: ${(e as Error).message}`);
    }
    return new AofArchive(aofDir, list);
  }

  get currentTimeline(): number {
    return this.list.timeline;
  }

  /** Moves a retired base and its incrs (files in the AOF folder) into the archive. */
  addGeneration(base: string, incrs: readonly string[], baseTime: number): void {
    fs.mkdirSync(this.dir, { recursive: true });
    let bytes = 0;
    const moved: string[] = [];
    for (const name of [base, ...incrs]) {
      const from = path.join(this.aofDir, name);
      if (!fs.existsSync(from)) continue;
      bytes += fs.statSync(from).size;
      fs.renameSync(from, path.join(this.dir, name));
      moved.push(name);
    }
    if (!moved.includes(base)) return;
    this.ensureTimeline(baseTime);
    this.list.generations.push({
      timeline: this.list.timeline, base, baseTime, incrs: incrs.filter((n) => moved.includes(n)),
      retiredAt: Math.floor(Date.now() / 1000), bytes,
    });
    this.save();
  }

  /** A restore leaves the current timeline: later writes start a new one. */
  startTimeline(restoredTo: number, now: number): void {
    const old = this.ensureTimeline(now);
    old.endedAt = now;
    const id = Math.max(...this.list.timelines.map((t) => t.id)) + 1;
    this.list.timelines.push({ id, startedAt: now, parent: { timeline: old.id, restoredTo }, endedAt: null });
    this.list.timeline = id;
    this.save();
  }

  /**
   * Drops the oldest generations while they were retired longer ago than `retentionSeconds`
   * (0 = keep forever) or the archive is bigger than `maxBytes` (0 = no cap).
   */
  prune(retentionSeconds: number, maxBytes: number, now: number): string[] {
    const gens = this.list.generations;
    const removed: string[] = [];
    let total = gens.reduce((n, g) => n + g.bytes, 0);
    while (gens.length > 0) {
      const g = gens[0]!;
      const old = retentionSeconds > 0 && g.retiredAt < now - retentionSeconds;
      const big = maxBytes > 0 && total > maxBytes;
      if (!old && !big) break;
      gens.shift();
      total -= g.bytes;
      removed.push(g.base, ...g.incrs);
    }
    if (removed.length === 0) return removed;
    this.save();
    for (const name of removed) fs.rmSync(path.join(this.dir, name), { force: true });
    return removed;
  }

  private ensureTimeline(startedAt: number): Timeline {
    let t = this.list.timelines.find((x) => x.id === this.list.timeline);
    if (t === undefined) {
      t = { id: this.list.timeline, startedAt, parent: null, endedAt: null };
      this.list.timelines.push(t);
    }
    return t;
  }

  private save(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    writeFileDurableSync(this.dir, LIST_NAME, `${JSON.stringify(this.list, null, 2)}\n`, `temp-${LIST_NAME}`);
  }
}

/**
 * The second a base file's snapshot was taken: the AUX ctime of an RDB, the first #TS line of a
 * RESP base; null when the file tells neither (an old file upgraded from before timestamps).
 */
export function baseTimeOf(file: string): number | null {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(Math.min(4096, fs.fstatSync(fd).size));
    fs.readSync(fd, head, 0, head.length, 0);
    if (head.subarray(0, 5).toString('latin1') === 'REDIS') {
      try {
        for (const r of readRdbRecords(head, { verifyChecksum: false })) {
          if (r.kind !== 'aux') break;
          if (r.key.toString('latin1') === 'ctime') return Number(r.value.toString('latin1'));
        }
      } catch {
        // The header is all we read; the file goes on beyond it.
      }
      return null;
    }
    const first = new AofRecordReader(head).next();
    return first.kind === 'annotation' ? first.ts : null;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The second a base stands for: baseTimeOf, or the file's modification time when the file does
 * not say (a base is written once, so its mtime is its snapshot time up to the write's length).
 */
export function snapshotTimeOf(file: string): number {
  return baseTimeOf(file) ?? Math.floor(fs.statSync(file).mtimeMs / 1000);
}

/** "7d", "12h", "30m", "3600s" or plain seconds; 0 means forever. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+)([smhdw]?)$/i.exec(text.trim());
  if (m === null) return null;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2]!.toLowerCase() as '' | 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}
