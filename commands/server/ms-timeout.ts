/*
 * Millisecond timeouts as CLIENT PAUSE, WAIT and WAITAOF take them (Redis 7.0's
 * getTimeoutFromObjectOrReply with UNIT_MILLISECONDS): an int64 of milliseconds from now,
 * 0 meaning none.
 */
import { ERR_TIMEOUT_NEGATIVE, RedisError } from '../../protocol/errors.js';
import { parseLong } from '../../protocol/numbers.js';

export const ERR_TIMEOUT_NOT_INTEGER = 'ERR timeout is not an integer or out of range';

/**
 * The deadline (unix ms) for a timeout argument, 0 for none. Redis 7.0 adds the clock without an
 * overflow check, so a timeout within `now` of INT64_MAX wraps to a negative deadline: callers
 * treat it as Redis then behaves (CLIENT PAUSE: already over; WAIT: never). Throws RedisError.
 */
export function msDeadline(arg: Buffer, now: number): number {
  const ms = parseLong(arg);
  if (ms === undefined) throw new RedisError(ERR_TIMEOUT_NOT_INTEGER);
  if (ms < 0) throw new RedisError(ERR_TIMEOUT_NEGATIVE);
  if (ms === 0) return 0;
  // 2^63 as a double; parseLong's large values are doubles too, so the comparison is consistent.
  if (ms + now >= 9223372036854775808) return -1;
  return ms + now;
}
