/*
 * AOF manifest parser and writer against Redis 7.0.15's behaviour: the verified examples of
 * persistence-format.md §1.2 round-trip byte for byte, the real fixture manifests parse, and every
 * rule of §1.3 (quoting, comments, blank lines, line length, keys, seq, type) gives Redis's
 * result or its exact error text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  MANIFEST_ERRORS, ManifestError, baseName, incrName, nextBaseSeq, nextIncrSeq, parseManifest, quoteName,
  serializeManifest, type Manifest,
} from '../../persistence/aof-manifest.js';

const AOF_FIXTURES = fileURLToPath(new URL('../fixtures/redis-7.0.15/aof/', import.meta.url));

function parse(text: string): Manifest {
  return parseManifest(Buffer.from(text, 'latin1'));
}

function failure(text: string): ManifestError {
  try {
    parse(text);
  } catch (e) {
    if (e instanceof ManifestError) return e;
    throw e;
  }
  throw new Error(`parsed: ${JSON.stringify(text)}`);
}

const FIRST_START = 'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n';

const MY_AOF = [
  'file "my aof.aof.3.base.rdb" seq 3 type b',
  'file "my aof.aof.2.incr.aof" seq 2 type h',
  'file "my aof.aof.2.base.rdb" seq 2 type h',
  'file "my aof.aof.1.incr.aof" seq 1 type h',
  'file "my aof.aof.1.base.rdb" seq 1 type h',
  'file "my aof.aof.3.incr.aof" seq 3 type i',
  '',
].join('\n');

describe('manifest: verified examples (§1.2, §8)', () => {
  it('writes the 88-byte first-start manifest', () => {
    const m: Manifest = {
      base: { name: baseName('appendonly.aof', 1, true), seq: 1, type: 'b' },
      history: [],
      incrs: [{ name: incrName('appendonly.aof', 1), seq: 1, type: 'i' }],
    };
    const bytes = serializeManifest(m);
    expect(bytes.length).toBe(88);
    expect(bytes.toString('latin1')).toBe(FIRST_START);
    expect(parse(FIRST_START)).toEqual(m);
  });

  it('round-trips the "my aof.aof" example byte for byte', () => {
    const m = parse(MY_AOF);
    expect(m.base).toEqual({ name: 'my aof.aof.3.base.rdb', seq: 3, type: 'b' });
    expect(m.history.map((e) => [e.name, e.seq, e.type])).toEqual([
      ['my aof.aof.2.incr.aof', 2, 'h'],
      ['my aof.aof.2.base.rdb', 2, 'h'],
      ['my aof.aof.1.incr.aof', 1, 'h'],
      ['my aof.aof.1.base.rdb', 1, 'h'],
    ]);
    expect(m.incrs).toEqual([{ name: 'my aof.aof.3.incr.aof', seq: 3, type: 'i' }]);
    expect(serializeManifest(m).toString('latin1')).toBe(MY_AOF);
  });

  const fixtures = readdirSync(AOF_FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  it('has the five AOF fixtures', () => {
    expect(fixtures).toEqual(['pitr-basic', 'pitr-multi-incr', 'resp-base', 'torn-multi', 'torn-tail']);
  });
  const expected: Record<string, [string | null, string[]]> = {
    'pitr-basic': ['appendonly.aof.2.base.rdb', ['appendonly.aof.2.incr.aof']],
    'pitr-multi-incr': ['appendonly.aof.1.base.rdb', ['appendonly.aof.1.incr.aof', 'appendonly.aof.2.incr.aof']],
    'resp-base': ['appendonly.aof.2.base.aof', ['appendonly.aof.2.incr.aof']],
    'torn-multi': ['appendonly.aof.2.base.rdb', ['appendonly.aof.2.incr.aof']],
    'torn-tail': ['appendonly.aof.2.base.rdb', ['appendonly.aof.2.incr.aof']],
  };
  for (const name of fixtures) {
    it(`parses and rewrites the ${name} manifest unchanged`, () => {
      const bytes = readFileSync(`${AOF_FIXTURES}${name}/appendonlydir/appendonly.aof.manifest`);
      const m = parseManifest(bytes);
      const [base, incrs] = expected[name]!;
      expect(m.base?.name ?? null).toBe(base);
      expect(m.incrs.map((e) => e.name)).toEqual(incrs);
      expect(m.history).toEqual([]);
      expect(serializeManifest(m).equals(bytes)).toBe(true);
    });
  }
});

describe('manifest: lines (§1.3 rules 1-4)', () => {
  it('rejects a zero-byte manifest', () => {
    const e = failure('');
    expect(e.message).toBe('Found an empty AOF manifest');
    expect(e.lineNumber).toBeNull();
    expect(e.line).toBeNull();
  });

  it('accepts a manifest of comments only, with no entries', () => {
    expect(parse('# a comment\n#another\n')).toEqual({ base: null, history: [], incrs: [] });
  });

  it('skips comments between entries and counts them as lines', () => {
    expect(parse(`# head\n${FIRST_START.replace('\n', '\n# middle\n')}`).incrs).toHaveLength(1);
    const e = failure('# one\n# two\nfile a seq 1 type x\n');
    expect(e.lineNumber).toBe(3);
  });

  it('rejects a last line without a newline as a too long line', () => {
    const e = failure('file a seq 1 type b\nfile b seq 1 type i');
    expect(e.message).toBe('The AOF manifest file contains too long line');
    expect(e.lineNumber).toBeNull();
  });

  it('accepts a last comment line without a newline (the # check comes first)', () => {
    expect(parse('file a seq 1 type b\n# trailing').base?.name).toBe('a');
  });

  it('accepts a line of exactly 1024 bytes including its newline, not 1025', () => {
    const line = (total: number): string => {
      const fixed = 'file  seq 1 type i\n'.length;
      return `file ${'n'.repeat(total - fixed)} seq 1 type i\n`;
    };
    expect(line(1024)).toHaveLength(1024);
    expect(parse(line(1024)).incrs[0]!.name).toHaveLength(1024 - 19);
    expect(failure(line(1025)).message).toBe(MANIFEST_ERRORS.tooLong);
  });

  it('parses the tail of an over-long comment as a line of its own, as fgets does', () => {
    const text = `#${'x'.repeat(1023)}file tail seq 4 type i\n`;
    expect(parse(text).incrs).toEqual([{ name: 'tail', seq: 4, type: 'i' }]);
  });

  it('treats a NUL byte before the newline as a missing newline', () => {
    expect(failure('file a\0 seq 1 type i\n').message).toBe(MANIFEST_ERRORS.tooLong);
  });

  it('accepts CRLF line ends and surrounding spaces and tabs', () => {
    const m = parse('file a seq 1 type b\r\n \t file b seq 2 type i \t\r\n');
    expect(m.base?.name).toBe('a');
    expect(m.incrs[0]).toEqual({ name: 'b', seq: 2, type: 'i' });
  });

  it('rejects a blank line, including a trailing one, with its line number', () => {
    for (const text of [`${FIRST_START}\n`, `${FIRST_START} \t\r\n`, `\n${FIRST_START}`]) {
      const e = failure(text);
      expect(e.message).toBe('Invalid AOF manifest file format');
      expect(e.line).toBe('');
    }
    expect(failure(`${FIRST_START}\n`).lineNumber).toBe(3);
  });
});

describe('manifest: tokens (§1.3 rule 5)', () => {
  it('reads double-quoted names with C escapes', () => {
    const m = parse('file "a b\\x41\\x7a\\n\\r\\t\\b\\a\\"\\q" seq 1 type i\n');
    expect(m.incrs[0]!.name).toBe('a bAz\n\r\t\b\x07"q');
  });

  it('reads single-quoted names, where only \\\' is an escape', () => {
    expect(parse("file 'my aof.aof.1.incr.aof' seq 1 type i\n").incrs[0]!.name).toBe('my aof.aof.1.incr.aof');
    expect(parse("file 'it\\'s \"x\"' seq 1 type i\n").incrs[0]!.name).toBe('it\'s "x"');
    // \n is two plain bytes inside single quotes, and a backslash is refused in a name.
    expect(failure("file 'a\\n' seq 1 type i\n").message).toBe(MANIFEST_ERRORS.path);
  });

  it('joins a quote that opens inside a token to that token', () => {
    expect(parse('file ab"c d" seq 1 type i\n').incrs[0]!.name).toBe('abc d');
  });

  it('rejects a closing quote followed by something other than a space, and unterminated quotes', () => {
    for (const bad of ['file "a"b seq 1 type i\n', "file 'a'b seq 1 type i\n", 'file "a seq 1 type i\n', "file 'a seq 1 type i\n", 'file "a\\" seq 1 type i\n']) {
      const e = failure(bad);
      expect(e.message).toBe(MANIFEST_ERRORS.format);
      expect(e.lineNumber).toBe(1);
      expect(e.line).toBe(bad.trim());
    }
  });

  it('keeps a \\x00 escape out of the name (C strings end there)', () => {
    expect(parse('file "ab\\x00cd" seq 1 type i\n').incrs[0]!.name).toBe('ab');
  });

  it('keeps high bytes as latin1 code units', () => {
    const bytes = Buffer.concat([Buffer.from('file "caf'), Buffer.from([0xc3, 0xa9]), Buffer.from('" seq 1 type i\n')]);
    const name = parseManifest(bytes).incrs[0]!.name;
    expect(Buffer.from(name, 'latin1')).toEqual(Buffer.from('café', 'utf8'));
  });
});

describe('manifest: keys and values (§1.3 rules 6-12)', () => {
  it('needs an even count of at least 6 tokens', () => {
    for (const bad of ['file a seq 1\n', 'file a seq 1 type\n', 'file a seq 1 type i x\n']) {
      expect(failure(bad).message).toBe(MANIFEST_ERRORS.format);
    }
  });

  it('takes keys in any order and in any case', () => {
    expect(parse('TYPE i SeQ 5 File a\n').incrs[0]).toEqual({ name: 'a', seq: 5, type: 'i' });
  });

  it('ignores unknown keys but still needs file, seq and type', () => {
    expect(parse('file a seq 1 type i startoffset 10 endoffset 20\n').incrs[0]).toEqual({ name: 'a', seq: 1, type: 'i' });
    expect(failure('name a seq 1 type i\n').message).toBe(MANIFEST_ERRORS.format);
    expect(failure('file a sequence 1 type i\n').message).toBe(MANIFEST_ERRORS.format);
    expect(failure('file a seq 1 kind i\n').message).toBe(MANIFEST_ERRORS.format);
  });

  it('accepts an empty quoted name (Redis only checks that the key is present)', () => {
    expect(parse('file "" seq 1 type i\n').incrs[0]!.name).toBe('');
  });

  it("rejects '/' and '\\' in names", () => {
    for (const bad of ['file dir/a seq 1 type i\n', 'file "a\\\\b" seq 1 type i\n', 'file /abs seq 1 type b\n']) {
      const e = failure(bad);
      expect(e.message).toBe("File can't be a path, just a filename");
      expect(e.lineNumber).toBe(1);
    }
    // Checked as the key is met, before the missing-field check.
    expect(failure('seq 0 file a/b type i\n').message).toBe(MANIFEST_ERRORS.path);
  });

  it('reads seq with atoll', () => {
    expect(parse('file a seq 12abc type i\n').incrs[0]!.seq).toBe(12);
    expect(parse('file a seq " +7" type i\n').incrs[0]!.seq).toBe(7);
    expect(parse('file a seq -3 type b\n').base!.seq).toBe(-3);
    expect(parse('file a seq -3 type h\n').history[0]!.seq).toBe(-3);
    expect(parse('file a seq 99999999999999999999 type b\n').base!.seq).toBe(9223372036854775807);
    for (const zero of ['0', 'abc', '-0', '" "']) {
      expect(failure(`file a seq ${zero} type i\n`).message).toBe(MANIFEST_ERRORS.format);
    }
  });

  it('takes the first character of type', () => {
    expect(parse('file a seq 1 type incr\n').incrs).toHaveLength(1);
    expect(parse('file a seq 1 type base\n').base?.name).toBe('a');
    expect(parse('file a seq 1 type history\n').history).toHaveLength(1);
    expect(failure('file a seq 1 type ""\n').message).toBe(MANIFEST_ERRORS.format);
    for (const t of ['x', 'B', 'I', '1']) {
      const e = failure(`file a seq 1 type ${t}\n`);
      expect(e.message).toBe('Unknown AOF file type');
      expect(e.line).toBe(`file a seq 1 type ${t}`);
    }
  });

  it('refuses a second base', () => {
    const e = failure('file a seq 1 type b\nfile b seq 2 type b\n');
    expect(e.message).toBe('Found duplicate base file information');
    expect(e.lineNumber).toBe(2);
  });

  it('needs incr seqs strictly ascending in file order, and > 0', () => {
    expect(failure('file a seq 2 type i\nfile b seq 2 type i\n').message).toBe('Found a non-monotonic sequence number');
    expect(failure('file a seq 3 type i\nfile b seq 1 type i\n').message).toBe(MANIFEST_ERRORS.nonMonotonic);
    expect(failure('file a seq -1 type i\n').message).toBe(MANIFEST_ERRORS.nonMonotonic);
    expect(parse('file a seq 1 type i\nfile b seq 5 type i\nfile c seq 9 type i\n').incrs.map((e) => e.seq)).toEqual([1, 5, 9]);
  });

  it('does not check history entries', () => {
    const m = parse('file a seq 1 type h\nfile a seq 1 type h\nfile b seq 9 type h\nfile c seq 2 type h\n');
    expect(m.history.map((e) => e.seq)).toEqual([1, 1, 9, 2]);
  });

  it('is a ManifestError (an Error) carrying the line', () => {
    const e = failure('file a seq 1 type b\nfile "x y" seq 0 type i\n');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ManifestError');
    expect([e.message, e.lineNumber, e.line]).toEqual([MANIFEST_ERRORS.format, 2, 'file "x y" seq 0 type i']);
  });
});

describe('manifest: writing', () => {
  it('quotes exactly the names sdsneedsrepr flags', () => {
    expect(quoteName('appendonly.aof.1.incr.aof')).toBe('appendonly.aof.1.incr.aof');
    expect(quoteName('a~b!c')).toBe('a~b!c');
    expect(quoteName('a b')).toBe('"a b"');
    expect(quoteName('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoteName('\n\r\t\x07\b')).toBe('"\\n\\r\\t\\a\\b"');
    expect(quoteName('\x00\x0b\x0c\x7f\xe9')).toBe('"\\x00\\x0b\\x0c\\x7f\\xe9"');
  });

  it('round-trips awkward names through parse', () => {
    for (const name of ['my aof.aof', 'q"uote', 'tab\tnl\n', 'hi\xe9\xff', '#hash', '\x01\x7f']) {
      const m: Manifest = { base: null, history: [], incrs: [{ name, seq: 1, type: 'i' }] };
      expect(parseManifest(serializeManifest(m))).toEqual(m);
    }
    // Redis writes a single quote bare (sdsneedsrepr does not flag it), then cannot read it back.
    const quote: Manifest = { base: null, history: [], incrs: [{ name: "it's", seq: 1, type: 'i' }] };
    expect(serializeManifest(quote).toString()).toBe("file it's seq 1 type i\n");
    expect(() => parseManifest(serializeManifest(quote))).toThrow(MANIFEST_ERRORS.format);
    // Written as Redis would, but no Redis (nor we) will read it back.
    const slash: Manifest = { base: null, history: [], incrs: [{ name: 'a\\b', seq: 1, type: 'i' }] };
    expect(serializeManifest(slash).toString()).toBe('file "a\\\\b" seq 1 type i\n');
    expect(() => parseManifest(serializeManifest(slash))).toThrow("File can't be a path, just a filename");
  });

  it('writes base, history as stored, then incrs', () => {
    const m: Manifest = {
      base: { name: 'b5', seq: 5, type: 'b' },
      history: [{ name: 'h4', seq: 4, type: 'h' }, { name: 'h3', seq: 3, type: 'h' }],
      incrs: [{ name: 'i7', seq: 7, type: 'i' }, { name: 'i8', seq: 8, type: 'i' }],
    };
    expect(serializeManifest(m).toString()).toBe(
      'file b5 seq 5 type b\nfile h4 seq 4 type h\nfile h3 seq 3 type h\nfile i7 seq 7 type i\nfile i8 seq 8 type i\n',
    );
    expect(serializeManifest({ base: null, history: [], incrs: [] }).length).toBe(0);
  });

  it('refuses an entry whose type does not match its list', () => {
    expect(() => serializeManifest({ base: null, history: [{ name: 'x', seq: 1, type: 'b' }], incrs: [] })).toThrow(RangeError);
    expect(() => serializeManifest({ base: { name: 'x', seq: 1.5, type: 'b' }, history: [], incrs: [] })).toThrow(RangeError);
  });
});

describe('manifest: names and sequence numbers', () => {
  it('builds base and incr names', () => {
    expect(baseName('appendonly.aof', 2, true)).toBe('appendonly.aof.2.base.rdb');
    expect(baseName('my aof.aof', 3, false)).toBe('my aof.aof.3.base.aof');
    expect(incrName('appendonly.aof', 7)).toBe('appendonly.aof.7.incr.aof');
  });

  it('keeps two independent counters, starting at 1', () => {
    const empty: Manifest = { base: null, history: [], incrs: [] };
    expect([nextBaseSeq(empty), nextIncrSeq(empty)]).toEqual([1, 1]);
    // After a failed rewrite: base 1, incrs 1 and 2 (pitr-multi-incr).
    const failed = parse('file a.1.base.rdb seq 1 type b\nfile a.1.incr.aof seq 1 type i\nfile a.2.incr.aof seq 2 type i\n');
    expect([nextBaseSeq(failed), nextIncrSeq(failed)]).toEqual([2, 3]);
    // Upgrade path: a base and no incr starts incrs at 1.
    const upgraded = parse('file appendonly.aof seq 1 type b\n');
    expect([nextBaseSeq(upgraded), nextIncrSeq(upgraded)]).toEqual([2, 1]);
    // History entries do not count.
    const hist = parse('file x seq 9 type h\n');
    expect([nextBaseSeq(hist), nextIncrSeq(hist)]).toEqual([1, 1]);
  });
});
