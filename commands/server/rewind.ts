/*
 * REWIND: Rewind's own point-in-time commands (not in Redis).
 *   REWIND RESTORE <time> <MATCH pattern | KEYS numkeys key [key ...]> [DB index] [REPLACE]
 *     [TIMESHIFT] [DRYRUN]
 *       puts the chosen keys back to their state at the end of second <time> (Unix seconds, Unix
 *       ms, or ISO 8601 with an offset). Keys that exist now are skipped unless REPLACE, which
 *       also deletes chosen keys that did not exist then. TTLs keep their deadline from then, or
 *       with TIMESHIFT move forward by the time elapsed since. DRYRUN changes nothing.
 *       Reply (a map in RESP3): restored, replaced, deleted, skipped, expired (counts), then
 *       `keys`: the keys changed (or that would be, with DRYRUN).
 *   REWIND RANGE: the oldest and newest second a restore can reach, as two integers.
 * The work is the server's (server/flashback.ts); this file parses and replies.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_SYNTAX, RedisError } from '../../protocol/errors.js';
import { parseLong } from '../../protocol/numbers.js';
import type { CommandContext, FlashbackOptions } from '../context.js';
import { isWord } from '../args.js';
import { writeHelp } from './help.js';
import { parseRestoreTime } from '../restore-time.js';

const text = (b: Buffer): string => b.latin1Slice(0, b.length);

export function rewindRestoreCommand(c: CommandContext, argv: Argv): void {
  let target: number;
  try {
    target = parseRestoreTime(text(argv[2]!));
  } catch (e) {
    throw new RedisError(`ERR ${(e as Error).message}`);
  }
  const o: FlashbackOptions = { target, db: c.dbIndex, match: null, keys: null, replace: false, timeshift: false, dryRun: false };
  for (let i = 3; i < argv.length; i++) {
    const a = argv[i]!;
    const more = argv.length - i - 1;
    if (isWord(a, 'MATCH') && more >= 1 && o.keys === null && o.match === null) {
      o.match = text(argv[++i]!);
    } else if (isWord(a, 'KEYS') && more >= 1 && o.keys === null && o.match === null) {
      const n = parseLong(argv[++i]!);
      if (n === undefined || n < 1 || n > argv.length - i - 1) throw new RedisError('ERR Number of keys can\'t be greater than number of args');
      o.keys = argv.slice(i + 1, i + 1 + n).map(text);
      i += n;
    } else if (isWord(a, 'DB') && more >= 1) {
      const db = parseLong(argv[++i]!);
      if (db === undefined || db < 0 || db >= c.server.dbs.length) throw new RedisError('ERR DB index is out of range');
      o.db = db;
    } else if (isWord(a, 'REPLACE')) {
      o.replace = true;
    } else if (isWord(a, 'TIMESHIFT')) {
      o.timeshift = true;
    } else if (isWord(a, 'DRYRUN')) {
      o.dryRun = true;
    } else {
      throw new RedisError(ERR_SYNTAX);
    }
  }
  if (o.match === null && o.keys === null) throw new RedisError('ERR REWIND RESTORE needs MATCH <pattern> or KEYS <numkeys> <key> ...');
  const r = c.server.persistence.flashback(o);
  const reply = c.reply;
  reply.mapLen(6);
  for (const [name, list] of [['restored', r.restored], ['replaced', r.replaced], ['deleted', r.deleted], ['skipped', r.skipped], ['expired', r.expired]] as const) {
    reply.bulk(name);
    reply.integer(list.length);
  }
  reply.bulk('keys');
  reply.bulkArray([...r.restored, ...r.replaced, ...r.deleted]);
}

export function rewindRangeCommand(c: CommandContext, _argv: Argv): void {
  const { oldest, newest } = c.server.persistence.restoreRange();
  c.reply.arrayLen(2);
  c.reply.integer(oldest);
  c.reply.integer(newest);
}

export function rewindHelpCommand(c: CommandContext, _argv: Argv): void {
  writeHelp(c.reply, 'REWIND', [
    'RESTORE <time> <MATCH pattern | KEYS numkeys key [key ...]> [DB index] [REPLACE] [TIMESHIFT] [DRYRUN]',
    '    Put the chosen keys back to their state at the end of second <time> (Unix seconds,',
    '    Unix milliseconds, or ISO 8601 with an offset). Existing keys are skipped unless',
    '    REPLACE, which also deletes chosen keys that did not exist then. TIMESHIFT moves',
    '    restored TTLs forward by the time elapsed since <time>. DRYRUN changes nothing.',
    'RANGE',
    '    Return the oldest and newest second a restore can reach.',
  ]);
}
