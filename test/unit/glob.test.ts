/*
 * globMatch against Redis 7.0's stringmatchlen: classes, ranges, escapes, the empty text, and a
 * pathological pattern that must stay fast (skipLongerMatches).
 */
import { describe, expect, test } from 'vitest';
import { globMatch } from '../../commands/glob.js';

describe('globMatch', () => {
  test.each([
    ['*', '', false], ['', '', true], ['*', 'a', true], ['a*', 'a', true], ['a**', 'a', true], ['a*b', 'a', false],
    ['?', '', false], ['h?llo', 'hello', true], ['h[^e]llo', 'hallo', true], ['h[^e]llo', 'hello', false],
    ['h[b-a]llo', 'hallo', true], ['[a-]', '-', false], ['[a-]', 'a', true], ['\\*', '*', true], ['\\*', 'x', false],
    ['a\\', 'a\\', true], ['[\\]]', ']', true], ['x[', 'x', false], ['x[ab', 'xa', true], ['*.txt', 'a.txt', true],
  ])('%j vs %j -> %s', (pattern, text, expected) => {
    expect(globMatch(pattern, text)).toBe(expected);
  });

  test('nocase folds ASCII letters, ranges included', () => {
    expect(globMatch('HE[K-M]LO', 'hello', true)).toBe(true);
    expect(globMatch('HELLO', 'hello')).toBe(false);
  });

  test('a pathological pattern fails fast', () => {
    const start = performance.now();
    expect(globMatch(`${'a*'.repeat(30)}b`, 'a'.repeat(60))).toBe(false);
    expect(performance.now() - start).toBeLessThan(200);
  });
});
