/**
 * Capture step 5: the crm.lead of the capture. A matched person with an open lead that a capture created within
 * the window (`dedupHours`) gets that lead updated (the new capture appended to its description) instead of a
 * second lead; otherwise a lead is created, linked to the partner. Idempotent: the create and the update both
 * write the capture marker, looked up first; the first marker of a lead says which capture created it. The lead
 * never writes onto its partner (lib/crm/mapping.ts).
 */
import { firstMarkerRef, leadUpdateHtml, leadValues } from '../../lib/crm/mapping';
import { findByMarker, type CrmOdooPort } from '../../lib/crm/odoo';
import type { CreateLeadInput, CrmActivities, LeadOutcome } from '../../lib/crm/types';
import { odooStep } from './odoo-step';

type Row = Record<string, unknown> & { id: number };

/** Odoo's naive UTC datetime `YYYY-MM-DD HH:MM:SS`. */
const odooDatetime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/** The newest open lead of this partner created by a capture within the window, with its description. */
async function openCapturedLead(odoo: CrmOdooPort, input: CreateLeadInput & { dedupHours: number }): Promise<Row | null> {
  const fields = await odoo.fields('crm.lead');
  const end = input.at ? Date.parse(input.at) : Date.now();
  const domain: unknown[] = [
    ['partner_id', '=', input.partnerId],
    ['create_date', '>=', odooDatetime(end - input.dedupHours * 3_600_000)],
    // leads the product created (a salesperson's own lead is left alone)
    ['description', 'ilike', '[capture:'],
    // lost leads are archived (active, filtered by Odoo by default); won ones have probability 100
    ...(fields.probability ? ['|', ['probability', '<', 100], ['probability', '=', false]] : []),
  ];
  const rows = await odoo.callKw<Row[]>('crm.lead', 'search_read', [domain], { fields: ['description'], order: 'id desc', limit: 1 });
  return rows[0] ?? null;
}

export function createCrmCreateLead(deps: { odoo: CrmOdooPort }): CrmActivities['crmCreateLead'] {
  return (input) =>
    odooStep('create lead', async (): Promise<LeadOutcome> => {
      const existing = await findByMarker(deps.odoo, 'crm.lead', 'description', input.captureRef);
      if (existing !== null) {
        // a retry: this capture created the lead, or appended itself to an open one
        const [row] = await deps.odoo.callKw<Row[]>('crm.lead', 'read', [[existing]], { fields: ['description'] });
        const created = firstMarkerRef(row?.description) === input.captureRef;
        return { id: existing, created, updated: !created };
      }
      if (input.dedupHours && input.dedupHours > 0) {
        const open = await openCapturedLead(deps.odoo, { ...input, dedupHours: input.dedupHours });
        if (open) {
          const before = typeof open.description === 'string' ? open.description : '';
          await deps.odoo.callKw('crm.lead', 'write', [[open.id], { description: before + leadUpdateHtml(input) }]);
          return { id: open.id, created: false, updated: true };
        }
      }
      const id = await deps.odoo.callKw<number>('crm.lead', 'create', [leadValues(input, await deps.odoo.fields('crm.lead'))]);
      return { id, created: true, updated: false };
    });
}
