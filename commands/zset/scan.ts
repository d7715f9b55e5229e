/*
 * ZSCAN key cursor [MATCH pattern] [COUNT count]. A 'listpack' zset answers everything in one call
 * with cursor 0, in score order, as Redis does; a 'skiplist' one walks its member dict by slot, so
 * a member present for the whole scan is returned. Scores are sent as bulk strings (%.17g), also
 * under RESP3, as Redis 7.0's SCAN replies are.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_SYNTAX, RedisError } from '../../protocol/errors.js';
import { formatDouble17g } from '../../protocol/numbers.js';
import type { CommandContext } from '../context.js';
import { isWord, keyOf, longArg } from '../args.js';
import { globMatch } from '../glob.js';
import { parseScanCursor } from '../keys/scan.js';
import { zsetOf } from './args.js';

export function zscanCommand(c: CommandContext, argv: Argv): void {
  const cursor = parseScanCursor(argv[2]!);
  const z = zsetOf(c.db.get(keyOf(argv[1]!)));
  if (z === undefined) {
    c.reply.arrayLen(2);
    c.reply.bulk('0');
    return c.reply.arrayLen(0);
  }
  let count = 10;
  let pattern: string | null = null;
  for (let i = 3; i < argv.length; i += 2) {
    const opt = argv[i]!;
    if (i + 1 >= argv.length) throw new RedisError(ERR_SYNTAX);
    if (isWord(opt, 'COUNT')) {
      count = longArg(argv[i + 1]!);
      if (count < 1) throw new RedisError(ERR_SYNTAX);
    } else if (isWord(opt, 'MATCH')) {
      const p = keyOf(argv[i + 1]!);
      pattern = p === '*' ? null : p;
    } else {
      throw new RedisError(ERR_SYNTAX);
    }
  }
  const items: string[] = [];
  const next = z.scan(cursor, count, (member, score) => {
    if (pattern !== null && !globMatch(pattern, member)) return;
    items.push(member, formatDouble17g(score));
  });
  c.reply.arrayLen(2);
  c.reply.bulk(String(next));
  c.reply.bulkArray(items);
}
