/*
 * Keyspace notification classes (`notify-keyspace-events`), as Redis 7.0's notify.c: one bit
 * per letter, the parse of a CONFIG SET value and the canonical form CONFIG GET shows.
 *
 * Letters: K keyspace channel, E keyevent channel, g generic, $ string, l list, s set, h hash,
 * z zset, x expired, e evicted, t stream, m key miss, d module, n new key, A = g$lshzxetd.
 * `m` and `n` are not part of A. No K and no E means nothing is published.
 */

export const NOTIFY_KEYSPACE = 1 << 0;
export const NOTIFY_KEYEVENT = 1 << 1;
export const NOTIFY_GENERIC = 1 << 2;
export const NOTIFY_STRING = 1 << 3;
export const NOTIFY_LIST = 1 << 4;
export const NOTIFY_SET = 1 << 5;
export const NOTIFY_HASH = 1 << 6;
export const NOTIFY_ZSET = 1 << 7;
export const NOTIFY_EXPIRED = 1 << 8;
export const NOTIFY_EVICTED = 1 << 9;
export const NOTIFY_STREAM = 1 << 10;
export const NOTIFY_KEY_MISS = 1 << 11;
export const NOTIFY_MODULE = 1 << 12;
export const NOTIFY_NEW = 1 << 13;
export const NOTIFY_ALL = NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH | NOTIFY_ZSET
  | NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE;

/** The class of an event, as handlers name it when they notify. */
export type NotifyClass =
  | typeof NOTIFY_GENERIC | typeof NOTIFY_STRING | typeof NOTIFY_LIST | typeof NOTIFY_SET | typeof NOTIFY_HASH
  | typeof NOTIFY_ZSET | typeof NOTIFY_EXPIRED | typeof NOTIFY_EVICTED | typeof NOTIFY_STREAM | typeof NOTIFY_NEW
  | typeof NOTIFY_KEY_MISS;

const LETTERS: readonly [string, number][] = [
  ['g', NOTIFY_GENERIC], ['$', NOTIFY_STRING], ['l', NOTIFY_LIST], ['s', NOTIFY_SET], ['h', NOTIFY_HASH],
  ['z', NOTIFY_ZSET], ['x', NOTIFY_EXPIRED], ['e', NOTIFY_EVICTED], ['t', NOTIFY_STREAM], ['d', NOTIFY_MODULE],
  ['n', NOTIFY_NEW],
];
const BY_LETTER = new Map<string, number>([...LETTERS, ['A', NOTIFY_ALL], ['K', NOTIFY_KEYSPACE], ['E', NOTIFY_KEYEVENT], ['m', NOTIFY_KEY_MISS]]);

export const ERR_NOTIFY_CLASS = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

/** The flags of a value, or -1 for a character that is no class (Redis's keyspaceEventsStringToFlags). */
export function notifyFlagsFromString(text: string): number {
  let flags = 0;
  for (const ch of text) {
    const bit = BY_LETTER.get(ch);
    if (bit === undefined) return -1;
    flags |= bit;
  }
  return flags;
}

/** CONFIG GET's form: `A` when every class of A is set (n then disappears), else the letters in order; then K E m. */
export function notifyFlagsToString(flags: number): string {
  let out = '';
  if ((flags & NOTIFY_ALL) === NOTIFY_ALL) out = 'A';
  else for (const [ch, bit] of LETTERS) if ((flags & bit) !== 0) out += ch;
  if ((flags & NOTIFY_KEYSPACE) !== 0) out += 'K';
  if ((flags & NOTIFY_KEYEVENT) !== 0) out += 'E';
  if ((flags & NOTIFY_KEY_MISS) !== 0) out += 'm';
  return out;
}
