/*
 * The test suite's own RESP reply reader (test/helpers/raw.ts): where each reply ends, for every
 * RESP2 and RESP3 type and nested aggregates, fed whole and cut at every offset.
 */
import { describe, expect, test } from 'vitest';
import { RespFormatError, parseReply, readReplyAt, simplify } from '../../helpers/raw.js';

const VECTORS: [string, string, unknown][] = [
  ['simple', '+OK\r\n', 'OK'],
  ['error', '-ERR bad thing\r\n', new Error('ERR bad thing')],
  ['integer', ':-42\r\n', -42],
  ['big integer', ':9223372036854775807\r\n', 9223372036854775807n],
  ['bulk with CRLF inside', '$4\r\na\r\nb\r\n', 'a\r\nb'],
  ['empty bulk', '$0\r\n\r\n', ''],
  ['null bulk', '$-1\r\n', null],
  ['null array', '*-1\r\n', null],
  ['RESP3 null', '_\r\n', null],
  ['empty array', '*0\r\n', []],
  ['nested array', '*2\r\n*2\r\n:1\r\n$1\r\nx\r\n*0\r\n', [[1, 'x'], []]],
  ['map', '%2\r\n$1\r\na\r\n:1\r\n+b\r\n*1\r\n_\r\n', ['a', 1, 'b', [null]]],
  ['set', '~2\r\n$1\r\na\r\n$1\r\nb\r\n', ['a', 'b']],
  ['push', '>2\r\n$7\r\nmessage\r\n$1\r\nx\r\n', ['message', 'x']],
  ['double', ',1.5\r\n', '1.5'],
  ['double inf', ',-inf\r\n', '-inf'],
  ['bool', '#t\r\n', true],
  ['big number', '(123456789012345678901234567890\r\n', '123456789012345678901234567890'],
  ['verbatim', '=9\r\ntxt:hello\r\n', 'hello'],
  ['blob error', '!5\r\nERR x\r\n', 'ERR x'],
  ['attribute', '|1\r\n+key\r\n:1\r\n', ['key', 1]],
];

describe('reply reader', () => {
  for (const [name, bytes, expected] of VECTORS) {
    test(name, () => {
      const buf = Buffer.from(bytes, 'latin1');
      const reply = parseReply(buf);
      expect(reply.bytes.equals(buf)).toBe(true);
      expect(simplify(reply.value)).toEqual(expected);
      for (let i = 0; i < buf.length; i++) expect(readReplyAt(buf.subarray(0, i), 0), `cut at ${i}`).toBeNull();
      const two = Buffer.concat([buf, buf]);
      const first = readReplyAt(two, 0);
      expect(first?.end).toBe(buf.length);
      expect(readReplyAt(two, buf.length)?.end).toBe(two.length);
    });
  }

  test('malformed replies throw', () => {
    expect(() => parseReply('?\r\n')).toThrow(RespFormatError);
    expect(() => parseReply('$3\r\nabcXY')).toThrow(RespFormatError);
    expect(() => parseReply(':x\r\n')).toThrow(RespFormatError);
    expect(() => parseReply('+OK\r\n+OK\r\n')).toThrow(/trailing/);
    expect(() => parseReply('$3\r\nab')).toThrow(/incomplete/);
  });
});
