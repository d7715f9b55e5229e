/*
 * Conversions between Redis replies and Lua values, Redis 7.0's rules both ways.
 *
 * Reply -> Lua (what redis.call returns): the command's reply bytes are read as RESP, as Redis
 * reads its script client's output buffer. Integer -> number, bulk -> string, null bulk and null
 * array -> false, array -> table, status -> {ok=...}, error -> {err=...}; under RESP3 also
 * null -> nil, boolean -> boolean, double -> {double=n}, map -> {map={...}}, set -> {set={k=true}},
 * big number -> {big_number=s}, verbatim -> {verbatim_string={format=..., string=...}};
 * attributes are skipped.
 *
 * Lua -> reply (what a script returns): string -> bulk, number -> integer (truncated),
 * boolean -> 1 / null (script RESP2) or a RESP3 boolean, table -> error / status / double /
 * big number / verbatim / map / set, else an array up to the first nil; anything else -> null.
 */
import type { ReplyWriter } from '../../protocol/reply-writer.js';
import { T_BOOLEAN, T_NIL, T_NUMBER, T_STRING, T_TABLE, type LuaState, type LuaVm } from './lua-vm.js';

const CR = 13;

/** Pushes the Lua value of the RESP reply in `buf` (one whole reply, as a command writes it). */
export function pushReply(vm: LuaVm, L: LuaState, buf: Buffer): void {
  new ReplyReader(vm, L, buf).value(true);
}

class ReplyReader {
  private pos = 0;

  constructor(
    private readonly vm: LuaVm,
    private readonly L: LuaState,
    private readonly buf: Buffer,
  ) {}

  /** Reads one reply; pushes it when `push` (attributes are read and dropped). */
  value(push: boolean): void {
    const { vm, L, buf } = this;
    if (push && !vm.checkStack(L, 5)) throw new Error('lua stack limit reach when parsing redis.call reply');
    const kind = buf[this.pos]!;
    const text = this.line();
    switch (kind) {
      case 0x3a: // ':'
        if (push) vm.pushNumber(L, Number(text));
        return;
      case 0x24: /* '$' */ {
        const len = Number(text);
        if (len < 0) {
          if (push) vm.pushBoolean(L, false);
          return;
        }
        if (push) vm.pushBufferRange(L, buf, this.pos, this.pos + len);
        this.pos += len + 2;
        return;
      }
      case 0x2b: // '+'
        if (push) this.tagged('ok', () => vm.pushText(L, text));
        return;
      case 0x2d: // '-'
        if (push) pushErrorTable(vm, L, `-${text}`);
        return;
      case 0x2a: /* '*' */ {
        const n = Number(text);
        if (n < 0) {
          if (push) vm.pushBoolean(L, false);
          return;
        }
        if (push) vm.newTable(L, n, 0);
        for (let i = 1; i <= n; i++) {
          this.value(push);
          if (push) vm.rawSetI(L, -2, i);
        }
        return;
      }
      case 0x5f: // '_'
        if (push) vm.pushNil(L);
        return;
      case 0x23: // '#'
        if (push) vm.pushBoolean(L, text === 't');
        return;
      case 0x2c: // ','
        if (push) this.tagged('double', () => vm.pushNumber(L, parseRespDouble(text)));
        return;
      case 0x28: // '('
        if (push) this.tagged('big_number', () => vm.pushText(L, text));
        return;
      case 0x3d: /* '=' */ {
        const len = Number(text);
        const start = this.pos;
        this.pos += len + 2;
        if (!push) return;
        this.tagged('verbatim_string', () => {
          vm.newTable(L, 0, 2);
          vm.pushBufferRange(L, buf, start + 4, start + len);
          vm.setField(L, -2, 'string');
          vm.pushBufferRange(L, buf, start, start + 3);
          vm.setField(L, -2, 'format');
        });
        return;
      }
      case 0x25: /* '%' */ {
        const n = Number(text);
        if (!push) {
          for (let i = 0; i < 2 * n; i++) this.value(false);
          return;
        }
        this.tagged('map', () => {
          vm.newTable(L, 0, n);
          for (let i = 0; i < n; i++) {
            this.value(true);
            this.value(true);
            vm.setTable(L, -3);
          }
        });
        return;
      }
      case 0x7e: /* '~' */ {
        const n = Number(text);
        if (!push) {
          for (let i = 0; i < n; i++) this.value(false);
          return;
        }
        this.tagged('set', () => {
          vm.newTable(L, 0, n);
          for (let i = 0; i < n; i++) {
            this.value(true);
            vm.pushBoolean(L, true);
            vm.setTable(L, -3);
          }
        });
        return;
      }
      case 0x7c: /* '|' */ {
        // Attributes are not shown to scripts: skip them, then read the reply they decorate.
        const n = Number(text);
        for (let i = 0; i < 2 * n; i++) this.value(false);
        this.value(push);
        return;
      }
      default:
        throw new Error(`unexpected reply type byte ${kind} in a script's command reply`);
    }
  }

  /** {name = <value pushed by fill>} */
  private tagged(name: string, fill: () => void): void {
    const { vm, L } = this;
    vm.newTable(L, 0, 1);
    fill();
    vm.setField(L, -2, name);
  }

  /** The text after the type byte up to CRLF; moves past the CRLF. */
  private line(): string {
    const buf = this.buf;
    const start = this.pos + 1;
    let end = buf.indexOf(CR, start);
    if (end < 0) end = buf.length;
    this.pos = end + 2;
    return buf.toString('latin1', start, end);
  }
}

function parseRespDouble(text: string): number {
  if (text === 'inf') return Infinity;
  if (text === '-inf') return -Infinity;
  if (text === 'nan' || text === '-nan') return NaN;
  return Number(text);
}

/**
 * Redis's luaPushError: `-CODE message` or a bare message (code ERR), as {err = "CODE message"},
 * with trailing CR/LF trimmed.
 */
export function pushErrorTable(vm: LuaVm, L: LuaState, error: string): void {
  vm.newTable(L, 0, 1);
  vm.pushText(L, errorTableText(error));
  vm.setField(L, -2, 'err');
}

/** luaPushError + luaError: raises {err="<CODE> <message>"}; return its result from a C function. */
export function raiseErrorTable(vm: LuaVm, L: LuaState, error: string): number {
  pushErrorTable(vm, L, error);
  return vm.raise(L);
}

export function errorTableText(error: string): string {
  let code = 'ERR';
  let msg = error;
  if (error.startsWith('-')) {
    const space = error.indexOf(' ');
    if (space < 0) msg = error.slice(1);
    else {
      code = error.slice(1, space);
      msg = error.slice(space + 1);
    }
  }
  msg = msg.replace(/^[\r\n]+|[\r\n]+$/g, '');
  return `${code} ${msg}`;
}

/** A table being written: an array (by index), a map or a set (by lua_next). */
interface Open {
  readonly kind: 42 | 37 | 126;
  readonly slot: number;
  /** Elements (pairs for a map) written so far. */
  n: number;
  /** Map: 0 = fetch the next pair, 1 = its key is being written, 2 = its value. */
  phase: number;
}

/**
 * Writes the value on top of the stack as the script's reply and pops it. `scriptResp` is the
 * protocol the script chose with redis.setresp (it decides how booleans are answered).
 *
 * Nested tables are walked with an explicit stack of open tables, each kept on the Lua stack as
 * Redis's recursion keeps it: a table nested thousands deep (or one that contains itself) ends in
 * Redis's "reached lua stack limit" at the same depth, not in a JavaScript stack overflow.
 */
export function writeLuaValue(vm: LuaVm, L: LuaState, reply: ReplyWriter, scriptResp: 2 | 3): void {
  const open: Open[] = [];
  let pending = true;
  for (;;) {
    if (pending) {
      pending = false;
      const opened = writeOne(vm, L, reply, scriptResp);
      if (opened !== null) open.push(opened);
    }
    const f = open[open.length - 1];
    if (f === undefined) return;
    if (f.kind === 42) {
      vm.rawGetI(L, -1, f.n + 1);
      if (vm.type(L, -1) !== T_NIL) {
        f.n++;
        pending = true;
        continue;
      }
      vm.pop(L, 2);
    } else if (f.kind === 37) {
      if (f.phase === 1) {
        f.phase = 2;
        pending = true;
        continue;
      }
      if (f.phase === 2) f.n++;
      // Stack: table, key (nil at the start).
      if (vm.next(L, -2)) {
        vm.pushValue(L, -2);
        f.phase = 1;
        pending = true;
        continue;
      }
      vm.pop(L, 1);
    } else {
      if (vm.next(L, -2)) {
        vm.pop(L, 1);
        vm.pushValue(L, -1);
        f.n++;
        pending = true;
        continue;
      }
      vm.pop(L, 1);
    }
    reply.setDeferredLen(f.slot, f.kind, f.n);
    open.pop();
  }
}

/**
 * Writes the value on top of the stack and pops it, except an array, map or set: its header is
 * deferred, the table stays on the stack and is returned to be walked.
 */
function writeOne(vm: LuaVm, L: LuaState, reply: ReplyWriter, scriptResp: 2 | 3): Open | null {
  if (!vm.checkStack(L, 4)) {
    reply.error('ERR reached lua stack limit');
    vm.pop(L, 1);
    return null;
  }
  switch (vm.type(L, -1)) {
    case T_STRING:
      reply.bulk(vm.toBuffer(L, -1)!);
      break;
    case T_BOOLEAN: {
      const b = vm.toBoolean(L, -1);
      if (scriptResp === 2) {
        if (b) reply.integer(1);
        else reply.nullBulk();
      } else reply.bool(b);
      break;
    }
    case T_NUMBER:
      reply.integer(toLongLong(vm.toNumber(L, -1)));
      break;
    case T_TABLE:
      return writeTable(vm, L, reply);
    default:
      reply.nullBulk();
  }
  vm.pop(L, 1);
  return null;
}

/** A table: the tagged forms in Redis's order of checks (written and popped), else an open table. */
function writeTable(vm: LuaVm, L: LuaState, reply: ReplyWriter): Open | null {
  rawField(vm, L, 'err');
  if (vm.type(L, -1) === T_STRING) {
    const text = vm.toText(L, -1)!;
    vm.pop(L, 2);
    reply.error(errorLine(text));
    return null;
  }
  vm.pop(L, 1);
  rawField(vm, L, 'ok');
  if (vm.type(L, -1) === T_STRING) {
    const text = vm.toText(L, -1)!;
    vm.pop(L, 2);
    reply.simple(text.replace(/[\r\n]/g, ' '));
    return null;
  }
  vm.pop(L, 1);
  rawField(vm, L, 'double');
  if (vm.type(L, -1) === T_NUMBER) {
    const d = vm.toNumber(L, -1);
    vm.pop(L, 2);
    reply.double(d);
    return null;
  }
  vm.pop(L, 1);
  rawField(vm, L, 'big_number');
  if (vm.type(L, -1) === T_STRING) {
    const text = vm.toText(L, -1)!;
    vm.pop(L, 2);
    reply.bigNumber(text.replace(/[\r\n]/g, ' '));
    return null;
  }
  vm.pop(L, 1);
  rawField(vm, L, 'verbatim_string');
  if (vm.type(L, -1) === T_TABLE) {
    rawField(vm, L, 'format');
    if (vm.type(L, -1) === T_STRING) {
      const format = vm.toText(L, -1)!;
      vm.pushText(L, 'string');
      vm.rawGet(L, -3);
      if (vm.type(L, -1) === T_STRING) {
        const text = vm.toText(L, -1)!;
        vm.pop(L, 4);
        reply.verbatim(text, format.slice(0, 3).padEnd(3, '\0'));
        return null;
      }
      vm.pop(L, 1);
    }
    vm.pop(L, 1);
  }
  vm.pop(L, 1);
  for (const [field, kind] of [['map', 37], ['set', 126]] as const) {
    rawField(vm, L, field);
    if (vm.type(L, -1) === T_TABLE) {
      // The inner table replaces the outer one on the stack, then a nil starts lua_next.
      vm.replace(L, -2);
      vm.pushNil(L);
      return { kind, slot: reply.deferLen(), n: 0, phase: 0 };
    }
    vm.pop(L, 1);
  }
  return { kind: 42, slot: reply.deferLen(), n: 0, phase: 0 };
}

/** lua_rawget of a string key of the table on top (Redis reads the tags raw, past metatables). */
function rawField(vm: LuaVm, L: LuaState, name: string): void {
  vm.pushText(L, name);
  vm.rawGet(L, -2);
}

/** An {err=...} text as the error line: Redis sends "-<text>" with CR/LF made spaces. */
export function errorLine(text: string): string {
  return text.replace(/[\r\n]/g, ' ');
}

/** C's (long long) cast of a double as x86-64 does it: truncation, and LLONG_MIN when out of range. */
export function toLongLong(d: number): number | bigint {
  if (Number.isSafeInteger(d)) return d;
  if (!Number.isFinite(d) || d >= 9223372036854775808 || d < -9223372036854775808) return -9223372036854775808n;
  return BigInt(Math.trunc(d));
}
