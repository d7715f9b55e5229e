/*
 * The RESP form of an AOF base (aof-use-rdb-preamble no), as Redis 7.0's rewrite writes it
 * (persistence-format.md §2.7): an optional `#TS:<t>` line, FUNCTION LOAD per library, then per
 * key the commands that rebuild it: SET, RPUSH, SADD, ZADD, HMSET (at most 64 items per command),
 * a stream as XADD per entry, XSETID, XGROUP CREATE / CREATECONSUMER and XCLAIM ... JUSTID FORCE
 * for each pending entry; then PEXPIREAT when the key has a TTL. A SELECT precedes the first key
 * of each db, and again whenever the db changes (keys arrive in snapshot order).
 */
import { formatDouble17g } from '../protocol/numbers.js';
import { encodeCommand as cmd } from '../protocol/encode.js';
import { streamIdText, type RdbValue, type StreamValue } from './rdb-types.js';

/** Items per variadic command, as Redis's AOF_REWRITE_ITEMS_PER_CMD. */
const ITEMS_PER_CMD = 64;

export class RespBaseEncoder {
  private db = -1;

  constructor(
    private readonly timestamp: number | null,
    private readonly functions: readonly Buffer[],
  ) {}

  header(): Buffer {
    const parts: Buffer[] = [];
    if (this.timestamp !== null) parts.push(Buffer.from(`#TS:${this.timestamp}\r\n`, 'latin1'));
    for (const code of this.functions) parts.push(cmd(['FUNCTION', 'LOAD', code]));
    return Buffer.concat(parts);
  }

  key(db: number, key: Buffer, v: RdbValue, expireAt: number | bigint): Buffer {
    const out: Buffer[] = [];
    if (db !== this.db) {
      this.db = db;
      out.push(cmd(['SELECT', String(db)]));
    }
    switch (v.type) {
      case 'string':
        out.push(cmd(['SET', key, v.value]));
        break;
      case 'list':
        batches(v.items, (items) => out.push(cmd(['RPUSH', key, ...items])));
        break;
      case 'set':
        batches(v.members, (items) => out.push(cmd(['SADD', key, ...items])));
        break;
      case 'hash':
        batches(v.fields, (pairs) => out.push(cmd(['HMSET', key, ...pairs.flat()])));
        break;
      case 'zset':
        batches(v.members, (pairs) => out.push(cmd(['ZADD', key, ...pairs.flatMap(([m, s]) => [formatDouble17g(s), m])])));
        break;
      case 'stream':
        streamCommands(key, v, out);
        break;
    }
    if (expireAt !== 0) out.push(cmd(['PEXPIREAT', key, String(expireAt)]));
    return Buffer.concat(out);
  }

  finish(): Buffer {
    return Buffer.alloc(0);
  }
}

function streamCommands(key: Buffer, s: StreamValue, out: Buffer[]): void {
  if (s.entries.length === 0) {
    out.push(cmd(['XADD', key, 'MAXLEN', '0', '0-1', 'x', 'y']));
  } else {
    for (const e of s.entries) out.push(cmd(['XADD', key, streamIdText(e.id), ...e.fields.flat()]));
  }
  out.push(cmd(['XSETID', key, streamIdText(s.lastId), 'ENTRIESADDED', String(s.entriesAdded), 'MAXDELETEDID', streamIdText(s.maxDeletedId)]));
  for (const g of s.groups) {
    const read = g.entriesRead === null ? '-1' : String(g.entriesRead);
    out.push(cmd(['XGROUP', 'CREATE', key, g.name, streamIdText(g.lastId), 'ENTRIESREAD', read]));
    const delivery = new Map<string, { time: number; count: number }>();
    for (const p of g.pending) delivery.set(streamIdText(p.id), { time: p.deliveryTime, count: p.deliveryCount });
    for (const c of g.consumers) {
      if (c.pending.length === 0) {
        out.push(cmd(['XGROUP', 'CREATECONSUMER', key, g.name, c.name]));
        continue;
      }
      for (const id of c.pending) {
        const text = streamIdText(id);
        const d = delivery.get(text) ?? { time: 0, count: 1 };
        out.push(cmd(['XCLAIM', key, g.name, c.name, '0', text, 'TIME', String(d.time), 'RETRYCOUNT', String(d.count), 'JUSTID', 'FORCE']));
      }
    }
  }
}

function batches<T>(items: readonly T[], emit: (batch: T[]) => void): void {
  for (let i = 0; i < items.length; i += ITEMS_PER_CMD) emit(items.slice(i, i + ITEMS_PER_CMD));
}
