/*
 * The pino root logger. Modules take a child (`log.child({ mod: 'aof' })`) and pass fields, not
 * interpolated strings. Level `silent` under vitest so test output stays readable.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

function defaultLevel(): string {
  if (process.env.REWIND_LOG_LEVEL !== undefined) return process.env.REWIND_LOG_LEVEL;
  return process.env.VITEST !== undefined ? 'silent' : 'info';
}

export function createLogger(level = defaultLevel(), destination?: string): Logger {
  if (destination !== undefined && destination !== '') {
    return pino({ level, base: { pid: process.pid } }, pino.destination({ dest: destination, sync: false }));
  }
  // Synchronous stdout: pino then registers no exit-time flush, whose retry loop never ends when
  // stdout's reader has gone (EPIPE), and a broken pipe just silences the logger. Nothing logs
  // per command above debug, so sync writes cost nothing measurable.
  return pino({ level, base: { pid: process.pid } }, pino.destination({ dest: 1, sync: true }));
}

/** Maps Redis's loglevel names to pino's. */
export function pinoLevel(redisLevel: string): string {
  switch (redisLevel) {
    case 'debug':
      return 'debug';
    case 'verbose':
      return 'debug';
    case 'notice':
      return 'info';
    case 'warning':
      return 'warn';
    default:
      return 'silent';
  }
}
