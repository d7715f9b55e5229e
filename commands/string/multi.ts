/*
 * Many keys at once: MGET, MSET, MSETNX. MSET* count one change per key, as Redis's dirty counter.
 */
import type { CommandContext } from '../context.js';
import type { Argv } from '../../protocol/resp-parser.js';
import { RedisError, errWrongArity } from '../../protocol/errors.js';
import { keyOf, valueOf } from '../args.js';
import { NOTIFY_STRING } from '../notify.js';

/** A key holding another type reads as nil, as in Redis. */
export function mgetCommand(c: CommandContext, argv: Argv): void {
  const n = argv.length;
  const reply = c.reply;
  const db = c.db;
  reply.arrayLen(n - 1);
  for (let i = 1; i < n; i++) {
    const v = db.get(keyOf(argv[i]!));
    if (typeof v === 'string') reply.bulk(v);
    else reply.nullBulk();
  }
}

export function msetCommand(c: CommandContext, argv: Argv): void {
  if (argv.length % 2 === 0) throw new RedisError(errWrongArity('mset'));
  msetGeneric(c, argv);
  c.reply.ok();
}

/** Sets every pair only when none of the keys exists; replies 1 or 0. */
export function msetnxCommand(c: CommandContext, argv: Argv): void {
  if (argv.length % 2 === 0) throw new RedisError(errWrongArity('msetnx'));
  const n = argv.length;
  for (let i = 1; i < n; i += 2) {
    if (c.db.has(keyOf(argv[i]!))) return c.reply.integer(0);
  }
  msetGeneric(c, argv);
  c.reply.integer(1);
}

function msetGeneric(c: CommandContext, argv: Argv): void {
  const n = argv.length;
  const db = c.db;
  // A key given twice ends with its last value, as successive SETs would leave it.
  // One set event per pair, a repeated key included, as Redis.
  for (let i = 1; i < n; i += 2) {
    db.set(keyOf(argv[i]!), valueOf(argv[i + 1]!));
    c.notify(NOTIFY_STRING, 'set', argv[i]!);
  }
  c.dirty += (n - 1) / 2;
}
