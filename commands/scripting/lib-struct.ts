/*
 * struct, Roberto Ierusalimschy's library as Redis 7.0 bundles it (deps/lua/src/lua_struct.c):
 * pack, unpack and size on a format string.
 *
 *   > <        big / little endian (native: little)      ![n]  max alignment (default 8)
 *   b B h H    signed / unsigned 1 and 2 byte integers   l L T  8 bytes (long, size_t)
 *   i[n] I[n]  integers of n bytes (default 4, at most 32)
 *   f d        float, double        x  a zero byte        ' '  ignored
 *   c[n]       n chars (default 1); n = 0 packs the whole string, and unpacks a length taken
 *              from the previous result
 *   s          a zero-terminated string
 *
 * Integers go through C's unsigned long (64 bits): bytes past the eighth pack as zero and unpack
 * shifted out; a value outside the int64/uint64 range packs as the x86-64 conversion yields.
 * The format is a C string: it ends at its first NUL byte.
 */
import { LUA_GLOBALSINDEX, type LuaState, type LuaVm } from './lua-vm.js';
import { argError, checkBuffer, checkNumber, luaError, optInteger } from './lib-support.js';

const MAXINTSIZE = 32;
const MAXALIGN = 8;
const INT_MAX = 2147483647;
const TWO_63 = 9223372036854775808;
const TWO_64 = 18446744073709551616;
const MASK64 = (1n << 64n) - 1n;

const BIG = 0;
const LITTLE = 1;

interface Header {
  endian: number;
  align: number;
}

/** A format string being read, with its position (the C code's `const char **fmt`). */
interface Fmt {
  s: Buffer;
  i: number;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isAlnum(c: number): boolean {
  return isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
}

/**
 * The uint64 a C conversion of n gives on x86-64: (uint64)(int64)n for n < 0, (uint64)n
 * otherwise; out of range (and NaN) as the instructions gcc emits yield.
 */
function toUint64(n: number): bigint {
  if (n < 0) return n >= -TWO_63 ? BigInt.asUintN(64, BigInt(Math.trunc(n))) : 1n << 63n;
  if (n < TWO_64) return BigInt(Math.trunc(n));
  if (n !== n) return 1n << 63n;
  return 0n;
}

class Struct {
  readonly functions: [string, (L: LuaState) => number][];

  constructor(private readonly vm: LuaVm) {
    this.functions = [
      ['pack', (L) => this.pack(L)],
      ['unpack', (L) => this.unpack(L)],
      ['size', (L) => this.size(L)],
    ];
  }

  /** getnum: a decimal count at the cursor, or df when there is none. */
  private getnum(L: LuaState, fmt: Fmt, df: number): number {
    if (!isDigit(this.at(fmt))) return df;
    let a = 0;
    do {
      const d = this.at(fmt) - 0x30;
      if (a > Math.floor(INT_MAX / 10) || a * 10 > INT_MAX - d) luaError(this.vm, L, 'integral size overflow');
      a = a * 10 + d;
      fmt.i++;
    } while (isDigit(this.at(fmt)));
    return a;
  }

  private at(fmt: Fmt): number {
    return fmt.i < fmt.s.length ? fmt.s[fmt.i]! : 0;
  }

  private optsize(L: LuaState, opt: number, fmt: Fmt): number {
    switch (opt) {
      case 0x42: // B
      case 0x62: // b
        return 1;
      case 0x48: // H
      case 0x68: // h
        return 2;
      case 0x4c: // L
      case 0x6c: // l
      case 0x54: // T
        return 8;
      case 0x66: // f
        return 4;
      case 0x64: // d
        return 8;
      case 0x78: // x
        return 1;
      case 0x63: // c
        return this.getnum(L, fmt, 1);
      case 0x69: // i
      case 0x49: {
        // I
        const sz = this.getnum(L, fmt, 4);
        if (sz > MAXINTSIZE) luaError(this.vm, L, `integral size ${sz} is larger than limit of ${MAXINTSIZE}`);
        return sz;
      }
      default:
        return 0;
    }
  }

  private static toAlign(len: number, h: Header, opt: number, size: number): number {
    if (size === 0 || opt === 0x63) return 0;
    if (size > h.align) size = h.align;
    return (size - (len & (size - 1))) & (size - 1);
  }

  private controlOptions(L: LuaState, opt: number, fmt: Fmt, h: Header): void {
    switch (opt) {
      case 0x20:
        return;
      case 0x3e:
        h.endian = BIG;
        return;
      case 0x3c:
        h.endian = LITTLE;
        return;
      case 0x21: {
        const a = this.getnum(L, fmt, MAXALIGN);
        if (!(a > 0 && (a & (a - 1)) === 0)) luaError(this.vm, L, `alignment ${a} is not a power of 2`);
        h.align = a;
        return;
      }
      default:
        argError(this.vm, L, 1, `invalid format option '${String.fromCharCode(opt)}'`);
    }
  }

  /** The format argument: a C string, so it stops at a NUL byte. */
  private format(L: LuaState): Fmt {
    const s = checkBuffer(this.vm, L, 1);
    const nul = s.indexOf(0);
    return { s: nul < 0 ? s : s.subarray(0, nul), i: 0 };
  }

  private pack(L: LuaState): number {
    const vm = this.vm;
    const fmt = this.format(L);
    // The C code pushes a nil to mark the end of the arguments: a missing one reads as that nil.
    vm.pushNil(L);
    const h: Header = { endian: LITTLE, align: 1 };
    let arg = 2;
    let total = 0;
    const parts: Buffer[] = [];
    while (fmt.i < fmt.s.length) {
      const opt = fmt.s[fmt.i++]!;
      let size = this.optsize(L, opt, fmt);
      const toalign = Struct.toAlign(total, h, opt, size);
      total += toalign;
      if (toalign > 0) parts.push(Buffer.alloc(toalign));
      switch (opt) {
        case 0x62:
        case 0x42:
        case 0x68:
        case 0x48:
        case 0x6c:
        case 0x4c:
        case 0x54:
        case 0x69:
        case 0x49: {
          let value = toUint64(checkNumber(vm, L, arg++));
          const buf = Buffer.alloc(size);
          for (let k = 0; k < size && value !== 0n; k++) {
            buf[h.endian === LITTLE ? k : size - 1 - k] = Number(value & 0xffn);
            value >>= 8n;
          }
          parts.push(buf);
          break;
        }
        case 0x78:
          parts.push(Buffer.alloc(1));
          break;
        case 0x66: {
          const buf = Buffer.alloc(4);
          const f = checkNumber(vm, L, arg++);
          if (h.endian === LITTLE) buf.writeFloatLE(f);
          else buf.writeFloatBE(f);
          parts.push(buf);
          break;
        }
        case 0x64: {
          const buf = Buffer.alloc(8);
          const d = checkNumber(vm, L, arg++);
          if (h.endian === LITTLE) buf.writeDoubleLE(d);
          else buf.writeDoubleBE(d);
          parts.push(buf);
          break;
        }
        case 0x63:
        case 0x73: {
          const s = checkBuffer(vm, L, arg++);
          if (size === 0) size = s.length;
          // struct names the argument after the string, as its luaL_argcheck uses arg++'s result.
          if (s.length < size) argError(vm, L, arg, 'string too short');
          parts.push(s.subarray(0, size));
          if (opt === 0x73) {
            parts.push(Buffer.alloc(1));
            size++;
          }
          break;
        }
        default:
          this.controlOptions(L, opt, fmt, h);
      }
      total += size;
    }
    vm.pushBuffer(L, Buffer.concat(parts));
    return 1;
  }

  private unpack(L: LuaState): number {
    const vm = this.vm;
    const fmt = this.format(L);
    const data = checkBuffer(vm, L, 2);
    const ld = data.length;
    let pos = optInteger(vm, L, 3, 1) - 1;
    const h: Header = { endian: LITTLE, align: 1 };
    let n = 0;
    while (fmt.i < fmt.s.length) {
      const opt = fmt.s[fmt.i++]!;
      let size = this.optsize(L, opt, fmt);
      pos += Struct.toAlign(pos, h, opt, size);
      if (!(pos >= 0 && pos + size <= ld)) argError(vm, L, 2, 'data string too short');
      if (!vm.checkStack(L, 2)) luaError(vm, L, 'stack overflow (too many results)');
      switch (opt) {
        case 0x62:
        case 0x42:
        case 0x68:
        case 0x48:
        case 0x6c:
        case 0x4c:
        case 0x54:
        case 0x69:
        case 0x49:
          vm.pushNumber(L, getInteger(data, pos, h.endian, opt >= 0x61, size));
          n++;
          break;
        case 0x78:
          break;
        case 0x66:
          vm.pushNumber(L, h.endian === LITTLE ? data.readFloatLE(pos) : data.readFloatBE(pos));
          n++;
          break;
        case 0x64:
          vm.pushNumber(L, h.endian === LITTLE ? data.readDoubleLE(pos) : data.readDoubleBE(pos));
          n++;
          break;
        case 0x63: {
          if (size === 0) {
            if (n === 0 || !vm.isNumber(L, -1)) luaError(vm, L, "format 'c0' needs a previous size");
            size = Math.trunc(vm.toNumber(L, -1));
            vm.pop(L, 1);
            n--;
            if (!(size >= 0 && pos + size <= ld)) argError(vm, L, 2, 'data string too short');
          }
          vm.pushBuffer(L, data.subarray(pos, pos + size));
          n++;
          break;
        }
        case 0x73: {
          const e = data.indexOf(0, pos);
          if (e < 0) luaError(vm, L, 'unfinished string in data');
          size = e - pos + 1;
          vm.pushBuffer(L, data.subarray(pos, e));
          n++;
          break;
        }
        default:
          this.controlOptions(L, opt, fmt, h);
      }
      pos += size;
    }
    vm.pushNumber(L, pos + 1);
    return n + 1;
  }

  private size(L: LuaState): number {
    const vm = this.vm;
    const fmt = this.format(L);
    const h: Header = { endian: LITTLE, align: 1 };
    let pos = 0;
    while (fmt.i < fmt.s.length) {
      const opt = fmt.s[fmt.i++]!;
      const size = this.optsize(L, opt, fmt);
      pos += Struct.toAlign(pos, h, opt, size);
      if (opt === 0x73) argError(vm, L, 1, "option 's' has no fixed size");
      else if (opt === 0x63 && size === 0) argError(vm, L, 1, "option 'c0' has no fixed size");
      if (!isAlnum(opt)) this.controlOptions(L, opt, fmt, h);
      pos += size;
    }
    vm.pushNumber(L, pos);
    return 1;
  }
}

/**
 * getinteger: size bytes through a 64-bit unsigned long (older bytes shift out), sign-extended
 * from bit size*8-1 taken modulo 64, as the x86-64 shift does.
 */
function getInteger(data: Buffer, pos: number, endian: number, signed: boolean, size: number): number {
  if (size <= 4 && size > 0) {
    let v = 0;
    for (let k = 0; k < size; k++) v = v * 256 + data[endian === BIG ? pos + k : pos + size - 1 - k]!;
    if (signed && v >= 2 ** (size * 8 - 1)) v -= 2 ** (size * 8);
    return v;
  }
  let l = 0n;
  for (let k = 0; k < size; k++) {
    const byte = data[endian === BIG ? pos + k : pos + size - 1 - k]!;
    l = ((l << 8n) | BigInt(byte)) & MASK64;
  }
  if (!signed) return Number(l);
  const mask = (MASK64 << BigInt((size * 8 - 1) & 63)) & MASK64;
  if ((l & mask) !== 0n) l |= mask;
  return Number(BigInt.asIntN(64, l));
}

const perVm = new WeakMap<LuaVm, Struct>();

/** Opens struct on a fresh state: creates the library table and sets the global `struct`. */
export function openStruct(vm: LuaVm, L: LuaState): void {
  let lib = perVm.get(vm);
  if (lib === undefined) {
    lib = new Struct(vm);
    perVm.set(vm, lib);
  }
  vm.newTable(L);
  for (const [name, fn] of lib.functions) {
    vm.pushFunction(L, fn);
    vm.setField(L, -2, name);
  }
  vm.setField(L, LUA_GLOBALSINDEX, 'struct');
}
