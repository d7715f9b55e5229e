/*
 * The HELP reply every container shares: a header line, the command's own lines, then HELP,
 * all as status strings (Redis's addReplyHelp shape).
 */
import type { ReplyWriter } from '../../protocol/reply-writer.js';

export function writeHelp(w: ReplyWriter, command: string, lines: readonly string[]): void {
  w.arrayLen(lines.length + 3);
  w.simple(`${command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const line of lines) w.simple(line);
  w.simple('HELP');
  w.simple('    Prints this help.');
}
