/*
 * COMMAND and its subcommands (COUNT INFO DOCS GETKEYS GETKEYSANDFLAGS LIST HELP), all generated
 * from the command table in Redis 7's reply shapes, so they cannot drift from what dispatch runs.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import type { ReplyWriter } from '../../protocol/reply-writer.js';
import { ERR_SYNTAX } from '../../protocol/errors.js';
import type { CommandContext } from '../context.js';
import type { CommandSpec, CommandTable } from '../table.js';
import {
  commandHasKeys, KEY_SPEC_FLAG_ORDER, keySpecsOf, keysOfCommand, type KeyRef, type KeySpecFlag,
} from '../key-specs.js';
import { isWord } from '../args.js';
import { globMatch } from '../glob.js';
import { writeCommandDocs } from './command-docs.js';
import { writeHelp } from './help.js';

/**
 * The order Redis lists flags in (its bit order). Sentinel-mode and `protected` flags steer
 * Redis internally and are never listed, so they are absent here and dropped.
 */
const FLAG_ORDER = [
  'write', 'readonly', 'denyoom', 'module', 'admin', 'pubsub', 'noscript', 'blocking', 'loading',
  'stale', 'skip_monitor', 'skip_slowlog', 'asking', 'fast', 'no_auth', 'may_replicate',
  'no_mandatory_keys', 'no_async_loading', 'no_multi', 'movablekeys', 'allow_busy',
];
const ACL_ORDER = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog',
  'geo', 'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection',
  'transaction', 'scripting',
];

/** The items that appear in `order`, in that order (table entries may list them any way). */
function inOrder(items: readonly string[], order: readonly string[]): string[] {
  return order.filter((x) => items.includes(x));
}

/** Legacy key range of COMMAND INFO: (0, 0, 0) when the command takes no keys. */
function legacyRange(spec: CommandSpec): [number, number, number] {
  if (spec.keys === undefined) return [0, 0, 0];
  return [spec.keys.first, spec.keys.last, spec.keys.step];
}

/** Key-spec flags in Redis's order. */
function writeKeyFlags(w: ReplyWriter, flags: readonly KeySpecFlag[]): void {
  const ordered = inOrder(flags, KEY_SPEC_FLAG_ORDER);
  w.setLen(ordered.length);
  for (const f of ordered) w.simple(f);
}

/** One `type`/`spec` map of begin_search or find_keys; Redis writes `unknown` with an empty spec. */
function writeSearchStep(w: ReplyWriter, type: string, spec: readonly (readonly [string, number | string])[]): void {
  w.mapLen(2);
  w.bulk('type');
  w.bulk(type);
  w.bulk('spec');
  w.mapLen(spec.length);
  for (const [name, value] of spec) {
    w.bulk(name);
    if (typeof value === 'number') w.integer(value);
    else w.bulk(value);
  }
}

/** The key-specs section of COMMAND INFO, as Redis's addReplyCommandKeySpecs writes it. */
function writeKeySpecs(w: ReplyWriter, spec: CommandSpec): void {
  const specs = keySpecsOf(spec);
  w.setLen(specs.length);
  for (const ks of specs) {
    w.mapLen(ks.notes === undefined ? 3 : 4);
    if (ks.notes !== undefined) {
      w.bulk('notes');
      w.bulk(ks.notes);
    }
    w.bulk('flags');
    writeKeyFlags(w, ks.flags);
    w.bulk('begin_search');
    const bs = ks.beginSearch;
    if (bs === 'unknown') writeSearchStep(w, 'unknown', []);
    else if ('index' in bs) writeSearchStep(w, 'index', [['index', bs.index]]);
    else writeSearchStep(w, 'keyword', [['keyword', bs.keyword], ['startfrom', bs.startfrom]]);
    w.bulk('find_keys');
    const fk = ks.findKeys;
    if (fk === 'unknown') writeSearchStep(w, 'unknown', []);
    else if ('range' in fk) writeSearchStep(w, 'range', [['lastkey', fk.range.lastkey], ['keystep', fk.range.keystep], ['limit', fk.range.limit]]);
    else writeSearchStep(w, 'keynum', [['keynumidx', fk.keynum.keynumidx], ['firstkey', fk.keynum.firstkey], ['keystep', fk.keynum.keystep]]);
  }
}

/** One COMMAND INFO entry: [name, arity, flags, first, last, step, acl, tips, key specs, subcommands]. */
export function writeCommandInfo(w: ReplyWriter, spec: CommandSpec): void {
  w.arrayLen(10);
  w.bulk(spec.name);
  w.integer(spec.arity);
  const flags = inOrder(spec.flags, FLAG_ORDER);
  w.setLen(flags.length);
  for (const f of flags) w.simple(f);
  const [first, last, step] = legacyRange(spec);
  w.integer(first);
  w.integer(last);
  w.integer(step);
  const acl = inOrder(spec.acl, ACL_ORDER);
  w.setLen(acl.length);
  for (const cat of acl) w.simple(`@${cat}`);
  const tips = spec.tips ?? [];
  w.setLen(tips.length);
  for (const t of tips) w.bulk(t);
  writeKeySpecs(w, spec);
  const subs = spec.subcommands ?? [];
  w.setLen(subs.length);
  for (const sub of subs) writeCommandInfo(w, sub);
}

/** A command or `container|sub` by the name a client wrote, any case. */
export function findCommand(table: CommandTable, name: string): CommandSpec | undefined {
  const bar = name.indexOf('|');
  if (bar < 0) return table.lookup(name);
  const container = table.lookup(name.slice(0, bar));
  if (container?.subcommands === undefined) return undefined;
  return table.lookupSub(container, name.slice(bar + 1));
}

export function commandCommand(c: CommandContext, _argv: Argv): void {
  const all = c.server.table.all;
  c.reply.arrayLen(all.length);
  for (const spec of all) writeCommandInfo(c.reply, spec);
}

export function commandCountCommand(c: CommandContext, _argv: Argv): void {
  c.reply.integer(c.server.table.all.length);
}

export function commandInfoCommand(c: CommandContext, argv: Argv): void {
  if (argv.length === 2) return commandCommand(c, argv);
  c.reply.arrayLen(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const spec = findCommand(c.server.table, argv[i]!.latin1Slice(0, argv[i]!.length));
    if (spec === undefined) c.reply.nullBulk();
    else writeCommandInfo(c.reply, spec);
  }
}

export function commandDocsCommand(c: CommandContext, argv: Argv): void {
  const found: CommandSpec[] = [];
  if (argv.length === 2) {
    found.push(...c.server.table.all);
  } else {
    for (let i = 2; i < argv.length; i++) {
      const spec = findCommand(c.server.table, argv[i]!.latin1Slice(0, argv[i]!.length));
      if (spec !== undefined) found.push(spec);
    }
  }
  c.reply.mapLen(found.length);
  for (const spec of found) {
    c.reply.bulk(spec.name);
    writeCommandDocs(c.reply, spec);
  }
}

/**
 * The keys of the command in argv[2..] as Redis's getKeysSubcommandImpl finds them (indexes into
 * argv), or an error text as Redis words it. The checks come in Redis's order: a known command,
 * one that can have keys, the right number of arguments, then at least one key found.
 */
function resolveForKeys(c: CommandContext, argv: Argv): KeyRef[] | string {
  const cmd = argv.slice(2);
  const table = c.server.table;
  let spec = table.lookup(cmd[0]!.latin1Slice(0, cmd[0]!.length));
  if (spec === undefined) return 'ERR Invalid command specified';
  if (spec.subcommands !== undefined && (cmd.length > 1 || spec.run === undefined)) {
    const sub = cmd[1] === undefined ? undefined : table.lookupSub(spec, cmd[1].latin1Slice(0, cmd[1].length));
    if (sub === undefined) return 'ERR Invalid command specified';
    spec = sub;
  }
  if (!commandHasKeys(spec)) return 'ERR The command has no key arguments';
  if ((spec.arity > 0 && cmd.length !== spec.arity) || cmd.length < -spec.arity) {
    return 'ERR Invalid number of arguments specified for command';
  }
  const keys = keysOfCommand(spec, cmd);
  // Commands whose keys are optional (Redis's EVAL and FCALL; none in our table) answer an empty array.
  if (keys.length === 0 && !spec.flags.includes('no_mandatory_keys')) return 'ERR Invalid arguments specified for command';
  return keys.map((k) => ({ index: k.index + 2, flags: k.flags }));
}

export function commandGetKeysCommand(c: CommandContext, argv: Argv): void {
  const keys = resolveForKeys(c, argv);
  if (typeof keys === 'string') return c.reply.error(keys);
  c.reply.arrayLen(keys.length);
  for (const k of keys) c.reply.bulk(argv[k.index]!);
}

export function commandGetKeysAndFlagsCommand(c: CommandContext, argv: Argv): void {
  const keys = resolveForKeys(c, argv);
  if (typeof keys === 'string') return c.reply.error(keys);
  c.reply.arrayLen(keys.length);
  for (const k of keys) {
    c.reply.arrayLen(2);
    c.reply.bulk(argv[k.index]!);
    writeKeyFlags(c.reply, k.flags);
  }
}

export function commandListCommand(c: CommandContext, argv: Argv): void {
  let accept: (spec: CommandSpec) => boolean = () => true;
  if (argv.length !== 2) {
    if (argv.length !== 5 || !isWord(argv[2]!, 'FILTERBY')) return c.reply.error(ERR_SYNTAX);
    const value = argv[4]!.latin1Slice(0, argv[4]!.length);
    if (isWord(argv[3]!, 'MODULE')) accept = () => false;
    else if (isWord(argv[3]!, 'ACLCAT')) accept = (s) => s.acl.some((a) => a.toLowerCase() === value.toLowerCase());
    else if (isWord(argv[3]!, 'PATTERN')) accept = (s) => globMatch(value, s.name, true);
    else return c.reply.error(ERR_SYNTAX);
  }
  const names: string[] = [];
  for (const spec of c.server.table.all) {
    if (accept(spec)) names.push(spec.name);
    for (const sub of spec.subcommands ?? []) if (accept(sub)) names.push(sub.name);
  }
  c.reply.bulkArray(names);
}

export function commandHelpCommand(c: CommandContext, _argv: Argv): void {
  writeHelp(c.reply, 'COMMAND', [
    '(no subcommand)',
    '    Return details about all Redis commands.',
    'COUNT',
    '    Return the total number of commands in this Redis server.',
    'LIST',
    '    Return a list of all commands in this Redis server.',
    'INFO [<command-name> ...]',
    '    Return details about multiple Redis commands.',
    '    If no command names are given, documentation details for all',
    '    commands are returned.',
    'DOCS [<command-name> ...]',
    '    Return documentation details about multiple Redis commands.',
    '    If no command names are given, documentation details for all',
    '    commands are returned.',
    'GETKEYS <full-command>',
    '    Return the keys from a full Redis command.',
    'GETKEYSANDFLAGS <full-command>',
    '    Return the keys and the access flags from a full Redis command.',
  ]);
}
