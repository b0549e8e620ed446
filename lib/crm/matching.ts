/**
 * When a captured contact is the person already in Odoo (api/crm/README.md, "Matching"). An e-mail match is enough;
 * a phone match needs the names to agree, since a mobile is shared (a family, a carer) or reassigned. Pure: no I/O.
 */
import type { ContactDraft, ContactField } from './types';

/** Lower case, accents off, anything but letters and digits as one space: "Lefèvre-d'Aubigné" → "lefevre d aubigne". */
export function normalizeName(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Whether `part` (normalized, one or more words) is a whole-word run inside `name` (normalized). */
function containsWords(name: string, part: string): boolean {
  if (!part) return false;
  return ` ${name} `.includes(` ${part} `);
}

/**
 * Names agree when the captured last name is a whole-word run of the partner's name (accents, case and hyphens
 * ignored, in any order: "Dubois Claire" agrees with Claire Dubois). With no last name captured, the first name is
 * not enough: they do not agree.
 */
export function namesAgree(contact: Pick<ContactDraft, 'firstname' | 'lastname'>, partnerName: string): boolean {
  const last = normalizeName(contact.lastname ?? '');
  return containsWords(normalizeName(partnerName), last);
}

/** The captured fields that differ from the matched partner: they go on the lead for someone to check. */
export function differingFields(
  contact: Pick<ContactDraft, 'firstname' | 'lastname' | 'email' | 'phone'>,
  partner: { name: string; email: string | null; phoneMatches: (e164: string) => boolean },
): ContactField[] {
  const out: ContactField[] = [];
  const pname = normalizeName(partner.name);
  if (contact.firstname && !containsWords(pname, normalizeName(contact.firstname))) out.push('firstname');
  if (contact.lastname && !containsWords(pname, normalizeName(contact.lastname))) out.push('lastname');
  if (contact.email && contact.email.trim().toLowerCase() !== (partner.email ?? '').trim().toLowerCase()) out.push('email');
  if (contact.phone && !partner.phoneMatches(contact.phone)) out.push('phone');
  return out;
}
