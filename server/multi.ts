/*
 * MULTI/EXEC: one client's queue and EXEC itself, as Redis 7.0 runs them.
 *
 * Queueing (server/dispatch.ts): a command of a client in MULTI goes through every check of
 * dispatch, then is queued and answered +QUEUED. A command refused by a check (unknown, arity,
 * auth, no_multi, MONITOR, MISCONF...) marks the queue `refused`; EXEC then answers EXECABORT.
 * A refused queue, or one whose client is dirty (a watched key changed), stores nothing more, as
 * Redis stops storing then: CLIENT LIST's multi= stops growing.
 *
 * EXEC checks its watched keys, unwatches, then runs the queue through call(), nested in EXEC's
 * own call(): stats, MONITOR and snapshot preservation happen per queued command, and the records
 * they log are collected by EXEC's call and written as one MULTI ... EXEC, or bare when there is
 * one (ServerState.endPropagation). While the queue runs, blocking commands answer as if their
 * timeout passed (Client.neverBlock) and clients blocked on keys are served only after EXEC.
 * The client stays in MULTI until the queue has run (CLIENT INFO inside EXEC shows `x`).
 */
import type { Argv } from '../protocol/resp-parser.js';
import type { CommandFlag, CommandSpec } from '../commands/table.js';
import type { CommandStats } from '../commands/context.js';
import { ERR_EXECABORT } from '../commands/transactions/errors.js';
import type { Client } from './client.js';
import type { ServerState } from './server-state.js';

export interface QueuedCommand {
  readonly spec: CommandSpec;
  readonly stats: CommandStats;
  readonly argv: Argv;
}

/** dispatch's call(), passed in so this module does not import dispatch (which imports the client). */
export type CallCommand = (server: ServerState, c: Client, spec: CommandSpec, stats: CommandStats, argv: Argv) => void;

export class MultiState {
  readonly commands: QueuedCommand[] = [];
  /** A command was refused while queueing (Redis's CLIENT_DIRTY_EXEC). */
  refused = false;
  /** Flags of the stored commands: EXEC is checked as a write when one of them writes. */
  readonly flags = new Set<CommandFlag>();

  /** Stores a command; argv is copied, as the parser's buffers are reused after this batch. */
  queue(spec: CommandSpec, stats: CommandStats, argv: Argv): void {
    this.commands.push({ spec, stats, argv: argv.map((a) => Buffer.from(a)) });
    for (const f of spec.flags) this.flags.add(f);
  }
}

/** EXEC of a client in MULTI: writes the whole reply and ends the transaction. */
export function execTransaction(server: ServerState, c: Client, call: CallCommand): void {
  const multi = c.multi!;
  if (!c.dirtyCas && server.watches.expiredSinceWatch(c)) c.dirtyCas = true;
  if (multi.refused || c.dirtyCas) {
    if (multi.refused) c.reply.error(ERR_EXECABORT);
    else c.reply.nullArray();
    discardTransaction(server, c);
    return;
  }
  // Its own writes must not make it dirty, and nothing can fail it any more.
  server.watches.unwatchAll(c);
  const neverBlock = c.neverBlock;
  c.neverBlock = true;
  try {
    c.reply.arrayLen(multi.commands.length);
    for (const q of multi.commands) call(server, c, q.spec, q.stats, q.argv);
  } finally {
    c.neverBlock = neverBlock;
    discardTransaction(server, c);
  }
  // EXEC itself is never logged: the queued commands logged their records, which EXEC's call()
  // wraps. Their dirty count went to the server's stats already.
  c.dirty = 0;
  c.propagateArgv = null;
}

/** DISCARD, RESET, a refused EXEC, disconnection: no queue, no dirty flag, no watched key. */
export function discardTransaction(server: ServerState, c: Client): void {
  c.multi = null;
  c.dirtyCas = false;
  server.watches.unwatchAll(c);
}
