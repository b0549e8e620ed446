/**
 * Capture step 3: is this person already in Odoo? First a partner this very capture created (a retried workflow),
 * then by normalized e-mail (lower case), then by phone in every spelling a number may be stored in (servers with
 * and without the `phonenumbers` library, with and without `mobile`), where the names must agree too
 * (lib/crm/matching.ts). Read-only: a match changes nothing; what differs from the partner comes back as needsCheck.
 */
import { partnerPhoneDomain, phoneMatches } from '../../lib/odoo/phone-search';
import { findByMarker, type CrmOdooPort } from '../../lib/crm/odoo';
import { differingFields, namesAgree } from '../../lib/crm/matching';
import type { CrmActivities, DuplicateMatch } from '../../lib/crm/types';
import { odooStep } from './odoo-step';

type Row = Record<string, unknown> & { id: number };

/** The oldest active person (not a company) whose e-mail is this one, lower-cased. */
export async function findPartnerByEmail(odoo: CrmOdooPort, email: string): Promise<number | null> {
  const fields = await odoo.fields('res.partner');
  const normalized = email.trim().toLowerCase();
  // email_normalized is Odoo's own lower-cased address; =ilike (no wildcards) where a server lacks it
  const term = fields.email_normalized ? ['email_normalized', '=', normalized] : ['email', '=ilike', normalized];
  const ids = await odoo.callKw<number[]>('res.partner', 'search', [[term, ['is_company', '=', false]]], { order: 'id asc', limit: 1 });
  return ids[0] ?? null;
}

/** The oldest active person whose phone (or mobile) is this E.164 number, confirmed in the project. */
export async function findPartnerByPhone(odoo: CrmOdooPort, e164: string): Promise<number | null> {
  const fields = await odoo.fields('res.partner');
  const domain = ['&', ['is_company', '=', false], ...partnerPhoneDomain(e164, fields)];
  const read = ['phone', ...(fields.mobile ? ['mobile'] : [])];
  const rows = await odoo.callKw<Row[]>('res.partner', 'search_read', [domain], { fields: read, order: 'id asc', limit: 20 });
  // ilike on a national spelling can match a longer number: confirm by parsing what is stored
  const hit = rows.find((r) => read.some((f) => phoneMatches(r[f], e164)));
  return hit?.id ?? null;
}

/** The partner's name, e-mail and phone numbers as stored. */
async function readPartner(odoo: CrmOdooPort, id: number): Promise<{ name: string; email: string | null; phones: unknown[] }> {
  const fields = await odoo.fields('res.partner');
  const read = ['name', 'email', 'phone', ...(fields.mobile ? ['mobile'] : [])];
  const rows = await odoo.callKw<Row[]>('res.partner', 'read', [[id]], { fields: read });
  const r = rows[0] ?? ({ id } as Row);
  return { name: typeof r.name === 'string' ? r.name : '', email: typeof r.email === 'string' && r.email ? r.email : null, phones: [r.phone, r.mobile] };
}

export function createCrmFindDuplicate(deps: { odoo: CrmOdooPort }): CrmActivities['crmFindDuplicate'] {
  return ({ captureRef, email, phone, firstname = null, lastname = null }) =>
    odooStep('find duplicate', async (): Promise<DuplicateMatch | null> => {
      const fields = await deps.odoo.fields('res.partner');
      if (fields.comment) {
        const own = await findByMarker(deps.odoo, 'res.partner', 'comment', captureRef);
        if (own !== null) return { partnerId: own, by: 'capture', needsCheck: [] };
      }
      const contact = { firstname, lastname, email, phone };
      const compare = async (id: number) => {
        const p = await readPartner(deps.odoo, id);
        return { p, differs: differingFields(contact, { name: p.name, email: p.email, phoneMatches: (e164) => p.phones.some((v) => phoneMatches(v, e164)) }) };
      };
      if (email) {
        const id = await findPartnerByEmail(deps.odoo, email);
        if (id !== null) return { partnerId: id, by: 'email', needsCheck: (await compare(id)).differs };
      }
      if (phone) {
        const id = await findPartnerByPhone(deps.odoo, phone);
        if (id !== null) {
          const { p, differs } = await compare(id);
          // a shared or reassigned number is not the same person: no match, and the phone is flagged
          if (!namesAgree(contact, p.name)) return { partnerId: null, by: null, needsCheck: ['phone'] };
          return { partnerId: id, by: 'phone', needsCheck: differs };
        }
      }
      return null;
    });
}
