/*
 * Strict number parsing and formatting with Redis semantics. Arguments arrive as bytes; Redis accepts
 * an integer only in canonical form (`string2ll`: optional '-', no '+', no leading zeros, no spaces,
 * at most 20 characters, inside int64) and a float only when strtod consumes every byte.
 */

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/**
 * Parses a canonical int64. Returns the value as a number (rounded past 2^53, which is exact
 * enough for counts, indexes and comparisons) or undefined when the bytes are not an int64.
 */
export function parseLong(buf: Buffer): number | undefined {
  const len = buf.length;
  if (len === 0 || len > 20) return undefined;
  let i = 0;
  let negative = false;
  if (buf[0] === 45 /* - */) {
    if (len === 1) return undefined;
    negative = true;
    i = 1;
  }
  const first = buf[i]!;
  if (first === 48 /* 0 */) return len === 1 ? 0 : undefined;
  if (first < 49 || first > 57) return undefined;
  if (len - i <= 15) {
    let v = 0;
    for (; i < len; i++) {
      const d = buf[i]! - 48;
      if (d < 0 || d > 9) return undefined;
      v = v * 10 + d;
    }
    return negative ? -v : v;
  }
  const exact = parseLongExact(buf);
  return exact === undefined ? undefined : Number(exact);
}

/** As parseLong, exact for the whole int64 range (used where overflow must be detected). */
export function parseLongExact(buf: Buffer): bigint | undefined {
  const len = buf.length;
  if (len === 0 || len > 20) return undefined;
  let i = buf[0] === 45 ? 1 : 0;
  if (i === len) return undefined;
  if (buf[i] === 48) return len === 1 ? 0n : undefined;
  for (; i < len; i++) {
    const c = buf[i]!;
    if (c < 48 || c > 57) return undefined;
  }
  const v = BigInt(buf.latin1Slice(0, len));
  return v > INT64_MAX || v < INT64_MIN ? undefined : v;
}

/** parseLong for a value already held as a latin1 string (stored string values). */
export function parseLongString(s: string): number | undefined {
  return parseLong(Buffer.from(s, 'latin1'));
}

export function isInt64(v: bigint): boolean {
  return v <= INT64_MAX && v >= INT64_MIN;
}

const WHITESPACE = /[\s\0]/;
const INF = /^[+-]?inf(inity)?$/i;

/**
 * Parses a float as Redis's getDoubleFromObject does: strtod over every byte, no spaces,
 * no NaN, overflow is an error but a spelled-out "inf" is not.
 */
export function parseDouble(buf: Buffer): number | undefined {
  const n = buf.length;
  if (n === 0 || n > 5000) return undefined;
  // Most scores are short plain integers: read them from the bytes, exactly (at most 15 digits),
  // without building a string. Anything else takes the general path.
  if (n <= 15) {
    let i = buf[0] === 45 ? 1 : 0;
    if (i < n) {
      let v = 0;
      for (; i < n; i++) {
        const d = buf[i]! - 48;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
      }
      if (i === n) return buf[0] === 45 ? -v : v;
    }
  }
  const text = buf.latin1Slice(0, n);
  return parseDoubleString(text);
}

export function parseDoubleString(text: string): number | undefined {
  if (text.length === 0 || WHITESPACE.test(text)) return undefined;
  const v = Number(text);
  if (Number.isNaN(v)) {
    if (INF.test(text)) return text[0] === '-' ? -Infinity : Infinity;
    return undefined;
  }
  if (!Number.isFinite(v)) return INF.test(text) ? v : undefined;
  // Number() accepts forms strtod does not: "0b1", "0o7", and "" handled above.
  const c1 = text.charCodeAt(1) | 0x20;
  if (text.charCodeAt(0) === 48 && (c1 === 0x62 || c1 === 0x6f)) return undefined;
  if (v === 0 && /[1-9]/.test(text.replace(/e.*$/i, ''))) return undefined; // strtod underflow: ERANGE
  return v;
}

/** printf("%.17g") as Redis 7.0 replies doubles (ZSCORE, GEODIST...). */
export function formatDouble17g(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  let text = d.toExponential(16); // 17 significant digits: d.dddddddddddddddde±x
  const ePos = text.indexOf('e');
  let mantissa = text.slice(0, ePos);
  const realExp = Number(text.slice(ePos + 1));
  if (realExp < -4 || realExp >= 17) {
    if (mantissa.includes('.')) mantissa = mantissa.replace(/0+$/, '').replace(/\.$/, '');
    const sign = realExp < 0 ? '-' : '+';
    const abs = Math.abs(realExp);
    return `${mantissa}e${sign}${abs < 10 ? '0' : ''}${abs}`;
  }
  text = d.toFixed(Math.max(0, 16 - realExp));
  if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '');
  return text;
}

/** Shortest round-trip form, as RESP3 doubles and Redis 7.2+ print them. */
export function formatDoubleShortest(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  const text = String(d);
  return text.includes('e') ? text.replace(/e\+?/, 'e') : text;
}
