/*
 * dumpKeyspace(port): reads the whole keyspace of a live server (Rewind or a real redis-server)
 * into one plain JSON shape, so two servers can be compared with toEqual:
 *
 *   { dbs: { "<db>": { "<key>": KeyDump } } }   (empty dbs left out, keys sorted)
 *
 * Every key has its TYPE, its value and its absolute expiry (PEXPIRETIME, or null). Values are
 * order-canonical where the type has no order: set members and hash fields sorted, sorted sets in
 * ZRANGE order with the server's score text ("inf", "-inf", "0.5"). Streams carry their entries
 * (XRANGE) and the metadata of XINFO STREAM ... FULL COUNT 0: length, last generated id, max
 * deleted id, entries added, first entry id, and every group with its PEL and consumers.
 *
 * Bytes are text when they are valid UTF-8, else { hex }; binary key names become "hex:<hex>".
 * Read-only commands only; the server must be done loading (see waitUntilReady).
 */
import { RawClient, type RespValue } from './raw.js';

export type Bytes = string | { hex: string };

export interface StreamPendingEntry {
  id: string;
  consumer: Bytes;
  deliveryTime: number;
  deliveryCount: number;
}

export interface StreamConsumerDump {
  name: Bytes;
  seenTime: number;
  pelCount: number;
  /** [id, delivery time, delivery count] of each of its pending entries. */
  pending: [string, number, number][];
}

export interface StreamGroupDump {
  name: Bytes;
  lastDeliveredId: string;
  entriesRead: number | null;
  lag: number | null;
  pelCount: number;
  pending: StreamPendingEntry[];
  consumers: StreamConsumerDump[];
}

export interface StreamDump {
  entries: [string, Bytes[]][];
  length: number;
  lastGeneratedId: string;
  maxDeletedEntryId: string;
  entriesAdded: number;
  recordedFirstEntryId: string;
  groups: StreamGroupDump[];
}

export type KeyValue =
  | { type: 'string'; value: Bytes }
  | { type: 'list'; value: Bytes[] }
  | { type: 'set'; value: Bytes[] }
  | { type: 'hash'; value: [Bytes, Bytes][] }
  | { type: 'zset'; value: [Bytes, string][] }
  | { type: 'stream'; value: StreamDump };

export type KeyDump = KeyValue & {
  /** Absolute expiry in Unix ms (PEXPIRETIME), or null without a TTL. */
  expireAt: number | null;
  /** OBJECT ENCODING, only when asked for (it differs between Redis versions for lists). */
  encoding?: string;
};

export interface KeyspaceDump {
  dbs: Record<string, Record<string, KeyDump>>;
}

export interface DumpOptions {
  host?: string;
  /** How many dbs to read; default: CONFIG GET databases. */
  databases?: number;
  /** Also record OBJECT ENCODING per key. */
  encodings?: boolean;
  /** Per-reply timeout (ms), default 10000. */
  timeoutMs?: number;
}

/** The whole keyspace of the server on 127.0.0.1:port (or opts.host). */
export async function dumpKeyspace(port: number, opts: DumpOptions = {}): Promise<KeyspaceDump> {
  const c = await RawClient.connect(port, opts.host ?? '127.0.0.1', 5000);
  try {
    return await dumpWith(c, opts);
  } finally {
    await c.close();
  }
}

/** dumpKeyspace over an open connection (it SELECTs dbs; the connection ends in the last db read). */
export async function dumpWith(c: RawClient, opts: DumpOptions = {}): Promise<KeyspaceDump> {
  const timeout = opts.timeoutMs ?? 10_000;
  const call = async (...argv: (string | Buffer)[]): Promise<RespValue> => {
    await c.write(encode(argv));
    const r = (await c.readReply(timeout)).value;
    if (r.type === 'error') throw new Error(`${argv.map((a) => a.toString()).join(' ')}: ${r.text}`);
    return r;
  };
  let databases = opts.databases;
  if (databases === undefined) {
    const conf = items(await call('CONFIG', 'GET', 'databases'));
    databases = Number(str(conf[1]!));
  }
  const dbs: Record<string, Record<string, KeyDump>> = {};
  for (let db = 0; db < databases; db++) {
    await call('SELECT', String(db));
    const keys = items(await call('KEYS', '*')).map(bytes).sort(Buffer.compare);
    if (keys.length === 0) continue;
    const out: Record<string, KeyDump> = {};
    for (const key of keys) {
      const type = str(await call('TYPE', key));
      if (type === 'none') continue; // expired between KEYS and TYPE
      const kv = await readValue(call, type, key);
      const pexp = int(await call('PEXPIRETIME', key));
      const dump: KeyDump = { ...kv, expireAt: pexp >= 0 ? pexp : null };
      if (opts.encodings === true) dump.encoding = str(await call('OBJECT', 'ENCODING', key));
      out[keyName(key)] = dump;
    }
    dbs[String(db)] = out;
  }
  return { dbs };
}

/** Waits until the server answers PING with PONG (not -LOADING); throws after timeoutMs. */
export async function waitUntilReady(port: number, timeoutMs = 30_000, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    let c: RawClient | null = null;
    try {
      c = await RawClient.connect(port, host, 1000);
      for (;;) {
        const r = (await c.call('PING')).value;
        if (r.type === 'simple' && r.text === 'PONG') return;
        last = r.type === 'error' ? r.text : r.type;
        if (Date.now() > deadline) break;
        await new Promise((res) => setTimeout(res, 20));
      }
    } catch (e) {
      last = (e as Error).message;
    } finally {
      await c?.close();
    }
    if (Date.now() > deadline) throw new Error(`server on port ${port} not ready within ${timeoutMs} ms: ${last}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

/** Short descriptions of how two dumps differ (at most `max`), for readable failure messages. */
export function keyspaceDiff(a: KeyspaceDump, b: KeyspaceDump, max = 20): string[] {
  const out: string[] = [];
  const dbs = [...new Set([...Object.keys(a.dbs), ...Object.keys(b.dbs)])].sort((x, y) => Number(x) - Number(y));
  for (const db of dbs) {
    const ka = a.dbs[db] ?? {};
    const kb = b.dbs[db] ?? {};
    for (const key of [...new Set([...Object.keys(ka), ...Object.keys(kb)])].sort()) {
      if (out.length >= max) return [...out, '...'];
      const x = ka[key];
      const y = kb[key];
      if (x === undefined) out.push(`db ${db} key ${key}: only in the second`);
      else if (y === undefined) out.push(`db ${db} key ${key}: only in the first`);
      else {
        const where = firstDifference(x, y, '');
        if (where !== null) out.push(`db ${db} key ${key}: ${where}`);
      }
    }
  }
  return out;
}

/** Number of keys in a dump. */
export function keyCount(d: KeyspaceDump): number {
  let n = 0;
  for (const keys of Object.values(d.dbs)) n += Object.keys(keys).length;
  return n;
}

// ---- reading values -----------------------------------------------------------------------------

type Call = (...argv: (string | Buffer)[]) => Promise<RespValue>;

async function readValue(call: Call, type: string, key: Buffer): Promise<KeyValue> {
  switch (type) {
    case 'string':
      return { type, value: text(bytes(await call('GET', key))) };
    case 'list':
      return { type, value: items(await call('LRANGE', key, '0', '-1')).map((x) => text(bytes(x))) };
    case 'set':
      return { type, value: items(await call('SMEMBERS', key)).map(bytes).sort(Buffer.compare).map(text) };
    case 'hash': {
      const flat = items(await call('HGETALL', key)).map(bytes);
      const pairs: [Buffer, Buffer][] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
      pairs.sort((p, q) => Buffer.compare(p[0], q[0]));
      return { type, value: pairs.map(([f, v]) => [text(f), text(v)]) };
    }
    case 'zset': {
      const flat = items(await call('ZRANGE', key, '0', '-1', 'WITHSCORES')).map(bytes);
      const pairs: [Bytes, string][] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([text(flat[i]!), flat[i + 1]!.toString('latin1')]);
      return { type, value: pairs };
    }
    case 'stream':
      return { type, value: await readStream(call, key) };
    default:
      throw new Error(`key ${keyName(key)}: unsupported type ${type}`);
  }
}

async function readStream(call: Call, key: Buffer): Promise<StreamDump> {
  const entries = items(await call('XRANGE', key, '-', '+')).map((e): [string, Bytes[]] => {
    const [id, fields] = items(e);
    return [str(id!), items(fields!).map((x) => text(bytes(x)))];
  });
  const info = fields(await call('XINFO', 'STREAM', key, 'FULL', 'COUNT', '0'));
  const groups = items(info.get('groups') ?? { type: 'array', items: [] }).map((g): StreamGroupDump => {
    const gi = fields(g);
    return {
      name: text(bytes(need(gi, 'name'))),
      lastDeliveredId: str(need(gi, 'last-delivered-id')),
      entriesRead: nullableInt(need(gi, 'entries-read')),
      lag: nullableInt(need(gi, 'lag')),
      pelCount: int(need(gi, 'pel-count')),
      pending: items(need(gi, 'pending')).map((p) => {
        const [id, consumer, time, count] = items(p);
        return { id: str(id!), consumer: text(bytes(consumer!)), deliveryTime: int(time!), deliveryCount: int(count!) };
      }),
      consumers: items(need(gi, 'consumers')).map((k): StreamConsumerDump => {
        const ki = fields(k);
        return {
          name: text(bytes(need(ki, 'name'))),
          seenTime: int(need(ki, 'seen-time')),
          pelCount: int(need(ki, 'pel-count')),
          pending: items(need(ki, 'pending')).map((p): [string, number, number] => {
            const [id, time, count] = items(p);
            return [str(id!), int(time!), int(count!)];
          }),
        };
      }),
    };
  });
  return {
    entries,
    length: int(need(info, 'length')),
    lastGeneratedId: str(need(info, 'last-generated-id')),
    maxDeletedEntryId: str(need(info, 'max-deleted-entry-id')),
    entriesAdded: int(need(info, 'entries-added')),
    recordedFirstEntryId: str(need(info, 'recorded-first-entry-id')),
    groups,
  };
}

// ---- reply helpers ------------------------------------------------------------------------------

function encode(argv: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`, 'latin1')];
  for (const a of argv) {
    const b = typeof a === 'string' ? Buffer.from(a, 'utf8') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`, 'latin1'), b, Buffer.from('\r\n', 'latin1'));
  }
  return Buffer.concat(parts);
}

function bytes(v: RespValue): Buffer {
  if (v.type === 'bulk' || v.type === 'verbatim') return v.value;
  if (v.type === 'simple') return Buffer.from(v.text, 'latin1');
  if (v.type === 'integer') return Buffer.from(String(v.value), 'latin1');
  if (v.type === 'double') return Buffer.from(v.text, 'latin1');
  throw new Error(`expected a string reply, got ${v.type}`);
}

function str(v: RespValue): string {
  return bytes(v).toString('latin1');
}

function int(v: RespValue): number {
  if (v.type === 'integer') return Number(v.value);
  const n = Number(str(v));
  if (!Number.isFinite(n)) throw new Error(`expected an integer, got ${str(v)}`);
  return n;
}

function nullableInt(v: RespValue): number | null {
  return v.type === 'null' ? null : int(v);
}

function items(v: RespValue): RespValue[] {
  if (v.type === 'null') return [];
  if (v.type !== 'array' && v.type !== 'set' && v.type !== 'map') throw new Error(`expected an array reply, got ${v.type}`);
  return v.items.map((i) => i.value);
}

/** A flat [name, value, ...] array (or a RESP3 map) as a Map by name. */
function fields(v: RespValue): Map<string, RespValue> {
  const list = items(v);
  const out = new Map<string, RespValue>();
  for (let i = 0; i + 1 < list.length; i += 2) out.set(str(list[i]!), list[i + 1]!);
  return out;
}

function need(m: Map<string, RespValue>, name: string): RespValue {
  const v = m.get(name);
  if (v === undefined) throw new Error(`XINFO STREAM FULL has no field ${name}`);
  return v;
}

function text(buf: Buffer): Bytes {
  const s = buf.toString('utf8');
  return Buffer.from(s, 'utf8').equals(buf) ? s : { hex: buf.toString('hex') };
}

function keyName(buf: Buffer): string {
  const t = text(buf);
  return typeof t === 'string' ? t : `hex:${t.hex}`;
}

/** Where two JSON values first differ (a path and both sides), or null when they are equal. */
function firstDifference(x: unknown, y: unknown, at: string): string | null {
  if (x !== null && y !== null && typeof x === 'object' && typeof y === 'object' && Array.isArray(x) === Array.isArray(y)) {
    const ox = x as Record<string, unknown>;
    const oy = y as Record<string, unknown>;
    const names = [...new Set([...Object.keys(ox), ...Object.keys(oy)])];
    for (const n of names) {
      const d = firstDifference(ox[n], oy[n], Array.isArray(x) ? `${at}[${n}]` : `${at}.${n}`);
      if (d !== null) return d;
    }
    return null;
  }
  const sx = JSON.stringify(x);
  const sy = JSON.stringify(y);
  return sx === sy ? null : `${at === '' ? '(value)' : at}: ${clip(String(sx))} != ${clip(String(sy))}`;
}

function clip(s: string, n = 300): string {
  return s.length > n ? `${s.slice(0, n)}... (${s.length} chars)` : s;
}
