/*
 * INCRBYFLOAT arithmetic as Redis 7.0 does it on x86-64: both operands are read with strtold into
 * an x87 80-bit long double (64-bit significand, exponent down to 2^-16445 with subnormals),
 * added in that precision, and printed with "%.17Lf" before trailing zeros are stripped.
 *
 * Emulated exactly with BigInt: a value is sign * m * 2^e with m < 2^64. Parsing and adding are
 * exact rational operations followed by one round-half-even to 64 bits, which is what strtold
 * and the FPU do, and printing is an exact decimal expansion rounded half-even at 17 fractional
 * digits, as glibc's printf does. So results match Redis byte for byte, large exponents included.
 */

/** sign * m * 2^e; m === 0n is zero. */
export interface LongDouble {
  readonly neg: boolean;
  readonly m: bigint;
  readonly e: number;
}

/** What strtold may yield that Redis accepts: a finite value or an infinity. */
export type ParsedLongDouble = LongDouble | 'inf' | '-inf';

/** Redis refuses numbers of this many bytes or more (MAX_LONG_DOUBLE_CHARS). */
const MAX_CHARS = 5 * 1024;
/** The smallest subnormal is 2^MIN_E; every finite value is below 2^MAX_BITS. */
const MIN_E = -16445;
const MAX_BITS = 16384;

const DECIMAL = /^([+-]?)(?:(\d+)\.?(\d*)|\.(\d+))(?:[eE]([+-]?\d+))?$/;
const HEX = /^([+-]?)0[xX](?:([0-9a-fA-F]+)\.?([0-9a-fA-F]*)|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?$/;
const INFINITY = /^([+-]?)inf(?:inity)?$/i;

const ZERO: LongDouble = { neg: false, m: 0n, e: 0 };
const TEN17 = 10n ** 17n;

const pow10Cache = new Map<number, bigint>();
function pow10(n: number): bigint {
  let p = pow10Cache.get(n);
  if (p === undefined) {
    p = 10n ** BigInt(n);
    if (pow10Cache.size < 64) pow10Cache.set(n, p);
  }
  return p;
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** An exponent written in the input, clamped: anything past a billion overflows or underflows anyway. */
function exponentOf(text: string | undefined): number {
  if (text === undefined) return 0;
  const v = Number(text);
  return v > 1e9 ? 1e9 : v < -1e9 ? -1e9 : v;
}

/**
 * Parses a stored value or an argument as Redis's string2ld does: strtold must consume every byte
 * (so an embedded NUL is refused), no leading space, no NaN, and overflow or underflow to zero
 * are errors. Returns undefined when Redis answers "value is not a valid float".
 */
export function parseLongDouble(input: string): ParsedLongDouble | undefined {
  if (input.length === 0 || input.length >= MAX_CHARS) return undefined;
  const s = input;
  let match = DECIMAL.exec(s);
  if (match !== null) {
    const neg = match[1] === '-';
    const intDigits = match[2] ?? '';
    const fracDigits = match[3] ?? match[4] ?? '';
    const digits = (intDigits + fracDigits).replace(/^0+/, '');
    if (digits === '') return neg ? { neg, m: 0n, e: 0 } : ZERO;
    const exp10 = exponentOf(match[5]) - fracDigits.length;
    const magnitude = digits.length + exp10; // value in [10^(magnitude-1), 10^magnitude)
    if (magnitude > 4934) return undefined; // above LDBL_MAX (~1.19e4932): ERANGE, HUGE_VALL
    if (magnitude < -4952) return undefined; // below half the smallest subnormal: ERANGE, zero
    const d = BigInt(digits);
    const v = exp10 >= 0 ? roundExtended(neg, d * pow10(exp10), 1n, 0) : roundExtended(neg, d, pow10(-exp10), 0);
    return v === undefined || v.m === 0n ? undefined : v;
  }
  match = HEX.exec(s);
  if (match !== null) {
    const neg = match[1] === '-';
    const intDigits = match[2] ?? '';
    const fracDigits = match[3] ?? match[4] ?? '';
    const digits = (intDigits + fracDigits).replace(/^0+/, '');
    if (digits === '') return neg ? { neg, m: 0n, e: 0 } : ZERO;
    const exp2 = exponentOf(match[5]) - 4 * fracDigits.length;
    const magnitude = digits.length * 4 + exp2;
    if (magnitude > MAX_BITS + 1) return undefined;
    if (magnitude < MIN_E - 1) return undefined;
    const v = roundExtended(neg, BigInt(`0x${digits}`), 1n, exp2);
    return v === undefined || v.m === 0n ? undefined : v;
  }
  match = INFINITY.exec(s);
  if (match !== null) return match[1] === '-' ? '-inf' : 'inf';
  return undefined;
}

/**
 * Rounds num/den * 2^exp2 (num, den > 0) to the nearest long double, ties to even, with
 * subnormals. Returns undefined on overflow (the FPU would give an infinity).
 */
function roundExtended(neg: boolean, num: bigint, den: bigint, exp2: number): LongDouble | undefined {
  if (num === 0n) return { neg, m: 0n, e: 0 };
  // value lies in [2^(k-1), 2^(k+1)); scale it so the quotient has 66 or 67 bits.
  const k = bitLength(num) - bitLength(den) + exp2;
  const s = 66 - k;
  const shift = exp2 + s;
  let n = num;
  let d = den;
  if (shift >= 0) n <<= BigInt(shift);
  else d <<= BigInt(-shift);
  let q = n / d;
  const sticky = n % d !== 0n;
  let e = -s;
  let drop = bitLength(q) - 64;
  if (e + drop < MIN_E) drop = MIN_E - e;
  const bigDrop = BigInt(drop);
  const rem = q & ((1n << bigDrop) - 1n);
  const half = 1n << (bigDrop - 1n);
  q >>= bigDrop;
  e += drop;
  if (rem > half || (rem === half && (sticky || (q & 1n) === 1n))) q += 1n;
  if (q === 1n << 64n) {
    q >>= 1n;
    e += 1;
  }
  if (q !== 0n && e + bitLength(q) > MAX_BITS) return undefined;
  return { neg, m: q, e };
}

/** a + b in long double precision; undefined when the sum is infinite. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | undefined {
  if (a.m === 0n) return b.m === 0n ? { neg: a.neg && b.neg, m: 0n, e: 0 } : b;
  if (b.m === 0n) return a;
  const emin = Math.min(a.e, b.e);
  const av = a.m << BigInt(a.e - emin);
  const bv = b.m << BigInt(b.e - emin);
  const sum = (a.neg ? -av : av) + (b.neg ? -bv : bv);
  if (sum === 0n) return ZERO;
  return sum < 0n ? roundExtended(true, -sum, 1n, emin) : roundExtended(false, sum, 1n, emin);
}

/** "%.17Lf" with trailing zeros (and a bare '.') removed, "-0" shown as "0": Redis's LD_STR_HUMAN. */
export function formatLongDoubleHuman(v: LongDouble): string {
  let digits: bigint;
  if (v.e >= 0) {
    digits = (v.m << BigInt(v.e)) * TEN17;
  } else {
    const shift = BigInt(-v.e);
    const scaled = v.m * TEN17;
    digits = scaled >> shift;
    const rem = scaled - (digits << shift);
    const half = 1n << (shift - 1n);
    if (rem > half || (rem === half && (digits & 1n) === 1n)) digits += 1n;
  }
  if (digits === 0n) return '0';
  const text = digits.toString().padStart(18, '0');
  const intPart = text.slice(0, text.length - 17);
  let end = text.length;
  while (end > text.length - 17 && text.charCodeAt(end - 1) === 48) end--;
  const frac = text.slice(text.length - 17, end);
  return (v.neg ? '-' : '') + intPart + (frac.length > 0 ? `.${frac}` : '');
}
