/*
 * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN] (Redis 7.0).
 *
 * The classic dynamic-programming table of LCS lengths, then a walk back from the end that
 * collects the common subsequence and its matching ranges, last range first. Ties in the walk
 * step through the second string first (Redis's choice), so the same subsequence and ranges come
 * out as in Redis. The table costs 4 bytes per cell and is refused past proto-max-bulk-len, as
 * Redis refuses it; LEN alone needs only two rows.
 */
import type { CommandContext } from '../context.js';
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_SYNTAX, RedisError } from '../../protocol/errors.js';
import { isWord, keyOf, longArg } from '../args.js';

export const ERR_LCS_TYPE = 'ERR The specified keys must contain string values';
export const ERR_LCS_LEN_AND_IDX = 'ERR If you want both the length and indexes, please just use IDX.';
export const ERR_LCS_MEMORY = 'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len';
export const ERR_LCS_TOO_LONG = 'ERR String too long for LCS';

const UINT32_MAX = 4294967295;

export function lcsCommand(c: CommandContext, argv: Argv): void {
  // Redis checks the types before the options.
  const va = c.db.get(keyOf(argv[1]!));
  const vb = c.db.get(keyOf(argv[2]!));
  if ((va !== undefined && typeof va !== 'string') || (vb !== undefined && typeof vb !== 'string')) {
    throw new RedisError(ERR_LCS_TYPE);
  }
  let getIdx = false;
  let getLen = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!;
    if (isWord(opt, 'IDX')) getIdx = true;
    else if (isWord(opt, 'LEN')) getLen = true;
    else if (isWord(opt, 'WITHMATCHLEN')) withMatchLen = true;
    else if (isWord(opt, 'MINMATCHLEN') && j + 1 < argv.length) {
      minMatchLen = Math.max(0, longArg(argv[++j]!));
    } else throw new RedisError(ERR_SYNTAX);
  }
  if (getIdx && getLen) throw new RedisError(ERR_LCS_LEN_AND_IDX);
  const a = Buffer.from(va ?? '', 'latin1');
  const b = Buffer.from(vb ?? '', 'latin1');
  if (a.length >= UINT32_MAX - 1 || b.length >= UINT32_MAX - 1) throw new RedisError(ERR_LCS_TOO_LONG);
  if ((a.length + 1) * (b.length + 1) * 4 > Number(c.server.config.get('proto-max-bulk-len'))) {
    throw new RedisError(ERR_LCS_MEMORY);
  }

  if (getLen && !getIdx) return c.reply.integer(lcsLength(a, b));

  const table = lcsTable(a, b);
  const cols = b.length + 1;
  let k = table[a.length * cols + b.length]!;
  const total = k;
  const result = Buffer.allocUnsafe(k);
  // Ranges as flat quadruples: aStart, aEnd, bStart, bEnd.
  const ranges: number[] = [];
  let open = false;
  let aStart = 0;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = a.length;
  let j = b.length;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      result[--k] = a[i - 1]!;
      if (!open) {
        open = true;
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else {
        // Walking back diagonally, each match extends the open range by one.
        aStart--;
        bStart--;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      i--;
      j--;
    } else {
      if (table[(i - 1) * cols + j]! > table[i * cols + j - 1]!) i--;
      else j--;
      if (open) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (minMatchLen === 0 || matchLen >= minMatchLen) ranges.push(aStart, aEnd, bStart, bEnd);
      open = false;
    }
  }

  if (!getIdx) return c.reply.bulk(result);
  const reply = c.reply;
  reply.mapLen(2);
  reply.bulk('matches');
  const count = ranges.length / 4;
  reply.arrayLen(count);
  for (let r = 0; r < ranges.length; r += 4) {
    reply.arrayLen(withMatchLen ? 3 : 2);
    reply.arrayLen(2);
    reply.integer(ranges[r]!);
    reply.integer(ranges[r + 1]!);
    reply.arrayLen(2);
    reply.integer(ranges[r + 2]!);
    reply.integer(ranges[r + 3]!);
    if (withMatchLen) reply.integer(ranges[r + 1]! - ranges[r]! + 1);
  }
  reply.bulk('len');
  reply.integer(total);
}

/** The full (|a|+1) x (|b|+1) table of LCS lengths of prefixes, row-major. */
function lcsTable(a: Buffer, b: Buffer): Uint32Array {
  const cols = b.length + 1;
  const t = new Uint32Array((a.length + 1) * cols);
  for (let i = 1; i <= a.length; i++) {
    const ai = a[i - 1];
    const row = i * cols;
    const prev = row - cols;
    for (let j = 1; j <= b.length; j++) {
      if (ai === b[j - 1]) t[row + j] = t[prev + j - 1]! + 1;
      else {
        const up = t[prev + j]!;
        const left = t[row + j - 1]!;
        t[row + j] = up > left ? up : left;
      }
    }
  }
  return t;
}

/** The LCS length alone, two rows at a time. */
function lcsLength(a: Buffer, b: Buffer): number {
  const cols = b.length + 1;
  let prev = new Uint32Array(cols);
  let cur = new Uint32Array(cols);
  for (let i = 1; i <= a.length; i++) {
    const ai = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      if (ai === b[j - 1]) cur[j] = prev[j - 1]! + 1;
      else {
        const up = prev[j]!;
        const left = cur[j - 1]!;
        cur[j] = up > left ? up : left;
      }
    }
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[b.length]!;
}
