/*
 * `rewind-server --restore-to <time> --dry-run`: loads the state at that second into a server
 * that never listens and never writes a file, and prints what a real restore would serve.
 */
import type { Config } from './config.js';
import type { Logger } from './log.js';
import { ServerState } from './server-state.js';
import { SYSTEM_CLOCK } from '../commands/keyspace/db-hooks.js';
import { formatTime } from '../persistence/aof-restore.js';

export async function restoreDryRun(config: Config, log: Logger): Promise<string> {
  const state = new ServerState(config, log, SYSTEM_CLOCK);
  const report = (await state.persistence.loadAtStartup(true))!;
  const lines = [
    `Restore target: ${formatTime(report.target)} (the state at the end of that second)`,
    `Replayed from timeline ${report.timeline}: ${report.chain.join(', ')}`,
    report.stoppedAt === null
      ? 'Replay reached the end of the files: no write after the target was found'
      : `Replay stopped before #TS:${report.stoppedAt.timestamp} at offset ${report.stoppedAt.offset} of ${report.stoppedAt.file}`,
    `Commands applied from the incr files: ${report.commands}`,
    `Last command applied: ${report.lastCommand === null ? '(none: the base alone)' : report.lastCommand.map(quote).join(' ')}`,
    'Keys per database:',
  ];
  let listed = false;
  state.dbs.forEach((db, i) => {
    if (db.size === 0) return;
    listed = true;
    lines.push(`  db${i}: keys=${db.size},expires=${db.expiresCount}`);
  });
  if (!listed) lines.push('  (empty)');
  lines.push('Nothing was changed (dry run).');
  return `${lines.join('\n')}\n`;
}

function quote(arg: string): string {
  return /^[\x21-\x7e]+$/.test(arg) && !arg.includes('"') ? arg : JSON.stringify(arg);
}
