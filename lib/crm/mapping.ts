/**
 * Seed 000 §6 mapping of a captured contact to Odoo values, and the capture marker that makes every create
 * idempotent: the marker (with the capture id) is written in the same create as the record, so a retry after a
 * lost answer finds the record instead of creating a second one. Pure: no I/O.
 */
import type { ContactDraft, ContactField, CaptureInput, CreateLeadInput } from './types';

export const SOURCE_LABEL = 'Capté par interface vocale';
export const LEAD_TITLE = 'Nouveau prospect via voix';

const SOURCE_DETAIL: Record<CaptureInput['source'], string> = {
  voice: 'enregistrement envoyé par l’application',
  text: 'texte dicté puis transcrit',
  phone: 'appel téléphonique (serveur vocal)',
};

/** `[capture:crm-capture-…]`: the brackets end the id, so one id is never read inside a longer one. */
export function captureMarker(captureRef: string): string {
  return `[capture:${captureRef}]`;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** name = firstname + " " + lastname (one of them alone when the other is unknown). */
export function fullName(c: Pick<ContactDraft, 'firstname' | 'lastname'>): string | null {
  const name = [c.firstname, c.lastname].filter((p): p is string => !!p && p.trim() !== '').map((p) => p.trim()).join(' ');
  return name === '' ? null : name;
}

/**
 * res.partner values: name, email, phone, and mobile = phone where the server has `mobile` (gone in Odoo 19);
 * the Notes field carries the source and the capture marker.
 */
export function partnerValues(contact: ContactDraft, captureRef: string, source: CaptureInput['source'], fields: Record<string, unknown>): Record<string, unknown> {
  const name = fullName(contact);
  if (!name) throw new Error('partnerValues: a contact needs a first or last name (Odoo requires a name)');
  const vals: Record<string, unknown> = { name, type: 'contact', is_company: false };
  if (contact.email) vals.email = contact.email;
  if (contact.phone) {
    vals.phone = contact.phone;
    if (fields.mobile) vals.mobile = contact.phone;
  }
  if (fields.comment) vals.comment = `<p>${escapeHtml(SOURCE_LABEL)} (${escapeHtml(SOURCE_DETAIL[source])}). ${escapeHtml(captureMarker(captureRef))}</p>`;
  return vals;
}

/**
 * crm.lead values; the description (HTML) says where the lead comes from, the contact data as captured, and quotes
 * the transcript, all escaped. `email_from` and `phone` are never sent: with `partner_id` set Odoo computes them
 * from the partner, and its inverse writes a different value back onto the partner (observed on Odoo 19), which
 * would change a matched person. What was captured stays readable in the description. `iap_enrich_done` (where the
 * server has lead enrichment, crm_iap_enrich) keeps Odoo from sending the lead to its outside enrichment service.
 */
export function leadValues(input: CreateLeadInput, leadFields: Record<string, unknown> = {}): Record<string, unknown> {
  const name = fullName(input.contact);
  const captured = [
    name ? `nom : ${escapeHtml(name)}` : '',
    input.contact.email ? `e-mail : ${escapeHtml(input.contact.email)}` : '',
    input.contact.phone ? `téléphone : ${escapeHtml(input.contact.phone)}` : '',
  ].filter(Boolean);
  const lines = [
    `<p>${escapeHtml(SOURCE_LABEL)} (${escapeHtml(SOURCE_DETAIL[input.source])}).</p>`,
    captured.length ? `<p>Coordonnées captées : ${captured.join(', ')}</p>` : '',
    input.needsCheck?.length ? `<p>À vérifier : ${input.needsCheck.map((f) => escapeHtml(FIELD_LABEL[f])).join(', ')}</p>` : '',
    input.transcript ? `<p>Transcription : « ${escapeHtml(input.transcript)} »</p>` : '',
    input.callId ? `<p>Appel : ${escapeHtml(input.callId)}</p>` : '',
    `<p>${escapeHtml(captureMarker(input.captureRef))}</p>`,
  ];
  const vals: Record<string, unknown> = {
    name: name ? `${LEAD_TITLE} : ${name}` : LEAD_TITLE,
    type: 'lead',
    partner_id: input.partnerId,
    description: lines.filter(Boolean).join(''),
  };
  if (name) vals.contact_name = name;
  if (leadFields.iap_enrich_done) vals.iap_enrich_done = true;
  return vals;
}

/**
 * What a repeated capture adds to the open lead it updates: when, the contact data as captured this time, the
 * fields to check, the transcript, the call, and this capture's marker (so a retry finds the update done). Only
 * the description is written: a lead's email_from/phone would be written back onto its partner.
 */
export function leadUpdateHtml(input: CreateLeadInput): string {
  const name = fullName(input.contact);
  const captured = [
    name ? `nom : ${escapeHtml(name)}` : '',
    input.contact.email ? `e-mail : ${escapeHtml(input.contact.email)}` : '',
    input.contact.phone ? `téléphone : ${escapeHtml(input.contact.phone)}` : '',
  ].filter(Boolean);
  const when = input.at ? ` le ${escapeHtml(input.at.slice(0, 16).replace('T', ' '))} UTC` : '';
  return [
    `<p>Nouvelle capture${when} (${escapeHtml(SOURCE_DETAIL[input.source])}).</p>`,
    captured.length ? `<p>Coordonnées captées : ${captured.join(', ')}</p>` : '',
    input.needsCheck?.length ? `<p>À vérifier : ${input.needsCheck.map((f) => escapeHtml(FIELD_LABEL[f])).join(', ')}</p>` : '',
    input.transcript ? `<p>Transcription : « ${escapeHtml(input.transcript)} »</p>` : '',
    input.callId ? `<p>Appel : ${escapeHtml(input.callId)}</p>` : '',
    `<p>${escapeHtml(captureMarker(input.captureRef))}</p>`,
  ].filter(Boolean).join('');
}

/** The capture id of the first marker in a stored text: the capture that created the record. */
export function firstMarkerRef(stored: unknown): string | null {
  if (typeof stored !== 'string') return null;
  const m = /\[capture:([^\]\s<]+)\]/.exec(stored);
  return m ? m[1]! : null;
}

const FIELD_LABEL: Record<ContactField, string> = { firstname: 'prénom', lastname: 'nom', email: 'e-mail', phone: 'téléphone' };

/** Whether a stored (HTML) text carries this capture's marker; the search is `ilike`, this confirms it exactly. */
export function hasMarker(stored: unknown, captureRef: string): boolean {
  if (typeof stored !== 'string') return false;
  const marker = captureMarker(captureRef);
  return stored.includes(marker) || stored.includes(escapeHtml(marker));
}
