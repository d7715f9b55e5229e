/*
 * Value payloads by type byte (docs/persistence-format.md §7.6-7.7), decoded into RdbValue.
 *
 * Bytes per type:
 *   0 string | 1 list, 2 set: len(n) + n strings | 3 zset: n x (member, text double)
 *   4 hash: n x (field, value) | 5 zset: n x (member, binary double LE)
 *   9 zipmap, 10 list ziplist, 12 zset ziplist, 13 hash ziplist: one string holding the blob
 *   11 intset, 16 hash listpack, 17 zset listpack, 20 set listpack: one string holding the blob
 *   14 quicklist: len(n) + n ziplist strings | 18 quicklist 2: len(n) + n x (len(container), string)
 *     container 1 = PLAIN (one raw element), 2 = PACKED (a listpack)
 *   15, 19, 21 streams (rdb-stream.ts) | 6, 7 module values: refused, with the module's name
 * Invariants: collections come back in file order; blobs are checked whole before use; members
 * of listpack/ziplist zsets alternate member, score. Nothing survives a crash.
 */
import { intsetDecode } from './rdb-intset.js';
import { lpDecode, lpText, type LpItem } from './rdb-listpack.js';
import { readStream } from './rdb-stream.js';
import type { RdbCursor } from './rdb-strings.js';
import { RdbFormatError, TYPE, type RdbValue } from './rdb-types.js';
import { ziplistDecode, zipmapDecode } from './rdb-ziplist.js';

// A module-local alias: reading an imported binding per case costs more under some loaders.
const T = TYPE;
const QUICKLIST_PLAIN = 1;
const QUICKLIST_PACKED = 2;
const MODULE_CHARSET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The 9-character module type name packed into the top 54 bits of a module ID. */
export function moduleTypeName(id: bigint): string {
  let name = '';
  for (let i = 0; i < 9; i++) {
    const shift = BigInt(10 + (8 - i) * 6);
    name += MODULE_CHARSET[Number((id >> shift) & 63n)];
  }
  return name;
}

function parseScore(item: LpItem | Buffer, offset: number, what: string): number {
  if (typeof item === 'number') return item;
  if (typeof item === 'bigint') return Number(item);
  const text = item.toString('latin1');
  const v = Number(text);
  if (!Number.isNaN(v) && text.trim() !== '') return v;
  const lower = text.toLowerCase();
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (lower === 'nan' || lower === '-nan') return NaN;
  throw new RdbFormatError(`bad score ${JSON.stringify(text)} in ${what}`, offset);
}

function pairs<T>(items: T[], offset: number, what: string): [T, T][] {
  if (items.length % 2 !== 0) throw new RdbFormatError(`odd number of elements (${items.length}) in ${what}`, offset);
  const out: [T, T][] = [];
  for (let i = 0; i < items.length; i += 2) out.push([items[i]!, items[i + 1]!]);
  return out;
}

/** Reads a blob-holding RDB string and remembers where it started (for errors). */
function blob(c: RdbCursor, what: string): { data: Buffer; at: number } {
  const at = c.base + c.pos;
  return { data: c.string(what), at };
}

/**
 * Reads the value of type `type` at the cursor. `what` names the key for error messages.
 * Throws RdbFormatError for unknown and module types.
 */
export function readValue(c: RdbCursor, type: number, what: string): RdbValue {
  switch (type) {
    case T.STRING:
      return { type: 'string', value: c.string(what) };
    case T.LIST:
    case T.SET: {
      const n = c.len('length');
      const items: Buffer[] = [];
      for (let i = 0; i < n; i++) items.push(c.string('element'));
      return type === T.LIST ? { type: 'list', items } : { type: 'set', members: items };
    }
    case T.ZSET:
    case T.ZSET_2: {
      const n = c.len('length');
      const members: [Buffer, number][] = [];
      for (let i = 0; i < n; i++) {
        const m = c.string('member');
        const score = type === T.ZSET ? c.textDouble('score') : c.binaryDouble('score');
        if (Number.isNaN(score)) c.fail(`NaN score in ${what}`);
        members.push([m, score]);
      }
      return { type: 'zset', members };
    }
    case T.HASH: {
      const n = c.len('length');
      const fields: [Buffer, Buffer][] = [];
      for (let i = 0; i < n; i++) fields.push([c.string('field'), c.string('value')]);
      return { type: 'hash', fields };
    }
    case T.HASH_ZIPMAP: {
      const b = blob(c, what);
      return { type: 'hash', fields: zipmapDecode(b.data, b.at, what) };
    }
    case T.LIST_ZIPLIST: {
      const b = blob(c, what);
      return { type: 'list', items: ziplistDecode(b.data, b.at, what) };
    }
    case T.SET_INTSET: {
      const b = blob(c, what);
      return { type: 'set', members: intsetDecode(b.data, b.at, what) };
    }
    case T.SET_LISTPACK: {
      const b = blob(c, what);
      return { type: 'set', members: lpDecode(b.data, b.at, what).map(lpText) };
    }
    case T.ZSET_ZIPLIST:
    case T.ZSET_LISTPACK: {
      const b = blob(c, what);
      const items: (LpItem | Buffer)[] = type === T.ZSET_LISTPACK ? lpDecode(b.data, b.at, what) : ziplistDecode(b.data, b.at, what);
      const members: [Buffer, number][] = pairs(items, b.at, what).map(([m, s]) => [lpText(m), parseScore(s, b.at, what)]);
      return { type: 'zset', members };
    }
    case T.HASH_ZIPLIST:
    case T.HASH_LISTPACK: {
      const b = blob(c, what);
      const items: Buffer[] = type === T.HASH_LISTPACK ? lpDecode(b.data, b.at, what).map(lpText) : ziplistDecode(b.data, b.at, what);
      return { type: 'hash', fields: pairs(items, b.at, what) };
    }
    case T.LIST_QUICKLIST:
    case T.LIST_QUICKLIST_2: {
      const nodes = c.len('node count');
      const items: Buffer[] = [];
      for (let i = 0; i < nodes; i++) {
        let container = QUICKLIST_PACKED;
        if (type === T.LIST_QUICKLIST_2) {
          const at = c.pos;
          container = c.len('node container');
          if (container !== QUICKLIST_PLAIN && container !== QUICKLIST_PACKED) c.fail(`quicklist integrity check failed: container ${container}`, at);
        }
        const b = blob(c, 'node');
        if (container === QUICKLIST_PLAIN) items.push(b.data);
        else if (type === T.LIST_QUICKLIST) for (const e of ziplistDecode(b.data, b.at, what)) items.push(e);
        else for (const e of lpDecode(b.data, b.at, what)) items.push(lpText(e));
      }
      return { type: 'list', items };
    }
    case T.STREAM_LISTPACKS:
    case T.STREAM_LISTPACKS_2:
    case T.STREAM_LISTPACKS_3:
      return readStream(c, type, what);
    case T.MODULE:
    case T.MODULE_2: {
      const at = c.pos;
      const id = c.lenBig('module id');
      return c.fail(`module type values are not supported: ${moduleTypeName(id)}`, at);
    }
    default:
      return c.fail(`unknown RDB value type ${type}`, c.pos - 1);
  }
}

/** True for a collection that holds nothing (Redis skips such keys when loading). */
export function isEmptyValue(v: RdbValue): boolean {
  switch (v.type) {
    case 'string': return false;
    case 'list': return v.items.length === 0;
    case 'hash': return v.fields.length === 0;
    case 'set': return v.members.length === 0;
    case 'zset': return v.members.length === 0;
    case 'stream': return false;
  }
}
