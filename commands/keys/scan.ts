/*
 * KEYS and SCAN. Db.scan's cursor is a slot number, so a key present for the whole iteration is
 * returned at least once (Redis's guarantee); COUNT bounds the keys examined, MATCH and TYPE
 * filter them afterwards, so a call may return fewer keys than COUNT, or none, with cursor != 0.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_INVALID_CURSOR, ERR_SYNTAX, RedisError } from '../../protocol/errors.js';
import type { CommandContext } from '../context.js';
import { isWord, keyOf, longArg } from '../args.js';
import { globMatch } from '../glob.js';
import { typeOf } from '../keyspace/value.js';

const ULONG_MAX = 18446744073709551615n;

/**
 * A SCAN-family cursor read as strtoul does: optional sign, decimal digits, nothing else, no
 * leading space; "" is 0 and "-1" wraps to 2^64-1. Values past the slot table simply end the scan.
 */
export function parseScanCursor(buf: Buffer): number {
  const len = buf.length;
  if (len === 0) return 0;
  let i = 0;
  const sign = buf[0]!;
  if (sign === 43 /* + */ || sign === 45 /* - */) i = 1;
  if (i === len) throw new RedisError(ERR_INVALID_CURSOR);
  for (let j = i; j < len; j++) {
    const d = buf[j]!;
    if (d < 48 || d > 57) throw new RedisError(ERR_INVALID_CURSOR);
  }
  if (len - i <= 15) {
    const v = Number(buf.latin1Slice(i, len));
    return sign === 45 && v !== 0 ? Number(ULONG_MAX + 1n - BigInt(v)) : v;
  }
  const v = BigInt(buf.latin1Slice(i, len));
  if (v > ULONG_MAX) throw new RedisError(ERR_INVALID_CURSOR);
  return Number(sign === 45 && v !== 0n ? ULONG_MAX + 1n - v : v);
}

export function keysCommand(c: CommandContext, argv: Argv): void {
  const pattern = keyOf(argv[1]!);
  const all = pattern === '*';
  const out: string[] = [];
  for (const [key] of c.db.entries()) {
    if (all || globMatch(pattern, key)) out.push(key);
  }
  c.reply.bulkArray(out);
}

export function scanCommand(c: CommandContext, argv: Argv): void {
  const cursor = parseScanCursor(argv[1]!);
  let count = 10;
  let pattern: string | null = null;
  let typeName: string | null = null;
  for (let i = 2; i < argv.length; i += 2) {
    const opt = argv[i]!;
    const hasValue = i + 1 < argv.length;
    if (hasValue && isWord(opt, 'COUNT')) {
      count = longArg(argv[i + 1]!);
      if (count < 1) throw new RedisError(ERR_SYNTAX);
    } else if (hasValue && isWord(opt, 'MATCH')) {
      const p = keyOf(argv[i + 1]!);
      pattern = p === '*' ? null : p;
    } else if (hasValue && isWord(opt, 'TYPE')) {
      // Redis 7 compares type names case-insensitively and yields nothing for an unknown name.
      typeName = argv[i + 1]!.latin1Slice(0, argv[i + 1]!.length).toLowerCase();
    } else {
      throw new RedisError(ERR_SYNTAX);
    }
  }
  const keys: string[] = [];
  const next = c.db.scan(cursor, count, (key, value) => {
    if (pattern !== null && !globMatch(pattern, key)) return;
    if (typeName !== null && typeOf(value) !== typeName) return;
    keys.push(key);
  });
  c.reply.arrayLen(2);
  c.reply.bulk(String(next));
  c.reply.bulkArray(keys);
}
