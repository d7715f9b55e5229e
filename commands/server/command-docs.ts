/*
 * COMMAND DOCS: the documentation map of each command, built from its table entry. The argument
 * tree comes from parsing the one-line syntax in `docs.args` (Redis's documentation notation), so
 * the table holds a single human-readable line and redis-cli still gets the structured tree it
 * turns into typing hints.
 *
 * Syntax accepted by parseArgsSyntax:
 *   name                 an argument (type guessed from the name: key, integer, double...)
 *   TOKEN                a pure token (uppercase word)
 *   TOKEN name           an argument introduced by a token; TOKEN a b makes a block with a token
 *   [ ... ]              optional;  ( ... ) and < ... > group without making optional
 *   a | b | c            one of (inside a group)
 *   x [x ...]            x repeated (flag multiple); TOKEN x [TOKEN x ...] adds multiple_token
 */
import type { ReplyWriter } from '../../protocol/reply-writer.js';
import type { CommandSpec } from '../table.js';

export type ArgType = 'key' | 'string' | 'integer' | 'double' | 'pattern' | 'unix-time' | 'pure-token' | 'oneof' | 'block';
export type ArgFlag = 'optional' | 'multiple' | 'multiple_token';

export interface DocArg {
  name: string;
  type: ArgType;
  token?: string;
  flags: ArgFlag[];
  arguments?: DocArg[];
}

const INTEGER_NAMES = new Set([
  'count', 'seconds', 'milliseconds', 'offset', 'start', 'end', 'stop', 'index', 'db', 'timeout',
  'increment', 'decrement', 'numkeys', 'cursor', 'client-id', 'maxage', 'len', 'port', 'numreplicas',
  'destination-db', 'protover', 'index1', 'index2', 'ttl', 'limit', 'min-len', 'value-int', 'bit',
  'frequency',
]);
const DOUBLE_NAMES = new Set(['score', 'min', 'max', 'longitude', 'latitude', 'radius', 'width', 'height']);
const KEY_NAMES = new Set(['key', 'destination', 'source', 'newkey', 'destkey', 'srckey', 'sourcekey']);

/** The argument type Redis's docs give an argument of this name (a convention, not a rule). */
function typeOfName(name: string): ArgType {
  if (KEY_NAMES.has(name) || name.endsWith('-key')) return 'key';
  if (name.startsWith('unix-time') || name === 'timestamp') return 'unix-time';
  if (name === 'pattern') return 'pattern';
  if (INTEGER_NAMES.has(name)) return 'integer';
  if (DOUBLE_NAMES.has(name)) return 'double';
  return 'string';
}

type Tok = { kind: 'open'; close: string; optional: boolean } | { kind: 'close'; ch: string } | { kind: 'bar' } | { kind: 'ellipsis' } | { kind: 'word'; text: string; start: number; end: number };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === ' ') {
      i++;
    } else if (ch === '[' || ch === '(' || ch === '<') {
      out.push({ kind: 'open', close: ch === '[' ? ']' : ch === '(' ? ')' : '>', optional: ch === '[' });
      i++;
    } else if (ch === ']' || ch === ')' || ch === '>') {
      out.push({ kind: 'close', ch });
      i++;
    } else if (ch === '|') {
      out.push({ kind: 'bar' });
      i++;
    } else if (src.startsWith('...', i)) {
      out.push({ kind: 'ellipsis' });
      i += 3;
    } else {
      let j = i;
      while (j < src.length && !' []()<>|'.includes(src[j]!) && !src.startsWith('...', j)) j++;
      out.push({ kind: 'word', text: src.slice(i, j), start: i, end: j });
      i = j;
    }
  }
  return out;
}

const isToken = (w: string): boolean => /^[A-Z][A-Z0-9_-]*$/.test(w) || w === '*' || w === '$';

/** Parses the `docs.args` line into Redis's argument tree. Throws on unbalanced syntax. */
export function parseArgsSyntax(src: string): DocArg[] {
  const toks = tokenize(src);
  let pos = 0;

  /** A plain rendering of a parsed item, to recognise `x [x ...]` repetitions. */
  const shape = (a: DocArg): string => {
    const inner = a.arguments?.map(shape).join(a.type === 'oneof' ? '|' : ' ') ?? a.name;
    return `${a.token ?? ''}:${a.type}:${inner}`;
  };

  /** The alternatives of a group, and whether it ends in `...` (a repetition group). */
  const parseSeq = (close: string | null): { alts: DocArg[][]; repeat: boolean } => {
    const alts: DocArg[][] = [[]];
    while (pos < toks.length) {
      const t = toks[pos]!;
      if (t.kind === 'close') {
        if (t.ch !== close) throw new Error(`args syntax: unexpected '${t.ch}' in ${src}`);
        pos++;
        return { alts, repeat: false };
      }
      if (t.kind === 'bar') {
        pos++;
        alts.push([]);
        continue;
      }
      const seq = alts[alts.length - 1]!;
      if (t.kind === 'ellipsis') {
        pos++;
        const next = toks[pos];
        if (close !== null && next?.kind === 'close' && next.ch === close) {
          pos++;
          return { alts, repeat: true };
        }
        // `a ...` not closing a group: the previous item repeats.
        const prev = seq[seq.length - 1];
        if (prev === undefined) throw new Error(`args syntax: stray '...' in ${src}`);
        addFlag(prev, 'multiple');
        continue;
      }
      if (t.kind === 'open') {
        pos++;
        const { alts: inner, repeat } = parseSeq(t.close);
        const item = groupOf(inner);
        const prev = seq[seq.length - 1];
        if (repeat && prev !== undefined && shape(item) === shape(withoutFlags(prev))) {
          // `x [x ...]`: the previous item may repeat; this group adds nothing else.
          addFlag(prev, 'multiple');
          if (prev.token !== undefined) addFlag(prev, 'multiple_token');
          continue;
        }
        const k = item.type === 'block' && item.token === undefined ? item.arguments!.length : 0;
        if (repeat && k > 1 && seq.length >= k && shape(item) === shape(blockOf(seq.slice(-k).map(withoutFlags)))) {
          // `key value [key value ...]`: the last k items form a repeated block.
          const block = blockOf(seq.splice(-k, k));
          block.flags.push('multiple');
          seq.push(block);
          continue;
        }
        if (t.optional) item.flags.unshift('optional');
        if (repeat) addFlag(item, 'multiple');
        if (repeat && prev !== undefined && prev.token !== undefined && prev.type !== 'pure-token' && prev.type !== 'block'
          && prev.arguments === undefined && shape(withoutFlags(item)) === `:${prev.type}:${prev.name}`) {
          // `TOKEN x [x ...]`: one token, then several values.
          addFlag(prev, 'multiple');
          continue;
        }
        seq.push(item);
        continue;
      }
      pos++;
      if (isToken(t.text)) {
        const names: DocArg[] = [];
        while (pos < toks.length) {
          const n = toks[pos]!;
          if (n.kind !== 'word' || isToken(n.text)) break;
          names.push(leaf(n.text));
          pos++;
        }
        // `TOKEN <a | b>` or `TOKEN (x y)`: the token introduces the group that follows.
        if (names.length === 0 && toks[pos]?.kind === 'open' && (toks[pos] as { optional: boolean }).optional === false) {
          const open = toks[pos] as { close: string };
          pos++;
          const g = groupOf(parseSeq(open.close).alts);
          g.token = t.text;
          seq.push(g);
          continue;
        }
        if (names.length === 0) seq.push({ name: t.text.toLowerCase(), type: 'pure-token', token: t.text, flags: [] });
        else if (names.length === 1) seq.push({ ...names[0]!, token: t.text });
        else seq.push({ name: names.map((n) => n.name).join('_'), type: 'block', token: t.text, flags: [], arguments: names });
        continue;
      }
      seq.push(leaf(t.text));
    }
    if (close !== null) throw new Error(`args syntax: missing '${close}' in ${src}`);
    return { alts, repeat: false };
  };

  const top = parseSeq(null).alts;
  if (top.length !== 1) throw new Error(`args syntax: '|' outside a group in ${src}`);
  return top[0]!;
}

function leaf(name: string): DocArg {
  return { name, type: typeOfName(name), flags: [] };
}

function addFlag(a: DocArg, f: ArgFlag): void {
  if (!a.flags.includes(f)) a.flags.push(f);
}

function withoutFlags(a: DocArg): DocArg {
  return { ...a, flags: [] };
}

/** One group: several alternatives make a oneof, several items a block, one item stays itself. */
function groupOf(alts: DocArg[][]): DocArg {
  if (alts.length > 1) {
    const args = alts.map((seq) => (seq.length === 1 ? seq[0]! : blockOf(seq)));
    return { name: args.map((a) => a.name).join('_'), type: 'oneof', flags: [], arguments: args };
  }
  return alts[0]!.length === 1 ? alts[0]![0]! : blockOf(alts[0]!);
}

function blockOf(seq: DocArg[]): DocArg {
  return { name: seq.map((a) => a.name).join('_'), type: 'block', flags: [], arguments: seq };
}

const parsedCache = new Map<string, DocArg[]>();

/** The argument tree of a spec, parsed once per distinct syntax line. */
export function docArgs(spec: CommandSpec): DocArg[] {
  const src = spec.docs.args;
  if (src === undefined || src === '') return [];
  let args = parsedCache.get(src);
  if (args === undefined) {
    args = parseArgsSyntax(src);
    parsedCache.set(src, args);
  }
  return args;
}

function writeArg(w: ReplyWriter, a: DocArg): void {
  let n = 2;
  if (a.type === 'key') n++;
  if (a.token !== undefined) n++;
  if (a.flags.length > 0) n++;
  if (a.arguments !== undefined) n++;
  w.mapLen(n);
  w.bulk('name');
  w.bulk(a.name);
  w.bulk('type');
  w.bulk(a.type);
  if (a.type === 'key') {
    w.bulk('key_spec_index');
    w.integer(0);
  }
  if (a.token !== undefined) {
    w.bulk('token');
    w.bulk(a.token);
  }
  if (a.flags.length > 0) {
    w.bulk('flags');
    w.setLen(a.flags.length);
    for (const f of a.flags) w.simple(f);
  }
  if (a.arguments !== undefined) {
    w.bulk('arguments');
    w.arrayLen(a.arguments.length);
    for (const sub of a.arguments) writeArg(w, sub);
  }
}

/** The docs map of one command (Redis 7's COMMAND DOCS shape, without history). */
export function writeCommandDocs(w: ReplyWriter, spec: CommandSpec): void {
  const d = spec.docs;
  const args = docArgs(spec);
  const subs = spec.subcommands ?? [];
  let n = 3;
  if (d.complexity !== undefined) n++;
  if (args.length > 0) n++;
  if (subs.length > 0) n++;
  w.mapLen(n);
  w.bulk('summary');
  w.bulk(d.summary);
  w.bulk('since');
  w.bulk(d.since);
  w.bulk('group');
  w.bulk(d.group);
  if (d.complexity !== undefined) {
    w.bulk('complexity');
    w.bulk(d.complexity);
  }
  if (args.length > 0) {
    w.bulk('arguments');
    w.arrayLen(args.length);
    for (const a of args) writeArg(w, a);
  }
  if (subs.length > 0) {
    w.bulk('subcommands');
    w.mapLen(subs.length);
    for (const sub of subs) {
      w.bulk(sub.name);
      writeCommandDocs(w, sub);
    }
  }
}
