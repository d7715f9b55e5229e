/*
 * The SORTED SET family's command table: arity, flags, ACL categories and key specs as Redis 7.0's
 * COMMAND INFO shows them (ZRANK/ZREVRANK take Redis 7.2's optional WITHSCORE, so arity -3).
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { parseLong } from '../../protocol/numbers.js';
import type { CommandFlag, CommandSpec, Handler, KeyRange } from '../table.js';
import {
  indexSpec, keynumSpec, numkeysGetKeysProc, type KeySpecFlag,
} from '../key-specs.js';
import {
  zaddCommand, zcardCommand, zcountCommand, zincrbyCommand, zlexcountCommand, zmscoreCommand, zrankCommand,
  zremCommand, zrevrankCommand, zscoreCommand,
} from './add.js';
import {
  bzmpopCommand, bzpopmaxCommand, bzpopminCommand, zmpopCommand, zpopmaxCommand, zpopminCommand, zrandmemberCommand,
} from './pop.js';
import {
  zrangebylexCommand, zrangebyscoreCommand, zrangeCommand, zrangestoreCommand, zremrangebylexCommand,
  zremrangebyrankCommand, zremrangebyscoreCommand, zrevrangebylexCommand, zrevrangebyscoreCommand, zrevrangeCommand,
} from './range.js';
import { zscanCommand } from './scan.js';
import {
  zdiffCommand, zdiffstoreCommand, zintercardCommand, zinterCommand, zinterstoreCommand, zunionCommand, zunionstoreCommand,
} from './setops.js';

function key1(...flags: KeySpecFlag[]): KeyRange {
  return { first: 1, last: 1, step: 1, flags };
}

/** Keys of `numkeys key [key ...]` commands whose numkeys is at argv[idx]. */
function numkeysKeys(idx: number, dest: boolean): (argv: Argv) => number[] {
  return (argv) => {
    const out: number[] = dest ? [1] : [];
    const n = parseLong(argv[idx] ?? Buffer.alloc(0)) ?? 0;
    for (let i = 0; i < n && idx + 1 + i < argv.length; i++) out.push(idx + 1 + i);
    return out;
  };
}

const READ_FAST: readonly CommandFlag[] = ['readonly', 'fast'];
const READ: readonly CommandFlag[] = ['readonly'];
const READ_MOVABLE: readonly CommandFlag[] = ['readonly', 'movablekeys'];
const STORE_MOVABLE: readonly CommandFlag[] = ['write', 'denyoom', 'movablekeys'];
const ACL_READ_FAST = ['read', 'sortedset', 'fast'];
const ACL_READ_SLOW = ['read', 'sortedset', 'slow'];
const ACL_WRITE_FAST = ['write', 'sortedset', 'fast'];
const ACL_WRITE_SLOW = ['write', 'sortedset', 'slow'];
const GROUP = 'sorted_set';
const LOG_N = 'O(log(N)) where N is the number of elements in the sorted set.';
const RANGE_N = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.';
const REM_N = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.';
const SETOP_N = 'O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.';
const RO = key1('RO', 'access');

/** numkeys at argv[at] and the keys after it, read (ZUNION ZINTER ZDIFF ZINTERCARD) or popped (ZMPOP BZMPOP). */
function numkeysSpecs(at: number, ...flags: KeySpecFlag[]): Extra {
  return { getKeys: numkeysKeys(at, false), keySpecs: [keynumSpec(at, flags)], getKeysProc: numkeysGetKeysProc(0, at, at + 1) };
}

/** ZUNIONSTORE ZINTERSTORE ZDIFFSTORE: the destination, then numkeys and the sources. */
const STORE_SPECS: Extra = {
  getKeys: numkeysKeys(2, true),
  keySpecs: [indexSpec(1, ['OW', 'update']), keynumSpec(2, ['RO', 'access'])],
  getKeysProc: numkeysGetKeysProc(1, 2, 3),
};

type Extra = Pick<CommandSpec, 'getKeys' | 'tips' | 'keySpecs' | 'getKeysProc'>;

function spec(name: string, arity: number, flags: readonly CommandFlag[], acl: string[], keys: KeyRange | null, run: Handler, summary: string, since: string, complexity: string, args: string, extra: Extra = {}): CommandSpec {
  const base: CommandSpec = { name, arity, flags, acl, run, docs: { summary, since, group: GROUP, complexity, args } };
  const withKeys: CommandSpec = keys === null ? base : { ...base, keys };
  return { ...withKeys, ...extra };
}

export const ZSET_COMMANDS: readonly CommandSpec[] = [
  spec('zadd', -4, ['write', 'denyoom', 'fast'], ACL_WRITE_FAST, key1('RW', 'update'), zaddCommand,
    'Adds members to a sorted set, or updates their scores.', '1.2.0', 'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
    'key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]'),
  spec('zincrby', 4, ['write', 'denyoom', 'fast'], ACL_WRITE_FAST, key1('RW', 'access', 'update'), zincrbyCommand,
    'Adds an amount to the score of a member, adding the member when missing.', '1.2.0', LOG_N, 'key increment member'),
  spec('zrem', -3, ['write', 'fast'], ACL_WRITE_FAST, key1('RW', 'delete'), zremCommand,
    'Removes members from a sorted set, deleting the key when it empties.', '1.2.0', 'O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.', 'key member [member ...]'),
  spec('zcard', 2, READ_FAST, ACL_READ_FAST, key1('RO'), zcardCommand, 'Returns the number of members of a sorted set.', '1.2.0', 'O(1)', 'key'),
  spec('zcount', 4, READ_FAST, ACL_READ_FAST, RO, zcountCommand, 'Counts the members whose score lies in a range.', '2.0.0', LOG_N, 'key min max'),
  spec('zlexcount', 4, READ_FAST, ACL_READ_FAST, RO, zlexcountCommand, 'Counts the members in a lexicographical range.', '2.8.9', LOG_N, 'key min max'),
  spec('zscore', 3, READ_FAST, ACL_READ_FAST, RO, zscoreCommand, 'Returns the score of a member.', '1.2.0', 'O(1)', 'key member'),
  spec('zmscore', -3, READ_FAST, ACL_READ_FAST, RO, zmscoreCommand, 'Returns the scores of several members.', '6.2.0', 'O(N) where N is the number of members being requested.', 'key member [member ...]'),
  spec('zrank', -3, READ_FAST, ACL_READ_FAST, RO, zrankCommand, 'Returns the ascending rank of a member, optionally with its score.', '2.0.0', LOG_N, 'key member [WITHSCORE]'),
  spec('zrevrank', -3, READ_FAST, ACL_READ_FAST, RO, zrevrankCommand, 'Returns the descending rank of a member, optionally with its score.', '2.0.0', LOG_N, 'key member [WITHSCORE]'),
  spec('zrange', -4, READ, ACL_READ_SLOW, RO, zrangeCommand, 'Returns members in a range of ranks, scores or lexicographical order.', '1.2.0', RANGE_N,
    'key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]'),
  spec('zrangestore', -5, ['write', 'denyoom'], ACL_WRITE_SLOW, { first: 1, last: 2, step: 1 }, zrangestoreCommand,
    'Stores a range of a sorted set in another key.', '6.2.0', 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.',
    'dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]', { keySpecs: [indexSpec(1, ['OW', 'update']), indexSpec(2, ['RO', 'access'])] }),
  spec('zrangebyscore', -4, READ, ACL_READ_SLOW, RO, zrangebyscoreCommand, 'Returns members in a score range (deprecated: ZRANGE BYSCORE).', '1.0.5', RANGE_N, 'key min max [WITHSCORES] [LIMIT offset count]'),
  spec('zrevrangebyscore', -4, READ, ACL_READ_SLOW, RO, zrevrangebyscoreCommand, 'Returns members in a score range, highest first (deprecated: ZRANGE BYSCORE REV).', '2.2.0', RANGE_N, 'key max min [WITHSCORES] [LIMIT offset count]'),
  spec('zrangebylex', -4, READ, ACL_READ_SLOW, RO, zrangebylexCommand, 'Returns members in a lexicographical range (deprecated: ZRANGE BYLEX).', '2.8.9', RANGE_N, 'key min max [LIMIT offset count]'),
  spec('zrevrangebylex', -4, READ, ACL_READ_SLOW, RO, zrevrangebylexCommand, 'Returns members in a lexicographical range, highest first (deprecated: ZRANGE BYLEX REV).', '2.8.9', RANGE_N, 'key max min [LIMIT offset count]'),
  spec('zrevrange', -4, READ, ACL_READ_SLOW, RO, zrevrangeCommand, 'Returns members in a range of ranks, highest first (deprecated: ZRANGE REV).', '1.2.0', RANGE_N, 'key start stop [WITHSCORES]'),
  spec('zremrangebyrank', 4, ['write'], ACL_WRITE_SLOW, key1('RW', 'delete'), zremrangebyrankCommand, 'Removes the members in a range of ranks.', '2.0.0', REM_N, 'key start stop'),
  spec('zremrangebyscore', 4, ['write'], ACL_WRITE_SLOW, key1('RW', 'delete'), zremrangebyscoreCommand, 'Removes the members in a score range.', '1.2.0', REM_N, 'key min max'),
  spec('zremrangebylex', 4, ['write'], ACL_WRITE_SLOW, key1('RW', 'delete'), zremrangebylexCommand, 'Removes the members in a lexicographical range.', '2.8.9', REM_N, 'key min max'),
  spec('zpopmin', -2, ['write', 'fast'], ACL_WRITE_FAST, key1('RW', 'access', 'delete'), zpopminCommand, 'Removes and returns the members with the lowest scores.', '5.0.0', 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.', 'key [count]'),
  spec('zpopmax', -2, ['write', 'fast'], ACL_WRITE_FAST, key1('RW', 'access', 'delete'), zpopmaxCommand, 'Removes and returns the members with the highest scores.', '5.0.0', 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.', 'key [count]'),
  spec('zmpop', -4, ['write', 'movablekeys'], ACL_WRITE_SLOW, null, zmpopCommand, 'Pops members from the first non-empty sorted set among several keys.', '7.0.0', 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.',
    'numkeys key [key ...] <MIN | MAX> [COUNT count]', numkeysSpecs(1, 'RW', 'access', 'delete')),
  spec('bzpopmin', -3, ['write', 'noscript', 'blocking', 'fast'], ['write', 'sortedset', 'fast', 'blocking'], { first: 1, last: -2, step: 1, flags: ['RW', 'access', 'delete'] }, bzpopminCommand,
    'Pops the lowest-scored member of the first non-empty sorted set, waiting for one when all are empty.', '5.0.0', 'O(log(N)) with N being the number of elements in the sorted set.', 'key [key ...] timeout'),
  spec('bzpopmax', -3, ['write', 'noscript', 'blocking', 'fast'], ['write', 'sortedset', 'fast', 'blocking'], { first: 1, last: -2, step: 1, flags: ['RW', 'access', 'delete'] }, bzpopmaxCommand,
    'Pops the highest-scored member of the first non-empty sorted set, waiting for one when all are empty.', '5.0.0', 'O(log(N)) with N being the number of elements in the sorted set.', 'key [key ...] timeout'),
  spec('bzmpop', -5, ['write', 'blocking', 'movablekeys'], ['write', 'sortedset', 'slow', 'blocking'], null, bzmpopCommand,
    'Pops members from the first non-empty sorted set, waiting for one when all are empty.', '7.0.0', 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.',
    'timeout numkeys key [key ...] <MIN | MAX> [COUNT count]', numkeysSpecs(2, 'RW', 'access', 'delete')),
  spec('zrandmember', -2, READ, ACL_READ_SLOW, RO, zrandmemberCommand, 'Returns random members of a sorted set.', '6.2.0', 'O(N) where N is the number of members returned', 'key [count [WITHSCORES]]', { tips: ['nondeterministic_output'] }),
  spec('zunion', -3, READ_MOVABLE, ACL_READ_SLOW, null, zunionCommand, 'Returns the union of sorted sets.', '6.2.0', SETOP_N,
    'numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>] [WITHSCORES]', numkeysSpecs(1, 'RO', 'access')),
  spec('zinter', -3, READ_MOVABLE, ACL_READ_SLOW, null, zinterCommand, 'Returns the intersection of sorted sets.', '6.2.0', SETOP_N,
    'numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>] [WITHSCORES]', numkeysSpecs(1, 'RO', 'access')),
  spec('zdiff', -3, READ_MOVABLE, ACL_READ_SLOW, null, zdiffCommand, 'Returns the members of the first sorted set missing from the others.', '6.2.0', SETOP_N,
    'numkeys key [key ...] [WITHSCORES]', numkeysSpecs(1, 'RO', 'access')),
  spec('zunionstore', -4, STORE_MOVABLE, ACL_WRITE_SLOW, { first: 1, last: 1, step: 1 }, zunionstoreCommand, 'Stores the union of sorted sets in a key.', '2.0.0', SETOP_N,
    'destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>]', STORE_SPECS),
  spec('zinterstore', -4, STORE_MOVABLE, ACL_WRITE_SLOW, { first: 1, last: 1, step: 1 }, zinterstoreCommand, 'Stores the intersection of sorted sets in a key.', '2.0.0', SETOP_N,
    'destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>]', STORE_SPECS),
  spec('zdiffstore', -4, STORE_MOVABLE, ACL_WRITE_SLOW, { first: 1, last: 1, step: 1 }, zdiffstoreCommand, 'Stores the difference of sorted sets in a key.', '6.2.0', SETOP_N,
    'destination numkeys key [key ...]', STORE_SPECS),
  spec('zintercard', -3, READ_MOVABLE, ACL_READ_SLOW, null, zintercardCommand, 'Counts the members of the intersection of sorted sets.', '7.0.0', 'O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.',
    'numkeys key [key ...] [LIMIT limit]', numkeysSpecs(1, 'RO', 'access')),
  spec('zscan', -3, READ, ACL_READ_SLOW, RO, zscanCommand, 'Iterates over the members and scores of a sorted set.', '2.8.0', 'O(1) for every call. O(N) for a complete iteration.',
    'key cursor [MATCH pattern] [COUNT count]', { tips: ['nondeterministic_output'] }),
];
