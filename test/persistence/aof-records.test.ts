/*
 * AOF record stream: encoding vectors from persistence-format.md §8; every .aof written by real
 * Redis 7.0.15 read at the offsets its fixture README lists, under both rule sets and any window
 * size (whole Buffer, descriptor, windows of 1..4096 bytes); every truncation point of a file
 * gives a 'truncated' stop at the right record (or a clean end exactly at boundaries); the
 * redis-check-aof messages, offsets and line counts of the torn fixtures; format errors.
 */
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AofRecordReader, appendBytes, appendRecord, encodeRecord, encodeSelect, encodeTimestamp, isAofStop, recordSize,
  writeRecord, type AofItem, type AofReaderOptions, type AofStop, type RecordBuffer,
} from '../../persistence/aof-records.js';

const AOF_FIXTURES = fileURLToPath(new URL('../fixtures/redis-7.0.15/aof/', import.meta.url));
const b = (s: string): Buffer => Buffer.from(s, 'latin1');

function fixtureFile(dir: string, name: string): Buffer {
  return readFileSync(path.join(AOF_FIXTURES, dir, 'appendonlydir', name));
}

/** Items as plain data (argv copied out of the window), then the stop. */
type Plain =
  | { kind: 'command'; argv: string[]; start: number; end: number }
  | { kind: 'annotation'; line: string; ts: number | null; start: number; end: number };

function plain(item: AofItem): Plain {
  return item.kind === 'command'
    ? { kind: 'command', argv: item.argv.map((a) => a.toString('latin1')), start: item.start, end: item.end }
    : { kind: 'annotation', line: item.line.toString('latin1'), ts: item.ts, start: item.start, end: item.end };
}

function readAll(source: number | Buffer, opts: AofReaderOptions = {}): { items: Plain[]; stop: AofStop; lines: number } {
  const r = new AofRecordReader(source, opts);
  const items: Plain[] = [];
  for (;;) {
    const x = r.next();
    if (isAofStop(x)) {
      expect(r.next()).toBe(x);
      return { items, stop: x, lines: r.lines };
    }
    expect(x.start).toBe(items.length === 0 ? (opts.startOffset ?? 0) : items[items.length - 1]!.end);
    expect(r.offset).toBe(x.end);
    items.push(plain(x));
  }
}

/** The decoded listings in a fixture README: "<offset>  <record>" rows inside ``` blocks. */
function readmeListings(dir: string): { offset: number; text: string }[][] {
  const lines = readFileSync(path.join(AOF_FIXTURES, dir, 'README.md'), 'utf8').split('\n');
  const blocks: { offset: number; text: string }[][] = [];
  let cur: { offset: number; text: string }[] | null = null;
  let rowsOnly = true;
  for (const line of lines) {
    if (line.startsWith('```')) {
      if (cur === null) {
        cur = [];
        rowsOnly = true;
      } else {
        if (rowsOnly && cur.length > 0) blocks.push(cur);
        cur = null;
      }
      continue;
    }
    if (cur === null) continue;
    const m = /^\s*(\d+) {2}(.*)$/.exec(line);
    if (m === null) rowsOnly = false;
    else cur.push({ offset: Number(m[1]), text: m[2]! });
  }
  return blocks;
}

/** How a README row shows a record: arguments joined by spaces, a newline byte as "\n". */
function rowText(item: Plain): string {
  if (item.kind === 'annotation') return `${item.line}\\r\\n`;
  return item.argv.map((a) => a.replaceAll('\n', '\\n')).join(' ');
}

const LISTED: [dir: string, block: number, file: string][] = [
  ['pitr-basic', 0, 'appendonly.aof.2.incr.aof'],
  ['pitr-multi-incr', 0, 'appendonly.aof.1.incr.aof'],
  ['pitr-multi-incr', 1, 'appendonly.aof.2.incr.aof'],
  ['resp-base', 0, 'appendonly.aof.2.base.aof'],
  ['resp-base', 1, 'appendonly.aof.2.incr.aof'],
];

const ALL_AOF = readdirSync(AOF_FIXTURES).flatMap((dir) => {
  const sub = path.join(AOF_FIXTURES, dir, 'appendonlydir');
  try {
    return readdirSync(sub).filter((f) => f.endsWith('.aof')).map((f) => [dir, f] as const);
  } catch {
    return [];
  }
});

describe('encoding (§2.1, §2.6, §8)', () => {
  it('encodes the #TS annotation vector', () => {
    expect(encodeTimestamp(1795256760).toString('hex')).toBe('2354533a313739353235363736300d0a');
    expect(encodeTimestamp(0).toString('latin1')).toBe('#TS:0\r\n');
    expect(() => encodeTimestamp(-1)).toThrow(RangeError);
    expect(() => encodeTimestamp(1.5)).toThrow(RangeError);
  });

  it('encodes SELECT 0 in 23 bytes, and other dbs', () => {
    expect(encodeSelect(0).toString('latin1')).toBe('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n');
    expect(encodeSelect(0)).toHaveLength(23);
    expect(encodeSelect(0)).toBe(encodeSelect(0));
    expect(encodeSelect(15).toString('latin1')).toBe('*2\r\n$6\r\nSELECT\r\n$2\r\n15\r\n');
    expect(encodeSelect(1000).toString('latin1')).toBe('*2\r\n$6\r\nSELECT\r\n$4\r\n1000\r\n');
    expect(() => encodeSelect(-1)).toThrow(RangeError);
  });

  it('encodes SET k v PXAT 4102444800123', () => {
    expect(encodeRecord(['SET', 'k', 'v', 'PXAT', '4102444800123'].map(b)).toString('latin1')).toBe(
      '*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$13\r\n4102444800123\r\n',
    );
  });

  it('writes lengths at every decimal boundary and binary arguments verbatim', () => {
    const sizes = [0, 1, 9, 10, 32, 33, 99, 100, 999, 1000, 9999, 10000, 99999, 100000, 1234567];
    const argv: Uint8Array[] = sizes.map((n, i) => Buffer.alloc(n, i + 1));
    argv.push(b('a\r\nb\r\n'), new Uint8Array([0, 255, 13, 10]));
    const rec = encodeRecord(argv);
    expect(rec.length).toBe(recordSize(argv));
    let expected = `*${argv.length}\r\n`;
    for (const a of argv) expected += `$${a.length}\r\n${Buffer.from(a).toString('latin1')}\r\n`;
    expect(rec.toString('latin1')).toBe(expected);
    const { items, stop } = readAll(rec, { strict: true });
    expect(items).toHaveLength(1);
    expect(stop).toEqual({ kind: 'eof', offset: rec.length });
    expect(encodeRecord([]).toString()).toBe('*0\r\n');
  });

  it('appends into a growing caller buffer', () => {
    const out: RecordBuffer = { buf: Buffer.alloc(8), length: 0 };
    const records: Buffer[] = [];
    appendBytes(out, encodeTimestamp(1795256760));
    records.push(encodeTimestamp(1795256760));
    for (let i = 0; i < 500; i++) {
      const argv = [b('SET'), b(`key:${i}`), Buffer.alloc(i, 0x61)];
      appendRecord(out, argv);
      records.push(encodeRecord(argv));
    }
    appendBytes(out, encodeSelect(3));
    records.push(encodeSelect(3));
    expect(out.buf.subarray(0, out.length).equals(Buffer.concat(records))).toBe(true);
    // writeRecord at an offset returns the end.
    const target = Buffer.alloc(100, 0x2e);
    const argv = [b('PING')];
    expect(writeRecord(target, 10, argv)).toBe(10 + recordSize(argv));
    expect(target.toString('latin1', 9, 25)).toBe('.*1\r\n$4\r\nPING\r\n.');
  });
});

describe('fixtures: records at the offsets the READMEs list', () => {
  for (const [dir, block, file] of LISTED) {
    it(`${dir}/${file}`, () => {
      const rows = readmeListings(dir)[block]!;
      const data = fixtureFile(dir, file);
      for (const strict of [false, true]) {
        const { items, stop } = readAll(data, { strict });
        expect(items.map((it) => ({ offset: it.start, text: rowText(it) }))).toEqual(rows);
        expect(stop).toEqual({ kind: 'eof', offset: data.length });
      }
    });
  }

  it('reads #TS values, and FUNCTION LOAD with a newline inside its argument', () => {
    const { items } = readAll(fixtureFile('resp-base', 'appendonly.aof.2.base.aof'));
    expect(items[0]).toEqual({ kind: 'annotation', line: '#TS:1795256557', ts: 1795256557, start: 0, end: 16 });
    const fn = items[1]!;
    expect(fn.kind === 'command' && fn.argv[2]).toBe("#!lua name=lib1\nredis.register_function('f1', function(keys, args) return 1 end)");
    const incr1 = readAll(fixtureFile('pitr-multi-incr', 'appendonly.aof.1.incr.aof')).items;
    expect(incr1.filter((it) => it.kind === 'annotation').map((it) => it.kind === 'annotation' && it.ts)).toEqual([1795256766, 1795256767]);
  });

  it('torn-tail: the server stops at the record at 1019; its last complete command ends at 1003', () => {
    const data = fixtureFile('torn-tail', 'appendonly.aof.2.incr.aof');
    const { items, stop } = readAll(data);
    expect(stop).toMatchObject({ kind: 'truncated', offset: 1019 });
    expect(data.length - 1019).toBe(28);
    const lastCommand = items.filter((it) => it.kind === 'command').pop()!;
    expect([lastCommand.start, lastCommand.end]).toEqual([986, 1003]);
    expect(items[items.length - 1]).toMatchObject({ kind: 'annotation', start: 1003, end: 1019, ts: 1795256764 });
    const listed = readmeListings('torn-tail')[0]!;
    const complete = listed.filter((row) => !row.text.startsWith('<incomplete'));
    expect(items.slice(-complete.length).map((it) => ({ offset: it.start, text: rowText(it) }))).toEqual(complete);
  });

  it('torn-tail: redis-check-aof reports 0x40d, ok_up_to=1019, ok_up_to_line=183', () => {
    const { stop, lines } = readAll(fixtureFile('torn-tail', 'appendonly.aof.2.incr.aof'), { strict: true });
    expect(stop).toEqual({ kind: 'truncated', offset: 1019, at: 0x40d, message: 'Expected to read 13 bytes, got 10 bytes' });
    expect(1 + lines).toBe(183);
  });

  it('torn-multi: every record is complete; the open MULTI is at 427', () => {
    const data = fixtureFile('torn-multi', 'appendonly.aof.2.incr.aof');
    const { items, stop } = readAll(data);
    expect(stop).toEqual({ kind: 'eof', offset: 562 });
    const multi = items.filter((it) => it.kind === 'command' && it.argv[0] === 'MULTI');
    expect(multi.map((it) => it.start)).toEqual([427]);
    expect(items.some((it) => it.kind === 'command' && it.argv[0] === 'EXEC')).toBe(false);
  });

  it('torn-multi: redis-check-aof reports 0x22a, ok_up_to=427, ok_up_to_line=95', () => {
    const { stop, lines } = readAll(fixtureFile('torn-multi', 'appendonly.aof.2.incr.aof'), { strict: true });
    expect(stop).toEqual({ kind: 'truncated', offset: 427, at: 0x22a, message: 'Reached EOF before reading EXEC for MULTI' });
    expect(1 + lines).toBe(95);
  });

  it('pitr-basic: the line count of the whole valid file', () => {
    // 33 commands, 5 annotations (not counted): 1 + sum(1 + 2 argc).
    const { items, lines } = readAll(fixtureFile('pitr-basic', 'appendonly.aof.2.incr.aof'), { strict: true });
    const expected = items.reduce((n, it) => n + (it.kind === 'command' ? 1 + 2 * it.argv.length : 0), 0);
    expect(lines).toBe(expected);
  });

  it('starts after an RDB preamble, with absolute offsets', () => {
    const rdb = fixtureFile('pitr-basic', 'appendonly.aof.2.base.rdb');
    expect(readAll(rdb, { startOffset: rdb.length }).stop).toEqual({ kind: 'eof', offset: rdb.length });
    const tail = Buffer.concat([encodeSelect(0), encodeRecord([b('SET'), b('a'), b('1')])]);
    const file = Buffer.concat([rdb, tail]);
    for (const chunkSize of [undefined, 5]) {
      const opts: AofReaderOptions = chunkSize === undefined ? { startOffset: rdb.length } : { startOffset: rdb.length, chunkSize };
      const { items, stop } = readAll(file, opts);
      expect(items.map((it) => it.start)).toEqual([244, 244 + 23]);
      expect(stop).toEqual({ kind: 'eof', offset: file.length });
    }
  });
});

describe('windows: the same items whatever the chunk size or source', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'aof-records-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  for (const [dir, file] of ALL_AOF) {
    it(`${dir}/${file}`, () => {
      const data = fixtureFile(dir, file);
      for (const strict of [false, true]) {
        const whole = readAll(data, { strict });
        for (const chunkSize of [1, 2, 3, 7, 16, 64, 4096]) {
          expect(readAll(data, { strict, chunkSize })).toEqual(whole);
        }
        const fd = openSync(path.join(AOF_FIXTURES, dir, 'appendonlydir', file), 'r');
        try {
          expect(readAll(fd, { strict, chunkSize: 7 })).toEqual(whole);
          expect(readAll(fd, { strict })).toEqual(whole);
        } finally {
          closeSync(fd);
        }
      }
    });
  }

  it('grows the window for a record bigger than a chunk', () => {
    const big = Buffer.alloc(100_000, 0x78);
    const many = Array.from({ length: 5000 }, (_, i) => b(String(i)));
    const data = Buffer.concat([encodeRecord([b('SET'), b('k'), big]), encodeRecord([b('RPUSH'), b('l'), ...many]), encodeSelect(2)]);
    const whole = readAll(data);
    expect(whole.items.map((it) => it.kind === 'command' && it.argv.length)).toEqual([3, 5002, 2]);
    expect(whole.items[0]!.kind === 'command' && whole.items[0]!.argv[2]).toBe(big.toString('latin1'));
    for (const chunkSize of [1, 64, 1000]) expect(readAll(data, { chunkSize })).toEqual(whole);
    const p = path.join(tmp, 'big.aof');
    writeFileSync(p, data);
    const fd = openSync(p, 'r');
    try {
      expect(readAll(fd, { chunkSize: 100 })).toEqual(whole);
    } finally {
      closeSync(fd);
    }
  });

  it('reads only fileSize bytes of a descriptor', () => {
    const data = readFileSync(path.join(AOF_FIXTURES, 'pitr-basic/appendonlydir/appendonly.aof.2.incr.aof'));
    const fd = openSync(path.join(AOF_FIXTURES, 'pitr-basic/appendonlydir/appendonly.aof.2.incr.aof'), 'r');
    try {
      expect(readAll(fd, { fileSize: 1003 })).toEqual(readAll(data.subarray(0, 1003)));
      expect(readAll(fd, { fileSize: 1003 }).stop).toEqual({ kind: 'eof', offset: 1003 });
      expect(readAll(fd, { fileSize: 1010, chunkSize: 3 }).stop).toEqual({ kind: 'eof', offset: 1010 });
    } finally {
      closeSync(fd);
    }
  });

  it('reads 1,000,000 records from a file', () => {
    const out: RecordBuffer = { buf: Buffer.alloc(1 << 20), length: 0 };
    const value = b('value-0123456789');
    for (let i = 0; i < 1_000_000; i++) {
      if (i % 1000 === 0) appendBytes(out, encodeTimestamp(1795256760 + i / 1000));
      appendRecord(out, [b('SET'), b(`key:${i}`), value]);
    }
    const p = path.join(tmp, 'million.aof');
    writeFileSync(p, out.buf.subarray(0, out.length));
    const fd = openSync(p, 'r');
    try {
      const r = new AofRecordReader(fd);
      let commands = 0;
      let annotations = 0;
      let last = 0;
      for (let x = r.next(); !isAofStop(x); x = r.next()) {
        if (x.start !== last) throw new Error(`gap at ${x.start}`);
        last = x.end;
        if (x.kind === 'command') commands++;
        else annotations++;
      }
      expect([commands, annotations, last]).toEqual([1_000_000, 1000, out.length]);
      expect(r.next()).toEqual({ kind: 'eof', offset: out.length });
    } finally {
      closeSync(fd);
    }
  });
});

describe('truncation at every byte offset', () => {
  // A small file with annotations, a MULTI block and a binary bulk.
  const records: Buffer[] = [
    encodeTimestamp(1795256768),
    encodeSelect(0),
    encodeRecord([b('SET'), b('c'), b('3')]),
    encodeRecord([b('MULTI')]),
    encodeRecord([b('INCR'), b('b')]),
    encodeRecord([b('LPUSH'), b('list'), b('w\r\nx')]),
    encodeRecord([b('EXEC')]),
    encodeTimestamp(1795256769),
    encodeRecord([b('FLUSHALL')]),
  ];
  const file = Buffer.concat(records);
  const full = readAll(file).items;

  it('server rules: complete items, then a truncated stop at the broken record or eof at a boundary', () => {
    for (let cut = 0; cut <= file.length; cut++) {
      for (const chunkSize of [undefined, 7]) {
        const { items, stop } = readAll(file.subarray(0, cut), chunkSize === undefined ? {} : { chunkSize });
        const done = full.filter((it) => it.end <= cut);
        const broken = full.find((it) => it.start < cut && it.end > cut);
        expect(items.slice(0, done.length)).toEqual(done);
        if (broken === undefined) {
          expect(items).toHaveLength(done.length);
          expect(stop).toEqual({ kind: 'eof', offset: cut });
        } else if (broken.kind === 'annotation') {
          // fgets returns the partial line; Redis skips it and then meets a clean EOF.
          expect(items).toHaveLength(done.length + 1);
          expect(items[done.length]).toMatchObject({ kind: 'annotation', start: broken.start, end: cut });
          expect(stop).toEqual({ kind: 'eof', offset: cut });
        } else {
          expect(items).toHaveLength(done.length);
          expect(stop).toMatchObject({ kind: 'truncated', offset: broken.start });
        }
      }
    }
  });

  it('strict rules: ok_up_to is the broken record, or the open MULTI', () => {
    const multiStart = full.find((it) => it.kind === 'command' && it.argv[0] === 'MULTI')!.start;
    const execEnd = full.find((it) => it.kind === 'command' && it.argv[0] === 'EXEC')!.end;
    for (let cut = 0; cut <= file.length; cut++) {
      const { stop } = readAll(file.subarray(0, cut), { strict: true });
      const broken = full.find((it) => it.start < cut && it.end > cut);
      const inMulti = cut > multiStart && cut < execEnd;
      if (broken === undefined || broken.kind === 'annotation') {
        if (inMulti) {
          expect(stop).toMatchObject({ kind: 'truncated', offset: multiStart, message: 'Reached EOF before reading EXEC for MULTI' });
        } else {
          expect(stop).toEqual({ kind: 'eof', offset: cut });
        }
      } else {
        expect(stop).toMatchObject({ kind: 'truncated', offset: inMulti ? multiStart : broken.start });
      }
    }
  });

  it('a partial #TS line is valid only up to its \\r', () => {
    const ts = encodeTimestamp(1795256768);
    expect(readAll(ts.subarray(0, 15)).items[0]).toMatchObject({ line: '#TS:1795256768\r', ts: 1795256768 });
    expect(readAll(ts.subarray(0, 14)).items[0]).toMatchObject({ line: '#TS:1795256768', ts: null });
  });
});

function stopOf(text: string | Buffer, opts: AofReaderOptions = {}): AofStop {
  return readAll(typeof text === 'string' ? b(text) : text, opts).stop;
}

describe('server rules: format errors and quirks (§3.2)', () => {
  it('refuses a record that does not start with * or #', () => {
    expect(stopOf('+OK\r\n')).toMatchObject({ kind: 'format', offset: 0, at: 0 });
    expect(stopOf('\r\n')).toMatchObject({ kind: 'format', offset: 0 });
    const ok = encodeSelect(0).toString('latin1');
    expect(stopOf(`${ok}$3\r\nfoo\r\n`)).toMatchObject({ kind: 'format', offset: 23 });
  });

  it('reads argc with atoi: < 1 is a format error, 32-bit wrap-around included', () => {
    for (const bad of ['*0\r\n', '*-1\r\n', '*abc\r\n', '*\r\n', '*2147483648\r\n$4\r\nPING\r\n']) {
      expect(stopOf(bad)).toMatchObject({ kind: 'format', offset: 0 });
    }
    expect(readAll(b('*4294967297\r\n$4\r\nPING\r\n')).items[0]).toMatchObject({ argv: ['PING'], end: 23 });
    expect(readAll(b('* +1 junk\r\n$4\r\nPING\r\n')).items[0]).toMatchObject({ argv: ['PING'] });
  });

  it('needs $ before each argument and a non-negative length', () => {
    expect(stopOf('*1\r\n:4\r\n')).toMatchObject({ kind: 'format', offset: 0, at: 4 });
    expect(stopOf('*1\r\n$-1\r\n')).toMatchObject({ kind: 'format', offset: 0, at: 4 });
    expect(stopOf('*2\r\n$4\r\nPING\r\n*1\r\n')).toMatchObject({ kind: 'format', offset: 0, at: 14 });
  });

  it('does not check the 2 bytes after a bulk, nor \\r before \\n', () => {
    const { items, stop } = readAll(b('*1\r\n$3\r\nSETxx*1\n$4\nPING\r\n'));
    expect(items.map((it) => it.kind === 'command' && it.argv)).toEqual([['SET'], ['PING']]);
    expect(stop).toEqual({ kind: 'eof', offset: 25 });
  });

  it('treats EOF inside a record as truncated at its start', () => {
    expect(stopOf('*1\r\n$4\r\nPING\r\n*')).toMatchObject({ kind: 'truncated', offset: 14 });
    expect(stopOf('*1\r\n$4\r\nPING\r\n*1')).toMatchObject({ kind: 'truncated', offset: 14 });
    expect(stopOf('*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPI')).toMatchObject({ kind: 'truncated', offset: 14 });
    expect(stopOf('*1\r\n$4\r\nPING\r')).toMatchObject({ kind: 'truncated', offset: 0 });
    expect(stopOf('*1\r\n$999999999999\r\nabc\r\n')).toMatchObject({ kind: 'truncated', offset: 0 });
  });

  it('skips any # line; splits lines longer than 1023 bytes as fgets does', () => {
    const { items, stop } = readAll(b('# hello\r\n#TS:abc\r\n*1\r\n$4\r\nPING\r\n'));
    expect(items.map((it) => it.kind)).toEqual(['annotation', 'annotation', 'command']);
    expect(items[0]).toMatchObject({ line: '# hello', ts: null });
    expect(stop.kind).toBe('eof');
    // The tail of a long annotation is read as the next line: '#' again is fine, 'a' is not.
    const hashes = readAll(b(`#${'#'.repeat(1500)}\r\n`));
    expect(hashes.items.map((it) => [it.start, it.end])).toEqual([[0, 1023], [1023, 1503]]);
    expect(hashes.stop.kind).toBe('eof');
    expect(stopOf(`#${'a'.repeat(1500)}\r\n`)).toMatchObject({ kind: 'format', offset: 1023 });
    expect(readAll(b(`#${'a'.repeat(1020)}\r\n`)).items[0]).toMatchObject({ end: 1023, line: `#${'a'.repeat(1020)}` });
  });

  it('interprets #TS lines as redis-check-aof does', () => {
    const ts = (line: string): number | null => {
      const x = new AofRecordReader(b(line)).next();
      return x.kind === 'annotation' ? x.ts : Number.NaN;
    };
    expect(ts('#TS:1795256760\r\n')).toBe(1795256760);
    expect(ts('#TS: +7\r\n')).toBe(7);
    expect(ts('#TS:\r\n')).toBe(0);
    expect(ts('#TS:-5\r\n')).toBe(-5);
    expect(ts('#TS:12x\r\n')).toBeNull();
    expect(ts('#TS:12\n')).toBeNull();
    expect(ts('#TS:12 \r\n')).toBeNull();
    expect(ts('#ts:12\r\n')).toBeNull();
    expect(ts('#TS:99999999999999999999\r\n')).toBeNull();
    expect(ts('#TS:9223372036854775807\r\n')).toBe(9223372036854775807);
  });

  it('keeps the stop once reached', () => {
    const r = new AofRecordReader(b('*1\r\n$4\r\nPING\r\nxx'));
    expect(r.next().kind).toBe('command');
    const stop = r.next();
    expect(stop).toMatchObject({ kind: 'format', offset: 14 });
    expect(r.next()).toBe(stop);
    expect(r.offset).toBe(14);
  });
});

describe('strict rules: redis-check-aof messages (§4.2)', () => {
  const strict = (text: string | Buffer): AofStop => stopOf(text, { strict: true, path: 'appendonlydir/x.aof' });

  it('checks the CRLF after each bulk, showing signed chars as printf does', () => {
    expect(strict('*1\r\n$4\r\nPINGxx')).toEqual({ kind: 'format', offset: 0, at: 8, message: 'Expected \\r\\n, got: 7878' });
    expect(strict('*1\r\n$1\r\nx\rA')).toEqual({ kind: 'format', offset: 0, at: 8, message: 'Expected \\r\\n, got: 0d41' });
    expect(strict(Buffer.from([...b('*1\r\n$1\r\nx'), 0xc3, 0x41]))).toMatchObject({ message: 'Expected \\r\\n, got: ffffffc341' });
  });

  it('checks header lines end in CRLF right after the number', () => {
    expect(strict('*1 \r\n')).toEqual({ kind: 'format', offset: 0, at: 0, message: 'Expected \\r\\n, got: 200d' });
    expect(strict('*1\n$4\nPING\r\n')).toEqual({ kind: 'format', offset: 0, at: 0, message: 'Expected \\r\\n, got: 0a00' });
    expect(strict('*1\r\n$4x\r\nPING\r\n')).toEqual({ kind: 'format', offset: 0, at: 4, message: 'Expected \\r\\n, got: 780d' });
    expect(strict('*1\r')).toEqual({ kind: 'truncated', offset: 0, at: 0, message: 'Expected \\r\\n, got: 0d00' });
  });

  it('names a wrong prefix', () => {
    expect(strict('*1\r\n:4\r\n')).toEqual({ kind: 'format', offset: 0, at: 4, message: "Expected prefix '$', got: ':'" });
    expect(strict('*1\r\n\0\r\n')).toMatchObject({ message: "Expected prefix '$', got: '" });
  });

  it('refuses lengths out of range', () => {
    expect(strict('*1\r\n$-1\r\n')).toEqual({
      kind: 'format', offset: 0, at: 4, message: 'Expected to read string of -1 bytes, which is not in the suitable range',
    });
    expect(strict('*1\r\n$99999999999999999999\r\n')).toMatchObject({
      message: 'Expected to read string of 9223372036854775807 bytes, which is not in the suitable range',
    });
  });

  it('reports short bulks with the bytes it got', () => {
    expect(strict('*1\r\n$3\r\nab')).toEqual({ kind: 'truncated', offset: 0, at: 8, message: 'Expected to read 5 bytes, got 2 bytes' });
    expect(strict('*1\r\n$12345678901234567\r\nab')).toMatchObject({ message: 'Expected to read 12345678901234569 bytes, got 2 bytes' });
  });

  it('stops without a message at EOF on a line boundary inside a record', () => {
    const r = new AofRecordReader(b('*2\r\n$4\r\nPING\r\n'), { strict: true });
    expect(r.next()).toEqual({ kind: 'truncated', offset: 0, at: 14, message: '' });
    expect(r.lines).toBe(3);
  });

  it('prints no offset for a record starting with neither # nor *', () => {
    expect(strict('*1\r\n$4\r\nPING\r\n$3\r\n')).toEqual({ kind: 'format', offset: 14, at: null, message: 'format error' });
  });

  it('tracks MULTI/EXEC: nesting, EXEC without MULTI, EOF inside', () => {
    const multi = encodeRecord([b('MULTI')]);
    const exec = encodeRecord([b('exec')]);
    const set = encodeRecord([b('SET'), b('a'), b('1')]);
    const cat = (...parts: Buffer[]): Buffer => Buffer.concat(parts);
    expect(strict(cat(set, multi, set, exec, set))).toEqual({ kind: 'eof', offset: 3 * set.length + multi.length + exec.length });
    expect(strict(cat(set, multi, set, encodeRecord([b('multi')])))).toEqual({
      kind: 'format', offset: set.length, at: 2 * set.length + multi.length + 8, message: 'Unexpected MULTI in AOF appendonlydir/x.aof',
    });
    expect(strict(cat(set, exec))).toEqual({ kind: 'format', offset: set.length, at: set.length + 8, message: 'Unexpected EXEC in AOF appendonlydir/x.aof' });
    expect(strict(cat(set, multi, set))).toEqual({
      kind: 'truncated', offset: set.length, at: 2 * set.length + multi.length - 3, message: 'Reached EOF before reading EXEC for MULTI',
    });
    // EOF at a line boundary inside the MULTI record itself.
    expect(strict('*2\r\n$5\r\nMULTI\r\n')).toEqual({ kind: 'truncated', offset: 0, at: 15, message: 'Reached EOF before reading EXEC for MULTI' });
    // strcasecmp stops at a NUL byte.
    expect(strict(cat(multi, encodeRecord([b('MULTI\0x')])))).toMatchObject({ message: 'Unexpected MULTI in AOF appendonlydir/x.aof' });
  });

  it('accepts argc <= 0 as an empty record, as redis-check-aof does', () => {
    const { items, stop, lines } = readAll(b('*0\r\n*-3\r\n*\r\n'), { strict: true });
    expect(items.map((it) => it.kind === 'command' && it.argv.length)).toEqual([0, 0, 0]);
    expect(stop).toEqual({ kind: 'eof', offset: 12 });
    expect(lines).toBe(3);
  });

  it('limits header lines to 127 bytes', () => {
    expect(strict(`*1\r\n$${'0'.repeat(125)}3\r\nabc\r\n`)).toMatchObject({ kind: 'format', at: 4, message: 'Expected \\r\\n, got: 0000' });
    expect(readAll(b(`*1\r\n$${'0'.repeat(120)}3\r\nabc\r\n`), { strict: true }).items[0]).toMatchObject({ argv: ['abc'] });
  });
});
