/*
 * EXPIRE PEXPIRE EXPIREAT PEXPIREAT (NX XX GT LT), TTL PTTL EXPIRETIME PEXPIRETIME, PERSIST.
 *
 * Deadlines are int64 unix ms, as in Redis. They stay plain numbers while exact (|v| < 2^53) and
 * become bigints beyond, so EXPIREAT k 9223372036854775 and PEXPIRETIME answer exactly. The AOF
 * gets a replayable form: `PEXPIREAT key <abs ms> [flags as sent]`, or DEL/UNLINK when the
 * deadline is already past (Redis 7.0 deletes at once then, per lazyfree-lazy-expire).
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_NOT_INTEGER, RedisError, errInvalidExpire } from '../../protocol/errors.js';
import { parseLong, parseLongExact } from '../../protocol/numbers.js';
import type { CommandContext } from '../context.js';
import { isWord, keyOf } from '../args.js';
import { ERR_EXPIRE_GT_LT, ERR_EXPIRE_NX_COMBO, errUnsupportedOption } from './errors.js';
import { NOTIFY_GENERIC } from '../notify.js';

const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;

const LLONG_MAX = 9223372036854775807n;
const LLONG_MIN = -9223372036854775808n;
/** Below this, |arg * 1000 + now| stays under 2^53 and plain number math is exact. */
const FAST_LIMIT = 2 ** 42;

const PEXPIREAT = Buffer.from('PEXPIREAT');
const DEL = Buffer.from('DEL');
const UNLINK = Buffer.from('UNLINK');

function parseExpireFlags(argv: Argv): number {
  let flags = 0;
  for (let i = 3; i < argv.length; i++) {
    const opt = argv[i]!;
    if (isWord(opt, 'NX')) flags |= NX;
    else if (isWord(opt, 'XX')) flags |= XX;
    else if (isWord(opt, 'GT')) flags |= GT;
    else if (isWord(opt, 'LT')) flags |= LT;
    else throw new RedisError(errUnsupportedOption(opt));
  }
  if ((flags & NX) !== 0 && (flags & (XX | GT | LT)) !== 0) throw new RedisError(ERR_EXPIRE_NX_COMBO);
  if ((flags & (GT | LT)) === (GT | LT)) throw new RedisError(ERR_EXPIRE_GT_LT);
  return flags;
}

/**
 * The absolute deadline in ms of `arg` (seconds when unitMs is 1000, relative when basetime is
 * not 0), rejecting the int64 overflows Redis rejects with its "invalid expire time" error.
 */
function deadline(arg: Buffer, basetime: number, unitMs: number, name: string): number | bigint {
  const v = parseLong(arg);
  if (v === undefined) throw new RedisError(ERR_NOT_INTEGER);
  if (v < FAST_LIMIT && v > -FAST_LIMIT) return v * unitMs + basetime;
  let when = parseLongExact(arg)!;
  if (unitMs !== 1) {
    const unit = BigInt(unitMs);
    if (when > LLONG_MAX / unit || when < LLONG_MIN / unit) throw new RedisError(errInvalidExpire(name));
    when *= unit;
  }
  const base = BigInt(basetime);
  if (when > LLONG_MAX - base) throw new RedisError(errInvalidExpire(name));
  when += base;
  const n = Number(when);
  return Number.isSafeInteger(n) ? n : when;
}

function expireGeneric(c: CommandContext, argv: Argv, name: string, relative: boolean, unitMs: number): void {
  const flags = parseExpireFlags(argv);
  const now = c.now();
  const when = deadline(argv[2]!, relative ? now : 0, unitMs, name);
  const db = c.db;
  const key = keyOf(argv[1]!);
  const exists = c.noTouch ? db.has(key) : db.get(key) !== undefined;
  if (!exists) return c.reply.integer(0);
  if (flags !== 0) {
    const current = db.getExpireExact(key);
    if ((flags & NX) !== 0 && current !== -1) return c.reply.integer(0);
    if ((flags & XX) !== 0 && current === -1) return c.reply.integer(0);
    // No TTL counts as an infinite one: GT never beats it, LT always does.
    if ((flags & GT) !== 0 && (current === -1 || when <= current)) return c.reply.integer(0);
    if ((flags & LT) !== 0 && current !== -1 && when >= current) return c.reply.integer(0);
  }
  if (when <= now) {
    db.delete(key);
    const lazy = c.server.config.get('lazyfree-lazy-expire') === 'yes';
    c.propagateAs([lazy ? UNLINK : DEL, argv[1]!]);
    c.notify(NOTIFY_GENERIC, 'del', argv[1]!);
  } else {
    db.setExpire(key, when);
    c.notify(NOTIFY_GENERIC, 'expire', argv[1]!);
    if (name !== 'pexpireat') {
      const logged = argv.slice();
      logged[0] = PEXPIREAT;
      logged[2] = Buffer.from(String(when), 'latin1');
      c.propagateAs(logged);
    }
  }
  c.dirty++;
  c.reply.integer(1);
}

export function expireCommand(c: CommandContext, argv: Argv): void {
  expireGeneric(c, argv, 'expire', true, 1000);
}

export function pexpireCommand(c: CommandContext, argv: Argv): void {
  expireGeneric(c, argv, 'pexpire', true, 1);
}

export function expireatCommand(c: CommandContext, argv: Argv): void {
  expireGeneric(c, argv, 'expireat', false, 1000);
}

export function pexpireatCommand(c: CommandContext, argv: Argv): void {
  expireGeneric(c, argv, 'pexpireat', false, 1);
}

/** TTL family: -2 missing, -1 no TTL, else the remaining (or absolute) time, rounded to seconds. */
function ttlGeneric(c: CommandContext, argv: Argv, inMs: boolean, absolute: boolean): void {
  const key = keyOf(argv[1]!);
  // Redis looks the key up for reading first: counted, and a miss publishes `keymiss`.
  if (c.db.lookupRead(key, false) === undefined) return c.reply.integer(-2);
  const at = c.db.getExpireExact(key);
  if (at === -2 || at === -1) return c.reply.integer(at);
  if (typeof at === 'bigint') {
    let t = absolute ? at : at - BigInt(c.now());
    if (t < 0n) t = 0n;
    return c.reply.integer(inMs ? t : (t + 500n) / 1000n);
  }
  let t = absolute ? at : at - c.now();
  if (t < 0) t = 0;
  c.reply.integer(inMs ? t : Math.floor((t + 500) / 1000));
}

export function ttlCommand(c: CommandContext, argv: Argv): void {
  ttlGeneric(c, argv, false, false);
}

export function pttlCommand(c: CommandContext, argv: Argv): void {
  ttlGeneric(c, argv, true, false);
}

export function expiretimeCommand(c: CommandContext, argv: Argv): void {
  ttlGeneric(c, argv, false, true);
}

export function pexpiretimeCommand(c: CommandContext, argv: Argv): void {
  ttlGeneric(c, argv, true, true);
}

export function persistCommand(c: CommandContext, argv: Argv): void {
  const db = c.db;
  const key = keyOf(argv[1]!);
  if (!c.noTouch) db.get(key);
  if (!db.persist(key)) return c.reply.integer(0);
  c.dirty++;
  c.notify(NOTIFY_GENERIC, 'persist', argv[1]!);
  c.reply.integer(1);
}
