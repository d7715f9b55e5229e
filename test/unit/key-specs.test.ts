/*
 * The key-spec model without a server: the legacy range Redis derives from specs, the checks
 * buildTable makes, and COMMAND GETKEYS's search through specs and its fallbacks. The comparison
 * with real Redis, command by command, is test/integration/key-specs.test.ts; the expectations
 * here are replies redis-server 7.0.15 gave.
 */
import { describe, expect, test } from 'vitest';
import {
  indexSpec, keynumSpec, keysOfCommand, keywordSpec, legacyRangeOf, unknownSpec, type KeyRef,
} from '../../commands/key-specs.js';
import { buildTable, type CommandSpec } from '../../commands/table.js';
import { ALL_COMMANDS } from '../../commands/index.js';

const table = buildTable(ALL_COMMANDS);

function command(name: string): CommandSpec {
  const bar = name.indexOf('|');
  const spec = table.lookup(bar < 0 ? name : name.slice(0, bar));
  const found = bar < 0 ? spec : spec === undefined ? undefined : table.lookupSub(spec, name.slice(bar + 1));
  if (found === undefined) throw new Error(`no ${name}`);
  return found;
}

/** keysOfCommand as `arg:FLAG,flag` strings. */
function keys(line: string): string[] {
  const argv = line.split(' ').map((a) => Buffer.from(a));
  const name = argv[0]!.toString();
  const spec = command(name === 'object' ? `object|${argv[1]!.toString()}` : name);
  return keysOfCommand(spec, argv).map((k: KeyRef) => `${argv[k.index]!.toString()}:${k.flags.join(',')}`);
}

const noop = (): void => {};

describe('legacyRangeOf (populateCommandLegacyRangeSpec)', () => {
  test('one index+range spec is the range itself, steps included', () => {
    expect(legacyRangeOf([indexSpec(1, ['OW', 'update'], -1, 2)])).toEqual({ range: { first: 1, last: -1, step: 2 }, movable: false });
    expect(legacyRangeOf([])).toEqual({ range: null, movable: false });
  });

  test('consecutive specs merge; a from-the-end last key wins', () => {
    // BITOP: destination at 2, sources from 3 to the end.
    expect(legacyRangeOf([indexSpec(2, ['OW', 'update']), indexSpec(3, ['RO', 'access'], -1)])).toEqual({ range: { first: 2, last: -1, step: 1 }, movable: false });
    // RENAME.
    expect(legacyRangeOf([indexSpec(1, ['RW', 'access', 'delete']), indexSpec(2, ['OW', 'update'])])).toEqual({ range: { first: 1, last: 2, step: 1 }, movable: false });
  });

  test('keynum, keyword and unknown specs make the keys movable and stay out of the range', () => {
    // ZUNIONSTORE: 1 1 1, movable.
    expect(legacyRangeOf([indexSpec(1, ['OW', 'update']), keynumSpec(2, ['RO', 'access'])])).toEqual({ range: { first: 1, last: 1, step: 1 }, movable: true });
    // GEORADIUS: 1 1 1, movable.
    expect(legacyRangeOf([indexSpec(1, ['RO', 'access']), keywordSpec('STORE', 6, ['OW', 'update'])])).toEqual({ range: { first: 1, last: 1, step: 1 }, movable: true });
    // ZUNION and XREAD: 0 0 0, movable.
    expect(legacyRangeOf([keynumSpec(1, ['RO', 'access'])])).toEqual({ range: null, movable: true });
    expect(legacyRangeOf([keywordSpec('STREAMS', 1, ['RO', 'access'], -1, 1, 2)])).toEqual({ range: null, movable: true });
    // SORT: 1 1 1, movable.
    expect(legacyRangeOf([indexSpec(1, ['RO', 'access']), unknownSpec(['OW', 'update'], 'n')])).toEqual({ range: { first: 1, last: 1, step: 1 }, movable: true });
  });

  test('an INCOMPLETE range, or one that does not follow the previous spec, makes the keys movable', () => {
    expect(legacyRangeOf([indexSpec(3, ['RW', 'incomplete'])]).movable).toBe(true);
    expect(legacyRangeOf([indexSpec(1, ['RO']), indexSpec(3, ['RO'])])).toEqual({ range: { first: 1, last: 1, step: 1 }, movable: true });
  });
});

describe('buildTable checks key specs', () => {
  const base: CommandSpec = { name: 'x', arity: -3, flags: ['write'], acl: [], run: noop, docs: { summary: '', since: '', group: '' } };

  test('keys must be the legacy range of keySpecs', () => {
    const specs = [indexSpec(1, ['RW', 'access', 'delete']), indexSpec(2, ['OW', 'update'])];
    expect(() => buildTable([{ ...base, keys: { first: 1, last: 2, step: 1 }, keySpecs: specs }])).not.toThrow();
    expect(() => buildTable([{ ...base, keys: { first: 1, last: 1, step: 1 }, keySpecs: specs }])).toThrow('legacy range of the key specs (1 2 1)');
    expect(() => buildTable([{ ...base, keySpecs: specs }])).toThrow('legacy range');
  });

  test('movablekeys follows the specs, and specs that cannot always answer need a getkeys proc', () => {
    const proc = (): KeyRef[] => [];
    const numkeys = { ...base, flags: ['write', 'movablekeys'] as const, getKeys: () => [], keySpecs: [keynumSpec(1, ['RO', 'access'])] };
    expect(() => buildTable([{ ...numkeys, getKeysProc: proc }])).not.toThrow();
    expect(() => buildTable([numkeys])).toThrow('getKeysProc');
    expect(() => buildTable([{ ...base, keySpecs: [keynumSpec(1, ['RO', 'access'])], getKeysProc: proc }])).toThrow('movablekeys required');
    expect(() => buildTable([{ ...base, keys: { first: 1, last: 1, step: 1, flags: ['RW', 'variable_flags'] } }])).toThrow('getKeysProc');
  });

  test('a spec has exactly one of RO RW OW RM, and flags live in keySpecs when there are some', () => {
    expect(() => buildTable([{ ...base, keys: { first: 1, last: 1, step: 1, flags: ['access'] } }])).toThrow('exactly one of RO RW OW RM');
    expect(() => buildTable([{ ...base, keys: { first: 1, last: 1, step: 1, flags: ['RW'] }, keySpecs: [indexSpec(1, ['RW'])] }])).toThrow('belong in keySpecs');
  });
});

describe('keysOfCommand (COMMAND GETKEYSANDFLAGS)', () => {
  test('follows every spec in order, each key with its spec flags', () => {
    expect(keys('rename a b')).toEqual(['a:RW,access,delete', 'b:OW,update']);
    expect(keys('zunionstore d 2 a b weights 1 2')).toEqual(['d:OW,update', 'a:RO,access', 'b:RO,access']);
    expect(keys('bitop and d a b')).toEqual(['d:OW,update', 'a:RO,access', 'b:RO,access']);
    expect(keys('mset a 1 b 2')).toEqual(['a:OW,update', 'b:OW,update']);
    expect(keys('object encoding k')).toEqual(['k:RO']);
  });

  test('keyword specs: searched from their start, the last argument excluded, half of the rest for STREAMS', () => {
    expect(keys('georadius a 1 2 3 m store x storedist y')).toEqual(['a:RO,access', 'x:OW,update', 'y:OW,update']);
    expect(keys('georadius a 1 2 3 m store')).toEqual(['a:RO,access']);
    expect(keys('xread count 1 streams a b 0 0')).toEqual(['a:RO,access', 'b:RO,access']);
    expect(keys('xread streams a b 0')).toEqual(['a:RO,access']);
  });

  test('VARIABLE_FLAGS: the proc decides the flags', () => {
    expect(keys('set a b')).toEqual(['a:OW,update']);
    expect(keys('set a b nx get')).toEqual(['a:RW,access,update']);
    expect(keys('bitfield a get u8 0')).toEqual(['a:RO,access']);
    expect(keys('bitfield a get u8 0 set u8 0 1')).toEqual(['a:RW,access,update']);
  });

  test('unknown specs and failed counts fall back to the proc', () => {
    expect(keys('sort a by x store b store c')).toEqual(['a:RO,access', 'c:OW,update']);
    expect(keys('sort_ro a get x')).toEqual(['a:RO,access']);
    // string2ll rejects 2abc; Redis's proc uses atoi(), lists the destination last, without flags.
    expect(keys('zunionstore d 2abc a b')).toEqual(['a:', 'b:', 'd:']);
    expect(keys('zunion 0 a')).toEqual([]);
    expect(keys('zintercard 3 a b')).toEqual([]);
    expect(keys('lmpop -1 a left')).toEqual([]);
  });
});
