/*
 * parseDouble: the byte fast path for short plain integers must agree with the general (strtod
 * rules) path on every input, including signs, leading zeros, -0 and the 15/16-digit boundary.
 */
import { describe, expect, test } from 'vitest';
import { parseDouble, parseDoubleString } from '../../../protocol/numbers.js';

const cases = [
  '0', '-0', '7', '007', '-007', '42', '-42', '123456789012345', '-12345678901234', '1234567890123456',
  '9007199254740993', '-', '--1', '+5', '1.5', '-1.5', '1e3', ' 1', '1 ', '', 'inf', '-inf', '0x10', '12a', 'nan',
];

describe('parseDouble', () => {
  for (const text of cases) {
    test(JSON.stringify(text), () => {
      const fast = parseDouble(Buffer.from(text, 'latin1'));
      const general = text.length === 0 ? undefined : parseDoubleString(text);
      expect(Object.is(fast, general) || fast === general).toBe(true);
    });
  }

  test('-0 keeps its sign', () => {
    expect(Object.is(parseDouble(Buffer.from('-0')), -0)).toBe(true);
  });
});
