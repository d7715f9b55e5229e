/*
 * Config: the live values of the parameters in config-table.ts. Parses Redis config-file syntax
 * and `--name value` flags into the same table, validates exactly as CONFIG SET does, and tells
 * listeners when a value changes so hot paths can keep plain fields instead of lookups.
 */
import { readFileSync } from 'node:fs';
import { globMatch } from '../commands/glob.js';
import type { ConfigApi } from '../commands/context.js';
import { splitInline } from '../protocol/resp-parser.js';
import { PARAMS, type ParamSpec } from './config-table.js';
import { ERR_NOTIFY_CLASS, notifyFlagsFromString, notifyFlagsToString } from '../commands/notify.js';

export class ConfigError extends Error {}

const BY_NAME = new Map<string, ParamSpec>();
for (const spec of PARAMS) {
  BY_NAME.set(spec.name, spec);
  if (spec.alias !== undefined) BY_NAME.set(spec.alias, spec);
}

export function findParam(name: string): ParamSpec | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Redis's memtoull: 1k=1000, 1kb=1024, m/mb, g/gb, case-insensitive. */
export function parseMemory(text: string): number | undefined {
  const m = /^(-?\d+)(k|kb|m|mb|g|gb)?$/i.exec(text);
  if (m === null) return undefined;
  const mult: Record<string, number> = { k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
  const unit = m[2]?.toLowerCase();
  return Number(m[1]) * (unit === undefined ? 1 : mult[unit]!);
}

/** Validates and normalises one value; returns [canonical value] or an error text (Redis's words). */
export function normalize(spec: ParamSpec, raw: string): { value: string } | { error: string } {
  const t = spec.type;
  switch (t.kind) {
    case 'bool': {
      const v = raw.toLowerCase();
      if (v !== 'yes' && v !== 'no') return { error: "argument must be 'yes' or 'no'" };
      return { value: v };
    }
    case 'int': {
      if (!/^-?\d+$/.test(raw)) return { error: "argument couldn't be parsed into an integer" };
      const n = Number(raw);
      if (n < t.min || n > t.max) return { error: `argument must be between ${t.min} and ${t.max} inclusive` };
      return { value: String(n) };
    }
    case 'memory': {
      const n = parseMemory(raw);
      if (n === undefined) return { error: 'argument must be a memory value' };
      if (n < t.min || n > t.max) return { error: `argument must be between ${t.min} and ${t.max} inclusive` };
      return { value: String(n) };
    }
    case 'enum': {
      const v = raw.toLowerCase();
      if (!t.values.includes(v)) return { error: `argument(s) must be one of the following: ${t.values.join(', ')}` };
      return { value: v };
    }
    case 'flags':
    case 'string':
      return { value: raw };
    case 'list':
      return { value: raw.trim().split(/\s+/).filter((w) => w !== '').join(' ') };
    case 'save': {
      const words = raw.trim().split(/\s+/).filter((w) => w !== '');
      if (words.length % 2 !== 0 || words.some((w) => !/^\d+$/.test(w))) return { error: 'Invalid save parameters' };
      return { value: words.join(' ') };
    }
    case 'keyspace-events': {
      const flags = notifyFlagsFromString(raw);
      if (flags < 0) return { error: ERR_NOTIFY_CLASS };
      // Kept as given: the canonical form (display()) drops `n` under `A`, the flags keep it.
      return { value: raw };
    }
    case 'client-output-buffer-limit': {
      const words = raw.trim().split(/\s+/);
      if (words.length % 4 !== 0) return { error: 'Wrong number of arguments in buffer limit configuration.' };
      for (let i = 0; i < words.length; i += 4) {
        if (!['normal', 'slave', 'replica', 'pubsub'].includes(words[i]!.toLowerCase())) {
          return { error: 'Invalid client class specified in buffer limit configuration.' };
        }
        for (let k = 1; k < 4; k++) {
          if (parseMemory(words[i + k]!) === undefined) return { error: 'Error in hard, soft or soft_seconds setting in buffer limit configuration.' };
        }
      }
      return { value: raw };
    }
  }
}

type Listener = (value: string) => void;

export class Config implements ConfigApi {
  private values = new Map<string, string>();
  private listeners = new Map<string, Listener[]>();

  constructor() {
    for (const spec of PARAMS) this.values.set(spec.name, spec.default);
  }

  get(name: string): string {
    const spec = findParam(name);
    if (spec === undefined) throw new Error(`unknown config ${name}`);
    return this.values.get(spec.name)!;
  }

  int(name: string): number {
    return Number(this.get(name));
  }

  bool(name: string): boolean {
    return this.get(name) === 'yes';
  }

  /** Calls fn now and on every later change of the parameter. */
  watch(name: string, fn: Listener): void {
    const spec = findParam(name)!;
    const list = this.listeners.get(spec.name) ?? [];
    list.push(fn);
    this.listeners.set(spec.name, list);
    fn(this.values.get(spec.name)!);
  }

  getMatching(patterns: readonly string[]): [string, string][] {
    const out: [string, string][] = [];
    const seen = new Set<string>();
    for (const raw of patterns) {
      const pattern = raw.toLowerCase();
      const exact = BY_NAME.get(pattern);
      if (exact !== undefined && !/[*?[]/.test(pattern)) {
        if (!seen.has(pattern)) {
          seen.add(pattern);
          out.push([pattern, this.display(exact)]);
        }
        continue;
      }
      for (const spec of PARAMS) {
        for (const name of spec.alias === undefined ? [spec.name] : [spec.name, spec.alias]) {
          if (!seen.has(name) && globMatch(pattern, name)) {
            seen.add(name);
            out.push([name, this.display(spec)]);
          }
        }
      }
    }
    return out;
  }

  /** CONFIG SET: all or nothing. Returns Redis's error text, or null on success. */
  set(pairs: readonly [string, string][]): string | null {
    const staged: [ParamSpec, string][] = [];
    const names = new Set<string>();
    for (const [name, raw] of pairs) {
      const spec = findParam(name);
      if (spec === undefined) return `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`;
      const fail = (why: string): string => `ERR CONFIG SET failed (possibly related to argument '${name}') - ${why}`;
      if (names.has(spec.name)) return fail('duplicate parameter');
      names.add(spec.name);
      if (!spec.mutable) return fail("can't set immutable config");
      const result = normalize(spec, raw);
      if ('error' in result) return fail(result.error);
      staged.push([spec, result.value]);
    }
    for (const [spec, value] of staged) this.assign(spec, value);
    return null;
  }

  /** Startup assignment: immutable parameters allowed, errors thrown as ConfigError. */
  load(name: string, args: readonly string[], where: string): void {
    const spec = findParam(name);
    if (spec === undefined) throw new ConfigError(`${where}: unknown option '${name}'`);
    const multi = spec.type.kind === 'save' || spec.type.kind === 'list' || spec.type.kind === 'client-output-buffer-limit';
    if (!multi && args.length !== 1) throw new ConfigError(`${where}: '${name}' takes one argument, got ${args.length}`);
    const raw = args.join(' ');
    const result = normalize(spec, raw);
    if ('error' in result) throw new ConfigError(`${where}: invalid value '${raw}' for '${name}': ${result.error}`);
    // Like redis.conf, repeated `save` lines add up; `save ""` clears.
    if (spec.type.kind === 'save' && this.loadedSave && result.value !== '') {
      this.assign(spec, `${this.values.get('save')} ${result.value}`.trim());
    } else {
      this.assign(spec, result.value);
    }
    if (spec.type.kind === 'save') this.loadedSave = true;
  }

  private loadedSave = false;

  private assign(spec: ParamSpec, value: string): void {
    this.values.set(spec.name, value);
    for (const fn of this.listeners.get(spec.name) ?? []) fn(value);
  }

  private display(spec: ParamSpec): string {
    const v = this.values.get(spec.name)!;
    if (spec.name === 'bind') return v.split(' ').filter((a) => a !== '').join(' ');
    if (spec.type.kind === 'keyspace-events') return notifyFlagsToString(notifyFlagsFromString(v));
    return v;
  }
}

export interface ParsedArgs {
  configFile?: string;
  directives: { name: string; args: string[]; where: string }[];
  version: boolean;
  help: boolean;
  dryRun: boolean;
}

/**
 * `rewind-server [config-file] [--name value ...]`, as redis-server takes them: a flag's values run
 * to the next `--`; `--save ""` works; `-` as the file reads stdin. `--dry-run` is Rewind's.
 */
export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  const out: ParsedArgs = { directives: [], version: false, help: false, dryRun: false };
  let i = 0;
  if (argv[0] === '-v' || argv[0] === '--version') return { ...out, version: true };
  if (argv[0] === '-h' || argv[0] === '--help') return { ...out, help: true };
  if (argv[0] !== undefined && !argv[0].startsWith('--')) {
    out.configFile = argv[0];
    i = 1;
  }
  while (i < argv.length) {
    const flag = argv[i]!;
    if (!flag.startsWith('--')) throw new ConfigError(`unexpected argument '${flag}' (options are --name value)`);
    const name = flag.slice(2);
    i++;
    if (name === 'dry-run') {
      out.dryRun = true;
      continue;
    }
    const args: string[] = [];
    while (i < argv.length && !argv[i]!.startsWith('--')) args.push(argv[i++]!);
    // A negative number is a value, not a flag (`--list-max-listpack-size -2` has one dash).
    out.directives.push({ name, args: args.length === 0 ? [''] : args, where: `option --${name}` });
  }
  return out;
}

/** Reads a redis.conf: one directive per line, quotes as in inline commands, `include` followed. */
export function readConfigFile(path: string, depth = 0): { name: string; args: string[]; where: string }[] {
  if (depth > 10) throw new ConfigError(`${path}: include nesting too deep`);
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'latin1');
  } catch (e) {
    throw new ConfigError(`cannot read config file '${path}': ${(e as Error).message}`);
  }
  const out: { name: string; args: string[]; where: string }[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const words = splitInline(Buffer.from(line, 'latin1'), 0, line.length);
    const where = `${path}:${n + 1}`;
    if (words === null) throw new ConfigError(`${where}: unbalanced quotes`);
    if (words.length === 0) continue;
    const name = words[0]!.toString('latin1').toLowerCase();
    const args = words.slice(1).map((w) => w.toString('latin1'));
    if (name === 'include') {
      for (const file of args) out.push(...readConfigFile(file, depth + 1));
      continue;
    }
    out.push({ name, args, where });
  }
  return out;
}
