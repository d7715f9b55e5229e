/*
 * The server reads every socket into one reused buffer, so after each read the parser must copy
 * what it still holds (detach). Here each chunk is written into one scratch buffer that is
 * scribbled over after every read: any view the parser kept would show the garbage.
 */
import { describe, expect, it } from 'vitest';
import { RespParser, type Argv } from '../../../protocol/resp-parser.js';
import { encodeCommand } from '../../../protocol/encode.js';

const SCRATCH = Buffer.alloc(70 * 1024);

function parseWithReuse(input: Buffer, cuts: number[]): string[][] {
  const parser = new RespParser({ maxBulkLen: 512 * 1024 * 1024, unauthenticated: false });
  const out: string[][] = [];
  let start = 0;
  for (const end of [...cuts, input.length]) {
    const n = input.copy(SCRATCH, 0, start, end);
    parser.feed(SCRATCH.subarray(0, n));
    let argv: Argv | null;
    while ((argv = parser.next()) !== null) out.push(argv.map((a) => a.toString('latin1')));
    parser.detach();
    SCRATCH.fill(0x58); // what the next read would leave there
    start = end;
  }
  expect(parser.error).toBeNull();
  return out;
}

describe('RespParser.detach with a reused read buffer', () => {
  const commands = [
    ['SET', 'key:1', 'value one'],
    ['MSET', 'a', '1', 'b', '2', 'c', 'x'.repeat(40 * 1024)],
    ['GET', 'key:1'],
  ];
  const bytes = Buffer.concat([...commands.map((c) => encodeCommand(c)), Buffer.from('PING "in line"\r\n')]);
  const expected = [...commands, ['PING', 'in line']];

  it('gives the same commands for every split into two reads', () => {
    for (let cut = 1; cut < bytes.length; cut += 7) {
      expect(parseWithReuse(bytes, [cut])).toEqual(expected);
    }
  });

  it('gives the same commands when every read is 3 bytes', () => {
    const cuts: number[] = [];
    for (let i = 3; i < bytes.length; i += 3) cuts.push(i);
    expect(parseWithReuse(bytes, cuts)).toEqual(expected);
  });
});

describe('RespParser repeated arguments', () => {
  it('hands out its own copy of bytes that repeat, which later reads cannot change', () => {
    const parser = new RespParser({ maxBulkLen: 512 * 1024 * 1024, unauthenticated: false });
    const kept: Argv[] = [];
    const seen: string[][] = [];
    const sent = [
      ['RPUSH', 'mylist', 'xxx'], ['RPUSH', 'mylist', 'xxx'], ['RPUSH', 'mylist', 'yyy'],
      ['LPUSH', 'other', 'xxx'], ['LPUSH', 'other', ''], ['LPUSH', 'other', ''], ['RPUSH', 'mylist', 'xxx'],
    ];
    for (const c of sent) {
      const n = encodeCommand(c).copy(SCRATCH);
      parser.feed(SCRATCH.subarray(0, n));
      let argv: Argv | null;
      while ((argv = parser.next()) !== null) {
        kept.push(argv);
        seen.push(argv.map((b) => b.toString('latin1')));
      }
      parser.detach();
      SCRATCH.fill(0x58);
    }
    expect(seen).toEqual(sent);
    // The second RPUSH came whole from the parser's copies (the same objects as the third's name
    // and key), so it still reads right after the read buffer was scribbled over.
    expect(kept[2]![0]).toBe(kept[1]![0]);
    expect(kept[2]![1]).toBe(kept[1]![1]);
    expect(kept[1]!.map((b) => b.toString('latin1'))).toEqual(sent[1]);
  });
});
