/*
 * ScriptEngine: EVAL's Lua state and script cache, as Redis 7.0's eval.c and script_lua.c run
 * them. One sandboxed Lua 5.1 state lives for the server's life (SCRIPT FLUSH opens a new one);
 * scripts are compiled once and kept by SHA1; each run sets KEYS and ARGV, calls the script under
 * Redis's error handler and turns its result (or error) into the caller's reply.
 *
 * A script runs to its end before anything else, as in Redis. Past busy-reply-threshold
 * (lua-time-limit) a count hook lets the server answer other clients -BUSY between stretches of
 * the script, and SCRIPT KILL (FUNCTION KILL) stops it if it has not written yet; SHUTDOWN
 * NOSAVE stops it in any case.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_NOT_INTEGER, RedisError } from '../../protocol/errors.js';
import { parseLong } from '../../protocol/numbers.js';
import type { CommandContext, ScriptHost } from '../context.js';
import { LUA_GLOBALSINDEX, LUA_MASKCOUNT, LUA_MASKLINE, LuaVm, T_TABLE, type LuaState } from './lua-vm.js';
import { buildSandbox } from './lua-sandbox.js';
import { errorLine, pushErrorTable, writeLuaValue } from './lua-reply.js';
import { openRandom } from './lua-random.js';
import { openFormat } from './lua-format.js';
import { PROPAGATE_AOF, PROPAGATE_REPL, openRedisApi, type ScriptApiContext, type ScriptRun } from './redis-api.js';
import { sha1hex } from './sha1.js';
import { SCRIPT_EVAL_COMPAT, SCRIPT_NO_WRITES, parseShebang } from './shebang.js';
import { LUA_LIBRARIES } from './lua-libraries.js';
import { FunctionLibraryRegistry } from './functions.js';

export const ERR_NOSCRIPT = 'NOSCRIPT No matching script. Please use EVAL.';
const ERR_NOTBUSY = 'NOTBUSY No scripts in execution right now.';
const ERR_UNKILLABLE = 'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.';
export const ERR_BUSY_EVAL = 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.';
export const ERR_BUSY_FUNCTION = 'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.';
/** How often the hook looks at the clock (and, once busy, at the other clients): Redis's count. */
const HOOK_INSTRUCTIONS = 100_000;

/** A run as the engine tracks it, for the busy hook and the KILL commands. */
interface Run extends ScriptRun {
  readonly kind: 'eval' | 'function';
  readonly name: string;
  readonly caller: CommandContext;
  readonly argv: Argv;
  readonly startedAt: number;
  /** Past busy-reply-threshold: other clients are answered -BUSY. */
  timedOut: boolean;
  killed: boolean;
}

/**
 * A WebAssembly memory never shrinks: once a script has made it grow past this, the engine moves
 * to a new runtime (loaded in the background) when the script has ended, so the memory returns.
 */
const RECYCLE_BYTES = 256 * 1024 * 1024;

/** Lua's collector runs a step every this many scripts, as Redis does, instead of a full cycle. */
const GC_PERIOD = 50;
const LUA_GCSTEP = 5;
const LUA_GCCOUNT = 3;

interface CachedScript {
  /** Registry reference to the compiled function. */
  readonly ref: number;
  readonly body: Buffer;
  readonly flags: number;
}

export class ScriptEngine implements ScriptApiContext {
  run: Run | null = null;
  private vm: LuaVm | null = null;
  private globalsRef = 0;
  private handlerRef = 0;
  private readonly scripts = new Map<string, CachedScript>();
  private bodyBytes = 0;
  private runs = 0;
  private recycling = false;
  /** FUNCTION LOAD's libraries and their functions (FCALL). */
  readonly functions = new FunctionLibraryRegistry(() => this.lua);

  constructor(
    readonly host: ScriptHost,
    private readonly version: string,
  ) {}

  /** Loads the Lua runtime (WebAssembly, compiled asynchronously); the server awaits it before serving. */
  async init(): Promise<void> {
    if (this.vm !== null) return;
    this.vm = await LuaVm.create();
    this.openState();
  }

  private get lua(): LuaVm {
    if (this.vm === null) throw new RedisError('ERR the Lua engine is not initialized');
    return this.vm;
  }

  private openState(): void {
    const vm = this.vm!;
    const L = vm.L;
    this.globalsRef = buildSandbox(vm, L, () => {
      openRedisApi(vm, L, this, this.version);
      openRandom(vm, L);
      openFormat(vm, L);
      for (const open of LUA_LIBRARIES) open(vm, L);
    });
    vm.getField(L, LUA_GLOBALSINDEX, '__redis__err__handler');
    this.handlerRef = vm.ref(L);
    this.functions.openState(L);
  }

  /** SCRIPT FLUSH: every cached script is forgotten and the state starts over. */
  flush(): void {
    this.scripts.clear();
    this.bodyBytes = 0;
    if (this.vm === null) return;
    this.vm.reset();
    this.openState();
  }

  /** Bytes of WebAssembly memory the runtime holds (it only grows, until recycled). */
  get runtimeBytes(): number {
    return this.vm === null ? 0 : this.vm.memoryBytes;
  }

  get scriptCount(): number {
    return this.scripts.size;
  }

  /** INFO memory: used_memory_lua (bytes the Lua heap holds) and used_memory_scripts_eval. */
  memory(): { lua: number; scripts: number } {
    const vm = this.vm;
    return { lua: vm === null ? 0 : vm.gc(vm.L, LUA_GCCOUNT, 0) * 1024, scripts: this.bodyBytes + this.scripts.size * 40 };
  }

  exists(sha: Buffer): boolean {
    return sha.length === 40 && this.scripts.has(sha.latin1Slice(0, 40).toLowerCase());
  }

  /** SCRIPT LOAD: compiles and caches the body; returns its SHA1. Throws RedisError. */
  load(body: Buffer): string {
    const sha = sha1hex(body);
    this.compile(body, sha);
    return sha;
  }

  /**
   * SCRIPT KILL (kind 'eval') and FUNCTION KILL: only a script past busy-reply-threshold can be
   * killed (before that no other client is heard), and only if it has not written.
   */
  kill(kind: 'eval' | 'function'): void {
    const run = this.run;
    if (run === null || !run.timedOut) throw new RedisError(ERR_NOTBUSY);
    if (run.wrote) throw new RedisError(ERR_UNKILLABLE);
    if (kind !== run.kind) throw new RedisError(run.kind === 'eval' ? ERR_BUSY_EVAL : ERR_BUSY_FUNCTION);
    run.killed = true;
  }

  /**
   * Whether the script an EVAL, EVALSHA or FCALL would run declares no-writes (CLIENT PAUSE
   * WRITE lets those through). Unknown scripts and pre-7.0 scripts without a shebang do not.
   */
  declaresNoWrites(command: string, argv: Argv): boolean {
    if (argv.length < 2) return false;
    let flags = SCRIPT_EVAL_COMPAT;
    if (command === 'fcall') {
      flags = this.functions.functions.get(argv[1]!.toString('latin1').toLowerCase())?.flags ?? SCRIPT_EVAL_COMPAT;
    } else if (command === 'evalsha') {
      flags = this.scripts.get(argv[1]!.toString('latin1').toLowerCase())?.flags ?? SCRIPT_EVAL_COMPAT;
    } else {
      const cached = this.scripts.get(sha1hex(argv[1]!));
      if (cached !== undefined) flags = cached.flags;
      else {
        try {
          flags = parseShebang(argv[1]!).flags;
        } catch {
          // A bad shebang fails when the script runs; until then it counts as a write.
        }
      }
    }
    return (flags & SCRIPT_EVAL_COMPAT) === 0 && (flags & SCRIPT_NO_WRITES) !== 0;
  }

  /** The script past busy-reply-threshold, if any: which kind (SHUTDOWN's refusal). */
  get busy(): 'eval' | 'function' | null {
    return this.run !== null && this.run.timedOut ? this.run.kind : null;
  }

  /** SHUTDOWN NOSAVE while busy: the script stops at its next hook, written or not. */
  stopForShutdown(): void {
    if (this.run !== null) this.run.killed = true;
  }

  /** FUNCTION STATS running_script: the function, its command and how long it has run. */
  running(): { name: string; argv: Argv; durationMs: number } | null {
    const run = this.run;
    if (run === null) return null;
    return { name: run.name, argv: run.argv, durationMs: Math.floor(performance.now() - run.startedAt) };
  }

  /** The count hook: watches the clock, then serves other clients and honours a KILL. */
  private readonly hook = (L: LuaState): void => {
    const run = this.run;
    if (run === null) return;
    if (!run.timedOut) {
      const elapsed = performance.now() - run.startedAt;
      if (elapsed < this.host.busyThreshold) return;
      run.timedOut = true;
      this.host.log(3, `Slow script detected: still in execution after ${Math.floor(elapsed)} milliseconds. You can try killing the script using the ${run.kind === 'eval' ? 'SCRIPT KILL' : 'FUNCTION KILL'} command. Script name is: ${run.name}.`);
      this.host.enterBusy(run.kind);
    }
    if (!run.killed) this.host.serveWhileBusy(run.caller);
    if (!run.killed) return;
    this.host.log(3, 'Lua script killed by user with SCRIPT KILL.');
    const vm = this.vm!;
    // Every line from now on raises again, so a pcall in the script cannot swallow the kill.
    vm.setHook(L, this.hook, LUA_MASKLINE, 0);
    pushErrorTable(vm, L, 'Script killed by user with SCRIPT KILL...');
    vm.raise(L);
  };

  /** EVAL, EVALSHA and their _RO forms. */
  eval(c: CommandContext, argv: Argv, evalsha: boolean, readOnlyCommand: boolean): void {
    const vm = this.lua;
    if (evalsha && argv[1]!.length !== 40) throw new RedisError(ERR_NOSCRIPT);
    const numkeys = parseLong(argv[2]!);
    if (numkeys === undefined) throw new RedisError(ERR_NOT_INTEGER);
    if (numkeys > argv.length - 3) throw new RedisError("ERR Number of keys can't be greater than number of args");
    if (numkeys < 0) throw new RedisError("ERR Number of keys can't be negative");
    const sha = evalsha ? argv[1]!.latin1Slice(0, 40).toLowerCase() : sha1hex(argv[1]!);
    let script = this.scripts.get(sha);
    if (script === undefined) {
      if (evalsha) throw new RedisError(ERR_NOSCRIPT);
      script = this.compile(argv[1]!, sha);
    }
    const readOnly = this.prepare(script.flags, readOnlyCommand);
    const L = vm.L;
    const base = vm.top(L);
    vm.getRef(L, this.handlerRef);
    vm.getRef(L, script.ref);
    vm.getRef(L, this.globalsRef);
    // KEYS and ARGV are set in the real globals table, past the read-only proxy scripts see.
    vm.pushText(L, 'KEYS');
    pushArray(vm, L, argv, 3, 3 + numkeys);
    vm.rawSet(L, -3);
    vm.pushText(L, 'ARGV');
    pushArray(vm, L, argv, 3 + numkeys, argv.length);
    vm.rawSet(L, -3);
    vm.pop(L, 1);
    this.callFunction(c, 'eval', sha, argv, 0, readOnly, base);
  }

  /** FCALL and FCALL_RO: the function gets KEYS and ARGV as its two arguments. */
  fcall(c: CommandContext, argv: Argv, readOnlyCommand: boolean): void {
    const vm = this.lua;
    const fn = this.functions.functions.get(argv[1]!.toString('latin1').toLowerCase());
    if (fn === undefined) throw new RedisError('ERR Function not found');
    const numkeys = parseLong(argv[2]!);
    if (numkeys === undefined) throw new RedisError('ERR Bad number of keys provided');
    if (numkeys > argv.length - 3) throw new RedisError("ERR Number of keys can't be greater than number of args");
    if (numkeys < 0) throw new RedisError("ERR Number of keys can't be negative");
    const readOnly = this.prepare(fn.flags, readOnlyCommand);
    const L = vm.L;
    const base = vm.top(L);
    vm.getRef(L, this.handlerRef);
    vm.getRef(L, fn.ref);
    pushArray(vm, L, argv, 3, 3 + numkeys);
    pushArray(vm, L, argv, 3 + numkeys, argv.length);
    this.callFunction(c, 'function', fn.name, argv, 2, readOnly, base);
  }

  /**
   * scriptPrepareForRun's checks of a script's declared flags; returns whether its writes must be
   * refused. Throws the refusal.
   */
  private prepare(flags: number, readOnlyCommand: boolean): boolean {
    if ((flags & SCRIPT_EVAL_COMPAT) !== 0) return readOnlyCommand;
    if ((flags & SCRIPT_NO_WRITES) === 0) {
      const deny = this.host.denyWrites;
      if (deny !== null) {
        throw new RedisError(deny.startsWith('MISCONF Redis is configured to save RDB')
          ? "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts."
          : deny);
      }
      if (readOnlyCommand) throw new RedisError('ERR Can not execute a script with write flag using *_ro command.');
      return false;
    }
    return true;
  }

  /**
   * luaCallFunction: the stack holds (from `base`) the error handler, the function and `nargs`
   * arguments. Runs it and writes the caller's reply; the stack is back at `base` afterwards.
   */
  private callFunction(
    c: CommandContext, kind: 'eval' | 'function', name: string, argv: Argv, nargs: number, readOnly: boolean, base: number,
  ): void {
    const vm = this.vm!;
    const L = vm.L;
    const run: Run = {
      resp: 2, repl: PROPAGATE_AOF | PROPAGATE_REPL, readOnly, wrote: false,
      kind, name, caller: c, argv, startedAt: performance.now(), timedOut: false, killed: false,
    };
    this.run = run;
    this.host.begin(c, argv);
    const watch = this.host.busyThreshold > 0;
    if (watch) vm.setHook(L, this.hook, LUA_MASKCOUNT, HOOK_INSTRUCTIONS);
    let status: number;
    try {
      status = vm.pcall(L, nargs, 1, -2 - nargs);
    } catch (e) {
      // Not a Lua error (those pcall returns) but the runtime itself failing: the state cannot be
      // trusted any more, so it starts over, as after SCRIPT FLUSH.
      this.endRun(run, watch);
      this.flush();
      throw new RedisError(`ERR Lua engine failure running script ${name}: ${e instanceof Error ? e.message : String(e)}`.replace(/[\r\n]/g, ' '));
    }
    this.endRun(run, watch);
    if (++this.runs === GC_PERIOD) {
      vm.gc(L, LUA_GCSTEP, GC_PERIOD);
      this.runs = 0;
    }
    try {
      if (status !== 0) c.reply.error(errorReply(vm, L, name));
      else writeLuaValue(vm, L, c.reply, run.resp);
    } finally {
      // Whatever happened, the next script starts from a clean stack.
      vm.setTop(L, base);
    }
    // Functions share this state but, as in Redis (where they have their own), have no KEYS/ARGV.
    if (kind === 'eval') clearKeysAndArgv(vm, L, this.globalsRef);
    if (vm.memoryBytes > RECYCLE_BYTES && !this.recycling) this.recycle();
  }

  private endRun(run: Run, watched: boolean): void {
    this.run = null;
    if (watched) this.vm!.setHook(this.vm!.L, null, 0, 0);
    if (run.timedOut) this.host.leaveBusy();
  }

  /**
   * Loads a new runtime in the background and moves to it between commands: the sandbox is built
   * again, every cached script recompiled and every library loaded again, so nothing a client can
   * see changes except the server's memory (and math.random, which starts from its seed again).
   */
  private recycle(): void {
    this.recycling = true;
    const grown = this.vm!.memoryBytes;
    LuaVm.create().then((fresh) => {
      const held = [...this.scripts];
      this.vm = fresh;
      this.scripts.clear();
      this.bodyBytes = 0;
      this.openState();
      for (const [sha, script] of held) this.compile(script.body, sha);
      this.host.log(2, `Lua engine moved to a new runtime: ${Math.round(grown / 1048576)} MiB of WebAssembly memory released`);
    }).catch((e: unknown) => {
      this.host.log(3, `Lua engine could not load a new runtime: ${e instanceof Error ? e.message : String(e)}`);
    }).finally(() => {
      this.recycling = false;
    });
  }

  /** luaCreateFunction: compiles and caches a body not seen before. Throws RedisError. */
  private compile(body: Buffer, sha: string): CachedScript {
    const cached = this.scripts.get(sha);
    if (cached !== undefined) return cached;
    const vm = this.lua;
    const L = vm.L;
    const { flags, length } = parseShebang(body);
    // The shebang line is skipped but its newline kept, so line numbers stay the user's.
    if (vm.load(L, body.subarray(length), '@user_script') !== 0) {
      const why = vm.toText(L, -1) ?? '';
      vm.pop(L, 1);
      throw new RedisError(`ERR Error compiling script (new function): ${why}`.replace(/[\r\n]/g, ' '));
    }
    const script: CachedScript = { ref: vm.ref(L), body: Buffer.from(body), flags };
    this.scripts.set(sha, script);
    this.bodyBytes += body.length;
    return script;
  }
}

function clearKeysAndArgv(vm: LuaVm, L: LuaState, globalsRef: number): void {
  vm.getRef(L, globalsRef);
  for (const name of ['KEYS', 'ARGV']) {
    vm.pushText(L, name);
    vm.pushNil(L);
    vm.rawSet(L, -3);
  }
  vm.pop(L, 1);
}

/** A Lua array of argv[from..to). */
function pushArray(vm: LuaVm, L: LuaState, argv: Argv, from: number, to: number): void {
  vm.newTable(L, to - from, 0);
  for (let i = from; i < to; i++) {
    vm.pushBuffer(L, argv[i]!);
    vm.rawSetI(L, -2, i - from + 1);
  }
}

/**
 * The reply for the error value on top of the stack: the handler's {err, source, line} as
 * "<err> script: <name>, on <source>:<line>.", as Redis formats it.
 */
function errorReply(vm: LuaVm, L: LuaState, name: string): string {
  if (vm.type(L, -1) !== T_TABLE) {
    const msg = vm.isString(L, -1) ? vm.toText(L, -1)! : 'execution failure';
    return errorLine(`ERR Error running script ${name}, ${msg.slice(0, 100)}\n`);
  }
  const field = (key: string): string | null => {
    vm.getField(L, -1, key);
    const v = vm.isString(L, -1) ? vm.toText(L, -1) : null;
    vm.pop(L, 1);
    return v;
  };
  // A table without err (error({})) crashes Redis 7.0; an empty message is the sane answer.
  let msg = field('err') ?? 'ERR';
  const source = field('source');
  const line = field('line');
  if (source !== null && line !== null) msg += ` script: ${name}, on ${source}:${line}.`;
  return errorLine(msg);
}
