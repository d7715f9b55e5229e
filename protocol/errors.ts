/*
 * Reply error texts, byte for byte as Redis 7 sends them (checked against redis-server 7.0.15).
 * A reply error is `-<CODE> <message>\r\n`; the code is the first word. Every text a command can
 * answer with lives here so a grep finds it and a test can compare it with real Redis.
 */

/** An error reply a command handler raises before it has written any reply byte. */
export class RedisError extends Error {
  /** The full line after '-', e.g. `ERR syntax error` or `WRONGTYPE Operation ...`. */
  readonly line: string;
  constructor(line: string) {
    super(line);
    this.line = line;
  }
}

/** Malformed client input: the server replies `-ERR Protocol error: <reason>` and closes. */
export class ProtocolError extends Error {
  constructor(readonly reason: string) {
    super(`Protocol error: ${reason}`);
  }
}

export const ERR_SYNTAX = 'ERR syntax error';
export const ERR_NOT_INTEGER = 'ERR value is not an integer or out of range';
export const ERR_NOT_FLOAT = 'ERR value is not a valid float';
export const ERR_WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
export const ERR_NO_SUCH_KEY = 'ERR no such key';
export const ERR_OVERFLOW = 'ERR increment or decrement would overflow';
export const ERR_INCR_NAN = 'ERR increment would produce NaN or Infinity';
export const ERR_DB_INDEX = 'ERR DB index is out of range';
export const ERR_INVALID_DB = 'ERR invalid DB index';
export const ERR_SAME_OBJECT = 'ERR source and destination objects are the same';
export const ERR_NOAUTH = 'NOAUTH Authentication required.';
export const ERR_WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';
export const ERR_AUTH_NOPASS =
  'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?';
export const ERR_STRING_TOO_LONG = 'ERR string exceeds maximum allowed size (proto-max-bulk-len)';
export const ERR_OFFSET_RANGE = 'ERR offset is out of range';
export const ERR_INVALID_CURSOR = 'ERR invalid cursor';
export const ERR_TIMEOUT_NEGATIVE = 'ERR timeout is negative';
export const ERR_TIMEOUT_NOT_FLOAT = 'ERR timeout is not a float or out of range';

export function errWrongArity(name: string): string {
  return `ERR wrong number of arguments for '${name}' command`;
}

export function errInvalidExpire(commandName: string): string {
  return `ERR invalid expire time in '${commandName}' command`;
}

/**
 * Redis echoes the name (up to 128 bytes) and the first arguments until 128 bytes of them are
 * shown; it prints them as C strings, so each stops at a NUL byte.
 */
export function errUnknownCommand(name: string, args: readonly Buffer[]): string {
  let shown = '';
  for (let i = 1; i < args.length && shown.length < 128; i++) {
    const room = 128 - shown.length;
    const arg = args[i]!;
    shown += `'${cString(arg.latin1Slice(0, Math.min(arg.length, room)))}' `;
  }
  return oneLine(`ERR unknown command '${cString(name).slice(0, 128)}', with args beginning with: ${shown}`);
}

/** Text up to its first NUL, as printf's %s shows it. */
export function cString(text: string): string {
  const nul = text.indexOf('\0');
  return nul < 0 ? text : text.slice(0, nul);
}

export const ERR_REPLICA_KEYSPACE = "ERR Replica can't interact with the keyspace";
export const ERR_OOM = "OOM command not allowed when used memory > 'maxmemory'.";

export function errUnknownSubcommand(sub: string, command: string): string {
  return `ERR unknown subcommand '${clipForError(sub)}'. Try ${command.toUpperCase()} HELP.`;
}

export function errUnknownSubcommandArity(sub: string, command: string): string {
  return `ERR unknown subcommand or wrong number of arguments for '${clipForError(sub)}'. Try ${command.toUpperCase()} HELP.`;
}

/** Error lines must stay on one line: Redis replaces CR and LF in echoed text with spaces. */
export function oneLine(text: string): string {
  return text.replace(/[\r\n]/g, ' ');
}

function clipForError(text: string): string {
  const c = cString(text);
  return oneLine(c.length > 128 ? c.slice(0, 128) : c);
}
