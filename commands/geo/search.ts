/*
 * GEOSEARCH GEOSEARCHSTORE GEORADIUS GEORADIUSBYMEMBER and the _RO forms, as Redis 7.0's
 * georadiusGeneric: the same option parsing order (so the same error wins), the same cells
 * (centre cell and up to 8 neighbours, geohash.ts searchCells), the same scan order inside each
 * cell, so unsorted and COUNT ANY results match Redis too. STORE forms are logged as sent, as
 * Redis 7.0 does (the search is deterministic given the data).
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_SYNTAX, RedisError } from '../../protocol/errors.js';
import { parseDouble, parseLong } from '../../protocol/numbers.js';
import { ERR_NOT_INTEGER } from '../../protocol/errors.js';
import type { CommandContext } from '../context.js';
import { isWord, keyOf } from '../args.js';
import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../notify.js';
import { limitsOf, zsetOf } from '../zset/args.js';
import { BOUND_SCORE_LT } from '../zset/tree.js';
import { zsetForResult, type ZsetValue } from '../zset/value.js';
import { decodeScore, distanceIfInShape, cellRange, formatDistance, searchCells, type Shape } from './geohash.js';
import { lonLatArgs, replyCoord, unitArg } from './commands.js';

const F_COORDS = 1;
const F_MEMBER = 2;
const F_NOSTORE = 4;
const F_SEARCH = 8;
const F_SEARCHSTORE = 16;

const SORT_NONE = 0;
const SORT_ASC = 1;
const SORT_DESC = 2;

interface GeoPoint {
  member: string;
  score: number;
  dist: number;
  lon: number;
  lat: number;
}

export function georadiusCommand(c: CommandContext, argv: Argv): void {
  georadiusGeneric(c, argv, 1, F_COORDS);
}
export function georadiusRoCommand(c: CommandContext, argv: Argv): void {
  georadiusGeneric(c, argv, 1, F_COORDS | F_NOSTORE);
}
export function georadiusbymemberCommand(c: CommandContext, argv: Argv): void {
  georadiusGeneric(c, argv, 1, F_MEMBER);
}
export function georadiusbymemberRoCommand(c: CommandContext, argv: Argv): void {
  georadiusGeneric(c, argv, 1, F_MEMBER | F_NOSTORE);
}
export function geosearchCommand(c: CommandContext, argv: Argv): void {
  georadiusGeneric(c, argv, 1, F_SEARCH);
}
export function geosearchstoreCommand(c: CommandContext, argv: Argv): void {
  georadiusGeneric(c, argv, 2, F_SEARCH | F_SEARCHSTORE);
}

/** extractDistanceOrReply: sets radius and conversion. */
function radiusArgs(shape: Shape, dist: Buffer, unit: Buffer): void {
  const d = parseDouble(dist);
  if (d === undefined) throw new RedisError('ERR need numeric radius');
  if (d < 0) throw new RedisError('ERR radius cannot be negative');
  shape.conversion = unitArg(unit);
  shape.radius = d;
}

/** extractBoxOrReply: sets width, height and conversion. */
function boxArgs(shape: Shape, width: Buffer, height: Buffer, unit: Buffer): void {
  const w = parseDouble(width);
  if (w === undefined) throw new RedisError('ERR need numeric width');
  const h = parseDouble(height);
  if (h === undefined) throw new RedisError('ERR need numeric height');
  if (h < 0 || w < 0) throw new RedisError('ERR height or width cannot be negative');
  shape.conversion = unitArg(unit);
  shape.width = w;
  shape.height = h;
  shape.radius = -1;
}

/** longLatFromMember. */
function memberCenter(shape: Shape, z: ZsetValue, member: Buffer): void {
  const s = z.score(keyOf(member));
  if (s === undefined) throw new RedisError('ERR could not decode requested zset member');
  [shape.lon, shape.lat] = decodeScore(s);
}

function georadiusGeneric(c: CommandContext, argv: Argv, srcIdx: number, flags: number): void {
  // lookupRead: the STORE forms are write commands, and Redis reads the source for reading there too.
  const z = zsetOf(c.db.lookupRead(keyOf(argv[srcIdx]!)));
  const shape: Shape = { lon: 0, lat: 0, conversion: 1, radius: 0, width: 0, height: 0 };
  let storeKey: string | null = null;
  let storeDist = false;
  let base: number;
  if ((flags & F_COORDS) !== 0) {
    base = 6;
    [shape.lon, shape.lat] = lonLatArgs(argv[2]!, argv[3]!);
    radiusArgs(shape, argv[4]!, argv[5]!);
  } else if ((flags & F_MEMBER) !== 0) {
    base = 5;
    if (z !== undefined) {
      memberCenter(shape, z, argv[2]!);
      radiusArgs(shape, argv[3]!, argv[4]!);
    }
  } else {
    base = 2;
    if ((flags & F_SEARCHSTORE) !== 0) {
      base = 3;
      storeKey = keyOf(argv[1]!);
    }
  }
  let withDist = false;
  let withHash = false;
  let withCoord = false;
  let fromMember = false;
  let fromLoc = false;
  let byRadius = false;
  let byBox = false;
  let sort = SORT_NONE;
  let any = false;
  let count = 0;
  const search = (flags & F_SEARCH) !== 0;
  const remaining = argv.length - base;
  for (let i = 0; i < remaining; i++) {
    const a = argv[base + i]!;
    const next = (k: number): Buffer => argv[base + i + k]!;
    if (isWord(a, 'WITHDIST')) withDist = true;
    else if (isWord(a, 'WITHHASH')) withHash = true;
    else if (isWord(a, 'WITHCOORD')) withCoord = true;
    else if (isWord(a, 'ANY')) any = true;
    else if (isWord(a, 'ASC')) sort = SORT_ASC;
    else if (isWord(a, 'DESC')) sort = SORT_DESC;
    else if (isWord(a, 'COUNT') && i + 1 < remaining) {
      const n = parseLong(next(1));
      if (n === undefined) throw new RedisError(ERR_NOT_INTEGER);
      if (n <= 0) throw new RedisError('ERR COUNT must be > 0');
      count = n;
      i++;
    } else if ((isWord(a, 'STORE') || isWord(a, 'STOREDIST')) && i + 1 < remaining && (flags & F_NOSTORE) === 0 && !search) {
      storeKey = keyOf(next(1));
      storeDist = isWord(a, 'STOREDIST');
      i++;
    } else if (isWord(a, 'STOREDIST') && search && (flags & F_SEARCHSTORE) !== 0) {
      storeDist = true;
    } else if (isWord(a, 'FROMMEMBER') && i + 1 < remaining && search && !fromLoc) {
      if (z !== undefined) memberCenter(shape, z, next(1));
      fromMember = true;
      i++;
    } else if (isWord(a, 'FROMLONLAT') && i + 2 < remaining && search && !fromMember) {
      [shape.lon, shape.lat] = lonLatArgs(next(1), next(2));
      fromLoc = true;
      i += 2;
    } else if (isWord(a, 'BYRADIUS') && i + 2 < remaining && search && !byBox) {
      radiusArgs(shape, next(1), next(2));
      byRadius = true;
      i += 2;
    } else if (isWord(a, 'BYBOX') && i + 3 < remaining && search && !byRadius) {
      boxArgs(shape, next(1), next(2), next(3));
      byBox = true;
      i += 3;
    } else {
      throw new RedisError(ERR_SYNTAX);
    }
  }
  if (storeKey !== null && (withDist || withHash || withCoord)) {
    const who = (flags & F_SEARCHSTORE) !== 0 ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS';
    throw new RedisError(`ERR ${who} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
  }
  const name = argv[0]!.latin1Slice(0, argv[0]!.length);
  if (search && !(fromMember || fromLoc)) throw new RedisError(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${name}`);
  if (search && !(byRadius || byBox)) throw new RedisError(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${name}`);
  if (any && count === 0) throw new RedisError('ERR the ANY argument requires COUNT argument');

  if (z === undefined) {
    if (storeKey === null) return c.reply.arrayLen(0);
    deleteStoreKey(c, storeKey);
    return c.reply.integer(0);
  }
  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC;

  const found = collect(z, shape, any ? count : 0);
  if (found.length === 0 && storeKey === null) return c.reply.arrayLen(0);
  const returned = count === 0 || found.length < count ? found.length : count;
  // glibc's qsort is a merge sort here: stable, as Array.prototype.sort.
  if (sort === SORT_ASC) found.sort((a, b) => (a.dist < b.dist ? -1 : a.dist > b.dist ? 1 : 0));
  else if (sort === SORT_DESC) found.sort((a, b) => (a.dist > b.dist ? -1 : a.dist < b.dist ? 1 : 0));

  if (storeKey === null) {
    const options = (withDist ? 1 : 0) + (withHash ? 1 : 0) + (withCoord ? 1 : 0);
    c.reply.arrayLen(returned);
    for (let i = 0; i < returned; i++) {
      const p = found[i]!;
      if (options > 0) c.reply.arrayLen(options + 1);
      c.reply.bulk(p.member);
      if (withDist) c.reply.bulk(formatDistance(p.dist / shape.conversion));
      if (withHash) c.reply.integer(p.score);
      if (withCoord) {
        c.reply.arrayLen(2);
        replyCoord(c.reply, p.lon);
        replyCoord(c.reply, p.lat);
      }
    }
    return;
  }
  if (returned > 0) {
    let maxLen = 0;
    for (let i = 0; i < returned; i++) maxLen = Math.max(maxLen, found[i]!.member.length);
    const out = zsetForResult(limitsOf(c), returned, maxLen);
    for (let i = 0; i < returned; i++) {
      const p = found[i]!;
      out.insertNew(p.member, storeDist ? p.dist / shape.conversion : p.score);
    }
    c.db.set(storeKey, out);
    c.dirty += returned;
    c.notify(NOTIFY_ZSET, (flags & F_SEARCH) !== 0 ? 'geosearchstore' : 'georadiusstore', storeKey);
  } else {
    deleteStoreKey(c, storeKey);
  }
  c.reply.integer(returned);
}

/** An empty result deletes the destination, as Redis 7.0 does (with a `del` event when it existed). */
function deleteStoreKey(c: CommandContext, storeKey: string): void {
  if (!c.db.delete(storeKey)) return;
  c.dirty++;
  c.notify(NOTIFY_GENERIC, 'del', storeKey);
}

/** membersOfAllNeighbors: points inside the shape, cell by cell; stops at `limit` (ANY) when > 0. */
function collect(z: ZsetValue, shape: Shape, limit: number): GeoPoint[] {
  const cells = searchCells(shape);
  const out: GeoPoint[] = [];
  let last = -1;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    if (cell.bits === 0 && cell.step === 0) continue;
    if (last >= 0 && cell.bits === cells[last]!.bits && cell.step === cells[last]!.step) continue;
    if (out.length > 0 && limit > 0 && out.length >= limit) break;
    const [min, max] = cellRange(cell);
    let rank = z.countBefore(BOUND_SCORE_LT, min, '');
    if (rank < z.size) {
      const cur = z.cursor(rank);
      for (; rank < z.size; rank++) {
        const score = cur.score;
        if (score >= max) break;
        const [lon, lat] = decodeScore(score);
        const dist = distanceIfInShape(shape, lon, lat);
        if (dist >= 0) {
          out.push({ member: cur.member, score, dist, lon, lat });
          if (limit > 0 && out.length >= limit) break;
        }
        cur.next();
      }
    }
    last = i;
  }
  return out;
}
