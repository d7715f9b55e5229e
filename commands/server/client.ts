/*
 * CLIENT subcommands: ID SETNAME GETNAME SETINFO LIST INFO KILL NO-EVICT NO-TOUCH REPLY HELP
 * (PAUSE and UNPAUSE are in client-pause.ts, TRACKING and its companions in client-tracking.ts).
 * CLIENT LIST lines follow Redis 7.2's field order; counters Rewind has no equivalent for (pubsub,
 * reply buffer sizes) show the values an idle Redis client shows.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_SYNTAX, errUnknownSubcommandArity } from '../../protocol/errors.js';
import { parseLong } from '../../protocol/numbers.js';
import type { ClientView, CommandContext } from '../context.js';
import { isWord, longArg } from '../args.js';
import { writeHelp } from './help.js';

const ERR_UNBLOCK_REASON = 'ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR';
const ERR_BAD_NAME = 'ERR Client names cannot contain spaces, newlines or special characters.';
const CLIENT_TYPES = ['normal', 'master', 'replica', 'slave', 'pubsub'] as const;

/** Redis allows printable ASCII without spaces in names and lib info ('!'..'~'). */
function validName(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if (b[i]! < 33 || b[i]! > 126) return false;
  return true;
}

/** A client's type for TYPE filters; Rewind has no replication. */
function clientType(v: ClientView): string {
  return v.subCount + v.psubCount + v.ssubCount > 0 ? 'pubsub' : 'normal';
}

function parseType(b: Buffer): string | null {
  const t = b.latin1Slice(0, b.length).toLowerCase();
  if (!(CLIENT_TYPES as readonly string[]).includes(t)) return null;
  return t === 'slave' ? 'replica' : t;
}

/** One CLIENT LIST / CLIENT INFO line, without the trailing newline. */
export function clientInfoLine(v: ClientView, now: number, currentCmd: string | null, redir = -1): string {
  const qbuf = v.queryBufferBytes;
  const omem = v.outputBytes;
  return `id=${v.id} addr=${v.addr} laddr=${v.laddr} fd=${v.fd} name=${v.name}`
    + ` age=${Math.floor((now - v.createdAt) / 1000)} idle=${Math.floor((now - v.lastInteraction) / 1000)}`
    + ` flags=${v.flagsText} db=${v.dbIndex} sub=${v.subCount} psub=${v.psubCount} ssub=${v.ssubCount} multi=${v.multiCount} qbuf=${qbuf} qbuf-free=0`
    + ` argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=${omem} tot-mem=${1024 + qbuf + omem}`
    + ` events=r${omem > 0 ? 'w' : ''} cmd=${currentCmd ?? v.lastCommand} user=${v.user} redir=${redir} resp=${v.resp}`
    + ` lib-name=${v.libName} lib-ver=${v.libVer}`;
}

/** CLIENT LIST `redir=`: where a tracking client's invalidations go (0: itself), -1 when not tracking. */
function redirOf(c: CommandContext, id: number): number {
  return c.server.tracking.of(id)?.redirect ?? -1;
}

/** The caller's cmd=: itself, or EXEC when EXEC runs it (the queued command is not looked up again). */
function selfCommand(c: CommandContext, name: string): string {
  return c.inMulti ? 'exec' : name;
}

export function clientIdCommand(c: CommandContext, _argv: Argv): void {
  c.reply.integer(c.id);
}

export function clientSetNameCommand(c: CommandContext, argv: Argv): void {
  const name = argv[2]!;
  if (!validName(name)) return c.reply.error(ERR_BAD_NAME);
  c.name = name.latin1Slice(0, name.length);
  c.reply.ok();
}

export function clientGetNameCommand(c: CommandContext, _argv: Argv): void {
  if (c.name === '') return c.reply.nullBulk();
  c.reply.bulk(c.name);
}

export function clientSetInfoCommand(c: CommandContext, argv: Argv): void {
  const attr = argv[2]!;
  const value = argv[3]!;
  const isName = isWord(attr, 'LIB-NAME');
  if (!isName && !isWord(attr, 'LIB-VER')) {
    return c.reply.error(`ERR Unrecognized option '${attr.latin1Slice(0, attr.length)}'`);
  }
  if (!validName(value)) {
    return c.reply.error(`ERR ${attr.latin1Slice(0, attr.length)} cannot contain spaces, newlines or special characters.`);
  }
  if (isName) c.libName = value.latin1Slice(0, value.length);
  else c.libVer = value.latin1Slice(0, value.length);
  c.reply.ok();
}

export function clientListCommand(c: CommandContext, argv: Argv): void {
  let type: string | null = null;
  let ids: Set<number> | null = null;
  if (argv.length > 3 && isWord(argv[2]!, 'ID')) {
    ids = new Set();
    for (let i = 3; i < argv.length; i++) {
      const id = parseLong(argv[i]!);
      if (id === undefined) return c.reply.error('ERR Invalid client ID');
      ids.add(id);
    }
  } else if (argv.length === 4 && isWord(argv[2]!, 'TYPE')) {
    type = parseType(argv[3]!);
    if (type === null) return c.reply.error(`ERR Unknown client type '${argv[3]!.latin1Slice(0, argv[3]!.length)}'`);
  } else if (argv.length !== 2) {
    return c.reply.error(ERR_SYNTAX);
  }
  const now = Date.now();
  let out = '';
  const views = ids === null ? [...c.server.clients()] : [...ids].map((id) => c.server.clientById(id));
  for (const v of views) {
    if (v === undefined) continue;
    if (type !== null && clientType(v) !== type) continue;
    out += `${clientInfoLine(v, now, v.id === c.id ? selfCommand(c, 'client|list') : null, redirOf(c, v.id))}\n`;
  }
  c.reply.verbatim(out);
}

export function clientInfoCommand(c: CommandContext, _argv: Argv): void {
  c.reply.verbatim(`${clientInfoLine(c, Date.now(), selfCommand(c, 'client|info'), redirOf(c, c.id))}\n`);
}

interface KillFilter {
  id?: number;
  type?: string;
  addr?: string;
  laddr?: string;
  user?: string;
  maxAge?: number;
  skipMe: boolean;
}

function parseKillFilter(argv: Argv): KillFilter | string {
  const f: KillFilter = { skipMe: true };
  for (let i = 2; i < argv.length; i += 2) {
    const opt = argv[i]!;
    const arg = argv[i + 1];
    if (arg === undefined) return ERR_SYNTAX;
    const text = arg.latin1Slice(0, arg.length);
    if (isWord(opt, 'ID')) {
      const id = parseLong(arg);
      if (id === undefined || id <= 0) return 'ERR client-id should be greater than 0';
      f.id = id;
    } else if (isWord(opt, 'TYPE')) {
      const t = parseType(arg);
      if (t === null) return `ERR Unknown client type '${text}'`;
      f.type = t;
    } else if (isWord(opt, 'ADDR')) {
      f.addr = text;
    } else if (isWord(opt, 'LADDR')) {
      f.laddr = text;
    } else if (isWord(opt, 'USER')) {
      if (text !== 'default') return `ERR No such user '${text}'`;
      f.user = text;
    } else if (isWord(opt, 'SKIPME')) {
      if (isWord(arg, 'YES')) f.skipMe = true;
      else if (isWord(arg, 'NO')) f.skipMe = false;
      else return ERR_SYNTAX;
    } else if (isWord(opt, 'MAXAGE')) {
      const age = parseLong(arg);
      if (age === undefined) return 'ERR maxage is not an integer or out of range';
      f.maxAge = age;
    } else {
      return ERR_SYNTAX;
    }
  }
  return f;
}

function matches(f: KillFilter, v: ClientView, self: ClientView, now: number): boolean {
  if (f.id !== undefined && v.id !== f.id) return false;
  if (f.type !== undefined && clientType(v) !== f.type) return false;
  if (f.addr !== undefined && v.addr !== f.addr) return false;
  if (f.laddr !== undefined && v.laddr !== f.laddr) return false;
  if (f.user !== undefined && v.user !== f.user) return false;
  if (f.maxAge !== undefined && Math.floor((now - v.createdAt) / 1000) < f.maxAge) return false;
  if (f.skipMe && v.id === self.id) return false;
  return true;
}

export function clientKillCommand(c: CommandContext, argv: Argv): void {
  if (argv.length === 3) {
    // The old form: CLIENT KILL addr:port, which may kill the caller itself.
    const addr = argv[2]!.latin1Slice(0, argv[2]!.length);
    for (const v of c.server.clients()) {
      if (v.addr === addr) {
        v.close();
        return c.reply.ok();
      }
    }
    return c.reply.error('ERR No such client');
  }
  const f = parseKillFilter(argv);
  if (typeof f === 'string') return c.reply.error(f);
  const now = Date.now();
  const victims = [...c.server.clients()].filter((v) => matches(f, v, c, now));
  for (const v of victims) v.close();
  c.reply.integer(victims.length);
}

/** CLIENT NO-EVICT / NO-TOUCH: ON or OFF, anything else is a syntax error. */
function onOff(b: Buffer): boolean | null {
  if (isWord(b, 'ON')) return true;
  if (isWord(b, 'OFF')) return false;
  return null;
}

export function clientNoEvictCommand(c: CommandContext, argv: Argv): void {
  const v = onOff(argv[2]!);
  if (v === null) return c.reply.error(ERR_SYNTAX);
  c.noEvict = v;
  c.reply.ok();
}

export function clientNoTouchCommand(c: CommandContext, argv: Argv): void {
  const v = onOff(argv[2]!);
  if (v === null) return c.reply.error(ERR_SYNTAX);
  c.noTouch = v;
  c.reply.ok();
}

export function clientReplyCommand(c: CommandContext, argv: Argv): void {
  const mode = argv[2]!;
  if (isWord(mode, 'ON')) {
    c.replyMode = 'on';
    c.reply.unmute();
    c.reply.ok();
  } else if (isWord(mode, 'OFF')) {
    c.replyMode = 'off';
    c.reply.mute();
  } else if (isWord(mode, 'SKIP')) {
    // Dispatch mutes the next command; this one has no reply either.
    if (c.replyMode !== 'off') c.replyMode = 'skip';
  } else {
    c.reply.error(ERR_SYNTAX);
  }
}

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: Redis 7.0 checks the reason before the id. */
export function clientUnblockCommand(c: CommandContext, argv: Argv): void {
  if (argv.length > 4) return c.reply.error(errUnknownSubcommandArity(argv[1]!.latin1Slice(0, argv[1]!.length), 'client'));
  let withError = false;
  if (argv.length === 4) {
    if (isWord(argv[3]!, 'ERROR')) withError = true;
    else if (!isWord(argv[3]!, 'TIMEOUT')) return c.reply.error(ERR_UNBLOCK_REASON);
  }
  const id = longArg(argv[2]!);
  c.reply.integer(c.server.unblockClient(id, withError) ? 1 : 0);
}

export function clientHelpCommand(c: CommandContext, _argv: Argv): void {
  writeHelp(c.reply, 'CLIENT', CLIENT_HELP);
}

/** Redis 7.2's CLIENT HELP text (subcommands Rewind lacks are listed as Redis lists them). */
const CLIENT_HELP = [
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'SETINFO <option> <value>',
  '    Set client meta attr. Options are:',
  '    * LIB-NAME: the client lib name.',
  '    * LIB-VER: the client lib version.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
  'NO-TOUCH (ON|OFF)',
  '    Will not touch LRU/LFU stats when this mode is on.',
];
