/*
 * Why EVAL runs on Lua 5.1.5 compiled to WebAssembly (wasmoon-lua5.1, through our LuaVm) rather
 * than on a Lua interpreter written in JavaScript: the same Lua workloads on both engines, in the
 * same process, alternating which goes first. The JS interpreter is fengari (Lua 5.3), the one the
 * in-process Redis mocks embed; 5.3's integer subtype is the only language difference the
 * workloads touch, so they keep their integers small (fengari's are 32-bit) and compare results.
 *
 * Each workload is one Lua chunk, compiled and run per timed sample (compile time is negligible
 * next to the loops), except the JS→Lua case, which is the EVALSHA shape: a compiled function
 * kept in the registry, called from JS with a key and a number, its result read back.
 *
 *   npx tsx bench/lua-engine.bench.ts            3 timed samples per engine and workload
 *   npx tsx bench/lua-engine.bench.ts --quick    1 sample, a smoke run
 *   BENCH_FILTER=<substring>                     only the workloads whose name contains it
 *
 * Ratios are fengari time / wasm time (median of the per-sample ratios), so > 1 means wasm is
 * faster; absolute times on a shared host mean little alone.
 */
import { createRequire } from 'node:module';
import { LUA_GLOBALSINDEX, LuaVm, type LuaState } from '../commands/scripting/lua-vm.js';
import { median } from './compare/report.js';
import { quickMode } from './lib/suite.js';

// ---- fengari, typed as far as this file uses it ----------------------------------------------

type FState = object;
type FFunction = (L: FState) => number;

interface Fengari {
  to_luastring(s: string): Uint8Array;
  to_jsstring(s: Uint8Array): string;
  lua: {
    LUA_REGISTRYINDEX: number;
    lua_pcall(L: FState, nargs: number, nresults: number, errfunc: number): number;
    lua_tonumber(L: FState, idx: number): number;
    lua_tostring(L: FState, idx: number): Uint8Array | null;
    lua_pop(L: FState, n: number): void;
    lua_pushnumber(L: FState, n: number): void;
    lua_pushstring(L: FState, s: Uint8Array): void;
    lua_pushcfunction(L: FState, fn: FFunction): void;
    lua_setglobal(L: FState, name: Uint8Array): void;
    lua_rawgeti(L: FState, idx: number, n: number): void;
    lua_gettop(L: FState): number;
  };
  lauxlib: {
    luaL_newstate(): FState;
    luaL_loadbuffer(L: FState, code: Uint8Array, size: number, name: Uint8Array): number;
    luaL_ref(L: FState, t: number): number;
  };
  lualib: {
    luaL_openlibs(L: FState): void;
  };
}

const require = createRequire(import.meta.url);
// CommonJS without type declarations: loaded through require and given the interface above.
const fengari = require('fengari') as Fengari;
const { lua, lauxlib, lualib } = fengari;

// ---- one interface over both engines ---------------------------------------------------------

interface Engine {
  name: string;
  /** Compiles and runs a chunk that returns one number. */
  run(code: string): number;
  /** Defines global `host(n)`, a JS function returning n + 1. */
  defineHost(): void;
  /** Compiles `code` (a chunk returning a function of (key, n)) and keeps the function. */
  keep(code: string): void;
  /** Calls the kept function `calls` times with (keys[i % keys.length], i); returns the sum of results. */
  callKept(keys: readonly Buffer[], calls: number): number;
}

async function wasmEngine(): Promise<Engine> {
  const vm = await LuaVm.create();
  const L: LuaState = vm.L;
  let kept = 0;
  const fail = (what: string): never => {
    const why = vm.toText(L, -1);
    vm.pop(L, 1);
    throw new Error(`wasm ${what}: ${why}`);
  };
  return {
    name: 'wasm Lua 5.1 (LuaVm)',
    run(code) {
      if (vm.load(L, Buffer.from(code, 'latin1'), '=bench') !== 0) fail('load');
      if (vm.pcall(L, 0, 1, 0) !== 0) fail('pcall');
      const r = vm.toNumber(L, -1);
      vm.pop(L, 1);
      return r;
    },
    defineHost() {
      vm.pushFunction(L, (S) => {
        vm.pushNumber(S, vm.toNumber(S, 1) + 1);
        return 1;
      });
      vm.setField(L, LUA_GLOBALSINDEX, 'host');
    },
    keep(code) {
      if (vm.load(L, Buffer.from(code, 'latin1'), '=bench') !== 0) fail('load');
      if (vm.pcall(L, 0, 1, 0) !== 0) fail('pcall');
      kept = vm.ref(L);
    },
    callKept(keys, calls) {
      let sum = 0;
      for (let i = 0; i < calls; i++) {
        vm.getRef(L, kept);
        vm.pushBuffer(L, keys[i % keys.length]!);
        vm.pushNumber(L, i);
        if (vm.pcall(L, 2, 1, 0) !== 0) fail('call');
        sum += vm.toNumber(L, -1);
        vm.pop(L, 1);
      }
      return sum;
    },
  };
}

function fengariEngine(): Engine {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const chunkName = fengari.to_luastring('=bench');
  let kept = 0;
  const fail = (what: string): never => {
    const msg = lua.lua_tostring(L, -1);
    lua.lua_pop(L, 1);
    throw new Error(`fengari ${what}: ${msg === null ? '?' : fengari.to_jsstring(msg)}`);
  };
  const load = (code: string): void => {
    const bytes = fengari.to_luastring(code);
    if (lauxlib.luaL_loadbuffer(L, bytes, bytes.length, chunkName) !== 0) fail('load');
  };
  return {
    name: 'fengari Lua 5.3 (JS)',
    run(code) {
      load(code);
      if (lua.lua_pcall(L, 0, 1, 0) !== 0) fail('pcall');
      const r = lua.lua_tonumber(L, -1);
      lua.lua_pop(L, 1);
      return r;
    },
    defineHost() {
      lua.lua_pushcfunction(L, (S) => {
        lua.lua_pushnumber(S, lua.lua_tonumber(S, 1) + 1);
        return 1;
      });
      lua.lua_setglobal(L, fengari.to_luastring('host'));
    },
    keep(code) {
      load(code);
      if (lua.lua_pcall(L, 0, 1, 0) !== 0) fail('pcall');
      kept = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    },
    callKept(keys, calls) {
      let sum = 0;
      for (let i = 0; i < calls; i++) {
        lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, kept);
        // A Buffer is a Uint8Array, which is what fengari's strings are: no conversion needed.
        lua.lua_pushstring(L, keys[i % keys.length]!);
        lua.lua_pushnumber(L, i);
        if (lua.lua_pcall(L, 2, 1, 0) !== 0) fail('call');
        sum += lua.lua_tonumber(L, -1);
        lua.lua_pop(L, 1);
      }
      return sum;
    },
  };
}

// ---- workloads -------------------------------------------------------------------------------

interface Workload {
  name: string;
  /** Done once per engine before any timing. */
  setup?: (e: Engine) => unknown;
  body: (e: Engine) => number;
}

const KEYS = Array.from({ length: 64 }, (_, i) => Buffer.from(`user:${i}:profile`, 'latin1'));

const WORKLOADS: Workload[] = [
  {
    name: 'numeric loop, 10M iterations of (x + i*3) % 1000003',
    body: (e) => e.run(`
      local x = 0
      for i = 1, 10000000 do x = (x + i * 3) % 1000003 end
      return x`),
  },
  {
    name: 'float arithmetic, 5M iterations of x*0.999 + i/7',
    body: (e) => e.run(`
      local x = 0.5
      for i = 1, 5000000 do x = x * 0.999 + i / 7 end
      return math.floor(x)`),
  },
  {
    name: 'strings: 50k x (.. of numbers + string.format), table.concat',
    body: (e) => e.run(`
      local parts = {}
      for i = 1, 50000 do
        local k = 'user:' .. i .. ':' .. (i % 97)
        parts[i] = string.format('%s=%d;%s', k, i * 2, string.rep('x', i % 5))
      end
      local s = table.concat(parts, ',')
      return #s`),
  },
  {
    name: 'strings: 500k string.sub/byte/len over a 1 KB string',
    body: (e) => e.run(`
      local s = string.rep('abcdefghij', 100)
      local n = 0
      for i = 1, 500000 do
        local j = i % 990 + 1
        n = n + #string.sub(s, j, j + 9) + string.byte(s, j)
      end
      return n`),
  },
  {
    name: 'strings: s = s .. 10 bytes, 5k times (a 50 KB string, copied each time)',
    body: (e) => e.run(`
      local s = ''
      for i = 1, 5000 do s = s .. 'abcdefghij' end
      return #s`),
  },
  {
    name: 'table array part: 1M inserts t[i] = i*2, then 1M reads',
    body: (e) => e.run(`
      local t = {}
      for i = 1, 1000000 do t[i] = i * 2 end
      local sum = 0
      for i = 1, 1000000 do sum = (sum + t[i]) % 1000003 end
      return sum + #t`),
  },
  {
    // Apart from the hash workload below, whose keys would otherwise be mostly this.
    name: "number to string: 200k x ('k' .. i)",
    body: (e) => e.run(`
      local n = 0
      for i = 1, 200000 do n = n + #('k' .. i) end
      return n`),
  },
  {
    name: 'table hash part: 200k string keys (made beforehand), insert then read',
    setup: (e) => e.run(`
      hashkeys = {}
      for i = 1, 200000 do hashkeys[i] = 'k' .. i end
      return #hashkeys`),
    body: (e) => e.run(`
      local ks = hashkeys
      local t = {}
      for i = 1, #ks do t[ks[i]] = i end
      local sum = 0
      for i = 1, #ks do sum = (sum + t[ks[i]]) % 1000003 end
      return sum`),
  },
  {
    name: 'Lua calls a host (JS) function 1M times',
    setup: (e) => e.defineHost(),
    body: (e) => e.run(`
      local f = host
      local n = 0
      for i = 1, 1000000 do n = f(n) end
      return n`),
  },
  {
    name: 'JS calls a kept Lua function 200k times (key string + number in, number out)',
    setup: (e) => e.keep(`return function(k, n) return #k + n % 7 end`),
    body: (e) => e.callKept(KEYS, 200_000),
  },
];

// ---- timing ----------------------------------------------------------------------------------

function timed(fn: () => number): { ms: number; result: number } {
  const t0 = process.hrtime.bigint();
  const result = fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, result };
}

function fmt(v: number, digits: number): string {
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

async function main(): Promise<void> {
  const samples = quickMode() ? 1 : 3;
  const filter = process.env.BENCH_FILTER ?? '';

  // Cold start: what the first EVAL after server start pays (wasm compile + state + libs).
  const coldWasm = process.hrtime.bigint();
  const wasm = await wasmEngine();
  const wasmStartMs = Number(process.hrtime.bigint() - coldWasm) / 1e6;
  const coldFengari = process.hrtime.bigint();
  const fen = fengariEngine();
  const fengariStartMs = Number(process.hrtime.bigint() - coldFengari) / 1e6;

  process.stdout.write(`# Lua engines: ${wasm.name} vs ${fen.name} (node ${process.version}, ${samples} sample${samples === 1 ? '' : 's'} after a warm-up)\n\n`);
  process.stdout.write(`first state (module load + newstate + openlibs): wasm ${fmt(wasmStartMs, 1)} ms, fengari ${fmt(fengariStartMs, 1)} ms\n\n`);
  const rows: string[] = [
    '| Workload | wasm Lua 5.1 (ms, median) | fengari (ms, median) | fengari / wasm (median of samples) | per-sample ratios |',
    '|---|---:|---:|---:|---|',
  ];
  let failed = false;
  for (const w of WORKLOADS) {
    if (filter !== '' && !w.name.includes(filter)) continue;
    const engines = [wasm, fen];
    for (const e of engines) w.setup?.(e);
    // Warm-up: JIT for fengari and the JS glue, wasm tier-up for LuaVm; also the result check.
    const expected = w.body(wasm);
    const got = w.body(fen);
    if (expected !== got) {
      process.stderr.write(`${w.name}: results differ (wasm ${expected}, fengari ${got})\n`);
      failed = true;
    }
    const times: Record<'wasm' | 'fengari', number[]> = { wasm: [], fengari: [] };
    for (let s = 0; s < samples; s++) {
      const order = s % 2 === 0 ? (['wasm', 'fengari'] as const) : (['fengari', 'wasm'] as const);
      for (const which of order) {
        const r = timed(() => w.body(which === 'wasm' ? wasm : fen));
        times[which].push(r.ms);
      }
    }
    const ratios = times.fengari.map((f, i) => f / times.wasm[i]!);
    const line = `${w.name}: wasm ${fmt(median(times.wasm), 1)} ms, fengari ${fmt(median(times.fengari), 1)} ms, fengari/wasm ${fmt(median(ratios), 2)} (${ratios.map((r) => r.toFixed(2)).join(', ')})`;
    process.stderr.write(`${line}\n`);
    rows.push(`| ${w.name} | ${fmt(median(times.wasm), 1)} | ${fmt(median(times.fengari), 1)} | ${fmt(median(ratios), 2)} | ${ratios.map((r) => r.toFixed(2)).join(', ')} |`);
  }
  process.stdout.write(`${rows.join('\n')}\n`);
  if (failed) process.exitCode = 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`lua-engine bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
