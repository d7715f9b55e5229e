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
import { JsonDecoder } from './lib-cjson-decode.js';

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

// Open tables while encoding, and the encoder's steps.
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

  private readonly decoder: JsonDecoder;
  // Open arrays and objects: kind, next array index (1 once an object has a member), length.
  private readonly frameKind: number[] = [];
  private readonly framePos: number[] = [];
  private readonly frameLen: number[] = [];

  constructor(private readonly vm: LuaVm) {
    this.decoder = new JsonDecoder(vm);
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
    const cfg = this.fetchConfig(L);
    const data = checkBuffer(vm, L, 1);
    if (data.length >= 2 && (data[0] === 0 || data[1] === 0)) {
      luaError(vm, L, 'JSON parser does not support UTF-16 or UTF-32');
    }
    this.decoder.decode(L, data, cfg.decodeInvalidNumbers !== 0, cfg.decodeMaxDepth);
    return 1;
  }
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
