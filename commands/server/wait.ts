/*
 * WAIT numreplicas timeout (Redis 7.0) and WAITAOF numlocal numreplicas timeout (Redis 7.2) on a
 * primary without replicas: no replica ever acknowledges, so asking for none answers at once and
 * asking for some waits out the timeout (0: until CLIENT UNBLOCK or disconnection), then answers
 * with what was acknowledged, as Redis does. Inside MULTI (or a script) they answer at once.
 *
 * WAITAOF's local count is 1 when the AOF is on and its policy syncs (always, everysec): Rewind
 * writes a batch's records before its replies, and treats everysec's pending second as synced
 * rather than tracking fsync offsets per client. Under `appendfsync no` nothing is ever known to
 * be synced, so numlocal 1 times out with 0, as in Redis's own tests.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import type { ReplyWriter } from '../../protocol/reply-writer.js';
import { ERR_NOT_INTEGER, RedisError } from '../../protocol/errors.js';
import { parseLong } from '../../protocol/numbers.js';
import type { CommandContext } from '../context.js';
import { longArg } from '../args.js';
import { msDeadline } from './ms-timeout.js';

const ERR_WAITAOF_NO_AOF = 'ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.';
const ERR_NUMLOCAL_RANGE = 'ERR value is out of range, value must between 0 and 1';
const ERR_MUST_BE_POSITIVE = 'ERR value is out of range, must be positive';

/** A deadline from msDeadline as blockOnKeys takes it: ms from now, 0 for never (none, or wrapped). */
function waitMs(deadline: number, now: number): number {
  return deadline <= 0 ? 0 : Math.max(1, deadline - now);
}

/** Waits with no key to become ready: only the timeout (or CLIENT UNBLOCK) ends it. */
function waitForTimeout(c: CommandContext, deadline: number, answer: (w: ReplyWriter) => void): void {
  c.blockOnKeys([], waitMs(deadline, c.now()), answer);
}

export function waitCommand(c: CommandContext, argv: Argv): void {
  const numreplicas = longArg(argv[1]!);
  const deadline = msDeadline(argv[2]!, c.now());
  // No replica acknowledges: 0 is enough only when 0 (or fewer) were asked for.
  if (numreplicas <= 0) return c.reply.integer(0);
  waitForTimeout(c, deadline, (w) => w.integer(0));
}

/** Redis 7.2's getRangeLongFromObjectOrReply(0, 1) for numlocal. */
function numlocalArg(b: Buffer): number {
  const v = parseLong(b);
  if (v === undefined) throw new RedisError(ERR_NOT_INTEGER);
  if (v < 0 || v > 1) throw new RedisError(ERR_NUMLOCAL_RANGE);
  return v;
}

/** getPositiveLongFromObjectOrReply: its one message covers a non-integer too. */
function positiveArg(b: Buffer): number {
  const v = parseLong(b);
  if (v === undefined || v < 0) throw new RedisError(ERR_MUST_BE_POSITIVE);
  return v;
}

export function waitaofCommand(c: CommandContext, argv: Argv): void {
  const numlocal = numlocalArg(argv[1]!);
  const numreplicas = positiveArg(argv[2]!);
  const deadline = msDeadline(argv[3]!, c.now());
  const config = c.server.config;
  const aofOn = config.get('appendonly') === 'yes';
  if (numlocal > 0 && !aofOn) return c.reply.error(ERR_WAITAOF_NO_AOF);
  const acklocal = aofOn && config.get('appendfsync') !== 'no' ? 1 : 0;
  const answer = (w: ReplyWriter): void => {
    w.arrayLen(2);
    w.integer(acklocal);
    w.integer(0);
  };
  if (acklocal >= numlocal && numreplicas === 0) return answer(c.reply);
  waitForTimeout(c, deadline, answer);
}
