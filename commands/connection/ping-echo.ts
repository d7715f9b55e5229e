import type { CommandContext } from '../context.js';
import type { Argv } from '../../protocol/resp-parser.js';
import { errWrongArity } from '../../protocol/errors.js';

export function pingCommand(c: CommandContext, argv: Argv): void {
  if (argv.length > 2) return c.reply.error(errWrongArity('ping'));
  if (argv.length === 2) return c.reply.bulk(argv[1]!);
  c.reply.simple('PONG');
}

export function echoCommand(c: CommandContext, argv: Argv): void {
  c.reply.bulk(argv[1]!);
}
