/*
 * Multi-client scenarios where replies are not one per command: RESP3 push frames (client-side
 * caching invalidations), RESP2 pub/sub messages, and commands held back by CLIENT PAUSE. Each
 * line names a connection (opened on first use) and what to do on it; everything a connection
 * receives is recorded as escaped bytes, so the same script run against a real redis-server and
 * against Rewind gives two transcripts to compare line by line.
 *
 *   A: GET k             send, then read up to and including the first reply that is not a RESP3
 *                        push; pushes read on the way are recorded as lines of their own
 *   A: !ignore HELLO 3   the same, but the reply is recorded as <ignored> (ids, versions)
 *   A: !ids CLIENT GETREDIR   the same, with every client's id replaced by its name ($A)
 *   A: !send SET k v     send only (a command expected to be held, e.g. by CLIENT PAUSE)
 *   A: !read             read exactly one reply or push (what a !send or another client caused)
 *   A: !ids !read        modifiers stack: !ids applies to what !read or !ignore... records
 *   !sleep 50            wait (only where time itself is the subject: a pause timeout)
 *
 * `$A` in a command is replaced by connection A's client id (asked with CLIENT ID when A opens).
 * At the end every connection gets a PING and everything up to its answer is recorded, so a push
 * or reply nobody read shows up as a difference instead of passing silently. Absence is never
 * concluded from silence: no step waits for "nothing to arrive".
 */
import { encodeCommand } from '../../protocol/encode.js';
import { splitInline } from '../../protocol/resp-parser.js';
import { RawClient, escapeBytes, type Reply } from './raw.js';

type Mode = 'call' | 'ignore' | 'send' | 'read';

export type PushStep =
  | { kind: 'client'; client: string; mode: Mode; ids: boolean; argv: Buffer[]; text: string }
  | { kind: 'sleep'; ms: number };

export function parsePushScenario(source: string): PushStep[] {
  const steps: PushStep[] = [];
  for (const raw of source.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const sleep = /^!sleep\s+(\d+)$/.exec(line);
    if (sleep !== null) {
      steps.push({ kind: 'sleep', ms: Number(sleep[1]) });
      continue;
    }
    const m = /^(\w+):\s*(.*)$/.exec(line);
    if (m === null) throw new Error(`bad scenario line: ${line}`);
    let body = m[2]!;
    let mode: Mode = 'call';
    let ids = false;
    for (let mod = /^!(ignore|ids|send|read)\b\s*/.exec(body); mod !== null; mod = /^!(ignore|ids|send|read)\b\s*/.exec(body)) {
      if (mod[1] === 'ids') ids = true;
      else mode = mod[1] as Mode;
      body = body.slice(mod[0].length);
    }
    if (mode === 'read') {
      if (body !== '') throw new Error(`!read takes nothing: ${line}`);
      steps.push({ kind: 'client', client: m[1]!, mode, ids, argv: [], text: line });
      continue;
    }
    const bytes = Buffer.from(body, 'latin1');
    const argv = splitInline(bytes, 0, bytes.length);
    if (argv === null || argv.length === 0) throw new Error(`bad command in scenario line: ${line}`);
    steps.push({ kind: 'client', client: m[1]!, mode, ids, argv: argv.map((a) => Buffer.from(a)), text: line });
  }
  return steps;
}

interface Conn {
  readonly raw: RawClient;
  readonly id: string;
}

function isPush(r: Reply): boolean {
  return r.bytes[0] === 0x3e; // '>'
}

function isPong(r: Reply): boolean {
  const s = r.bytes.toString('latin1');
  return s === '+PONG\r\n' || s === '*2\r\n$4\r\npong\r\n$0\r\n\r\n' || s === '>2\r\n$4\r\npong\r\n$0\r\n\r\n';
}

/**
 * Runs the steps against the server on `port` and returns the transcript: one line per reply or
 * push received, prefixed with the step that read it. `replyMs` bounds every read (generous: a
 * timeout means a reply that never came, which the transcript shows as <no reply>).
 */
export async function runPushScenario(port: number, steps: readonly PushStep[], replyMs = 5000): Promise<string[]> {
  const conns = new Map<string, Conn>();
  const out: string[] = [];
  const names = (): [string, string][] => [...conns.entries()].map(([n, c]) => [n, c.id]);
  const substitute = (a: Buffer): Buffer => {
    let s = a.toString('latin1');
    for (const [name, id] of names()) s = s.split(`$${name}`).join(id);
    return Buffer.from(s, 'latin1');
  };
  const withIds = (text: string): string => {
    let s = text;
    for (const [name, id] of names()) s = s.split(`:${id}\\r\\n`).join(`:$${name}\\r\\n`);
    return s;
  };
  const open = async (name: string): Promise<Conn> => {
    let c = conns.get(name);
    if (c !== undefined) return c;
    const raw = await RawClient.connect(port);
    const r = await raw.call('CLIENT', 'ID');
    if (r.value.type !== 'integer') throw new Error(`CLIENT ID answered ${escapeBytes(r.bytes)}`);
    c = { raw, id: String(r.value.value) };
    conns.set(name, c);
    return c;
  };
  const read = async (c: Conn): Promise<Reply | string> => {
    try {
      return await c.raw.readReply(replyMs);
    } catch {
      return c.raw.closed ? '<closed>' : '<no reply>';
    }
  };
  try {
    for (const step of steps) {
      if (step.kind === 'sleep') {
        await new Promise((r) => setTimeout(r, step.ms));
        continue;
      }
      const c = await open(step.client);
      if (step.mode !== 'read') await c.raw.write(encodeCommand(step.argv.map(substitute)));
      if (step.mode === 'send') continue;
      for (;;) {
        const r = await read(c);
        if (typeof r === 'string') {
          out.push(`${step.text}  ->  ${r}`);
          break;
        }
        const text = escapeBytes(r.bytes, 1_000_000);
        if (step.mode !== 'read' && isPush(r)) {
          out.push(`${step.text}  ->  (push) ${text}`);
          continue;
        }
        const shown = step.mode === 'ignore' ? '<ignored>' : step.ids ? withIds(text) : text;
        out.push(`${step.text}  ->  ${shown}`);
        break;
      }
    }
    for (const [name, c] of conns) {
      if (c.raw.closed) continue;
      await c.raw.write(encodeCommand(['PING']));
      for (;;) {
        const r = await read(c);
        if (typeof r === 'string') {
          out.push(`${name}: <end>  ->  ${r}`);
          break;
        }
        if (isPong(r)) break;
        out.push(`${name}: <end>  ->  ${escapeBytes(r.bytes, 1_000_000)}`);
      }
    }
  } finally {
    await Promise.all([...conns.values()].map((c) => c.raw.close()));
  }
  return out;
}
