/*
 * cjson.decode's parser (lua_cjson.c of Redis 7.0): the same tokens, checks and error texts
 * ("Expected <what> but found <token> at character <n>"), positions counted in bytes from 1.
 *
 * The input is a C string to the original: a NUL byte ends it (T_END), wherever it is. Strings
 * are bytes; \u escapes, surrogate pairs included, become UTF-8. Numbers are read by strtod, so
 * with decode_invalid_numbers on (the default) hex, a leading +, inf and nan are numbers too.
 * Objects and arrays nest through an explicit stack: the bound is the depth limit or the Lua
 * stack (LUAI_MAXCSTACK), as in C, never the JavaScript stack.
 */
import type { LuaState, LuaVm } from './lua-vm.js';
import { luaError } from './lib-support.js';

// Decoder token types, in json_token_type_t's order (their names appear in error messages).
const TK_OBJ_BEGIN = 0;
const TK_OBJ_END = 1;
const TK_ARR_BEGIN = 2;
const TK_ARR_END = 3;
const TK_STRING = 4;
const TK_NUMBER = 5;
const TK_BOOLEAN = 6;
const TK_NULL = 7;
const TK_COLON = 8;
const TK_COMMA = 9;
const TK_END = 10;
const TK_WHITESPACE = 11;
const TK_ERROR = 12;
const TK_UNKNOWN = 13;
const TOKEN_NAMES = [
  'T_OBJ_BEGIN',
  'T_OBJ_END',
  'T_ARR_BEGIN',
  'T_ARR_END',
  'T_STRING',
  'T_NUMBER',
  'T_BOOLEAN',
  'T_NULL',
  'T_COLON',
  'T_COMMA',
  'T_END',
  'T_WHITESPACE',
  'T_ERROR',
  'T_UNKNOWN',
];

const CH2TOKEN = new Uint8Array(256).fill(TK_ERROR);
CH2TOKEN[0x7b] = TK_OBJ_BEGIN;
CH2TOKEN[0x7d] = TK_OBJ_END;
CH2TOKEN[0x5b] = TK_ARR_BEGIN;
CH2TOKEN[0x5d] = TK_ARR_END;
CH2TOKEN[0x2c] = TK_COMMA;
CH2TOKEN[0x3a] = TK_COLON;
CH2TOKEN[0] = TK_END;
for (const c of [0x20, 0x09, 0x0a, 0x0d]) CH2TOKEN[c] = TK_WHITESPACE;
for (const c of 'fiInNt"+-0123456789') CH2TOKEN[c.charCodeAt(0)] = TK_UNKNOWN;

/** escape2char: the byte a backslash escape stands for; 0 is an error, 'u' needs hex digits. */
const ESCAPE2CHAR = new Uint8Array(256);
ESCAPE2CHAR[0x22] = 0x22;
ESCAPE2CHAR[0x5c] = 0x5c;
ESCAPE2CHAR[0x2f] = 0x2f;
ESCAPE2CHAR[0x62] = 0x08;
ESCAPE2CHAR[0x74] = 0x09;
ESCAPE2CHAR[0x6e] = 0x0a;
ESCAPE2CHAR[0x66] = 0x0c;
ESCAPE2CHAR[0x72] = 0x0d;
ESCAPE2CHAR[0x75] = 0x75;

const FRAME_ARRAY = 0;
const FRAME_OBJECT = 1;

/** One per VM; its state is valid during one decode() call. */
export class JsonDecoder {
  private data: Buffer = Buffer.alloc(0);
  private ptr = 0;
  private depth = 0;
  private allowInvalidNumbers = true;
  private maxDepth = 1000;
  private tmp: Buffer = Buffer.alloc(0);
  private tkType = 0;
  private tkIndex = 0;
  private tkNumber = 0;
  private tkBool = false;
  private tkString: Buffer = Buffer.alloc(0);
  private tkError = '';
  // Open arrays and objects: kind, next array index.
  private readonly frameKind: number[] = [];
  private readonly framePos: number[] = [];

  constructor(private readonly vm: LuaVm) {}

  /** json_decode after its argument checks: pushes the value of data, or raises cjson's error. */
  decode(L: LuaState, data: Buffer, allowInvalidNumbers: boolean, maxDepth: number): void {
    this.data = data;
    this.ptr = 0;
    this.depth = 0;
    this.allowInvalidNumbers = allowInvalidNumbers;
    this.maxDepth = maxDepth;
    // A decoded string is never longer than the text it comes from.
    if (this.tmp.length < data.length) this.tmp = Buffer.allocUnsafe(Math.max(data.length, 256));
    this.nextToken();
    this.processValue(L);
    if (this.nextToken() !== TK_END) this.parseError(L, 'the end');
  }

  /** The byte at i, 0 past the end (the C string's terminator). */
  private at(i: number): number {
    return i < this.data.length ? this.data[i]! : 0;
  }

  private parseError(L: LuaState, expected: string): never {
    const found = this.tkType === TK_ERROR ? this.tkError : TOKEN_NAMES[this.tkType]!;
    return luaError(this.vm, L, `Expected ${expected} but found ${found} at character ${this.tkIndex + 1}`);
  }

  private setTokenError(message: string): void {
    this.tkType = TK_ERROR;
    this.tkIndex = this.ptr;
    this.tkError = message;
  }

  /** json_next_token: reads the next token into tk*; returns its type. */
  private nextToken(): number {
    this.scanToken();
    return this.tkType;
  }

  private scanToken(): void {
    let ch: number;
    for (;;) {
      ch = this.at(this.ptr);
      this.tkType = CH2TOKEN[ch]!;
      if (this.tkType !== TK_WHITESPACE) break;
      this.ptr++;
    }
    this.tkIndex = this.ptr;
    if (this.tkType === TK_ERROR) {
      this.setTokenError('invalid token');
      return;
    }
    if (this.tkType === TK_END) return;
    if (this.tkType !== TK_UNKNOWN) {
      this.ptr++;
      return;
    }
    if (ch === 0x22) {
      this.nextStringToken();
      return;
    }
    if (ch === 0x2d || (ch >= 0x30 && ch <= 0x39)) {
      if (!this.allowInvalidNumbers && this.isInvalidNumber()) {
        this.setTokenError('invalid number');
        return;
      }
      this.nextNumberToken();
      return;
    }
    if (this.matches('true')) {
      this.tkType = TK_BOOLEAN;
      this.tkBool = true;
      this.ptr += 4;
      return;
    }
    if (this.matches('false')) {
      this.tkType = TK_BOOLEAN;
      this.tkBool = false;
      this.ptr += 5;
      return;
    }
    if (this.matches('null')) {
      this.tkType = TK_NULL;
      this.ptr += 4;
      return;
    }
    if (this.allowInvalidNumbers && this.isInvalidNumber()) {
      this.nextNumberToken();
      return;
    }
    this.setTokenError('invalid token');
  }

  private matches(word: string): boolean {
    for (let i = 0; i < word.length; i++) if (this.at(this.ptr + i) !== word.charCodeAt(i)) return false;
    return true;
  }

  private matchesCaseless(at: number, word: string): boolean {
    for (let i = 0; i < word.length; i++) if ((this.at(at + i) | 0x20) !== word.charCodeAt(i)) return false;
    return true;
  }

  /** json_is_invalid_number: a leading +, hex, leading zeros, inf or nan (strtod's extras). */
  private isInvalidNumber(): boolean {
    let p = this.ptr;
    let c = this.at(p);
    if (c === 0x2b) return true;
    if (c === 0x2d) c = this.at(++p);
    if (c === 0x30) {
      const c2 = this.at(p + 1);
      return (c2 | 0x20) === 0x78 || (c2 >= 0x30 && c2 <= 0x39);
    }
    if (c <= 0x39) return false;
    return this.matchesCaseless(p, 'inf') || this.matchesCaseless(p, 'nan');
  }

  private nextNumberToken(): void {
    const end = strtodEnd(this.data, this.ptr);
    if (end.end === this.ptr) {
      this.setTokenError('invalid number');
      return;
    }
    this.tkType = TK_NUMBER;
    this.tkNumber = end.value;
    this.ptr = end.end;
  }

  private nextStringToken(): void {
    const data = this.data;
    this.ptr++;
    const start = this.ptr;
    // Fast path: no escapes, so the token is a slice of the input.
    let p = start;
    const len = data.length;
    while (p < len) {
      const c = data[p]!;
      if (c === 0x22 || c === 0x5c || c === 0) break;
      p++;
    }
    if (p < len && data[p] === 0x22) {
      this.tkType = TK_STRING;
      this.tkString = data.subarray(start, p);
      this.ptr = p + 1;
      return;
    }
    const tmp = this.tmp;
    let n = p - start;
    data.copy(tmp, 0, start, p);
    this.ptr = p;
    for (;;) {
      let ch = this.at(this.ptr);
      if (ch === 0x22) break;
      if (ch === 0) {
        this.setTokenError('unexpected end of string');
        return;
      }
      if (ch === 0x5c) {
        ch = ESCAPE2CHAR[this.at(this.ptr + 1)]!;
        if (ch === 0x75) {
          const added = this.unicodeEscape(n);
          if (added > 0) {
            n += added;
            continue;
          }
          this.setTokenError('invalid unicode escape code');
          return;
        }
        if (ch === 0) {
          this.setTokenError('invalid escape code');
          return;
        }
        this.ptr++;
      }
      tmp[n++] = ch;
      this.ptr++;
    }
    this.ptr++;
    this.tkType = TK_STRING;
    this.tkString = tmp.subarray(0, n);
  }

  private hex4(at: number): number {
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const c = this.at(at + i);
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else {
        const l = c | 0x20;
        if (l >= 0x61 && l <= 0x66) d = l - 0x61 + 10;
        else return -1;
      }
      v = (v << 4) | d;
    }
    return v;
  }

  /** json_append_unicode_escape: writes UTF-8 at tmp[n]; returns the bytes written, 0 on error. */
  private unicodeEscape(n: number): number {
    let cp = this.hex4(this.ptr + 2);
    if (cp < 0) return 0;
    let escapeLen = 6;
    if ((cp & 0xf800) === 0xd800) {
      if (cp & 0x400) return 0;
      if (this.at(this.ptr + 6) !== 0x5c || this.at(this.ptr + 7) !== 0x75) return 0;
      const low = this.hex4(this.ptr + 8);
      if (low < 0 || (low & 0xfc00) !== 0xdc00) return 0;
      cp = (((cp & 0x3ff) << 10) | (low & 0x3ff)) + 0x10000;
      escapeLen = 12;
    }
    const tmp = this.tmp;
    let len: number;
    if (cp <= 0x7f) {
      tmp[n] = cp;
      len = 1;
    } else if (cp <= 0x7ff) {
      tmp[n] = (cp >> 6) | 0xc0;
      tmp[n + 1] = (cp & 0x3f) | 0x80;
      len = 2;
    } else if (cp <= 0xffff) {
      tmp[n] = (cp >> 12) | 0xe0;
      tmp[n + 1] = ((cp >> 6) & 0x3f) | 0x80;
      tmp[n + 2] = (cp & 0x3f) | 0x80;
      len = 3;
    } else {
      tmp[n] = (cp >> 18) | 0xf0;
      tmp[n + 1] = ((cp >> 12) & 0x3f) | 0x80;
      tmp[n + 2] = ((cp >> 6) & 0x3f) | 0x80;
      tmp[n + 3] = (cp & 0x3f) | 0x80;
      len = 4;
    }
    this.ptr += escapeLen;
    return len;
  }

  private descend(L: LuaState, slots: number): void {
    this.depth++;
    if (this.depth <= this.maxDepth && this.vm.checkStack(L, slots)) return;
    luaError(this.vm, L, `Found too many nested data structures (${this.depth}) at character ${this.ptr}`);
  }

  /**
   * json_process_value: pushes the value the current token starts. Open arrays and objects are
   * frames on an explicit stack (see appendData); the checks run in the C code's order.
   */
  private processValue(L: LuaState): void {
    const vm = this.vm;
    const kinds = this.frameKind;
    const pos = this.framePos;
    let sp = 0;
    for (;;) {
      let complete = true;
      switch (this.tkType) {
        case TK_STRING:
          vm.pushBuffer(L, this.tkString);
          break;
        case TK_NUMBER:
          vm.pushNumber(L, this.tkNumber);
          break;
        case TK_BOOLEAN:
          vm.pushBoolean(L, this.tkBool);
          break;
        case TK_NULL:
          vm.pushLightUserdata(L, 0);
          break;
        case TK_OBJ_BEGIN:
          this.descend(L, 3);
          vm.newTable(L);
          if (this.nextToken() === TK_OBJ_END) this.depth--;
          else {
            this.objectKey(L);
            kinds[sp++] = FRAME_OBJECT;
            complete = false;
          }
          break;
        case TK_ARR_BEGIN:
          this.descend(L, 2);
          vm.newTable(L);
          if (this.nextToken() === TK_ARR_END) this.depth--;
          else {
            kinds[sp] = FRAME_ARRAY;
            pos[sp++] = 1;
            complete = false;
          }
          break;
        default:
          this.parseError(L, 'value');
      }
      if (!complete) continue;
      // A value is on top: store it, then read what follows it in each container it completes.
      while (sp > 0) {
        const f = sp - 1;
        if (kinds[f] === FRAME_ARRAY) {
          vm.rawSetI(L, -2, pos[f]!);
          const tk = this.nextToken();
          if (tk === TK_ARR_END) {
            this.depth--;
            sp--;
            continue;
          }
          if (tk !== TK_COMMA) this.parseError(L, 'comma or array end');
          this.nextToken();
          pos[f]!++;
          break;
        }
        vm.rawSet(L, -3);
        const tk = this.nextToken();
        if (tk === TK_OBJ_END) {
          this.depth--;
          sp--;
          continue;
        }
        if (tk !== TK_COMMA) this.parseError(L, 'comma or object end');
        this.nextToken();
        this.objectKey(L);
        break;
      }
      if (sp === 0) return;
    }
  }

  /** At an object key: pushes it, reads the colon, and moves to the value's first token. */
  private objectKey(L: LuaState): void {
    if (this.tkType !== TK_STRING) this.parseError(L, 'object key string');
    this.vm.pushBuffer(L, this.tkString);
    if (this.nextToken() !== TK_COLON) this.parseError(L, 'colon');
    this.nextToken();
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x61 + 10 : -1;
}

/**
 * strtod on the bytes from start (the end of data reads as NUL): the value and where parsing
 * stopped, end === start when nothing converts. Decimal, hex (with binary exponent), inf,
 * infinity and nan(...) forms, case-insensitive, as glibc accepts them.
 */
export function strtodEnd(data: Uint8Array, start: number): { value: number; end: number } {
  const len = data.length;
  const at = (i: number): number => (i < len ? data[i]! : 0);
  const caseless = (i: number, word: string): boolean => {
    for (let k = 0; k < word.length; k++) if ((at(i + k) | 0x20) !== word.charCodeAt(k)) return false;
    return true;
  };
  let p = start;
  // Leading white space (isspace), as strtod skips it.
  while (at(p) === 0x20 || (at(p) >= 0x09 && at(p) <= 0x0d)) p++;
  let negative = false;
  if (at(p) === 0x2b || at(p) === 0x2d) {
    negative = at(p) === 0x2d;
    p++;
  }
  const sign = negative ? -1 : 1;
  if (caseless(p, 'inf')) {
    return { value: sign * Infinity, end: caseless(p, 'infinity') ? p + 8 : p + 3 };
  }
  if (caseless(p, 'nan')) {
    let end = p + 3;
    if (at(end) === 0x28) {
      let q = end + 1;
      for (;;) {
        const c = at(q);
        if (isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || c === 0x5f) q++;
        else break;
      }
      if (at(q) === 0x29) end = q + 1;
    }
    return { value: NaN, end };
  }
  if (at(p) === 0x30 && (at(p + 1) | 0x20) === 0x78) {
    const hex = hexFloat(at, p + 2, sign);
    if (hex !== null) return hex;
    // "0x" without digits: only the 0 converts.
    return { value: sign * 0, end: p + 1 };
  }
  const digitsStart = p;
  let digits = 0;
  while (isDigit(at(p))) {
    p++;
    digits++;
  }
  if (at(p) === 0x2e) {
    p++;
    while (isDigit(at(p))) {
      p++;
      digits++;
    }
  }
  if (digits === 0) return { value: 0, end: start };
  let end = p;
  if ((at(p) | 0x20) === 0x65) {
    let q = p + 1;
    if (at(q) === 0x2b || at(q) === 0x2d) q++;
    if (isDigit(at(q))) {
      while (isDigit(at(q))) q++;
      end = q;
    }
  }
  let text = '';
  for (let i = digitsStart; i < end; i++) text += String.fromCharCode(data[i]!);
  return { value: sign * Number(text), end };
}

function hexFloat(at: (i: number) => number, from: number, sign: number): { value: number; end: number } | null {
  let p = from;
  let mant = 0n;
  let digits = 0;
  let fracDigits = 0;
  while (hexValue(at(p)) >= 0) {
    mant = (mant << 4n) | BigInt(hexValue(at(p)));
    p++;
    digits++;
  }
  if (at(p) === 0x2e) {
    let q = p + 1;
    let any = false;
    while (hexValue(at(q)) >= 0) {
      mant = (mant << 4n) | BigInt(hexValue(at(q)));
      q++;
      fracDigits++;
      any = true;
    }
    if (digits > 0 || any) p = q;
  }
  if (digits === 0 && fracDigits === 0) return null;
  let exp = 0;
  if ((at(p) | 0x20) === 0x70) {
    let q = p + 1;
    let eneg = false;
    if (at(q) === 0x2b || at(q) === 0x2d) {
      eneg = at(q) === 0x2d;
      q++;
    }
    if (isDigit(at(q))) {
      while (isDigit(at(q))) {
        exp = Math.min(exp * 10 + (at(q) - 0x30), 100000);
        q++;
      }
      if (eneg) exp = -exp;
      p = q;
    }
  }
  const value = Number(mant) * 2 ** (exp - 4 * fracDigits);
  return { value: sign * value, end: p };
}
