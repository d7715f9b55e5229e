/*
 * The BITMAP family's command table (SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO),
 * with arity, flags, ACL categories and key specs as Redis 7.0's COMMAND INFO shows them.
 */
import type { CommandSpec, KeyRange } from '../table.js';
import { bitfieldGetKeysProc, indexSpec, type KeySpecFlag } from '../key-specs.js';
import { bitcountCommand, bitposCommand, getbitCommand, setbitCommand } from './bitcount.js';
import { bitfieldCommand, bitfieldRoCommand } from './bitfield.js';
import { bitopCommand } from './bitop.js';

function key1(...flags: KeySpecFlag[]): KeyRange {
  return { first: 1, last: 1, step: 1, flags };
}

const GROUP = 'bitmap';

export const BITMAP_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'setbit', arity: 4, flags: ['write', 'denyoom'], acl: ['write', 'bitmap', 'slow'], keys: key1('RW', 'access', 'update'), run: setbitCommand,
    docs: { summary: 'Sets or clears the bit at offset of a string value, creating the key when missing.', since: '2.2.0', group: GROUP, complexity: 'O(1)', args: 'key offset value' },
  },
  {
    name: 'getbit', arity: 3, flags: ['readonly', 'fast'], acl: ['read', 'bitmap', 'fast'], keys: key1('RO', 'access'), run: getbitCommand,
    docs: { summary: 'Returns the bit at offset of a string value.', since: '2.2.0', group: GROUP, complexity: 'O(1)', args: 'key offset' },
  },
  {
    name: 'bitcount', arity: -2, flags: ['readonly'], acl: ['read', 'bitmap', 'slow'], keys: key1('RO', 'access'), run: bitcountCommand,
    docs: { summary: 'Counts the set bits of a string, optionally in a byte or bit range.', since: '2.6.0', group: GROUP, complexity: 'O(N)', args: 'key [start end [BYTE | BIT]]' },
  },
  {
    name: 'bitpos', arity: -3, flags: ['readonly'], acl: ['read', 'bitmap', 'slow'], keys: key1('RO', 'access'), run: bitposCommand,
    docs: { summary: 'Finds the first set or clear bit of a string, optionally in a range.', since: '2.8.7', group: GROUP, complexity: 'O(N)', args: 'key bit [start [end [BYTE | BIT]]]' },
  },
  {
    name: 'bitop', arity: -4, flags: ['write', 'denyoom'], acl: ['write', 'bitmap', 'slow'], keys: { first: 2, last: -1, step: 1 },
    keySpecs: [indexSpec(2, ['OW', 'update']), indexSpec(3, ['RO', 'access'], -1)], run: bitopCommand,
    docs: { summary: 'Stores the bitwise AND, OR, XOR or NOT of strings in a key.', since: '2.6.0', group: GROUP, complexity: 'O(N)', args: 'operation destkey key [key ...]' },
  },
  {
    name: 'bitfield', arity: -2, flags: ['write', 'denyoom'], acl: ['write', 'bitmap', 'slow'], // Only GETs read without writing: Redis's bitfieldGetKeys gives GETKEYSANDFLAGS the flags.
    keys: { ...key1('RW', 'access', 'update', 'variable_flags'), notes: 'This command allows both access and modification of the key' },
    getKeysProc: bitfieldGetKeysProc, run: bitfieldCommand,
    docs: {
      summary: 'Reads, sets and increments integer fields of arbitrary width and offset in a string.', since: '3.2.0', group: GROUP,
      complexity: 'O(1) for each subcommand specified',
      args: "key [GET encoding offset] [OVERFLOW WRAP | SAT | FAIL] [SET encoding offset value] [INCRBY encoding offset increment]",
    },
  },
  {
    name: 'bitfield_ro', arity: -2, flags: ['readonly', 'fast'], acl: ['read', 'bitmap', 'fast'], keys: key1('RO', 'access'), run: bitfieldRoCommand,
    docs: { summary: 'Reads integer fields of a string (the read-only BITFIELD).', since: '6.0.0', group: GROUP, complexity: 'O(1) for each subcommand specified', args: 'key [GET encoding offset [GET encoding offset ...]]' },
  },
];
