/*
 * The environment scripts run in, as Redis 7.0 builds it: the globals of its allow list only,
 * Redis's error handler, and tables scripts cannot modify.
 *
 * Redis patches Lua with read-only tables; stock Lua 5.1 has none, so the same effect comes from
 * proxies. Scripts see an empty globals table whose __index is the real one (so every existing
 * global reads at table speed) and whose __newindex refuses; the real table's own __index refuses
 * names that do not exist. Library tables (string, redis, cjson...) are replaced by the same kind
 * of proxy. The texts and positions of both errors are Redis's.
 */
import { luaError } from './lib-support.js';
import { LUA_GLOBALSINDEX, T_NIL, T_TABLE, type LuaFunction, type LuaState, type LuaVm } from './lua-vm.js';

/** Globals Redis 7.0 removes from the standard libraries (the rest of _G is its allow list). */
const REMOVED = ['print', 'dofile', 'loadfile', 'require', 'module', 'getfenv', 'setfenv', 'newproxy', 'io', 'os', 'package'];

/** Library tables scripts read but cannot change. */
const PROTECTED_LIBRARIES = ['string', 'table', 'math', 'coroutine', 'redis', 'cjson', 'cmsgpack', 'bit', 'struct'];

/**
 * Redis's error handler, kept as a global as Redis does: errors become {err=..., source=...,
 * line=...}, located at the script's line even when raised inside redis.call (a C function).
 * It captures `debug`, which is then removed.
 */
const ERROR_HANDLER = `
local dbg = debug
debug = nil
function __redis__err__handler(err)
  local i = dbg.getinfo(2,'nSl')
  if i and i.what == 'C' then
    i = dbg.getinfo(3,'nSl')
  end
  if type(err) ~= 'table' then
    err = {err='ERR ' .. tostring(err)}
  end
  if i then
    err['source'] = i.source
    err['line'] = i.currentline
  end
  return err
end
`;

/**
 * Builds the proxies. Run with the real globals table and the two refusals; returns the proxy
 * that becomes the globals of every script, and a weak table from each proxy to what it guards
 * (the raw functions below look through it). The refusals are C functions, as Redis's are, so
 * the error handler skips them and names the script's line.
 */
const PROTECT = `
local G, libs, readonly, missing = ...
local setmetatable = setmetatable
local guarded = setmetatable({}, {__mode = 'k'})
local function proxy(t, shown)
  local p = setmetatable({}, {__index = t, __newindex = readonly, __metatable = shown})
  guarded[p] = t
  return p
end
for _, name in ipairs(libs) do
  local t = rawget(G, name)
  if t ~= nil then G[name] = proxy(t, false) end
end
setmetatable(G, {__index = missing})
-- getmetatable(_G) shows what Redis's does: a read-only table whose __index refuses unknown names.
local P = proxy(G, proxy({__index = missing}, false))
G._G = P
return P, guarded
`;

/**
 * Turns a state opened with every standard library into Redis's sandbox. `registerApi` runs
 * first, with the real globals table writable, to add redis, cjson, cmsgpack, bit and struct.
 * Leaves a registry reference to the real globals (where KEYS and ARGV are set).
 */
export function buildSandbox(vm: LuaVm, L: LuaState, registerApi: () => void): number {
  registerApi();
  vm.run(L, ERROR_HANDLER, '=error_handler');
  for (const name of REMOVED) {
    vm.pushNil(L);
    vm.setField(L, LUA_GLOBALSINDEX, name);
  }
  const f = functionsOf(vm);
  for (const [name, fn] of [['rawget', f.rawget], ['rawset', f.rawset], ['setmetatable', f.setmetatable]] as const) {
    vm.pushFunction(L, fn);
    vm.setField(L, LUA_GLOBALSINDEX, name);
  }
  vm.pushValue(L, LUA_GLOBALSINDEX);
  const globalsRef = vm.ref(L);
  if (vm.load(L, Buffer.from(PROTECT, 'latin1'), '=protect') !== 0) throw new Error(`Lua sandbox: ${vm.toText(L, -1)}`);
  vm.pushValue(L, LUA_GLOBALSINDEX);
  vm.newTable(L, PROTECTED_LIBRARIES.length, 0);
  PROTECTED_LIBRARIES.forEach((name, i) => {
    vm.pushText(L, name);
    vm.rawSetI(L, -2, i + 1);
  });
  vm.pushFunction(L, f.readonly);
  vm.pushFunction(L, f.missing);
  if (vm.pcall(L, 4, 2, 0) !== 0) throw new Error(`Lua sandbox: ${vm.toText(L, -1)}`);
  f.state.guardedRef = vm.ref(L);
  // From now on chunks compile against the proxy.
  vm.replace(L, LUA_GLOBALSINDEX);
  return globalsRef;
}

interface SandboxFunctions {
  /** The current state's table of proxies (a new one after SCRIPT FLUSH). */
  readonly state: { guardedRef: number };
  readonly readonly: LuaFunction;
  readonly missing: LuaFunction;
  readonly rawget: LuaFunction;
  readonly rawset: LuaFunction;
  readonly setmetatable: LuaFunction;
}

/** Made once per VM, so a SCRIPT FLUSH does not register new functions. */
const functions = new WeakMap<LuaVm, SandboxFunctions>();

function functionsOf(vm: LuaVm): SandboxFunctions {
  let f = functions.get(vm);
  if (f !== undefined) return f;
  const state = { guardedRef: 0 };
  /** Replaces the proxy at idx by the table it guards; false when idx holds no proxy. */
  const unwrap = (L: LuaState, idx: number): boolean => {
    vm.getRef(L, state.guardedRef);
    vm.pushValue(L, idx);
    vm.rawGet(L, -2);
    if (vm.type(L, -1) !== T_TABLE) {
      vm.pop(L, 2);
      return false;
    }
    vm.replace(L, idx);
    vm.pop(L, 1);
    return true;
  };
  // Redis's read-only tables refuse raw writes too, with a message that has no position.
  const refuseRaw = (L: LuaState): number => {
    vm.pushText(L, 'Attempt to modify a readonly table');
    return vm.raise(L);
  };
  f = {
    state,
    // __newindex of every protected table.
    readonly: (L) => luaError(vm, L, 'Attempt to modify a readonly table'),
    // __index of the real globals, called with (table, name).
    missing: (L) => luaError(vm, L, `Script attempted to access nonexistent global variable '${vm.toText(L, 2) ?? ''}'`),
    // Lua's own checks first, so their errors read as Lua's; a proxy reads as the table it guards.
    rawget: (L) => {
      vm.checkType(L, 1, T_TABLE);
      vm.checkAny(L, 2);
      vm.setTop(L, 2);
      unwrap(L, 1);
      vm.rawGet(L, 1);
      return 1;
    },
    rawset: (L) => {
      vm.checkType(L, 1, T_TABLE);
      vm.checkAny(L, 2);
      vm.checkAny(L, 3);
      vm.setTop(L, 3);
      if (unwrap(L, 1)) return refuseRaw(L);
      vm.rawSet(L, 1);
      return 1;
    },
    setmetatable: (L) => {
      const t = vm.type(L, 2);
      vm.checkType(L, 1, T_TABLE);
      if (t !== T_NIL && t !== T_TABLE) return vm.argError(L, 2, 'nil or table expected');
      vm.setTop(L, 2);
      vm.pushValue(L, 1);
      if (unwrap(L, 3)) return refuseRaw(L);
      vm.pop(L, 1);
      if (vm.getMetaField(L, 1, '__metatable')) return luaError(vm, L, 'cannot change a protected metatable');
      vm.setMetatable(L, 1);
      return 1;
    },
  };
  functions.set(vm, f);
  return f;
}

/** The refusals as C functions (__newindex of read-only tables, __index of the globals). */
export function refusals(vm: LuaVm): { readonly: LuaFunction; missing: LuaFunction } {
  return functionsOf(vm);
}
