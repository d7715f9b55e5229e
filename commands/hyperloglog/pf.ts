/*
 * PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST over Redis's HLL string format (see hll.ts). Each
 * command decodes the stored latin1 string into a Buffer, works on that, and stores the result;
 * the value is small (at most 12304 bytes), so the copy is cheap.
 */
import type { CommandContext } from '../context.js';
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_WRONGTYPE, RedisError } from '../../protocol/errors.js';
import { isWord, keyOf } from '../args.js';
import { NOTIFY_STRING } from '../notify.js';
import {
  ERR_INVALID_HLL, ERR_NOT_HLL, HLL_DENSE, HLL_REGISTERS, HLL_SPARSE, cacheValid, count, countRaw, createHll,
  denseGet, denseSet, invalidateCache, isHll, mergeInto, readCache, sparseSet, sparseToDense, writeCache,
} from './hll.js';
import { patLen } from './murmur.js';

const store = (h: Buffer): string => h.latin1Slice(0, h.length);

/**
 * The HLL at key as a private Buffer, null when missing; throws when not a valid HLL. `read`: a
 * lookup Redis makes with lookupKeyRead (counted, a miss publishes `keymiss`), even in PFMERGE.
 */
function lookupHll(c: CommandContext, key: string, read: boolean): Buffer | null {
  const v = read ? c.db.lookupRead(key) : c.db.get(key);
  if (v === undefined) return null;
  if (typeof v !== 'string') throw new RedisError(ERR_WRONGTYPE);
  if (!isHll(v)) throw new RedisError(ERR_NOT_HLL);
  return Buffer.from(v, 'latin1');
}

function sparseMaxBytes(c: CommandContext): number {
  return Number(c.server.config.get('hll-sparse-max-bytes'));
}

/** Adds one element; returns [status 1/0/-1, the HLL (maybe replaced)]. */
function hllAdd(h: Buffer, ele: Buffer, maxBytes: number): [number, Buffer] {
  const [index, value] = patLen(ele);
  if (h[4] === HLL_DENSE) return [denseSet(h, index, value), h];
  const r = sparseSet(h, index, value, maxBytes);
  return [r.status, r.hll];
}

export function pfaddCommand(c: CommandContext, argv: Argv): void {
  const key = keyOf(argv[1]!);
  let h = lookupHll(c, key, false);
  let updated = 0;
  if (h === null) {
    h = createHll();
    updated++;
  }
  const maxBytes = sparseMaxBytes(c);
  for (let j = 2; j < argv.length; j++) {
    const [status, next] = hllAdd(h, argv[j]!, maxBytes);
    // Redis has mutated the value in place by now; we drop the partial update with the error.
    if (status < 0) throw new RedisError(ERR_INVALID_HLL);
    h = next;
    if (status === 1) updated++;
  }
  if (updated > 0) {
    invalidateCache(h);
    c.db.set(key, store(h), true);
    c.dirty += updated;
    c.notify(NOTIFY_STRING, 'pfadd', argv[1]!);
  }
  c.reply.integer(updated > 0 ? 1 : 0);
}

export function pfcountCommand(c: CommandContext, argv: Argv): void {
  if (argv.length > 2) {
    const max = new Uint8Array(HLL_REGISTERS);
    for (let j = 1; j < argv.length; j++) {
      const h = lookupHll(c, keyOf(argv[j]!), true);
      if (h === null) continue;
      if (!mergeInto(max, h)) throw new RedisError(ERR_INVALID_HLL);
    }
    return c.reply.integer(countRaw(max));
  }
  const key = keyOf(argv[1]!);
  const h = lookupHll(c, key, true);
  if (h === null) return c.reply.integer(0);
  if (cacheValid(h)) return c.reply.integer(readCache(h));
  const card = count(h);
  if (card < 0) throw new RedisError(ERR_INVALID_HLL);
  // Caching the estimate changes the value, so Redis counts it as a write and propagates PFCOUNT.
  writeCache(h, card);
  c.db.set(key, store(h), true);
  c.dirty++;
  c.reply.integer(card);
}

export function pfmergeCommand(c: CommandContext, argv: Argv): void {
  const max = new Uint8Array(HLL_REGISTERS);
  let useDense = false;
  for (let j = 1; j < argv.length; j++) {
    const h = lookupHll(c, keyOf(argv[j]!), true);
    if (h === null) continue;
    if (h[4] === HLL_DENSE) useDense = true;
    if (!mergeInto(max, h)) throw new RedisError(ERR_INVALID_HLL);
  }
  const key = keyOf(argv[1]!);
  let h = lookupHll(c, key, false) ?? createHll();
  if (useDense) {
    const d = sparseToDense(h);
    if (d === null) throw new RedisError(ERR_INVALID_HLL);
    h = d;
  }
  const maxBytes = sparseMaxBytes(c);
  for (let j = 0; j < HLL_REGISTERS; j++) {
    const v = max[j]!;
    if (v === 0) continue;
    if (h[4] === HLL_DENSE) denseSet(h, j, v);
    else h = sparseSet(h, j, v, maxBytes).hll;
  }
  invalidateCache(h);
  c.db.set(key, store(h), true);
  c.dirty++;
  // Redis publishes pfadd even when the merge changed nothing (and PFCOUNT's cache write, a
  // change too, publishes nothing).
  c.notify(NOTIFY_STRING, 'pfadd', argv[1]!);
  c.reply.ok();
}

/** PFDEBUG GETREG | DECODE | ENCODING | TODENSE key (arity 3, so always exactly one key). */
export function pfdebugCommand(c: CommandContext, argv: Argv): void {
  const sub = argv[1]!;
  const key = keyOf(argv[2]!);
  const v = c.db.get(key);
  if (v === undefined) throw new RedisError('ERR The specified key does not exist');
  let h = lookupHll(c, key, false)!;
  if (isWord(sub, 'GETREG') || isWord(sub, 'TODENSE')) {
    const converted = h[4] === HLL_SPARSE;
    if (converted) {
      const d = sparseToDense(h);
      if (d === null) throw new RedisError(ERR_INVALID_HLL);
      h = d;
      c.db.set(key, store(h), true);
      c.dirty++;
    }
    if (isWord(sub, 'TODENSE')) return c.reply.integer(converted ? 1 : 0);
    c.reply.arrayLen(HLL_REGISTERS);
    for (let j = 0; j < HLL_REGISTERS; j++) c.reply.integer(denseGet(h, j));
    return;
  }
  if (isWord(sub, 'DECODE')) {
    if (h[4] !== HLL_SPARSE) throw new RedisError('ERR HLL encoding is not sparse');
    const parts: string[] = [];
    let p = 16;
    while (p < h.length) {
      const op = h[p]!;
      if ((op & 0xc0) === 0) {
        parts.push(`z:${(op & 0x3f) + 1}`);
        p++;
      } else if ((op & 0xc0) === 0x40) {
        parts.push(`Z:${(((op & 0x3f) << 8) | (h[p + 1] ?? 0)) + 1}`);
        p += 2;
      } else {
        parts.push(`v:${((op >> 2) & 0x1f) + 1},${(op & 3) + 1}`);
        p++;
      }
    }
    return c.reply.bulk(parts.join(' '));
  }
  if (isWord(sub, 'ENCODING')) return c.reply.simple(h[4] === HLL_DENSE ? 'dense' : 'sparse');
  // Redis prints the name as a C string: it ends at the first NUL, and CR/LF become spaces.
  const name = sub.latin1Slice(0, sub.indexOf(0) < 0 ? sub.length : sub.indexOf(0)).replace(/[\r\n]/g, ' ');
  throw new RedisError(`ERR Unknown PFDEBUG subcommand '${name}'`);
}

/**
 * PFSELFTEST: checks dense register round trips and that sparse and dense HLLs fed the same
 * elements agree and stay within the expected error. Lighter than Redis's, with the same reply.
 */
export function pfselftestCommand(c: CommandContext): void {
  const failed = selfTest();
  if (failed !== null) throw new RedisError(`ERR TESTFAILED ${failed}`);
  c.reply.ok();
}

function selfTest(): string | null {
  const d = sparseToDense(createHll())!;
  const expect = new Uint8Array(HLL_REGISTERS);
  let seed = 12345;
  const rnd = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  for (let j = 0; j < HLL_REGISTERS; j++) {
    const v = rnd() & 63;
    expect[j] = v;
    denseSet(d, j, v);
  }
  for (let j = 0; j < HLL_REGISTERS; j++) {
    if (denseGet(d, j) !== expect[j]) return `Register error at ${j}`;
  }
  let sparse = createHll();
  let dense = sparseToDense(createHll())!;
  const ele = Buffer.alloc(4);
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  for (let j = 1; j <= 20000; j++) {
    ele.writeUInt32LE(rnd());
    [, sparse] = hllAdd(sparse, ele, 1 << 30);
    [, dense] = hllAdd(dense, ele, 0);
    if (j % 1000 !== 0) continue;
    const a = count(sparse);
    if (a !== count(dense)) return `Sparse and dense disagree at ${j}`;
    if (Math.abs(a - j) / j > relerr * 5) return `Too big error. card:${j} abserr:${Math.abs(a - j)}`;
  }
  return null;
}
