/*
 * Memory housekeeping for the standalone server (not for a server embedded in someone else's
 * process, whose heap is theirs to manage).
 *
 * V8 keeps the pages a burst of writes used until its next full collection, so after loading a
 * million keys the process holds about 40 bytes per key of garbage. Redis's allocator gives such
 * memory back at once. When the server has been idle for a second after the heap grew, one full
 * collection returns it; it runs only while no command is waiting, so no client sees the pause.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from './log.js';
import type { ServerState } from './server-state.js';

const GROWTH_BYTES = 32 * 1024 * 1024;
const IDLE_MS = 1000;
const CHECK_MS = 500;

function exposeGc(): (() => void) | null {
  v8.setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  return typeof gc === 'function' ? () => void gc() : null;
}

/**
 * Starts the idle collector; returns a function that stops it. `baseline` is the heap size to
 * measure growth from: the size before the dataset was loaded, so a load's garbage counts.
 */
export function startIdleCollector(state: ServerState, log: Logger, baseline = process.memoryUsage().heapUsed): () => void {
  const gc = exposeGc();
  if (gc === null) return () => undefined;
  let lastCommands = state.stats.totalCommands;
  let quietSince = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    if (state.stats.totalCommands !== lastCommands) {
      lastCommands = state.stats.totalCommands;
      quietSince = now;
      return;
    }
    const heap = process.memoryUsage().heapUsed;
    if (now - quietSince < IDLE_MS || heap - baseline < GROWTH_BYTES) return;
    const started = performance.now();
    gc();
    baseline = process.memoryUsage().heapUsed;
    log.debug({ ms: Math.round(performance.now() - started), heapBefore: heap, heapAfter: baseline }, 'idle full GC');
  }, CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
