/*
 * Architecture rules, checked on the source text:
 *  - dependency direction protocol <- commands <- persistence <- server (a module imports only
 *    modules at its level or below, never test/ or bench/);
 *  - protocol/ and commands/ do no I/O: no node:fs, node:net, node:child_process (nor dgram,
 *    http, https, tls, worker_threads);
 *  - no `any` or @ts-ignore in the sources;
 *  - the command table builds, and every command in it appears in some test or diff corpus.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { buildTable } from '../../commands/table.js';
import { ALL_COMMANDS } from '../../commands/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LAYERS = ['protocol', 'commands', 'persistence', 'server'] as const;
type Layer = (typeof LAYERS)[number];
const RANK: Record<Layer, number> = { protocol: 0, commands: 1, persistence: 2, server: 3 };
const NO_IO_LAYERS: readonly Layer[] = ['protocol', 'commands'];
const IO_MODULES = ['fs', 'net', 'child_process', 'dgram', 'http', 'https', 'http2', 'tls', 'worker_threads', 'cluster'];

function listFiles(dir: string, exts: readonly string[]): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return entries
    .map((e) => path.join(dir, e))
    .filter((f) => exts.some((x) => f.endsWith(x)) && statSync(f).isFile())
    .sort();
}

function sourceFiles(layer: Layer): string[] {
  return listFiles(path.join(ROOT, layer), ['.ts', '.js', '.mts']).filter((f) => !f.endsWith('.d.ts'));
}

/** Every module specifier a file imports or re-exports (static, dynamic, side-effect). */
function importsOf(text: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\bimport\s+(?:type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bexport\s+(?:type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) {
    for (const m of text.matchAll(re)) out.push(m[1]!);
  }
  return out;
}

/** Strips comments so that an import in a doc comment does not count. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

/** The top-level directory a relative import lands in, or null for packages and builtins. */
function targetDir(fromFile: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const abs = path.resolve(path.dirname(fromFile), spec);
  const rel = path.relative(ROOT, abs);
  return rel.split(path.sep)[0] ?? null;
}

function builtinName(spec: string): string | null {
  const bare = spec.startsWith('node:') ? spec.slice(5) : spec;
  const top = bare.split('/')[0]!;
  return IO_MODULES.includes(top) ? top : null;
}

describe('dependency direction', () => {
  test('each layer has sources', () => {
    for (const layer of ['protocol', 'commands', 'server'] as const) expect(sourceFiles(layer).length).toBeGreaterThan(0);
  });

  test('no backward edge (protocol <- commands <- persistence <- server) and no import of test/ or bench/', () => {
    const violations: string[] = [];
    for (const layer of LAYERS) {
      for (const file of sourceFiles(layer)) {
        const text = stripComments(readFileSync(file, 'utf8'));
        for (const spec of importsOf(text)) {
          const dir = targetDir(file, spec);
          if (dir === null) continue;
          const rel = path.relative(ROOT, file);
          const target = LAYERS.find((l) => l === dir);
          if (target !== undefined) {
            if (RANK[target] > RANK[layer]) violations.push(`${rel} imports ${spec} (${layer} -> ${target} is backward)`);
          } else if (dir !== '..' && dir !== '') {
            violations.push(`${rel} imports ${spec} (outside the source layers: ${dir}/)`);
          }
        }
      }
    }
    expect(violations).toEqual([]);
  });

  test('protocol/ and commands/ import no I/O modules', () => {
    const violations: string[] = [];
    for (const layer of NO_IO_LAYERS) {
      for (const file of sourceFiles(layer)) {
        const text = stripComments(readFileSync(file, 'utf8'));
        for (const spec of importsOf(text)) {
          const io = builtinName(spec);
          if (io !== null) violations.push(`${path.relative(ROOT, file)} imports ${spec}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  test('the import scanner sees every import form', () => {
    const text = [
      "import { a } from '../server/x.js';",
      "import type { B } from 'node:fs';",
      "export { c } from './c.js';",
      "import './side-effect.js';",
      "const m = await import('node:net');",
      'import {\n  d,\n  e,\n} from "../persistence/y.js";',
    ].join('\n');
    expect(importsOf(text).sort()).toEqual(['../persistence/y.js', '../server/x.js', './c.js', './side-effect.js', 'node:fs', 'node:net'].sort());
  });
});

describe('source hygiene', () => {
  test('no `any` and no @ts-ignore in the sources', () => {
    const violations: string[] = [];
    for (const layer of LAYERS) {
      for (const file of sourceFiles(layer)) {
        if (!file.endsWith('.ts')) continue;
        const lines = stripComments(readFileSync(file, 'utf8')).split('\n');
        lines.forEach((line, i) => {
          if (/@ts-ignore|@ts-nocheck|\bas any\b|:\s*any\b|<any>|\bany\[\]/.test(line)) {
            violations.push(`${path.relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
          }
        });
        const raw = readFileSync(file, 'utf8');
        if (/@ts-ignore|@ts-nocheck/.test(raw)) violations.push(`${path.relative(ROOT, file)}: @ts-ignore/@ts-nocheck`);
      }
    }
    expect([...new Set(violations)]).toEqual([]);
  });
});

describe('command table', () => {
  test('buildTable(ALL_COMMANDS) validates', () => {
    expect(() => buildTable(ALL_COMMANDS)).not.toThrow();
  });

  test('names are unique, lowercase, with a handler or subcommands, and lookups are case-insensitive', () => {
    const table = buildTable(ALL_COMMANDS);
    const names = ALL_COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const spec of ALL_COMMANDS) {
      expect(spec.name).toBe(spec.name.toLowerCase());
      expect(table.lookup(spec.name)).toBe(spec);
      expect(table.lookup(spec.name.toUpperCase())).toBe(spec);
      for (const sub of spec.subcommands ?? []) {
        const short = sub.name.slice(spec.name.length + 1);
        expect(table.lookupSub(spec, short.toUpperCase())).toBe(sub);
      }
    }
  });

  test('commands with keys are exactly one of write/readonly (or neither, with explicit key-spec flags, as WATCH)', () => {
    const bad: string[] = [];
    for (const spec of ALL_COMMANDS.flatMap((c) => [c, ...(c.subcommands ?? [])])) {
      if (spec.keys === undefined && spec.getKeys === undefined) continue;
      const w = spec.flags.includes('write');
      const r = spec.flags.includes('readonly');
      if (!w && !r && spec.keys?.flags !== undefined) continue;
      // EVAL and FCALL: what the script does decides; their key specs assume the worst, as Redis's.
      if (!w && !r && spec.flags.includes('noscript') && spec.keySpecs?.some((k) => k.flags.includes('RW')) === true) continue;
      // Only not_key specs (SPUBLISH's shard channel): the command touches no key at all.
      if (!w && !r && spec.keySpecs !== undefined && spec.keySpecs.every((k) => k.flags.includes('not_key'))) continue;
      if (w === r) bad.push(spec.name);
    }
    expect(bad).toEqual([]);
  });

  test('buildTable rejects a malformed table', () => {
    const ping = ALL_COMMANDS.find((c) => c.name === 'ping')!;
    expect(() => buildTable([ping, ping])).toThrow(/duplicate/);
    expect(() => buildTable([{ ...ping, arity: 0 }])).toThrow(/arity/);
    expect(() => buildTable([{ ...ping, name: 'PING' }])).toThrow(/lowercase/);
    expect(() => buildTable([{ ...ping, flags: ['write', 'readonly'] }])).toThrow(/write and readonly/);
  });
});

/** Test sources and corpora that count as covering a command (not helpers or this file). */
function coverageTexts(): { file: string; text: string; corpus: boolean }[] {
  const testDir = path.join(ROOT, 'test');
  const self = fileURLToPath(import.meta.url);
  return listFiles(testDir, ['.test.ts', '.redis', '.golden'])
    .filter((f) => f !== self)
    .map((file) => ({ file, text: readFileSync(file, 'latin1'), corpus: !file.endsWith('.ts') }));
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}

/** True when `words` (a command, or container + subcommand) is used in the file like a command. */
function mentionsCommand(text: string, corpus: boolean, words: readonly string[]): boolean {
  const sep = corpus ? '\\s+' : `['"\`]?\\s*,?\\s*['"\`]?\\s*`;
  const body = words.map(escapeRe).join(sep);
  if (corpus) {
    // First words of a corpus line (after an optional !directive), or a golden `> ` line.
    return new RegExp(`^\\s*(?:![a-z0-9]+\\s+|>\\s*)?["']?${body}["']?(?:\\s|$)`, 'im').test(text);
  }
  const asLiteral = new RegExp(`['"\`]${body}(?:['"\`\\s])`, 'i');
  const asMethod = new RegExp(`\\.${escapeRe(words[0]!)}\\s*\\(${words.length > 1 ? `\\s*['"\`]${words.slice(1).map(escapeRe).join(sep)}` : ''}`, 'i');
  return asLiteral.test(text) || asMethod.test(text);
}

describe('test coverage of the command table', () => {
  test('the coverage matcher', () => {
    expect(mentionsCommand('GET foo\n', true, ['get'])).toBe(true);
    expect(mentionsCommand('!sorted KEYS *\n', true, ['keys'])).toBe(true);
    expect(mentionsCommand('SET getx 1\n', true, ['get'])).toBe(false);
    expect(mentionsCommand("await r.call('CLIENT', 'LIST')", false, ['client', 'list'])).toBe(true);
    expect(mentionsCommand("await c.client('LIST')", false, ['client', 'list'])).toBe(true);
    expect(mentionsCommand('CLIENT LIST ID 1\n', true, ['client', 'list'])).toBe(true);
    expect(mentionsCommand("await r.getex('k')", false, ['getex'])).toBe(true);
    expect(mentionsCommand("await r.get('k')", false, ['getex'])).toBe(false);
  });

  test('every command and subcommand in the table appears in a test or diff corpus', () => {
    const texts = coverageTexts();
    const missing: string[] = [];
    for (const spec of ALL_COMMANDS) {
      if (!texts.some((t) => mentionsCommand(t.text, t.corpus, [spec.name]))) missing.push(spec.name);
      for (const sub of spec.subcommands ?? []) {
        const short = sub.name.slice(spec.name.length + 1);
        if (!texts.some((t) => mentionsCommand(t.text, t.corpus, [spec.name, short]))) missing.push(`${spec.name} ${short}`);
      }
    }
    expect(missing, `commands without any test (${missing.length})`).toEqual([]);
  });
});
