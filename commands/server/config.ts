/*
 * CONFIG GET/SET/RESETSTAT/REWRITE/HELP over the typed parameter table (server/config-table.ts,
 * reached through ConfigApi). SET is all-or-nothing, as in Redis 7.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_SYNTAX } from '../../protocol/errors.js';
import type { CommandContext } from '../context.js';
import { writeHelp } from './help.js';

export function configGetCommand(c: CommandContext, argv: Argv): void {
  const patterns = argv.slice(2).map((a) => a.latin1Slice(0, a.length));
  const pairs = c.server.config.getMatching(patterns);
  c.reply.mapLen(pairs.length);
  for (const [name, value] of pairs) {
    c.reply.bulk(name);
    c.reply.bulk(value);
  }
}

export function configSetCommand(c: CommandContext, argv: Argv): void {
  if ((argv.length - 2) % 2 !== 0) return c.reply.error(ERR_SYNTAX);
  const pairs: [string, string][] = [];
  for (let i = 2; i < argv.length; i += 2) {
    pairs.push([argv[i]!.latin1Slice(0, argv[i]!.length), argv[i + 1]!.latin1Slice(0, argv[i + 1]!.length)]);
  }
  const err = c.server.config.set(pairs);
  if (err !== null) return c.reply.error(err);
  c.reply.ok();
}

export function configResetStatCommand(c: CommandContext, _argv: Argv): void {
  c.server.resetStats();
  c.reply.ok();
}

/** Rewind is configured by flags or a file it never writes back, so REWRITE always answers this. */
export function configRewriteCommand(c: CommandContext, _argv: Argv): void {
  c.reply.error('ERR The server is running without a config file');
}

export function configHelpCommand(c: CommandContext, _argv: Argv): void {
  writeHelp(c.reply, 'CONFIG', [
    'GET <pattern>',
    '    Return parameters matching the glob-like <pattern> and their values.',
    'SET <directive> <value>',
    '    Set the configuration <directive> to <value>.',
    'RESETSTAT',
    '    Reset statistics reported by the INFO command.',
    'REWRITE',
    '    Rewrite the configuration file.',
  ]);
}
