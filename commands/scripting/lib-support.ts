/*
 * What the C libraries Redis bundles (cjson, cmsgpack, bit, struct) take from lauxlib, for their
 * TypeScript versions: argument checks with the auxiliary library's exact messages, luaL_error's
 * "chunk:line: " prefix, a growable byte buffer and C's printf("%.<n>g").
 *
 * Numbers follow Redis's 64-bit build (lua_Integer is 64 bits there), not the 32-bit wasm one, so
 * luaL_checkinteger is done here rather than by the wasm library.
 */
import { LUA_GLOBALSINDEX, LuaVm, type LuaState } from './lua-vm.js';

export const T_NONE = -1;
export const T_LIGHTUSERDATA = 2;
export const T_USERDATA = 7;

const TYPE_NAMES = ['nil', 'boolean', 'userdata', 'number', 'string', 'table', 'function', 'userdata', 'thread'];

/** lua_upvalueindex(i). */
export function upvalueIndex(i: number): number {
  return LUA_GLOBALSINDEX - i;
}

/** luaL_typename: the type name of a stack slot ("no value" past the top). */
export function typeName(vm: LuaVm, L: LuaState, idx: number): string {
  const t = vm.type(L, idx);
  return t === T_NONE ? 'no value' : (TYPE_NAMES[t] ?? '?');
}

/** luaL_error: the message prefixed with the caller's position, as a Lua error. */
export function luaError(vm: LuaVm, L: LuaState, message: string): never {
  vm.where(L, 1);
  const where = vm.toText(L, -1) ?? '';
  vm.pop(L, 1);
  LuaVm.fail(where + message);
}

/** luaL_argerror, typed as not returning. */
export function argError(vm: LuaVm, L: LuaState, narg: number, message: string): never {
  vm.argError(L, narg, message);
  throw new Error('luaL_argerror returned');
}

/** luaL_typerror: "<expected> expected, got <type>". */
export function typeError(vm: LuaVm, L: LuaState, narg: number, expected: string): never {
  return argError(vm, L, narg, `${expected} expected, got ${typeName(vm, L, narg)}`);
}

/** luaL_checknumber: strings that convert are accepted, as lua_tonumber does. */
export function checkNumber(vm: LuaVm, L: LuaState, narg: number): number {
  const d = vm.toNumber(L, narg);
  if (d === 0 && !vm.isNumber(L, narg)) typeError(vm, L, narg, 'number');
  return d;
}

/**
 * A double converted to int64 by a C cast on x86-64: truncated, and the "integer indefinite"
 * value -2^63 for NaN and out-of-range values. Returned as a double (exact up to 2^53).
 */
export function toInt64(d: number): number {
  return d >= -9223372036854775808 && d < 9223372036854775808 ? Math.trunc(d) : -9223372036854775808;
}

/** luaL_checkinteger with Redis's 64-bit lua_Integer. */
export function checkInteger(vm: LuaVm, L: LuaState, narg: number): number {
  const d = vm.toNumber(L, narg);
  if (d === 0 && !vm.isNumber(L, narg)) typeError(vm, L, narg, 'number');
  return toInt64(d);
}

/** luaL_optinteger. */
export function optInteger(vm: LuaVm, L: LuaState, narg: number, def: number): number {
  return vm.type(L, narg) <= 0 ? def : checkInteger(vm, L, narg);
}

/** luaL_checklstring: the bytes of a string (or of a number, converted in place). */
export function checkBuffer(vm: LuaVm, L: LuaState, narg: number): Buffer {
  const b = vm.toBuffer(L, narg);
  if (b === null) typeError(vm, L, narg, 'string');
  return b;
}

/** An int64 (as a double) to C's int: the low 32 bits, signed. */
export function toInt32(d: number): number {
  return Number(BigInt.asIntN(32, BigInt(d)));
}

/** An append-only byte buffer that doubles as it grows; `view()` is valid until the next write. */
export class ByteWriter {
  buf: Buffer;
  len = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  reset(): void {
    this.len = 0;
  }

  /** Makes room for n more bytes. */
  ensure(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  byte(b: number): void {
    if (this.len === this.buf.length) this.ensure(1);
    this.buf[this.len++] = b;
  }

  bytes(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    this.ensure(n);
    this.buf.set(src.subarray(start, end), this.len);
    this.len += n;
  }

  /** An ASCII string, one byte per char. */
  ascii(s: string): void {
    const n = s.length;
    this.ensure(n);
    const buf = this.buf;
    let at = this.len;
    for (let i = 0; i < n; i++) buf[at++] = s.charCodeAt(i);
    this.len = at;
  }

  view(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17];
const MIN_NORMAL = 2.2250738585072014e-308;
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/**
 * printf("%.<prec>g", x) as glibc prints it (prec 1..17): the shortest of fixed and exponent
 * forms, trailing zeros dropped, ties rounded to even on the exact binary value.
 */
export function formatG(x: number, prec: number): string {
  if (x !== x) {
    F64[0] = x;
    return (U32[1]! & 0x80000000) !== 0 ? '-nan' : 'nan';
  }
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const abs = Math.abs(x);
  // An integer with at most prec digits prints as itself.
  if (abs < POW10[prec]! && Number.isInteger(x)) return String(x);
  const sign = x < 0 ? '-' : '';
  // When the shortest round-trip form has at most prec digits, rounding the exact value to prec
  // digits gives those digits: a normal double is within 2^-53 (relative) of them, less than half
  // a unit in the 15th digit. Not so for subnormals, nor for 16 or 17 digits.
  if (prec <= 15 && abs >= MIN_NORMAL) {
    const short = splitDigits(String(abs));
    if (short.digits.length <= prec) return sign + layout(short.digits, short.exp, prec);
  }
  const rounded = splitDigits(abs.toExponential(prec - 1));
  let digits = rounded.digits;
  let exp = rounded.exp;
  // JavaScript rounds a tie away from zero, glibc to even: redo the rare exact ties.
  const longer = abs.toExponential(prec);
  if (longer.charCodeAt(longer.indexOf('e') - 1) === 53 /* 5 */) {
    const exact = exactDecimal(abs);
    if (exact !== null && exact.digits.length === prec + 1 && exact.digits.endsWith('5')) {
      let kept = exact.digits.slice(0, prec);
      exp = exact.exp;
      if ((kept.charCodeAt(prec - 1) - 48) % 2 === 1) {
        const up = (BigInt(kept) + 1n).toString();
        if (up.length > prec) exp++;
        kept = up.slice(0, prec);
      }
      digits = stripZeros(kept);
    }
  }
  return sign + layout(digits, exp, prec);
}

/** Significant digits (no leading or trailing zeros) and decimal exponent of a JS number's text. */
function splitDigits(text: string): { digits: string; exp: number } {
  let mant = text;
  let exp = 0;
  const e = text.indexOf('e');
  if (e >= 0) {
    mant = text.slice(0, e);
    exp = Number(text.slice(e + 1));
  }
  const dot = mant.indexOf('.');
  const intPart = dot < 0 ? mant : mant.slice(0, dot);
  let digits = dot < 0 ? mant : intPart + mant.slice(dot + 1);
  exp += intPart.length - 1;
  let lead = 0;
  while (digits.charCodeAt(lead) === 48) lead++;
  if (lead > 0) {
    digits = digits.slice(lead);
    exp -= lead;
  }
  return { digits: stripZeros(digits), exp };
}

function stripZeros(digits: string): string {
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  return end === digits.length ? digits : digits.slice(0, end);
}

/** %g's choice of form for digits d1d2... (no trailing zeros) times 10^exp. */
function layout(digits: string, exp: number, prec: number): string {
  if (exp < -4 || exp >= prec) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ae = exp < 0 ? -exp : exp;
    return `${mant}e${exp < 0 ? '-' : '+'}${ae < 10 ? '0' : ''}${ae}`;
  }
  if (exp < 0) return `0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return digits + '0'.repeat(exp + 1 - digits.length);
  return `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/**
 * The exact decimal value of a positive finite double: significant digits without trailing
 * zeros and the decimal exponent of the first one; null when that runs past 40 digits (then no
 * tie at 17 or fewer digits is possible).
 */
function exactDecimal(abs: number): { digits: string; exp: number } | null {
  F64[0] = abs;
  const hi = U32[1]!;
  const lo = U32[0]!;
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e2: number;
  if (bexp === 0) e2 = -1074;
  else {
    mant |= 1n << 52n;
    e2 = bexp - 1075;
  }
  let intDigits: string;
  let scale: number; // value = intDigits * 10^-scale
  if (e2 >= 0) {
    intDigits = (mant << BigInt(e2)).toString();
    scale = 0;
  } else {
    intDigits = (mant * 5n ** BigInt(-e2)).toString();
    scale = -e2;
  }
  const trimmed = intDigits.replace(/0+$/, '');
  if (trimmed.length > 40) return null;
  return { digits: trimmed, exp: intDigits.length - 1 - scale };
}
