/**
 * What the capture activities use of the Odoo client, the marker lookup every create starts with, and how Odoo
 * failures become Temporal failures: an unreachable Odoo is retried by Temporal; a refusal (validation, access,
 * unknown field) is not, since the same call would be refused again.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { OdooClient } from '../../lib/odoo/client';
import { OdooError, OdooUnavailable } from '../../lib/odoo/errors';
import { captureMarker, hasMarker } from './mapping';

export type CrmOdooPort = Pick<OdooClient, 'callKw' | 'fields'>;

/** The record of `model` whose `field` (HTML text) carries this capture's marker, if any. */
export async function findByMarker(odoo: CrmOdooPort, model: string, field: string, captureRef: string): Promise<number | null> {
  const rows = await odoo.callKw<Array<Record<string, unknown>>>(model, 'search_read', [[[field, 'ilike', captureMarker(captureRef)]]], {
    fields: [field],
    order: 'id asc',
    limit: 5,
  });
  const hit = rows.find((r) => hasMarker(r[field], captureRef));
  return hit && typeof hit.id === 'number' ? hit.id : null;
}

/** Runs an Odoo step; Odoo refusals become non-retryable failures named after the Odoo error class. */
export async function odooStep<T>(step: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof OdooUnavailable) throw err;
    if (err instanceof OdooError) {
      // Odoo's own message may quote the contact: keep our wording and the class only.
      throw ApplicationFailure.nonRetryable(`${step}: Odoo refused the call (${err.name}${err.odooName ? `, ${err.odooName}` : ''})`, err.name);
    }
    throw err;
  }
}
