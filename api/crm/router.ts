/**
 * Voice → CRM routes (seed 000): capture a contact from a recording or a text, deduplicate it against Odoo, create
 * the res.partner and its crm.lead, log consent; list contacts and leads. Every capture runs as the durable
 * crmCaptureWorkflow (see ./capture.ts); previews and corrections (dry_run) write nothing and run inline.
 *
 *   POST /crm/voice-contacts   multipart: audio (+ call_id, session_id, dry_run, create_lead, consent_*)
 *   POST /crm/text-contacts    {text} | {text, dry_run:true} | {dry_run:true, draft, field, text} | {dry_run:false, contact}
 *   GET  /crm/contacts?limit=&q=
 *   GET  /crm/leads?limit=&q=
 *
 * All are operator routes (Authorization: Bearer <operator token>), declared in the API's route table.
 * Mount: `startApiServer({ routers: [createCrmRouter({...})] })` (or createApp's `routers`).
 */
import type { Router } from 'express';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { checkAudio, MAX_UPLOAD_BYTES, type Transcriber } from '../../lib/stt/transcriber';
import { AudioRejected } from '../../lib/stt/errors';
import { parseSpokenEmail } from '../../lib/french/email';
import { parsePhone } from '../../lib/french/phone';
import { partnerPhoneDomain } from '../../lib/odoo/phone-search';
import { requestConsents } from '../../lib/crm/consents';
import type { CrmExtractor } from '../../lib/crm/extractor';
import type { CrmOdooPort } from '../../lib/crm/odoo';
import type { CaptureInput, CaptureResult, ContactDraft, ContactField } from '../../lib/crm/types';
import { fingerprint, runCapture } from './capture';
import { ApiError } from '../errors';
import { route, tableRouter, type AnyRoute, type AuditTrail, type HandlerResult } from '../http';
import {
  captureAnswerSchema, contactsAnswerSchema, draftAnswerSchema, FIELDS, idempotencyKeySchema, leadsAnswerSchema, listSchema, textContactsSchema, voiceFormSchema,
} from './schemas';
import { readback, readbackQuestion, summaryVoice, type ListedContact } from './voice-text';

export interface CrmRouterDeps {
  odoo: CrmOdooPort;
  /** Parser + model extraction, used inline by previews (the workflow's worker has its own). */
  extraction: CrmExtractor;
  /** Tells whether speech is configured; recordings are transcribed by the workflow's worker. */
  transcriber: Pick<Transcriber, 'enabled' | 'transcribe'>;
  temporalClient: Client;
  /** Task queue of the worker that registers crmCaptureWorkflow and the crm* activities. */
  taskQueue: string;
  /** Unused since the routes run in the API's route table (the API's logger logs them); kept for callers. */
  logger?: Logger;
  limits?: {
    /** Largest accepted recording (default 1 MiB: it travels in the workflow input, under Temporal's 2 MB payload limit). */
    maxAudioBytes?: number;
    /** Longest accepted WAV recording in seconds (default 60). */
    maxAudioSeconds?: number;
    /** How long a request waits for its capture before answering 504 capture_pending (default 25 s). */
    captureWaitMs?: number;
    maxTextChars?: number;
  };
  defaultRegion?: string;
  /** Let the model fill what the parser missed (default true; the model is used only when configured). */
  useLlm?: boolean;
}

type Row = Record<string, unknown> & { id: number };

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/** Odoo many2one `[id, "name"]` or false. */
const many2one = (v: unknown): { id: number; name: string } | null =>
  Array.isArray(v) && typeof v[0] === 'number' ? { id: v[0], name: String(v[1] ?? '') } : null;

/**
 * The CRM routes as route-table declarations (api/http.ts): operator authentication and audit, validation, error
 * answers and /openapi.json come from the table like every other route.
 */
export function crmRoutes(deps: CrmRouterDeps): AnyRoute[] {
  const region = deps.defaultRegion ?? 'FR';
  const useLlm = deps.useLlm ?? true;
  const maxAudioBytes = Math.min(deps.limits?.maxAudioBytes ?? 1024 * 1024, MAX_UPLOAD_BYTES);
  const maxAudioSeconds = deps.limits?.maxAudioSeconds ?? 60;
  const captureWaitMs = deps.limits?.captureWaitMs ?? 25_000;
  const textSchema = textContactsSchema(region, deps.limits?.maxTextChars ?? 5000);
  const capture = (key: string | null, input: CaptureInput) =>
    runCapture({ temporalClient: deps.temporalClient, taskQueue: deps.taskQueue, captureWaitMs }, key, input);

  /** The answer of every capture: the API's shape plus what the voice-crm machine reads. */
  function captureAnswer(r: CaptureResult): z.infer<typeof captureAnswerSchema> {
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
      lead: r.lead,
      consents: r.consents,
      readback: readback(r.extracted),
      readback_question: readbackQuestion(r.extracted),
      // the names the voice-crm machine reads
      partner_id: r.partner?.id ?? null,
      lead_id: r.lead?.id ?? null,
      deduplicated: r.partner ? !r.partner.created : false,
    };
  }

  /** 201 when a person was created, else 200; the records read or written go to the operator audit log. */
  function captured(r: CaptureResult, audit: AuditTrail): HandlerResult<z.infer<typeof captureAnswerSchema>> {
    const answer = captureAnswer(r);
    if (answer.partner) audit.add('res.partner', [answer.partner.id]);
    if (answer.lead) audit.add('crm.lead', [answer.lead.id]);
    return { status: answer.partner?.created ? 201 : 200, body: answer };
  }

  const captureErrors: Array<[number, string]> = [
    [401, 'unauthorized'], [409, 'odoo_rejected'], [422, 'contact_incomplete'], [422, 'idempotency_key_reused'],
    [502, 'capture_failed'], [502, 'odoo_schema'], [503, 'orchestrator_unavailable'], [504, 'capture_pending'],
  ];

  const textContacts = route({
    method: 'post',
    path: '/crm/text-contacts',
    summary: 'Capture a contact from a dictation or a confirmed contact (dry_run: preview or correct one field, nothing stored).',
    auth: 'operator',
    idempotent: 'handler',
    idempotencyKey: idempotencyKeySchema,
    body: textSchema,
    response: z.union([captureAnswerSchema, draftAnswerSchema]),
    errors: [...captureErrors, [422, 'nothing_understood'], [422, 'correction_not_understood']],
    async handler({ body, audit, idempotencyKey }) {
      if (body.dry_run && body.draft && body.field) return correct(body.draft, body.field, body.text!);
      if (body.dry_run) return preview(body.text!);
      const consents = body.consent ? requestConsents(body.consent, body.consent.wording_version) : [];
      const input: CaptureInput = {
        ...(body.text ? { text: body.text } : {}),
        ...(body.contact ? { contact: body.contact } : {}),
        source: body.call_id ? 'phone' : 'text',
        callId: body.call_id ?? null,
        sessionId: body.session_id ?? null,
        createLead: body.create_lead,
        consents,
        defaultRegion: region,
        useLlm,
        fingerprint: fingerprint({ route: 'text', body }),
      };
      return captured(await capture(idempotencyKey, input), audit);
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
    errors: [...captureErrors, [400, 'invalid_multipart'], [413, 'audio_too_large'], [413, 'audio_too_long'], [415, 'unsupported_media_type'], [422, 'audio_rejected'], [503, 'speech_disabled']],
    async handler({ body: form, upload, audit, idempotencyKey }) {
      const audio = upload!.data;
      let format: string;
      try {
        format = checkAudio(audio, { maxBytes: maxAudioBytes, maxDurationSeconds: maxAudioSeconds }).format;
      } catch (err) {
        if (!(err instanceof AudioRejected)) throw err;
        if (err.problem === 'too_large' || err.problem === 'too_long') {
          throw new ApiError(413, err.problem === 'too_long' ? 'audio_too_long' : 'audio_too_large', err.message, {
            problem: err.problem, max_bytes: maxAudioBytes, max_seconds: maxAudioSeconds,
          });
        }
        throw new ApiError(422, 'audio_rejected', err.message, { problem: err.problem });
      }
      // named by its content: browsers send "blob", and STT servers pick the decoder by extension
      const fileName = `dictee.${format}`;
      if (!deps.transcriber.enabled) {
        throw new ApiError(503, 'speech_disabled', 'Speech recognition is not configured on this server (OPENAI_API_KEY); use POST /crm/text-contacts.');
      }
      if (form.dry_run) {
        const t = await deps.transcriber.transcribe({ audio, fileName });
        return { ...(await preview(t.text)), transcript: t.text };
      }
      const consents = requestConsents({ whatsapp: form.consent_whatsapp, sms: form.consent_sms }, form.consent_wording_version);
      const audioBase64 = audio.toString('base64');
      const input: CaptureInput = {
        audio: { base64: audioBase64, fileName },
        source: 'voice',
        callId: form.call_id ?? null,
        sessionId: form.session_id ?? null,
        createLead: form.create_lead,
        consents,
        defaultRegion: region,
        useLlm,
        fingerprint: fingerprint({ route: 'voice', form, audio: fingerprint(audioBase64) }),
      };
      return captured(await capture(idempotencyKey, input), audit);
    },
  });

  const listContacts = route({
    method: 'get',
    path: '/crm/contacts',
    summary: 'The newest persons in the CRM (q: name, e-mail or a number in any spelling), with a spoken summary.',
    auth: 'operator',
    idempotent: false,
    query: listSchema(),
    response: contactsAnswerSchema,
    errors: [[401, 'unauthorized']],
    async handler({ query: q, audit }) {
      const fields = await deps.odoo.fields('res.partner');
      const domain: unknown[] = [['is_company', '=', false], ...searchTerms(q.q, fields, ['name', 'email'])];
      const read = ['id', 'name', 'email', 'phone', ...(fields.mobile ? ['mobile'] : []), 'create_date'];
      const rows = await deps.odoo.callKw<Row[]>('res.partner', 'search_read', [domain], { fields: read, limit: q.limit, order: 'id desc' });
      const contacts = rows.map((r) => ({
        id: r.id,
        name: str(r.name) ?? '',
        email: str(r.email),
        phone: str(r.phone) ?? str(r.mobile),
        created_at: str(r.create_date),
      }));
      audit.add('res.partner', contacts.map((c) => c.id));
      const listed: ListedContact[] = contacts;
      return { contacts, count: contacts.length, summary_voice: summaryVoice(listed) };
    },
  });

  const listLeads = route({
    method: 'get',
    path: '/crm/leads',
    summary: 'The newest leads (q: name, contact, e-mail or phone).',
    auth: 'operator',
    idempotent: false,
    query: listSchema(),
    response: leadsAnswerSchema,
    errors: [[401, 'unauthorized']],
    async handler({ query: q, audit }) {
      const domain = searchTerms(q.q, null, ['name', 'contact_name', 'email_from']);
      const rows = await deps.odoo.callKw<Row[]>('crm.lead', 'search_read', [domain], {
        fields: ['id', 'name', 'contact_name', 'email_from', 'phone', 'partner_id', 'type', 'create_date'],
        limit: q.limit,
        order: 'id desc',
      });
      const leads = rows.map((r) => ({
        id: r.id,
        name: str(r.name) ?? '',
        contact_name: str(r.contact_name),
        email: str(r.email_from),
        phone: str(r.phone),
        partner: many2one(r.partner_id),
        type: str(r.type),
        created_at: str(r.create_date),
      }));
      audit.add('crm.lead', leads.map((l) => l.id));
      return { leads, count: leads.length };
    },
  });

  /** Extraction only, nothing stored: what the caller hears back before confirming. */
  async function preview(text: string) {
    const x = await deps.extraction.extract(text, { defaultRegion: region, useLlm });
    const c = x.contact;
    if (!c.firstname && !c.lastname && !c.email && !c.phone) {
      throw new ApiError(422, 'nothing_understood', 'No name, e-mail or phone could be read in this text; ask the caller to dictate again.', {
        dropped: x.dropped,
      });
    }
    return draftAnswer(c, x.needs_check, { dropped: x.dropped, consents: x.consents.map((s) => ({ channel: s.channel, granted: s.granted })) });
  }

  /** One field said again: read it from the new text and merge it into the draft. */
  async function correct(draft: ContactDraft & { needs_check?: ContactField[] }, field: 'name' | 'email' | 'phone', text: string) {
    const x = await deps.extraction.extract(text, { defaultRegion: region, useLlm });
    const merged: ContactDraft = { firstname: draft.firstname, lastname: draft.lastname, email: draft.email, phone: draft.phone };
    const touched: ContactField[] = field === 'name' ? ['firstname', 'lastname'] : [field];
    let flagged = x.needs_check.filter((f) => touched.includes(f));
    if (field === 'name') {
      // "Lina Andrianina" alone has no cue: read it as a name said after "je m'appelle"
      const names = x.contact.firstname || x.contact.lastname ? x.contact : (await deps.extraction.extract(`Je m'appelle ${text}`, { defaultRegion: region, useLlm: false })).contact;
      if (!names.firstname && !names.lastname) throw notUnderstood('name');
      merged.firstname = names.firstname;
      merged.lastname = names.lastname;
    } else if (field === 'email') {
      const email = x.contact.email ?? parseSpokenEmail(text);
      if (!email) throw notUnderstood('email');
      merged.email = email;
    } else {
      let phone = x.contact.phone;
      if (!phone) {
        const p = parsePhone(text, { defaultRegion: region });
        if (p.ok) phone = p.e164;
      }
      if (!phone) throw notUnderstood('phone');
      merged.phone = phone;
      flagged = x.contact.phone ? flagged : [];
    }
    const kept = (draft.needs_check ?? []).filter((f) => !touched.includes(f));
    const needs = FIELDS.filter((f) => kept.includes(f) || flagged.includes(f));
    return draftAnswer(merged, needs, { corrected: field });
  }

  type DraftAnswer = z.infer<typeof draftAnswerSchema>;
  function draftAnswer(c: ContactDraft, needsCheck: ContactField[], extra: Pick<DraftAnswer, 'dropped' | 'consents' | 'corrected'>): DraftAnswer {
    const missing: DraftAnswer['missing'] = [...(!c.firstname && !c.lastname ? ['name' as const] : []), ...(!c.email && !c.phone ? ['email_or_phone' as const] : [])];
    return {
      dry_run: true,
      contact: { ...c, needs_check: needsCheck },
      extracted: c,
      needs_check: needsCheck,
      missing,
      readback: readback(c),
      readback_question: readbackQuestion(c),
      partner: null,
      lead: null,
      ...extra,
    };
  }

  function searchTerms(q: string | undefined, partnerFields: Record<string, unknown> | null, textFields: string[]): unknown[] {
    if (!q) return [];
    const digits = q.replace(/\D/g, '');
    if (partnerFields && digits.length >= 6) {
      const p = parsePhone(q, { defaultRegion: region });
      if (p.ok) return partnerPhoneDomain(p.e164, partnerFields);
    }
    const fieldsToSearch = [...textFields, 'phone'];
    return [...Array(fieldsToSearch.length - 1).fill('|'), ...fieldsToSearch.map((f) => [f, 'ilike', q])];
  }

  return [voiceContacts, textContacts, listContacts, listLeads];
}

/**
 * The CRM routes as a router for `AppExtras.routers` (how the API and the local stack receive them): createApp
 * mounts its route table with the API's own auth, audit and errors. Mounted anywhere else it serves nothing.
 */
export function createCrmRouter(deps: CrmRouterDeps): Router {
  return tableRouter(crmRoutes(deps));
}

function notUnderstood(field: 'name' | 'email' | 'phone'): ApiError {
  const what = { name: 'a first or last name', email: 'an e-mail address', phone: 'a phone number' }[field];
  return new ApiError(422, 'correction_not_understood', `No ${what} could be read in the correction; ask the caller to say it again.`, { field });
}

function describeMissing(missing: CaptureResult['missing']): string {
  const parts = missing.map((m) => (m === 'name' ? 'a first or last name' : 'an e-mail or a phone number'));
  return `The contact cannot be created without ${parts.join(' and ')}; nothing was written.`;
}

