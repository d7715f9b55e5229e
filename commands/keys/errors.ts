/*
 * Reply texts of the generic keyspace commands that protocol/errors.ts does not hold yet, byte for
 * byte as redis-server 7.0.15 sends them.
 */

export const ERR_EXPIRE_NX_COMBO = 'ERR NX and XX, GT or LT options at the same time are not compatible';
export const ERR_EXPIRE_GT_LT = 'ERR GT and LT options at the same time are not compatible';
export const ERR_INVALID_FIRST_DB = 'ERR invalid first DB index';
export const ERR_INVALID_SECOND_DB = 'ERR invalid second DB index';
export const ERR_FREQ_NOT_LFU =
  'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';
export const ERR_IDLETIME_LFU =
  'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';

/**
 * `ERR Unsupported option <opt>` as addReplyErrorFormat builds it: %s stops at a NUL byte, CR/LF
 * are trimmed from the ends and the rest become spaces.
 */
export function errUnsupportedOption(opt: Buffer): string {
  const nul = opt.indexOf(0);
  const text = `Unsupported option ${opt.latin1Slice(0, nul < 0 ? opt.length : nul)}`;
  return `ERR ${text.replace(/^[\r\n]+|[\r\n]+$/g, '').replace(/[\r\n]/g, ' ')}`;
}
