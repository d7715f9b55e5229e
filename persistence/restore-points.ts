/*
 * `rewind-check-aof --list <file.manifest>`: the restore points of an AOF folder, read-only.
 *
 * A restore point is a second with a `#TS` annotation (§2.6). They are collected from the current
 * chain (the manifest's base and incrs) and from the archive (appendonlydir/archive, see
 * aof-archive.ts), grouped by timeline and then by file in replay order: each archived generation
 * of a timeline (its base, then its incrs), then, for the current timeline, the current chain.
 * Per second: the number of command records logged in it in that file (every RESP record counts,
 * SELECT and MULTI/EXEC included, as that is what the file holds).
 *
 * Besides annotation rows, a file may have:
 *  - a snapshot row: a base's own time (RDB AUX ctime, a RESP base's leading #TS, the archive's
 *    record of it, or the file's mtime as the restore planner falls back to);
 *  - a carried row: records before an incr's first #TS. Redis (and Rewind) write no annotation when
 *    a write falls in the second of the last one, even across a rewrite's new incr, so these belong
 *    to the last annotation before the file, or, when that file is gone, to the generation's base
 *    time (the rewrite snapshot was taken in that second).
 * The tail after an RDB preamble is not scanned (the restore planner does not look there either).
 *
 * The reachable range is computed as RestorePlanner.range() does (oldest base time over the
 * archive and the current chain; newest annotation of the current chain), from the same helpers,
 * without opening an AofStore (whose open() may upgrade a folder: --list must change nothing).
 * Files are only ever opened read-only.
 */
import * as fs from 'node:fs';
import path from 'node:path';
import { parseManifest, type Manifest } from './aof-manifest.js';
import { AofRecordReader, isAofStop } from './aof-records.js';
import { AofArchive, ARCHIVE_DIR, baseTimeOf, type Timeline } from './aof-archive.js';
import { RestorePlanner, type ReachableRange } from './aof-restore.js';
import { strerror } from './aof-store.js';

export interface PointRow {
  second: number;
  /** Command records of that second in this file; null for an RDB snapshot. */
  commands: number | null;
  kind: 'annotation' | 'carried' | 'snapshot';
  /** A carried row's second: the last annotation before the file, or (that file being gone) the base's time. */
  from?: 'annotation' | 'base';
}

export interface ListedFile {
  name: string;
  /** Path relative to the AOF folder (archived files start with `archive/`). */
  relPath: string;
  role: 'base' | 'incr';
  size: number | null;
  /** Why the file could not be read (it is then skipped). */
  error: string | null;
  /** Offset where a replay stops before the end (a damaged tail), else null. */
  stopsAt: number | null;
  /** Where a base's time comes from. */
  timeSource: 'ctime' | '#TS' | 'mtime' | 'archive' | null;
  rows: PointRow[];
}

export interface ListedTimeline {
  id: number;
  current: boolean;
  /** archive.json's record; null when the archive has none (a Redis folder, a first timeline). */
  info: Timeline | null;
  files: ListedFile[];
}

export interface RestorePoints {
  manifestPath: string;
  aofDir: string;
  timelines: ListedTimeline[];
  /** null when there is no base anywhere. */
  range: ReachableRange | null;
  /** Files named by the manifest or the archive that could not be read. */
  problems: number;
}

interface ChainFiles {
  timeline: number;
  base: string | null;
  baseTime: number | null;
  incrs: string[];
  /** Folder the names are relative to, as shown (`''` or `archive/`). */
  prefix: string;
}

/** Reads the manifest (throws ManifestError as Redis would refuse it) and every file it and the archive name. */
export function collectRestorePoints(manifestPath: string): RestorePoints {
  const aofDir = path.dirname(manifestPath);
  const manifest = parseManifest(fs.readFileSync(manifestPath));
  const archive = AofArchive.open(aofDir);
  const chains: ChainFiles[] = archive.list.generations.map((g) => ({
    timeline: g.timeline, base: g.base, baseTime: g.baseTime, incrs: g.incrs, prefix: `${ARCHIVE_DIR}/`,
  }));
  const current = archive.currentTimeline;
  chains.push({
    timeline: current, base: manifest.base?.name ?? null, baseTime: null, incrs: manifest.incrs.map((e) => e.name), prefix: '',
  });

  const ids = [...new Set([...archive.list.timelines.map((t) => t.id), ...chains.map((c) => c.timeline)])].sort((a, b) => a - b);
  const timelines: ListedTimeline[] = [];
  let problems = 0;
  for (const id of ids) {
    const tl: ListedTimeline = { id, current: id === current, info: archive.list.timelines.find((t) => t.id === id) ?? null, files: [] };
    let lastAnnotation: number | null = null;
    for (const chain of chains.filter((c) => c.timeline === id)) {
      let genTime: number | null = chain.baseTime;
      if (chain.base !== null) {
        const f = listBase(aofDir, chain);
        if (f.rows[0] !== undefined) genTime = f.rows[0].second;
        if (f.error !== null) problems++;
        tl.files.push(f);
      }
      for (const name of chain.incrs) {
        const carried = lastAnnotation !== null ? { second: lastAnnotation, from: 'annotation' as const } : genTime !== null ? { second: genTime, from: 'base' as const } : null;
        const f = listIncr(aofDir, chain.prefix, name, carried);
        if (f.error !== null) problems++;
        for (const r of f.rows) if (r.kind === 'annotation') lastAnnotation = r.second;
        tl.files.push(f);
      }
    }
    timelines.push(tl);
  }
  return { manifestPath, aofDir, timelines, range: reachableRange(aofDir, manifest), problems };
}

/** The planner's own range (what --restore-to accepts); null where it would refuse. */
function reachableRange(aofDir: string, manifest: Manifest): ReachableRange | null {
  try {
    return new RestorePlanner({ aofDir, manifest }).range();
  } catch {
    return null;
  }
}

function emptyFile(name: string, relPath: string, role: 'base' | 'incr'): ListedFile {
  return { name, relPath, role, size: null, error: null, stopsAt: null, timeSource: null, rows: [] };
}

function listBase(aofDir: string, chain: ChainFiles): ListedFile {
  const name = chain.base!;
  const f = emptyFile(name, chain.prefix + name, 'base');
  const file = path.join(aofDir, chain.prefix, name);
  let rdb: boolean;
  try {
    f.size = fs.statSync(file).size;
    const fd = fs.openSync(file, 'r');
    try {
      const head = Buffer.alloc(5);
      rdb = fs.readSync(fd, head, 0, 5, 0) === 5 && head.toString('latin1') === 'REDIS';
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    f.error = strerror(e);
    return f;
  }
  // The archive recorded the generation's time when it retired it; the planner uses that.
  let time = chain.baseTime;
  f.timeSource = 'archive';
  if (time === null) {
    const own = baseTimeOf(file);
    time = own ?? Math.floor(fs.statSync(file).mtimeMs / 1000);
    f.timeSource = own === null ? 'mtime' : rdb ? 'ctime' : '#TS';
  }
  if (rdb) {
    f.rows.push({ second: time, commands: null, kind: 'snapshot' });
    return f;
  }
  scanResp(file, f, { second: time, from: 'base' });
  if (f.rows[0] !== undefined) f.rows[0].kind = 'snapshot';
  else f.rows.push({ second: time, commands: 0, kind: 'snapshot' });
  return f;
}

interface Carried {
  second: number;
  from: 'annotation' | 'base';
}

function listIncr(aofDir: string, prefix: string, name: string, carried: Carried | null): ListedFile {
  const f = emptyFile(name, prefix + name, 'incr');
  const file = path.join(aofDir, prefix, name);
  try {
    f.size = fs.statSync(file).size;
  } catch (e) {
    f.error = strerror(e);
    return f;
  }
  scanResp(file, f, carried);
  return f;
}

/**
 * One row per valid #TS line with the records up to the next one; records before the first go to
 * a carried row at `carried` (omitted when unknown). The server's reading rules: where a replay
 * stops, so does the listing.
 */
function scanResp(file: string, f: ListedFile, carried: Carried | null): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    f.error = strerror(e);
    return;
  }
  try {
    const reader = new AofRecordReader(fd);
    let row: PointRow | null = null;
    for (;;) {
      const item = reader.next();
      if (isAofStop(item)) {
        if (item.kind !== 'eof') f.stopsAt = item.offset;
        return;
      }
      if (item.kind === 'annotation') {
        if (item.ts === null) continue;
        row = { second: item.ts, commands: 0, kind: 'annotation' };
        f.rows.push(row);
      } else {
        if (row === null) {
          row = { second: carried?.second ?? Number.NaN, commands: 0, kind: 'carried', from: carried?.from ?? 'base' };
          if (carried !== null) f.rows.push(row);
        }
        row.commands!++;
      }
    }
  } catch (e) {
    f.error = strerror(e);
  } finally {
    fs.closeSync(fd);
  }
}

export interface FormatOptions {
  /** IANA zone for the local-time column; default: this process's zone (TZ). */
  timeZone?: string;
}

/** `1795256759` -> `2026-11-21T10:25:59Z`. */
export function isoSecond(sec: number): string {
  return new Date(sec * 1000).toISOString().replace('.000Z', 'Z');
}

/** `2026-11-21 11:25:59 +01:00` in `timeZone`. */
export function localSecond(sec: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(sec * 1000));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const [y, mo, d, h, mi, s] = [get('year'), get('month'), get('day'), get('hour'), get('minute'), get('second')];
  const offset = Math.round((Date.UTC(y, mo - 1, d, h, mi, s) - sec * 1000) / 60000);
  const two = (n: number): string => String(n).padStart(2, '0');
  const abs = Math.abs(offset);
  return `${y}-${two(mo)}-${two(d)} ${two(h)}:${two(mi)}:${two(s)} ${offset < 0 ? '-' : '+'}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

function note(r: PointRow, f: ListedFile): string {
  if (r.kind === 'annotation') return '';
  if (r.kind === 'snapshot') return `${r.commands === null ? 'RDB ' : ''}base snapshot${f.timeSource === null ? '' : ` (time from ${f.timeSource})`}`;
  return r.from === 'annotation'
    ? 'no #TS of its own: the second of the last annotation before this file'
    : "no #TS of its own: the base snapshot's second (the rewrite began in it)";
}

/** The listing, one string per line: aligned columns, the same text for the same folder and zone. */
export function formatRestorePoints(p: RestorePoints, opts: FormatOptions = {}): string[] {
  const zone = opts.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const rows = p.timelines.flatMap((t) => t.files.flatMap((f) => f.rows));
  const secW = Math.max('second'.length, ...rows.map((r) => String(r.second).length));
  const cmdW = Math.max('commands'.length, ...rows.map((r) => (r.commands === null ? 1 : String(r.commands).length)));
  const isoW = 20;
  const localW = 25;
  const indent = '    ';
  const out: string[] = [
    `Restore points of ${p.manifestPath}`,
    `Times: Unix seconds, UTC, local (${zone}). Commands: AOF records logged in that second, SELECT and MULTI/EXEC included.`,
    '',
    `${indent}${'second'.padStart(secW)}  ${'UTC'.padEnd(isoW)}  ${'local'.padEnd(localW)}  ${'commands'.padStart(cmdW)}  note`,
  ];
  for (const t of p.timelines) {
    out.push('', `Timeline ${t.id}${describeTimeline(t)}`);
    if (t.files.length === 0) out.push('  (no files)');
    for (const f of t.files) {
      out.push(`  ${f.relPath}  ${describeFile(f)}`);
      for (const r of f.rows) {
        const cmds = r.commands === null ? '-' : String(r.commands);
        out.push(`${indent}${String(r.second).padStart(secW)}  ${isoSecond(r.second).padEnd(isoW)}  ${localSecond(r.second, zone).padEnd(localW)}  ${cmds.padStart(cmdW)}  ${note(r, f)}`.trimEnd());
      }
      if (f.error === null && f.rows.length === 0) out.push(`${indent}(no #TS annotation: no point in this file can be told apart)`);
    }
  }
  out.push('');
  if (p.range === null) {
    out.push('Reachable range: none (no base file to restore from)');
  } else {
    const { oldest, newest } = p.range;
    out.push(`Reachable range: ${oldest} .. ${newest}  (${isoSecond(oldest)} .. ${isoSecond(newest)})`);
    out.push(`Restore with: rewind-server --appendonly yes --restore-to <second>, e.g. --restore-to ${newest} or --restore-to ${isoSecond(newest)}`);
  }
  if (p.problems > 0) out.push(`${p.problems} file(s) could not be read.`);
  return out;
}

function describeTimeline(t: ListedTimeline): string {
  const bits: string[] = [];
  if (t.current) bits.push('current');
  const info = t.info;
  if (info?.parent != null) {
    bits.push(`started ${isoSecond(info.startedAt)} by a restore of timeline ${info.parent.timeline} to ${info.parent.restoredTo} (${isoSecond(info.parent.restoredTo)})`);
  }
  if (info?.endedAt != null) bits.push(`left ${isoSecond(info.endedAt)} by a restore`);
  return bits.length === 0 ? '' : ` (${bits.join('; ')})`;
}

function describeFile(f: ListedFile): string {
  const bits: string[] = [f.role];
  if (f.relPath.startsWith(`${ARCHIVE_DIR}/`)) bits.push('archived');
  if (f.size !== null) bits.push(`${f.size} bytes`);
  if (f.error !== null) bits.push(`cannot be read: ${f.error}`);
  if (f.stopsAt !== null && f.size !== null) bits.push(`replay stops at offset ${f.stopsAt}: the last ${f.size - f.stopsAt} bytes are damaged`);
  return bits.join(', ');
}
