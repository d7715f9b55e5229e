/*
 * Intset: the sorted integer array Redis uses for small all-integer sets (RDB type 11).
 *
 * Bytes (docs/persistence-format.md §7.9):
 *   <width u32 LE: 2, 4 or 8> <count u32 LE> <count x signed int of that width, LE, ascending>
 * Invariants checked: a legal width, a blob of exactly 8 + count * width bytes, and strictly
 * ascending members (Redis rejects duplicates). Members come back as decimal text, the form the
 * keyspace holds. Pure bytes; nothing survives a crash.
 */
import { RdbFormatError } from './rdb-types.js';

/** Decodes an intset blob into its members' decimal texts, in ascending order. */
export function intsetDecode(blob: Buffer, offset: number, what: string): Buffer[] {
  const bad = (reason: string): never => {
    throw new RdbFormatError(`bad intset in ${what}: ${reason}`, offset);
  };
  if (blob.length < 8) bad(`${blob.length} bytes is shorter than a header`);
  const width = blob.readUInt32LE(0);
  if (width !== 2 && width !== 4 && width !== 8) bad(`invalid width ${width}`);
  const count = blob.readUInt32LE(4);
  if (blob.length !== 8 + count * width) bad(`${count} members of ${width} bytes do not fill ${blob.length} bytes`);
  const out: Buffer[] = [];
  let prev: bigint | null = null;
  for (let i = 0, p = 8; i < count; i++, p += width) {
    const v = width === 2 ? BigInt(blob.readInt16LE(p)) : width === 4 ? BigInt(blob.readInt32LE(p)) : blob.readBigInt64LE(p);
    if (prev !== null && v <= prev) bad('members not strictly ascending');
    prev = v;
    out.push(Buffer.from(v.toString(), 'latin1'));
  }
  return out;
}
