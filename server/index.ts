/*
 * The public API: start a Rewind server in-process.
 *
 *   const server = await startServer({ port: 0, appendonly: 'yes' });
 *   // ... connect any Redis client to server.port ...
 *   await server.close();
 *
 * Options are Redis config names (as in redis.conf) with string, number or boolean values.
 */
import net from 'node:net';
import { Config, ConfigError } from './config.js';
import { createLogger, pinoLevel, type Logger } from './log.js';
import { ServerState } from './server-state.js';
import { adoptConnection } from './connection.js';
import type { Client } from './client.js';
import { SYSTEM_CLOCK, type Clock } from '../commands/keyspace/db-hooks.js';
import type { ShutdownOptions } from '../commands/context.js';

export type SaveMode = ShutdownOptions['save'];

export { ConfigError };

export interface StartOptions {
  /** Config parameters by their Redis names, e.g. { port: 0, appendonly: 'yes' }. */
  config?: Record<string, string | number | boolean>;
  logger?: Logger;
  clock?: Clock;
}

export interface RunningServer {
  /** The TCP port actually bound (useful with port 0). */
  readonly port: number;
  readonly state: ServerState;
  /**
   * Stops accepting, closes every client, writes and syncs the AOF. `save` as SHUTDOWN's: 'default'
   * saves dump.rdb when save rules exist (SHUTDOWN and SIGTERM use it); the default here is
   * 'nosave'. Idempotent: the first call decides.
   */
  close(save?: SaveMode): Promise<void>;
  /** Resolves when the server stopped, by close(), SHUTDOWN or a signal. */
  readonly closed: Promise<void>;
}

export function configFrom(options: Record<string, string | number | boolean>): Config {
  const config = new Config();
  for (const [name, value] of Object.entries(options)) {
    const text = typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value);
    config.load(name, [text], `option ${name}`);
  }
  return config;
}

/** startServer({ port: 0 }) or startServer({ config: {...}, logger }). */
export async function startServer(
  options: Record<string, string | number | boolean> | StartOptions = {},
): Promise<RunningServer> {
  const opts: StartOptions = isStartOptions(options) ? options : { config: options };
  const config = configFrom(opts.config ?? {});
  return startWithConfig(config, opts.logger, opts.clock);
}

function isStartOptions(o: object): o is StartOptions {
  return 'config' in o || 'logger' in o || 'clock' in o;
}

export async function startWithConfig(config: Config, logger?: Logger, clock: Clock = SYSTEM_CLOCK): Promise<RunningServer> {
  const log = logger ?? createLogger(process.env.VITEST !== undefined ? 'silent' : process.env.REWIND_LOG_LEVEL ?? pinoLevel(config.get('loglevel')));
  const state = new ServerState(config, log, clock);
  // The Lua runtime compiles asynchronously: ready before any client or AOF record can EVAL.
  await state.scripts.init();
  const sockets = new Set<net.Socket>();
  const servers: net.Server[] = [];

  const onConnection = (accepted: net.Socket): void => {
    if (state.clientCount >= config.int('maxclients')) {
      state.stats.rejectedConnections++;
      accepted.end('-ERR max number of clients reached\r\n');
      return;
    }
    let client: Client | null = null;
    const socket = adoptConnection(accepted, (_s, chunk) => {
      state.onData(client!, chunk);
      client!.parser.detach();
    });
    client = state.newClient(socket);
    socket.setNoDelay(true);
    const keepalive = config.int('tcp-keepalive');
    if (keepalive > 0) socket.setKeepAlive(true, keepalive * 1000);
    sockets.add(socket);
    const owner = client;
    socket.on('error', (err) => log.debug({ client: owner.id, err: err.message }, 'socket error'));
    socket.on('close', () => {
      sockets.delete(socket);
      owner.detach();
    });
  };

  const port = config.int('port');
  const binds = config.get('bind').split(' ').filter((b) => b !== '');
  let boundPort = port;
  for (const raw of binds) {
    const optional = raw.startsWith('-');
    const host = optional ? raw.slice(1) : raw;
    const server = net.createServer({ noDelay: true, pauseOnConnect: true }, onConnection);
    try {
      await listen(server, boundPort, host, config.int('tcp-backlog'));
    } catch (e) {
      if (optional) continue;
      for (const s of servers) s.close();
      throw new ConfigError(`cannot listen on ${host}:${boundPort}: ${(e as Error).message}`);
    }
    const addr = server.address();
    if (addr !== null && typeof addr === 'object') boundPort = addr.port;
    servers.push(server);
  }
  state.tcpPort = boundPort;

  const cronTimer = setInterval(() => state.cron(), 1000 / Math.max(1, config.int('hz')));
  cronTimer.unref();

  // Listening already: clients that connect during a long load get -LOADING, INFO shows progress.
  try {
    await state.persistence.loadAtStartup();
  } catch (e) {
    clearInterval(cronTimer);
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    throw e;
  }

  let closing: Promise<void> | null = null;
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });

  const close = (save: SaveMode = 'nosave'): Promise<void> => {
    if (closing !== null) return closing;
    closing = (async () => {
      clearInterval(cronTimer);
      try {
        state.persistence.shutdown(save);
      } catch (e) {
        log.error({ err: e as Error }, 'error while saving at shutdown');
      }
      // net.Server.close() waits for open connections, so end them before awaiting it (SHUTDOWN
      // runs while its own client is still connected).
      const stopped = Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
      state.afterBatch();
      for (const s of sockets) s.destroy();
      await stopped;
      await state.persistence.idle();
      log.info({ port: boundPort }, 'server stopped');
      resolveClosed();
    })();
    return closing;
  };

  state.onShutdown = (opts: ShutdownOptions) => {
    log.info({ opts }, 'SHUTDOWN requested');
    // Saved before accepting, so a failed save can refuse the shutdown as Redis does.
    try {
      state.persistence.shutdown(opts.save);
    } catch (e) {
      log.error({ err: e as Error }, 'Error trying to save the DB, can\'t exit.');
      if (!opts.force) return 'ERR Errors trying to SHUTDOWN. Check logs.';
    }
    setImmediate(() => void close('nosave'));
    return null;
  };

  log.info({ port: boundPort, bind: binds, version: state.version }, 'ready to accept connections');
  return { port: boundPort, state, close, closed };
}

function listen(server: net.Server, port: number, host: string, backlog: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    server.listen({ port, host, backlog, ipv6Only: host.includes(':') }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
