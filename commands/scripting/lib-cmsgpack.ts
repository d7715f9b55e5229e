/*
 * cmsgpack, lua-cmsgpack 0.4.0 as Redis 7.0 bundles it (deps/lua/src/lua_cmsgpack.c): pack,
 * unpack, unpack_one and unpack_limit.
 *
 * Encoding (Redis's 64-bit build): a number equal to its int64 truncation packs as the smallest
 * integer form, any other as float32 when the float holds it exactly, else float64; a string packs
 * as fixstr/str8/str16/str32 (there is no bin type); a table whose keys are exactly 1..n (n within
 * int range) packs as an array read through the length operator and t[i] (metamethods apply),
 * any other table as a map in next() order; tables nested 16 deep, functions and the rest pack as
 * nil. Decoding turns every integer into a Lua number through int64 (uint64 values past 2^63 wrap
 * negative, as lua_pushinteger does there), and refuses bin, ext and 0xc1 as a bad format.
 */
import { LUA_GLOBALSINDEX, T_BOOLEAN, T_NUMBER, T_STRING, T_TABLE, type LuaState, type LuaVm } from './lua-vm.js';
import { ByteWriter, argError, checkBuffer, checkInteger, luaError, optInteger, toInt32 } from './lib-support.js';

const MAX_NESTING = 16;
const TWO_63 = 9223372036854775808;

/** The decoder hit the end of its input (MP_CUR_ERROR_EOF) or an unknown type byte (BADFMT). */
const ERR_NONE = 0;
const ERR_EOF = 1;
const ERR_BADFMT = 2;

/** What decodeItem read. */
const ITEM_VALUE = 0;
const ITEM_ARRAY = 1;
const ITEM_MAP = 2;

class Cmsgpack {
  readonly functions: [string, (L: LuaState) => number][];
  private readonly out = new ByteWriter(1024);

  // Decoder cursor, valid during one unpack call.
  private data: Buffer = Buffer.alloc(0);
  private pos = 0;
  private err = ERR_NONE;
  private itemLen = 0;
  // Open containers: kind, items still to read (a map counts keys and values), next array index.
  private readonly frameKind: number[] = [];
  private readonly frameLeft: number[] = [];
  private readonly frameNext: number[] = [];
  private sp = 0;

  constructor(private readonly vm: LuaVm) {
    this.functions = [
      ['pack', (L) => this.pack(L)],
      ['unpack', (L) => this.unpackFull(L, 0, 0)],
      ['unpack_one', (L) => this.unpackOne(L)],
      ['unpack_limit', (L) => this.unpackLimit(L)],
    ];
  }

  // ---- encoding -------------------------------------------------------------------------------

  private pack(L: LuaState): number {
    const vm = this.vm;
    const nargs = vm.top(L);
    if (nargs === 0) argError(vm, L, 0, 'MessagePack pack needs input.');
    if (!vm.checkStack(L, nargs)) argError(vm, L, 0, 'Too many arguments for MessagePack pack.');
    this.out.reset();
    for (let i = 1; i <= nargs; i++) {
      vm.pushValue(L, i);
      this.encodeValue(L, 0);
    }
    vm.pushBuffer(L, this.out.view());
    return 1;
  }

  /** mp_encode_lua_type: encodes and pops the value on top of the stack. */
  private encodeValue(L: LuaState, level: number): void {
    const vm = this.vm;
    const out = this.out;
    let t = vm.type(L, -1);
    if (t === T_TABLE && level === MAX_NESTING) t = -2;
    switch (t) {
      case T_STRING:
        this.encodeBytes(vm.toBuffer(L, -1)!);
        break;
      case T_BOOLEAN:
        out.byte(vm.toBoolean(L, -1) ? 0xc3 : 0xc2);
        break;
      case T_NUMBER: {
        const n = vm.toNumber(L, -1);
        // IS_INT64_EQUIVALENT: finite and equal to its int64 cast (2^63 itself is not).
        if (n === Math.trunc(n) && n >= -TWO_63 && n < TWO_63) this.encodeInt(n);
        else this.encodeDouble(n);
        break;
      }
      case T_TABLE:
        if (this.isArray(L)) this.encodeArray(L, level);
        else this.encodeMap(L, level);
        break;
      default:
        out.byte(0xc0);
        break;
    }
    vm.pop(L, 1);
  }

  private encodeBytes(s: Buffer): void {
    const out = this.out;
    const len = s.length;
    out.ensure(len + 5);
    const b = out.buf;
    let at = out.len;
    if (len < 32) b[at++] = 0xa0 | len;
    else if (len <= 0xff) {
      b[at++] = 0xd9;
      b[at++] = len;
    } else if (len <= 0xffff) {
      b[at++] = 0xda;
      b[at++] = len >>> 8;
      b[at++] = len & 0xff;
    } else {
      b[at++] = 0xdb;
      b.writeUInt32BE(len, at);
      at += 4;
    }
    s.copy(b, at);
    out.len = at + len;
  }

  private encodeDouble(d: number): void {
    const out = this.out;
    out.ensure(9);
    if (Math.fround(d) === d) {
      out.buf[out.len] = 0xca;
      out.buf.writeFloatBE(d, out.len + 1);
      out.len += 5;
    } else {
      out.buf[out.len] = 0xcb;
      out.buf.writeDoubleBE(d, out.len + 1);
      out.len += 9;
    }
  }

  private encodeInt(n: number): void {
    const out = this.out;
    out.ensure(9);
    const b = out.buf;
    let at = out.len;
    if (n >= 0) {
      if (n <= 127) b[at++] = n;
      else if (n <= 0xff) {
        b[at++] = 0xcc;
        b[at++] = n;
      } else if (n <= 0xffff) {
        b[at++] = 0xcd;
        b.writeUInt16BE(n, at);
        at += 2;
      } else if (n <= 0xffffffff) {
        b[at++] = 0xce;
        b.writeUInt32BE(n, at);
        at += 4;
      } else {
        b[at++] = 0xcf;
        b.writeBigUInt64BE(BigInt(n), at);
        at += 8;
      }
    } else if (n >= -32) b[at++] = n & 0xff;
    else if (n >= -128) {
      b[at++] = 0xd0;
      b[at++] = n & 0xff;
    } else if (n >= -32768) {
      b[at++] = 0xd1;
      b.writeInt16BE(n, at);
      at += 2;
    } else if (n >= -2147483648) {
      b[at++] = 0xd2;
      b.writeInt32BE(n, at);
      at += 4;
    } else {
      b[at++] = 0xd3;
      b.writeBigInt64BE(BigInt(n), at);
      at += 8;
    }
    out.len = at;
  }

  /**
   * table_is_an_array: every key a number n > 0 equal to its int cast, and the largest one equal
   * to the count (so the keys are exactly 1..count).
   */
  private isArray(L: LuaState): boolean {
    const vm = this.vm;
    const top = vm.top(L);
    let count = 0;
    let max = 0;
    vm.pushNil(L);
    while (vm.next(L, -2)) {
      vm.pop(L, 1);
      if (vm.type(L, -1) !== T_NUMBER) {
        vm.setTop(L, top);
        return false;
      }
      const n = vm.toNumber(L, -1);
      if (!(n > 0) || n !== Math.trunc(n) || n > 2147483647) {
        vm.setTop(L, top);
        return false;
      }
      if (n > max) max = n;
      count++;
    }
    vm.setTop(L, top);
    return max === count;
  }

  private encodeArray(L: LuaState, level: number): void {
    const vm = this.vm;
    const len = vm.objLen(L, -1);
    this.encodeArrayHeader(len);
    for (let j = 1; j <= len; j++) {
      vm.pushNumber(L, j);
      vm.getTable(L, -2);
      this.encodeValue(L, level + 1);
    }
  }

  private encodeArrayHeader(n: number): void {
    const out = this.out;
    if (n <= 15) out.byte(0x90 | n);
    else if (n <= 0xffff) {
      out.byte(0xdc);
      out.byte(n >>> 8);
      out.byte(n & 0xff);
    } else {
      out.ensure(5);
      out.buf[out.len] = 0xdd;
      out.buf.writeUInt32BE(n >>> 0, out.len + 1);
      out.len += 5;
    }
  }

  private encodeMap(L: LuaState, level: number): void {
    const vm = this.vm;
    const out = this.out;
    let len = 0;
    vm.pushNil(L);
    while (vm.next(L, -2)) {
      vm.pop(L, 1);
      len++;
    }
    if (len <= 15) out.byte(0x80 | len);
    else if (len <= 0xffff) {
      out.byte(0xde);
      out.byte(len >>> 8);
      out.byte(len & 0xff);
    } else {
      out.ensure(5);
      out.buf[out.len] = 0xdf;
      out.buf.writeUInt32BE(len >>> 0, out.len + 1);
      out.len += 5;
    }
    vm.pushNil(L);
    while (vm.next(L, -2)) {
      vm.pushValue(L, -2);
      this.encodeValue(L, level + 1);
      this.encodeValue(L, level + 1);
    }
  }

  // ---- decoding -------------------------------------------------------------------------------

  private unpackOne(L: LuaState): number {
    const offset = optInteger(this.vm, L, 2, 0);
    this.keepFirstArgument(L);
    return this.unpackFull(L, 1, offset);
  }

  private unpackLimit(L: LuaState): number {
    const limit = checkInteger(this.vm, L, 2);
    const offset = optInteger(this.vm, L, 3, 0);
    this.keepFirstArgument(L);
    return this.unpackFull(L, limit, offset);
  }

  /** lua_pop(L, lua_gettop(L) - 1): with no argument at all, nothing is pushed. */
  private keepFirstArgument(L: LuaState): void {
    if (this.vm.top(L) > 1) this.vm.setTop(L, 1);
  }

  /** mp_unpack_full: limit 0 with offset 0 decodes everything and returns no offset. */
  private unpackFull(L: LuaState, limit: number, offset: number): number {
    const vm = this.vm;
    const data = checkBuffer(vm, L, 1);
    const len = data.length;
    const decodeAll = limit === 0 && offset === 0;
    if (offset < 0 || limit < 0) {
      // The C code prints the length where it means the limit.
      luaError(vm, L, `Invalid request to unpack with offset of ${toInt32(offset)} and limit of ${toInt32(len)}.`);
    } else if (offset > len) {
      luaError(vm, L, `Start offset ${toInt32(offset)} greater than input length ${toInt32(len)}.`);
    }
    if (decodeAll) limit = 2147483647;
    this.data = data;
    this.pos = offset;
    this.err = ERR_NONE;
    this.sp = 0;
    let cnt = 0;
    for (; this.pos < len && cnt < limit; cnt++) {
      this.decodeValue(L);
      if (this.err === ERR_EOF) luaError(vm, L, 'Missing bytes in input.');
      else if (this.err === ERR_BADFMT) luaError(vm, L, 'Bad data format in input.');
    }
    if (!decodeAll) {
      vm.pushNumber(L, this.pos >= len ? -1 : this.pos);
      vm.insert(L, 2);
      cnt++;
    }
    return cnt;
  }

  /** mp_cur_need: false (and the EOF error set) when fewer than n bytes remain. */
  private need(n: number): boolean {
    if (this.data.length - this.pos < n) {
      this.err = ERR_EOF;
      return false;
    }
    return true;
  }

  /**
   * mp_decode_to_lua_type: pushes one value, or sets err (possibly after pushing). The C code
   * recurses into arrays and maps; here they are frames on an explicit stack, so nesting is bound
   * by the Lua stack (as in C), not by the JavaScript one.
   */
  private decodeValue(L: LuaState): void {
    const vm = this.vm;
    const kinds = this.frameKind;
    const left = this.frameLeft;
    const next = this.frameNext;
    const base = this.sp;
    for (;;) {
      const sp = this.sp;
      if (sp > base && kinds[sp - 1] === ITEM_ARRAY) vm.pushNumber(L, next[sp - 1]!++);
      const kind = this.decodeItem(L);
      if (this.err !== ERR_NONE) {
        this.sp = base;
        return;
      }
      if (kind !== ITEM_VALUE) {
        vm.newTable(L);
        if (kind === ITEM_ARRAY && !vm.checkStack(L, 1)) {
          luaError(vm, L, 'stack overflow (in function mp_decode_to_lua_array)');
        }
        if (this.itemLen > 0) {
          kinds[sp] = kind;
          left[sp] = kind === ITEM_ARRAY ? this.itemLen : this.itemLen * 2;
          next[sp] = 1;
          this.sp = sp + 1;
          continue;
        }
      }
      // A value is complete: store it in the enclosing containers that it completes.
      while (this.sp > base) {
        const top = this.sp - 1;
        const remaining = --left[top]!;
        // A map stores after each value, that is after every second item.
        if (kinds[top] === ITEM_ARRAY || remaining % 2 === 0) vm.setTable(L, -3);
        if (remaining > 0) break;
        this.sp = top;
      }
      if (this.sp === base) return;
    }
  }

  /** One item: a scalar is pushed (ITEM_VALUE); an array or map header leaves its length in itemLen. */
  private decodeItem(L: LuaState): number {
    const vm = this.vm;
    if (!this.need(1)) return ITEM_VALUE;
    if (!vm.checkStack(L, 1)) {
      luaError(vm, L, 'stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)');
    }
    const d = this.data;
    const p = this.pos;
    const c = d[p]!;
    switch (c) {
      case 0xcc:
        if (!this.need(2)) return ITEM_VALUE;
        vm.pushNumber(L, d[p + 1]!);
        this.pos += 2;
        return ITEM_VALUE;
      case 0xd0:
        if (!this.need(2)) return ITEM_VALUE;
        vm.pushNumber(L, d.readInt8(p + 1));
        this.pos += 2;
        return ITEM_VALUE;
      case 0xcd:
        if (!this.need(3)) return ITEM_VALUE;
        vm.pushNumber(L, d.readUInt16BE(p + 1));
        this.pos += 3;
        return ITEM_VALUE;
      case 0xd1:
        if (!this.need(3)) return ITEM_VALUE;
        vm.pushNumber(L, d.readInt16BE(p + 1));
        this.pos += 3;
        return ITEM_VALUE;
      case 0xce:
        if (!this.need(5)) return ITEM_VALUE;
        vm.pushNumber(L, d.readUInt32BE(p + 1));
        this.pos += 5;
        return ITEM_VALUE;
      case 0xd2:
        if (!this.need(5)) return ITEM_VALUE;
        vm.pushNumber(L, d.readInt32BE(p + 1));
        this.pos += 5;
        return ITEM_VALUE;
      case 0xcf:
      case 0xd3:
        if (!this.need(9)) return ITEM_VALUE;
        vm.pushNumber(L, Number(d.readBigInt64BE(p + 1)));
        this.pos += 9;
        return ITEM_VALUE;
      case 0xc0:
        vm.pushNil(L);
        this.pos += 1;
        return ITEM_VALUE;
      case 0xc3:
        vm.pushBoolean(L, true);
        this.pos += 1;
        return ITEM_VALUE;
      case 0xc2:
        vm.pushBoolean(L, false);
        this.pos += 1;
        return ITEM_VALUE;
      case 0xca:
        if (!this.need(5)) return ITEM_VALUE;
        vm.pushNumber(L, d.readFloatBE(p + 1));
        this.pos += 5;
        return ITEM_VALUE;
      case 0xcb:
        if (!this.need(9)) return ITEM_VALUE;
        vm.pushNumber(L, d.readDoubleBE(p + 1));
        this.pos += 9;
        return ITEM_VALUE;
      case 0xd9: {
        if (!this.need(2)) return ITEM_VALUE;
        const l = d[p + 1]!;
        if (!this.need(2 + l)) return ITEM_VALUE;
        vm.pushBuffer(L, d.subarray(p + 2, p + 2 + l));
        this.pos += 2 + l;
        return ITEM_VALUE;
      }
      case 0xda: {
        if (!this.need(3)) return ITEM_VALUE;
        const l = d.readUInt16BE(p + 1);
        if (!this.need(3 + l)) return ITEM_VALUE;
        vm.pushBuffer(L, d.subarray(p + 3, p + 3 + l));
        this.pos += 3 + l;
        return ITEM_VALUE;
      }
      case 0xdb: {
        if (!this.need(5)) return ITEM_VALUE;
        const l = d.readUInt32BE(p + 1);
        this.pos += 5;
        if (!this.need(l)) return ITEM_VALUE;
        vm.pushBuffer(L, d.subarray(p + 5, p + 5 + l));
        this.pos += l;
        return ITEM_VALUE;
      }
      case 0xdc:
        if (!this.need(3)) return ITEM_VALUE;
        this.pos += 3;
        this.itemLen = d.readUInt16BE(p + 1);
        return ITEM_ARRAY;
      case 0xdd:
        if (!this.need(5)) return ITEM_VALUE;
        this.pos += 5;
        this.itemLen = d.readUInt32BE(p + 1);
        return ITEM_ARRAY;
      case 0xde:
        if (!this.need(3)) return ITEM_VALUE;
        this.pos += 3;
        this.itemLen = d.readUInt16BE(p + 1);
        return ITEM_MAP;
      case 0xdf:
        if (!this.need(5)) return ITEM_VALUE;
        this.pos += 5;
        this.itemLen = d.readUInt32BE(p + 1);
        return ITEM_MAP;
      default:
        break;
    }
    if ((c & 0x80) === 0) {
      vm.pushNumber(L, c);
      this.pos += 1;
    } else if ((c & 0xe0) === 0xe0) {
      vm.pushNumber(L, c - 256);
      this.pos += 1;
    } else if ((c & 0xe0) === 0xa0) {
      const l = c & 0x1f;
      if (!this.need(1 + l)) return ITEM_VALUE;
      vm.pushBuffer(L, d.subarray(p + 1, p + 1 + l));
      this.pos += 1 + l;
    } else if ((c & 0xf0) === 0x90) {
      this.pos += 1;
      this.itemLen = c & 0xf;
      return ITEM_ARRAY;
    } else if ((c & 0xf0) === 0x80) {
      this.pos += 1;
      this.itemLen = c & 0xf;
      return ITEM_MAP;
    } else {
      this.err = ERR_BADFMT;
    }
    return ITEM_VALUE;
  }
}

const perVm = new WeakMap<LuaVm, Cmsgpack>();

/** Opens cmsgpack on a fresh state: creates the library table and sets the global `cmsgpack`. */
export function openCmsgpack(vm: LuaVm, L: LuaState): void {
  let lib = perVm.get(vm);
  if (lib === undefined) {
    lib = new Cmsgpack(vm);
    perVm.set(vm, lib);
  }
  vm.newTable(L);
  for (const [name, fn] of lib.functions) {
    vm.pushFunction(L, fn);
    vm.setField(L, -2, name);
  }
  vm.pushText(L, 'cmsgpack');
  vm.setField(L, -2, '_NAME');
  vm.pushText(L, 'lua-cmsgpack 0.4.0');
  vm.setField(L, -2, '_VERSION');
  vm.pushText(L, 'Copyright (C) 2012, Salvatore Sanfilippo');
  vm.setField(L, -2, '_COPYRIGHT');
  vm.pushText(L, 'MessagePack C implementation for Lua');
  vm.setField(L, -2, '_DESCRIPTION');
  vm.setField(L, LUA_GLOBALSINDEX, 'cmsgpack');
}
