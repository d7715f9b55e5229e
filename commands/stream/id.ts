/*
 * Stream IDs. Both halves are unsigned 64-bit, so an ID is kept as ONE bigint, ms * 2^64 + seq:
 * exact over the whole range (a double is not past 2^53), ordered by plain `<`, and "the next
 * ID" is `id + 1n`, which carries into ms exactly as Redis's streamIncrID does.
 *
 * Parsing mirrors Redis 7.0's streamGenericParseIDOrReply: each half is read like string2ull (a
 * strict int64 first, else strtoull, which accepts leading blanks, a sign and leading zeros).
 */
import { RedisError } from '../../protocol/errors.js';

export type StreamId = bigint;

export const U64_MAX = (1n << 64n) - 1n;
export const ID_MIN: StreamId = 0n;
export const ID_MAX: StreamId = (U64_MAX << 64n) | U64_MAX;

export const ERR_INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';

export function makeId(ms: bigint, seq: bigint): StreamId {
  return (ms << 64n) | seq;
}

export function idMs(id: StreamId): bigint {
  return id >> 64n;
}

export function idSeq(id: StreamId): bigint {
  return id & U64_MAX;
}

export function idText(id: StreamId): string {
  return `${id >> 64n}-${id & U64_MAX}`;
}

const INT64_RE = /^(0|-?[1-9][0-9]*)$/;
const STRTOULL_RE = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/;

/** Redis's string2ull: undefined when the text is not an unsigned 64-bit number. */
export function parseU64(text: string): bigint | undefined {
  if (text.length <= 20 && INT64_RE.test(text)) {
    const v = BigInt(text);
    if (v <= 0x7fffffffffffffffn) return v < 0n ? undefined : v;
  }
  // strtoull: blanks, a sign (a minus negates modulo 2^64), then digits; overflow is ERANGE.
  const m = STRTOULL_RE.exec(text);
  if (m === null) return undefined;
  const v = BigInt(m[2]!);
  if (v > U64_MAX) return undefined;
  return m[1] === '-' ? (U64_MAX + 1n - v) & U64_MAX : v;
}

export interface ParsedId {
  id: StreamId;
  /** False for XADD's `ms-*`: the sequence is to be generated. */
  seqGiven: boolean;
}

/**
 * Parses an ID argument. `-`/`+` are 0-0 / max unless strict; a missing sequence becomes
 * missingSeq; `ms-*` is accepted only when allowAutoSeq (XADD). Throws Redis's invalid-ID error.
 */
export function parseIdFull(buf: Buffer, strict: boolean, missingSeq: bigint, allowAutoSeq = false): ParsedId {
  const text = buf.latin1Slice(0, buf.length);
  const fail = (): never => {
    throw new RedisError(ERR_INVALID_ID);
  };
  if (text.length > 127) fail();
  if (text === '-' || text === '+') {
    if (strict) fail();
    return { id: text === '-' ? ID_MIN : ID_MAX, seqGiven: true };
  }
  const dash = text.indexOf('-');
  if (dash < 0) {
    const ms = parseU64(text) ?? fail();
    return { id: makeId(ms, missingSeq), seqGiven: true };
  }
  const ms = parseU64(text.slice(0, dash)) ?? fail();
  const rest = text.slice(dash + 1);
  if (allowAutoSeq && rest === '*') return { id: makeId(ms, 0n), seqGiven: false };
  const seq = parseU64(rest) ?? fail();
  return { id: makeId(ms, seq), seqGiven: true };
}

/** A plain ID argument (`-`/`+` allowed unless strict). */
export function parseId(buf: Buffer, strict = true, missingSeq = 0n): StreamId {
  return parseIdFull(buf, strict, missingSeq).id;
}

/** An XRANGE bound: `(id` excludes it (never `(-`/`(+`). */
export function parseIntervalId(buf: Buffer, missingSeq: bigint): { id: StreamId; exclusive: boolean } {
  if (buf.length > 1 && buf[0] === 0x28) {
    return { id: parseIdFull(buf.subarray(1), true, missingSeq).id, exclusive: true };
  }
  return { id: parseIdFull(buf, false, missingSeq).id, exclusive: false };
}

export function idBuffer(id: StreamId): Buffer {
  return Buffer.from(idText(id), 'latin1');
}
