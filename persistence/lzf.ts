/*
 * LZF, the compression behind RDB's LZF string encoding (0xC3 + len(compressed) + len(original)).
 *
 * Stream format: a sequence of blocks, each led by a control byte c.
 *   c < 32   literal run: the next c + 1 bytes are copied as they are (1..32 bytes).
 *   c >= 32  back-reference: L = c >> 5; if L == 7 one more byte is added to L. Then one byte o;
 *            distance = ((c & 31) << 8) + o + 1 (1..8192); copy L + 2 bytes (3..264) from
 *            out_pos - distance, one byte at a time (the source may overlap what is being written).
 * The compressor makes the same choices as liblzf 3.6's lzf_c.c as Redis 7.0 builds it, so RDB
 * strings and DUMP payloads are byte-identical to Redis's: the format alone leaves the encoder
 * free, and any other choice of matches gives other (equally valid) bytes.
 * Invariants of decompress: the output is exactly the declared length, every reference points
 * inside what was already produced, and no read passes the input's end.
 * Pure computation; nothing survives a crash.
 */

/** liblzf's HLOG as Redis sets it (lzfP.h): a 2^16-slot table of the last position per hash. */
const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 1 << 5;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3); // 264 bytes

export class LzfError extends Error {
  constructor(reason: string, readonly at: number) {
    super(reason);
    this.name = 'LzfError';
  }
}

/**
 * Decompresses `input` into a new Buffer of exactly `outLen` bytes. Throws LzfError (with the
 * input position) when the data is malformed or does not produce exactly outLen bytes.
 */
export function lzfDecompress(input: Uint8Array, outLen: number): Buffer {
  const out = Buffer.allocUnsafe(outLen);
  const inEnd = input.length;
  let ip = 0;
  let op = 0;
  while (ip < inEnd) {
    const ctrl = input[ip++]!;
    if (ctrl < 32) {
      const run = ctrl + 1;
      if (ip + run > inEnd) throw new LzfError('literal run past the end of the input', ip - 1);
      if (op + run > outLen) throw new LzfError('output longer than declared', ip - 1);
      for (let i = 0; i < run; i++) out[op++] = input[ip++]!;
    } else {
      let len = ctrl >>> 5;
      const at = ip - 1;
      if (len === 7) {
        if (ip >= inEnd) throw new LzfError('back-reference past the end of the input', at);
        len += input[ip++]!;
      }
      if (ip >= inEnd) throw new LzfError('back-reference past the end of the input', at);
      const dist = ((ctrl & 0x1f) << 8) + input[ip++]! + 1;
      len += 2;
      if (dist > op) throw new LzfError('back-reference before the start of the output', at);
      if (op + len > outLen) throw new LzfError('output longer than declared', at);
      let ref = op - dist;
      for (let i = 0; i < len; i++) out[op++] = out[ref++]!;
    }
  }
  if (op !== outLen) throw new LzfError(`output is ${op} bytes, declared ${outLen}`, ip);
  return out;
}

/**
 * liblzf's IDX(h) under VERY_FAST (Redis's lzfP.h: VERY_FAST 1, ULTRA_FAST 0) for the three
 * bytes at p: ((h >> (24 - HLOG)) - h * 5) & (HSIZE - 1), h = p[0] << 16 | p[1] << 8 | p[2].
 * liblzf's running hval also keeps older bytes above bit 24, but they fall outside the 16-bit
 * mask (subtraction mod 2^16 only sees the low 16 bits of each side), so hashing the 3 bytes
 * alone gives the same slot.
 */
function slotOf(input: Uint8Array, p: number): number {
  const h = (input[p]! << 16) | (input[p + 1]! << 8) | input[p + 2]!;
  return ((h >>> (24 - HLOG)) - Math.imul(h, 5)) & (HSIZE - 1);
}

/**
 * The hash table (slot -> position), shared by all calls. Instead of clearing it per call, each
 * call owns a fresh range of stamps [base, base + n): an entry below `base` belongs to an earlier
 * call and reads as position 0, which is what an empty slot means to liblzf too (it never refers
 * back to position 0: it requires ref > in_data). The table is cleared only when the stamps would
 * overflow int32. (liblzf leaves its table uninitialised on the stack, so in rare cases Redis may
 * find a match through a stale slot; a zeroed table is the only reproducible reading.)
 */
let htab: Int32Array | null = null;
let stampEnd = 0;

/**
 * Compresses `input` as liblzf's lzf_compress(in, n, out, maxOut) does. Returns null where it
 * returns 0: empty input, maxOut 0, or output that does not fit — by liblzf's own checks, which
 * are conservative by a few bytes (a back-reference needs 5 spare bytes, the final literals 3),
 * so whether a string is kept compressed also matches Redis. RDB keeps a compressed string only
 * if it saves at least 4 bytes, so callers pass input.length - 4. The returned Buffer is fresh;
 * input is only read.
 */
export function lzfCompress(input: Uint8Array, maxOut: number): Buffer | null {
  const n = input.length;
  if (n === 0 || maxOut <= 0) return null;
  const out = Buffer.allocUnsafe(maxOut);
  const table = (htab ??= new Int32Array(HSIZE));
  if (stampEnd + n + 1 > 0x7fffffff) {
    table.fill(0);
    stampEnd = 0;
  }
  const base = stampEnd + 1;
  stampEnd += n + 1;
  const inEnd = n;
  const outEnd = maxOut;
  let ip = 0;
  let op = 1; // out[op - lit - 1] is the open literal run's control byte
  let lit = 0;
  while (ip < inEnd - 2) {
    const slot = slotOf(input, ip);
    const stamp = table[slot]!;
    const ref = stamp >= base ? stamp - base : 0;
    table[slot] = base + ip;
    const off = ip - ref - 1;
    if (ref > 0 && off >= 0 && off < MAX_OFF && input[ref + 2] === input[ip + 2]
      && input[ref] === input[ip] && input[ref + 1] === input[ip + 1]) {
      // The match length, compared as liblzf does: when more than 16 bytes may match it first
      // tries indexes 3..18 without the maxlen bound (they are in range), so a match can end
      // up to 2 bytes past maxlen there, which decides where the next block starts.
      let len = 2;
      const maxlen = Math.min(inEnd - ip - len, MAX_REF);
      // liblzf's fast test, then the exact one (which counts a still-empty run's control byte).
      if (op + 3 + 1 >= outEnd && op - (lit === 0 ? 1 : 0) + 3 + 1 >= outEnd) return null;
      out[op - lit - 1] = lit - 1; // close the run (0xff when empty; dropped just below)
      if (lit === 0) op--;
      let matched = false;
      if (maxlen > 16) {
        for (let i = 0; i < 16; i++) {
          len++;
          if (input[ref + len] !== input[ip + len]) {
            matched = true;
            break;
          }
        }
      }
      if (!matched) {
        do len++;
        while (len < maxlen && input[ref + len] === input[ip + len]);
      }
      len -= 2; // the stored length: bytes copied - 2
      ip++;
      if (len < 7) {
        out[op++] = (off >>> 8) + (len << 5);
      } else {
        out[op++] = (off >>> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // open the next run
      ip += len + 1;
      if (ip >= inEnd - 2) break;
      // VERY_FAST: of the matched bytes only the last two positions enter the table.
      ip -= 2;
      table[slotOf(input, ip)] = base + ip;
      ip++;
      table[slotOf(input, ip)] = base + ip;
      ip++;
    } else {
      if (op >= outEnd) return null;
      lit++;
      out[op++] = input[ip++]!;
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  // At most 2 input bytes are left, plus possibly a control byte: liblzf wants 3 bytes of room.
  if (op + 3 > outEnd) return null;
  while (ip < inEnd) {
    lit++;
    out[op++] = input[ip++]!;
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1;
  if (lit === 0) op--; // drop a run that got no bytes
  return out.subarray(0, op);
}
