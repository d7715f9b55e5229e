/*
 * SETBIT GETBIT BITCOUNT BITPOS with Redis 7.0's argument order: BITCOUNT and BITPOS look the key
 * up before parsing the range, so a missing key answers 0 (or BITPOS's default) even when the
 * range arguments are malformed.
 */
import type { CommandContext } from '../context.js';
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGTYPE, RedisError } from '../../protocol/errors.js';
import { parseLongExact } from '../../protocol/numbers.js';
import { isWord, keyOf, longArg } from '../args.js';
import { NOTIFY_STRING } from '../notify.js';
import {
  ERR_BIT_VALUE, bitOffsetArg, firstBitIn, firstByteWith, popcount, popcountByte, stringForBitWrite,
} from './bits.js';

export function setbitCommand(c: CommandContext, argv: Argv): void {
  const offset = bitOffsetArg(c, argv[2]!);
  const on = longArg(argv[3]!, ERR_BIT_VALUE);
  if (on !== 0 && on !== 1) throw new RedisError(ERR_BIT_VALUE);
  const key = keyOf(argv[1]!);
  const { value, grown } = stringForBitWrite(c, c.db, key, offset);
  const byte = Math.floor(offset / 8);
  const old = value.charCodeAt(byte);
  const mask = 1 << (7 - (offset & 7));
  const was = (old & mask) !== 0 ? 1 : 0;
  // Redis 7.0 counts a change (and propagates) only when the key grew or the bit flipped.
  if (grown || was !== on) {
    const next = on === 1 ? old | mask : old & ~mask;
    const s = next === old ? value : value.slice(0, byte) + String.fromCharCode(next) + value.slice(byte + 1);
    c.db.set(key, s, true);
    c.dirty++;
    c.notify(NOTIFY_STRING, 'setbit', argv[1]!);
  }
  c.reply.integer(was);
}

export function getbitCommand(c: CommandContext, argv: Argv): void {
  const offset = bitOffsetArg(c, argv[2]!);
  const v = c.db.get(keyOf(argv[1]!));
  if (v === undefined) return c.reply.integer(0);
  if (typeof v !== 'string') throw new RedisError(ERR_WRONGTYPE);
  const byte = Math.floor(offset / 8);
  if (byte >= v.length) return c.reply.integer(0);
  c.reply.integer((v.charCodeAt(byte) >> (7 - (offset & 7))) & 1);
}

/** The string at argv[1] for a read, or null (missing key). */
function readString(c: CommandContext, argv: Argv): string | null {
  const v = c.db.get(keyOf(argv[1]!));
  if (v === undefined) return null;
  if (typeof v !== 'string') throw new RedisError(ERR_WRONGTYPE);
  return v;
}

/**
 * A range bound as an exact int64: near INT64_MIN two different bounds can round to the same
 * double, and BITCOUNT's "both negative and start > end" test must see them apart.
 */
function exactArg(buf: Buffer): bigint {
  const v = parseLongExact(buf);
  if (v === undefined) throw new RedisError(ERR_NOT_INTEGER);
  return v;
}

/** BYTE | BIT; true for BIT. */
function unitArg(buf: Buffer): boolean {
  if (isWord(buf, 'BIT')) return true;
  if (isWord(buf, 'BYTE')) return false;
  throw new RedisError(ERR_SYNTAX);
}

/** A normalised range: bytes [start, end] plus, in BIT mode, the bits to ignore in the edge bytes. */
interface Range {
  start: number;
  end: number;
  /** Bits before the range in the first byte (BIT mode), as a mask of the byte. */
  headMask: number;
  /** Bits after the range in the last byte (BIT mode), as a mask of the byte. */
  tailMask: number;
}

/** Redis's start/end normalisation shared by BITCOUNT and BITPOS; null when empty. */
function normalise(len: number, start: number, end: number, isBit: boolean): Range | null {
  const total = isBit ? len * 8 : len;
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (start > end) return null;
  if (!isBit) return { start, end, headMask: 0, tailMask: 0 };
  return {
    start: Math.floor(start / 8),
    end: Math.floor(end / 8),
    headMask: ~((1 << (8 - (start & 7))) - 1) & 0xff,
    tailMask: (1 << (7 - (end & 7))) - 1,
  };
}

export function bitcountCommand(c: CommandContext, argv: Argv): void {
  const v = readString(c, argv);
  if (v === null) return c.reply.integer(0);
  let range: Range | null;
  if (argv.length === 4 || argv.length === 5) {
    const start = exactArg(argv[2]!);
    const end = exactArg(argv[3]!);
    if (start < 0n && end < 0n && start > end) return c.reply.integer(0);
    const isBit = argv.length === 5 ? unitArg(argv[4]!) : false;
    range = normalise(v.length, Number(start), Number(end), isBit);
  } else if (argv.length === 2) {
    range = normalise(v.length, 0, -1, false);
  } else {
    throw new RedisError(ERR_SYNTAX);
  }
  if (range === null) return c.reply.integer(0);
  let n = popcount(v, range.start, range.end);
  n -= popcountByte(v.charCodeAt(range.start) & range.headMask);
  n -= popcountByte(v.charCodeAt(range.end) & range.tailMask);
  c.reply.integer(n);
}

/**
 * BITPOS: a missing key is an endless run of zeros. Looking for 0 without an explicit end, the
 * string counts as zero-padded on the right, so "all ones" answers the first bit past the range;
 * with an explicit end it answers -1.
 */
export function bitposCommand(c: CommandContext, argv: Argv): void {
  const bit = longArg(argv[2]!);
  if (bit !== 0 && bit !== 1) throw new RedisError('ERR The bit argument must be 1 or 0.');
  const v = readString(c, argv);
  if (v === null) return c.reply.integer(bit === 1 ? -1 : 0);
  let range: Range | null;
  let endGiven = false;
  if (argv.length >= 4 && argv.length <= 6) {
    const start = longArg(argv[3]!);
    const isBit = argv.length === 6 ? unitArg(argv[5]!) : false;
    let end: number;
    if (argv.length >= 5) {
      end = longArg(argv[4]!);
      endGiven = true;
    } else {
      end = isBit ? v.length * 8 + 7 : v.length - 1;
    }
    range = normalise(v.length, start, end, isBit);
  } else if (argv.length === 3) {
    range = normalise(v.length, 0, -1, false);
  } else {
    throw new RedisError(ERR_SYNTAX);
  }
  if (range === null) return c.reply.integer(-1);
  const { start, end, headMask, tailMask } = range;
  // Bits outside the range are forced to the opposite of what we look for.
  const edge = (i: number): number => {
    let b = v.charCodeAt(i);
    let m = 0;
    if (i === start) m |= headMask;
    if (i === end) m |= tailMask;
    if (bit === 1) b &= ~m & 0xff;
    else b |= m;
    return b;
  };
  let found = -1;
  const first = edge(start);
  const p = firstBitIn(first, bit);
  if (p >= 0) found = start * 8 + p;
  else if (end > start) {
    const middleEnd = tailMask !== 0 ? end - 1 : end;
    const at = firstByteWith(v, start + 1, middleEnd, bit);
    if (at >= 0) found = at * 8 + firstBitIn(v.charCodeAt(at), bit);
    else if (middleEnd !== end) {
      const q = firstBitIn(edge(end), bit);
      if (q >= 0) found = end * 8 + q;
    }
  }
  if (found >= 0) return c.reply.integer(found);
  c.reply.integer(bit === 1 || endGiven ? -1 : (end + 1) * 8);
}
