/*
 * ReplyWriter vectors: the exact RESP2 and RESP3 bytes of every method, the shared slab (two
 * writers interleaving, bytes already handed out never rewritten), and flush producing one write
 * or one corked batch.
 */
import { describe, expect, test } from 'vitest';
import { ReplyWriter, type ReplySink, type RespVersion } from '../../../protocol/reply-writer.js';

type SinkEvent = { op: 'write'; data: Buffer; ref: Buffer | string } | { op: 'cork' } | { op: 'uncork' };

/** A sink that records calls; `ref` keeps the exact object handed over (to detect later rewrites). */
class RecordingSink implements ReplySink {
  events: SinkEvent[] = [];
  writeResult = true;

  write(chunk: Buffer): boolean;
  write(chunk: string, encoding: 'latin1'): boolean;
  write(chunk: Buffer | string, encoding?: 'latin1'): boolean {
    if (typeof chunk === 'string') {
      expect(encoding).toBe('latin1');
      this.events.push({ op: 'write', data: Buffer.from(chunk, 'latin1'), ref: chunk });
    } else {
      this.events.push({ op: 'write', data: Buffer.from(chunk), ref: chunk });
    }
    return this.writeResult;
  }

  cork(): void {
    this.events.push({ op: 'cork' });
  }

  uncork(): void {
    this.events.push({ op: 'uncork' });
  }

  get bytes(): string {
    return Buffer.concat(this.events.flatMap((e) => (e.op === 'write' ? [e.data] : []))).toString('latin1');
  }

  get ops(): string[] {
    return this.events.map((e) => e.op);
  }
}

function writer(resp: RespVersion): ReplyWriter {
  const w = new ReplyWriter();
  w.resp = resp;
  return w;
}

/** Bytes the writer produces for `fn` under RESP2 and RESP3, as latin1 text. */
function bytesOf(fn: (w: ReplyWriter) => void): { resp2: string; resp3: string } {
  const out = { resp2: '', resp3: '' };
  for (const resp of [2, 3] as const) {
    const w = writer(resp);
    fn(w);
    const sink = new RecordingSink();
    w.flush(sink);
    out[resp === 2 ? 'resp2' : 'resp3'] = sink.bytes;
  }
  return out;
}

function same(text: string): { resp2: string; resp3: string } {
  return { resp2: text, resp3: text };
}

describe('ReplyWriter bytes, RESP2 and RESP3', () => {
  const big16k = 'v'.repeat(16 * 1024);
  const bigBuf = Buffer.alloc(20_000, 0xfe);
  const cases: [string, (w: ReplyWriter) => void, { resp2: string; resp3: string }][] = [
    ['ok', (w) => w.ok(), same('+OK\r\n')],
    ['simple', (w) => w.simple('PONG'), same('+PONG\r\n')],
    ['simple empty', (w) => w.simple(''), same('+\r\n')],
    ['error', (w) => w.error('ERR syntax error'), same('-ERR syntax error\r\n')],
    ['error with own code', (w) => w.error('WRONGTYPE Operation against a key holding the wrong kind of value'), same('-WRONGTYPE Operation against a key holding the wrong kind of value\r\n')],
    ['integer 0', (w) => w.integer(0), same(':0\r\n')],
    ['integer 1', (w) => w.integer(1), same(':1\r\n')],
    ['integer 1023 (shared)', (w) => w.integer(1023), same(':1023\r\n')],
    ['integer 1024', (w) => w.integer(1024), same(':1024\r\n')],
    ['integer -1', (w) => w.integer(-1), same(':-1\r\n')],
    ['integer -2', (w) => w.integer(-2), same(':-2\r\n')],
    ['integer -0', (w) => w.integer(-0), same(':0\r\n')],
    ['integer 10', (w) => w.integer(10), same(':10\r\n')],
    ['integer 1000000', (w) => w.integer(1000000), same(':1000000\r\n')],
    ['integer -1234567890', (w) => w.integer(-1234567890), same(':-1234567890\r\n')],
    ['integer MAX_SAFE_INTEGER', (w) => w.integer(Number.MAX_SAFE_INTEGER), same(':9007199254740991\r\n')],
    ['integer MIN_SAFE_INTEGER', (w) => w.integer(Number.MIN_SAFE_INTEGER), same(':-9007199254740991\r\n')],
    ['integer 2^53 (not safe)', (w) => w.integer(2 ** 53), same(':9007199254740992\r\n')],
    ['integer bigint max int64', (w) => w.integer(9223372036854775807n), same(':9223372036854775807\r\n')],
    ['integer bigint min int64', (w) => w.integer(-9223372036854775808n), same(':-9223372036854775808\r\n')],
    ['integer bigint 0', (w) => w.integer(0n), same(':0\r\n')],
    ['bulk string', (w) => w.bulk('foo'), same('$3\r\nfoo\r\n')],
    ['bulk empty string', (w) => w.bulk(''), same('$0\r\n\r\n')],
    ['bulk latin1 string keeps bytes', (w) => w.bulk('\x00\xe9\xff\r\n'), same('$5\r\n\x00\xe9\xff\r\n\r\n')],
    ['bulk string >= 16 chars', (w) => w.bulk('abcdefghijklmnopqrstuvwxyz\xff'), same('$27\r\nabcdefghijklmnopqrstuvwxyz\xff\r\n')],
    ['bulk Buffer', (w) => w.bulk(Buffer.from([0, 1, 2, 0xff])), same('$4\r\n\x00\x01\x02\xff\r\n')],
    ['bulk empty Buffer', (w) => w.bulk(Buffer.alloc(0)), same('$0\r\n\r\n')],
    ['bulk big string (16 KiB)', (w) => w.bulk(big16k), same(`$16384\r\n${big16k}\r\n`)],
    ['bulk big Buffer (20000 B)', (w) => w.bulk(bigBuf), same(`$20000\r\n${bigBuf.toString('latin1')}\r\n`)],
    ['bulk just under 16 KiB', (w) => w.bulk('w'.repeat(16 * 1024 - 1)), same(`$16383\r\n${'w'.repeat(16 * 1024 - 1)}\r\n`)],
    ['bulkNumber', (w) => w.bulkNumber(-42), same('$3\r\n-42\r\n')],
    ['nullBulk', (w) => w.nullBulk(), { resp2: '$-1\r\n', resp3: '_\r\n' }],
    ['nullArray', (w) => w.nullArray(), { resp2: '*-1\r\n', resp3: '_\r\n' }],
    ['arrayLen 0', (w) => w.arrayLen(0), same('*0\r\n')],
    ['arrayLen 3', (w) => w.arrayLen(3), same('*3\r\n')],
    ['arrayLen 12345', (w) => w.arrayLen(12345), same('*12345\r\n')],
    ['mapLen 0', (w) => w.mapLen(0), { resp2: '*0\r\n', resp3: '%0\r\n' }],
    ['mapLen 2', (w) => w.mapLen(2), { resp2: '*4\r\n', resp3: '%2\r\n' }],
    ['setLen 0', (w) => w.setLen(0), { resp2: '*0\r\n', resp3: '~0\r\n' }],
    ['setLen 3', (w) => w.setLen(3), { resp2: '*3\r\n', resp3: '~3\r\n' }],
    ['pushLen 3', (w) => w.pushLen(3), { resp2: '*3\r\n', resp3: '>3\r\n' }],
    ['double 1.5', (w) => w.double(1.5), { resp2: '$3\r\n1.5\r\n', resp3: ',1.5\r\n' }],
    ['double 3', (w) => w.double(3), { resp2: '$1\r\n3\r\n', resp3: ',3\r\n' }],
    ['double 0.1 (%.17g)', (w) => w.double(0.1), { resp2: '$19\r\n0.10000000000000001\r\n', resp3: ',0.10000000000000001\r\n' }],
    ['double 1/3', (w) => w.double(1 / 3), { resp2: '$19\r\n0.33333333333333331\r\n', resp3: ',0.33333333333333331\r\n' }],
    ['double 1e16', (w) => w.double(1e16), { resp2: '$17\r\n10000000000000000\r\n', resp3: ',10000000000000000\r\n' }],
    ['double 1e17', (w) => w.double(1e17), { resp2: '$5\r\n1e+17\r\n', resp3: ',1e+17\r\n' }],
    ['double 1.5e-5', (w) => w.double(1.5e-5), { resp2: '$7\r\n1.5e-05\r\n', resp3: ',1.5e-05\r\n' }],
    ['double 0.0001', (w) => w.double(0.0001), { resp2: '$6\r\n0.0001\r\n', resp3: ',0.0001\r\n' }],
    ['double 5e-324', (w) => w.double(5e-324), { resp2: '$23\r\n4.9406564584124654e-324\r\n', resp3: ',4.9406564584124654e-324\r\n' }],
    ['double max', (w) => w.double(Number.MAX_VALUE), { resp2: '$23\r\n1.7976931348623157e+308\r\n', resp3: ',1.7976931348623157e+308\r\n' }],
    ['double -2.5', (w) => w.double(-2.5), { resp2: '$4\r\n-2.5\r\n', resp3: ',-2.5\r\n' }],
    ['double inf', (w) => w.double(Infinity), { resp2: '$3\r\ninf\r\n', resp3: ',inf\r\n' }],
    ['double -inf', (w) => w.double(-Infinity), { resp2: '$4\r\n-inf\r\n', resp3: ',-inf\r\n' }],
    ['double 0', (w) => w.double(0), { resp2: '$1\r\n0\r\n', resp3: ',0\r\n' }],
    ['double -0', (w) => w.double(-0), { resp2: '$2\r\n-0\r\n', resp3: ',-0\r\n' }],
    ['bool true', (w) => w.bool(true), { resp2: ':1\r\n', resp3: '#t\r\n' }],
    ['bool false', (w) => w.bool(false), { resp2: ':0\r\n', resp3: '#f\r\n' }],
    ['verbatim txt', (w) => w.verbatim('hello'), { resp2: '$5\r\nhello\r\n', resp3: '=9\r\ntxt:hello\r\n' }],
    ['verbatim with CRLF inside', (w) => w.verbatim('a\r\nb'), { resp2: '$4\r\na\r\nb\r\n', resp3: '=8\r\ntxt:a\r\nb\r\n' }],
    ['verbatim mkd', (w) => w.verbatim('# x', 'mkd'), { resp2: '$3\r\n# x\r\n', resp3: '=7\r\nmkd:# x\r\n' }],
    ['bigNumber', (w) => w.bigNumber('123456789012345678901234567890'), { resp2: '$30\r\n123456789012345678901234567890\r\n', resp3: '(123456789012345678901234567890\r\n' }],
    ['bulkArray', (w) => w.bulkArray(['a', Buffer.from('bc')]), same('*2\r\n$1\r\na\r\n$2\r\nbc\r\n')],
    ['bulkArray empty', (w) => w.bulkArray([]), same('*0\r\n')],
    ['raw', (w) => w.raw(Buffer.from(':7\r\n')), same(':7\r\n')],
    [
      'nested map of arrays',
      (w) => {
        w.mapLen(1);
        w.bulk('k');
        w.arrayLen(2);
        w.integer(1);
        w.nullBulk();
      },
      { resp2: '*2\r\n$1\r\nk\r\n*2\r\n:1\r\n$-1\r\n', resp3: '%1\r\n$1\r\nk\r\n*2\r\n:1\r\n_\r\n' },
    ],
  ];

  for (const [name, fn, expected] of cases) {
    test(name, () => {
      expect(bytesOf(fn)).toEqual(expected);
    });
  }

  test('written counts every byte, errorCount/lastError track errors', () => {
    const w = writer(2);
    w.ok();
    w.error('ERR a');
    w.bulk('xyz');
    w.error('WRONGTYPE b');
    expect(w.written).toBe('+OK\r\n-ERR a\r\n$3\r\nxyz\r\n-WRONGTYPE b\r\n'.length);
    expect(w.errorCount).toBe(2);
    expect(w.lastError).toBe('WRONGTYPE b');
  });
});

describe('ReplyWriter deferred lengths', () => {
  for (const resp of [2, 3] as const) {
    test(`array, map and set filled in later (RESP${resp})`, () => {
      const w = writer(resp);
      const arr = w.deferLen();
      w.bulk('a');
      const map = w.deferLen();
      w.bulk('k');
      w.integer(1);
      w.setDeferredLen(map, 37, 1);
      const set = w.deferLen();
      w.bulk('m');
      w.setDeferredLen(set, 126, 1);
      w.setDeferredLen(arr, 42, 3);
      const sink = new RecordingSink();
      w.flush(sink);
      const expected =
        resp === 2
          ? '*3\r\n$1\r\na\r\n*2\r\n$1\r\nk\r\n:1\r\n*1\r\n$1\r\nm\r\n'
          : '*3\r\n$1\r\na\r\n%1\r\n$1\r\nk\r\n:1\r\n~1\r\n$1\r\nm\r\n';
      expect(sink.bytes).toBe(expected);
    });
  }

  test('deferLen of an empty aggregate', () => {
    const w = writer(2);
    w.ok();
    const slot = w.deferLen();
    w.setDeferredLen(slot, 42, 0);
    w.ok();
    expect(w.take().toString('latin1')).toBe('+OK\r\n*0\r\n+OK\r\n');
  });
});

describe('ReplyWriter mute', () => {
  test('muted replies are discarded, unmute resumes', () => {
    const w = writer(2);
    w.simple('before');
    w.mute();
    expect(w.isMuted).toBe(true);
    w.ok();
    w.bulk('x'.repeat(20_000));
    w.integer(5);
    w.error('ERR muted');
    const slot = w.deferLen();
    expect(slot).toBe(-1);
    w.setDeferredLen(slot, 42, 1);
    w.unmute();
    expect(w.isMuted).toBe(false);
    w.simple('after');
    const sink = new RecordingSink();
    w.flush(sink);
    expect(sink.bytes).toBe('+before\r\n+after\r\n');
  });

  test('mute from the start, then unmute', () => {
    const w = writer(3);
    w.mute();
    w.nullBulk();
    w.unmute();
    w.nullBulk();
    expect(w.take().toString('latin1')).toBe('_\r\n');
  });
});

describe('ReplyWriter shared slab and flush', () => {
  test('flush of small replies is one write, no cork', () => {
    const w = writer(2);
    w.ok();
    w.integer(5);
    w.bulk('x');
    w.arrayLen(2);
    w.nullBulk();
    w.simple('y');
    const sink = new RecordingSink();
    expect(w.hasPending).toBe(true);
    expect(w.pendingBytes).toBe('+OK\r\n:5\r\n$1\r\nx\r\n*2\r\n$-1\r\n+y\r\n'.length);
    expect(w.flush(sink)).toBe(true);
    expect(sink.ops).toEqual(['write']);
    expect(sink.bytes).toBe('+OK\r\n:5\r\n$1\r\nx\r\n*2\r\n$-1\r\n+y\r\n');
    expect(w.hasPending).toBe(false);
    expect(w.pendingBytes).toBe(0);
  });

  test('flush with nothing pending writes nothing', () => {
    const sink = new RecordingSink();
    expect(writer(2).flush(sink)).toBe(true);
    expect(sink.events).toEqual([]);
  });

  test('a big value makes a corked batch, in order', () => {
    const w = writer(2);
    const big = Buffer.alloc(32 * 1024, 0x61);
    w.ok();
    w.bulk(big);
    w.integer(7);
    const sink = new RecordingSink();
    w.flush(sink);
    expect(sink.ops[0]).toBe('cork');
    expect(sink.ops[sink.ops.length - 1]).toBe('uncork');
    expect(sink.ops.filter((o) => o === 'cork' || o === 'uncork')).toEqual(['cork', 'uncork']);
    expect(sink.bytes).toBe(`+OK\r\n$32768\r\n${big.toString('latin1')}\r\n:7\r\n`);
  });

  test('flush returns false when the socket buffer is full', () => {
    const w = writer(2);
    w.ok();
    const sink = new RecordingSink();
    sink.writeResult = false;
    expect(w.flush(sink)).toBe(false);
  });

  test('two writers interleaving on the shared slab keep their own bytes', () => {
    const a = writer(2);
    const b = writer(3);
    a.simple('a1');
    b.simple('b1');
    a.integer(42);
    b.nullBulk();
    a.bulk('a3');
    b.bool(true);
    const sa = new RecordingSink();
    const sb = new RecordingSink();
    a.flush(sa);
    b.flush(sb);
    expect(sa.bytes).toBe('+a1\r\n:42\r\n$2\r\na3\r\n');
    expect(sb.bytes).toBe('+b1\r\n_\r\n#t\r\n');
    // Each writer's interleaved segments leave as several chunks of one corked batch.
    expect(sa.ops[0]).toBe('cork');
  });

  test('bytes handed to the socket are never rewritten, even when the slab fills up', () => {
    const a = writer(2);
    const b = writer(2);
    a.simple('first');
    a.bulk('payload-a');
    const sa = new RecordingSink();
    a.flush(sa);
    const handed = sa.events.flatMap((e) => (e.op === 'write' && typeof e.ref !== 'string' ? [e.ref] : []));
    const snapshot = handed.map((h) => Buffer.from(h));
    // Write well past one slab (256 KiB) through both writers, flushing as we go.
    for (let i = 0; i < 2000; i++) {
      b.bulk(`value-${i}-${'z'.repeat(200)}`);
      a.integer(i);
      if (i % 100 === 0) {
        b.flush(new RecordingSink());
        a.flush(new RecordingSink());
      }
    }
    b.take();
    a.take();
    handed.forEach((h, i) => expect(h.equals(snapshot[i]!)).toBe(true));
  });

  test('a writer crossing a slab boundary produces its bytes in order', () => {
    const w = writer(2);
    let expected = '';
    for (let i = 0; i < 5000; i++) {
      const v = `${i}:${'q'.repeat(i % 97)}`;
      w.bulk(v);
      expected += `$${v.length}\r\n${v}\r\n`;
      w.integer(-i);
      expected += `:${-i === 0 ? 0 : -i}\r\n`;
    }
    expect(expected.length).toBeGreaterThan(256 * 1024);
    expect(w.take().toString('latin1')).toBe(expected);
  });

  test('take and discard', () => {
    const w = writer(2);
    w.ok();
    w.bulk('x'.repeat(17_000));
    w.ok();
    expect(w.take().toString('latin1')).toBe(`+OK\r\n$17000\r\n${'x'.repeat(17_000)}\r\n+OK\r\n`);
    w.simple('gone');
    w.discard();
    expect(w.hasPending).toBe(false);
    w.simple('kept');
    expect(w.take().toString('latin1')).toBe('+kept\r\n');
  });

  test('switching RESP version between replies', () => {
    const w = writer(2);
    w.nullBulk();
    w.resp = 3;
    w.nullBulk();
    w.resp = 2;
    w.mapLen(1);
    expect(w.take().toString('latin1')).toBe('$-1\r\n_\r\n*2\r\n');
  });
});
