/*
 * ReplayClient: the AOF loader's fake client (Redis's fakeClient). Commands go through the same
 * dispatch as a network client's, with replies discarded; an error reply is logged the way Redis
 * logs it and loading goes on. RDB records (a base or preamble) are put straight into the dbs.
 *
 * FUNCTION LOAD records (a RESP base, or an incr written by Redis with functions) keep the library
 * source in the server's library list, so it is written into every later base and nothing is lost;
 * running functions is not part of this build.
 */
import type { RdbRecord } from '../persistence/rdb-types.js';
import type { ReplayTarget } from '../persistence/aof-loader.js';
import { loadEntry, type EncodingLimits } from '../persistence/keyspace-codec.js';
import { Client } from './client.js';
import { dispatch } from './dispatch.js';
import type { ServerState } from './server-state.js';

export interface ReplayOptions {
  /** Keep keys whose TTL already passed (an AOF base); a dump.rdb loaded at startup drops them. */
  keepExpired: boolean;
  limits: EncodingLimits;
}

export class ReplayClient implements ReplayTarget {
  private readonly client: Client;
  private criticalLogged = 0;
  /** Keys loaded from RDB records, and those skipped because their TTL had passed. */
  keysLoaded = 0;
  keysExpired = 0;

  constructor(
    private readonly server: ServerState,
    private readonly opts: ReplayOptions,
  ) {
    this.client = new Client(server, 0, null, -1);
  }

  beginFile(): void {
    this.client.select(0);
  }

  rdbRecord(r: RdbRecord): void {
    if (r.kind === 'entry') {
      const e = r.entry;
      if (!this.opts.keepExpired && e.expireMs !== undefined && e.expireMs <= Date.now()) {
        this.keysExpired++;
        return;
      }
      const db = this.server.dbs[e.db];
      if (db === undefined) throw new Error(`the RDB selects db ${e.db}, beyond the configured databases`);
      loadEntry(db, e, this.opts.limits);
      this.keysLoaded++;
    } else if (r.kind === 'function') {
      this.server.functionLibraries.add(r.code);
    }
  }

  command(argv: Buffer[]): boolean {
    if (this.server.commandByBytes(argv[0]!) === undefined) return false;
    const reply = this.client.reply;
    const errors = reply.errorCount;
    this.server.beginBatch();
    dispatch(this.server, this.client, argv);
    if (reply.errorCount !== errors && this.criticalLogged++ < 100) {
      this.server.log.warn(
        { command: argv[0]!.toString('latin1'), error: reply.lastError },
        `== CRITICAL == This server is sending an error to its AOF-loading-client: '${reply.lastError}'`,
      );
    }
    reply.discard();
    return true;
  }
}
