/*
 * Redis's HyperLogLog string format, so values move between Redis and Rewind with GET/SET.
 *
 * Layout (all of it inside an ordinary string value):
 *   bytes 0..3   "HYLL"
 *   byte  4      encoding: 0 dense, 1 sparse
 *   bytes 5..7   unused (zero)
 *   bytes 8..15  cached cardinality, little endian; bit 7 of byte 15 set = cache invalid
 *   bytes 16..   registers: 16384 six-bit registers (dense, 12288 bytes, register i at bit
 *                i*6, least significant bits first), or a run-length sparse stream of opcodes
 *                ZERO 00xxxxxx (1..64 zeros), XZERO 01xxxxxx yyyyyyyy (1..16384 zeros),
 *                VAL 1vvvvvxx (value 1..32 repeated 1..4 times).
 *
 * Elements hash with MurmurHash64A (seed 0xadc83b19); the low 14 bits pick the register and the
 * position of the first set bit in the rest (capped at 51) is the value. Sparse updates rewrite
 * opcodes the way Redis 7.0's hllSparseSet does, so the bytes after each PFADD match Redis's,
 * and promote to dense past hll-sparse-max-bytes or for a value above 32.
 */

export const HLL_P = 14;
export const HLL_Q = 64 - HLL_P;
export const HLL_REGISTERS = 1 << HLL_P;
export const HLL_REGISTER_MAX = 63;
export const HLL_HDR_SIZE = 16;
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + Math.floor((HLL_REGISTERS * 6 + 7) / 8);
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const SPARSE_XZERO_MAX_LEN = 16384;
const ALPHA_INF = 0.721347520444481703680;

export const ERR_INVALID_HLL = 'INVALIDOBJ Corrupted HLL object detected';
export const ERR_NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';

// ---- registers ----------------------------------------------------------------------------------

export function denseGet(regs: Buffer, i: number): number {
  const byte = HLL_HDR_SIZE + ((i * 6) >> 3);
  const fb = (i * 6) & 7;
  const b0 = regs[byte]!;
  const b1 = byte + 1 < regs.length ? regs[byte + 1]! : 0;
  return ((b0 >> fb) | (b1 << (8 - fb))) & HLL_REGISTER_MAX;
}

export function denseSetRaw(regs: Buffer, i: number, v: number): void {
  const byte = HLL_HDR_SIZE + ((i * 6) >> 3);
  const fb = (i * 6) & 7;
  regs[byte] = (regs[byte]! & ~(HLL_REGISTER_MAX << fb)) | ((v << fb) & 0xff);
  if (byte + 1 < regs.length) {
    const fb8 = 8 - fb;
    regs[byte + 1] = (regs[byte + 1]! & ~(HLL_REGISTER_MAX >> fb8)) | (v >> fb8);
  }
}

/** Sets register i to v when v is larger; returns 1 when it changed. */
export function denseSet(regs: Buffer, i: number, v: number): number {
  if (v <= denseGet(regs, i)) return 0;
  denseSetRaw(regs, i, v);
  return 1;
}

/**
 * Walks a sparse stream: visit(first register, run length, value) per opcode (value 0 for the
 * zero opcodes). Returns the number of registers covered, or -1 when a VAL run overflows 16384.
 */
function walkSparse(h: Buffer, visit: (first: number, run: number, value: number) => void): number {
  let idx = 0;
  let p = HLL_HDR_SIZE;
  while (p < h.length) {
    const op = h[p]!;
    if ((op & 0xc0) === 0) {
      const run = (op & 0x3f) + 1;
      visit(idx, run, 0);
      idx += run;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      const run = (((op & 0x3f) << 8) | (h[p + 1] ?? 0)) + 1;
      visit(idx, run, 0);
      idx += run;
      p += 2;
    } else {
      const run = (op & 3) + 1;
      if (run + idx > HLL_REGISTERS) return -1;
      visit(idx, run, ((op >> 2) & 0x1f) + 1);
      idx += run;
      p++;
    }
  }
  return idx;
}

/** A fresh empty HLL: sparse, one XZERO covering every register, cache valid at 0. */
export function createHll(): Buffer {
  const h = Buffer.alloc(HLL_HDR_SIZE + 2);
  h.write('HYLL', 0, 'latin1');
  h[4] = HLL_SPARSE;
  h[16] = 0x40 | ((SPARSE_XZERO_MAX_LEN - 1) >> 8);
  h[17] = (SPARSE_XZERO_MAX_LEN - 1) & 0xff;
  return h;
}

/** True when the bytes pass Redis's isHLLObjectOrReply checks. */
export function isHll(s: string): boolean {
  if (s.length < HLL_HDR_SIZE || !s.startsWith('HYLL')) return false;
  const enc = s.charCodeAt(4);
  if (enc > HLL_SPARSE) return false;
  return enc !== HLL_DENSE || s.length === HLL_DENSE_SIZE;
}

/** The dense form of a sparse HLL (header copied, encoding changed), or null when corrupt. */
export function sparseToDense(h: Buffer): Buffer | null {
  if (h[4] === HLL_DENSE) return h;
  const d = Buffer.alloc(HLL_DENSE_SIZE);
  h.copy(d, 0, 0, HLL_HDR_SIZE);
  d[4] = HLL_DENSE;
  const n = walkSparse(h, (first, run, value) => {
    if (value !== 0) for (let i = 0; i < run; i++) denseSetRaw(d, first + i, value);
  });
  return n === HLL_REGISTERS ? d : null;
}

const valOp = (value: number, len: number): number => 0x80 | ((value - 1) << 2) | (len - 1);

/** ZERO or XZERO opcode bytes for a run of `len` zero registers. */
function zeroOps(len: number): number[] {
  if (len > SPARSE_ZERO_MAX_LEN) return [0x40 | ((len - 1) >> 8), (len - 1) & 0xff];
  return [len - 1];
}

export interface SparseResult {
  /** 1 changed, 0 unchanged, -1 corrupt. */
  readonly status: number;
  /** The (possibly new, possibly dense) value. */
  readonly hll: Buffer;
}

/** Redis 7.0's hllSparseSet: raise register `index` to `count`, promoting to dense when needed. */
export function sparseSet(h: Buffer, index: number, count: number, maxBytes: number): SparseResult {
  if (count > SPARSE_VAL_MAX_VALUE) return promote(h, index, count);
  let p = HLL_HDR_SIZE;
  const end = h.length;
  let first = 0;
  let prev = -1;
  let span = 0;
  let oplen = 1;
  while (p < end) {
    const op = h[p]!;
    oplen = 1;
    if ((op & 0xc0) === 0) span = (op & 0x3f) + 1;
    else if (op & 0x80) span = (op & 3) + 1;
    else {
      span = (((op & 0x3f) << 8) | (h[p + 1] ?? 0)) + 1;
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return { status: -1, hll: h };
  const op = h[p]!;
  const isZero = (op & 0xc0) === 0;
  const isXzero = (op & 0xc0) === 0x40;
  let out: Buffer;
  if (op & 0x80) {
    const old = ((op >> 2) & 0x1f) + 1;
    if (old >= count) return { status: 0, hll: h };
    if (span === 1) {
      out = Buffer.from(h);
      out[p] = valOp(count, 1);
      return { status: 1, hll: mergeAdjacent(out, prev) };
    }
  }
  if (isZero && span === 1) {
    out = Buffer.from(h);
    out[p] = valOp(count, 1);
    return { status: 1, hll: mergeAdjacent(out, prev) };
  }
  const last = first + span - 1;
  const seq: number[] = [];
  if (isZero || isXzero) {
    if (index !== first) seq.push(...zeroOps(index - first));
    seq.push(valOp(count, 1));
    if (index !== last) seq.push(...zeroOps(last - index));
  } else {
    const cur = ((op >> 2) & 0x1f) + 1;
    if (index !== first) seq.push(valOp(cur, index - first));
    seq.push(valOp(count, 1));
    if (index !== last) seq.push(valOp(cur, last - index));
  }
  const oldLen = isXzero ? 2 : 1;
  if (seq.length - oldLen > 0 && h.length + seq.length - oldLen > maxBytes) return promote(h, index, count);
  out = Buffer.concat([h.subarray(0, p), Buffer.from(seq), h.subarray(p + oldLen)]);
  return { status: 1, hll: mergeAdjacent(out, prev) };
}

function promote(h: Buffer, index: number, count: number): SparseResult {
  const d = sparseToDense(h);
  if (d === null) return { status: -1, hll: h };
  denseSet(d, index, count);
  return { status: 1, hll: d };
}

/** Step 4 of hllSparseSet: merge equal adjacent VAL opcodes, scanning 5 opcodes from prev. */
function mergeAdjacent(h: Buffer, prev: number): Buffer {
  let p = prev >= 0 ? prev : HLL_HDR_SIZE;
  let end = h.length;
  let scan = 5;
  while (p < end && scan-- > 0) {
    const op = h[p]!;
    if ((op & 0xc0) === 0x40) {
      p += 2;
      continue;
    }
    if ((op & 0xc0) === 0) {
      p++;
      continue;
    }
    if (p + 1 < end && h[p + 1]! & 0x80) {
      const next = h[p + 1]!;
      const v1 = ((op >> 2) & 0x1f) + 1;
      const v2 = ((next >> 2) & 0x1f) + 1;
      const len = (op & 3) + 1 + (next & 3) + 1;
      if (v1 === v2 && len <= SPARSE_VAL_MAX_LEN) {
        h[p + 1] = valOp(v1, len);
        h.copy(h, p, p + 1, end);
        end--;
        continue;
      }
    }
    p++;
  }
  return end === h.length ? h : h.subarray(0, end);
}

// ---- cardinality --------------------------------------------------------------------------------

/** Max-merges the registers of hll into max (Redis's hllMerge); false when corrupt. */
export function mergeInto(max: Uint8Array, h: Buffer): boolean {
  if (h[4] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGet(h, i);
      if (v > max[i]!) max[i] = v;
    }
    return true;
  }
  const n = walkSparse(h, (first, run, value) => {
    for (let i = first; i < first + run && value !== 0; i++) if (value > max[i]!) max[i] = value;
  });
  return n === HLL_REGISTERS;
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    z -= Math.pow(1 - x, 2) * y;
  } while (zPrime !== z);
  return z / 3;
}

/** Ertl's estimator over a register histogram, as Redis's hllCount. */
function estimate(histo: Int32Array): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histo[HLL_Q + 1]!) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += histo[j]!;
    z *= 0.5;
  }
  z += m * sigma(histo[0]! / m);
  return Math.round((ALPHA_INF * m * m) / z);
}

/** The cardinality of an HLL value, or -1 when its sparse stream is corrupt. */
export function count(h: Buffer): number {
  const histo = new Int32Array(64);
  if (h[4] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) histo[denseGet(h, i)]!++;
  } else {
    let idx = 0;
    let p = HLL_HDR_SIZE;
    // Unlike merging, Redis's histogram walk does not stop on an overlong VAL run.
    while (p < h.length) {
      const op = h[p]!;
      if ((op & 0xc0) === 0) {
        histo[0] = histo[0]! + (op & 0x3f) + 1;
        idx += (op & 0x3f) + 1;
        p++;
      } else if ((op & 0xc0) === 0x40) {
        const run = (((op & 0x3f) << 8) | (h[p + 1] ?? 0)) + 1;
        histo[0] = histo[0]! + run;
        idx += run;
        p += 2;
      } else {
        const v = ((op >> 2) & 0x1f) + 1;
        histo[v] = histo[v]! + (op & 3) + 1;
        idx += (op & 3) + 1;
        p++;
      }
    }
    if (idx !== HLL_REGISTERS) return -1;
  }
  return estimate(histo);
}

/** The cardinality of raw registers (one byte each), as PFCOUNT of several keys. */
export function countRaw(regs: Uint8Array): number {
  const histo = new Int32Array(64);
  for (let i = 0; i < HLL_REGISTERS; i++) histo[regs[i]!]!++;
  return estimate(histo);
}

export function cacheValid(h: Buffer): boolean {
  return (h[15]! & 0x80) === 0;
}

export function invalidateCache(h: Buffer): void {
  h[15] = h[15]! | 0x80;
}

export function readCache(h: Buffer): bigint {
  return h.readBigUInt64LE(8);
}

export function writeCache(h: Buffer, card: number): void {
  h.writeBigUInt64LE(BigInt(card), 8);
}
