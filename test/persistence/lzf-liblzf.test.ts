/*
 * lzfCompress against Redis's own output: every LZF-encoded string in the Redis 7.0.15 RDB
 * fixtures is decompressed, compressed again, and must come back byte for byte (same algorithm,
 * same hash, same size limit as liblzf in Redis), so our RDB files and DUMP payloads match.
 * The strings are found through the reader itself: RdbCursor.string is wrapped to note each
 * 0xC3 string (top-level values, quicklist nodes, listpack blobs alike) before it is decoded.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lzfCompress, lzfDecompress } from '../../persistence/lzf.js';
import { readRdb } from '../../persistence/rdb-reader.js';
import { RdbCursor } from '../../persistence/rdb-strings.js';

const DIR = join(import.meta.dirname, '../fixtures/redis-7.0.15/rdb');

interface LzfString {
  file: string;
  at: number;
  compressed: Buffer;
  originalLen: number;
}

/** Every 0xC3 string the reader decodes while reading `file`. */
function lzfStringsOf(file: string): LzfString[] {
  const found: LzfString[] = [];
  const original = RdbCursor.prototype.string;
  const spy = vi.spyOn(RdbCursor.prototype, 'string').mockImplementation(function (this: RdbCursor, what: string) {
    if (this.buf[this.pos] === 0xc3) {
      const c = new RdbCursor(this.buf, this.pos + 1, this.end);
      const clen = c.len('clen');
      const ulen = c.len('ulen');
      found.push({ file, at: this.pos, compressed: Buffer.from(c.raw(clen, 'data')), originalLen: ulen });
    }
    return original.call(this, what);
  });
  try {
    readRdb(readFileSync(join(DIR, file)));
  } finally {
    spy.mockRestore();
  }
  return found;
}

describe('lzfCompress is byte-identical to liblzf as Redis 7.0 builds it', () => {
  afterEach(() => vi.restoreAllMocks());

  it('recompresses every LZF string in the RDB fixtures to the same bytes', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.rdb')).sort();
    const all = files.flatMap(lzfStringsOf);
    expect(all.length).toBeGreaterThanOrEqual(25);
    const mismatches: string[] = [];
    for (const s of all) {
      const plain = lzfDecompress(s.compressed, s.originalLen);
      // Redis asks for at most len - 4 bytes (rdbSaveLzfStringObject); it kept these, so they fit.
      const again = lzfCompress(plain, plain.length - 4);
      if (again === null || !again.equals(s.compressed)) mismatches.push(`${s.file}@${s.at} (${plain.length} bytes)`);
    }
    expect(mismatches).toEqual([]);
  });

  it('gives up exactly where liblzf does, and never refers back to position 0', () => {
    // 8 bytes out, but liblzf wants 3 spare bytes before its final literals: 11 is refused.
    // 'abcd' at 4 is not taken from position 0 (liblzf requires ref > in_data); 'bcd' at 5 is.
    const b = Buffer.from('abcdabcd');
    expect(lzfCompress(b, 11)).toBeNull();
    expect(lzfCompress(b, 12)?.toString('hex')).toBe('0461626364612003');
    expect(lzfCompress(Buffer.from('abc'), 4)).toBeNull();
    expect(lzfCompress(Buffer.from('abc'), 5)?.toString('hex')).toBe('02616263');
    // A run: literals 'aa', then 4 bytes from distance 1, then the last 2 bytes as literals.
    expect(lzfCompress(Buffer.from('aaaaaaaa'), 100)?.toString('hex')).toBe('0161614000016161');
  });
});
