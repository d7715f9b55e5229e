/*
 * The `redis` table scripts see (Redis 7.0's luaRegisterRedisAPI) and the global pcall Redis
 * replaces. Every function is a JS function registered as a C function, with Redis's checks in
 * Redis's order and its exact error texts; errors are raised as {err=...} tables, which the
 * error handler locates at the script's line.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { formatDouble17g } from '../../protocol/numbers.js';
import type { ScriptHost } from '../context.js';
import { MAY_REPLICATE } from '../table.js';
import { LUA_GLOBALSINDEX, LUA_MULTRET, T_NUMBER, T_STRING, T_TABLE, type LuaState, type LuaVm } from './lua-vm.js';
import { pushErrorTable, pushReply, raiseErrorTable } from './lua-reply.js';
import { sha1hex } from './sha1.js';

/** The run a redis.call belongs to (Redis's scriptRunCtx). */
export interface ScriptRun {
  /** Set by redis.setresp: the protocol replies are read in. */
  resp: 2 | 3;
  /** redis.set_repl: bit 1 the AOF, bit 2 replicas (Rewind has none). */
  repl: number;
  /** EVAL_RO, FCALL_RO, or a shebang script without the no-writes flag: writes are refused. */
  readonly readOnly: boolean;
  /** A write already ran: later writes cannot be refused for the server's state (MISCONF). */
  wrote: boolean;
}

/** What the API needs from the engine: the running script, if any, and the server. */
export interface ScriptApiContext {
  readonly run: ScriptRun | null;
  readonly host: ScriptHost;
}

export const PROPAGATE_AOF = 1;
export const PROPAGATE_REPL = 2;

/** Sets the global `redis` table on a state not yet sandboxed. */
export function openRedisApi(vm: LuaVm, L: LuaState, ctx: ScriptApiContext, version: string): void {
  vm.newTable(L);
  const fn = (name: string, f: (S: LuaState) => number): void => {
    vm.pushFunction(L, f);
    vm.setField(L, -2, name);
  };
  const num = (name: string, n: number): void => {
    vm.pushNumber(L, n);
    vm.setField(L, -2, name);
  };

  fn('call', (S) => redisCommand(vm, S, ctx, true));
  fn('pcall', (S) => redisCommand(vm, S, ctx, false));
  fn('error_reply', (S) => {
    if (vm.top(S) !== 1 || vm.type(S, -1) !== T_STRING) return pushError(vm, S, 'wrong number or type of arguments');
    const text = vm.toText(S, -1)!;
    pushErrorTable(vm, S, text.startsWith('-') ? text : `-${text}`);
    return 1;
  });
  fn('status_reply', (S) => {
    if (vm.top(S) !== 1 || vm.type(S, -1) !== T_STRING) return pushError(vm, S, 'wrong number or type of arguments');
    vm.newTable(S, 0, 1);
    vm.pushValue(S, -2);
    vm.setField(S, -2, 'ok');
    return 1;
  });
  fn('sha1hex', (S) => {
    if (vm.top(S) !== 1) return raiseErrorTable(vm, S, 'wrong number of arguments');
    vm.pushText(S, sha1hex(vm.toBuffer(S, 1) ?? Buffer.alloc(0)));
    return 1;
  });
  fn('log', (S) => {
    const argc = vm.top(S);
    if (argc < 2) return raiseErrorTable(vm, S, 'redis.log() requires two arguments or more.');
    if (!vm.isNumber(S, 1)) return raiseErrorTable(vm, S, 'First argument must be a number (log level).');
    const level = Math.trunc(vm.toNumber(S, 1));
    if (level < 0 || level > 3) return raiseErrorTable(vm, S, 'Invalid debug level.');
    const parts: string[] = [];
    for (let j = 2; j <= argc; j++) {
      const s = vm.toText(S, j);
      if (s !== null) parts.push(s);
    }
    ctx.host.log(level, parts.join(' '));
    return 0;
  });
  fn('setresp', (S) => {
    const run = ctx.run;
    if (run === null) return raiseErrorTable(vm, S, 'redis.setresp can only be called inside a script invocation');
    if (vm.top(S) !== 1) return raiseErrorTable(vm, S, 'redis.setresp() requires one argument.');
    const resp = Math.trunc(vm.toNumber(S, 1));
    if (resp !== 2 && resp !== 3) return raiseErrorTable(vm, S, 'RESP version must be 2 or 3.');
    run.resp = resp;
    return 0;
  });
  fn('set_repl', (S) => {
    const run = ctx.run;
    if (run === null) return raiseErrorTable(vm, S, 'redis.set_repl can only be called inside a script invocation');
    // Redis's text, "two" included.
    if (vm.top(S) !== 1) return raiseErrorTable(vm, S, 'redis.set_repl() requires two arguments.');
    const flags = Math.trunc(vm.toNumber(S, -1));
    if ((flags & ~(PROPAGATE_AOF | PROPAGATE_REPL)) !== 0) {
      return raiseErrorTable(vm, S, 'Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.');
    }
    run.repl = flags;
    return 0;
  });
  // Effects replication is the only mode since Redis 7.0: kept for old scripts, it does nothing.
  fn('replicate_commands', (S) => {
    vm.pushBoolean(S, true);
    return 1;
  });
  // The Lua debugger (SCRIPT DEBUG) is not implemented: outside a debugging session Redis's
  // breakpoint answers false and debug does nothing, which is what scripts see here.
  fn('breakpoint', (S) => {
    vm.pushBoolean(S, false);
    return 1;
  });
  fn('debug', () => 0);
  fn('acl_check_cmd', (S) => {
    if (ctx.run === null) return raiseErrorTable(vm, S, 'redis.acl_check_cmd can only be called inside a script invocation');
    const argv = argsToArgv(vm, S);
    if (typeof argv === 'string') return raiseErrorTable(vm, S, argv);
    if (ctx.host.lookup(argv) === undefined) return raiseErrorTable(vm, S, 'Invalid command passed to redis.acl_check_cmd()');
    // Every connection is the default user, allowed every command.
    vm.pushBoolean(S, true);
    return 1;
  });

  num('REPL_NONE', 0);
  num('REPL_AOF', PROPAGATE_AOF);
  num('REPL_SLAVE', PROPAGATE_REPL);
  num('REPL_REPLICA', PROPAGATE_REPL);
  num('REPL_ALL', PROPAGATE_AOF | PROPAGATE_REPL);
  num('LOG_DEBUG', 0);
  num('LOG_VERBOSE', 1);
  num('LOG_NOTICE', 2);
  num('LOG_WARNING', 3);
  vm.pushText(L, version);
  vm.setField(L, -2, 'REDIS_VERSION');
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  num('REDIS_VERSION_NUM', (major << 16) | (minor << 8) | patch);
  vm.setField(L, LUA_GLOBALSINDEX, 'redis');

  // Redis's pcall: an error raised as a table (redis.call's) is caught as its err string.
  vm.pushFunction(L, (S) => {
    const argc = vm.top(S);
    vm.pushBoolean(S, true);
    vm.insert(S, 1);
    if (vm.pcall(S, argc - 1, LUA_MULTRET, 0) !== 0) {
      vm.remove(S, 1);
      if (vm.type(S, -1) === T_TABLE) {
        vm.getField(S, -1, 'err');
        if (vm.isString(S, -1)) vm.replace(S, -2);
        else vm.pop(S, 1);
      }
      vm.pushBoolean(S, false);
      vm.insert(S, 1);
    }
    return vm.top(S);
  });
  vm.setField(L, LUA_GLOBALSINDEX, 'pcall');
}

/** redis.call (raise) and redis.pcall: Redis's scriptCall checks, then the command itself. */
function redisCommand(vm: LuaVm, L: LuaState, ctx: ScriptApiContext, raise: boolean): number {
  const run = ctx.run;
  if (run === null) return raiseErrorTable(vm, L, 'redis.call/pcall can only be called inside a script invocation');
  const argv = argsToArgv(vm, L);
  if (typeof argv === 'string') return failWith(vm, L, argv, raise);
  const host = ctx.host;
  const spec = host.lookup(argv);
  let refusal: string | null = null;
  if (spec === undefined) refusal = 'Unknown Redis command called from script';
  else if ((spec.arity > 0 && argv.length !== spec.arity) || argv.length < -spec.arity) {
    refusal = 'Wrong number of args calling Redis command from script';
  } else if (spec.flags.includes('noscript')) refusal = 'This Redis command is not allowed from script';
  else {
    const write = spec.flags.includes('write');
    if (run.readOnly && (write || MAY_REPLICATE.has(spec.name))) {
      refusal = 'Write commands are not allowed from read-only scripts.';
    } else if (write && !run.wrote && host.denyWrites !== null) {
      refusal = `-${host.denyWrites}`;
    }
    if (write && refusal === null) run.wrote = true;
  }
  if (refusal !== null) {
    pushErrorTable(vm, L, refusal);
    vm.pushBoolean(L, true);
    vm.setField(L, -2, 'ignore_error_stats_update');
    return raise ? vm.raise(L) : 1;
  }
  const reply = host.call(spec!, argv, run.resp, (run.repl & PROPAGATE_AOF) !== 0);
  pushReply(vm, L, reply);
  return raise && reply[0] === 0x2d ? vm.raise(L) : 1;
}

/**
 * luaArgsToRedisArgv: strings as their bytes, numbers as "%.17g" (not Lua's lossy "%.14g"); the
 * stack is emptied. A string means an error to raise.
 */
function argsToArgv(vm: LuaVm, L: LuaState): Argv | string {
  const argc = vm.top(L);
  if (argc === 0) return 'Please specify at least one argument for this redis lib call';
  const argv: Buffer[] = new Array<Buffer>(argc);
  let ok = true;
  for (let j = 1; j <= argc; j++) {
    const t = vm.type(L, j);
    if (t === T_NUMBER) argv[j - 1] = Buffer.from(formatDouble17g(vm.toNumber(L, j)), 'latin1');
    else if (t === T_STRING) argv[j - 1] = vm.toBuffer(L, j)!;
    else {
      ok = false;
      break;
    }
  }
  vm.setTop(L, 0);
  return ok ? argv : 'Lua redis lib command arguments must be strings or integers';
}

function failWith(vm: LuaVm, L: LuaState, message: string, raise: boolean): number {
  pushErrorTable(vm, L, message);
  return raise ? vm.raise(L) : 1;
}

/** luaPushError returned as a value (error_reply's own argument errors). */
function pushError(vm: LuaVm, L: LuaState, message: string): number {
  pushErrorTable(vm, L, message);
  return 1;
}
