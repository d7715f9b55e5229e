import type { CommandContext } from '../context.js';
import type { Argv } from '../../protocol/resp-parser.js';
import { errWrongArity } from '../../protocol/errors.js';

export function pingCommand(c: CommandContext, argv: Argv): void {
  if (argv.length > 2) return c.reply.error(errWrongArity('ping'));
  if (c.inPubSub && c.resp === 2) {
    // A RESP2 subscriber reads only arrays: PONG comes as one, like a message (Redis 7.0).
    c.reply.arrayLen(2);
    c.reply.bulk('pong');
    c.reply.bulk(argv.length === 2 ? argv[1]! : '');
    return;
  }
  if (argv.length === 2) return c.reply.bulk(argv[1]!);
  c.reply.simple('PONG');
}

export function echoCommand(c: CommandContext, argv: Argv): void {
  c.reply.bulk(argv[1]!);
}
