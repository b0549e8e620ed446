/**
 * What the CRM capture uses of the Odoo client, and the marker lookup every create starts with (a retry finds the
 * record an earlier attempt created). Free of Temporal: activities/crm/odoo-step.ts turns Odoo failures into
 * Temporal failures.
 */
import type { OdooClient } from '../odoo/client';
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
