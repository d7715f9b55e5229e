/*
 * GEOADD GEODIST GEOHASH GEOPOS, as Redis 7.0's geo.c. A GEO set is a sorted set whose scores are
 * 52-bit geohashes (geohash.ts), so every Z* command works on it too.
 *
 * GEOADD validates every coordinate pair, then adds like ZADD (NX XX CH) and is logged as sent.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_NOT_FLOAT, ERR_SYNTAX, RedisError } from '../../protocol/errors.js';
import { parseDouble } from '../../protocol/numbers.js';
import type { CommandContext } from '../context.js';
import { isWord, keyOf } from '../args.js';
import { NOTIFY_ZSET } from '../notify.js';
import { limitsOf, zsetOf } from '../zset/args.js';
import { ZsetValue, type ZsetLimits } from '../zset/value.js';
import { GEO_LAT_MAX, GEO_LAT_MIN, GEO_LONG_MAX, GEO_LONG_MIN, decodeScore, distance, formatDistance, formatHuman, geohashString, scoreOf } from './geohash.js';
import type { ReplyWriter } from '../../protocol/reply-writer.js';

/** printf("%f"). */
function formatF(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  return d.toFixed(6);
}

/** extractLongLatOrReply: [lon, lat] from two arguments, or Redis's error. */
export function lonLatArgs(lonArg: Buffer, latArg: Buffer): [number, number] {
  const lon = parseDouble(lonArg);
  if (lon === undefined) throw new RedisError(ERR_NOT_FLOAT);
  const lat = parseDouble(latArg);
  if (lat === undefined) throw new RedisError(ERR_NOT_FLOAT);
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    throw new RedisError(`ERR invalid longitude,latitude pair ${formatF(lon)},${formatF(lat)}`);
  }
  return [lon, lat];
}

/** extractUnitOrReply: meters per unit. */
export function unitArg(buf: Buffer): number {
  if (isWord(buf, 'M')) return 1;
  if (isWord(buf, 'KM')) return 1000;
  if (isWord(buf, 'FT')) return 0.3048;
  if (isWord(buf, 'MI')) return 1609.34;
  throw new RedisError('ERR unsupported unit provided. please use M, KM, FT, MI');
}

/**
 * addReplyHumanLongDouble: the %.17Lf text (trailing zeros cut) as a bulk string under RESP2 and
 * as a RESP3 double with that same text (",13.36138933897018433"), as Redis 7.0 sends it.
 */
export function replyCoord(reply: ReplyWriter, d: number): void {
  const text = formatHuman(d);
  if (reply.resp === 3) reply.raw(Buffer.from(`,${text}\r\n`, 'latin1'));
  else reply.bulk(text);
}

export function geoaddCommand(c: CommandContext, argv: Argv): void {
  let nx = false;
  let xx = false;
  let ch = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (isWord(a, 'NX')) nx = true;
    else if (isWord(a, 'XX')) xx = true;
    else if (isWord(a, 'CH')) ch = true;
    else break;
  }
  const rest = argv.length - i;
  if (rest % 3 !== 0 || (xx && nx) || rest === 0) throw new RedisError(ERR_SYNTAX);
  const n = rest / 3;
  const scores: number[] = [];
  for (let j = 0; j < n; j++) {
    const [lon, lat] = lonLatArgs(argv[i + j * 3]!, argv[i + j * 3 + 1]!);
    scores.push(scoreOf(lon, lat));
  }
  const key = keyOf(argv[1]!);
  let z = zsetOf(c.db.get(key));
  if (z === undefined) {
    if (xx) return c.reply.integer(0);
    z = ZsetValue.create(limitsOf(c), argv[i + 2]!.length);
    c.db.set(key, z);
  }
  let limits: ZsetLimits | null = null;
  let added = 0;
  let updated = 0;
  for (let j = 0; j < n; j++) {
    const member = keyOf(argv[i + j * 3 + 2]!);
    const score = scores[j]!;
    const cur = z.score(member);
    if (cur !== undefined) {
      if (nx) continue;
      if (cur !== score) {
        z.updateScore(member, cur, score);
        updated++;
      }
    } else {
      if (xx) continue;
      z.insertNew(member, score);
      added++;
      if (z.isListpack) {
        limits ??= limitsOf(c);
        if (z.size > limits.entries || member.length > limits.value) z.convert();
      }
    }
  }
  c.dirty += added + updated;
  // Redis runs GEOADD as a ZADD and logs that ZADD: flags as given, each score as its integer.
  if (c.dirty > 0) {
    const logged: Buffer[] = [ZADD, argv[1]!, ...argv.slice(2, i)];
    for (let j = 0; j < n; j++) logged.push(Buffer.from(String(scores[j]!)), argv[i + j * 3 + 2]!);
    c.propagateAs(logged);
  }
  if (added + updated > 0) c.notify(NOTIFY_ZSET, 'zadd', argv[1]!);
  c.reply.integer(ch ? added + updated : added);
}

const ZADD = Buffer.from('zadd');

export function geodistCommand(c: CommandContext, argv: Argv): void {
  let toMeter = 1;
  if (argv.length === 5) toMeter = unitArg(argv[4]!);
  else if (argv.length > 5) throw new RedisError(ERR_SYNTAX);
  const z = zsetOf(c.db.get(keyOf(argv[1]!)));
  if (z === undefined) return c.reply.nullBulk();
  const s1 = z.score(keyOf(argv[2]!));
  const s2 = z.score(keyOf(argv[3]!));
  if (s1 === undefined || s2 === undefined) return c.reply.nullBulk();
  const [lon1, lat1] = decodeScore(s1);
  const [lon2, lat2] = decodeScore(s2);
  c.reply.bulk(formatDistance(distance(lon1, lat1, lon2, lat2) / toMeter));
}

export function geohashCommand(c: CommandContext, argv: Argv): void {
  const z = zsetOf(c.db.get(keyOf(argv[1]!)));
  c.reply.arrayLen(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z?.score(keyOf(argv[j]!));
    if (s === undefined) c.reply.nullBulk();
    else c.reply.bulk(geohashString(s));
  }
}

export function geoposCommand(c: CommandContext, argv: Argv): void {
  const z = zsetOf(c.db.get(keyOf(argv[1]!)));
  c.reply.arrayLen(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z?.score(keyOf(argv[j]!));
    if (s === undefined) {
      c.reply.nullArray();
      continue;
    }
    const [lon, lat] = decodeScore(s);
    c.reply.arrayLen(2);
    replyCoord(c.reply, lon);
    replyCoord(c.reply, lat);
  }
}
