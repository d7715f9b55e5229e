/*
 * string.format with Redis's 64-bit integers. Lua 5.1 formats %d %i (and %o %u %x %X) through a
 * C `long`, 64 bits where Redis runs but 32 in the WebAssembly build: string.format('%d', t) of a
 * millisecond timestamp would come out wrapped. This replacement checks the arguments exactly as
 * str_format does (same order, same messages), then lets the original function do the work,
 * except for the integer conversions a 32-bit long cannot hold, which it formats itself with C's
 * flags, width and precision.
 */
import { LUA_GLOBALSINDEX, T_STRING, type LuaState, type LuaVm } from './lua-vm.js';
import { argError, checkBuffer, checkNumber, luaError, toInt64 } from './lib-support.js';

const FLAGS = '-+ #0';

interface Spec {
  /** The conversion as C's printf takes it: '%', flags, width, precision, the letter. */
  readonly form: string;
  readonly flags: string;
  readonly width: number;
  /** -1 when absent. */
  readonly precision: number;
  readonly conversion: string;
  readonly arg: number;
  /** An integer conversion the 32-bit build would get wrong: formatted here. */
  wide: boolean;
}

/**
 * Replaces string.format and tostring (on a state not yet sandboxed); the originals stay in the
 * registry. tostring only differs for a NULL userdata (cjson.null): the wasm C library prints the
 * pointer as "0" where Redis's glibc prints "(nil)".
 */
export function openFormat(vm: LuaVm, L: LuaState): void {
  vm.getField(L, LUA_GLOBALSINDEX, 'tostring');
  const tostring = vm.ref(L);
  vm.pushFunction(L, (S) => {
    vm.checkAny(S, 1);
    vm.getRef(S, tostring);
    vm.pushValue(S, 1);
    vm.call(S, 1, 1);
    if (vm.type(S, -1) === T_STRING && vm.toText(S, -1) === 'userdata: 0') vm.pushText(S, 'userdata: (nil)');
    return 1;
  });
  vm.setField(L, LUA_GLOBALSINDEX, 'tostring');
  vm.getField(L, LUA_GLOBALSINDEX, 'string');
  vm.getField(L, -1, 'format');
  const original = vm.ref(L);
  vm.pushFunction(L, (S) => format(vm, S, original));
  vm.setField(L, -2, 'format');
  vm.pop(L, 1);
}

function format(vm: LuaVm, L: LuaState, original: number): number {
  const top = vm.top(L);
  const fmt = checkBuffer(vm, L, 1).toString('latin1');
  const specs: Spec[] = [];
  let arg = 1;
  let wide = false;
  for (let i = 0; i < fmt.length; i++) {
    if (fmt[i] !== '%') continue;
    if (fmt[++i] === '%') continue;
    if (++arg > top) argError(vm, L, arg, 'no value');
    const start = i;
    while (i < fmt.length && FLAGS.includes(fmt[i]!)) i++;
    if (i - start >= FLAGS.length) luaError(vm, L, 'invalid format (repeated flags)');
    const flags = fmt.slice(start, i);
    const widthStart = i;
    if (isDigit(fmt[i])) i++;
    if (isDigit(fmt[i])) i++;
    const width = i > widthStart ? Number(fmt.slice(widthStart, i)) : 0;
    let precision = -1;
    if (fmt[i] === '.') {
      const p = ++i;
      if (isDigit(fmt[i])) i++;
      if (isDigit(fmt[i])) i++;
      precision = Number(fmt.slice(p, i) || '0');
    }
    if (isDigit(fmt[i])) luaError(vm, L, 'invalid format (width or precision too long)');
    const conversion = fmt[i] ?? '\0';
    const spec: Spec = { form: `%${fmt.slice(start, i + 1)}`, flags, width, precision, conversion, arg, wide: false };
    switch (conversion) {
      case 'd': case 'i': case 'o': case 'u': case 'x': case 'X': {
        spec.wide = !fitsNativeLong(checkNumber(vm, L, arg), conversion);
        wide ||= spec.wide;
        break;
      }
      case 'c': case 'e': case 'E': case 'f': case 'g': case 'G':
        checkNumber(vm, L, arg);
        break;
      case 'q': case 's':
        checkBuffer(vm, L, arg);
        break;
      default:
        luaError(vm, L, `invalid option '%${conversion}' to 'format'`);
    }
    specs.push(spec);
  }
  // Everything checked: the original cannot fail now, whatever it is given.
  if (!wide) return callOriginal(vm, L, original, 1, top);
  const out: Buffer[] = [];
  let last = 0;
  let k = 0;
  for (let i = 0; i < fmt.length; i++) {
    if (fmt[i] !== '%') continue;
    if (fmt[i + 1] === '%') {
      i++;
      continue;
    }
    const spec = specs[k++]!;
    out.push(Buffer.from(fmt.slice(last, i).replace(/%%/g, '%'), 'latin1'));
    if (spec.wide) out.push(Buffer.from(formatWide(vm.toNumber(L, spec.arg), spec), 'latin1'));
    else out.push(formatOne(vm, L, original, spec));
    i += spec.form.length - 1;
    last = i + 1;
  }
  out.push(Buffer.from(fmt.slice(last).replace(/%%/g, '%'), 'latin1'));
  vm.pushBuffer(L, Buffer.concat(out));
  return 1;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Whether the wasm build's 32-bit long gives what a 64-bit one would (NaN never does). */
function fitsNativeLong(n: number, conversion: string): boolean {
  const v = Math.trunc(n);
  if (conversion === 'd' || conversion === 'i') return v >= -2147483648 && v <= 2147483647;
  return v >= 0 && v <= 4294967295;
}

/** Calls the original format with the stack's arguments from..to; leaves its result. */
function callOriginal(vm: LuaVm, L: LuaState, original: number, from: number, to: number): number {
  vm.getRef(L, original);
  for (let i = from; i <= to; i++) vm.pushValue(L, i);
  vm.call(L, to - from + 1, 1);
  return 1;
}

/** One conversion by the original: format(form, value). */
function formatOne(vm: LuaVm, L: LuaState, original: number, spec: Spec): Buffer {
  const base = vm.top(L);
  vm.getRef(L, original);
  vm.pushText(L, spec.form);
  vm.pushValue(L, spec.arg);
  vm.call(L, 2, 1);
  const text = vm.type(L, -1) === T_STRING ? vm.toBuffer(L, -1)! : Buffer.alloc(0);
  vm.setTop(L, base);
  return text;
}

/** An integer conversion as glibc prints a 64-bit long (unsigned for o u x X). */
function formatWide(n: number, spec: Spec): string {
  const signed = BigInt(toInt64(n));
  const unsigned = spec.conversion !== 'd' && spec.conversion !== 'i';
  const value = unsigned ? BigInt.asUintN(64, signed) : signed;
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const radix = spec.conversion === 'o' ? 8 : spec.conversion === 'x' || spec.conversion === 'X' ? 16 : 10;
  let digits = magnitude.toString(radix);
  if (spec.conversion === 'X') digits = digits.toUpperCase();
  if (spec.precision === 0 && magnitude === 0n) digits = '';
  if (spec.precision > digits.length) digits = digits.padStart(spec.precision, '0');
  let prefix = '';
  if (negative) prefix = '-';
  else if (!unsigned && spec.flags.includes('+')) prefix = '+';
  else if (!unsigned && spec.flags.includes(' ')) prefix = ' ';
  if (spec.flags.includes('#')) {
    if (spec.conversion === 'o' && !digits.startsWith('0')) digits = `0${digits}`;
    else if (magnitude !== 0n && spec.conversion === 'x') prefix += '0x';
    else if (magnitude !== 0n && spec.conversion === 'X') prefix += '0X';
  }
  const length = prefix.length + digits.length;
  if (length >= spec.width) return prefix + digits;
  if (spec.flags.includes('-')) return (prefix + digits).padEnd(spec.width, ' ');
  if (spec.flags.includes('0') && spec.precision < 0) return prefix + digits.padStart(spec.width - prefix.length, '0');
  return (prefix + digits).padStart(spec.width, ' ');
}
