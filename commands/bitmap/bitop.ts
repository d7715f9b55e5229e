/*
 * BITOP AND | OR | XOR | NOT destkey key [key ...]. Missing keys are empty strings, shorter inputs
 * are zero-padded to the longest, and an all-empty result deletes destkey (Redis 7.0).
 */
import type { CommandContext } from '../context.js';
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_SYNTAX, ERR_WRONGTYPE, RedisError } from '../../protocol/errors.js';
import { isWord, keyOf } from '../args.js';
import { NOTIFY_GENERIC, NOTIFY_STRING } from '../notify.js';

type Op = 'and' | 'or' | 'xor' | 'not';

function opArg(buf: Buffer): Op {
  if (isWord(buf, 'AND')) return 'and';
  if (isWord(buf, 'OR')) return 'or';
  if (isWord(buf, 'XOR')) return 'xor';
  if (isWord(buf, 'NOT')) return 'not';
  throw new RedisError(ERR_SYNTAX);
}

export function bitopCommand(c: CommandContext, argv: Argv): void {
  const op = opArg(argv[1]!);
  if (op === 'not' && argv.length !== 4) throw new RedisError('ERR BITOP NOT must be called with a single source key.');
  const srcs: string[] = [];
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    // Redis reads the sources with lookupKeyRead: a missing one publishes `keymiss`.
    const v = c.db.lookupRead(keyOf(argv[j]!));
    if (v !== undefined && typeof v !== 'string') throw new RedisError(ERR_WRONGTYPE);
    const s = v ?? '';
    srcs.push(s);
    if (s.length > maxlen) maxlen = s.length;
  }
  const dest = keyOf(argv[2]!);
  if (maxlen === 0) {
    if (c.db.delete(dest)) {
      c.dirty++;
      c.notify(NOTIFY_GENERIC, 'del', argv[2]!);
    }
    return c.reply.integer(0);
  }
  const out = Buffer.alloc(maxlen);
  const first = srcs[0]!;
  out.write(first, 0, 'latin1');
  if (op === 'not') {
    for (let i = 0; i < maxlen; i++) out[i] = ~out[i]! & 0xff;
  } else {
    for (let k = 1; k < srcs.length; k++) {
      const s = srcs[k]!;
      const n = s.length;
      if (op === 'and') {
        for (let i = 0; i < maxlen; i++) out[i] = i < n ? out[i]! & s.charCodeAt(i) : 0;
      } else if (op === 'or') {
        for (let i = 0; i < n; i++) out[i] = out[i]! | s.charCodeAt(i);
      } else {
        for (let i = 0; i < n; i++) out[i] = out[i]! ^ s.charCodeAt(i);
      }
    }
  }
  c.db.set(dest, out.latin1Slice(0, maxlen));
  c.dirty++;
  c.notify(NOTIFY_STRING, 'set', argv[2]!);
  c.reply.integer(maxlen);
}
