/*
 * LuaVm: Lua 5.1.5, the version Redis embeds, compiled to WebAssembly (the wasmoon-lua5.1 package),
 * driven through its raw C API. The package's own JS bridge converts strings as UTF-8 and wraps
 * tables in proxies; Redis values are bytes, so every string crosses here as (pointer, length)
 * copied to or from a Buffer, and nothing else of the bridge is used.
 *
 * Errors: the wasm build implements longjmp by throwing a JS exception that the nearest
 * lua_pcall (or lua_resume) catches. A JS function registered with `fn()` therefore raises a Lua
 * error by returning `vm.raise(L)` as its last act, never from inside a try block; and any JS
 * exception it throws by mistake is turned into a Lua error before it can unwind Lua's C stack.
 */
import { createRequire } from 'node:module';

/** A lua_State pointer: the main state or a coroutine. */
export type LuaState = number;

export const LUA_REGISTRYINDEX = -10000;
export const LUA_GLOBALSINDEX = -10002;
export const LUA_MULTRET = -1;

export const T_NIL = 0;
export const T_BOOLEAN = 1;
export const T_NUMBER = 3;
export const T_STRING = 4;
export const T_TABLE = 5;
export const T_FUNCTION = 6;

export const LUA_MASKCOUNT = 8;
export const LUA_MASKLINE = 4;

/** The Emscripten module's exports this file uses; pointers and lua_State are numbers. */
interface LuaModule {
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  _malloc(size: number): number;
  _free(ptr: number): void;
  addFunction(fn: (L: number) => number, signature: string): number;
  _luaL_newstate(): number;
  _luaL_openlibs(L: number): void;
  _lua_close(L: number): void;
  _luaL_loadbuffer(L: number, buf: number, size: number, name: number): number;
  _lua_pcall(L: number, nargs: number, nresults: number, errfunc: number): number;
  _lua_call(L: number, nargs: number, nresults: number): void;
  _lua_error(L: number): number;
  _lua_gettop(L: number): number;
  _lua_settop(L: number, idx: number): void;
  _lua_pushvalue(L: number, idx: number): void;
  _lua_remove(L: number, idx: number): void;
  _lua_insert(L: number, idx: number): void;
  _lua_replace(L: number, idx: number): void;
  _lua_checkstack(L: number, n: number): number;
  _lua_type(L: number, idx: number): number;
  _lua_isstring(L: number, idx: number): number;
  _lua_isnumber(L: number, idx: number): number;
  _lua_tonumber(L: number, idx: number): number;
  _lua_toboolean(L: number, idx: number): number;
  _lua_tolstring(L: number, idx: number, len: number): number;
  _lua_objlen(L: number, idx: number): number;
  _lua_pushnil(L: number): void;
  _lua_pushnumber(L: number, n: number): void;
  _lua_pushboolean(L: number, b: number): void;
  _lua_pushlstring(L: number, s: number, len: number): void;
  _lua_pushcclosure(L: number, fn: number, n: number): void;
  _lua_createtable(L: number, narr: number, nrec: number): void;
  _lua_gettable(L: number, idx: number): void;
  _lua_getfield(L: number, idx: number, k: number): void;
  _lua_settable(L: number, idx: number): void;
  _lua_setfield(L: number, idx: number, k: number): void;
  _lua_rawget(L: number, idx: number): void;
  _lua_rawset(L: number, idx: number): void;
  _lua_rawgeti(L: number, idx: number, n: number): void;
  _lua_rawseti(L: number, idx: number, n: number): void;
  _lua_next(L: number, idx: number): number;
  _lua_setmetatable(L: number, idx: number): number;
  _lua_getmetatable(L: number, idx: number): number;
  _luaL_ref(L: number, t: number): number;
  _luaL_where(L: number, level: number): void;
  _lua_concat(L: number, n: number): void;
  _luaL_unref(L: number, t: number, ref: number): void;
  _lua_sethook(L: number, fn: number, mask: number, count: number): void;
  addFunction(fn: (L: number, ar: number) => void, signature: string): number;
  _lua_gc(L: number, what: number, data: number): number;
  _luaL_checkinteger(L: number, arg: number): number;
  _luaL_argerror(L: number, arg: number, message: number): number;
  _luaL_checktype(L: number, arg: number, t: number): void;
  _luaL_checkany(L: number, arg: number): void;
  _luaL_getmetafield(L: number, obj: number, e: number): number;
  _lua_setfenv(L: number, idx: number): number;
  _lua_pushlightuserdata(L: number, p: number): void;
  _lua_touserdata(L: number, idx: number): number;
  _lua_newuserdata(L: number, size: number): number;
}

interface LuaApiClass {
  initialize(): Promise<{ module: unknown }>;
}

/** A JS function callable from Lua: receives the calling state, returns the number of results. */
export type LuaFunction = (L: LuaState) => number;

/** A JS hook (lua_sethook): runs every `count` instructions or at each line. */
export type LuaHook = (L: LuaState) => void;

interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

/** The part of the global WebAssembly object used here (the project's type libraries lack it). */
interface WasmApi {
  instantiate: (...args: unknown[]) => Promise<unknown>;
  readonly Instance: new (...args: never[]) => WasmInstance;
}

/** LuaVm.create calls, one after another: each must capture its own WebAssembly instance. */
let creating: Promise<void> = Promise.resolve();

/**
 * The package's module, its C API bound to the raw WebAssembly exports. The package is built
 * with Emscripten's assertions, which wrap every export in a check that formats two messages per
 * call (a third of a cheap call's cost); the instance is caught as the package instantiates it,
 * and when that fails the wrapped functions are kept.
 */
async function instantiate(): Promise<LuaModule> {
  // The package is CommonJS (its ESM entry is broken on Node 20): load it through require.
  const require = createRequire(import.meta.url);
  const { LuaApi } = require('wasmoon-lua5.1') as { LuaApi: LuaApiClass };
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const original = wasm.instantiate;
  let instance: WasmInstance | null = null;
  wasm.instantiate = async (...args: unknown[]): Promise<unknown> => {
    const result = await Reflect.apply(original, wasm, args);
    if (result instanceof wasm.Instance) instance = result;
    else if (typeof result === 'object' && result !== null && 'instance' in result && result.instance instanceof wasm.Instance) instance = result.instance;
    return result;
  };
  let module: Record<string, unknown>;
  try {
    module = (await LuaApi.initialize()).module as Record<string, unknown>;
  } finally {
    wasm.instantiate = original;
  }
  const exports = (instance as WasmInstance | null)?.exports;
  if (exports !== undefined) {
    for (const name of Object.keys(module)) {
      const raw = name.startsWith('_lua') ? exports[name.slice(1)] : undefined;
      if (typeof raw === 'function') module[name] = raw;
    }
  }
  return module as unknown as LuaModule;
}

/**
 * What a JS function asks for when it cannot finish: the message becomes the Lua error (a string,
 * or a table built by the caller left on the stack when `onStack`).
 */
class PendingError {
  constructor(readonly message: Buffer) {}
}

export class LuaVm {
  /** The main state, recreated by reset() (SCRIPT FLUSH). */
  L: LuaState;
  private readonly names = new Map<string, number>();
  private scratch = 0;
  private scratchSize = 0;
  private readonly lenPtr: number;
  private readonly functions = new Map<LuaFunction, number>();
  private readonly hooks = new Map<LuaHook, number>();
  private message = 0;
  private messageSize = 0;

  private constructor(private readonly m: LuaModule) {
    this.lenPtr = m._malloc(8);
    this.L = this.newState();
  }

  static async create(): Promise<LuaVm> {
    const start = creating.then(instantiate);
    creating = start.then(() => undefined, () => undefined);
    return new LuaVm(await start);
  }

  private newState(): LuaState {
    const L = this.m._luaL_newstate();
    if (L === 0) throw new Error('Lua: cannot create a state');
    this.m._luaL_openlibs(L);
    return L;
  }

  /** The WebAssembly memory's size: it grows with Lua's heap and never shrinks. */
  get memoryBytes(): number {
    return this.m.HEAPU8.byteLength;
  }

  /** Closes the state and opens a fresh one (SCRIPT FLUSH); registered functions stay valid. */
  reset(): void {
    this.m._lua_close(this.L);
    this.L = this.newState();
  }

  // ---- functions ------------------------------------------------------------------------------

  /**
   * A C-function pointer for fn, made once per fn. A JS exception thrown by fn becomes a Lua
   * error with its message, so a bug cannot unwind through Lua's C frames.
   */
  fn(fn: LuaFunction): number {
    let ptr = this.functions.get(fn);
    if (ptr !== undefined) return ptr;
    const m = this.m;
    ptr = m.addFunction((L: number): number => {
      let failure: Buffer;
      try {
        return fn(L);
      } catch (e) {
        if (e instanceof PendingError) failure = e.message;
        // Emscripten's longjmp throws a number (a Lua error raised below): let it reach its pcall.
        else if (typeof e === 'number') throw e;
        else failure = Buffer.from(`internal error: ${e instanceof Error ? e.message : String(e)}`, 'latin1');
      }
      this.pushBuffer(L, failure);
      return m._lua_error(L);
    }, 'ii');
    this.functions.set(fn, ptr);
    return ptr;
  }

  /** Throw from a registered function: raised as a Lua error with this message. */
  static fail(message: string | Buffer): never {
    throw new PendingError(typeof message === 'string' ? Buffer.from(message, 'latin1') : message);
  }

  pushFunction(L: LuaState, fn: LuaFunction): void {
    this.m._lua_pushcclosure(L, this.fn(fn), 0);
  }

  /** lua_pushcclosure: fn with the top n values as upvalues (read at upvalueIndex(i)). */
  pushClosure(L: LuaState, fn: LuaFunction, n: number): void {
    this.m._lua_pushcclosure(L, this.fn(fn), n);
  }

  /** Raises the value on top of the stack as a Lua error; return its result from a registered function. */
  raise(L: LuaState): number {
    return this.m._lua_error(L);
  }

  // ---- running --------------------------------------------------------------------------------

  /** Compiles a chunk; pushes the function (status 0) or the error message. */
  load(L: LuaState, code: Buffer, chunkName: string): number {
    const p = this.stage(code);
    return this.m._luaL_loadbuffer(L, p, code.length, this.cstr(chunkName));
  }

  pcall(L: LuaState, nargs: number, nresults: number, errfunc: number): number {
    return this.m._lua_pcall(L, nargs, nresults, errfunc);
  }

  call(L: LuaState, nargs: number, nresults: number): void {
    this.m._lua_call(L, nargs, nresults);
  }

  /** Runs Lua source that must not fail (the sandbox's own setup). */
  run(L: LuaState, source: string, name: string): void {
    if (this.load(L, Buffer.from(source, 'latin1'), name) !== 0 || this.pcall(L, 0, 0, 0) !== 0) {
      const why = this.toText(L, -1);
      this.pop(L, 1);
      throw new Error(`Lua setup failed in ${name}: ${why}`);
    }
  }

  /**
   * lua_sethook. A hook is a C function of two arguments (the state and its lua_Debug), so it is
   * registered apart from fn()'s one-argument functions. It may raise a Lua error (vm.raise).
   */
  setHook(L: LuaState, hook: LuaHook | null, mask: number, count: number): void {
    let ptr = 0;
    if (hook !== null) {
      ptr = this.hooks.get(hook) ?? 0;
      if (ptr === 0) {
        ptr = this.m.addFunction((S: number): void => {
          try {
            hook(S);
          } catch (e) {
            // A Lua error raised below (longjmp) must reach its pcall; anything else becomes one.
            if (typeof e === 'number') throw e;
            if (e instanceof PendingError) this.pushBuffer(S, e.message);
            else this.pushText(S, `internal error: ${e instanceof Error ? e.message : String(e)}`);
            this.m._lua_error(S);
          }
        }, 'vii');
        this.hooks.set(hook, ptr);
      }
    }
    this.m._lua_sethook(L, ptr, mask, count);
  }

  /** lua_gc: LUA_GCCOUNT (3) gives kilobytes in use, LUA_GCSTEP (5) runs a step. */
  gc(L: LuaState, what: number, data: number): number {
    return this.m._lua_gc(L, what, data);
  }

  // ---- stack ----------------------------------------------------------------------------------

  top(L: LuaState): number {
    return this.m._lua_gettop(L);
  }

  setTop(L: LuaState, idx: number): void {
    this.m._lua_settop(L, idx);
  }

  pop(L: LuaState, n: number): void {
    this.m._lua_settop(L, -n - 1);
  }

  pushValue(L: LuaState, idx: number): void {
    this.m._lua_pushvalue(L, idx);
  }

  remove(L: LuaState, idx: number): void {
    this.m._lua_remove(L, idx);
  }

  insert(L: LuaState, idx: number): void {
    this.m._lua_insert(L, idx);
  }

  replace(L: LuaState, idx: number): void {
    this.m._lua_replace(L, idx);
  }

  checkStack(L: LuaState, n: number): boolean {
    return this.m._lua_checkstack(L, n) !== 0;
  }

  type(L: LuaState, idx: number): number {
    return this.m._lua_type(L, idx);
  }

  /** lua_isstring: a string, or a number (convertible). */
  isString(L: LuaState, idx: number): boolean {
    return this.m._lua_isstring(L, idx) !== 0;
  }

  isNumber(L: LuaState, idx: number): boolean {
    return this.m._lua_isnumber(L, idx) !== 0;
  }

  toNumber(L: LuaState, idx: number): number {
    return this.m._lua_tonumber(L, idx);
  }

  toBoolean(L: LuaState, idx: number): boolean {
    return this.m._lua_toboolean(L, idx) !== 0;
  }

  /** lua_tolstring's bytes (a number is converted in place, as in C), or null for other types. */
  toBuffer(L: LuaState, idx: number): Buffer | null {
    const m = this.m;
    const p = m._lua_tolstring(L, idx, this.lenPtr);
    if (p === 0) return null;
    const len = m.HEAPU32[this.lenPtr >> 2]!;
    return Buffer.from(m.HEAPU8.subarray(p, p + len));
  }

  /** toBuffer as a latin1 string: one char per byte, so nothing is lost. */
  toText(L: LuaState, idx: number): string | null {
    const m = this.m;
    const p = m._lua_tolstring(L, idx, this.lenPtr);
    if (p === 0) return null;
    const len = m.HEAPU32[this.lenPtr >> 2]!;
    return Buffer.from(m.HEAPU8.buffer, m.HEAPU8.byteOffset + p, len).toString('latin1');
  }

  objLen(L: LuaState, idx: number): number {
    return this.m._lua_objlen(L, idx);
  }

  pushNil(L: LuaState): void {
    this.m._lua_pushnil(L);
  }

  pushNumber(L: LuaState, n: number): void {
    this.m._lua_pushnumber(L, n);
  }

  pushBoolean(L: LuaState, b: boolean): void {
    this.m._lua_pushboolean(L, b ? 1 : 0);
  }

  pushBuffer(L: LuaState, bytes: Uint8Array): void {
    this.m._lua_pushlstring(L, this.stage(bytes), bytes.length);
  }

  pushBufferRange(L: LuaState, bytes: Uint8Array, start: number, end: number): void {
    this.pushBuffer(L, bytes.subarray(start, end));
  }

  /** A latin1 string: each char one byte. */
  /** A light userdata: a bare pointer value (cjson.null is the NULL one). */
  pushLightUserdata(L: LuaState, p: number): void {
    this.m._lua_pushlightuserdata(L, p);
  }

  /** lua_touserdata: the block address of a full userdata, a light userdata's value, else 0. */
  toUserdata(L: LuaState, idx: number): number {
    return this.m._lua_touserdata(L, idx);
  }

  /** lua_newuserdata: pushes a full userdata of size bytes (collected by Lua); returns its address. */
  newUserdata(L: LuaState, size: number): number {
    return this.m._lua_newuserdata(L, size);
  }

  pushText(L: LuaState, text: string): void {
    const len = text.length;
    const p = this.reserveScratch(len);
    const heap = this.m.HEAPU8;
    for (let i = 0; i < len; i++) heap[p + i] = text.charCodeAt(i);
    this.m._lua_pushlstring(L, p, len);
  }

  newTable(L: LuaState, narr = 0, nrec = 0): void {
    this.m._lua_createtable(L, narr, nrec);
  }

  /** t[k] with metamethods, t at idx and the key on top; replaces the key with the value. */
  getTable(L: LuaState, idx: number): void {
    this.m._lua_gettable(L, idx);
  }

  getField(L: LuaState, idx: number, name: string): void {
    this.m._lua_getfield(L, idx, this.cstr(name));
  }

  setTable(L: LuaState, idx: number): void {
    this.m._lua_settable(L, idx);
  }

  setField(L: LuaState, idx: number, name: string): void {
    this.m._lua_setfield(L, idx, this.cstr(name));
  }

  rawGet(L: LuaState, idx: number): void {
    this.m._lua_rawget(L, idx);
  }

  rawSet(L: LuaState, idx: number): void {
    this.m._lua_rawset(L, idx);
  }

  rawGetI(L: LuaState, idx: number, n: number): void {
    this.m._lua_rawgeti(L, idx, n);
  }

  rawSetI(L: LuaState, idx: number, n: number): void {
    this.m._lua_rawseti(L, idx, n);
  }

  /** lua_next: pops a key, pushes the next key and value; false at the end. */
  next(L: LuaState, idx: number): boolean {
    return this.m._lua_next(L, idx) !== 0;
  }

  /** lua_setfenv: pops a table and makes it the environment of the function at idx. */
  setFenv(L: LuaState, idx: number): void {
    this.m._lua_setfenv(L, idx);
  }

  setMetatable(L: LuaState, idx: number): void {
    this.m._lua_setmetatable(L, idx);
  }

  getMetatable(L: LuaState, idx: number): boolean {
    return this.m._lua_getmetatable(L, idx) !== 0;
  }

  ref(L: LuaState): number {
    return this.m._luaL_ref(L, LUA_REGISTRYINDEX);
  }

  unref(L: LuaState, ref: number): void {
    this.m._luaL_unref(L, LUA_REGISTRYINDEX, ref);
  }

  getRef(L: LuaState, ref: number): void {
    this.m._lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
  }

  /** luaL_where: pushes "chunk:line: " of the function at that level, or "" when unknown. */
  where(L: LuaState, level: number): void {
    this.m._luaL_where(L, level);
  }

  concat(L: LuaState, n: number): void {
    this.m._lua_concat(L, n);
  }

  // ---- argument checks: the standard library's own, so errors read as Lua's --------------------

  /** luaL_checkinteger: the argument truncated to an integer, or a "bad argument" error raised. */
  checkInteger(L: LuaState, arg: number): number {
    return this.m._luaL_checkinteger(L, arg);
  }

  /** luaL_checktype: raises "bad argument #arg to '<name>' (<type> expected, got <type>)". */
  checkType(L: LuaState, arg: number, type: number): void {
    this.m._luaL_checktype(L, arg, type);
  }

  /** luaL_checkany: raises "bad argument #arg to '<name>' (value expected)". */
  checkAny(L: LuaState, arg: number): void {
    this.m._luaL_checkany(L, arg);
  }

  /** luaL_getmetafield: pushes the field of the value's metatable and returns true, if it has one. */
  getMetaField(L: LuaState, idx: number, name: string): boolean {
    return this.m._luaL_getmetafield(L, idx, this.cstr(name)) !== 0;
  }

  /** luaL_argerror: raises "bad argument #arg to '<name>' (message)"; return its result. */
  argError(L: LuaState, arg: number, message: string): number {
    return this.m._luaL_argerror(L, arg, this.messageCString(message));
  }

  /**
   * A NUL-terminated copy of a one-off message in a buffer reused by every call: luaL_argerror
   * copies it before raising, and messages can be unbounded in number (so not kept like cstr's).
   */
  private messageCString(text: string): number {
    const need = text.length + 1;
    if (need > this.messageSize) {
      if (this.message !== 0) this.m._free(this.message);
      this.messageSize = Math.max(need, 256);
      this.message = this.m._malloc(this.messageSize);
      if (this.message === 0) throw new Error('Lua: out of memory');
    }
    const heap = this.m.HEAPU8;
    for (let i = 0; i < text.length; i++) heap[this.message + i] = text.charCodeAt(i);
    heap[this.message + text.length] = 0;
    return this.message;
  }

  // ---- memory ---------------------------------------------------------------------------------

  /** A NUL-terminated copy of a constant name, made once and kept for the VM's life. */
  private cstr(name: string): number {
    let p = this.names.get(name);
    if (p === undefined) {
      p = this.m._malloc(name.length + 1);
      const heap = this.m.HEAPU8;
      for (let i = 0; i < name.length; i++) heap[p + i] = name.charCodeAt(i);
      heap[p + name.length] = 0;
      this.names.set(name, p);
    }
    return p;
  }

  /** Copies bytes into the scratch area for a call that copies them again (lua_pushlstring). */
  private stage(bytes: Uint8Array): number {
    const p = this.reserveScratch(bytes.length);
    // HEAPU8 is read after any allocation: a grown memory replaces the view.
    this.m.HEAPU8.set(bytes, p);
    return p;
  }

  private reserveScratch(size: number): number {
    if (size > this.scratchSize) {
      if (this.scratch !== 0) this.m._free(this.scratch);
      const want = Math.max(size, 4096, this.scratchSize * 2);
      this.scratch = this.m._malloc(want);
      if (this.scratch === 0) throw new Error('Lua: out of memory');
      this.scratchSize = want;
    }
    return this.scratch;
  }
}
