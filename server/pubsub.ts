/*
 * Pub/sub: who is subscribed to what, and delivery of messages, as Redis 7.0's pubsub.c.
 *
 * Three spaces, each a Map from the name (latin1, one char per byte) to its subscribers in the
 * order they subscribed: channels (SUBSCRIBE), patterns (PSUBSCRIBE) and shard channels
 * (SSUBSCRIBE). Each client keeps the other side (ClientSubscriptions), so a disconnect or RESET
 * removes it from exactly the entries it is in. A name whose last subscriber leaves is deleted,
 * so the maps' sizes are INFO's pubsub_channels / pubsub_patterns / pubsubshard_channels.
 *
 * Delivery writes the push into the subscriber's ReplyWriter at once (RESP2 array, RESP3 `>`),
 * queues the subscriber for the batch's flush, and applies `client-output-buffer-limit pubsub`:
 * a subscriber whose unsent output (writer + socket buffer) passes the hard limit, or stays over
 * the soft limit longer than its seconds, is disconnected instead of growing memory without bound.
 * Keyspace notifications (notify-keyspace-events) are published here too, as ordinary messages.
 */
import type { PubSubApi, PubSubKind } from '../commands/context.js';
import { globMatch } from '../commands/glob.js';
import type { ReplyWriter } from '../protocol/reply-writer.js';
import { parseMemory } from './config.js';
import { NOTIFY_KEYEVENT, NOTIFY_KEYSPACE } from '../commands/notify.js';
import type { Client } from './client.js';

/** One client's subscriptions, in the order made (UNSUBSCRIBE without names walks them). */
export class ClientSubscriptions {
  readonly channel = new Set<string>();
  readonly pattern = new Set<string>();
  readonly shard = new Set<string>();

  /** Redis's clientSubscriptionsCount: channels and patterns; shard channels count apart. */
  countFor(kind: PubSubKind): number {
    return kind === 'shard' ? this.shard.size : this.channel.size + this.pattern.size;
  }

  get total(): number {
    return this.channel.size + this.pattern.size + this.shard.size;
  }
}

/** client-output-buffer-limit for one class; 0 disables a limit. */
export interface OutputLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}

const SUBSCRIBE_WORD: Record<PubSubKind, Buffer> = {
  channel: Buffer.from('subscribe'), pattern: Buffer.from('psubscribe'), shard: Buffer.from('ssubscribe'),
};
const UNSUBSCRIBE_WORD: Record<PubSubKind, Buffer> = {
  channel: Buffer.from('unsubscribe'), pattern: Buffer.from('punsubscribe'), shard: Buffer.from('sunsubscribe'),
};
const MESSAGE = Buffer.from('message');
const PMESSAGE = Buffer.from('pmessage');
const SMESSAGE = Buffer.from('smessage');

/**
 * The `pubsub` class of a client-output-buffer-limit value (`normal 0 0 0 slave ... pubsub 32mb
 * 8mb 60`); the last one given wins, Redis's default when the value names none.
 */
export function parsePubSubLimit(value: string): OutputLimit {
  const words = value.trim().split(/\s+/);
  let limit: OutputLimit = { hard: 32 * 1024 * 1024, soft: 8 * 1024 * 1024, softSeconds: 60 };
  for (let i = 0; i + 3 < words.length; i += 4) {
    if (words[i]!.toLowerCase() !== 'pubsub') continue;
    limit = {
      hard: parseMemory(words[i + 1]!) ?? 0,
      soft: parseMemory(words[i + 2]!) ?? 0,
      softSeconds: parseMemory(words[i + 3]!) ?? 0,
    };
  }
  return limit;
}

export class PubSub implements PubSubApi {
  private readonly spaces: Record<PubSubKind, Map<string, Set<Client>>> = {
    channel: new Map(), pattern: new Map(), shard: new Map(),
  };
  limit: OutputLimit = parsePubSubLimit('');

  constructor(
    private readonly queueFlush: (c: Client) => void,
    private readonly onLimit: (c: Client, used: number) => void,
  ) {}

  get patternCount(): number {
    return this.spaces.pattern.size;
  }

  channelCount(kind: 'channel' | 'shard'): number {
    return this.spaces[kind].size;
  }

  subscribers(kind: 'channel' | 'shard', channel: string): number {
    return this.spaces[kind].get(channel)?.size ?? 0;
  }

  channels(kind: 'channel' | 'shard', pattern: string | null): string[] {
    const out: string[] = [];
    for (const name of this.spaces[kind].keys()) {
      if (pattern === null || globMatch(pattern, name)) out.push(name);
    }
    return out;
  }

  subscribe(c: Client, kind: PubSubKind, names: readonly Buffer[]): void {
    const subs = (c.subscriptions ??= new ClientSubscriptions());
    const own = subs[kind];
    const space = this.spaces[kind];
    const w = c.reply;
    for (const buf of names) {
      const name = buf.latin1Slice(0, buf.length);
      if (!own.has(name)) {
        own.add(name);
        let set = space.get(name);
        if (set === undefined) space.set(name, (set = new Set()));
        set.add(c);
      }
      writeConfirmation(w, SUBSCRIBE_WORD[kind], buf, subs.countFor(kind));
    }
  }

  /** Removes names (all of the kind when empty); writes the confirmations unless !notify. */
  unsubscribe(c: Client, kind: PubSubKind, names: readonly Buffer[], notify = true): void {
    const subs = c.subscriptions;
    const w = c.reply;
    if (names.length === 0) {
      const own = subs === null ? [] : [...subs[kind]];
      if (own.length === 0) {
        if (notify) writeConfirmation(w, UNSUBSCRIBE_WORD[kind], null, subs === null ? 0 : subs.countFor(kind));
        return;
      }
      for (const name of own) {
        this.remove(c, subs!, kind, name);
        if (notify) writeConfirmation(w, UNSUBSCRIBE_WORD[kind], name, subs!.countFor(kind));
      }
      return;
    }
    for (const buf of names) {
      const name = buf.latin1Slice(0, buf.length);
      if (subs !== null) this.remove(c, subs, kind, name);
      if (notify) writeConfirmation(w, UNSUBSCRIBE_WORD[kind], buf, subs === null ? 0 : subs.countFor(kind));
    }
  }

  /** Disconnect and RESET: every subscription goes, without replies. */
  unsubscribeAll(c: Client): void {
    const subs = c.subscriptions;
    if (subs === null) return;
    for (const kind of ['channel', 'pattern', 'shard'] as const) {
      for (const name of [...subs[kind]]) this.remove(c, subs, kind, name);
    }
    c.subscriptions = null;
  }

  publish(kind: 'channel' | 'shard', channel: Buffer, message: Buffer): number {
    const name = channel.latin1Slice(0, channel.length);
    let receivers = 0;
    const direct = this.spaces[kind].get(name);
    if (direct !== undefined) {
      const word = kind === 'shard' ? SMESSAGE : MESSAGE;
      for (const c of direct) {
        receivers++;
        if (!this.writable(c)) continue;
        const w = c.reply;
        w.pushLen(3);
        w.bulk(word);
        w.bulk(channel);
        w.bulk(message);
        this.delivered(c);
      }
    }
    if (kind === 'channel' && this.spaces.pattern.size > 0) {
      for (const [pattern, clients] of this.spaces.pattern) {
        if (!globMatch(pattern, name)) continue;
        for (const c of clients) {
          receivers++;
          if (!this.writable(c)) continue;
          const w = c.reply;
          w.pushLen(4);
          w.bulk(PMESSAGE);
          w.bulk(pattern);
          w.bulk(channel);
          w.bulk(message);
          this.delivered(c);
        }
      }
    }
    return receivers;
  }

  /**
   * A keyspace notification (the class already checked against `flags`): `event` to
   * `__keyspace@<db>__:<key>` under K, `key` to `__keyevent@<db>__:<event>` under E.
   */
  keyspaceEvent(flags: number, event: string, key: Buffer | string, dbIndex: number): void {
    const keyBuf = typeof key === 'string' ? Buffer.from(key, 'latin1') : key;
    if ((flags & NOTIFY_KEYSPACE) !== 0) {
      const channel = Buffer.concat([Buffer.from(`__keyspace@${dbIndex}__:`, 'latin1'), keyBuf]);
      this.publish('channel', channel, Buffer.from(event, 'latin1'));
    }
    if ((flags & NOTIFY_KEYEVENT) !== 0) {
      this.publish('channel', Buffer.from(`__keyevent@${dbIndex}__:${event}`, 'latin1'), keyBuf);
    }
  }

  private remove(c: Client, subs: ClientSubscriptions, kind: PubSubKind, name: string): void {
    if (!subs[kind].delete(name)) return;
    const space = this.spaces[kind];
    const set = space.get(name);
    if (set === undefined) return;
    set.delete(c);
    if (set.size === 0) space.delete(name);
  }

  /** A client being closed for its output limit still counts as a receiver, as in Redis. */
  private writable(c: Client): boolean {
    return !c.closing;
  }

  private delivered(c: Client): void {
    this.queueFlush(c);
    const { hard, soft, softSeconds } = this.limit;
    if (hard === 0 && soft === 0) return;
    // Far under the limits by an upper bound of the unsent bytes: nothing to measure exactly.
    const floor = hard === 0 ? soft : soft === 0 ? hard : Math.min(hard, soft);
    if (c.reply.pendingBytes + c.socketBacklog < floor) {
      c.softLimitSince = 0;
      return;
    }
    const used = c.unsentBytes;
    if (hard > 0 && used >= hard) return this.onLimit(c, used);
    if (soft > 0 && used >= soft) {
      // Whole seconds, as Redis counts with server.unixtime: over for *more* than soft-seconds.
      const now = Math.floor(Date.now() / 1000);
      if (c.softLimitSince === 0) c.softLimitSince = now;
      else if (now - c.softLimitSince > softSeconds) this.onLimit(c, used);
    } else {
      c.softLimitSince = 0;
    }
  }
}

/** `[word, name, count]`: a push under RESP3, an array under RESP2; a null name when there was none. */
function writeConfirmation(w: ReplyWriter, word: Buffer, name: Buffer | string | null, count: number): void {
  w.pushLen(3);
  w.bulk(word);
  if (name === null) w.nullBulk();
  else w.bulk(name);
  w.integer(count);
}
