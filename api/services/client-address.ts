/**
 * Whose address a code or link send counts against. A browser calling the API counts against its own address; a
 * portal session's sends reach the API from the session worker (the machine's auth states run as activities), so
 * the worker says on whose behalf it calls and the API counts the browser's address the portal saw when the session
 * started, never the worker's own.
 *
 * Addresses are never stored in clear: `clientRef` is a keyed hash (SESSION_KEY) the portal puts in the session's
 * memo and the limits use as their bucket. The worker's word is taken only from an authenticated service call: the
 * activity sends the session's workflow id in `X-Care-Session` with the stack's operator token in
 * `X-Care-Service-Token` (activities/backend/call-backend.ts); any other caller naming a session is ignored and
 * counted by its own address.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { keyedHash } from './tokens';

export const RELAY_SESSION_HEADER = 'x-care-session';
export const RELAY_TOKEN_HEADER = 'x-care-service-token';

/** The routes whose limits count a client address (code and link sends, code checks). */
export const ADDRESS_LIMITED_PATHS = ['/auth/request-otp', '/auth/verify-otp', '/portal/send-otp-link'] as const;

/** The keyed hash of a client address: what buckets, memos and logs hold instead of the address. */
export function clientRef(sessionKey: string, ip: string): string {
  return keyedHash(sessionKey, 'client-address:v1', ip).slice(0, 32);
}

/**
 * A request relayed by the session worker: `ref` is the browser address's hash recorded for the session, or null
 * when the session has none (a phone call, an address exempt from limits): then only the per-number limits apply.
 */
export interface RelayedClient {
  session: string;
  ref: string | null;
}

const relayed = new AsyncLocalStorage<RelayedClient>();

/** Runs `fn` (the rest of the request) as a call the worker relayed for a session. */
export function runRelayed<T>(client: RelayedClient, fn: () => T): T {
  return relayed.run(client, fn);
}

/** The relayed client of the current request, or undefined when the caller is the client itself. */
export function currentRelayedClient(): RelayedClient | undefined {
  return relayed.getStore();
}

/**
 * The per-address bucket of a request (`<kind>:client:<ref>`), or null when no address counts: an exempt address
 * (the local stack's own), or a relayed call for a session without a browser address.
 */
export function addressBucket(kind: string, ip: string, opts: { sessionKey: string; exempt: (ip: string) => boolean }): string | null {
  const relay = currentRelayedClient();
  if (relay) return relay.ref === null ? null : `${kind}:client:${relay.ref}`;
  return opts.exempt(ip) ? null : `${kind}:client:${clientRef(opts.sessionKey, ip)}`;
}
