/*
 * The values a key can hold. A string value is a JS string holding one byte per char (latin1),
 * which V8 stores as a compact one-byte string: cheaper per key than a Buffer, and binary safe.
 * Every other type is an object whose `type` names it as the TYPE command does.
 */

export type CollectionType = 'list' | 'hash' | 'set' | 'zset' | 'stream';

export interface CollectionValue {
  readonly type: CollectionType;
  /** A deep copy that shares nothing mutable with this value (COPY). */
  clone(): CollectionValue;
  /** OBJECT ENCODING's answer, e.g. 'listpack', 'quicklist', 'hashtable', 'intset', 'skiplist'. */
  encoding(): string;
}

export type Value = string | CollectionValue;

export type TypeName = 'string' | CollectionType;

export function typeOf(v: Value): TypeName {
  return typeof v === 'string' ? 'string' : v.type;
}

/** A value safe to store under a second key: strings are immutable, collections are deep-copied. */
export function cloneValue(v: Value): Value {
  return typeof v === 'string' ? v : v.clone();
}
