/**
 * Inputs of the CRM routes. POST /crm/text-contacts has the three forms the voice-crm machine uses (preview,
 * correction, create from a confirmed contact) plus the plain `{text}` that extracts and creates at once.
 */
import { z } from 'zod';
import { isValidEmail } from '../../lib/french/email';
import { parsePhone } from '../../lib/french/phone';
import { CRM_CONSENT_WORDINGS, DEFAULT_CRM_WORDING_VERSION } from '../../lib/consent/wordings';
import { CONTACT_FIELDS } from '../../lib/french/contact';

/** Empty strings (a template rendering a missing ctx value) count as absent. */
const optText = (max: number) =>
  z.preprocess((v) => (v === '' || v === null ? undefined : v), z.string().trim().max(max, `at most ${max} characters`).optional());

const nameField = z.preprocess((v) => (v === '' ? null : v), z.string().trim().min(1).max(100, 'at most 100 characters').nullable().default(null));

export function contactSchema(defaultRegion: string) {
  return z.object({
    firstname: nameField,
    lastname: nameField,
    email: z.preprocess(
      (v) => (v === '' ? null : v),
      z.string().trim().toLowerCase().max(254).refine(isValidEmail, 'not a valid e-mail address such as lina@exemple.com').nullable().default(null),
    ),
    phone: z.preprocess(
      (v) => (v === '' ? null : v),
      // room for a number as heard ("plus deux cent soixante et un, trente-deux, …" is over 100 characters)
      z.string().max(200, 'at most 200 characters').nullable().default(null).transform((p, ctx) => {
        if (p === null) return null;
        const r = parsePhone(p, { defaultRegion });
        if (r.ok) return r.e164;
        ctx.addIssue({ code: 'custom', message: `not a valid phone number (${r.reason}); send E.164 such as +261321234567` });
        return z.NEVER;
      }),
    ),
    needs_check: z.array(z.enum(CONTACT_FIELDS)).max(4).optional(),
  });
}

const bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((s) => s === 'true')]);

export const consentSchema = z.object({
  whatsapp: bool.optional(),
  sms: bool.optional(),
  wording_version: z.string().default(DEFAULT_CRM_WORDING_VERSION).refine((v) => v in CRM_CONSENT_WORDINGS, {
    message: `unknown wording version; known: ${Object.keys(CRM_CONSENT_WORDINGS).join(', ')}`,
  }),
});

export function textContactsSchema(defaultRegion: string, maxTextChars: number) {
  const contact = contactSchema(defaultRegion);
  return z
    .object({
      text: optText(maxTextChars),
      dry_run: bool.default(false),
      draft: contact.optional(),
      field: z.enum(['name', 'email', 'phone']).optional(),
      contact: contact.optional(),
      source: optText(40),
      call_id: optText(200),
      session_id: optText(200),
      /**
       * The number of the call (the machine's ctx.caller): a preview whose dictation has no phone proposes it, flagged
       * phone_from_caller, for the caller to confirm or correct. A hidden or invalid caller id is ignored.
       */
      default_phone: optText(40),
      create_lead: bool.default(true),
      consent: consentSchema.optional(),
    })
    .superRefine((b, ctx) => {
      const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
      if (b.dry_run) {
        if (b.contact) issue('contact', 'a contact is stored only with dry_run: false; a preview takes text (and draft + field to correct)');
        if (!b.text) issue('text', 'required: the dictation (or the correction) to read');
        if (b.field && !b.draft) issue('draft', 'required with field: the contact being corrected');
        if (b.draft && !b.field) issue('field', 'required with draft: name, email or phone');
      } else {
        if (b.draft || b.field) issue(b.draft ? 'draft' : 'field', 'draft and field are for corrections, with dry_run: true');
        if (b.text && b.contact) issue('contact', 'send either text (to extract) or contact (already confirmed), not both');
        if (!b.text && !b.contact) issue('text', 'required: the dictation to capture, or a confirmed contact');
      }
    });
}

export function listSchema() {
  return z.object({
    limit: z.coerce.number().int('a whole number').min(1).max(50, 'at most 50').default(10),
    /** Paging: how many of the newest to skip (the previous page's next_offset). */
    offset: z.coerce.number().int('a whole number').min(0, 'at least 0').max(10_000, 'at most 10000').default(0),
    q: optText(100),
  });
}

/** Idempotency-Key: becomes the workflow id `crm-capture-<key>`, and the marker on the Odoo records. */
export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._:@/+=-]+$/, 'letters, digits and . _ : @ / + = - only');

export const voiceFormSchema = z.object({
  call_id: optText(200),
  session_id: optText(200),
  dry_run: bool.default(false),
  create_lead: bool.default(true),
  consent_whatsapp: bool.optional(),
  consent_sms: bool.optional(),
  consent_wording_version: z.string().default(DEFAULT_CRM_WORDING_VERSION).refine((v) => v in CRM_CONSENT_WORDINGS, {
    message: `unknown wording version; known: ${Object.keys(CRM_CONSENT_WORDINGS).join(', ')}`,
  }),
});

// ---- answers (documentation in /openapi.json and the handlers' types) ----

const fieldList = z.array(z.enum(CONTACT_FIELDS));
const contactOut = z.object({ firstname: z.string().nullable(), lastname: z.string().nullable(), email: z.string().nullable(), phone: z.string().nullable().describe('E.164') });

export const captureAnswerSchema = z.object({
  capture_id: z.string(),
  transcript: z.string().nullable(),
  extracted: contactOut,
  contact: contactOut.extend({ needs_check: fieldList }),
  needs_check: fieldList.describe('fields a human should confirm'),
  dropped: fieldList.describe('values the model proposed that the transcript does not support'),
  extraction: z.enum(['parser', 'parser+llm', 'given']),
  partner: z.object({ id: z.number().int(), created: z.boolean(), matched_by: z.enum(['email', 'phone']).nullable() }).nullable(),
  lead: z.object({
    id: z.number().int(),
    created: z.boolean().describe('a new lead'),
    updated: z.boolean().describe('an open lead of the same person, from a capture within CRM_LEAD_DEDUP_HOURS, was updated instead'),
  }).nullable(),
  consents: z.array(z.object({ channel: z.enum(['whatsapp', 'sms']), granted: z.boolean(), source: z.enum(['speech', 'request']) })),
  readback: z.string(),
  readback_question: z.string(),
  partner_id: z.number().int().nullable(),
  lead_id: z.number().int().nullable(),
  deduplicated: z.boolean(),
});

export const draftAnswerSchema = z.object({
  dry_run: z.literal(true),
  contact: contactOut.extend({ needs_check: fieldList }),
  extracted: contactOut,
  needs_check: fieldList,
  missing: z.array(z.enum(['name', 'email_or_phone'])),
  readback: z.string(),
  readback_question: z.string(),
  readback_fields: z.string().describe('each field on its own: "Nom : … Email : … Téléphone : …" (the phone read-back with DTMF corrections)'),
  phone_from_caller: z.boolean().describe("the phone is the call's own number (default_phone), not dictated"),
  partner: z.null(),
  lead: z.null(),
  dropped: fieldList.optional(),
  consents: z.array(z.object({ channel: z.enum(['whatsapp', 'sms']), granted: z.boolean() })).optional(),
  corrected: z.enum(['name', 'email', 'phone']).optional(),
  transcript: z.string().optional(),
});

export const contactsAnswerSchema = z.object({
  contacts: z.array(z.object({ id: z.number().int(), name: z.string(), email: z.string().nullable(), phone: z.string().nullable(), created_at: z.string().nullable() })),
  count: z.number().int(),
  offset: z.number().int(),
  next_offset: z.number().int().nullable().describe('the offset of the next page; null on the last page'),
  summary_voice: z.string(),
});

export const leadsAnswerSchema = z.object({
  leads: z.array(z.object({
    id: z.number().int(),
    name: z.string(),
    contact_name: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    partner: z.object({ id: z.number().int(), name: z.string() }).nullable(),
    type: z.string().nullable(),
    created_at: z.string().nullable(),
  })),
  count: z.number().int(),
  offset: z.number().int(),
  next_offset: z.number().int().nullable().describe('the offset of the next page; null on the last page'),
});
