/*
 * DUMP and RESTORE (Redis 7.0 semantics). The payload format belongs to persistence/ and is
 * reached through ServerApi.serializer, since commands/ cannot import persistence/.
 *
 * RESTORE checks in Redis's order, so the first error is the one Redis reports: options (syntax,
 * IDLETIME/FREQ values; IDLETIME and FREQ exclude each other), then BUSYKEY without REPLACE, then
 * the TTL, then the payload's footer, then its contents. A relative TTL is logged as the absolute
 * deadline with ABSTTL appended (the other arguments kept as sent), so a replay does not extend
 * it; a TTL already in the past stores nothing, and with REPLACE deletes the old key and logs DEL.
 */
import { NOTIFY_GENERIC } from '../notify.js';
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_NOT_INTEGER, ERR_SYNTAX, RedisError } from '../../protocol/errors.js';
import { parseLongExact } from '../../protocol/numbers.js';
import type { CommandContext } from '../context.js';
import { isWord, keyOf } from '../args.js';

export const ERR_BUSYKEY = 'BUSYKEY Target key name already exists.';
export const ERR_RESTORE_TTL = 'ERR Invalid TTL value, must be >= 0';
export const ERR_RESTORE_IDLETIME = 'ERR Invalid IDLETIME value, must be >= 0';
export const ERR_RESTORE_FREQ = 'ERR Invalid FREQ value, must be >= 0 and <= 255';

const INT64_MAX = 9223372036854775807n;
const DEL = Buffer.from('DEL');
const ABSTTL = Buffer.from('ABSTTL');

export function dumpCommand(c: CommandContext, argv: Argv): void {
  const key = keyOf(argv[1]!);
  const value = c.noTouch ? c.db.peek(key) : c.db.get(key);
  if (value === undefined) return c.reply.nullBulk();
  c.reply.bulk(c.server.serializer.dump(value));
}

function int64Arg(buf: Buffer): bigint {
  const v = parseLongExact(buf);
  if (v === undefined) throw new RedisError(ERR_NOT_INTEGER);
  return v;
}

export function restoreCommand(c: CommandContext, argv: Argv): void {
  let replace = false;
  let absttl = false;
  let idle = -1n;
  let freq = -1n;
  for (let j = 4; j < argv.length; j++) {
    const opt = argv[j]!;
    const more = argv.length - j - 1;
    if (isWord(opt, 'REPLACE')) replace = true;
    else if (isWord(opt, 'ABSTTL')) absttl = true;
    else if (isWord(opt, 'IDLETIME') && more >= 1 && freq === -1n) {
      idle = int64Arg(argv[++j]!);
      if (idle < 0n) throw new RedisError(ERR_RESTORE_IDLETIME);
    } else if (isWord(opt, 'FREQ') && more >= 1 && idle === -1n) {
      freq = int64Arg(argv[++j]!);
      if (freq < 0n || freq > 255n) throw new RedisError(ERR_RESTORE_FREQ);
    } else {
      throw new RedisError(ERR_SYNTAX);
    }
  }
  const db = c.db;
  const key = keyOf(argv[1]!);
  if (!replace && db.has(key)) throw new RedisError(ERR_BUSYKEY);
  let ttl = int64Arg(argv[2]!);
  if (ttl < 0n) throw new RedisError(ERR_RESTORE_TTL);
  const value = c.server.serializer.restore(argv[3]!);

  const deleted = replace && db.delete(key);
  const now = c.now();
  if (ttl !== 0n && !absttl) ttl += BigInt(now);
  // Redis adds without an overflow check; a sum past int64 wraps negative there, i.e. already expired.
  if (ttl !== 0n && (ttl <= BigInt(now) || ttl > INT64_MAX)) {
    if (deleted) {
      c.propagateAs([DEL, argv[1]!]);
      c.dirty++;
      // An already-expired TTL only removes the replaced key: Redis reports that as del.
      c.notify(NOTIFY_GENERIC, 'del', argv[1]!);
    }
    return c.reply.ok();
  }

  // Under a non-LFU policy IDLETIME sets the access time: a new key takes the Db's LRU clock, so
  // the clock is moved back for this one insert (synchronous, nothing else runs meanwhile).
  const lfu = c.server.config.get('maxmemory-policy').endsWith('-lfu');
  if (idle > 0n && !lfu) {
    const clock = db.lruClock;
    db.lruClock = clock - Math.min(Number(idle), clock);
    try {
      db.set(key, value);
    } finally {
      db.lruClock = clock;
    }
  } else {
    db.set(key, value);
    // Under an LFU policy FREQ sets the key's counter (IDLETIME is ignored there, as in Redis).
    if (freq >= 0n && lfu) db.setFrequency(key, Number(freq));
  }
  if (ttl !== 0n) {
    db.setExpire(key, ttl <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(ttl) : ttl);
    if (!absttl) {
      const logged = argv.slice();
      logged[2] = Buffer.from(ttl.toString(), 'latin1');
      logged.push(ABSTTL);
      c.propagateAs(logged);
    }
  }
  c.dirty++;
  c.notify(NOTIFY_GENERIC, 'restore', argv[1]!);
  c.reply.ok();
}
