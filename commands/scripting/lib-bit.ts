/*
 * bit, LuaBitOp 1.0.2 as Redis 7.0 bundles it (deps/lua/src/lua_bit.c): 32-bit operations on Lua
 * numbers. An argument is normalised as LuaBitOp does on Lua 5.1, by adding 2^52 + 2^51 to the
 * double and keeping the low 32 bits of its representation (round to nearest even, then modulo
 * 2^32); results are signed 32-bit numbers.
 */
import { LUA_GLOBALSINDEX, type LuaState, type LuaVm } from './lua-vm.js';
import { T_NONE, typeError } from './lib-support.js';

const F64 = new Float64Array(1);
const I32 = new Int32Array(F64.buffer);

/** The low 32 bits of d + 2^52 + 2^51, as a signed int. */
export function toBit(d: number): number {
  F64[0] = d + 6755399441055744.0;
  return I32[0]!;
}

class Bit {
  readonly functions: [string, (L: LuaState) => number][];

  constructor(private readonly vm: LuaVm) {
    this.functions = [
      ['tobit', (L) => this.ret(L, this.arg(L, 1))],
      ['bnot', (L) => this.ret(L, ~this.arg(L, 1))],
      ['band', (L) => this.fold(L, 0)],
      ['bor', (L) => this.fold(L, 1)],
      ['bxor', (L) => this.fold(L, 2)],
      ['lshift', (L) => this.shift(L, 0)],
      ['rshift', (L) => this.shift(L, 1)],
      ['arshift', (L) => this.shift(L, 2)],
      ['rol', (L) => this.shift(L, 3)],
      ['ror', (L) => this.shift(L, 4)],
      ['bswap', (L) => this.bswap(L)],
      ['tohex', (L) => this.tohex(L)],
    ];
  }

  /** barg: on Lua 5.1 a non-number is refused only when it also normalises to 0. */
  private arg(L: LuaState, idx: number): number {
    const vm = this.vm;
    const b = toBit(vm.toNumber(L, idx));
    if (b === 0 && !vm.isNumber(L, idx)) typeError(vm, L, idx, 'number');
    return b;
  }

  private ret(L: LuaState, b: number): number {
    this.vm.pushNumber(L, b | 0);
    return 1;
  }

  /** band/bor/bxor: the first argument, then the others from the last one down, as the C loop. */
  private fold(L: LuaState, op: number): number {
    let b = this.arg(L, 1);
    for (let i = this.vm.top(L); i > 1; i--) {
      const v = this.arg(L, i);
      b = op === 0 ? b & v : op === 1 ? b | v : b ^ v;
    }
    return this.ret(L, b);
  }

  private shift(L: LuaState, op: number): number {
    const b = this.arg(L, 1);
    const n = this.arg(L, 2) & 31;
    let r: number;
    switch (op) {
      case 0:
        r = b << n;
        break;
      case 1:
        r = b >>> n;
        break;
      case 2:
        r = b >> n;
        break;
      case 3:
        r = (b << n) | (b >>> (32 - n));
        break;
      default:
        r = (b >>> n) | (b << (32 - n));
        break;
    }
    return this.ret(L, r);
  }

  private bswap(L: LuaState): number {
    const b = this.arg(L, 1);
    return this.ret(L, ((b >>> 24) | ((b >>> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24)) | 0);
  }

  private tohex(L: LuaState): number {
    const vm = this.vm;
    let b = this.arg(L, 1) >>> 0;
    let n = vm.type(L, 2) === T_NONE ? 8 : this.arg(L, 2);
    let digits = '0123456789abcdef';
    if (n < 0) {
      n = -n;
      digits = '0123456789ABCDEF';
    }
    if (n > 8) n = 8;
    let out = '';
    for (let i = 0; i < n; i++) {
      out = digits[b & 15]! + out;
      b >>>= 4;
    }
    vm.pushText(L, out);
    return 1;
  }
}

const perVm = new WeakMap<LuaVm, Bit>();

/** Opens bit on a fresh state: creates the library table and sets the global `bit`. */
export function openBit(vm: LuaVm, L: LuaState): void {
  let lib = perVm.get(vm);
  if (lib === undefined) {
    lib = new Bit(vm);
    perVm.set(vm, lib);
  }
  vm.newTable(L);
  for (const [name, fn] of lib.functions) {
    vm.pushFunction(L, fn);
    vm.setField(L, -2, name);
  }
  vm.setField(L, LUA_GLOBALSINDEX, 'bit');
}
