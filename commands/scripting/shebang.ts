/*
 * Script flags, declared by EVAL scripts in a `#!lua flags=...` first line and by functions in
 * register_function's flags: Redis's SCRIPT_FLAG_* and evalExtractShebangFlags.
 */
import { RedisError } from '../../protocol/errors.js';
import { splitInline } from '../../protocol/resp-parser.js';

/** Shebang flags (`#!lua flags=...`), Redis's SCRIPT_FLAG_* bits. */
export const SCRIPT_NO_WRITES = 1;
export const SCRIPT_ALLOW_OOM = 2;
export const SCRIPT_ALLOW_STALE = 4;
export const SCRIPT_NO_CLUSTER = 8;
/** No shebang: a pre-7.0 script, run without flag checks. */
export const SCRIPT_EVAL_COMPAT = 16;
export const SCRIPT_ALLOW_CROSS_SLOT = 32;

export const SCRIPT_FLAG_NAMES: ReadonlyMap<string, number> = new Map([
  ['no-writes', SCRIPT_NO_WRITES],
  ['allow-oom', SCRIPT_ALLOW_OOM],
  ['allow-stale', SCRIPT_ALLOW_STALE],
  ['no-cluster', SCRIPT_NO_CLUSTER],
  ['allow-cross-slot-keys', SCRIPT_ALLOW_CROSS_SLOT],
]);

/** evalExtractShebangFlags: the flags a `#!lua flags=...` first line declares, and its length. */
export function parseShebang(body: Buffer): { flags: number; length: number } {
  if (body.length < 2 || body[0] !== 0x23 || body[1] !== 0x21) return { flags: SCRIPT_EVAL_COMPAT, length: 0 };
  const end = body.indexOf(10);
  if (end < 0) throw new RedisError('ERR Invalid script shebang');
  const parts = splitInline(body, 0, end);
  if (parts === null || parts.length === 0) throw new RedisError('ERR Invalid engine in script shebang');
  const engine = parts[0]!.toString('latin1');
  if (engine !== '#!lua') throw new RedisError(`ERR Unexpected engine in script shebang: ${engine}`);
  let flags = 0;
  for (let j = 1; j < parts.length; j++) {
    const part = parts[j]!.toString('latin1');
    if (!part.startsWith('flags=')) throw new RedisError(`ERR Unknown lua shebang option: ${part}`);
    const list = part.slice(6);
    if (list === '') continue;
    for (const name of list.split(',')) {
      const bit = SCRIPT_FLAG_NAMES.get(name);
      if (bit === undefined) throw new RedisError(`ERR Unexpected flag in script shebang: ${name}`);
      flags |= bit;
    }
  }
  return { flags, length: end };
}
