/*
 * INFO [section ...]: Redis 7's sections and field names, so tools that parse INFO (ioredis's
 * ready check reads `loading:0`, redis-benchmark, exporters) find what they expect. Fields with no
 * Rewind equivalent (forks, replication backlog, allocator stats) hold the values an idle
 * standalone Redis reports. `rewind_version` is our own.
 */
import { cpuUsage, memoryUsage } from 'node:process';
import os from 'node:os';
import type { Argv } from '../../protocol/resp-parser.js';
import type { CommandContext, ServerApi } from '../context.js';

type Section = (s: ServerApi, c: CommandContext) => string[];

function human(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T', 'P'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${bytes}B` : `${v.toFixed(2)}${units[i]}`;
}

const OS_TEXT = `${os.type()} ${os.release()} ${os.machine()}`;

/** A stable 40-hex run id per process (Redis draws a random one at startup). */
const RUN_ID = Array.from({ length: 40 }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('');
const REPL_ID = Array.from({ length: 40 }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('');

const server: Section = (s) => {
  const now = Date.now();
  const up = Math.floor((now - s.startedAt) / 1000);
  const hz = s.config.get('hz');
  return [
    `redis_version:${s.version}`,
    `rewind_version:${s.rewindVersion}`,
    'redis_git_sha1:00000000',
    'redis_git_dirty:0',
    'redis_build_id:0',
    'redis_mode:standalone',
    `os:${OS_TEXT}`,
    'arch_bits:64',
    'monotonic_clock:POSIX clock_gettime',
    'multiplexing_api:epoll',
    'atomicvar_api:c11-builtin',
    'gcc_version:0.0.0',
    `process_id:${s.pid}`,
    'process_supervised:no',
    `run_id:${RUN_ID}`,
    `tcp_port:${s.tcpPort}`,
    `server_time_usec:${now * 1000}`,
    `uptime_in_seconds:${up}`,
    `uptime_in_days:${Math.floor(up / 86400)}`,
    `hz:${hz}`,
    `configured_hz:${hz}`,
    `lru_clock:${Math.floor(now / 1000) & 0xffffff}`,
    `executable:${process.argv[1] ?? ''}`,
    'config_file:',
    'io_threads_active:0',
  ];
};

const clients: Section = (s) => {
  let n = 0;
  let maxIn = 0;
  let maxOut = 0;
  for (const c of s.clients()) {
    n++;
    maxIn = Math.max(maxIn, c.queryBufferBytes);
    maxOut = Math.max(maxOut, c.outputBytes);
  }
  return [
    `connected_clients:${n}`,
    'cluster_connections:0',
    `maxclients:${s.config.get('maxclients')}`,
    `client_recent_max_input_buffer:${maxIn}`,
    `client_recent_max_output_buffer:${maxOut}`,
    `blocked_clients:${s.blockedClients}`,
    `tracking_clients:${s.tracking.clientCount}`,
    `clients_in_timeout_table:${s.blockedWithTimeout}`,
    `total_blocking_keys:${s.blockingKeys}`,
    'total_blocking_keys_on_nokey:0',
  ];
};

const memory: Section = (s) => {
  const m = memoryUsage();
  const used = m.heapUsed + m.external;
  const maxmemory = Number(s.config.get('maxmemory'));
  const lua = s.scripts.memory();
  let functionBytes = 0;
  for (const code of s.scripts.functions.all()) functionBytes += code.length;
  return [
    `used_memory:${used}`,
    `used_memory_human:${human(used)}`,
    `used_memory_rss:${m.rss}`,
    `used_memory_rss_human:${human(m.rss)}`,
    `used_memory_peak:${used}`,
    `used_memory_peak_human:${human(used)}`,
    'used_memory_peak_perc:100.00%',
    'used_memory_overhead:0',
    'used_memory_startup:0',
    `used_memory_dataset:${used}`,
    'used_memory_dataset_perc:100.00%',
    `total_system_memory:${os.totalmem()}`,
    `total_system_memory_human:${human(os.totalmem())}`,
    // Functions live in the EVAL state here: the VM figures are that one state's.
    `used_memory_lua:${lua.lua}`,
    `used_memory_vm_eval:${lua.lua}`,
    `used_memory_lua_human:${human(lua.lua)}`,
    `used_memory_scripts_eval:${lua.scripts}`,
    `number_of_cached_scripts:${s.scripts.scriptCount}`,
    `number_of_functions:${s.scripts.functions.functionCount}`,
    `number_of_libraries:${s.scripts.functions.size}`,
    'used_memory_vm_functions:0',
    `used_memory_vm_total:${lua.lua}`,
    `used_memory_vm_total_human:${human(lua.lua)}`,
    `used_memory_functions:${functionBytes}`,
    `used_memory_scripts:${lua.scripts + functionBytes}`,
    `used_memory_scripts_human:${human(lua.scripts + functionBytes)}`,
    `maxmemory:${maxmemory}`,
    `maxmemory_human:${human(maxmemory)}`,
    `maxmemory_policy:${s.config.get('maxmemory-policy')}`,
    `mem_fragmentation_ratio:${used > 0 ? (m.rss / used).toFixed(2) : '0.00'}`,
    'mem_not_counted_for_evict:0',
    'mem_replication_backlog:0',
    'mem_clients_slaves:0',
    'mem_clients_normal:0',
    'mem_aof_buffer:0',
    'mem_allocator:v8',
    'active_defrag_running:0',
    'lazyfree_pending_objects:0',
    'lazyfreed_objects:0',
  ];
};

const persistence: Section = (s) => s.persistence.infoLines();

const stats: Section = (s) => {
  const st = s.stats;
  return [
    `total_connections_received:${st.totalConnections}`,
    `total_commands_processed:${st.totalCommands}`,
    'instantaneous_ops_per_sec:0',
    `total_net_input_bytes:${st.netInputBytes}`,
    `total_net_output_bytes:${st.netOutputBytes}`,
    'total_net_repl_input_bytes:0',
    'total_net_repl_output_bytes:0',
    'instantaneous_input_kbps:0.00',
    'instantaneous_output_kbps:0.00',
    'instantaneous_input_repl_kbps:0.00',
    'instantaneous_output_repl_kbps:0.00',
    `rejected_connections:${st.rejectedConnections}`,
    'sync_full:0',
    'sync_partial_ok:0',
    'sync_partial_err:0',
    `expired_keys:${st.expiredKeys}`,
    'expired_stale_perc:0.00',
    'expired_time_cap_reached_count:0',
    'expire_cycle_cpu_milliseconds:0',
    'evicted_keys:0',
    'evicted_clients:0',
    'total_eviction_exceeded_time:0',
    'current_eviction_exceeded_time:0',
    `keyspace_hits:${st.keyspaceHits}`,
    `keyspace_misses:${st.keyspaceMisses}`,
    `pubsub_channels:${s.pubsub.channelCount('channel')}`,
    `pubsub_patterns:${s.pubsub.patternCount}`,
    `pubsubshard_channels:${s.pubsub.channelCount('shard')}`,
    'latest_fork_usec:0',
    'total_forks:0',
    'migrate_cached_sockets:0',
    'slave_expires_tracked_keys:0',
    'active_defrag_hits:0',
    'active_defrag_misses:0',
    'active_defrag_key_hits:0',
    'active_defrag_key_misses:0',
    'total_active_defrag_time:0',
    'current_active_defrag_time:0',
    `tracking_total_keys:${s.tracking.totalKeys}`,
    `tracking_total_items:${s.tracking.totalItems}`,
    `tracking_total_prefixes:${s.tracking.totalPrefixes}`,
    'unexpected_error_replies:0',
    `total_error_replies:${st.totalErrorReplies}`,
    'dump_payload_sanitizations:0',
    'total_reads_processed:0',
    'total_writes_processed:0',
    'io_threaded_reads_processed:0',
    'io_threaded_writes_processed:0',
    'client_query_buffer_limit_disconnections:0',
    'client_output_buffer_limit_disconnections:0',
    'reply_buffer_shrinks:0',
    'reply_buffer_expands:0',
    'eventloop_cycles:0',
    'eventloop_duration_sum:0',
    'eventloop_duration_cmd_sum:0',
    'instantaneous_eventloop_cycles_per_sec:0',
    'instantaneous_eventloop_duration_usec:0',
    'acl_access_denied_auth:0',
    'acl_access_denied_cmd:0',
    'acl_access_denied_key:0',
    'acl_access_denied_channel:0',
  ];
};

const replication: Section = () => [
  'role:master',
  'connected_slaves:0',
  'master_failover_state:no-failover',
  `master_replid:${REPL_ID}`,
  'master_replid2:0000000000000000000000000000000000000000',
  'master_repl_offset:0',
  'second_repl_offset:-1',
  'repl_backlog_active:0',
  'repl_backlog_size:1048576',
  'repl_backlog_first_byte_offset:0',
  'repl_backlog_histlen:0',
];

const cpu: Section = () => {
  const u = cpuUsage();
  const sys = (u.system / 1e6).toFixed(6);
  const user = (u.user / 1e6).toFixed(6);
  return [
    `used_cpu_sys:${sys}`,
    `used_cpu_user:${user}`,
    'used_cpu_sys_children:0.000000',
    'used_cpu_user_children:0.000000',
    `used_cpu_sys_main_thread:${sys}`,
    `used_cpu_user_main_thread:${user}`,
  ];
};

const modules: Section = () => [];

const errorstats: Section = (s) => {
  const out: string[] = [];
  for (const [code, count] of s.stats.errorCounts) out.push(`errorstat_${code}:count=${count}`);
  return out;
};

const commandstats: Section = (s) => {
  const out: string[] = [];
  for (const [name, st] of s.stats.commands) {
    if (st.calls === 0 && st.rejectedCalls === 0 && st.failedCalls === 0) continue;
    const usec = Math.round(st.usec);
    const per = st.calls === 0 ? 0 : usec / st.calls;
    out.push(`cmdstat_${name}:calls=${st.calls},usec=${usec},usec_per_call=${per.toFixed(2)},rejected_calls=${st.rejectedCalls},failed_calls=${st.failedCalls}`);
  }
  return out;
};

const cluster: Section = () => ['cluster_enabled:0'];

const keyspace: Section = (s) => {
  const out: string[] = [];
  for (const db of s.dbs) {
    if (db.size === 0) continue;
    out.push(`db${db.id}:keys=${db.size},expires=${db.expiresCount},avg_ttl=${Math.round(db.avgTtl)}`);
  }
  return out;
};

/** Section name as requested -> title and body, in Redis's order. */
const SECTIONS: readonly [string, string, Section][] = [
  ['server', 'Server', server],
  ['clients', 'Clients', clients],
  ['memory', 'Memory', memory],
  ['persistence', 'Persistence', persistence],
  ['stats', 'Stats', stats],
  ['replication', 'Replication', replication],
  ['cpu', 'CPU', cpu],
  ['modules', 'Modules', modules],
  ['commandstats', 'Commandstats', commandstats],
  ['errorstats', 'Errorstats', errorstats],
  ['cluster', 'Cluster', cluster],
  ['keyspace', 'Keyspace', keyspace],
];

const DEFAULT = new Set(['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'errorstats', 'cluster', 'keyspace']);

/** The section names one INFO call shows, from its arguments (lowercased). */
function selectSections(args: readonly string[]): Set<string> {
  if (args.length === 0) return DEFAULT;
  const out = new Set<string>();
  for (const a of args) {
    if (a === 'default') for (const d of DEFAULT) out.add(d);
    // Rewind has no module-generated sections, so `all` and `everything` are the same set.
    else if (a === 'all' || a === 'everything') for (const [n] of SECTIONS) out.add(n);
    else out.add(a);
  }
  return out;
}

/** The INFO text for the given section arguments, as Redis formats it. */
export function infoText(s: ServerApi, c: CommandContext, args: readonly string[]): string {
  const wanted = selectSections(args);
  const parts: string[] = [];
  for (const [name, title, section] of SECTIONS) {
    if (!wanted.has(name)) continue;
    const lines = section(s, c);
    parts.push(`# ${title}\r\n${lines.map((l) => `${l}\r\n`).join('')}`);
  }
  return parts.join('\r\n');
}

export function infoCommand(c: CommandContext, argv: Argv): void {
  const args = argv.slice(1).map((a) => a.latin1Slice(0, a.length).toLowerCase());
  c.reply.verbatim(infoText(c.server, c, args));
}
