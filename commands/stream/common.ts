/*
 * Helpers shared by the stream commands: typed lookups, entry replies, node limits and the error
 * texts of Redis 7.0's t_stream.c.
 */
import type { CommandContext } from '../context.js';
import type { ReplyWriter } from '../../protocol/reply-writer.js';
import { ERR_WRONGTYPE, RedisError } from '../../protocol/errors.js';
import { idText, type StreamId } from './id.js';
import { StreamValue, type NodeLimits } from './stream.js';
import type { ConsumerGroup } from './group.js';

export const ERR_XADD_SMALLER = 'ERR The ID specified in XADD is equal or smaller than the target stream top item';
export const ERR_XADD_ZERO = 'ERR The ID specified in XADD must be greater than 0-0';
export const ERR_EXHAUSTED = 'ERR The stream has exhausted the last possible ID, unable to add more items';
export const ERR_NO_KEY_GROUP = 'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.';

/**
 * The stream at key, undefined when missing; throws WRONGTYPE for another type. `read`: Redis's
 * lookupKeyRead in a command that get() does not count for (XREADGROUP, XCLAIM, XACK...): the
 * lookup is counted and a miss publishes `keymiss`.
 */
export function streamRead(c: CommandContext, key: string, read = false): StreamValue | undefined {
  const v = read ? c.db.lookupRead(key) : c.db.get(key);
  if (v === undefined) return undefined;
  if (!(v instanceof StreamValue)) throw new RedisError(ERR_WRONGTYPE);
  return v;
}

export function nodeLimits(c: CommandContext): NodeLimits {
  return {
    maxBytes: Number(c.server.config.get('stream-node-max-bytes')),
    maxEntries: Number(c.server.config.get('stream-node-max-entries')),
  };
}

/** One entry as Redis replies it: [id, [field, value, ...]]. */
export function writeEntry(w: ReplyWriter, id: StreamId, fields: readonly string[] | undefined): void {
  w.arrayLen(2);
  w.bulk(idText(id));
  if (fields === undefined) {
    w.nullArray();
    return;
  }
  w.arrayLen(fields.length);
  for (const f of fields) w.bulk(f);
}

/** The group, or throws NOGROUP as XPENDING/XCLAIM/XAUTOCLAIM do. */
export function groupOf(s: StreamValue | undefined, key: string, group: string): ConsumerGroup {
  const g = s?.groups.get(group);
  if (g === undefined) throw new RedisError(`NOGROUP No such key '${key}' or consumer group '${group}'`);
  return g;
}

/** XGROUP's and XINFO's NOGROUP text. */
export function errNoSuchGroup(key: string, group: string): string {
  return `NOGROUP No such consumer group '${group}' for key name '${key}'`;
}

/** An int64 argument as Redis's getLongLongFromObjectOrReply reads it. */
export { longArg } from '../args.js';
