/*
 * Reply texts of MULTI, EXEC, DISCARD and WATCH, byte for byte as redis-server 7.0.15 sends them.
 * Dispatch uses the last three: a command refused while queueing, and an EXEC refused by a check.
 */

export const ERR_MULTI_NESTED = 'ERR MULTI calls can not be nested';
export const ERR_EXEC_WITHOUT_MULTI = 'ERR EXEC without MULTI';
export const ERR_DISCARD_WITHOUT_MULTI = 'ERR DISCARD without MULTI';
export const ERR_WATCH_IN_MULTI = 'ERR WATCH inside MULTI is not allowed';
/** A command flagged no_multi (SAVE, SHUTDOWN...) sent after MULTI. */
export const ERR_NOT_IN_MULTI = 'ERR Command not allowed inside a transaction';
/** EXEC after a command was refused while queueing. */
export const ERR_EXECABORT = 'EXECABORT Transaction discarded because of previous errors.';
/** MONITOR run by EXEC: a client inside EXEC expects one reply per command. */
export const ERR_MONITOR_DENY_BLOCKING = "ERR MONITOR isn't allowed for DENY BLOCKING client";

/**
 * EXEC itself refused by a dispatch check: the transaction is discarded and the reason quoted.
 * Redis quotes the error as sent, without its '-', except for the texts it formats itself
 * (arity, "Replica can't..."), which have no ERR code there: pass `strip` for those.
 */
export function errExecAbort(line: string, strip: boolean): string {
  const reason = strip && line.startsWith('ERR ') ? line.slice(4) : line;
  return `EXECABORT Transaction discarded because of: ${reason}`;
}
