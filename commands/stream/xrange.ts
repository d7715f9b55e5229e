/*
 * XRANGE and XREVRANGE: inclusive or `(`-exclusive bounds, `-`/`+`, a missing sequence meaning
 * 0 for the start and max for the end, and COUNT (0 or negative answers a null array, as Redis
 * 7.0 does when the key exists).
 */
import type { CommandContext } from '../context.js';
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_SYNTAX, RedisError } from '../../protocol/errors.js';
import { isWord, keyOf, longArg } from '../args.js';
import { ID_MAX, ID_MIN, U64_MAX, parseIntervalId } from './id.js';
import { streamRead, writeEntry } from './common.js';

function xrangeGeneric(c: CommandContext, argv: Argv, rev: boolean): void {
  const startArg = rev ? argv[3]! : argv[2]!;
  const endArg = rev ? argv[2]! : argv[3]!;
  const start = parseIntervalId(startArg, 0n);
  let startId = start.id;
  if (start.exclusive) {
    if (startId === ID_MAX) throw new RedisError('ERR invalid start ID for the interval');
    startId++;
  }
  const end = parseIntervalId(endArg, U64_MAX);
  let endId = end.id;
  if (end.exclusive) {
    if (endId === ID_MIN) throw new RedisError('ERR invalid end ID for the interval');
    endId--;
  }
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (isWord(argv[j]!, 'COUNT') && j + 1 < argv.length) {
      count = longArg(argv[j + 1]!);
      if (count < 0) count = 0;
      j++;
    } else {
      throw new RedisError(ERR_SYNTAX);
    }
  }
  const s = streamRead(c, keyOf(argv[1]!));
  if (s === undefined) return c.reply.arrayLen(0);
  if (count === 0) return c.reply.nullArray();
  const w = c.reply;
  const slot = w.deferLen();
  let n = 0;
  s.range(startId, endId, rev, (id, fields) => {
    writeEntry(w, id, fields);
    n++;
    return count < 0 || n < count;
  });
  w.setDeferredLen(slot, 42, n);
}

export function xrangeCommand(c: CommandContext, argv: Argv): void {
  xrangeGeneric(c, argv, false);
}

export function xrevrangeCommand(c: CommandContext, argv: Argv): void {
  xrangeGeneric(c, argv, true);
}
