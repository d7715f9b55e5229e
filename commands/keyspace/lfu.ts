/*
 * Redis's LFU counter (maxmemory-policy *-lfu): 8 bits per key growing logarithmically with
 * accesses and decaying by one per lfu-decay-time minutes without access. OBJECT FREQ shows it.
 */

/** The counter a new key starts with, so it is not evicted before it had a chance to be used. */
export const LFU_INIT_VAL = 5;

/** One access: the counter grows with probability 1 / ((counter - INIT) * logFactor + 1). */
export function lfuLogIncr(counter: number, logFactor: number): number {
  if (counter === 255) return 255;
  const base = Math.max(0, counter - LFU_INIT_VAL);
  return Math.random() < 1 / (base * logFactor + 1) ? counter + 1 : counter;
}

/** The counter after idleMinutes without access. */
export function lfuDecay(counter: number, idleMinutes: number, decayTime: number): number {
  const periods = decayTime > 0 ? Math.floor(idleMinutes / decayTime) : 0;
  return periods > counter ? 0 : counter - periods;
}
