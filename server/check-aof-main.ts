/*
 * rewind-check-aof entry point: redis-check-aof 7.0.15's command line, plus Rewind's --list.
 *
 *   rewind-check-aof [--fix|--truncate-to-timestamp <unix-seconds>] <file.manifest|file.aof>
 *   rewind-check-aof --list <file.manifest>
 *
 * Arguments are taken as redis-check-aof takes them (the option first, exactly these counts;
 * anything else prints the usage and exits 1). The checks are persistence/check-aof.ts, the
 * listing persistence/restore-points.ts. stdout is written synchronously, so `Continue? [y/N]: `
 * is on the terminal before --fix blocks reading stdin; like the tool, only the answer's first
 * character counts. For the checks, paths and names are byte strings end to end (latin1 in JS);
 * --list opens its argument as Node decoded it, and prints UTF-8.
 */
import * as fs from 'node:fs';
import { checkAof, parseTimestampArg, usageLine, type CheckAofMode } from '../persistence/check-aof.js';
import { collectRestorePoints, formatRestorePoints } from '../persistence/restore-points.js';
import { ManifestError } from '../persistence/aof-manifest.js';
import { strerror } from '../persistence/aof-store.js';

const PROGRAM = 'rewind-check-aof';
const SLEEP = new Int32Array(new SharedArrayBuffer(4));

/** A command-line argument as the bytes the shell passed (Node decoded them as UTF-8). */
function bytes(arg: string): string {
  return Buffer.from(arg, 'utf8').toString('latin1');
}

/** Blocking write; retries a non-blocking descriptor that is full. */
function writeAll(fd: number, text: string, encoding: 'latin1' | 'utf8' = 'latin1'): void {
  const buf = Buffer.from(text, encoding);
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(SLEEP, 0, 0, 10);
    }
  }
}

/** One line of stdin (without its \n), or null at end of input before any byte. */
function readAnswer(): string | null {
  const one = Buffer.alloc(1);
  let line = '';
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(0, one, 0, 1, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(SLEEP, 0, 0, 20);
        continue;
      }
      if (code === 'EOF') n = 0;
      else throw e;
    }
    if (n === 0) return line === '' ? null : line;
    if (one[0] === 0x0a) return line;
    line += one.toString('latin1');
  }
}

/** --list: `manifest` is the argument as Node decoded it (a path fs opens as such). */
function list(manifest: string): number {
  let lines: string[];
  let problems = 0;
  try {
    const points = collectRestorePoints(manifest);
    problems = points.problems;
    lines = formatRestorePoints(points);
  } catch (e) {
    if (e instanceof ManifestError) {
      const where = e.lineNumber === null ? '' : ` (line ${e.lineNumber}: '${e.line ?? ''}')`;
      writeAll(1, `${manifest} is not a valid AOF manifest: ${e.message}${where}\n`, 'utf8');
      return 1;
    }
    if ((e as NodeJS.ErrnoException).code !== undefined) {
      writeAll(1, `Cannot open file ${manifest}: ${strerror(e)}\n`, 'utf8');
      return 1;
    }
    // An unreadable archive.json, for one: its message names the file.
    if (e instanceof Error) {
      writeAll(1, `${e.message}\n`, 'utf8');
      return 1;
    }
    throw e;
  }
  writeAll(1, `${lines.join('\n')}\n`, 'utf8');
  return problems > 0 ? 1 : 0;
}

function main(argv: string[]): number {
  if (argv.length === 2 && argv[0] === '--list') return list(argv[1]!);
  const args = argv.map(bytes);
  let file: string;
  let mode: CheckAofMode = { kind: 'check' };
  if (args.length === 1) {
    file = args[0]!;
  } else if (args.length === 2 && args[0] === '--fix') {
    file = args[1]!;
    mode = { kind: 'fix' };
  } else if (args.length === 3 && args[0] === '--truncate-to-timestamp') {
    const timestamp = parseTimestampArg(args[1]!);
    if (timestamp === null) {
      writeAll(1, 'Invalid timestamp, aborting...\n');
      return 1;
    }
    file = args[2]!;
    mode = { kind: 'truncate', timestamp };
  } else {
    writeAll(1, `${usageLine(PROGRAM)}\n       ${PROGRAM} --list <file.manifest>\n`);
    return 1;
  }
  return checkAof(file, { mode, answer: readAnswer, write: (text) => writeAll(1, text) }).code;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`${PROGRAM}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
}
