/**
 * Capture step 4: creates the res.partner. Idempotent: the partner carries the capture marker in its Notes, written
 * by the create itself, and the step looks for it first, so a retry after a lost answer (timeout, worker crash)
 * returns the partner already created instead of a second one.
 */
import { partnerValues } from '../../lib/crm/mapping';
import { findByMarker, type CrmOdooPort } from '../../lib/crm/odoo';
import type { CrmActivities } from '../../lib/crm/types';
import { odooStep } from './odoo-step';

export function createCrmCreatePartner(deps: { odoo: CrmOdooPort }): CrmActivities['crmCreatePartner'] {
  return ({ captureRef, contact, source }) =>
    odooStep('create partner', async () => {
      const fields = await deps.odoo.fields('res.partner');
      if (fields.comment) {
        const existing = await findByMarker(deps.odoo, 'res.partner', 'comment', captureRef);
        if (existing !== null) return { id: existing };
      }
      const id = await deps.odoo.callKw<number>('res.partner', 'create', [partnerValues(contact, captureRef, source, fields)]);
      return { id };
    });
}
