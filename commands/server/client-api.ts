/*
 * What CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO and CLIENT PAUSE / UNPAUSE need from
 * the server (server/tracking.ts and server/client-pause.ts implement it). The handlers validate
 * every argument and every mode conflict with Redis 7.0's texts; the server side only holds state
 * and delivers invalidations, so these interfaces take already-checked requests.
 */

/** One client's tracking mode (Redis's CLIENT_TRACKING_* flags and its prefixes). */
export interface TrackingView {
  /** The client id invalidations go to; 0 = this connection. */
  readonly redirect: number;
  readonly bcast: boolean;
  readonly optin: boolean;
  readonly optout: boolean;
  readonly noloop: boolean;
  /** CLIENT CACHING yes (OPTIN) or no (OPTOUT) was given for the next command. */
  readonly caching: boolean;
  /** The redirect client went away: invalidations are lost (CLIENT TRACKINGINFO broken_redirect). */
  readonly brokenRedirect: boolean;
  /** BCAST prefixes, latin1, in byte order ('' = every key). */
  readonly prefixes: readonly string[];
}

export interface TrackingRequest {
  readonly redirect: number;
  readonly bcast: boolean;
  readonly optin: boolean;
  readonly optout: boolean;
  readonly noloop: boolean;
  /** BCAST prefixes (latin1); none means the empty prefix, every key. */
  readonly prefixes: readonly string[];
}

export interface TrackingApi {
  /** The client's mode, or null while tracking is off. */
  of(clientId: number): TrackingView | null;
  /**
   * CLIENT TRACKING ON, already checked against the current mode: replaces the flags and the
   * redirect, keeps CLIENT CACHING's mark, adds the prefixes to those the client has.
   */
  enable(clientId: number, req: TrackingRequest): void;
  /** CLIENT TRACKING OFF: forgets the mode and the BCAST prefixes (keys read stay in the table). */
  disable(clientId: number): void;
  /** CLIENT CACHING yes|no, already checked against the mode: applies to the next command. */
  markCaching(clientId: number): void;
  /** INFO: clients with tracking on, keys and (key, client) pairs in the table, BCAST prefixes. */
  readonly clientCount: number;
  readonly totalKeys: number;
  readonly totalItems: number;
  readonly totalPrefixes: number;
}

export type PauseMode = 'write' | 'all';

export interface ClientPauseApi {
  /**
   * CLIENT PAUSE: until `end` (unix ms; one in the past pauses nothing). A pause already in
   * force keeps the later end and the stricter mode, as Redis 7.0 merges them.
   */
  pause(end: number, mode: PauseMode): void;
  /** CLIENT UNPAUSE: held commands run again, in the order they were held. */
  unpause(): void;
  /** Commands held by the pause (INFO blocked_clients counts them, as Redis does). */
  readonly heldCount: number;
}
