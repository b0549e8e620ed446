/**
 * Voice → CRM routes (seed 000): capture a contact from a recording or a text, deduplicate it against Odoo, create
 * the res.partner and its crm.lead, log consent; list contacts and leads. Every capture runs as the durable
 * crmCaptureWorkflow (see ./capture.ts); previews and corrections (dry_run) write nothing and run inline.
 *
 *   POST /crm/voice-contacts   multipart: audio (+ call_id, session_id, dry_run, create_lead, consent_*)
 *   POST /crm/text-contacts    {text} | {text, dry_run:true} | {dry_run:true, draft, field, text} | {dry_run:false, contact}
 *   GET  /crm/contacts?limit=&offset=&q=   (next_offset: the next page's offset, null on the last)
 *   GET  /crm/leads?limit=&offset=&q=
 *
 * All are operator routes (Authorization: Bearer <operator token>), declared in the API's route table.
 * Mount: `startApiServer({ routers: [createCrmRouter({...})] })` (or createApp's `routers`).
 */
import type { Router } from 'express';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { CaptureResult } from '../../lib/crm/types';
import { ApiError } from '../errors';
import { route, tableRouter, type AnyRoute, type AuditTrail, type HandlerResult } from '../http';
import {
  captureAnswerSchema, contactsAnswerSchema, draftAnswerSchema, idempotencyKeySchema, leadsAnswerSchema, listSchema, textContactsSchema, voiceFormSchema,
} from './schemas';
import { CrmService, type ContactOutcome, type ContactPreview, type CrmServiceDeps } from './service';
import { readback, readbackFields, readbackQuestion, summaryVoice } from './voice-text';

export interface CrmRouterDeps extends CrmServiceDeps {
  /** Unused since the routes run in the API's route table (the API's logger logs them); kept for callers. */
  logger?: Logger;
}

/**
 * The CRM routes as route-table declarations (api/http.ts): operator authentication and audit, validation, error
 * answers and /openapi.json come from the table like every other route.
 */
export function crmRoutes(deps: CrmRouterDeps): AnyRoute[] {
  const crm = new CrmService(deps);
  const { region, maxTextChars, maxAudioBytes } = crm.settings;

  const textContacts = route({
    method: 'post',
    path: '/crm/text-contacts',
    summary: 'Capture a contact from a dictation or a confirmed contact (dry_run: preview or correct one field, nothing stored).',
    auth: 'operator',
    idempotent: 'handler',
    idempotencyKey: idempotencyKeySchema,
    body: textContactsSchema(region, maxTextChars),
    response: z.union([captureAnswerSchema, draftAnswerSchema]),
    errors: [...CAPTURE_ERRORS, [422, 'nothing_understood'], [422, 'correction_not_understood']],
    async handler({ body, audit, idempotencyKey }) {
      return contactAnswer(await crm.textContact(body, idempotencyKey), audit);
    },
  });

  const voiceContacts = route({
    method: 'post',
    path: '/crm/voice-contacts',
    summary: 'Capture a contact from a recording (multipart field "audio": wav, ogg, webm/opus, mp3, flac); dry_run previews.',
    auth: 'operator',
    idempotent: 'handler',
    idempotencyKey: idempotencyKeySchema,
    upload: { field: 'audio', maxBytes: maxAudioBytes, tooLargeCode: 'audio_too_large', what: 'recording' },
    body: voiceFormSchema,
    response: z.union([captureAnswerSchema, draftAnswerSchema]),
    errors: [...CAPTURE_ERRORS, [400, 'invalid_multipart'], [413, 'audio_too_large'], [413, 'audio_too_long'], [415, 'unsupported_media_type'], [422, 'audio_rejected'], [503, 'speech_disabled']],
    async handler({ body: form, upload, audit, idempotencyKey }) {
      return contactAnswer(await crm.voiceContact(form, upload!.data, idempotencyKey), audit);
    },
  });

  const listContacts = route({
    method: 'get',
    path: '/crm/contacts',
    summary: 'The newest persons in the CRM (q: name, e-mail or a number in any spelling; offset/next_offset page), with a spoken summary.',
    auth: 'operator',
    idempotent: false,
    query: listSchema(),
    response: contactsAnswerSchema,
    errors: [[401, 'unauthorized']],
    async handler({ query, audit }) {
      const page = paged(await crm.listContacts({ ...query, limit: query.limit + 1 }), query);
      audit.add('res.partner', page.rows.map((c) => c.id));
      return { contacts: page.rows, count: page.rows.length, offset: query.offset, next_offset: page.next, summary_voice: summaryVoice(page.rows) };
    },
  });

  const listLeads = route({
    method: 'get',
    path: '/crm/leads',
    summary: 'The newest leads (q: name, contact, e-mail or phone; offset/next_offset page).',
    auth: 'operator',
    idempotent: false,
    query: listSchema(),
    response: leadsAnswerSchema,
    errors: [[401, 'unauthorized']],
    async handler({ query, audit }) {
      const page = paged(await crm.listLeads({ ...query, limit: query.limit + 1 }), query);
      audit.add('crm.lead', page.rows.map((l) => l.id));
      return { leads: page.rows, count: page.rows.length, offset: query.offset, next_offset: page.next };
    },
  });

  return [voiceContacts, textContacts, listContacts, listLeads];
}

/**
 * The CRM routes as a router for `AppExtras.routers` (how the API and the local stack receive them): createApp
 * mounts its route table with the API's own auth, audit and errors. Mounted anywhere else it serves nothing.
 */
export function createCrmRouter(deps: CrmRouterDeps): Router {
  return tableRouter(crmRoutes(deps));
}

/** One row more than the page was read: its presence says a next page exists, without a count query. */
function paged<T>(rows: T[], q: { limit: number; offset: number }): { rows: T[]; next: number | null } {
  return { rows: rows.slice(0, q.limit), next: rows.length > q.limit ? q.offset + q.limit : null };
}

const CAPTURE_ERRORS: Array<[number, string]> = [
  [401, 'unauthorized'], [409, 'odoo_rejected'], [422, 'contact_incomplete'], [422, 'idempotency_key_reused'],
  [502, 'capture_failed'], [502, 'odoo_schema'], [503, 'orchestrator_unavailable'], [503, 'capture_busy'], [504, 'capture_pending'],
];

type CaptureAnswer = z.infer<typeof captureAnswerSchema>;
type DraftAnswer = z.infer<typeof draftAnswerSchema>;

/** A preview answers 200 with its draft; a capture 201 when a person was created, else 200. */
function contactAnswer(outcome: ContactOutcome, audit: AuditTrail): HandlerResult<CaptureAnswer | DraftAnswer> {
  return outcome.kind === 'preview' ? { body: draftAnswer(outcome.preview) } : captured(outcome.result, audit);
}

/** The records a capture read or wrote go to the operator audit log. */
function captured(r: CaptureResult, audit: AuditTrail): HandlerResult<CaptureAnswer> {
  const answer = captureAnswer(r);
  if (answer.partner) audit.add('res.partner', [answer.partner.id]);
  if (answer.lead) audit.add('crm.lead', [answer.lead.id]);
  return { status: answer.partner?.created ? 201 : 200, body: answer };
}

/** The answer of every capture: the API's shape plus what the voice-crm machine reads. */
function captureAnswer(r: CaptureResult): CaptureAnswer {
  if (r.status === 'incomplete') {
    throw new ApiError(422, 'contact_incomplete', describeMissing(r.missing), {
      missing: r.missing, extracted: r.extracted, needs_check: r.needs_check, transcript: r.transcript, capture_id: r.capture_id,
    });
  }
  return {
    capture_id: r.capture_id,
    transcript: r.transcript,
    extracted: r.extracted,
    contact: { ...r.extracted, needs_check: r.needs_check },
    needs_check: r.needs_check,
    dropped: r.dropped,
    extraction: r.extraction,
    partner: r.partner && { id: r.partner.id, created: r.partner.created, matched_by: r.partner.matched_by },
    // results stored before created/updated existed were always new leads
    lead: r.lead && { id: r.lead.id, created: r.lead.created ?? !r.lead.updated, updated: r.lead.updated ?? false },
    consents: r.consents,
    readback: readback(r.extracted),
    readback_question: readbackQuestion(r.extracted),
    // the names the voice-crm machine reads
    partner_id: r.partner?.id ?? null,
    lead_id: r.lead?.id ?? null,
    deduplicated: r.partner ? !r.partner.created : false,
  };
}

/** What a preview or a correction answers: the draft, what it lacks, and its read-back. */
function draftAnswer(p: ContactPreview): DraftAnswer {
  const c = p.contact;
  const missing: DraftAnswer['missing'] = [...(!c.firstname && !c.lastname ? ['name' as const] : []), ...(!c.email && !c.phone ? ['email_or_phone' as const] : [])];
  return {
    dry_run: true,
    contact: { ...c, needs_check: p.needs_check },
    extracted: c,
    needs_check: p.needs_check,
    missing,
    readback: readback(c),
    readback_question: readbackQuestion(c),
    readback_fields: readbackFields(c, { phoneFromCaller: p.phoneFromCaller === true }),
    phone_from_caller: p.phoneFromCaller === true,
    partner: null,
    lead: null,
    // only what the preview has: a correction answers no dropped or consents
    ...(p.dropped ? { dropped: p.dropped } : {}),
    ...(p.consents ? { consents: p.consents } : {}),
    ...(p.corrected ? { corrected: p.corrected } : {}),
    ...(p.transcript !== undefined ? { transcript: p.transcript } : {}),
  };
}

function describeMissing(missing: CaptureResult['missing']): string {
  const parts = missing.map((m) => (m === 'name' ? 'a first or last name' : 'an e-mail or a phone number'));
  return `The contact cannot be created without ${parts.join(' and ')}; nothing was written.`;
}
