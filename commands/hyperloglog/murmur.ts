/*
 * MurmurHash64A with Redis's HLL seed, and the register index / value an element maps to
 * (Redis's hllPatLen). Must match Redis bit for bit, or HLL values could not move between servers.
 */

const HLL_P = 14;
const HLL_Q = 64 - HLL_P;
const HLL_REGISTERS = 1 << HLL_P;

// 64-bit arithmetic on unsigned 32-bit halves: exact (every partial product stays below 2^53)
// and about ten times faster than BigInt per element.

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const SEED = 0xadc83b19;
/** Scratch for mul64's result: [high, low]. */
const R = new Uint32Array(2);

/** (ah:al * bh:bl) mod 2^64 into R, in 16-bit limbs so no partial sum reaches 2^53. */
function mul64(ah: number, al: number, bh: number, bl: number): void {
  const a48 = ah >>> 16;
  const a32 = ah & 0xffff;
  const a16 = al >>> 16;
  const a00 = al & 0xffff;
  const b48 = bh >>> 16;
  const b32 = bh & 0xffff;
  const b16 = bl >>> 16;
  const b00 = bl & 0xffff;
  let c00 = a00 * b00;
  let c16 = c00 >>> 16;
  c00 &= 0xffff;
  c16 += a16 * b00;
  let c32 = c16 >>> 16;
  c16 &= 0xffff;
  c16 += a00 * b16;
  c32 += c16 >>> 16;
  c16 &= 0xffff;
  c32 += a32 * b00;
  let c48 = c32 >>> 16;
  c32 &= 0xffff;
  c32 += a16 * b16;
  c48 += c32 >>> 16;
  c32 &= 0xffff;
  c32 += a00 * b32;
  c48 += c32 >>> 16;
  c32 &= 0xffff;
  c48 += a48 * b00 + a32 * b16 + a16 * b32 + a00 * b48;
  c48 &= 0xffff;
  R[0] = (c48 << 16) | c32;
  R[1] = (c16 << 16) | c00;
}

/** MurmurHash64A(key, len, 0xadc83b19) as Redis computes it (little-endian blocks): [high, low]. */
export function murmurHash64A(key: Buffer): [number, number] {
  const len = key.length;
  mul64(0, len, M_HI, M_LO);
  let hh = R[0]!;
  let hl = (R[1]! ^ SEED) >>> 0;
  const blocks = len - (len & 7);
  for (let i = 0; i < blocks; i += 8) {
    mul64(key.readUInt32LE(i + 4), key.readUInt32LE(i), M_HI, M_LO);
    let kh = R[0]!;
    let kl = (R[1]! ^ (kh >>> 15)) >>> 0;
    mul64(kh, kl, M_HI, M_LO);
    kh = R[0]!;
    kl = R[1]!;
    mul64((hh ^ kh) >>> 0, (hl ^ kl) >>> 0, M_HI, M_LO);
    hh = R[0]!;
    hl = R[1]!;
  }
  const rest = len & 7;
  if (rest > 0) {
    for (let i = rest - 1; i >= 0; i--) {
      const b = key[blocks + i]!;
      if (i >= 4) hh = (hh ^ (b << (8 * (i - 4)))) >>> 0;
      else hl = (hl ^ (b << (8 * i))) >>> 0;
    }
    mul64(hh, hl, M_HI, M_LO);
    hh = R[0]!;
    hl = R[1]!;
  }
  hl = (hl ^ (hh >>> 15)) >>> 0;
  mul64(hh, hl, M_HI, M_LO);
  hh = R[0]!;
  hl = (R[1]! ^ (hh >>> 15)) >>> 0;
  return [hh, hl];
}

/** [register index, value] for an element (Redis's hllPatLen). */
export function patLen(ele: Buffer): [number, number] {
  const [hi, lo] = murmurHash64A(ele);
  const index = lo & (HLL_REGISTERS - 1);
  // The 50 bits above the index, with bit 50 forced to 1 so the count stops at 51.
  const restLo = ((lo >>> HLL_P) | (hi << (32 - HLL_P))) >>> 0;
  const restHi = (hi >>> HLL_P) | (1 << (HLL_Q - 32));
  let count = 1;
  if (restLo !== 0) count += 31 - Math.clz32(restLo & -restLo);
  else count += 32 + 31 - Math.clz32(restHi & -restHi);
  return [index, count];
}

