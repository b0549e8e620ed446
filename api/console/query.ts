/**
 * The console's session filters and the Temporal visibility query built from them. Only values that passed the zod
 * schema reach the query, and each goes in as a quoted, escaped string literal: a filter can never add a clause.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { SEARCH_ATTRIBUTES } from '../../lib/temporal/search-attributes';

/** Keyword values as the workflow writes them (states like `ivr.auth.consent`, versions like `1.1.0`, hex hashes). */
const keyword = (what: string) =>
  z.string().trim().min(1).max(200).regex(/^[A-Za-z0-9][A-Za-z0-9._:@/+-]*$/, `${what}: letters, digits and . _ : @ / + - only (as shown in the list)`);

export const sessionFiltersSchema = z.strictObject({
  state: keyword('a state name').optional(),
  outcome: keyword('an outcome').optional(),
  goal: z.enum(['reached', 'not_reached', 'unknown']).optional(),
  channel: z.enum(['voice', 'web']).optional(),
  machine: keyword('a machine name').optional(),
  machine_version: keyword('a machine version').optional(),
  caller_hash: z.string().trim().regex(/^[0-9a-f]{8,64}$/, 'a caller hash: hex digits as `npx ivr caller-hash` prints them').optional(),
  status: z.enum(['running', 'closed']).optional(),
  page_token: z.string().max(4000).regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'the nextPageToken of a previous answer, as given').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export type SessionFilters = z.infer<typeof sessionFiltersSchema>;

/** A Temporal visibility string literal: double-quoted, backslashes and quotes escaped. */
export function quoteValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const ATTRIBUTE_OF: Record<'state' | 'outcome' | 'goal' | 'channel' | 'machine' | 'machine_version' | 'caller_hash', keyof typeof SEARCH_ATTRIBUTES> = {
  state: 'IvrState',
  outcome: 'IvrOutcome',
  goal: 'IvrGoal',
  channel: 'IvrChannel',
  machine: 'IvrMachine',
  machine_version: 'IvrMachineVersion',
  caller_hash: 'IvrCallerHash',
};

/**
 * The visibility query of validated filters: sessions only (the workflow type), each filter an exact match,
 * `since` keeps sessions started after it.
 */
export function sessionsQuery(filters: Partial<SessionFilters>, since?: Date): string {
  const clauses = [`WorkflowType = ${quoteValue('sessionWorkflow')}`];
  for (const [field, attribute] of Object.entries(ATTRIBUTE_OF) as Array<[keyof typeof ATTRIBUTE_OF, keyof typeof SEARCH_ATTRIBUTES]>) {
    const value = filters[field];
    if (value !== undefined) clauses.push(`${attribute} = ${quoteValue(value)}`);
  }
  if (filters.status === 'running') clauses.push(`ExecutionStatus = ${quoteValue('Running')}`);
  if (filters.status === 'closed') clauses.push(`ExecutionStatus != ${quoteValue('Running')}`);
  if (since) clauses.push(`StartTime >= ${quoteValue(since.toISOString())}`);
  // No ORDER BY: SQL visibility (the dev server, PostgreSQL) refuses it; it lists running sessions first, then the
  // most recently closed, which is newest first for sessions of minutes.
  return clauses.join(' AND ');
}

/**
 * Page tokens handed to the browser: Temporal's own token with a MAC over it and the query it pages (key derived
 * from the API's SESSION_KEY). A token altered, made up or taken from another list is refused here, before Temporal
 * sees it (the dev server answers an unreadable token with a retried UNKNOWN error, seconds later).
 */
export function pageTokenKey(sessionKey: string): Buffer {
  return crypto.createHash('sha256').update(`console-page-token:v1:${sessionKey}`).digest();
}

function pageMac(key: Buffer, query: string, token: Buffer): string {
  return crypto.createHmac('sha256', key).update(query).update('\u0000').update(token).digest('base64url');
}

export function signPageToken(key: Buffer, query: string, token: Buffer): string {
  return `${token.toString('base64url')}.${pageMac(key, query, token)}`;
}

/** Temporal's token inside a page token this API issued for this query, or null. */
export function openPageToken(key: Buffer, query: string, given: string): Buffer | null {
  const [body, mac, extra] = given.split('.');
  if (!body || !mac || extra !== undefined) return null;
  const token = Buffer.from(body, 'base64url');
  const want = Buffer.from(pageMac(key, query, token));
  const got = Buffer.from(mac);
  return want.length === got.length && crypto.timingSafeEqual(want, got) ? token : null;
}
