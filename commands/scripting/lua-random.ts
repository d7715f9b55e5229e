/*
 * math.random and math.randomseed as Redis patches them into Lua: driven by Redis's own 48-bit
 * linear congruential generator (deps/lua, rand.c) instead of the C library's rand(), so a script
 * draws the same numbers on every platform, here included. The state lives for the life of the
 * Lua state (SCRIPT FLUSH starts a new one), as in Redis.
 */
import { LUA_GLOBALSINDEX, type LuaState, type LuaVm } from './lua-vm.js';
import { luaError } from './lib-support.js';

const A = 0x5deece66dn;
const C = 0xbn;
const MASK48 = (1n << 48n) - 1n;
/** The seed rand.c starts from: X2 X1 X0 = 0x1234 0xABCD 0x330E. */
const INITIAL = 0x1234abcd330en;
const LRAND48_MAX = 0x7fffffff;

export class Rand48 {
  private x = INITIAL;

  /** redisLrand48: the next value, 31 bits. */
  next(): number {
    this.x = (A * this.x + C) & MASK48;
    return Number(this.x >> 17n);
  }

  /** redisSrand48: the low 32 bits of the seed above 0x330E. */
  seed(value: number): void {
    const v = BigInt(value | 0) & 0xffffffffn;
    this.x = (v << 16n) | 0x330en;
  }

  /** math.random's r: in [0, 1). */
  fraction(): number {
    return (this.next() % LRAND48_MAX) / LRAND48_MAX;
  }
}

/** Replaces math.random and math.randomseed (on a state not yet sandboxed). */
export function openRandom(vm: LuaVm, L: LuaState): void {
  const rand = new Rand48();
  vm.getField(L, LUA_GLOBALSINDEX, 'math');
  vm.pushFunction(L, (S) => {
    const r = rand.fraction();
    switch (vm.top(S)) {
      case 0:
        vm.pushNumber(S, r);
        return 1;
      case 1: {
        const u = vm.checkInteger(S, 1);
        if (u < 1) return vm.argError(S, 1, 'interval is empty');
        vm.pushNumber(S, Math.floor(r * u) + 1);
        return 1;
      }
      case 2: {
        const l = vm.checkInteger(S, 1);
        const u = vm.checkInteger(S, 2);
        if (l > u) return vm.argError(S, 2, 'interval is empty');
        vm.pushNumber(S, Math.floor(r * (u - l + 1)) + l);
        return 1;
      }
      default:
        return luaError(vm, S, 'wrong number of arguments');
    }
  });
  vm.setField(L, -2, 'random');
  vm.pushFunction(L, (S) => {
    rand.seed(vm.checkInteger(S, 1));
    return 0;
  });
  vm.setField(L, -2, 'randomseed');
  vm.pop(L, 1);
}
