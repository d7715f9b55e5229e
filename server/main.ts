/*
 * rewind-server entry point: `rewind-server [config-file] [--name value ...]`, as redis-server.
 * A bad option exits 1 with one line on stderr; SIGTERM and SIGINT shut down gracefully.
 */
import { Config, ConfigError, parseCommandLine, readConfigFile } from './config.js';
import { startWithConfig, type RunningServer } from './index.js';
import { StartupError } from './persistence.js';
import { restoreDryRun } from './restore-report.js';
import { createLogger, pinoLevel } from './log.js';
import { startIdleCollector } from './memory.js';
import { REWIND_VERSION, REDIS_COMPAT_VERSION } from './server-state.js';

async function main(): Promise<void> {
  const args = parseCommandLine(process.argv.slice(2));
  if (args.version) {
    process.stdout.write(`Rewind server v=${REWIND_VERSION} redis-compat=${REDIS_COMPAT_VERSION} node=${process.version}\n`);
    return;
  }
  if (args.help) {
    process.stdout.write('Usage: rewind-server [/path/to/redis.conf] [--name value ...]\n' +
      '       rewind-server --port 6390 --appendonly yes\n' +
      '       rewind-server --restore-to 2025-12-05T07:03:21Z [--dry-run]\n');
    return;
  }
  const config = new Config();
  const directives = args.configFile !== undefined ? readConfigFile(args.configFile) : [];
  for (const d of [...directives, ...args.directives]) config.load(d.name, d.args, d.where);
  if (args.dryRun) {
    if (config.get('restore-to') === '') throw new ConfigError('--dry-run goes with --restore-to <time>');
    const quiet = createLogger(process.env.REWIND_LOG_LEVEL ?? 'warn');
    process.stdout.write(await restoreDryRun(config, quiet));
    return;
  }
  const log = createLogger(process.env.REWIND_LOG_LEVEL ?? pinoLevel(config.get('loglevel')), config.get('logfile') || undefined);
  // Handlers go in before the server listens: a signal that arrives during startup must still
  // stop it gracefully, once it is up.
  let stopRequested: string | null = null;
  let server: RunningServer | null = null;
  const stop = (signal: string): void => {
    log.info({ signal }, 'received signal, shutting down');
    stopRequested = signal;
    if (server !== null) void server.close('default');
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  const heapBeforeLoad = process.memoryUsage().heapUsed;
  server = await startWithConfig(config, log);
  if (stopRequested !== null) void server.close('default');
  const stopCollector = startIdleCollector(server.state, log, heapBeforeLoad);
  await server.closed;
  stopCollector();
  // stdout logging is synchronous (see log.ts); only the async log file needs a flush.
  if (config.get('logfile') !== '') log.flush();
  process.exit(0);
}

main().catch((e: unknown) => {
  const msg = e instanceof ConfigError || e instanceof StartupError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
  process.stderr.write(`rewind-server: ${msg}\n`);
  process.exit(1);
});
