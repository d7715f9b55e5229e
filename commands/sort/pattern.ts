/*
 * SORT's helpers: BY/GET pattern lookups (`*` substitution, `->field` for hash fields, `#` for the
 * element itself) and the C strtod rules Redis 7.0 applies to sort weights. Patterns and values
 * are latin1 strings (one char per byte); like Redis's C string functions, a pattern is read only
 * up to its first NUL byte where Redis uses strchr/strstr.
 */
import type { Db } from '../keyspace/db.js';
import { HashValue } from '../hash/hash-value.js';

/** The part of s before its first NUL (what a C string function sees). */
export function cString(s: string): string {
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
}

/** True when a BY pattern sorts at all: it has a `*` before any NUL (else SORT keeps the order). */
export function patternSorts(pattern: string): boolean {
  return cString(pattern).includes('*');
}

/**
 * The value a pattern names for element `elem`, as Redis 7.0's lookupKeyByPattern: `#` is the
 * element; otherwise the first `*` is replaced by the element and the key read as a string, or,
 * with `->field` after the `*`, as a hash field. Undefined for a pattern without `*`, a missing
 * key or field, or a key of another type.
 */
export function lookupByPattern(db: Db, pattern: string, elem: string): string | undefined {
  if (pattern.charCodeAt(0) === 35 && (pattern.length === 1 || pattern.charCodeAt(1) === 0)) return elem;
  const c = cString(pattern);
  const star = c.indexOf('*');
  if (star < 0) return undefined;
  const arrow = c.indexOf('->', star + 1);
  const hasField = arrow >= 0 && arrow + 2 < c.length;
  const keyEnd = hasField ? arrow : pattern.length;
  const key = pattern.slice(0, star) + elem + pattern.slice(star + 1, keyEnd);
  const v = db.lookupRead(key);
  if (v === undefined) return undefined;
  if (hasField) {
    if (!(v instanceof HashValue)) return undefined;
    return v.map.get(pattern.slice(arrow + 2));
  }
  return typeof v === 'string' ? v : undefined;
}

const MIN_NORMAL = 2.2250738585072014e-308;
const SPACE = /^[ \t\n\v\f\r]*/;
const DEC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)([pP][+-]?\d+)?/;
const INF = /^[+-]?(infinity|inf)/i;
const NAN = /^[+-]?nan(\([0-9A-Za-z_]*\))?/i;

/**
 * A sort weight as Redis 7.0 reads it: C strtod over the value up to its first NUL, which must be
 * consumed whole; an empty value is 0. Undefined (Redis's "can't be converted" error) for trailing
 * bytes, NaN, overflow, and inexact underflow (glibc's ERANGE).
 */
export function sortWeight(value: string): number | undefined {
  const s = cString(value);
  if (s.length === 0) return 0;
  const body = s.slice(SPACE.exec(s)![0].length);
  if (NAN.test(body)) return undefined;
  let m = INF.exec(body);
  if (m !== null) {
    if (m[0].length !== body.length) return undefined;
    return body.charCodeAt(0) === 45 ? -Infinity : Infinity;
  }
  m = HEX.exec(body);
  if (m !== null) return m[0].length === body.length ? hexWeight(m[1]!, m[2]!, m[3]) : undefined;
  m = DEC.exec(body);
  if (m === null || m[0].length !== body.length) return undefined;
  const v = Number(m[0]);
  if (!Number.isFinite(v)) return undefined;
  const a = Math.abs(v);
  if (a < MIN_NORMAL && (a !== 0 || /[1-9]/.test(m[1]!))) return undefined;
  return v;
}

function hexWeight(sign: string, digits: string, exp: string | undefined): number | undefined {
  const dot = digits.indexOf('.');
  const frac = dot < 0 ? 0 : digits.length - dot - 1;
  const mant = BigInt(`0x${(dot < 0 ? digits : digits.slice(0, dot) + digits.slice(dot + 1)) || '0'}`);
  const e = (exp === undefined ? 0 : Number(exp.slice(1))) - 4 * frac;
  if (mant === 0n) return sign === '-' ? -0 : 0;
  const bits = mant.toString(2).length;
  // Keep 64 significant bits so Number() rounds once, then scale in two exact-ish steps.
  const shift = Math.max(0, bits - 64);
  const head = Number(mant >> BigInt(shift));
  const p = e + shift;
  const v = head * 2 ** Math.trunc(p / 2) * 2 ** (p - Math.trunc(p / 2));
  if (!Number.isFinite(v)) return undefined;
  if (v < MIN_NORMAL) {
    if (v === 0) return undefined;
    // glibc reports ERANGE for an inexact subnormal: exact when mant * 2^e is a multiple of 2^-1074.
    if (e < -1074 && mant % (1n << BigInt(-1074 - e)) !== 0n) return undefined;
  }
  return sign === '-' ? -v : v;
}
