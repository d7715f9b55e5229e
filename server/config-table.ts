/*
 * Every configuration parameter Rewind knows: name, type, default, whether CONFIG SET may change
 * it. The CLI, config files, CONFIG GET and CONFIG SET all read this one table. Names and
 * defaults are Redis 7's; `restore-to` and the `aof-archive-*` parameters are Rewind's own.
 */

export type ParamType =
  | { kind: 'bool' }
  | { kind: 'int'; min: number; max: number }
  | { kind: 'memory'; min: number; max: number }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'flags'; values: readonly string[] }
  | { kind: 'string' }
  | { kind: 'save' }
  | { kind: 'list' }
  | { kind: 'client-output-buffer-limit' }
  | { kind: 'keyspace-events' };

export interface ParamSpec {
  readonly name: string;
  readonly type: ParamType;
  readonly default: string;
  readonly mutable: boolean;
  readonly alias?: string;
  /** Hidden from CONFIG GET * (Redis hides a few, such as aliases). */
  readonly hidden?: boolean;
}

const BOOL = { kind: 'bool' } as const;
const STRING = { kind: 'string' } as const;
const int = (min: number, max: number): ParamType => ({ kind: 'int', min, max });
const memory = (min = 0, max = Number.MAX_SAFE_INTEGER): ParamType => ({ kind: 'memory', min, max });
const oneOf = (...values: string[]): ParamType => ({ kind: 'enum', values });
const LONG_MAX = Number.MAX_SAFE_INTEGER;
const INT_MAX = 2147483647;

function p(name: string, type: ParamType, def: string, mutable = true, extra: Partial<ParamSpec> = {}): ParamSpec {
  return { name, type, default: def, mutable, ...extra };
}

export const PARAMS: readonly ParamSpec[] = [
  // network
  p('bind', { kind: 'list' }, '127.0.0.1 -::1'),
  p('port', int(0, 65535), '6379'),
  p('tcp-backlog', int(0, INT_MAX), '511', false),
  p('timeout', int(0, INT_MAX), '0'),
  p('tcp-keepalive', int(0, INT_MAX), '300'),
  p('protected-mode', BOOL, 'yes'),
  p('unixsocket', STRING, '', false),
  p('unixsocketperm', int(0, 0o777), '0', false),
  p('maxclients', int(1, INT_MAX), '10000'),
  p('proto-max-bulk-len', memory(1024 * 1024, LONG_MAX), '536870912'),
  p('client-query-buffer-limit', memory(1024 * 1024, LONG_MAX), '1073741824'),
  p('client-output-buffer-limit', { kind: 'client-output-buffer-limit' }, 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60'),
  p('io-threads', int(1, 128), '1', false),
  p('io-threads-do-reads', BOOL, 'no', false),
  // general
  p('daemonize', BOOL, 'no', false),
  p('pidfile', STRING, '', false),
  p('loglevel', oneOf('debug', 'verbose', 'notice', 'warning', 'nothing'), 'notice'),
  p('logfile', STRING, '', false),
  p('databases', int(1, INT_MAX), '16', false),
  p('hz', int(0, INT_MAX), '10'),
  p('dynamic-hz', BOOL, 'yes'),
  p('requirepass', STRING, ''),
  p('enable-debug-command', oneOf('no', 'yes', 'local'), 'no', false),
  p('enable-protected-configs', oneOf('no', 'yes', 'local'), 'no', false),
  p('active-expire-effort', int(1, 10), '1'),
  p('lazyfree-lazy-user-flush', BOOL, 'no'),
  p('lazyfree-lazy-user-del', BOOL, 'no'),
  p('lazyfree-lazy-expire', BOOL, 'no'),
  p('lazyfree-lazy-eviction', BOOL, 'no'),
  p('lazyfree-lazy-server-del', BOOL, 'no'),
  p('latency-tracking', BOOL, 'yes'),
  p('tracking-table-max-keys', int(0, LONG_MAX), '1000000'),
  p('slowlog-log-slower-than', int(-1, LONG_MAX), '10000'),
  p('slowlog-max-len', int(0, LONG_MAX), '128'),
  p('busy-reply-threshold', int(0, LONG_MAX), '5000', true, { alias: 'lua-time-limit' }),
  p('notify-keyspace-events', { kind: 'keyspace-events' }, ''),
  // memory
  p('maxmemory', memory(), '0'),
  p('maxmemory-policy', oneOf('volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction'), 'noeviction'),
  p('maxmemory-samples', int(1, 64), '5'),
  p('lfu-log-factor', int(0, INT_MAX), '10'),
  p('lfu-decay-time', int(0, INT_MAX), '1'),
  // encodings
  p('hash-max-listpack-entries', int(0, LONG_MAX), '512', true, { alias: 'hash-max-ziplist-entries' }),
  p('hash-max-listpack-value', int(0, LONG_MAX), '64', true, { alias: 'hash-max-ziplist-value' }),
  p('list-max-listpack-size', int(-INT_MAX - 1, INT_MAX), '-2', true, { alias: 'list-max-ziplist-size' }),
  p('list-compress-depth', int(0, INT_MAX), '0'),
  p('set-max-intset-entries', int(0, LONG_MAX), '512'),
  p('set-max-listpack-entries', int(0, LONG_MAX), '128'),
  p('set-max-listpack-value', int(0, LONG_MAX), '64'),
  p('zset-max-listpack-entries', int(0, LONG_MAX), '128', true, { alias: 'zset-max-ziplist-entries' }),
  p('zset-max-listpack-value', int(0, LONG_MAX), '64', true, { alias: 'zset-max-ziplist-value' }),
  p('stream-node-max-bytes', memory(0, LONG_MAX), '4096'),
  p('stream-node-max-entries', int(0, LONG_MAX), '100'),
  p('hll-sparse-max-bytes', memory(0, LONG_MAX), '3000'),
  // persistence
  p('dir', STRING, '.'),
  p('dbfilename', STRING, 'dump.rdb'),
  p('save', { kind: 'save' }, '3600 1 300 100 60 10000'),
  p('rdbcompression', BOOL, 'yes'),
  p('rdbchecksum', BOOL, 'yes'),
  p('stop-writes-on-bgsave-error', BOOL, 'yes'),
  p('appendonly', BOOL, 'no'),
  p('appendfilename', STRING, 'appendonly.aof', false),
  p('appenddirname', STRING, 'appendonlydir', false),
  p('appendfsync', oneOf('everysec', 'always', 'no'), 'everysec'),
  p('no-appendfsync-on-rewrite', BOOL, 'no'),
  p('auto-aof-rewrite-percentage', int(0, INT_MAX), '100'),
  p('auto-aof-rewrite-min-size', memory(0, LONG_MAX), '67108864'),
  p('aof-load-truncated', BOOL, 'yes'),
  p('aof-use-rdb-preamble', BOOL, 'yes'),
  p('aof-timestamp-enabled', BOOL, 'no'),
  p('aof-rewrite-incremental-fsync', BOOL, 'yes'),
  p('aof-disable-auto-gc', BOOL, 'no'),
  // Rewind's own
  p('restore-to', STRING, '', false),
  // How long, and up to how many bytes, files retired by rewrites and restores are kept in
  // appendonlydir/archive (with aof-timestamp-enabled yes). 0 = no limit.
  p('aof-archive-retention', STRING, '7d'),
  p('aof-archive-max-size', memory(0, LONG_MAX), '0'),
];
