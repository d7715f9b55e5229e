/*
 * CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO: server-assisted client-side caching, as
 * Redis 7.0 parses and checks them (the checks run in Redis's order, each with its text). The
 * state and the invalidation messages are server/tracking.ts's.
 */
import type { Argv } from '../../protocol/resp-parser.js';
import { ERR_SYNTAX, cString, oneLine } from '../../protocol/errors.js';
import type { CommandContext } from '../context.js';
import { isWord, longArg } from '../args.js';
import type { TrackingView } from './client-api.js';

const ERR_ONE_REDIRECT = 'ERR A client can only redirect to a single other client';
const ERR_NO_REDIRECT_CLIENT = 'ERR The client ID you want redirect to does not exist';
const ERR_PREFIX_NEEDS_BCAST = 'ERR PREFIX option requires BCAST mode to be enabled';
const ERR_SWITCH_BCAST =
  "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.";
const ERR_BCAST_OPTIN = 'ERR OPTIN and OPTOUT are not compatible with BCAST';
const ERR_OPTIN_AND_OPTOUT = "ERR You can't specify both OPTIN mode and OPTOUT mode";
const ERR_SWITCH_OPTIN =
  "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.";
const ERR_CACHING_NOT_TRACKING =
  'ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled';
const ERR_CACHING_YES = 'ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.';
const ERR_CACHING_NO = 'ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.';

/** A prefix as Redis's %s prints it in an error: up to a NUL, on one line. */
function shown(prefix: string): string {
  return oneLine(cString(prefix));
}

/** True when one of the two is a prefix of the other: both would report the same keys. */
function overlap(a: string, b: string): boolean {
  return a.length <= b.length ? b.startsWith(a) : a.startsWith(b);
}

/** Redis's checkPrefixCollisionsOrReply: the error line, or null. */
function prefixCollision(existing: readonly string[], wanted: readonly string[]): string | null {
  for (let i = 0; i < wanted.length; i++) {
    const p = wanted[i]!;
    for (const old of existing) {
      if (overlap(old, p)) {
        return `ERR Prefix '${shown(p)}' overlaps with an existing prefix '${shown(old)}'. Prefixes for a single client must not overlap.`;
      }
    }
    for (let j = i + 1; j < wanted.length; j++) {
      if (overlap(p, wanted[j]!)) {
        return `ERR Prefix '${shown(p)}' overlaps with another provided prefix '${shown(wanted[j]!)}'. Prefixes for a single client must not overlap.`;
      }
    }
  }
  return null;
}

/** CLIENT TRACKING ON|OFF [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP]. */
export function clientTrackingCommand(c: CommandContext, argv: Argv): void {
  let redirect = 0;
  let bcast = false;
  let optin = false;
  let optout = false;
  let noloop = false;
  const prefixes: string[] = [];
  // Options are parsed (and REDIRECT's client looked up) before ON/OFF is read, as Redis does.
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!;
    const more = j + 1 < argv.length;
    if (more && isWord(opt, 'REDIRECT')) {
      j++;
      if (redirect !== 0) return c.reply.error(ERR_ONE_REDIRECT);
      redirect = longArg(argv[j]!);
      if (c.server.clientById(redirect) === undefined) return c.reply.error(ERR_NO_REDIRECT_CLIENT);
    } else if (isWord(opt, 'BCAST')) {
      bcast = true;
    } else if (isWord(opt, 'OPTIN')) {
      optin = true;
    } else if (isWord(opt, 'OPTOUT')) {
      optout = true;
    } else if (isWord(opt, 'NOLOOP')) {
      noloop = true;
    } else if (more && isWord(opt, 'PREFIX')) {
      j++;
      prefixes.push(argv[j]!.latin1Slice(0, argv[j]!.length));
    } else {
      return c.reply.error(ERR_SYNTAX);
    }
  }
  const tracking = c.server.tracking;
  const mode = argv[2]!;
  if (isWord(mode, 'OFF')) {
    tracking.disable(c.id);
    return c.reply.ok();
  }
  if (!isWord(mode, 'ON')) return c.reply.error(ERR_SYNTAX);
  const current = tracking.of(c.id);
  if (!bcast && prefixes.length > 0) return c.reply.error(ERR_PREFIX_NEEDS_BCAST);
  if (current !== null && current.bcast !== bcast) return c.reply.error(ERR_SWITCH_BCAST);
  if (bcast && (optin || optout)) return c.reply.error(ERR_BCAST_OPTIN);
  if (optin && optout) return c.reply.error(ERR_OPTIN_AND_OPTOUT);
  if (current !== null && ((optin && current.optout) || (optout && current.optin))) return c.reply.error(ERR_SWITCH_OPTIN);
  if (bcast) {
    const collision = prefixCollision(current?.prefixes ?? [], prefixes);
    if (collision !== null) return c.reply.error(collision);
  }
  tracking.enable(c.id, { redirect, bcast, optin, optout, noloop, prefixes });
  c.reply.ok();
}

/** CLIENT CACHING YES|NO: whether the next command's keys are tracked, in OPTIN/OPTOUT mode. */
export function clientCachingCommand(c: CommandContext, argv: Argv): void {
  const t = c.server.tracking.of(c.id);
  if (t === null) return c.reply.error(ERR_CACHING_NOT_TRACKING);
  const arg = argv[2]!;
  if (isWord(arg, 'YES')) {
    if (!t.optin) return c.reply.error(ERR_CACHING_YES);
  } else if (isWord(arg, 'NO')) {
    if (!t.optout) return c.reply.error(ERR_CACHING_NO);
  } else {
    return c.reply.error(ERR_SYNTAX);
  }
  c.server.tracking.markCaching(c.id);
  c.reply.ok();
}

export function clientGetRedirCommand(c: CommandContext, _argv: Argv): void {
  c.reply.integer(c.server.tracking.of(c.id)?.redirect ?? -1);
}

/** TRACKINGINFO's flags, in Redis's order. */
function trackingFlags(t: TrackingView | null): string[] {
  if (t === null) return ['off'];
  const flags = ['on'];
  if (t.bcast) flags.push('bcast');
  if (t.optin) {
    flags.push('optin');
    if (t.caching) flags.push('caching-yes');
  }
  if (t.optout) {
    flags.push('optout');
    if (t.caching) flags.push('caching-no');
  }
  if (t.noloop) flags.push('noloop');
  if (t.brokenRedirect) flags.push('broken_redirect');
  return flags;
}

export function clientTrackingInfoCommand(c: CommandContext, _argv: Argv): void {
  const t = c.server.tracking.of(c.id);
  const w = c.reply;
  w.mapLen(3);
  w.bulk('flags');
  const flags = trackingFlags(t);
  w.setLen(flags.length);
  for (const f of flags) w.bulk(f);
  w.bulk('redirect');
  w.integer(t === null ? -1 : t.redirect);
  w.bulk('prefixes');
  const prefixes = t?.prefixes ?? [];
  w.arrayLen(prefixes.length);
  for (const p of prefixes) w.bulk(p);
}
