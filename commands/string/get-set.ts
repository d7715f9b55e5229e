import type { CommandContext } from '../context.js';
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_WRONGTYPE } from '../../protocol/errors.js';
import { keyOf, valueOf } from '../args.js';

export function getCommand(c: CommandContext, argv: Argv): void {
  const v = c.db.get(keyOf(argv[1]!));
  if (v === undefined) return c.reply.nullBulk();
  if (typeof v !== 'string') return c.reply.error(ERR_WRONGTYPE);
  c.reply.bulk(v);
}

export function setCommand(c: CommandContext, argv: Argv): void {
  c.db.set(keyOf(argv[1]!), valueOf(argv[2]!));
  c.dirty++;
  c.reply.ok();
}
