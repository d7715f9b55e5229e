/*
 * OBJECT ENCODING and REFCOUNT for a stored value. Strings are JS strings here, so the encoding is
 * derived from the bytes the way Redis's tryObjectEncoding would have chosen it when the value was
 * stored: a canonical int64 of at most 20 chars is 'int', up to 44 bytes 'embstr', else 'raw'.
 * (Redis also reports 'raw' for short strings built by APPEND or SETRANGE; we cannot tell those.)
 */
import { parseLongString } from '../../protocol/numbers.js';
import type { Value } from './value.js';

/** Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT. */
const EMBSTR_LIMIT = 44;
/** Redis shares the integer objects 0..OBJ_SHARED_INTEGERS-1 and reports INT_MAX as their refcount. */
const SHARED_INTEGERS = 10000;
const SHARED_REFCOUNT = 2147483647;

export function encodingOf(v: Value): string {
  if (typeof v !== 'string') return v.encoding();
  if (v.length <= 20 && parseLongString(v) !== undefined) return 'int';
  return v.length <= EMBSTR_LIMIT ? 'embstr' : 'raw';
}

/**
 * OBJECT REFCOUNT: Redis stores small non-negative integers as shared objects, unless an LRU/LFU
 * maxmemory policy needs a per-key access clock (sharedIntegers is false then).
 */
export function refcountOf(v: Value, sharedIntegers: boolean): number {
  if (!sharedIntegers || typeof v !== 'string' || v.length > 4) return 1;
  const n = parseLongString(v);
  return n !== undefined && n >= 0 && n < SHARED_INTEGERS ? SHARED_REFCOUNT : 1;
}
