/*
 * SET and its older forms: SETNX, SETEX, PSETEX, GETSET.
 *
 * Propagation follows Redis 7.0: a write with an expiry is logged as `SET key value PXAT <ms>`
 * (absolute, so replay gives the same deadline), a SET ... GET without expiry is logged without
 * its GET arguments, and GETSET is logged as a plain SET.
 */
import type { CommandContext } from '../context.js';
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_WRONGTYPE, RedisError } from '../../protocol/errors.js';
import { isWord, keyOf, valueOf } from '../args.js';
import {
  OPT_EX, OPT_FLAGS_MASK, OPT_GET, OPT_KEEPTTL, OPT_NX, OPT_PX, OPT_XX,
  expireAtArg, expireAtText, expireIndexOf, isRelative, parseStringOptions, unitOf,
} from './options.js';
import { NOTIFY_GENERIC, NOTIFY_STRING } from '../notify.js';

const SET = Buffer.from('SET');
const PXAT = Buffer.from('PXAT');

/** How the caller answers: SET (OK / nil / old value) or SETNX (1 / 0). */
const REPLY_SET = 0;
const REPLY_SETNX = 1;

export function setCommand(c: CommandContext, argv: Argv): void {
  if (argv.length === 3) {
    // The common case: no options, nothing to validate.
    c.db.set(keyOf(argv[1]!), valueOf(argv[2]!));
    c.dirty++;
    c.notify(NOTIFY_STRING, 'set', argv[1]!);
    c.reply.ok();
    return;
  }
  const parsed = parseStringOptions(argv, 3, true);
  const at = expireIndexOf(parsed);
  setGeneric(c, argv, parsed & OPT_FLAGS_MASK, argv[1]!, argv[2]!, at === 0 ? undefined : argv[at]!, 'set', REPLY_SET);
}

export function setnxCommand(c: CommandContext, argv: Argv): void {
  setGeneric(c, argv, OPT_NX, argv[1]!, argv[2]!, undefined, 'setnx', REPLY_SETNX);
}

export function setexCommand(c: CommandContext, argv: Argv): void {
  setGeneric(c, argv, OPT_EX, argv[1]!, argv[3]!, argv[2]!, 'setex', REPLY_SET);
}

export function psetexCommand(c: CommandContext, argv: Argv): void {
  setGeneric(c, argv, OPT_PX, argv[1]!, argv[3]!, argv[2]!, 'psetex', REPLY_SET);
}

export function getsetCommand(c: CommandContext, argv: Argv): void {
  const key = keyOf(argv[1]!);
  // Redis reads the old value as GET does: counted, and a miss is a `keymiss`.
  const old = c.db.lookupRead(key);
  if (old !== undefined && typeof old !== 'string') throw new RedisError(ERR_WRONGTYPE);
  c.db.set(key, valueOf(argv[2]!));
  c.dirty++;
  c.notify(NOTIFY_STRING, 'set', argv[1]!);
  c.propagateAs([SET, argv[1]!, argv[2]!]);
  if (old === undefined) c.reply.nullBulk();
  else c.reply.bulk(old);
}

/**
 * The body of every SET form, in Redis's order: the expiry argument is checked first, then the
 * old value is read (GET: a non-string is WRONGTYPE), then NX/XX decide, then the key is written.
 */
function setGeneric(
  c: CommandContext, argv: Argv, flags: number, keyBuf: Buffer, valueBuf: Buffer,
  expireArg: Buffer | undefined, command: string, replyKind: number,
): void {
  const unit = unitOf(flags);
  const relative = isRelative(flags);
  const now = c.now();
  const at = expireArg === undefined ? 0 : expireAtArg(expireArg, unit, relative, now, command);
  const key = keyOf(keyBuf);
  const withGet = (flags & OPT_GET) !== 0;
  let old: string | undefined;
  let found = false;
  if (withGet) {
    // Redis reads the old value as GET does: counted, and a miss is a `keymiss`.
    const v = c.db.lookupRead(key);
    if (v !== undefined) {
      if (typeof v !== 'string') throw new RedisError(ERR_WRONGTYPE);
      old = v;
      found = true;
    }
  } else if ((flags & (OPT_NX | OPT_XX)) !== 0) {
    found = c.db.has(key);
  }
  if (((flags & OPT_NX) !== 0 && found) || ((flags & OPT_XX) !== 0 && !found)) {
    if (withGet) replyOld(c, old);
    else if (replyKind === REPLY_SETNX) c.reply.integer(0);
    else c.reply.nullBulk();
    return;
  }

  c.db.set(key, valueOf(valueBuf), (flags & OPT_KEEPTTL) !== 0);
  c.dirty++;
  c.notify(NOTIFY_STRING, 'set', keyBuf);
  if (expireArg !== undefined) {
    // Redis 7.0 sets a deadline already in the past too; the key then expires on first access.
    c.db.setExpire(key, at);
    c.notify(NOTIFY_GENERIC, 'expire', keyBuf);
    const text = expireAtText(expireArg, unit, relative, now, at);
    c.propagateAs([SET, keyBuf, valueBuf, PXAT, Buffer.from(text, 'latin1')]);
  } else if (withGet) {
    c.propagateAs(withoutGet(argv));
  }

  if (withGet) replyOld(c, old);
  else if (replyKind === REPLY_SETNX) c.reply.integer(1);
  else c.reply.ok();
}

function replyOld(c: CommandContext, old: string | undefined): void {
  if (old === undefined) c.reply.nullBulk();
  else c.reply.bulk(old);
}

/** argv minus every GET option (it may be repeated); the value at index 2 stays even if it is "get". */
function withoutGet(argv: Argv): Argv {
  const out: Buffer[] = [argv[0]!, argv[1]!, argv[2]!];
  for (let j = 3; j < argv.length; j++) {
    const a = argv[j]!;
    if (!isWord(a, 'GET')) out.push(a);
  }
  return out;
}
