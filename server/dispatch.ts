/*
 * dispatch: the order every command goes through, as Redis's processCommand and call() do:
 *   lookup (unknown command / subcommand) -> arity -> authentication -> run -> propagate -> stats.
 * Handlers never check arity or auth themselves. Synchronous end to end.
 * In MULTI, a command that passed every check is queued instead of run (+QUEUED); one refused by
 * a check marks the transaction so EXEC answers EXECABORT (server/multi.ts).
 */
import type { Argv } from '../protocol/resp-parser.js';
import {
  ERR_NOAUTH, ERR_REPLICA_KEYSPACE, RedisError, oneLine, errUnknownCommand, errUnknownSubcommand, errWrongArity,
} from '../protocol/errors.js';
import type { CommandFlag, CommandSpec } from '../commands/table.js';
import type { CommandStats } from '../commands/context.js';
import { ERR_NOT_IN_MULTI, errExecAbort } from '../commands/transactions/errors.js';
import { FLAG_MONITOR, type Client } from './client.js';
import { discardTransaction } from './multi.js';
import { afterWrite, beforeWrite } from './modified-keys.js';
import { ERR_BUSY_EVAL, ERR_BUSY_FUNCTION } from '../commands/scripting/engine.js';

const ERR_LOADING = 'LOADING Redis is loading the dataset in memory';
import type { ServerState } from './server-state.js';

/**
 * Runs one command for c, inside a batch opened by server.beginBatch() (processInput does it):
 * command time and timing stats are taken per batch.
 */
export function dispatch(server: ServerState, c: Client, argv: Argv): void {
  // CLIENT REPLY SKIP: the next command runs with its reply discarded.
  if (c.replyMode === 'skip') {
    c.replyMode = 'on';
    c.reply.mute();
    dispatchCommand(server, c, argv);
    if (c.replyMode === 'on') c.reply.unmute();
  } else {
    dispatchCommand(server, c, argv);
  }
  // CLIENT CACHING marks only the next command (a held one has not run yet).
  if (c.tracking !== null && c.tracking.caching && c.postponed === null) server.tracking.commandDone(c, argv);
}

function dispatchCommand(server: ServerState, c: Client, argv: Argv): void {
  const entry = server.commandByBytes(argv[0]!);
  if (entry === undefined) {
    const nameBuf = argv[0]!;
    return reject(server, c, errUnknownCommand(nameBuf.latin1Slice(0, nameBuf.length), argv));
  }
  let spec = entry.spec;
  let stats = entry.stats;
  if (spec.subcommands !== undefined && (argv.length > 1 || spec.run === undefined)) {
    if (argv.length === 1) return reject(server, c, errWrongArity(spec.name));
    const subName = argv[1]!.latin1Slice(0, argv[1]!.length);
    const sub = server.table.lookupSub(spec, subName);
    if (sub === undefined) return reject(server, c, errUnknownSubcommand(subName, spec.name));
    spec = sub;
    stats = server.commandStats(sub);
  }
  const arity = spec.arity;
  if ((arity > 0 && argv.length !== arity) || argv.length < -arity) {
    return refuse(server, c, spec, stats, argv, errWrongArity(spec.name), true);
  }
  if (!c.authenticated && !spec.flags.includes('no_auth')) {
    return refuse(server, c, spec, stats, argv, ERR_NOAUTH, false);
  }
  const multi = c.multi;
  if (multi !== null && spec.flags.includes('no_multi')) {
    return refuse(server, c, spec, stats, argv, ERR_NOT_IN_MULTI, true);
  }
  if (server.loading && c.connected && !spec.flags.includes('loading')) {
    return refuse(server, c, spec, stats, argv, ERR_LOADING, false);
  }
  if ((c.flags & FLAG_MONITOR) !== 0) {
    // A MONITOR client is a replica to Redis 7: it may not touch the keyspace.
    const line = monitorRefusal(checkedFlags(spec, c));
    if (line !== null) return refuse(server, c, spec, stats, argv, line, line === ERR_REPLICA_KEYSPACE);
  }
  if (server.denyWrites !== null && (checkedFlags(spec, c).includes('write') || spec.name === 'ping')) {
    return refuse(server, c, spec, stats, argv, server.denyWrites, false);
  }
  if (server.busyScript !== null && !spec.flags.includes('allow_busy')) {
    return refuse(server, c, spec, stats, argv, server.busyScript === 'eval' ? ERR_BUSY_EVAL : ERR_BUSY_FUNCTION, false);
  }
  if (c.reply.resp === 2 && c.inPubSub && !SUBSCRIBED_MODE.has(spec.name)) {
    // RESP2 has no way to tell a reply from a message: a subscribed connection only manages its
    // subscriptions (Redis 7.0 wording; RESP3's push frames lift the restriction).
    return refuse(server, c, spec, stats, argv, errSubscribedMode(spec.name), true);
  }
  // CLIENT PAUSE holds the command (queued ones too, as Redis checks before queueing).
  if (server.clientPause.active && server.clientPause.hold(c, spec, argv)) return;
  if (multi !== null && !RUN_IN_MULTI.has(spec.name)) {
    // Redis stops storing once EXEC is bound to fail; the client still sees +QUEUED.
    if (!multi.refused && !c.dirtyCas) multi.queue(spec, stats, argv);
    c.lastCommand = spec.name;
    c.reply.simple('QUEUED');
    return;
  }
  call(server, c, spec, stats, argv);
}

/** What a RESP2 client may run while subscribed. */
const SUBSCRIBED_MODE = new Set([
  'subscribe', 'ssubscribe', 'psubscribe', 'unsubscribe', 'sunsubscribe', 'punsubscribe', 'ping', 'quit', 'reset',
]);

function errSubscribedMode(name: string): string {
  return `ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
}

/** What a client in MULTI runs at once instead of queueing. */
const RUN_IN_MULTI = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

/** The flags the checks see: EXEC counts as what it will run (a write when one queued command writes). */
function checkedFlags(spec: CommandSpec, c: Client): readonly CommandFlag[] {
  const multi = c.multi;
  if (multi === null || spec.name !== 'exec' || multi.flags.size === 0) return spec.flags;
  return [...spec.flags, ...multi.flags];
}

/** Runs a command that passed the checks: the handler, then propagation, stats and MONITOR. */
export function call(server: ServerState, c: Client, spec: CommandSpec, stats: CommandStats, argv: Argv): void {
  const reply = c.reply;
  const errorsBefore = reply.errorCount;
  c.errorMark = errorsBefore;
  const writtenBefore = reply.written;
  const dbIndex = c.dbIndex;
  // WATCH and CLIENT TRACKING: one size check when nobody listens; otherwise what the command may
  // modify (modified-keys.ts).
  const watches = server.keyTouches;
  const trackingOuter = server.tracking.begin(c);
  const watchedBefore = watches.size > 0 ? beforeWrite(watches, spec, argv, dbIndex) : null;
  c.dirty = 0;
  c.commandTime = server.commandTime;
  c.currentArgv = argv;
  c.currentSpec = spec;
  c.currentStats = stats;
  const counters = server.stats;
  // Serving a blocked client, Redis looks keys up without counting or publishing `keymiss`.
  counters.countReads = !c.isRetry && spec.flags.includes('readonly');
  if (server.snapshot !== null && spec.flags.includes('write')) server.preserveForSnapshot(c.dbIndex, spec, argv);
  server.beginPropagation();
  try {
    spec.run!(c, argv);
  } catch (e) {
    if (e instanceof RedisError && reply.written === writtenBefore) reply.error(e.line);
    else internalError(server, c, spec, e, reply.written === writtenBefore);
  }
  counters.countReads = false;
  server.ranInBatch(stats);
  stats.calls++;
  server.stats.totalCommands++;
  c.lastCommand = spec.name;
  // Errors written by nested calls (the commands EXEC ran) were counted by those calls.
  const failed = reply.errorCount !== c.errorMark;
  if (failed) {
    stats.failedCalls++;
    server.countError(reply.lastError);
  }
  c.errorMark = reply.errorCount;
  if (watches.size > 0 && (watchedBefore !== null || c.dirty > 0)) {
    afterWrite(watches, spec, argv, dbIndex, watchedBefore, c.dirty, failed, c.propagateArgv);
  }
  server.tracking.end(c, spec, argv, trackingOuter, failed);
  if (c.dirty > 0) {
    server.stats.dirty += c.dirty;
    server.propagate(c.dbIndex, c.propagateArgv ?? argv);
  }
  c.propagateArgv = null;
  if (c.extraPropagation.length > 0) {
    for (const [db, extra] of c.extraPropagation) server.propagate(db, extra);
    c.extraPropagation.length = 0;
  }
  // DELs of expired keys found by SCAN or RANDOMKEY are not wrapped in MULTI/EXEC (Redis's
  // CMD_TOUCHES_ARBITRARY_KEYS): they are unrelated to each other.
  if (server.endPropagation(spec.name !== 'scan' && spec.name !== 'randomkey')) server.awaitLog(c);
  if (server.monitors.size > 0 && !spec.flags.includes('admin') && !spec.flags.includes('skip_monitor')) {
    server.feedMonitors(c, argv);
  }
  // Inside EXEC (neverBlock), blocked clients wait for the end of the transaction: it is atomic.
  if (server.blocking.hasReady && !c.neverBlock) server.blocking.serveReady();
}

/**
 * A handler threw something other than a RedisError before replying, or threw after its reply had
 * begun: a bug. The server must not die for it (other clients, an embedding test run), so it is
 * logged with its stack and this client gets an error, or is disconnected when a partial reply
 * already went out and the stream of replies could no longer be trusted.
 */
function internalError(server: ServerState, c: Client, spec: CommandSpec, e: unknown, clean: boolean): void {
  const err = e instanceof Error ? e : new Error(String(e));
  server.log.error({ client: c.id, command: spec.name, err }, 'command failed with an internal error');
  if (clean) c.reply.error(`ERR internal error in '${spec.name}' command: ${oneLine(err.message)}`);
  else c.close();
}

/**
 * Redis 7.0 refuses any keyspace command from a replica (a MONITOR client is one), denyoom ones
 * included: its OOM refusal only exists under a maxmemory limit, which Rewind does not enforce.
 */
function monitorRefusal(f: readonly CommandFlag[]): string | null {
  if (f.includes('write') || f.includes('readonly') || f.includes('may_replicate')) return ERR_REPLICA_KEYSPACE;
  return null;
}

/**
 * A command refused before it ran: counted as rejected (Redis's rejected_calls), not failed. In
 * MULTI it dooms the transaction (EXECABORT at EXEC).
 */
function reject(server: ServerState, c: Client, line: string, stats?: CommandStats): void {
  if (c.multi !== null) c.multi.refused = true;
  c.reply.error(line);
  server.countError(line);
  if (stats !== undefined) stats.rejectedCalls++;
}

/**
 * reject() for a command that was found. A refused EXEC, in MULTI or not, discards the
 * transaction (and the watched keys) and says why, as Redis's execCommandAbort; `formatted`
 * marks the texts Redis formats itself, quoted there without their ERR code.
 */
function refuse(
  server: ServerState, c: Client, spec: CommandSpec, stats: CommandStats, argv: Argv, line: string, formatted: boolean,
): void {
  if (spec.name !== 'exec') return reject(server, c, line, stats);
  discardTransaction(server, c);
  reject(server, c, errExecAbort(line, formatted), stats);
  // MONITOR saw MULTI: it sees the EXEC that ends it too.
  if (server.monitors.size > 0) server.feedMonitors(c, argv);
}

