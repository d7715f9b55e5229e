/*
 * Byte ranges of a string: APPEND, GETRANGE (and its old name SUBSTR), SETRANGE.
 *
 * Growth is capped by proto-max-bulk-len as in Redis. V8 caps one string at
 * buffer.constants.MAX_STRING_LENGTH (2^29 - 24 bytes on 64-bit), a little under the 512 MB
 * default: a result between the two is refused with the same error, where Redis would succeed.
 */
import { constants } from 'node:buffer';
import type { CommandContext } from '../context.js';
import type { Argv } from '../../protocol/resp-parser.js';
import {
  ERR_OFFSET_RANGE, ERR_STRING_TOO_LONG, ERR_WRONGTYPE, RedisError,
} from '../../protocol/errors.js';
import { keyOf, longArg, valueOf } from '../args.js';
import { NOTIFY_STRING } from '../notify.js';

/** Throws unless a string of `size + growth` bytes is allowed (Redis's checkStringLength). */
function checkStringLength(c: CommandContext, size: number, growth: number): void {
  const total = size + growth;
  if (total > Number(c.server.config.get('proto-max-bulk-len')) || total > constants.MAX_STRING_LENGTH) {
    throw new RedisError(ERR_STRING_TOO_LONG);
  }
}

export function appendCommand(c: CommandContext, argv: Argv): void {
  const key = keyOf(argv[1]!);
  const arg = argv[2]!;
  const v = c.db.get(key);
  let length: number;
  if (v === undefined) {
    c.db.set(key, valueOf(arg));
    length = arg.length;
  } else {
    if (typeof v !== 'string') throw new RedisError(ERR_WRONGTYPE);
    checkStringLength(c, v.length, arg.length);
    const next = arg.length === 0 ? v : v + valueOf(arg);
    c.db.replace(key, next);
    length = next.length;
  }
  // Redis counts (and logs) an APPEND of "" as a change too.
  c.dirty++;
  c.notify(NOTIFY_STRING, 'append', argv[1]!);
  c.reply.integer(length);
}

/**
 * GETRANGE / SUBSTR with Redis 7.0's index rules: both negative with start > end is empty,
 * negatives count from the end and clamp at 0, end clamps at the last byte. A missing key is "".
 */
export function getrangeCommand(c: CommandContext, argv: Argv): void {
  let start = longArg(argv[2]!);
  let end = longArg(argv[3]!);
  const v = c.db.get(keyOf(argv[1]!));
  if (v === undefined) return c.reply.bulk('');
  if (typeof v !== 'string') throw new RedisError(ERR_WRONGTYPE);
  const len = v.length;
  if (start < 0 && end < 0 && start > end) return c.reply.bulk('');
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return c.reply.bulk('');
  c.reply.bulk(start === 0 && end === len - 1 ? v : v.slice(start, end + 1));
}

/**
 * Overwrites from `offset`, zero-padding past the end. An empty value changes nothing (no key is
 * created, no length check); the reply is the resulting length.
 */
export function setrangeCommand(c: CommandContext, argv: Argv): void {
  const offset = longArg(argv[2]!);
  if (offset < 0) throw new RedisError(ERR_OFFSET_RANGE);
  const key = keyOf(argv[1]!);
  const arg = argv[3]!;
  const v = c.db.get(key);
  if (v === undefined) {
    if (arg.length === 0) return c.reply.integer(0);
    checkStringLength(c, offset, arg.length);
    const created = '\0'.repeat(offset) + valueOf(arg);
    c.db.set(key, created);
    c.dirty++;
    c.notify(NOTIFY_STRING, 'setrange', argv[1]!);
    return c.reply.integer(created.length);
  }
  if (typeof v !== 'string') throw new RedisError(ERR_WRONGTYPE);
  if (arg.length === 0) return c.reply.integer(v.length);
  checkStringLength(c, offset, arg.length);
  const value = valueOf(arg);
  let next: string;
  if (offset >= v.length) next = v + '\0'.repeat(offset - v.length) + value;
  else next = v.slice(0, offset) + value + v.slice(offset + value.length);
  c.db.replace(key, next);
  c.dirty++;
  c.notify(NOTIFY_STRING, 'setrange', argv[1]!);
  c.reply.integer(next.length);
}
