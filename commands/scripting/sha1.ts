/* SHA1 in lowercase hex: script names (EVALSHA, SCRIPT LOAD) and redis.sha1hex. */
import { createHash } from 'node:crypto';

export function sha1hex(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}
