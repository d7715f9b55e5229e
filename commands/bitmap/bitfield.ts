/*
 * BITFIELD and BITFIELD_RO: GET / SET / INCRBY on signed (i1..i64) and unsigned (u1..u63) fields
 * at any bit offset, with OVERFLOW WRAP | SAT | FAIL applying to the operations after it.
 *
 * Values are BigInt and the overflow checks reproduce Redis's int64 arithmetic, including where its
 * intermediate differences wrap (SAT of SET i8 to a value near INT64_MIN saturates to the max,
 * as Redis 7.0 does). All operations are parsed and validated before the key is touched.
 */
import type { CommandContext } from '../context.js';
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGTYPE, RedisError } from '../../protocol/errors.js';
import { parseLongExact } from '../../protocol/numbers.js';
import { isWord, keyOf } from '../args.js';
import { NOTIFY_STRING } from '../notify.js';
import { bitOffsetArg, getSignedField, getUnsignedField, setField, spliceBytes, stringForBitWrite } from './bits.js';

const ERR_TYPE = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

type Overflow = 'wrap' | 'sat' | 'fail';

interface FieldOp {
  readonly kind: 'get' | 'set' | 'incrby';
  readonly signed: boolean;
  readonly bits: number;
  readonly offset: number;
  readonly arg: bigint;
  readonly overflow: Overflow;
}

/** `i<bits>` or `u<bits>`, case-sensitive as in Redis. */
function typeArg(buf: Buffer): { signed: boolean; bits: number } {
  const t = buf[0];
  if (t !== 0x69 && t !== 0x75) throw new RedisError(ERR_TYPE);
  const signed = t === 0x69;
  const n = parseLongExact(buf.subarray(1));
  if (n === undefined || n < 1n || n > (signed ? 64n : 63n)) throw new RedisError(ERR_TYPE);
  return { signed, bits: Number(n) };
}

function parseOps(c: CommandContext, argv: Argv, readonly: boolean): FieldOp[] {
  const ops: FieldOp[] = [];
  let overflow: Overflow = 'wrap';
  for (let j = 2; j < argv.length; j++) {
    const rem = argv.length - j - 1;
    const sub = argv[j]!;
    let kind: FieldOp['kind'];
    if (isWord(sub, 'GET') && rem >= 2) kind = 'get';
    else if (isWord(sub, 'SET') && rem >= 3) kind = 'set';
    else if (isWord(sub, 'INCRBY') && rem >= 3) kind = 'incrby';
    else if (isWord(sub, 'OVERFLOW') && rem >= 1) {
      const t = argv[++j]!;
      if (isWord(t, 'WRAP')) overflow = 'wrap';
      else if (isWord(t, 'SAT')) overflow = 'sat';
      else if (isWord(t, 'FAIL')) overflow = 'fail';
      else throw new RedisError('ERR Invalid OVERFLOW type specified');
      continue;
    } else {
      throw new RedisError(ERR_SYNTAX);
    }
    const { signed, bits } = typeArg(argv[j + 1]!);
    const offset = bitOffsetArg(c, argv[j + 2]!, bits);
    let arg = 0n;
    if (kind !== 'get') {
      const v = parseLongExact(argv[j + 3]!);
      if (v === undefined) throw new RedisError(ERR_NOT_INTEGER);
      arg = v;
    }
    ops.push({ kind, signed, bits, offset, arg, overflow });
    j += kind === 'get' ? 2 : 3;
  }
  // Redis 7.0 rejects writes in BITFIELD_RO only after every argument parsed.
  if (readonly && ops.some((op) => op.kind !== 'get')) throw new RedisError('ERR BITFIELD_RO only supports the GET subcommand');
  return ops;
}

const i64 = (v: bigint): bigint => BigInt.asIntN(64, v);

/**
 * Redis's checkSignedBitfieldOverflow / checkUnsignedBitfieldOverflow on int64 inputs: returns
 * [overflowed, the value to store when not failing].
 */
function applyOverflow(op: FieldOp, value: bigint, incr: bigint): [boolean, bigint] {
  const bits = BigInt(op.bits);
  let dir = 0;
  if (op.signed) {
    const max = (1n << (bits - 1n)) - 1n;
    const min = -max - 1n;
    const maxincr = i64(max - value);
    const minincr = i64(min - value);
    if (value > max || (op.bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr)) dir = 1;
    else if (value < min || (op.bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr)) dir = -1;
    if (dir === 0) return [false, value + incr];
    if (op.overflow === 'sat') return [true, dir > 0 ? max : min];
    return [true, BigInt.asIntN(op.bits, value + incr)];
  }
  const uvalue = BigInt.asUintN(64, value);
  const max = (1n << bits) - 1n;
  const maxincr = i64(max - uvalue);
  const minincr = i64(-uvalue);
  if (uvalue > max || (incr > 0n && incr > maxincr)) dir = 1;
  else if (incr < 0n && incr < minincr) dir = -1;
  if (dir === 0) return [false, uvalue + incr];
  if (op.overflow === 'sat') return [true, dir > 0 ? max : 0n];
  return [true, BigInt.asUintN(op.bits, uvalue + incr)];
}

/** Up to 9 bytes covering the field, zero-padded past the end of s, and the field's bit offset in them. */
function window(s: string, offset: number): [Buffer, number] {
  const byte = Math.floor(offset / 8);
  const buf = Buffer.alloc(9);
  if (byte < s.length) buf.write(s.slice(byte, byte + 9), 0, 'latin1');
  return [buf, offset - byte * 8];
}

function bitfieldGeneric(c: CommandContext, argv: Argv, readonly: boolean): void {
  const ops = parseOps(c, argv, readonly);
  const key = keyOf(argv[1]!);
  let value: string;
  let grown = false;
  let writes = false;
  let maxBit = 0;
  for (const op of ops) {
    if (op.kind === 'get') continue;
    writes = true;
    maxBit = Math.max(maxBit, op.offset + op.bits - 1);
  }
  if (writes) {
    ({ value, grown } = stringForBitWrite(c, c.db, key, maxBit));
  } else {
    // With GETs only, Redis looks the key up for reading even in BITFIELD: a miss is a `keymiss`.
    const v = c.db.lookupRead(key);
    if (v !== undefined && typeof v !== 'string') throw new RedisError(ERR_WRONGTYPE);
    value = v ?? '';
  }
  c.reply.arrayLen(ops.length);
  let changes = 0;
  for (const op of ops) {
    const [buf, off] = window(value, op.offset);
    const old = op.signed ? getSignedField(buf, off, op.bits) : getUnsignedField(buf, off, op.bits);
    if (op.kind === 'get') {
      c.reply.integer(old);
      continue;
    }
    const [overflowed, next] = op.kind === 'incrby' ? applyOverflow(op, old, op.arg) : applyOverflow(op, op.arg, 0n);
    if (overflowed && op.overflow === 'fail') {
      c.reply.nullBulk();
      continue;
    }
    c.reply.integer(op.kind === 'incrby' ? next : old);
    setField(buf, off, op.bits, next);
    const byte = Math.floor(op.offset / 8);
    const span = Math.floor((off + op.bits - 1) / 8) + 1;
    value = spliceBytes(value, byte, buf.subarray(0, span));
    if (grown || old !== next) changes++;
  }
  // Redis creates (or grows) the key even when every write FAILs, but counts no change then and
  // publishes no event; we still count one so the AOF replays the same keyspace.
  const notified = changes > 0;
  if (changes === 0 && grown) changes = 1;
  if (changes > 0) {
    c.db.set(key, value, true);
    c.dirty += changes;
    if (notified) c.notify(NOTIFY_STRING, 'setbit', argv[1]!);
  }
}

export function bitfieldCommand(c: CommandContext, argv: Argv): void {
  bitfieldGeneric(c, argv, false);
}

export function bitfieldRoCommand(c: CommandContext, argv: Argv): void {
  bitfieldGeneric(c, argv, true);
}
