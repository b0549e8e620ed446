/**
 * Capture step 5: creates the crm.lead linked to the partner. Idempotent like the partner step: the description
 * carries the capture marker, looked up before creating. The lead never writes onto its partner (lib/crm/mapping.ts).
 */
import { leadValues } from '../../lib/crm/mapping';
import { findByMarker, type CrmOdooPort } from '../../lib/crm/odoo';
import type { CrmActivities } from '../../lib/crm/types';
import { odooStep } from './odoo-step';

export function createCrmCreateLead(deps: { odoo: CrmOdooPort }): CrmActivities['crmCreateLead'] {
  return (input) =>
    odooStep('create lead', async () => {
      const existing = await findByMarker(deps.odoo, 'crm.lead', 'description', input.captureRef);
      if (existing !== null) return { id: existing };
      const id = await deps.odoo.callKw<number>('crm.lead', 'create', [leadValues(input, await deps.odoo.fields('crm.lead'))]);
      return { id };
    });
}
