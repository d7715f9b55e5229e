/*
 * Key specs against real Redis: for every command and subcommand of the table that redis-server
 * knows, COMMAND INFO's flags, legacy (first, last, step) and key-specs section must be the same
 * bytes as Redis's, in RESP2 and RESP3; COMMAND GETKEYS and GETKEYSANDFLAGS must answer the same
 * for argvs built from each command's syntax line (minimal, with repeats, with every option) and
 * for the edge cases below. The machine's redis-server is 7.0.15: commands it lacks (7.2's, and
 * Rewind's own) are listed in NOT_IN_REDIS_70 and checked by nothing here.
 *
 * Not compared: arity (ZRANK and ZREVRANK take 7.2's WITHSCORE), ACL categories, tips, and the
 * order of subcommands (Redis lists them in hash order, which its random seed shuffles).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ALL_COMMANDS } from '../../commands/index.js';
import type { CommandSpec } from '../../commands/table.js';
import { docArgs, type DocArg } from '../../commands/server/command-docs.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { redisAvailable, startRealRedis, type RealRedis } from '../helpers/real-redis.js';
import { escapeBytes, RawClient, type Reply } from '../helpers/raw.js';

const HAVE_REDIS = redisAvailable();
if (!HAVE_REDIS) console.warn('[key-specs] redis-server not found on PATH: key-spec comparisons with real Redis are SKIPPED');

/** Table entries redis-server 7.0.15 does not have: new in Redis 7.2, or Rewind's own. */
const NOT_IN_REDIS_70 = ['client|setinfo', 'client|no-touch', 'waitaof', 'rewind', 'rewind|restore', 'rewind|range', 'rewind|help'];

/** Commands whose optional arguments include 7.2's (ZRANK's WITHSCORE), which 7.0 counts as too many. */
const OPTIONS_NEW_IN_72 = new Set(['zrank', 'zrevrank']);

/** Argvs the syntax lines do not produce: Redis's fallbacks and quirks. */
const EDGE_CASES: readonly string[][] = [
  ['zunionstore', 'd', '2abc', 'a', 'b'], // numkeys atoi()'d by the fallback: keys without flags, destination last
  ['zunionstore', 'd', '02', 'a', 'b'],
  ['zunion', 'abc', 'a', 'b'],
  ['zunion', '0', 'a', 'b'],
  ['zintercard', '3', 'a', 'b'], // more keys than arguments
  ['lmpop', '-1', 'a', 'left'],
  ['blmpop', '0', '2', 'a', 'b', 'left'],
  ['sintercard', '1', 'a', 'b'],
  ['sort', 'a', 'limit', '0', '1', 'store', 'b', 'store', 'c'], // the last STORE wins
  ['sort', 'a', 'by', 'store', 'get', 'store'], // STORE as an option's value is no destination
  ['sort', 'a', 'store'],
  ['sort_ro', 'a', 'by', 'x', 'get', 'y'],
  ['georadius', 'a', '1', '2', '3', 'm', 'store'], // a keyword in the last position is not searched
  ['georadius', 'a', '1', '2', '3', 'm', 'storedist', 'x', 'store', 'y'],
  ['georadiusbymember', 'a', 'b', '3', 'm', 'store', 'x', 'store', 'y'],
  ['xread', 'count', '1', 'streams', 'a'], // odd count after STREAMS
  ['xread', 'streams', 'a', 'b', '0'],
  ['xread', 'block', '0', 'streams', 'streams', 'x', '0', '0'],
  ['xreadgroup', 'group', 'g', 'c', 'streams', 's1', 's2', '0', '0'],
  ['xreadgroup', 'group', 'streams', 'c', 'streams', 's1', '0'],
  ['set', 'a', 'b', 'get'],
  ['set', 'a', 'b', 'xx', 'get', 'ex', '1'],
  ['set', 'a', 'b', 'getx'],
  ['bitfield', 'a', 'get', 'u8', '0'],
  ['bitfield', 'a', 'overflow', 'sat', 'get', 'u8', '0', 'incrby', 'u8', '0', '1'],
  ['bitfield', 'a', 'get', 'u8'],
  ['bitfield', 'a', 'foo'],
  ['object', 'encoding'],
  ['object', 'encoding', 'a', 'b'],
  ['time', 'x'], // no keys is said before a wrong argument count
  ['config', 'get', 'x'],
  ['mset', 'a', '1', 'b'],
  ['bitop', 'and', 'd', 'a', 'b', 'c'],
  ['pfmerge', 'd'],
];

/** `name` and `container|name` for every table entry, in table order. */
function allNames(): string[] {
  const names: string[] = [];
  for (const spec of ALL_COMMANDS) {
    names.push(spec.name);
    for (const sub of spec.subcommands ?? []) names.push(sub.name);
  }
  return names;
}

function findSpec(name: string): CommandSpec {
  for (const spec of ALL_COMMANDS) {
    if (spec.name === name) return spec;
    for (const sub of spec.subcommands ?? []) if (sub.name === name) return sub;
  }
  throw new Error(`no ${name}`);
}

interface ArgvShape {
  /** How many times a repeated argument is given (numkeys says the same). */
  readonly repeat: number;
  /** Whether optional arguments are given. */
  readonly optional: boolean;
  /** Which alternative of a oneof is taken. */
  readonly pick: 'first' | 'last';
}

const SHAPES: readonly ArgvShape[] = [
  { repeat: 1, optional: false, pick: 'first' },
  { repeat: 2, optional: false, pick: 'last' },
  { repeat: 2, optional: true, pick: 'first' },
  { repeat: 3, optional: true, pick: 'last' },
];

/**
 * An argv following a command's syntax line: keys and strings get distinct names (so a wrong key
 * position shows), numbers are 1, and a numkeys is the repeat count so the keys that follow match it.
 */
function argvFor(spec: CommandSpec, shape: ArgvShape): string[] {
  const out = spec.name.split('|');
  let n = 0;
  const emit = (arg: DocArg, first: boolean): void => {
    if (arg.token !== undefined && (first || arg.flags.includes('multiple_token'))) out.push(arg.token);
    switch (arg.type) {
      case 'pure-token':
        if (arg.token === undefined) out.push(arg.name.toUpperCase());
        return;
      case 'oneof': {
        const alts = arg.arguments ?? [];
        const alt = shape.pick === 'first' ? alts[0] : alts[alts.length - 1];
        if (alt !== undefined) emit(alt, true);
        return;
      }
      case 'block':
        for (const a of arg.arguments ?? []) walk(a);
        return;
      case 'integer':
        out.push(arg.name === 'numkeys' ? String(shape.repeat) : '1');
        return;
      case 'double':
      case 'unix-time':
        out.push('1');
        return;
      default:
        out.push(`${arg.name}${++n}`);
    }
  };
  const walk = (arg: DocArg): void => {
    if (arg.flags.includes('optional') && !shape.optional) return;
    const times = arg.flags.includes('multiple') ? shape.repeat : 1;
    for (let i = 0; i < times; i++) emit(arg, i === 0);
  };
  for (const a of docArgs(spec)) walk(a);
  return out;
}

/** The shown form of a reply for failure messages. */
function show(r: Reply): string {
  return escapeBytes(r.bytes, 2000);
}

describe.skipIf(!HAVE_REDIS)('key specs vs real Redis', () => {
  let redis: RealRedis;
  let rewind: TestServer;
  const clients: { real: RawClient; ours: RawClient; resp: 2 | 3 }[] = [];

  beforeAll(async () => {
    [redis, rewind] = await Promise.all([startRealRedis(), startTestServer()]);
    for (const resp of [2, 3] as const) {
      const real = await RawClient.connect(redis.port, '127.0.0.1', 2000);
      const ours = await RawClient.connect(rewind.port, '127.0.0.1', 2000);
      if (resp === 3) await Promise.all([real.call('HELLO', '3'), ours.call('HELLO', '3')]);
      clients.push({ real, ours, resp });
    }
  });

  afterAll(async () => {
    await Promise.all(clients.flatMap((c) => [c.real.close(), c.ours.close()]));
    await Promise.all([redis?.stop(), rewind?.close()]);
  });

  test('COMMAND INFO: flags, legacy key range and key specs of every command', async () => {
    const missing: string[] = [];
    const problems: string[] = [];
    let compared = 0;
    for (const name of allNames()) {
      for (const { real, ours, resp } of clients) {
        const [r, o] = [await real.call('COMMAND', 'INFO', name), await ours.call('COMMAND', 'INFO', name)];
        if (r.value.type !== 'array' || o.value.type !== 'array') throw new Error(`COMMAND INFO ${name}: not an array`);
        const re = r.value.items[0]!;
        const oe = o.value.items[0]!;
        if (re.value.type === 'null') {
          if (resp === 3) missing.push(name);
          continue;
        }
        if (re.value.type !== 'array' || oe.value.type !== 'array') {
          problems.push(`${name}: real ${show(re)}, ours ${show(oe)}`);
          continue;
        }
        compared++;
        // [name, arity, flags, first, last, step, acl, tips, key specs, subcommands]
        for (const [i, what] of [[2, 'flags'], [3, 'first key'], [4, 'last key'], [5, 'key step'], [8, 'key specs']] as const) {
          const a = re.value.items[i]!;
          const b = oe.value.items[i]!;
          if (!a.bytes.equals(b.bytes)) problems.push(`${name} (RESP${resp}) ${what}:\n  real ${show(a)}\n  ours ${show(b)}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(missing).toEqual(NOT_IN_REDIS_70);
    expect(compared).toBeGreaterThan(200);
  });

  test('COMMAND GETKEYS and GETKEYSANDFLAGS on argvs from every syntax line', async () => {
    const argvs: string[][] = [];
    for (const name of allNames()) {
      if (NOT_IN_REDIS_70.includes(name)) continue;
      const spec = findSpec(name);
      if (spec.subcommands !== undefined && spec.run === undefined) continue;
      const seen = new Set<string>();
      for (const shape of SHAPES) {
        if (shape.optional && OPTIONS_NEW_IN_72.has(name)) continue;
        const argv = argvFor(spec, shape);
        if (!seen.has(argv.join(' '))) argvs.push(argv);
        seen.add(argv.join(' '));
      }
    }
    argvs.push(...EDGE_CASES);
    const problems: string[] = [];
    let withKeys = 0;
    const { real, ours } = clients.find((c) => c.resp === 3)!;
    for (const argv of argvs) {
      for (const sub of ['GETKEYS', 'GETKEYSANDFLAGS']) {
        const r = await real.call('COMMAND', sub, ...argv);
        const o = await ours.call('COMMAND', sub, ...argv);
        if (!r.bytes.equals(o.bytes)) problems.push(`COMMAND ${sub} ${argv.join(' ')}:\n  real ${show(r)}\n  ours ${show(o)}`);
        if (sub === 'GETKEYS' && r.value.type === 'array') withKeys++;
      }
    }
    expect(problems).toEqual([]);
    // The argvs reach the keys of most commands, not only their errors.
    expect(withKeys).toBeGreaterThan(300);
  });
});
