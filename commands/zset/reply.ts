/*
 * Reply shapes shared by the Z* commands. RESP2 sends WITHSCORES results flat (member, score,
 * member, score); RESP3 sends each pair as a two-element array with the score as a double, as
 * Redis 7.0 does for ZRANGE, ZUNION, ZRANDMEMBER, ZPOPMIN with a count and ZMPOP.
 */
import type { ReplyWriter } from '../../protocol/reply-writer.js';
import type { ZsetValue } from './value.js';

/** Ranks [start, end) of z, ascending or (rev) from end-1 down, with or without scores. */
export function replyRange(reply: ReplyWriter, z: ZsetValue, start: number, end: number, rev: boolean, withScores: boolean): void {
  const n = end - start;
  const nested = withScores && reply.resp === 3;
  reply.arrayLen(withScores && !nested ? n * 2 : n);
  if (n <= 0) return;
  const cur = z.cursor(rev ? end - 1 : start);
  for (let k = 0; k < n; k++) {
    if (nested) reply.arrayLen(2);
    reply.bulk(cur.member);
    if (withScores) reply.double(cur.score);
    if (rev) cur.prev();
    else cur.next();
  }
}
