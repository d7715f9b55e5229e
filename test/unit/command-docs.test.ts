import { describe, expect, it } from 'vitest';
import { parseArgsSyntax } from '../../commands/server/command-docs.js';
import { buildTable } from '../../commands/table.js';
import { ALL_COMMANDS } from '../../commands/index.js';
import { docArgs } from '../../commands/server/command-docs.js';

describe('parseArgsSyntax', () => {
  it('builds the SET tree as Redis shapes it (names of groups are derived)', () => {
    const args = parseArgsSyntax('key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]');
    expect(args.map((a) => [a.name, a.type, a.flags])).toEqual([
      ['key', 'key', []],
      ['value', 'string', []],
      ['nx_xx', 'oneof', ['optional']],
      ['get', 'pure-token', ['optional']],
      ['seconds_milliseconds_unix-time-seconds_unix-time-milliseconds_keepttl', 'oneof', ['optional']],
    ]);
    expect(args[4]!.arguments!.map((a) => [a.token, a.name, a.type])).toEqual([
      ['EX', 'seconds', 'integer'], ['PX', 'milliseconds', 'integer'], ['EXAT', 'unix-time-seconds', 'unix-time'],
      ['PXAT', 'unix-time-milliseconds', 'unix-time'], ['KEEPTTL', 'keepttl', 'pure-token'],
    ]);
  });

  it('recognises repetitions', () => {
    expect(parseArgsSyntax('key [key ...]')).toEqual([{ name: 'key', type: 'key', flags: ['multiple'] }]);
    const mset = parseArgsSyntax('key value [key value ...]');
    expect(mset).toHaveLength(1);
    expect(mset[0]!.type).toBe('block');
    expect(mset[0]!.flags).toEqual(['multiple']);
    expect(parseArgsSyntax('[GET pattern [GET pattern ...]]')[0]!.flags).toEqual(['optional', 'multiple', 'multiple_token']);
    expect(parseArgsSyntax('[ID client-id [client-id ...]]')[0]).toEqual({ name: 'client-id', type: 'integer', token: 'ID', flags: ['optional', 'multiple'] });
  });

  it('gives a token to the group that follows it, and blocks to TOKEN a b', () => {
    const [filter] = parseArgsSyntax('[FILTERBY <MODULE module-name | ACLCAT category | PATTERN pattern>]');
    expect(filter!.token).toBe('FILTERBY');
    expect(filter!.type).toBe('oneof');
    const [limit] = parseArgsSyntax('[LIMIT offset count]');
    expect(limit).toMatchObject({ type: 'block', token: 'LIMIT', flags: ['optional'] });
  });

  it('rejects unbalanced syntax', () => {
    expect(() => parseArgsSyntax('[a')).toThrow(/missing/);
    expect(() => parseArgsSyntax('a]')).toThrow(/unexpected/);
  });

  it('parses every docs.args line in the command table', () => {
    const table = buildTable(ALL_COMMANDS);
    for (const spec of table.all) {
      expect(() => docArgs(spec), spec.name).not.toThrow();
      for (const sub of spec.subcommands ?? []) expect(() => docArgs(sub), sub.name).not.toThrow();
    }
  });
});
