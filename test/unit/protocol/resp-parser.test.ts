/*
 * RespParser vectors. Every vector is fed whole, byte by byte, split at every offset (and, for
 * short ones, at every pair of offsets); big vectors at sampled offsets and random chunk sizes.
 * Expected results are what redis-server 7.0.15 does with the same bytes (checked with the
 * differential protocol tests in test/integration/protocol.test.ts).
 */
import { describe, expect, test } from 'vitest';
import { RespParser, splitInline, type ParserLimits } from '../../../protocol/resp-parser.js';
import { encodeCommand } from '../../../protocol/encode.js';
import { rng } from '../../helpers/rng.js';

const DEFAULT_LIMITS: ParserLimits = { maxBulkLen: 512 * 1024 * 1024, unauthenticated: false };

interface Outcome {
  /** Commands as latin1 strings per argument (lossless for bytes). */
  commands: string[][];
  error: string | null;
}

function b(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/** Feeds the chunks in order, draining commands after each; returns all commands and the error. */
function run(chunks: readonly Buffer[], limits: ParserLimits = DEFAULT_LIMITS): Outcome {
  const p = new RespParser(limits);
  const commands: string[][] = [];
  for (const chunk of chunks) {
    p.feed(chunk);
    for (let argv = p.next(); argv !== null; argv = p.next()) {
      commands.push(argv.map((a) => a.toString('latin1')));
    }
  }
  return { commands, error: p.error === null ? null : p.error.message };
}

function splitAt(buf: Buffer, offsets: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let prev = 0;
  for (const o of offsets) {
    out.push(buf.subarray(prev, o));
    prev = o;
  }
  out.push(buf.subarray(prev));
  return out;
}

function bytewise(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i++) out.push(buf.subarray(i, i + 1));
  return out;
}

function chunked(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}


function randomChunks(buf: Buffer, seed: number, max: number): Buffer[] {
  const r = rng(seed);
  const out: Buffer[] = [];
  let i = 0;
  while (i < buf.length) {
    const n = 1 + Math.floor(r() * max);
    out.push(buf.subarray(i, i + n));
    i += n;
  }
  return out;
}

/** Asserts the outcome for every way of cutting the input (exhaustive for short inputs). */
function expectAllSplits(input: Buffer, expected: Outcome, limits: ParserLimits = DEFAULT_LIMITS): void {
  expect(run([input], limits), 'whole').toEqual(expected);
  expect(run(bytewise(input), limits), 'byte by byte').toEqual(expected);
  if (input.length <= 4096) {
    for (let i = 1; i < input.length; i++) {
      const got = run(splitAt(input, [i]), limits);
      if (JSON.stringify(got) !== JSON.stringify(expected)) expect(got, `split at ${i}`).toEqual(expected);
    }
  }
  if (input.length <= 64) {
    for (let i = 1; i < input.length; i++) {
      for (let j = i + 1; j < input.length; j++) {
        const got = run(splitAt(input, [i, j]), limits);
        if (JSON.stringify(got) !== JSON.stringify(expected)) expect(got, `split at ${i} and ${j}`).toEqual(expected);
      }
    }
  }
  if (input.length > 4096) {
    for (const seed of [1, 2, 3]) {
      expect(run(randomChunks(input, seed, 4000), limits), `random chunks seed ${seed}`).toEqual(expected);
    }
    const r = rng(99);
    for (let k = 0; k < 40; k++) {
      const i = 1 + Math.floor(r() * (input.length - 1));
      expect(run(splitAt(input, [i]), limits), `split at ${i}`).toEqual(expected);
    }
  }
}

const ok = (...commands: string[][]): Outcome => ({ commands, error: null });
const fails = (reason: string, ...commands: string[][]): Outcome => ({ commands, error: `Protocol error: ${reason}` });
const waits: Outcome = { commands: [], error: null };

interface Vector {
  name: string;
  input: Buffer;
  expected: Outcome;
  limits?: ParserLimits;
}

const VECTORS: Vector[] = [
  // multibulk
  { name: 'multibulk PING', input: b('*1\r\n$4\r\nPING\r\n'), expected: ok(['PING']) },
  { name: 'multibulk SET', input: b('*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n'), expected: ok(['SET', 'key', 'value']) },
  { name: 'binary bulk with CRLF and NUL inside', input: b('*2\r\n$4\r\nECHO\r\n$6\r\na\r\n\x00\xff\n\r\n'), expected: ok(['ECHO', 'a\r\n\x00\xff\n']) },
  { name: 'empty bulk', input: b('*2\r\n$4\r\nECHO\r\n$0\r\n\r\n'), expected: ok(['ECHO', '']) },
  { name: '*0 runs nothing', input: b('*0\r\n*1\r\n$4\r\nPING\r\n'), expected: ok(['PING']) },
  { name: '*-1 runs nothing', input: b('*-1\r\n*1\r\n$4\r\nPING\r\n'), expected: ok(['PING']) },
  { name: '*-5 runs nothing', input: b('*-5\r\nPING\r\n'), expected: ok(['PING']) },
  { name: 'two bytes after a bulk are skipped unchecked', input: b('*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n'), expected: ok(['PING'], ['PING']) },
  { name: 'byte after the count CR is skipped unchecked', input: b('*1\rX$4\r\nPING\r\n'), expected: ok(['PING']) },
  { name: 'blank line after a multibulk', input: b('*1\r\n$4\r\nPING\r\n\r\n'), expected: ok(['PING']) },
  { name: 'incomplete multibulk waits', input: b('*3\r\n$4\r\nECHO\r\n'), expected: waits },
  { name: 'incomplete bulk waits', input: b('*2\r\n$4\r\nECHO\r\n$10\r\nabc'), expected: waits },
  { name: 'count 2^31-1 waits', input: b('*2147483647\r\n'), expected: waits },
  { name: 'bulk of exactly proto-max-bulk-len waits', input: b('*1\r\n$536870912\r\n'), expected: waits },
  { name: 'mixed multibulk and inline', input: b('*1\r\n$4\r\nPING\r\nECHO x\r\n*2\r\n$4\r\nECHO\r\n$1\r\ny\r\n'), expected: ok(['PING'], ['ECHO', 'x'], ['ECHO', 'y']) },

  // inline, as sdssplitargs splits
  { name: 'inline PING CRLF', input: b('PING\r\n'), expected: ok(['PING']) },
  { name: 'inline PING LF only', input: b('PING\nPING\n'), expected: ok(['PING'], ['PING']) },
  { name: 'inline extra spaces and tabs', input: b('  ECHO \t  x  \r\n'), expected: ok(['ECHO', 'x']) },
  { name: 'inline empty lines run nothing', input: b('\r\n\n\r\nPING\r\n'), expected: ok(['PING']) },
  { name: 'inline a"b c" is one word', input: b('ECHO a"b c"\r\n'), expected: ok(['ECHO', 'ab c']) },
  { name: "inline 'it\\'s'", input: b("ECHO 'it\\'s'\r\n"), expected: ok(['ECHO', "it's"]) },
  { name: 'inline "\\x41\\n"', input: b('ECHO "\\x41\\n"\r\n'), expected: ok(['ECHO', 'A\n']) },
  { name: 'inline escapes \\r \\t \\b \\a \\" \\\\ \\z', input: b('ECHO "\\r\\t\\b\\a\\"\\\\\\z"\r\n'), expected: ok(['ECHO', '\r\t\b\x07"\\z']) },
  { name: 'inline bad hex escape is literal x', input: b('ECHO "\\xZZ"\r\n'), expected: ok(['ECHO', 'xZZ']) },
  { name: 'inline single quotes keep backslashes', input: b("ECHO 'a\\nb'\r\n"), expected: ok(['ECHO', 'a\\nb']) },
  { name: 'inline empty quoted words', input: b('SET "" \'\'\r\n'), expected: ok(['SET', '', '']) },
  { name: 'inline quoted words side by side', input: b('ECHO "a" \'b\'\r\n'), expected: ok(['ECHO', 'a', 'b']) },
  { name: 'inline quote inside a bare word', input: b('ECHO ab"cd"\r\n'), expected: ok(['ECHO', 'abcd']) },
  { name: 'inline CR inside a line splits words', input: b('ECHO a\rb\n'), expected: ok(['ECHO', 'a', 'b']) },
  { name: 'inline high bytes pass through', input: b('ECHO \xc3\xa9\xff\r\n'), expected: ok(['ECHO', '\xc3\xa9\xff']) },
  { name: 'inline 64 KiB line without newline waits', input: b('A'.repeat(64 * 1024)), expected: waits },

  // malformed
  { name: 'invalid multibulk length (letters)', input: b('*abc\r\n'), expected: fails('invalid multibulk length') },
  { name: 'invalid multibulk length (empty)', input: b('*\r\n'), expected: fails('invalid multibulk length') },
  { name: 'invalid multibulk length (-0)', input: b('*-0\r\n'), expected: fails('invalid multibulk length') },
  { name: 'invalid multibulk length (+1)', input: b('*+1\r\n'), expected: fails('invalid multibulk length') },
  { name: 'invalid multibulk length (leading zero)', input: b('*01\r\n'), expected: fails('invalid multibulk length') },
  { name: 'invalid multibulk length (2^31)', input: b('*2147483648\r\n'), expected: fails('invalid multibulk length') },
  { name: 'invalid multibulk length (21 digits)', input: b('*100000000000000000000\r\n'), expected: fails('invalid multibulk length') },
  { name: 'invalid bulk length (letters)', input: b('*1\r\n$abc\r\n'), expected: fails('invalid bulk length') },
  { name: 'invalid bulk length (-1)', input: b('*1\r\n$-1\r\n'), expected: fails('invalid bulk length') },
  { name: 'invalid bulk length (empty)', input: b('*1\r\n$\r\n'), expected: fails('invalid bulk length') },
  { name: 'invalid bulk length (over proto-max-bulk-len)', input: b('*1\r\n$536870913\r\n'), expected: fails('invalid bulk length') },
  { name: "expected '$'", input: b('*1\r\nx4\r\nPING\r\n'), expected: fails("expected '$', got 'x'") },
  { name: "expected '$' after a complete bulk", input: b('*2\r\n$4\r\nECHO\r\n:1\r\n'), expected: fails("expected '$', got ':'") },
  { name: 'unbalanced quotes "a"b', input: b('ECHO "a"b\r\n'), expected: fails('unbalanced quotes in request') },
  { name: "unbalanced quotes 'a'b", input: b("ECHO 'a'b\r\n"), expected: fails('unbalanced quotes in request') },
  { name: 'unbalanced quotes (unterminated)', input: b('ECHO "abc\r\n'), expected: fails('unbalanced quotes in request') },
  { name: 'unbalanced quotes (unterminated single)', input: b("ECHO 'abc\r\n"), expected: fails('unbalanced quotes in request') },
  { name: 'commands before an error still parse', input: b('*1\r\n$4\r\nPING\r\nPING\r\n*x\r\n*1\r\n$4\r\nPING\r\n'), expected: fails('invalid multibulk length', ['PING'], ['PING']) },
  { name: 'inline before an error in the same packet', input: b('ECHO a\r\nECHO "b\r\n'), expected: fails('unbalanced quotes in request', ['ECHO', 'a']) },

  // proto-max-bulk-len lowered, and the limits before AUTH
  { name: 'bulk at a lowered proto-max-bulk-len waits', input: b('*1\r\n$1048576\r\n'), expected: waits, limits: { maxBulkLen: 1048576, unauthenticated: false } },
  { name: 'bulk over a lowered proto-max-bulk-len', input: b('*1\r\n$1048577\r\n'), expected: fails('invalid bulk length'), limits: { maxBulkLen: 1048576, unauthenticated: false } },
  { name: 'unauthenticated *10 is fine', input: b('*10\r\n'), expected: waits, limits: { maxBulkLen: 512 * 1024 * 1024, unauthenticated: true } },
  { name: 'unauthenticated *11', input: b('*11\r\n'), expected: fails('unauthenticated multibulk length'), limits: { maxBulkLen: 512 * 1024 * 1024, unauthenticated: true } },
  { name: 'unauthenticated $16384 is fine', input: b('*1\r\n$16384\r\n'), expected: waits, limits: { maxBulkLen: 512 * 1024 * 1024, unauthenticated: true } },
  { name: 'unauthenticated $16385', input: b('*1\r\n$16385\r\n'), expected: fails('unauthenticated bulk length'), limits: { maxBulkLen: 512 * 1024 * 1024, unauthenticated: true } },
  { name: 'authenticated *11 and $16385 are fine', input: encodeCommand(['MSET', ...Array.from({ length: 10 }, () => 'v'.repeat(16385))]), expected: ok(['MSET', ...Array.from({ length: 10 }, () => 'v'.repeat(16385))]) },
];

describe('RespParser vectors (whole, byte by byte, every split)', () => {
  for (const v of VECTORS) {
    test(v.name, () => {
      expectAllSplits(v.input, v.expected, v.limits);
    });
  }
});

describe('RespParser size limits', () => {
  test('too big inline request: more than 64 KiB without a newline', () => {
    const input = b('A'.repeat(64 * 1024 + 1));
    const expected = fails('too big inline request');
    expect(run([input])).toEqual(expected);
    expect(run(chunked(input, 1000))).toEqual(expected);
    expect(run(chunked(input, 16 * 1024))).toEqual(expected);
  });

  test('an inline line longer than 64 KiB that arrives with its newline in one read is accepted', () => {
    const input = b(`ECHO ${'A'.repeat(70_000)}\r\n`);
    expect(run([input])).toEqual(ok(['ECHO', 'A'.repeat(70_000)]));
  });

  test('too big mbulk count string', () => {
    const input = b(`*${'1'.repeat(64 * 1024 + 1)}`);
    expect(run([input])).toEqual(fails('too big mbulk count string'));
    expect(run(chunked(input, 4096))).toEqual(fails('too big mbulk count string'));
  });

  test('too big bulk count string', () => {
    const input = b(`*1\r\n$${'1'.repeat(64 * 1024 + 1)}`);
    expect(run([input])).toEqual(fails('too big bulk count string'));
    expect(run(chunked(input, 4096))).toEqual(fails('too big bulk count string'));
  });
});

describe('RespParser big bulks and pipelines', () => {
  test('a 40 KiB bulk (>= 32 KiB big-argument path)', () => {
    const value = Buffer.alloc(40_000);
    for (let i = 0; i < value.length; i++) value[i] = (i * 7) & 0xff;
    const input = Buffer.concat([encodeCommand(['SET', 'k', value]), encodeCommand(['GET', 'k'])]);
    expectAllSplits(input, ok(['SET', 'k', value.toString('latin1')], ['GET', 'k']));
  });

  test('a 1 MiB bulk split around its header and trailer', () => {
    const value = Buffer.alloc(1024 * 1024, 0x61);
    const input = Buffer.concat([encodeCommand(['SET', 'big', value]), b('PING\r\n')]);
    const expected = ok(['SET', 'big', value.toString('latin1')], ['PING']);
    const header = input.indexOf('$1048576\r\n') + 10;
    const trailer = header + value.length;
    for (const cut of [header - 1, header, header + 1, trailer - 1, trailer, trailer + 1, trailer + 2, trailer + 3]) {
      expect(run(splitAt(input, [cut])), `split at ${cut}`).toEqual(expected);
    }
    expect(run(chunked(input, 64 * 1024))).toEqual(expected);
    expect(run(randomChunks(input, 7, 70_000))).toEqual(expected);
  });

  test('two big bulks back to back, with wrong trailing bytes', () => {
    const v1 = 'x'.repeat(33_000);
    const v2 = 'y'.repeat(50_000);
    const input = b(`*3\r\n$4\r\nMSET\r\n$33000\r\n${v1}XX$50000\r\n${v2}\r\n*1\r\n$4\r\nPING\r\n`);
    expectAllSplits(input, ok(['MSET', v1, v2], ['PING']));
  });

  test('a big bulk announced in one chunk and delivered byte by byte is assembled correctly', () => {
    const value = 'z'.repeat(32 * 1024);
    const input = encodeCommand(['ECHO', value]);
    expect(run(bytewise(input))).toEqual(ok(['ECHO', value]));
  });

  test('a pipeline of 10,000 commands', () => {
    const parts: Buffer[] = [];
    const expected: string[][] = [];
    for (let i = 0; i < 10_000; i++) {
      if (i % 10 === 9) {
        parts.push(b(`ECHO inline:${i}\r\n`));
        expected.push(['ECHO', `inline:${i}`]);
      } else {
        parts.push(encodeCommand(['SET', `key:${i}`, `value:${i}`]));
        expected.push(['SET', `key:${i}`, `value:${i}`]);
      }
    }
    const input = Buffer.concat(parts);
    expect(run([input])).toEqual(ok(...expected));
    expect(run(chunked(input, 7))).toEqual(ok(...expected));
    expect(run(chunked(input, 16 * 1024))).toEqual(ok(...expected));
    expect(run(randomChunks(input, 42, 300))).toEqual(ok(...expected));
    const prefix = input.subarray(0, 20_000);
    expect(run(bytewise(prefix))).toEqual(run([prefix]));
  });
});

describe('RespParser NUL bytes in header lines (Redis scans lines with strchr)', () => {
  // Redis finds the newline of an inline request and the CR of a header line with strchr(), which
  // stops at a NUL byte: a NUL before the line end means "no line end yet", so the request waits
  // (and becomes a "too big" error past 64 KiB). Checked against redis-server 7.0.15.
  test('inline PING\\0\\n waits', () => {
    expectAllSplits(b('PING\x00\n'), waits);
  });

  test('inline with a NUL before the newline waits, and so does what follows', () => {
    expectAllSplits(b('ECHO a\x00b\r\nPING\r\n'), waits);
  });

  test('a NUL inside quotes also waits', () => {
    expectAllSplits(b('ECHO "\x00"\r\n'), waits);
  });

  test('multibulk count with a NUL before CR waits', () => {
    expectAllSplits(b('*1\x00\r\n$4\r\nPING\r\n'), waits);
  });

  test('bulk header line starting with NUL waits', () => {
    expectAllSplits(b('*1\r\n\x00\r\n'), waits);
  });

  test('inline with a NUL and more than 64 KiB: too big inline request', () => {
    expect(run([b(`PING\x00\n${'A'.repeat(64 * 1024)}`)])).toEqual(fails('too big inline request'));
  });
});

describe('RespParser buffers', () => {
  test('never writes into the chunks it is given', () => {
    const input = Buffer.concat([encodeCommand(['SET', 'k', 'v'.repeat(40_000)]), b('ECHO "a\\x41" b\r\n')]);
    const copy = Buffer.from(input);
    run(randomChunks(input, 5, 1000));
    run([input]);
    expect(input.equals(copy)).toBe(true);
  });

  test('buffered counts bytes not yet returned', () => {
    const p = new RespParser(DEFAULT_LIMITS);
    p.feed(b('*2\r\n$4\r\nECHO\r\n$5\r\nab'));
    expect(p.next()).toBeNull();
    expect(p.buffered).toBeGreaterThan(0);
    p.feed(b('cde\r\n'));
    expect(p.next()?.map((a) => a.toString())).toEqual(['ECHO', 'abcde']);
    expect(p.next()).toBeNull();
    expect(p.buffered).toBe(0);
  });

  test('no command is returned after an error, even if more bytes arrive', () => {
    const p = new RespParser(DEFAULT_LIMITS);
    p.feed(b('*x\r\n'));
    expect(p.next()).toBeNull();
    p.feed(b('PING\r\n'));
    expect(p.next()).toBeNull();
    expect(p.error?.reason).toBe('invalid multibulk length');
  });
});

describe('splitInline (sdssplitargs)', () => {
  const split = (text: string): string[] | null => {
    const buf = b(text);
    const r = splitInline(buf, 0, buf.length);
    return r === null ? null : r.map((a) => a.toString('latin1'));
  };
  test.each([
    ['SET a b', ['SET', 'a', 'b']],
    ['a"b c"', ['ab c']],
    ['"a"b', null],
    ["'it\\'s'", ["it's"]],
    ['"\\x41\\n"', ['A\n']],
    ['"\\x4"', ['x4']],
    ['"a\\"', null],
    ['"unterminated', null],
    ["'unterminated", null],
    ['', []],
    ['   ', []],
    ['"" x', ['', 'x']],
    ['a\tb\rc\nd', ['a', 'b', 'c', 'd']],
    ['a\x0bb', ['a\x0bb']], // vertical tab ends no bare word (only space, \n, \r, \t, \0 do)
    ['"a"\x0b', ['a']], // ...but isspace() accepts it after a closing quote
    ['a\x00b c', ['a']], // NUL ends the string
    ["'a'\"b\"", null],
    ['x"y"z', null],
  ] as const)('%j', (input, expected) => {
    expect(split(input)).toEqual(expected);
  });
});
