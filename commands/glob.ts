/*
 * Glob matching with the rules of Redis's stringmatchlen (KEYS, SCAN MATCH, CONFIG GET, PSUBSCRIBE):
 * `*` any run, `?` one byte, `[abc]` `[^a]` `[a-z]` classes (a reversed range still matches),
 * `\x` a literal x. Works on latin1 strings, one char per byte.
 */

export function globMatch(pattern: string, text: string, nocase = false): boolean {
  // stringmatchlen compares only while both sides have bytes left: an empty text matches only an
  // empty pattern, so `*` does not match "" (KEYS * and SCAN MATCH * skip matching altogether).
  if (text.length === 0) return pattern.length === 0;
  return matchAt(pattern, 0, text, 0, nocase, 0) === MATCH;
}

const NO_MATCH = 0;
const MATCH = 1;
/**
 * A `*` tried every rest of the text and failed: no other split can succeed either, so every
 * pending `*` stops (Redis 7.0.10's skipLongerMatches, which keeps `a*a*a*...b` linear).
 */
const GIVE_UP = 2;
type Outcome = typeof NO_MATCH | typeof MATCH | typeof GIVE_UP;

function fold(c: number, nocase: boolean): number {
  return nocase && c >= 65 && c <= 90 ? c + 32 : c;
}

function matchAt(p: string, pi: number, s: string, si: number, nocase: boolean, depth: number): Outcome {
  // A bound on recursion, as Redis has for pathological patterns.
  if (depth > 1000) return NO_MATCH;
  const plen = p.length;
  const slen = s.length;
  while (pi < plen) {
    const pc = p.charCodeAt(pi);
    if (pc === 42 /* * */) {
      while (pi + 1 < plen && p.charCodeAt(pi + 1) === 42) pi++;
      if (pi + 1 === plen) return MATCH;
      if (si === slen) return NO_MATCH;
      // The rest of the pattern is not all stars, so it cannot match an empty rest of the text.
      for (let k = si; k < slen; k++) {
        const r = matchAt(p, pi + 1, s, k, nocase, depth + 1);
        if (r !== NO_MATCH) return r;
      }
      return GIVE_UP;
    }
    if (si >= slen) return NO_MATCH;
    const sc = s.charCodeAt(si);
    if (pc === 63 /* ? */) {
      pi++;
      si++;
      continue;
    }
    if (pc === 91 /* [ */) {
      pi++;
      const not = p.charCodeAt(pi) === 94; /* ^ */
      if (not) pi++;
      let matched = false;
      for (;;) {
        if (pi >= plen) {
          pi--; // unterminated class: Redis treats the end as closing it
          break;
        }
        const c = p.charCodeAt(pi);
        if (c === 93 /* ] */) break;
        if (c === 92 /* \ */ && pi + 2 < plen) {
          pi++;
          if (p.charCodeAt(pi) === sc) matched = true;
        } else if (pi + 2 < plen && p.charCodeAt(pi + 1) === 45 /* - */) {
          let start = fold(c, nocase);
          let end = fold(p.charCodeAt(pi + 2), nocase);
          if (start > end) [start, end] = [end, start];
          const t = fold(sc, nocase);
          if (t >= start && t <= end) matched = true;
          pi += 2;
        } else if (fold(c, nocase) === fold(sc, nocase)) {
          matched = true;
        }
        pi++;
      }
      if (not) matched = !matched;
      if (!matched) return NO_MATCH;
      pi++;
      si++;
      continue;
    }
    if (pc === 92 /* \ */ && pi + 1 < plen) pi++;
    if (fold(p.charCodeAt(pi), nocase) !== fold(sc, nocase)) return NO_MATCH;
    pi++;
    si++;
  }
  return si === slen ? MATCH : NO_MATCH;
}
