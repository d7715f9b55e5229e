/*
 * LZF, the compression behind RDB's LZF string encoding (0xC3 + len(compressed) + len(original)).
 *
 * Stream format: a sequence of blocks, each led by a control byte c.
 *   c < 32   literal run: the next c + 1 bytes are copied as they are (1..32 bytes).
 *   c >= 32  back-reference: L = c >> 5; if L == 7 one more byte is added to L. Then one byte o;
 *            distance = ((c & 31) << 8) + o + 1 (1..8192); copy L + 2 bytes (3..264) from
 *            out_pos - distance, one byte at a time (the source may overlap what is being written).
 * Written from that description; the output need not match liblzf byte for byte, only decode to
 * the same bytes. Invariant of decompress: the output is exactly the declared length, every
 * reference points inside what was already produced, and no read passes the input's end.
 * Pure computation; nothing survives a crash.
 */

const HASH_BITS = 14;
const HASH_SIZE = 1 << HASH_BITS;
const MAX_LITERAL = 32;
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
 * Hash of 3-byte sequences -> position, shared by all calls. Instead of clearing it per call, each
 * call owns a fresh range of stamps [base, base + n): an entry below `base` belongs to an earlier
 * call and counts as empty. The table is cleared only when the stamps would overflow int32.
 */
let htab: Int32Array | null = null;
let stampEnd = 0;

/**
 * Compresses `input`. Returns null when the result would exceed `maxOut` bytes (RDB keeps a
 * compressed string only if it saves at least 4 bytes, so callers pass input.length - 4).
 * The returned Buffer is fresh; input is only read.
 */
export function lzfCompress(input: Uint8Array, maxOut: number): Buffer | null {
  const n = input.length;
  if (n === 0 || maxOut <= 0) return null;
  const out = Buffer.allocUnsafe(maxOut);
  const table = (htab ??= new Int32Array(HASH_SIZE));
  if (stampEnd + n + 1 > 0x7fffffff) {
    table.fill(0);
    stampEnd = 0;
  }
  const base = stampEnd + 1;
  stampEnd += n + 1;
  let ip = 0;
  let op = 1; // out[0] is the first literal run's control byte
  let ctrlPos = 0;
  let lit = 0;
  if (op > maxOut) return null;
  while (ip + 2 < n) {
    const v = (input[ip]! << 16) | (input[ip + 1]! << 8) | input[ip + 2]!;
    const h = (Math.imul(v, 0x9e3779b1) >>> (32 - HASH_BITS)) & (HASH_SIZE - 1);
    const stamp = table[h]!;
    const ref = stamp >= base ? stamp - base : -1;
    table[h] = base + ip;
    const off = ip - ref - 1;
    if (ref >= 0 && off < MAX_OFF && input[ref] === input[ip] && input[ref + 1] === input[ip + 1]
      && input[ref + 2] === input[ip + 2]) {
      const maxLen = Math.min(MAX_REF, n - ip);
      let len = 3;
      while (len < maxLen && input[ref + len] === input[ip + len]) len++;
      // Close the pending literal run (or drop its unused control byte).
      if (lit > 0) out[ctrlPos] = lit - 1;
      else op--;
      const l = len - 2;
      if (op + 4 > maxOut) return null; // up to 3 bytes of reference + the next control byte
      if (l < 7) {
        out[op++] = (l << 5) | (off >>> 8);
      } else {
        out[op++] = (7 << 5) | (off >>> 8);
        out[op++] = l - 7;
      }
      out[op++] = off & 0xff;
      ctrlPos = op++;
      lit = 0;
      // Index the positions inside the match so later data can refer to them.
      const stop = Math.min(ip + len, n - 2);
      for (let p = ip + 1; p < stop; p++) {
        const w = (input[p]! << 16) | (input[p + 1]! << 8) | input[p + 2]!;
        table[(Math.imul(w, 0x9e3779b1) >>> (32 - HASH_BITS)) & (HASH_SIZE - 1)] = base + p;
      }
      ip += len;
    } else {
      if (op >= maxOut) return null;
      out[op++] = input[ip++]!;
      if (++lit === MAX_LITERAL) {
        out[ctrlPos] = MAX_LITERAL - 1;
        if (op >= maxOut) return null;
        ctrlPos = op++;
        lit = 0;
      }
    }
  }
  while (ip < n) {
    if (op >= maxOut) return null;
    out[op++] = input[ip++]!;
    if (++lit === MAX_LITERAL) {
      out[ctrlPos] = MAX_LITERAL - 1;
      if (ip < n) {
        if (op >= maxOut) return null;
        ctrlPos = op++;
      }
      lit = 0;
    }
  }
  if (lit > 0) out[ctrlPos] = lit - 1;
  else if (ctrlPos === op - 1) op--; // an opened run that got no bytes
  return out.subarray(0, op);
}
