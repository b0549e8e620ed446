/**
 * Capture step 5: creates the crm.lead linked to the partner. Idempotent like the partner step: the description
 * carries the capture marker, looked up before creating.
 */
import { findByMarker, odooStep, type CrmOdooPort } from './odoo';
import { leadValues } from './mapping';
import type { CrmActivities } from './types';

export function createCrmCreateLead(deps: { odoo: CrmOdooPort }): CrmActivities['crmCreateLead'] {
  return (input) =>
    odooStep('create lead', async () => {
      const existing = await findByMarker(deps.odoo, 'crm.lead', 'description', input.captureRef);
      if (existing !== null) return { id: existing };
      const id = await deps.odoo.callKw<number>('crm.lead', 'create', [leadValues(input)]);
      return { id };
    });
}
