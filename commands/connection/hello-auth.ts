/*
 * Connection state commands: HELLO, AUTH, SELECT, QUIT, RESET. Authentication knows one user,
 * `default`, protected by requirepass (no ACL file): with requirepass empty it is Redis's nopass.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import {
  ERR_AUTH_NOPASS, ERR_DB_INDEX, ERR_NOT_INTEGER, ERR_SYNTAX, ERR_WRONGPASS,
} from '../../protocol/errors.js';
import { parseLong } from '../../protocol/numbers.js';
import type { CommandContext } from '../context.js';
import { isWord } from '../args.js';

const ERR_HELLO_NOAUTH = 'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time';
const ERR_BAD_NAME = 'ERR Client names cannot contain spaces, newlines or special characters.';

/** Checks user/password against the default user; null when accepted, else the error text. */
function checkAuth(c: CommandContext, user: Buffer, pass: Buffer): string | null {
  const required = c.server.config.get('requirepass');
  if (user.latin1Slice(0, user.length) !== 'default') return ERR_WRONGPASS;
  if (required !== '' && pass.latin1Slice(0, pass.length) !== required) return ERR_WRONGPASS;
  return null;
}

function validName(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i]! < 33 || b[i]! > 126) return false;
  return true;
}

export function helloCommand(c: CommandContext, argv: Argv): void {
  let version = c.resp;
  if (argv.length >= 2) {
    const v = parseLong(argv[1]!);
    if (v === undefined) return c.reply.error('ERR Protocol version is not an integer or out of range');
    if (v < 2 || v > 3) return c.reply.error('NOPROTO unsupported protocol version');
    version = v === 3 ? 3 : 2;
  }
  let auth: [Buffer, Buffer] | null = null;
  let name: Buffer | null = null;
  for (let i = 2; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    if (isWord(argv[i]!, 'AUTH') && more >= 2) {
      auth = [argv[i + 1]!, argv[i + 2]!];
      i += 2;
    } else if (isWord(argv[i]!, 'SETNAME') && more >= 1) {
      name = argv[i + 1]!;
      i += 1;
    } else {
      return c.reply.error(`ERR Syntax error in HELLO option '${argv[i]!.latin1Slice(0, argv[i]!.length)}'`);
    }
  }
  if (auth !== null) {
    const err = checkAuth(c, auth[0], auth[1]);
    if (err !== null) return c.reply.error(err);
    c.authenticated = true;
  }
  if (!c.authenticated) return c.reply.error(ERR_HELLO_NOAUTH);
  if (name !== null) {
    if (!validName(name)) return c.reply.error(ERR_BAD_NAME);
    c.name = name.latin1Slice(0, name.length);
  }
  c.setResp(version);
  const w = c.reply;
  w.mapLen(7);
  w.bulk('server');
  w.bulk('redis');
  w.bulk('version');
  w.bulk(c.server.version);
  w.bulk('proto');
  w.integer(version);
  w.bulk('id');
  w.integer(c.id);
  w.bulk('mode');
  w.bulk('standalone');
  w.bulk('role');
  w.bulk('master');
  w.bulk('modules');
  w.arrayLen(0);
}

export function authCommand(c: CommandContext, argv: Argv): void {
  if (argv.length > 3) return c.reply.error(ERR_SYNTAX);
  if (argv.length === 2) {
    // AUTH <password> means the default user; without requirepass there is nothing to check.
    if (c.server.config.get('requirepass') === '') return c.reply.error(ERR_AUTH_NOPASS);
    const err = checkAuth(c, DEFAULT_USER, argv[1]!);
    if (err !== null) return c.reply.error(err);
  } else {
    const err = checkAuth(c, argv[1]!, argv[2]!);
    if (err !== null) return c.reply.error(err);
  }
  c.authenticated = true;
  c.reply.ok();
}

const DEFAULT_USER = Buffer.from('default');

export function selectCommand(c: CommandContext, argv: Argv): void {
  const index = parseLong(argv[1]!);
  if (index === undefined) return c.reply.error(ERR_NOT_INTEGER);
  if (index < 0 || !c.select(index)) return c.reply.error(ERR_DB_INDEX);
  c.reply.ok();
}

export function quitCommand(c: CommandContext, _argv: Argv): void {
  c.reply.ok();
  c.close();
}

/** RESET: back to a fresh connection's state, keeping the id and the socket. */
export function resetCommand(c: CommandContext, _argv: Argv): void {
  c.discardMulti();
  c.replyMode = 'on';
  c.reply.unmute();
  c.stopMonitor();
  c.server.tracking.disable(c.id);
  c.resetPubSub();
  c.select(0);
  c.setResp(2);
  c.name = '';
  c.noEvict = false;
  c.noTouch = false;
  c.authenticated = c.server.config.get('requirepass') === '';
  c.reply.simple('RESET');
}
