/*
 * The command table: one declarative entry per command (and per subcommand, as `client|list`).
 * Dispatch, arity errors, COMMAND (COUNT INFO DOCS GETKEYS LIST) and the coverage test all read it,
 * so a command is added in one place.
 */
import type { Argv } from '../protocol/resp-parser.js';
import type { CommandContext } from './context.js';
import { keySpecProblem, type KeyRef, type KeySpec, type KeySpecFlag } from './key-specs.js';

/** Redis 7 command flags, lowercase as COMMAND INFO shows them. */
export type CommandFlag =
  | 'write' | 'readonly' | 'denyoom' | 'module' | 'admin' | 'pubsub' | 'noscript' | 'blocking'
  | 'loading' | 'stale' | 'skip_monitor' | 'skip_slowlog' | 'asking' | 'fast' | 'no_auth'
  | 'may_replicate' | 'sentinel' | 'only_sentinel' | 'no_mandatory_keys' | 'protected'
  | 'no_async_loading' | 'no_multi' | 'movablekeys' | 'allow_busy';

/** The legacy (first, last, step) key range of COMMAND INFO; last < 0 counts from the end. */
export interface KeyRange {
  readonly first: number;
  readonly last: number;
  readonly step: number;
  /** Key-spec flags as COMMAND INFO shows them (RO access, OW update, RM delete...); derived from write/readonly when absent. */
  readonly flags?: readonly KeySpecFlag[];
  /** The key spec's notes, as Redis words them (SET, GETEX, PFCOUNT...). */
  readonly notes?: string;
}

export interface CommandDocs {
  /** One line, our own words. */
  readonly summary: string;
  /** The Redis version that introduced the command. */
  readonly since: string;
  /** Redis's command group: string, generic, connection, server, list, hash, ... */
  readonly group: string;
  readonly complexity?: string;
  /**
   * The argument syntax as Redis's documentation writes it, e.g.
   * `key value [NX | XX] [GET] [EX seconds | PX milliseconds | KEEPTTL]`. COMMAND DOCS derives
   * its argument tree from this line, which redis-cli turns into typing hints.
   */
  readonly args?: string;
}

export type Handler = (c: CommandContext, argv: Argv) => void;

/**
 * The commands Redis 7.0 flags CMD_MAY_REPLICATE, which its COMMAND INFO does not show (so the
 * table's flags cannot carry it): CLIENT PAUSE WRITE holds them and read-only scripts refuse them.
 */
export const MAY_REPLICATE: ReadonlySet<string> = new Set(['publish', 'spublish', 'eval', 'evalsha', 'fcall', 'pfcount']);

export interface CommandSpec {
  /** Lowercase; a subcommand is written `container|sub`. */
  readonly name: string;
  /** Counts the command name; negative means "at least -arity". */
  readonly arity: number;
  readonly flags: readonly CommandFlag[];
  /** ACL categories without '@' (read, write, string, keyspace, fast, slow, dangerous...). */
  readonly acl: readonly string[];
  readonly keys?: KeyRange;
  /** For movablekeys commands: the argv indexes that are keys. */
  readonly getKeys?: (argv: Argv) => number[];
  /**
   * Redis's key specs (commands/key-specs.ts), for commands that `keys` cannot describe alone:
   * several specs (RENAME's source and destination), keyword or numkeys searches, unknown specs.
   * COMMAND INFO lists them and COMMAND GETKEYS follows them; `keys` stays the legacy range Redis
   * derives from them (validate checks it). Absent: the one spec `keys` describes.
   */
  readonly keySpecs?: readonly KeySpec[];
  /**
   * Redis's getkeys_proc, as COMMAND GETKEYS uses it: the fallback when the specs cannot answer
   * (VARIABLE_FLAGS, INCOMPLETE or unknown specs, a bad numkeys), with the flags Redis's proc
   * gives. Required with movablekeys or such specs; dispatch uses getKeys, not this.
   */
  readonly getKeysProc?: (argv: Argv) => KeyRef[];
  readonly docs: CommandDocs;
  /** COMMAND INFO tips (request_policy:all_shards, nondeterministic_output...). */
  readonly tips?: readonly string[];
  /** Absent on most containers (CLIENT, CONFIG...); on a container it runs when no subcommand is given (COMMAND). */
  readonly run?: Handler;
  readonly subcommands?: readonly CommandSpec[];
}

export interface CommandTable {
  readonly all: readonly CommandSpec[];
  /** Lookup by the name bytes as the client sent them (any case). */
  lookup(name: string): CommandSpec | undefined;
  /** Subcommand of a container, by the client's spelling. */
  lookupSub(container: CommandSpec, sub: string): CommandSpec | undefined;
}

/**
 * Validates the specs and indexes them. Throws on a malformed table, which a unit test runs, so
 * a bad entry never reaches a user.
 */
export function buildTable(specs: readonly CommandSpec[]): CommandTable {
  const byName = new Map<string, CommandSpec>();
  const subs = new Map<CommandSpec, Map<string, CommandSpec>>();
  for (const spec of specs) {
    validate(spec);
    if (byName.has(spec.name)) throw new Error(`command table: duplicate ${spec.name}`);
    byName.set(spec.name, spec);
    byName.set(spec.name.toUpperCase(), spec);
    if (spec.subcommands !== undefined) {
      const m = new Map<string, CommandSpec>();
      for (const sub of spec.subcommands) {
        validate(sub);
        const short = sub.name.slice(spec.name.length + 1);
        if (!sub.name.startsWith(`${spec.name}|`)) throw new Error(`command table: ${sub.name} outside ${spec.name}`);
        if (m.has(short)) throw new Error(`command table: duplicate ${sub.name}`);
        m.set(short, sub);
        m.set(short.toUpperCase(), sub);
      }
      subs.set(spec, m);
    }
  }
  return {
    all: specs,
    lookup(name) {
      return byName.get(name) ?? byName.get(name.toLowerCase());
    },
    lookupSub(container, sub) {
      const m = subs.get(container);
      return m?.get(sub) ?? m?.get(sub.toLowerCase());
    },
  };
}

function validate(spec: CommandSpec): void {
  const where = `command table: ${spec.name}`;
  if (spec.name !== spec.name.toLowerCase()) throw new Error(`${where}: name must be lowercase`);
  if (spec.arity === 0 || !Number.isInteger(spec.arity)) throw new Error(`${where}: arity must be a nonzero integer`);
  const isContainer = spec.subcommands !== undefined;
  if (!isContainer && spec.run === undefined) throw new Error(`${where}: needs run or subcommands`);
  const write = spec.flags.includes('write');
  const read = spec.flags.includes('readonly');
  if (write && read) throw new Error(`${where}: both write and readonly`);
  if (spec.keys !== undefined) {
    const { first, last, step } = spec.keys;
    if (first < 1 || step < 1) throw new Error(`${where}: bad key range`);
    if (spec.arity > 0 && (first >= spec.arity || last >= spec.arity)) throw new Error(`${where}: keys outside arity`);
    // WATCH is neither, and says how it uses its keys through explicit key-spec flags.
    if (!write && !read && spec.keys.flags === undefined && spec.keySpecs === undefined) throw new Error(`${where}: a command with keys must be write or readonly, or give key-spec flags`);
  }
  if (spec.flags.includes('movablekeys') !== (spec.getKeys !== undefined)) {
    throw new Error(`${where}: movablekeys and getKeys go together`);
  }
  const keySpecError = keySpecProblem(spec);
  if (keySpecError !== null) throw new Error(`${where}: ${keySpecError}`);
}

/** Argv indexes of the keys of a command, for the server (WATCH, snapshot copy-on-write); COMMAND GETKEYS follows the key specs instead (key-specs.ts). */
export function keyIndexes(spec: CommandSpec, argv: Argv): number[] {
  if (spec.getKeys !== undefined) return spec.getKeys(argv);
  if (spec.keys === undefined) return [];
  const { first, step } = spec.keys;
  const last = spec.keys.last < 0 ? argv.length + spec.keys.last : spec.keys.last;
  const out: number[] = [];
  for (let i = first; i <= last && i < argv.length; i += step) out.push(i);
  return out;
}
