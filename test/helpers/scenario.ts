/*
 * Multi-client scenarios for differential tests: lines such as `A: WATCH k` or `B: SET k 1` are
 * sent in order, each on the named connection (opened on first use, reopened after a close), and
 * every reply is recorded as escaped bytes. Running the same scenario against a real redis-server
 * and against Rewind and comparing the two lists checks behaviour that spans connections (WATCH
 * races, clients blocked while another runs EXEC), which the one-connection corpus cannot.
 *
 * Syntax: `<client>: <command>` in redis-cli quoting, `!sleep <ms>`, `#` comments, blank lines.
 */
import { encodeCommand } from '../../protocol/encode.js';
import { splitInline } from '../../protocol/resp-parser.js';
import { RawClient, escapeBytes } from './raw.js';

export type ScenarioStep = { client: string; argv: Buffer[]; text: string } | { sleep: number };

export function parseScenario(source: string): ScenarioStep[] {
  const steps: ScenarioStep[] = [];
  for (const raw of source.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const sleep = /^!sleep\s+(\d+)$/.exec(line);
    if (sleep !== null) {
      steps.push({ sleep: Number(sleep[1]) });
      continue;
    }
    const m = /^(\w+):\s*(.+)$/.exec(line);
    if (m === null) throw new Error(`bad scenario line: ${line}`);
    const bytes = Buffer.from(m[2]!, 'latin1');
    const argv = splitInline(bytes, 0, bytes.length);
    if (argv === null || argv.length === 0) throw new Error(`bad command in scenario line: ${line}`);
    steps.push({ client: m[1]!, argv: argv.map((a) => Buffer.from(a)), text: line });
  }
  return steps;
}

/**
 * Runs the steps against the server on `port`; returns `<line>  ->  <reply>` for each command
 * (`<closed>` when the connection closed instead, `<no reply>` after replyMs of silence).
 */
export async function runScenario(port: number, steps: readonly ScenarioStep[], replyMs = 2000): Promise<string[]> {
  const clients = new Map<string, RawClient>();
  const out: string[] = [];
  try {
    for (const step of steps) {
      if ('sleep' in step) {
        await new Promise((r) => setTimeout(r, step.sleep));
        continue;
      }
      let c = clients.get(step.client);
      if (c === undefined || c.closed) {
        c = await RawClient.connect(port);
        clients.set(step.client, c);
      }
      await c.write(encodeCommand(step.argv));
      let reply: string;
      try {
        reply = escapeBytes((await c.readReply(replyMs)).bytes, 1_000_000);
      } catch {
        reply = c.closed ? '<closed>' : '<no reply>';
      }
      out.push(`${step.text}  ->  ${reply}`);
    }
  } finally {
    await Promise.all([...clients.values()].map((c) => c.close()));
  }
  return out;
}
