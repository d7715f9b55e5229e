/*
 * Point-in-time restore planning: which files replay to "the state at the end of second T".
 *
 * Candidates are the current chain (the manifest's base and incrs) and every generation of the
 * archive. Timelines follow each other in wall-clock time (a restore ends one and starts the
 * next), so T picks the timeline that was live at T, then the newest generation of it whose base
 * was taken at or before T; its base plus every later incr of the timeline, replayed up to the
 * first `#TS` annotation later than T, is the state at T. T is refused outside the reachable
 * range: before the oldest base (what happened earlier is not recorded anywhere) or after the
 * newest annotation.
 */
import * as fs from 'node:fs';
import path from 'node:path';
import type { AofFileInfo } from './aof-store.js';
import { AofArchive, snapshotTimeOf } from './aof-archive.js';
import type { Manifest } from './aof-manifest.js';
import { AofRecordReader } from './aof-records.js';
import { parseRestoreTime as parseTime } from '../commands/restore-time.js';

export interface RestoreChain {
  files: AofFileInfo[];
  timeline: number;
  baseTime: number;
}

export interface ReachableRange {
  oldest: number;
  newest: number;
}

export class RestoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreError';
  }
}

interface Candidate {
  timeline: number;
  baseTime: number;
  base: string;
  incrs: string[];
}

/** parseRestoreTime with a RestoreError (the startup's fatal message). */
export function parseRestoreTime(text: string): number {
  try {
    return parseTime(text);
  } catch (e) {
    throw new RestoreError((e as Error).message);
  }
}

export function formatTime(sec: number): string {
  return `${sec} (${new Date(sec * 1000).toISOString().replace('.000Z', 'Z')})`;
}

export class RestorePlanner {
  private readonly archive: AofArchive;

  /** The folder and its manifest (an AofStore is one; --list passes a parsed manifest). */
  constructor(private readonly store: { readonly aofDir: string; readonly manifest: Manifest }) {
    this.archive = AofArchive.open(store.aofDir);
  }

  /** Archived generations, then the current chain, each with the timeline it belongs to. */
  private candidates(): Candidate[] {
    const out: Candidate[] = this.archive.list.generations.map((g) => ({
      timeline: g.timeline, baseTime: g.baseTime,
      base: path.join(this.archive.dir, g.base), incrs: g.incrs.map((n) => path.join(this.archive.dir, n)),
    }));
    const m = this.store.manifest;
    if (m.base !== null) {
      const base = path.join(this.store.aofDir, m.base.name);
      out.push({
        timeline: this.archive.currentTimeline,
        baseTime: snapshotTimeOf(base),
        base, incrs: m.incrs.map((e) => path.join(this.store.aofDir, e.name)),
      });
    }
    return out;
  }

  range(): ReachableRange {
    const all = this.candidates();
    if (all.length === 0) throw new RestoreError('there is no AOF base to restore from (is appendonly on and aof-timestamp-enabled yes?)');
    const oldest = Math.min(...all.map((c) => c.baseTime));
    const current = all[all.length - 1]!;
    let newest = current.baseTime;
    for (const incr of current.incrs) newest = Math.max(newest, lastTimestamp(incr) ?? newest);
    return { oldest, newest };
  }

  plan(target: number): RestoreChain {
    const range = this.range();
    if (target < range.oldest || target > range.newest) {
      throw new RestoreError(`cannot restore to ${formatTime(target)}: the reachable range is ${formatTime(range.oldest)} to ${formatTime(range.newest)}`);
    }
    const all = this.candidates();
    const timeline = this.timelineAt(target);
    const inTimeline = all.filter((c) => c.timeline === timeline);
    let start = -1;
    for (let i = 0; i < inTimeline.length; i++) if (inTimeline[i]!.baseTime <= target) start = i;
    if (start < 0) throw new RestoreError(`no base of timeline ${timeline} was taken at or before ${formatTime(target)}`);
    const chosen = inTimeline.slice(start);
    const paths = [chosen[0]!.base, ...chosen.flatMap((c) => c.incrs)];
    const files = paths.map((p, i): AofFileInfo => ({
      name: path.basename(p), path: p, type: i === 0 ? 'b' : 'i', size: fs.statSync(p).size, last: i === paths.length - 1,
    }));
    return { files, timeline, baseTime: chosen[0]!.baseTime };
  }

  /**
   * The timeline that was live at second t. Timelines follow each other in wall-clock time, so it
   * is the first one to end after t, or the current one.
   */
  private timelineAt(t: number): number {
    let best: { id: number; endedAt: number } | null = null;
    for (const tl of this.archive.list.timelines) {
      if (tl.endedAt !== null && t < tl.endedAt && (best === null || tl.endedAt < best.endedAt)) best = { id: tl.id, endedAt: tl.endedAt };
    }
    return best?.id ?? this.archive.currentTimeline;
  }
}

/** The value of the last #TS annotation of a RESP file, or null. */
export function lastTimestamp(file: string): number | null {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const head = Buffer.alloc(5);
    fs.readSync(fd, head, 0, 5, 0);
    if (head.toString('latin1') === 'REDIS') return null;
    const reader = new AofRecordReader(fd);
    let last: number | null = null;
    for (;;) {
      const item = reader.next();
      if (item.kind === 'annotation') {
        if (item.ts !== null) last = item.ts;
      } else if (item.kind !== 'command') {
        return last;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}
