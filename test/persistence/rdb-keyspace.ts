/*
 * Test helpers: turn decoded RDB entries, a fixture's expected.json, or a live Redis into one
 * comparable keyspace shape: { "<db>": { "<key>": { type, value, ttl } } } with sets and hash
 * fields in a canonical order, sorted sets in ZRANGE order with %.17g scores, streams as
 * XRANGE output, and bytes as text (UTF-8 when they round-trip, else { hex }).
 */
import { readFileSync } from 'node:fs';
import { formatDouble17g } from '../../protocol/numbers.js';
import { streamIdText, type RdbEntry } from '../../persistence/rdb-types.js';
import type { RawClient, RespValue } from '../helpers/raw.js';

export type Text = string | { hex: string };
export interface KeyView {
  type: string;
  value: unknown;
  /** Absolute expiry ms, or null. */
  ttl: number | null;
}
export type KeyspaceView = Record<string, Record<string, KeyView>>;

export const FIXTURE_DIR = new URL('../fixtures/redis-7.0.15/rdb/', import.meta.url);

export function fixture(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURE_DIR));
}

export function text(buf: Buffer): Text {
  const s = buf.toString('utf8');
  return Buffer.from(s, 'utf8').equals(buf) ? s : { hex: buf.toString('hex') };
}

function keyName(buf: Buffer): string {
  const t = text(buf);
  return typeof t === 'string' ? t : `hex:${t.hex}`;
}

const byJson = (a: unknown, b: unknown): number => {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

function canonSet(items: Text[]): Text[] {
  return [...items].sort(byJson);
}

function canonHash(pairs: [Text, Text][]): [Text, Text][] {
  return [...pairs].sort(byJson);
}

function zsetView(members: [Buffer, number][]): [Text, string][] {
  return [...members]
    .sort((a, b) => (a[1] !== b[1] ? (a[1] < b[1] ? -1 : 1) : Buffer.compare(a[0], b[0])))
    .map(([m, s]) => [text(m), formatDouble17g(s)]);
}

/** The comparable view of decoded entries. */
export function entriesView(entries: readonly RdbEntry[]): KeyspaceView {
  const out: KeyspaceView = {};
  for (const e of entries) {
    const db = (out[String(e.db)] ??= {});
    const v = e.value;
    let value: unknown;
    switch (v.type) {
      case 'string': value = text(v.value); break;
      case 'list': value = v.items.map(text); break;
      case 'set': value = canonSet(v.members.map(text)); break;
      case 'hash': value = canonHash(v.fields.map(([f, x]) => [text(f), text(x)])); break;
      case 'zset': value = zsetView(v.members); break;
      case 'stream':
        value = v.entries.map((s) => [streamIdText(s.id), s.fields.flatMap(([f, x]) => [text(f), text(x)])]);
        break;
    }
    db[keyName(e.key)] = { type: v.type, value, ttl: e.expireMs ?? null };
  }
  return out;
}

interface ExpectedKey {
  type: string;
  value: unknown;
  has_ttl: boolean;
  pexpiretime?: number;
}
export interface ExpectedFile {
  functions?: { library_name: string; engine: string; library_code: string }[];
  keyspace: Record<string, Record<string, ExpectedKey>>;
}

export function expectedFile(name: string): ExpectedFile {
  return JSON.parse(readFileSync(new URL(name, FIXTURE_DIR), 'utf8')) as ExpectedFile;
}

/** The comparable view of a fixture's expected.json keyspace. */
export function expectedView(file: ExpectedFile): KeyspaceView {
  const out: KeyspaceView = {};
  for (const [db, keys] of Object.entries(file.keyspace)) {
    const d: Record<string, KeyView> = (out[db] = {});
    for (const [key, k] of Object.entries(keys)) {
      let value = k.value;
      if (k.type === 'set') value = canonSet(value as Text[]);
      else if (k.type === 'hash') value = canonHash(Object.entries(value as Record<string, Text>));
      d[key] = { type: k.type, value, ttl: k.has_ttl ? k.pexpiretime ?? -1 : null };
    }
  }
  return out;
}

function bytesOf(v: RespValue): Buffer {
  if (v.type === 'bulk') return v.value;
  if (v.type === 'simple') return Buffer.from(v.text, 'latin1');
  if (v.type === 'integer') return Buffer.from(String(v.value), 'latin1');
  throw new Error(`expected a bulk string, got ${v.type}`);
}

function itemsOf(v: RespValue): RespValue[] {
  if (v.type !== 'array') throw new Error(`expected an array, got ${v.type}`);
  return v.items.map((i) => i.value);
}

async function call(c: RawClient, ...argv: (string | Buffer)[]): Promise<RespValue> {
  const r = (await c.call(...argv)).value;
  if (r.type === 'error') throw new Error(`${argv.join(' ')}: ${r.text}`);
  return r;
}

/** Reads the whole keyspace of a live Redis (dbs 0..15) into the comparable view. */
export async function liveView(c: RawClient): Promise<KeyspaceView> {
  const out: KeyspaceView = {};
  for (let db = 0; db < 16; db++) {
    await call(c, 'SELECT', String(db));
    const keys = itemsOf(await call(c, 'KEYS', '*')).map(bytesOf);
    if (keys.length === 0) continue;
    const d: Record<string, KeyView> = (out[String(db)] = {});
    for (const key of keys) {
      const type = bytesOf(await call(c, 'TYPE', key)).toString('latin1');
      let value: unknown;
      if (type === 'string') value = text(bytesOf(await call(c, 'GET', key)));
      else if (type === 'list') value = itemsOf(await call(c, 'LRANGE', key, '0', '-1')).map((x) => text(bytesOf(x)));
      else if (type === 'set') value = canonSet(itemsOf(await call(c, 'SMEMBERS', key)).map((x) => text(bytesOf(x))));
      else if (type === 'hash') {
        const flat = itemsOf(await call(c, 'HGETALL', key)).map((x) => text(bytesOf(x)));
        const pairs: [Text, Text][] = [];
        for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
        value = canonHash(pairs);
      } else if (type === 'zset') {
        const flat = itemsOf(await call(c, 'ZRANGE', key, '0', '-1', 'WITHSCORES')).map(bytesOf);
        const pairs: [Text, string][] = [];
        for (let i = 0; i < flat.length; i += 2) pairs.push([text(flat[i]!), flat[i + 1]!.toString('latin1')]);
        value = pairs;
      } else if (type === 'stream') {
        value = itemsOf(await call(c, 'XRANGE', key, '-', '+')).map((e) => {
          const [id, fields] = itemsOf(e);
          return [bytesOf(id!).toString('latin1'), itemsOf(fields!).map((x) => text(bytesOf(x)))];
        });
      }
      const pexp = await call(c, 'PEXPIRETIME', key);
      const ttl = pexp.type === 'integer' && pexp.value >= 0n ? Number(pexp.value) : null;
      d[keyName(key)] = { type, value, ttl };
    }
  }
  return out;
}
