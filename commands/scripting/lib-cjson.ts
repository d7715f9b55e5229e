/*
 * cjson as Redis 7.0 bundles it (lua-cjson 2.1.0, deps/lua/src/lua_cjson.c): encode, decode, the
 * configuration functions, new() and the null sentinel (a NULL light userdata).
 *
 * Each library table owns a configuration, as the C closures share a userdata upvalue: here the
 * upvalue is a small full userdata whose address keys the configuration in a Map, and whose __gc
 * drops the entry, so cjson.new() tables are collected like any other value.
 *
 * JSON text is bytes: strings are never decoded, escapes follow cjson's table (`/` and DEL
 * escaped, bytes >= 0x80 passed through), and \u escapes decode to UTF-8. Numbers print with
 * printf("%.14g") by default; decoding uses strtod's grammar, so hex, inf and nan are accepted
 * unless decode_invalid_numbers is off.
 */
import { LUA_GLOBALSINDEX, T_BOOLEAN, T_NIL, T_NUMBER, T_STRING, T_TABLE, type LuaState, type LuaVm } from './lua-vm.js';
import {
  ByteWriter,
  T_LIGHTUSERDATA,
  argError,
  checkBuffer,
  checkInteger,
  formatG,
  luaError,
  toInt32,
  typeName,
  upvalueIndex,
} from './lib-support.js';

const INT_MAX = 2147483647;

interface CjsonConfig {
  sparseConvert: number;
  sparseRatio: number;
  sparseSafe: number;
  encodeMaxDepth: number;
  decodeMaxDepth: number;
  /** 0 refuse, 1 print as inf/nan, 2 print as null. */
  encodeInvalidNumbers: number;
  decodeInvalidNumbers: number;
  encodeKeepBuffer: number;
  precision: number;
}

function defaultConfig(): CjsonConfig {
  return {
    sparseConvert: 0,
    sparseRatio: 2,
    sparseSafe: 10,
    encodeMaxDepth: 1000,
    decodeMaxDepth: 1000,
    encodeInvalidNumbers: 0,
    decodeInvalidNumbers: 1,
    encodeKeepBuffer: 1,
    precision: 14,
  };
}

/** char2escape: what each byte becomes inside a JSON string, or null to copy it. */
const ESCAPES: (string | null)[] = [];
for (let i = 0; i < 256; i++) ESCAPES.push(null);
for (let i = 0; i < 32; i++) ESCAPES[i] = `\\u${i.toString(16).padStart(4, '0')}`;
ESCAPES[8] = '\\b';
ESCAPES[9] = '\\t';
ESCAPES[10] = '\\n';
ESCAPES[12] = '\\f';
ESCAPES[13] = '\\r';
ESCAPES[34] = '\\"';
ESCAPES[47] = '\\/';
ESCAPES[92] = '\\\\';
ESCAPES[127] = '\\u007f';
const NEEDS_ESCAPE = new Uint8Array(256);
for (let i = 0; i < 256; i++) NEEDS_ESCAPE[i] = ESCAPES[i] === null ? 0 : 1;

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

// Open tables while encoding or decoding, and the encoder's steps.
const FRAME_ARRAY = 0;
const FRAME_OBJECT = 1;
const STEP_VALUE = 0;
const STEP_DONE = 1;
const STEP_NEXT_KEY = 2;

const BOOL_OPTIONS = ['off', 'on'];
const INVALID_NUMBER_OPTIONS = ['off', 'on', 'null'];

/** The functions of one VM, made once: registered C functions are kept per function object. */
class Cjson {
  private readonly configs = new Map<number, CjsonConfig>();
  private readonly out = new ByteWriter(1024);
  private cfg: CjsonConfig = defaultConfig();
  private readonly functions: [string, (L: LuaState) => number][];

  // Decoder state, valid during one decode() call.
  private data: Buffer = Buffer.alloc(0);
  private ptr = 0;
  private depth = 0;
  private tmp: Buffer = Buffer.alloc(0);
  private tkType = 0;
  private tkIndex = 0;
  private tkNumber = 0;
  private tkBool = false;
  private tkString: Buffer = Buffer.alloc(0);
  private tkError = '';

  // Open arrays and objects: kind, next array index (encoder: 1 once an object has a member), length.
  private readonly frameKind: number[] = [];
  private readonly framePos: number[] = [];
  private readonly frameLen: number[] = [];

  constructor(private readonly vm: LuaVm) {
    this.functions = [
      ['encode', (L) => this.encode(L)],
      ['decode', (L) => this.decode(L)],
      ['encode_sparse_array', (L) => this.cfgEncodeSparseArray(L)],
      ['encode_max_depth', (L) => this.cfgIntegerOption(L, 'encodeMaxDepth', 1, INT_MAX)],
      ['decode_max_depth', (L) => this.cfgIntegerOption(L, 'decodeMaxDepth', 1, INT_MAX)],
      ['encode_number_precision', (L) => this.cfgIntegerOption(L, 'precision', 1, 14)],
      ['encode_keep_buffer', (L) => this.cfgEnumOption(L, 'encodeKeepBuffer', BOOL_OPTIONS)],
      ['encode_invalid_numbers', (L) => this.cfgEnumOption(L, 'encodeInvalidNumbers', INVALID_NUMBER_OPTIONS)],
      ['decode_invalid_numbers', (L) => this.cfgEnumOption(L, 'decodeInvalidNumbers', BOOL_OPTIONS)],
      ['new', (L) => this.newModule(L)],
    ];
  }

  private readonly destroyConfig = (L: LuaState): number => {
    this.configs.delete(this.vm.toUserdata(L, 1));
    return 0;
  };

  /** lua_cjson_new: pushes a module table with a configuration of its own. */
  newModule(L: LuaState): number {
    const vm = this.vm;
    vm.newTable(L);
    const p = vm.newUserdata(L, 4);
    this.configs.set(p, defaultConfig());
    vm.newTable(L);
    vm.pushFunction(L, this.destroyConfig);
    vm.setField(L, -2, '__gc');
    vm.setMetatable(L, -2);
    for (const [name, fn] of this.functions) {
      vm.pushValue(L, -1);
      vm.pushClosure(L, fn, 1);
      vm.setField(L, -3, name);
    }
    vm.pop(L, 1);
    vm.pushLightUserdata(L, 0);
    vm.setField(L, -2, 'null');
    vm.pushText(L, 'cjson');
    vm.setField(L, -2, '_NAME');
    vm.pushText(L, '2.1.0');
    vm.setField(L, -2, '_VERSION');
    return 1;
  }

  private fetchConfig(L: LuaState): CjsonConfig {
    const cfg = this.configs.get(this.vm.toUserdata(L, upvalueIndex(1)));
    if (cfg === undefined) luaError(this.vm, L, 'BUG: Unable to fetch CJSON configuration');
    return cfg;
  }

  // ---- configuration --------------------------------------------------------------------------

  /** json_arg_init: at most n arguments, padded with nils. */
  private argInit(L: LuaState, n: number): CjsonConfig {
    const vm = this.vm;
    if (vm.top(L) > n) argError(vm, L, n + 1, 'found too many arguments');
    while (vm.top(L) < n) vm.pushNil(L);
    return this.fetchConfig(L);
  }

  private integerOption(L: LuaState, idx: number, cfg: CjsonConfig, key: keyof CjsonConfig, min: number, max: number): void {
    const vm = this.vm;
    if (vm.type(L, idx) !== T_NIL) {
      const value = toInt32(checkInteger(vm, L, idx));
      // cjson checks the range against argument 1 whichever argument it is.
      if (value < min || value > max) argError(vm, L, 1, `expected integer between ${min} and ${max}`);
      cfg[key] = value;
    }
    vm.pushNumber(L, cfg[key]);
  }

  private enumOption(L: LuaState, idx: number, cfg: CjsonConfig, key: keyof CjsonConfig, options: readonly string[]): void {
    const vm = this.vm;
    if (vm.type(L, idx) !== T_NIL) {
      if (vm.type(L, idx) === T_BOOLEAN) cfg[key] = vm.toBoolean(L, idx) ? 1 : 0;
      else cfg[key] = this.checkOption(L, idx, options);
    }
    const v = cfg[key];
    if (v === 0 || v === 1) vm.pushBoolean(L, v === 1);
    else vm.pushText(L, options[v]!);
  }

  /** luaL_checkoption without a default: the index of the matching name. */
  private checkOption(L: LuaState, idx: number, options: readonly string[]): number {
    const vm = this.vm;
    const bytes = checkBuffer(vm, L, idx);
    const nul = bytes.indexOf(0);
    const name = bytes.toString('latin1', 0, nul < 0 ? bytes.length : nul);
    const i = options.indexOf(name);
    if (i < 0) argError(vm, L, idx, `invalid option '${name}'`);
    return i;
  }

  private cfgEncodeSparseArray(L: LuaState): number {
    const cfg = this.argInit(L, 3);
    this.enumOption(L, 1, cfg, 'sparseConvert', BOOL_OPTIONS);
    this.integerOption(L, 2, cfg, 'sparseRatio', 0, INT_MAX);
    this.integerOption(L, 3, cfg, 'sparseSafe', 0, INT_MAX);
    return 3;
  }

  private cfgIntegerOption(L: LuaState, key: keyof CjsonConfig, min: number, max: number): number {
    const cfg = this.argInit(L, 1);
    this.integerOption(L, 1, cfg, key, min, max);
    return 1;
  }

  private cfgEnumOption(L: LuaState, key: keyof CjsonConfig, options: readonly string[]): number {
    const cfg = this.argInit(L, 1);
    this.enumOption(L, 1, cfg, key, options);
    return 1;
  }

  // ---- encoding -------------------------------------------------------------------------------

  private encode(L: LuaState): number {
    const vm = this.vm;
    this.cfg = this.fetchConfig(L);
    if (vm.top(L) !== 1) argError(vm, L, 1, 'expected 1 argument');
    this.out.reset();
    this.appendData(L);
    vm.pushBuffer(L, this.out.view());
    return 1;
  }

  private encodeError(L: LuaState, idx: number, reason: string): never {
    return luaError(this.vm, L, `Cannot serialise ${typeName(this.vm, L, idx)}: ${reason}`);
  }

  /**
   * json_append_data on the value on top of the stack (left there). The C code recurses into
   * tables; here open tables are frames on an explicit stack, so nesting is bound by the Lua stack
   * (one slot per array level, two per object level, as in C) and not by the JavaScript one.
   */
  private appendData(L: LuaState): void {
    const vm = this.vm;
    const out = this.out;
    const kinds = this.frameKind;
    const pos = this.framePos;
    const lens = this.frameLen;
    let sp = 0;
    let step = STEP_VALUE;
    for (;;) {
      if (step === STEP_VALUE) {
        if (vm.type(L, -1) !== T_TABLE) {
          this.appendScalar(L);
          step = STEP_DONE;
        } else {
          const depth = sp + 1;
          if (depth > this.cfg.encodeMaxDepth || !vm.checkStack(L, 3)) {
            luaError(vm, L, `Cannot serialise, excessive nesting (${depth})`);
          }
          const len = this.arrayLength(L);
          if (len > 0) {
            out.byte(0x5b);
            kinds[sp] = FRAME_ARRAY;
            pos[sp] = 1;
            lens[sp] = len;
            sp++;
            vm.rawGetI(L, -1, 1);
            continue;
          }
          out.byte(0x7b);
          kinds[sp] = FRAME_OBJECT;
          pos[sp] = 0;
          sp++;
          vm.pushNil(L);
          step = STEP_NEXT_KEY;
        }
      }
      if (step === STEP_DONE) {
        // The value on top is written out; the table it belongs to moves on.
        if (sp === 0) return;
        const f = sp - 1;
        vm.pop(L, 1);
        if (kinds[f] === FRAME_ARRAY) {
          if (pos[f]! < lens[f]!) {
            out.byte(0x2c);
            vm.rawGetI(L, -1, ++pos[f]!);
            step = STEP_VALUE;
            continue;
          }
          out.byte(0x5d);
          sp--;
          continue;
        }
        step = STEP_NEXT_KEY;
      }
      // STEP_NEXT_KEY: the object's table under its last key (nil to start).
      const f = sp - 1;
      if (!vm.next(L, -2)) {
        out.byte(0x7d);
        sp--;
        step = STEP_DONE;
        continue;
      }
      if (pos[f] === 1) out.byte(0x2c);
      else pos[f] = 1;
      const kt = vm.type(L, -2);
      if (kt === T_NUMBER) {
        out.byte(0x22);
        this.appendNumber(L, -2);
        out.byte(0x22);
        out.byte(0x3a);
      } else if (kt === T_STRING) {
        this.appendString(vm.toBuffer(L, -2)!);
        out.byte(0x3a);
      } else {
        this.encodeError(L, -2, 'table key must be a number or string');
      }
      step = STEP_VALUE;
    }
  }

  /** A value other than a table, on top of the stack. */
  private appendScalar(L: LuaState): void {
    const vm = this.vm;
    const out = this.out;
    switch (vm.type(L, -1)) {
      case T_STRING:
        this.appendString(vm.toBuffer(L, -1)!);
        return;
      case T_NUMBER:
        this.appendNumber(L, -1);
        return;
      case T_BOOLEAN:
        out.ascii(vm.toBoolean(L, -1) ? 'true' : 'false');
        return;
      case T_NIL:
        out.ascii('null');
        return;
      case T_LIGHTUSERDATA:
        if (vm.toUserdata(L, -1) === 0) {
          out.ascii('null');
          return;
        }
        break;
      default:
        break;
    }
    this.encodeError(L, -1, 'type not supported');
  }

  /**
   * lua_array_length: the largest key when every key is a positive integer and the array is not
   * excessively sparse, else -1 (0 for an empty table). C keeps the maximum in an int, so a key
   * past INT_MAX stores as INT_MIN and the table ends up an object.
   */
  private arrayLength(L: LuaState): number {
    const vm = this.vm;
    const cfg = this.cfg;
    let max = 0;
    let items = 0;
    vm.pushNil(L);
    while (vm.next(L, -2)) {
      if (vm.type(L, -2) === T_NUMBER) {
        const k = vm.toNumber(L, -2);
        if (k !== 0 && Math.floor(k) === k && k >= 1) {
          if (k > max) max = k < 2147483648 ? k : -2147483648;
          items++;
          vm.pop(L, 1);
          continue;
        }
      }
      vm.pop(L, 2);
      return -1;
    }
    if (cfg.sparseRatio > 0 && max > Math.imul(items, cfg.sparseRatio) && max > cfg.sparseSafe) {
      if (cfg.sparseConvert === 0) this.encodeError(L, -1, 'excessively sparse array');
      return -1;
    }
    return max;
  }

  private appendNumber(L: LuaState, idx: number): void {
    const num = this.vm.toNumber(L, idx);
    const mode = this.cfg.encodeInvalidNumbers;
    if (mode === 0) {
      if (!Number.isFinite(num)) this.encodeError(L, idx, 'must not be NaN or Inf');
    } else if (mode === 1) {
      // Printed by cjson itself: printf could say "-nan".
      if (num !== num) {
        this.out.ascii('nan');
        return;
      }
    } else if (!Number.isFinite(num)) {
      this.out.ascii('null');
      return;
    }
    this.out.ascii(formatG(num, this.cfg.precision));
  }

  private appendString(s: Buffer): void {
    const out = this.out;
    const n = s.length;
    out.ensure(n + 2);
    out.byte(0x22);
    let run = 0;
    for (let i = 0; i < n; i++) {
      const c = s[i]!;
      if (NEEDS_ESCAPE[c] === 1) {
        if (i > run) out.bytes(s, run, i);
        out.ascii(ESCAPES[c]!);
        run = i + 1;
      }
    }
    if (n > run) out.bytes(s, run, n);
    out.byte(0x22);
  }

  // ---- decoding -------------------------------------------------------------------------------

  private decode(L: LuaState): number {
    const vm = this.vm;
    if (vm.top(L) !== 1) argError(vm, L, 1, 'expected 1 argument');
    this.cfg = this.fetchConfig(L);
    const data = checkBuffer(vm, L, 1);
    if (data.length >= 2 && (data[0] === 0 || data[1] === 0)) {
      luaError(vm, L, 'JSON parser does not support UTF-16 or UTF-32');
    }
    this.data = data;
    this.ptr = 0;
    this.depth = 0;
    if (this.tmp.length < data.length) this.tmp = Buffer.allocUnsafe(Math.max(data.length, 256));
    this.nextToken();
    this.processValue(L);
    if (this.nextToken() !== TK_END) this.parseError(L, 'the end');
    return 1;
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
      if (this.cfg.decodeInvalidNumbers === 0 && this.isInvalidNumber()) {
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
    if (this.cfg.decodeInvalidNumbers !== 0 && this.isInvalidNumber()) {
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
    if (this.depth <= this.cfg.decodeMaxDepth && this.vm.checkStack(L, slots)) return;
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

const perVm = new WeakMap<LuaVm, Cjson>();

/** Opens cjson on a fresh state: creates the library table and sets the global `cjson`. */
export function openCjson(vm: LuaVm, L: LuaState): void {
  let lib = perVm.get(vm);
  if (lib === undefined) {
    lib = new Cjson(vm);
    perVm.set(vm, lib);
  }
  lib.newModule(L);
  vm.setField(L, LUA_GLOBALSINDEX, 'cjson');
}
