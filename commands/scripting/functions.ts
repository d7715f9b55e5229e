/*
 * Function libraries (FUNCTION LOAD and FCALL), as Redis 7.0's functions.c and function_lua.c
 * keep them: a library is its source, "#!lua name=<lib>\n<code>"; loading runs the code once, in
 * an environment that offers nothing but redis.register_function, redis.log and the version
 * fields, and keeps the functions it registered. Afterwards the same environment reads the full
 * script globals, so a function runs with what an EVAL script has.
 *
 * Libraries live in the EVAL state (Redis gives them a state of their own; nothing a script can
 * do tells the two apart) and are loaded again into the new state after SCRIPT FLUSH. Library
 * names are case-sensitive, function names are not (Redis's dict types); both are
 * [A-Za-z0-9_]+.
 */
import { RedisError } from '../../protocol/errors.js';
import { splitInline } from '../../protocol/resp-parser.js';
import { LUA_GLOBALSINDEX, LUA_MASKCOUNT, LUA_MASKLINE, T_FUNCTION, T_NIL, T_STRING, T_TABLE, type LuaState, type LuaVm } from './lua-vm.js';
import { refusals } from './lua-sandbox.js';
import { pushErrorTable, raiseErrorTable } from './lua-reply.js';
import { SCRIPT_FLAG_NAMES } from './shebang.js';

export interface LuaFunctionInfo {
  readonly name: string;
  readonly library: string;
  /** Registry reference to the callback. */
  readonly ref: number;
  readonly flags: number;
  readonly description: Buffer | null;
}

export interface LibraryInfo {
  readonly name: string;
  readonly code: Buffer;
  /** By registration order (FUNCTION LIST); names as registered. */
  readonly functions: LuaFunctionInfo[];
}

/** What the load-time `redis` table offers; everything else is refused as nonexistent. */
const LOAD_API = `
local redis, readonly, missing, register = ...
local function guard(t)
  return setmetatable(t, {__index = missing, __newindex = readonly, __metatable = false})
end
local api = {register_function = register}
for _, k in ipairs({'log', 'LOG_DEBUG', 'LOG_VERBOSE', 'LOG_NOTICE', 'LOG_WARNING', 'REDIS_VERSION', 'REDIS_VERSION_NUM'}) do
  api[k] = redis[k]
end
return guard({redis = guard(api)})
`;

const NAME = /^[A-Za-z0-9_]+$/;
const ERR_BAD_NAME = 'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long';

/** A library's first line, as functionExtractLibMetaData reads it. Throws RedisError. */
export function parseLibraryHeader(code: Buffer): { name: string; engine: string } {
  if (code.length < 2 || code[0] !== 0x23 || code[1] !== 0x21) throw new RedisError('ERR Missing library metadata');
  const end = code.indexOf(10);
  if (end < 0) throw new RedisError('ERR Invalid library metadata');
  const parts = splitInline(code, 0, end);
  if (parts === null || parts.length === 0) throw new RedisError('ERR Invalid library metadata');
  const engine = parts[0]!.toString('latin1').slice(2);
  let name: string | null = null;
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!.toString('latin1');
    if (part.slice(0, 5).toLowerCase() === 'name=') {
      if (name !== null) throw new RedisError('ERR Invalid metadata value, name argument was given multiple times');
      name = part.slice(5);
      continue;
    }
    throw new RedisError(`ERR Invalid metadata value given: ${part}`);
  }
  if (name === null) throw new RedisError('ERR Library name was not given');
  return { name, engine };
}

export class FunctionLibraryRegistry {
  /** By name, in load order. */
  readonly libraries = new Map<string, LibraryInfo>();
  /** By lowercase name. */
  readonly functions = new Map<string, LuaFunctionInfo>();
  private loadApiRef = 0;
  /** The library whose code is running: redis.register_function adds to it. */
  private loading: { name: string; functions: LuaFunctionInfo[] } | null = null;

  constructor(private readonly vm: () => LuaVm) {}

  /** On a freshly sandboxed state: builds the load-time environment, reloads every library. */
  openState(L: LuaState): void {
    const vm = this.vm();
    const { readonly, missing } = refusals(vm);
    if (vm.load(L, Buffer.from(LOAD_API, 'latin1'), '=function_load_api') !== 0) throw new Error(`Lua: ${vm.toText(L, -1)}`);
    vm.getField(L, LUA_GLOBALSINDEX, 'redis');
    vm.pushFunction(L, readonly);
    vm.pushFunction(L, missing);
    vm.pushFunction(L, this.registerFunction);
    if (vm.pcall(L, 4, 1, 0) !== 0) throw new Error(`Lua: ${vm.toText(L, -1)}`);
    this.loadApiRef = vm.ref(L);
    const held = [...this.libraries.values()];
    this.libraries.clear();
    this.functions.clear();
    for (const lib of held) this.load(lib.code, false);
  }

  /** Functions registered, over every library (FUNCTION STATS counts each library's own). */
  get functionCount(): number {
    let n = 0;
    for (const lib of this.libraries.values()) n += lib.functions.length;
    return n;
  }

  /** Libraries held. */
  get size(): number {
    return this.libraries.size;
  }

  /** A library read from an RDB: loaded as FUNCTION LOAD REPLACE would. Throws RedisError. */
  add(code: Buffer): void {
    this.load(code, true);
  }

  /**
   * FUNCTION LOAD: compiles and runs the library, then links its functions, replacing a library
   * of the same name when `replace`. Returns the library name. Throws RedisError; a failed load
   * changes nothing.
   */
  load(code: Buffer, replace: boolean, timeoutMs = 0): string {
    const { name, engine } = parseLibraryHeader(code);
    if (!NAME.test(name)) throw new RedisError(`ERR ${ERR_BAD_NAME}`);
    if (engine.toLowerCase() !== 'lua') throw new RedisError(`ERR Engine '${engine}' not found`);
    const old = this.libraries.get(name);
    if (old !== undefined && !replace) throw new RedisError(`ERR Library '${name}' already exists`);
    const functions = this.run(code, timeoutMs);
    const release = (): void => {
      for (const f of functions) this.vm().unref(this.vm().L, f.ref);
    };
    if (functions.length === 0) {
      throw new RedisError('ERR No functions registered');
    }
    for (const f of functions) {
      const clash = this.functions.get(f.name.toLowerCase());
      if (clash !== undefined && clash.library !== name) {
        release();
        throw new RedisError(`ERR Function ${f.name} already exists`);
      }
    }
    if (old !== undefined) this.unlink(old);
    const lib: LibraryInfo = { name, code: Buffer.from(code), functions };
    this.libraries.set(name, lib);
    // FCALL finds names case-insensitively, a library's own names are case-sensitive: of f and F
    // in one library the first registered answers for both (Redis's two dict types).
    for (const f of functions) {
      const key = f.name.toLowerCase();
      if (!this.functions.has(key)) this.functions.set(key, f);
    }
    return name;
  }

  /** FUNCTION DELETE; false when there is no such library. */
  delete(name: string): boolean {
    const lib = this.libraries.get(name);
    if (lib === undefined) return false;
    this.unlink(lib);
    return true;
  }

  /** FUNCTION FLUSH. */
  clear(): void {
    for (const lib of [...this.libraries.values()]) this.unlink(lib);
  }

  /** Sources in name order, for the RDB and AOF writers and FUNCTION DUMP. */
  all(): Buffer[] {
    return [...this.libraries.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((l) => l.code);
  }

  private unlink(lib: LibraryInfo): void {
    const vm = this.vm();
    for (const f of lib.functions) {
      const key = f.name.toLowerCase();
      if (this.functions.get(key) === f) this.functions.delete(key);
      vm.unref(vm.L, f.ref);
    }
    this.libraries.delete(lib.name);
  }

  /** Runs a library's code in the load environment; returns what it registered. */
  private run(code: Buffer, timeoutMs: number): LuaFunctionInfo[] {
    const vm = this.vm();
    const L = vm.L;
    const base = vm.top(L);
    const header = code.indexOf(10);
    // The first line is dropped but its newline kept, so line numbers stay the user's.
    if (vm.load(L, code.subarray(header), '@user_function') !== 0) {
      const why = vm.toText(L, -1) ?? '';
      vm.setTop(L, base);
      throw new RedisError(`ERR Error compiling function: ${why}`.replace(/[\r\n]/g, ' '));
    }
    const { readonly } = refusals(vm);
    vm.newTable(L); // the library's environment, base+2
    vm.newTable(L); // its metatable, base+3
    vm.getRef(L, this.loadApiRef);
    vm.setField(L, base + 3, '__index');
    vm.pushFunction(L, readonly);
    vm.setField(L, base + 3, '__newindex');
    vm.pushBoolean(L, false);
    vm.setField(L, base + 3, '__metatable');
    vm.pushValue(L, base + 3);
    vm.setMetatable(L, base + 2);
    vm.pushValue(L, base + 2);
    vm.setFenv(L, base + 1);
    vm.pushValue(L, base + 1);
    const registered: LuaFunctionInfo[] = [];
    const name = parseLibraryHeader(code).name;
    this.loading = { name, functions: registered };
    const started = performance.now();
    // Redis's load timeout: a library's top level that runs away fails the load.
    const hook = (S: LuaState): void => {
      if (performance.now() - started <= timeoutMs) return;
      vm.setHook(S, hook, LUA_MASKLINE, 0);
      pushErrorTable(vm, S, 'FUNCTION LOAD timeout');
      vm.raise(S);
    };
    if (timeoutMs > 0) vm.setHook(L, hook, LUA_MASKCOUNT, 100_000);
    let status: number;
    try {
      status = vm.pcall(L, 0, 0, 0);
    } finally {
      this.loading = null;
      if (timeoutMs > 0) vm.setHook(L, null, 0, 0);
    }
    if (status !== 0) {
      const msg = loadErrorText(vm, L);
      vm.setTop(L, base);
      for (const f of registered) vm.unref(L, f.ref);
      throw new RedisError(`ERR Error registering functions: ${msg}`.replace(/[\r\n]/g, ' '));
    }
    // From now on the functions see the globals every script sees.
    vm.pushValue(L, LUA_GLOBALSINDEX);
    vm.setField(L, base + 3, '__index');
    vm.setTop(L, base);
    return registered;
  }

  /** redis.register_function, as a C function of the `redis` table. */
  registerFunction = (L: LuaState): number => {
    const vm = this.vm();
    const target = this.loading;
    if (target === null) return raiseErrorTable(vm, L, 'redis.register_function can only be called on FUNCTION LOAD command');
    const argc = vm.top(L);
    if (argc < 1 || argc > 2) return raiseErrorTable(vm, L, 'wrong number of arguments to redis.register_function');
    const args = argc === 1 ? readNamedArgs(vm, L) : readPositionalArgs(vm, L);
    if (typeof args === 'string') return raiseErrorTable(vm, L, args);
    const fail = (message: string): number => {
      vm.unref(L, args.ref);
      return raiseErrorTable(vm, L, message);
    };
    if (!NAME.test(args.name)) return fail(ERR_BAD_NAME);
    if (target.functions.some((f) => f.name === args.name)) return fail('Function already exists in the library');
    target.functions.push({ name: args.name, library: target.name, ref: args.ref, flags: args.flags, description: args.description });
    return 0;
  };
}

interface RegisterArgs {
  name: string;
  ref: number;
  flags: number;
  description: Buffer | null;
}

/** redis.register_function('name', callback). */
function readPositionalArgs(vm: LuaVm, L: LuaState): RegisterArgs | string {
  if (!vm.isString(L, 1)) return 'first argument to redis.register_function must be a string';
  if (vm.type(L, 2) !== T_FUNCTION) return 'second argument to redis.register_function must be a function';
  const name = vm.toText(L, 1)!;
  vm.pushValue(L, 2);
  return { name, ref: vm.ref(L), flags: 0, description: null };
}

/** redis.register_function{function_name=..., callback=..., flags={...}, description=...}. */
function readNamedArgs(vm: LuaVm, L: LuaState): RegisterArgs | string {
  if (vm.type(L, 1) !== T_TABLE) {
    return 'calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).';
  }
  let name: string | null = null;
  let description: Buffer | null = null;
  let ref = -1;
  let flags = 0;
  const fail = (message: string): string => {
    if (ref !== -1) vm.unref(L, ref);
    vm.setTop(L, 1);
    return message;
  };
  vm.pushNil(L);
  while (vm.next(L, 1)) {
    if (!vm.isString(L, -2)) return fail('named argument key given to redis.register_function is not a string');
    // A copy: converting a number key in place would break next().
    vm.pushValue(L, -2);
    const key = vm.toText(L, -1)!.toLowerCase();
    vm.pop(L, 1);
    if (key === 'function_name') {
      if (!vm.isString(L, -1)) return fail('function_name argument given to redis.register_function must be a string');
      name = vm.toText(L, -1)!;
    } else if (key === 'description') {
      if (!vm.isString(L, -1)) return fail('description argument given to redis.register_function must be a string');
      description = vm.toBuffer(L, -1)!;
    } else if (key === 'callback') {
      if (vm.type(L, -1) !== T_FUNCTION) return fail('callback argument given to redis.register_function must be a function');
      if (ref !== -1) vm.unref(L, ref);
      ref = vm.ref(L);
      continue;
    } else if (key === 'flags') {
      if (vm.type(L, -1) !== T_TABLE) return fail('flags argument to redis.register_function must be a table representing function flags');
      const read = readFlags(vm, L);
      if (read === null) return fail('unknown flag given');
      flags = read;
    } else {
      return fail('unknown argument given to redis.register_function');
    }
    vm.pop(L, 1);
  }
  if (name === null) return fail('redis.register_function must get a function name argument');
  if (ref === -1) return fail('redis.register_function must get a callback argument');
  return { name, ref, flags, description };
}

/** The flags table on top of the stack: strings naming script flags, case-insensitively. */
function readFlags(vm: LuaVm, L: LuaState): number | null {
  let flags = 0;
  for (let j = 1; ; j++) {
    vm.pushNumber(L, j);
    vm.getTable(L, -2);
    const t = vm.type(L, -1);
    if (t === T_NIL) {
      vm.pop(L, 1);
      return flags;
    }
    const text = vm.isString(L, -1) ? vm.toText(L, -1)!.toLowerCase() : null;
    vm.pop(L, 1);
    const bit = text === null ? undefined : SCRIPT_FLAG_NAMES.get(text);
    if (bit === undefined) return null;
    flags |= bit;
  }
}

/** luaExtractErrorInformation's message for an error raised while a library loads (no handler ran). */
function loadErrorText(vm: LuaVm, L: LuaState): string {
  if (vm.type(L, -1) === T_STRING) return `ERR ${vm.toText(L, -1)}`;
  if (vm.type(L, -1) === T_TABLE) {
    vm.getField(L, -1, 'err');
    const msg = vm.isString(L, -1) ? vm.toText(L, -1) : null;
    vm.pop(L, 1);
    if (msg !== null) return msg;
  }
  return 'ERR unknown error';
}
