/*
 * Differential harness: runs a *.redis corpus (format in test/diff/README.md) against a real
 * redis-server and against Rewind over raw sockets, and reports every line whose reply bytes differ.
 *
 * Corpus lines are split with protocol/resp-parser.ts's splitInline (redis-cli / sdssplitargs
 * quoting) and sent as RESP multibulk (protocol/encode.ts). A `#` outside quotes at the start of
 * a word begins a comment (so `SET k "#"` must quote it). Each line is expected to produce one
 * reply; after the last line both servers get a PING, so stray extra replies show up as a mismatch.
 * A line that gets no reply (CLIENT REPLY OFF) costs quietMs (500 ms) before "no reply" is
 * concluded on both sides; commands that may block (BLPOP, WAIT, DEBUG SLEEP...)
 * get blockingMs (10 s) instead.
 * QUIT, or any line after which a server closes the connection, is checked for a close on both
 * sides, and both connections are reopened.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeCommand } from '../../protocol/encode.js';
import { splitInline } from '../../protocol/resp-parser.js';
import { RawClient, escapeBytes, type Reply } from '../helpers/raw.js';

export type Directive = 'plain' | 'sorted' | 'scan' | 'ignore';

export type CorpusStep =
  | { kind: 'command'; line: number; text: string; directive: Directive; argv: Buffer[]; other?: boolean }
  | { kind: 'read'; line: number; text: string }
  | { kind: 'sleep'; line: number; text: string; ms: number }
  | { kind: 'skip'; line: number; text: string };

export interface Mismatch {
  readonly file: string;
  readonly line: number;
  readonly command: string;
  readonly reason: string;
  readonly redis: string;
  readonly rewind: string;
}

export class CorpusSyntaxError extends Error {}

/** Removes a trailing comment: a `#` outside quotes at the start of a word. */
export function stripComment(text: string): string {
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== '') {
      if (c === '\\' && i + 1 < text.length) i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) return text.slice(0, i).trimEnd();
  }
  return text.trimEnd();
}

const DIRECTIVES = new Set(['sorted', 'scan', 'ignore', 'sleep', 'redis72', 'read', 'other']);

/** Parses a corpus into steps; throws CorpusSyntaxError naming file:line. */
export function parseCorpus(file: string, source: string): CorpusStep[] {
  const steps: CorpusStep[] = [];
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const text = stripComment(lines[i]!.replace(/\r$/, '')).trim();
    if (text === '') continue;
    const where = `${file}:${line}`;
    let directive: Directive = 'plain';
    let body = text;
    if (text.startsWith('!')) {
      const m = /^!(\S+)\s*(.*)$/.exec(text)!;
      const name = m[1]!;
      body = m[2]!;
      if (!DIRECTIVES.has(name)) throw new CorpusSyntaxError(`${where}: unknown directive !${name}`);
      if (name === 'redis72') {
        steps.push({ kind: 'skip', line, text });
        continue;
      }
      if (name === 'read') {
        if (body !== '') throw new CorpusSyntaxError(`${where}: !read takes nothing`);
        steps.push({ kind: 'read', line, text });
        continue;
      }
      if (name === 'other') {
        // `!other !ignore CMD` / `!other !sorted CMD`: a random or unordered reply on the second connection.
        const inner = /^!(ignore|sorted)\s+(.*)$/s.exec(body);
        const oDirective: Directive = inner === null ? 'plain' : inner[1] === 'ignore' ? 'ignore' : 'sorted';
        const ob = Buffer.from(inner === null ? body : inner[2]!, 'latin1');
        const oargv = splitInline(ob, 0, ob.length);
        if (oargv === null || oargv.length === 0) throw new CorpusSyntaxError(`${where}: !other needs a command: ${text}`);
        steps.push({ kind: 'command', line, text, directive: oDirective, argv: oargv.map((a) => Buffer.from(a)), other: true });
        continue;
      }
      if (name === 'sleep') {
        if (!/^\d+$/.test(body)) throw new CorpusSyntaxError(`${where}: !sleep needs milliseconds, got '${body}'`);
        steps.push({ kind: 'sleep', line, text, ms: Number(body) });
        continue;
      }
      if (name !== 'sorted' && name !== 'scan' && name !== 'ignore') throw new CorpusSyntaxError(`${where}: bad directive`);
      directive = name;
    }
    const bytes = Buffer.from(body, 'latin1');
    const argv = splitInline(bytes, 0, bytes.length);
    if (argv === null) throw new CorpusSyntaxError(`${where}: unbalanced quotes in: ${text}`);
    if (argv.length === 0) throw new CorpusSyntaxError(`${where}: directive without a command: ${text}`);
    // Copy: splitInline may return views into `bytes`.
    steps.push({ kind: 'command', line, text, directive, argv: argv.map((a) => Buffer.from(a)) });
  }
  return steps;
}

export async function loadCorpus(file: string): Promise<CorpusStep[]> {
  return parseCorpus(path.basename(file), await readFile(file, 'latin1'));
}

/** A reply, or what happened instead of one (the comparison treats both the same way). */
export type Outcome = { ok: true; reply: Reply } | { ok: false; what: string };

function describe(o: Outcome): string {
  return o.ok ? escapeBytes(o.reply.bytes) : `<${o.what}>`;
}

function sortedItems(r: Reply): Buffer[] | null {
  const v = r.value;
  if (v.type !== 'array' && v.type !== 'set' && v.type !== 'map' && v.type !== 'push') return null;
  return v.items.map((i) => i.bytes).sort(Buffer.compare);
}

function sameBuffers(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  return a.length === b.length && a.every((x, i) => x.equals(b[i]!));
}

/** Why two outcomes differ under a directive, or null when they match. */
export function compareOutcomes(directive: Directive, redis: Outcome, rewind: Outcome): string | null {
  if (!redis.ok || !rewind.ok) {
    if (!redis.ok && !rewind.ok && redis.what === rewind.what) return null;
    return 'one side did not reply';
  }
  const a = redis.reply;
  const b = rewind.reply;
  if (a.bytes.equals(b.bytes)) return null;
  switch (directive) {
    case 'plain':
      return 'reply bytes differ';
    case 'ignore':
      return a.bytes[0] === b.bytes[0] ? null : 'reply types differ (!ignore compares the type only)';
    case 'sorted': {
      const sa = sortedItems(a);
      const sb = sortedItems(b);
      if (sa === null || sb === null) return 'reply bytes differ (!sorted: not both aggregates)';
      if (a.bytes[0] !== b.bytes[0]) return 'aggregate types differ';
      return sameBuffers(sa, sb) ? null : 'elements differ (compared sorted)';
    }
    case 'scan': {
      const va = a.value;
      const vb = b.value;
      if (va.type !== 'array' || vb.type !== 'array' || va.items.length !== 2 || vb.items.length !== 2) {
        return 'reply bytes differ (!scan: not both [cursor, elements])';
      }
      const ca = va.items[0]!.value;
      const cb = vb.items[0]!.value;
      if (ca.type !== 'bulk' || cb.type !== 'bulk') return 'cursor is not a bulk string';
      const ta = ca.value.toString('latin1');
      const tb = cb.value.toString('latin1');
      if (!/^\d+$/.test(ta) || !/^\d+$/.test(tb)) return 'cursor is not a decimal number';
      if ((ta === '0') !== (tb === '0')) return 'one iteration ended (cursor 0) and the other did not';
      const ea = sortedItems(va.items[1]!);
      const eb = sortedItems(vb.items[1]!);
      if (ea === null || eb === null) return 'scan elements are not an array';
      return sameBuffers(ea, eb) ? null : 'scan elements differ (compared sorted)';
    }
  }
}

export interface Endpoints {
  readonly redisPort: number;
  readonly rewindPort: number;
  /** How long a silent server is given before "no reply" is concluded (CLIENT REPLY OFF/SKIP). */
  readonly quietMs?: number;
  /** The same for commands that may block (BLPOP, WAIT, DEBUG SLEEP...). */
  readonly blockingMs?: number;
}

/**
 * Commands whose reply may legitimately take long: they get blockingMs instead of quietMs. Real
 * Redis's PFSELFTEST runs for about a second on a loaded machine.
 */
const MAY_BLOCK = new Set([
  'blpop', 'brpop', 'brpoplpush', 'blmove', 'blmpop', 'bzpopmin', 'bzpopmax', 'bzmpop',
  'xread', 'xreadgroup', 'wait', 'waitaof', 'debug', 'shutdown', 'pfselftest',
]);

async function readOutcome(c: RawClient, timeoutMs: number): Promise<Outcome> {
  try {
    return { ok: true, reply: await c.readReply(timeoutMs) };
  } catch {
    if (c.closed) return { ok: false, what: 'connection closed' };
    return { ok: false, what: `no reply within ${timeoutMs} ms` };
  }
}

async function send(c: RawClient, bytes: Buffer): Promise<void> {
  try {
    await c.write(bytes);
  } catch {
    // A closed connection shows up as the outcome of the read.
  }
}

/**
 * Runs the steps against both servers on fresh connections; returns every mismatch in order.
 * The connections are closed afterwards; the servers are the caller's.
 */
export async function runCorpus(file: string, steps: readonly CorpusStep[], ends: Endpoints): Promise<Mismatch[]> {
  const quietMs = ends.quietMs ?? 500;
  const blockingMs = ends.blockingMs ?? 10_000;
  const mismatches: Mismatch[] = [];
  let redis = await RawClient.connect(ends.redisPort);
  let rewind = await RawClient.connect(ends.rewindPort);
  // `!other` lines go through a second pair of connections, opened on first use (a PUBLISH to the
  // main connection's subscriptions).
  let others: [RawClient, RawClient] | null = null;
  const reopen = async (): Promise<void> => {
    await Promise.all([redis.close(), rewind.close()]);
    redis = await RawClient.connect(ends.redisPort);
    rewind = await RawClient.connect(ends.rewindPort);
  };
  try {
    for (const step of steps) {
      if (step.kind === 'skip') continue;
      if (step.kind === 'sleep') {
        await new Promise((r) => setTimeout(r, step.ms));
        continue;
      }
      if (step.kind === 'read') {
        // One more reply on the main connection without sending (a push, SUBSCRIBE's second confirmation).
        const [a, b] = await Promise.all([readOutcome(redis, quietMs), readOutcome(rewind, quietMs)]);
        const reason = compareOutcomes('plain', a, b);
        if (reason !== null) mismatches.push({ file, line: step.line, command: step.text, reason, redis: describe(a), rewind: describe(b) });
        continue;
      }
      if (step.other === true) {
        others ??= [await RawClient.connect(ends.redisPort), await RawClient.connect(ends.rewindPort)];
        const ob = encodeCommand(step.argv);
        await Promise.all([send(others[0], ob), send(others[1], ob)]);
        const [a, b] = await Promise.all([readOutcome(others[0], quietMs), readOutcome(others[1], quietMs)]);
        const reason = compareOutcomes(step.directive, a, b);
        if (reason !== null) mismatches.push({ file, line: step.line, command: step.text, reason, redis: describe(a), rewind: describe(b) });
        continue;
      }
      const bytes = encodeCommand(step.argv);
      const name = step.argv[0]!.toString('latin1').toLowerCase();
      const timeoutMs = MAY_BLOCK.has(name) ? blockingMs : quietMs;
      await Promise.all([send(redis, bytes), send(rewind, bytes)]);
      const [a, b] = await Promise.all([readOutcome(redis, timeoutMs), readOutcome(rewind, timeoutMs)]);
      const reason = compareOutcomes(step.directive, a, b);
      if (reason !== null) {
        mismatches.push({ file, line: step.line, command: step.text, reason, redis: describe(a), rewind: describe(b) });
      }
      const isQuit = name === 'quit';
      if (isQuit || redis.closed || rewind.closed) {
        // The servers must agree on closing; give the slower side a moment to follow.
        const [ca, cb] = await Promise.all([redis.waitClose(isQuit ? 2000 : 300), rewind.waitClose(isQuit ? 2000 : 300)]);
        if (ca !== cb) {
          mismatches.push({
            file, line: step.line, command: step.text, reason: 'connection close differs',
            redis: ca ? '<closed>' : '<open>', rewind: cb ? '<closed>' : '<open>',
          });
        }
        await reopen();
      }
    }
    // Replies nobody read (a line that produced two) surface here.
    const ping = encodeCommand(['PING', 'end-of-corpus']);
    await Promise.all([send(redis, ping), send(rewind, ping)]);
    const [a, b] = await Promise.all([readOutcome(redis, blockingMs), readOutcome(rewind, blockingMs)]);
    const reason = compareOutcomes('plain', a, b);
    if (reason !== null) {
      mismatches.push({ file, line: 0, command: '(PING after the last line)', reason: `${reason}: a line left an extra reply`, redis: describe(a), rewind: describe(b) });
    }
  } finally {
    await Promise.all([redis.close(), rewind.close(), others?.[0].close(), others?.[1].close()]);
  }
  return mismatches;
}

/** A readable report: file:line, the command, both replies escaped. */
export function formatMismatches(mismatches: readonly Mismatch[], limit = 25): string {
  const shown = mismatches.slice(0, limit).map(
    (m) => `${m.file}:${m.line}: ${m.command}\n    ${m.reason}\n    redis:  ${m.redis}\n    rewind: ${m.rewind}`,
  );
  const more = mismatches.length > limit ? `\n... and ${mismatches.length - limit} more` : '';
  return `${mismatches.length} mismatch(es)\n${shown.join('\n')}${more}`;
}
