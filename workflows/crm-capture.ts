/**
 * crmCaptureWorkflow: one voice/text contact capture, durable from the recording to the CRM records.
 * transcribe (recordings) → extract (unless a confirmed contact is given) → find duplicate → create partner (unless
 * matched) → create lead (or update the matched person's open lead of a recent capture) → log consent. The workflow id is the capture id (`crm-capture-<Idempotency-Key>`): it is
 * the marker every Odoo create carries, so a retried step, or a new run after a failed one, finds what an earlier
 * attempt created instead of creating it twice. Ids are kept between steps by Temporal's history.
 * Deterministic workflow code: activities do every I/O; `new Date()` is Temporal's workflow clock.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CaptureInput, CaptureResult, ConsentStatement, ContactDraft, ContactField, CrmActivities } from '../lib/crm/types';

/** Failures the same call would meet again: no retry. */
const FINAL = ['AudioRejected', 'SpeechDisabled', 'SttRejected', 'ValidationError', 'UserError', 'AccessDenied', 'AccessError',
  'UnknownField', 'NotFound', 'MissingError', 'InvalidExtractionInput', 'OdooProtocolError'];

const speech = proxyActivities<Pick<CrmActivities, 'crmTranscribe' | 'crmExtract'>>({
  // the STT and model clients retry on their own; Temporal adds a few attempts across worker restarts
  startToCloseTimeout: '90 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 3, nonRetryableErrorTypes: FINAL },
});

const odoo = proxyActivities<Omit<CrmActivities, 'crmTranscribe' | 'crmExtract'>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '300 milliseconds', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 6, nonRetryableErrorTypes: FINAL },
});

const pickContact = (c: ContactDraft): ContactDraft => ({ firstname: c.firstname, lastname: c.lastname, email: c.email, phone: c.phone });

export async function crmCaptureWorkflow(input: CaptureInput): Promise<CaptureResult> {
  const captureRef = workflowInfo().workflowId;
  const at = new Date().toISOString();
  let transcript: string | null = input.text?.trim() || null;
  if (input.audio) {
    transcript = (await speech.crmTranscribe({ audioBase64: input.audio.base64, ...(input.audio.fileName ? { fileName: input.audio.fileName } : {}) })).text.trim() || null;
  }

  let extracted: ContactDraft = { firstname: null, lastname: null, email: null, phone: null };
  let needsCheck: ContactField[] = [];
  let dropped: ContactField[] = [];
  let extraction: CaptureResult['extraction'] = 'given';
  let consents: ConsentStatement[] = [...input.consents];
  if (input.contact) {
    extracted = pickContact(input.contact);
    needsCheck = [...(input.contact.needs_check ?? [])];
  } else if (transcript) {
    const x = await speech.crmExtract({ text: transcript, defaultRegion: input.defaultRegion, useLlm: input.useLlm });
    extracted = x.contact;
    needsCheck = x.needs_check;
    dropped = x.dropped;
    extraction = x.method;
    // a channel named explicitly in the request wins over the same channel read in the dictation
    consents = [...consents, ...x.consents.filter((s) => !consents.some((c) => c.channel === s.channel))];
  }

  const missing: CaptureResult['missing'] = [];
  if (!extracted.firstname && !extracted.lastname) missing.push('name');
  if (!extracted.email && !extracted.phone) missing.push('email_or_phone');
  const base = {
    capture_id: captureRef, transcript, extracted, needs_check: needsCheck, dropped, missing, extraction, fingerprint: input.fingerprint,
  };
  if (missing.length > 0) return { ...base, status: 'incomplete', partner: null, lead: null, consents: [] };

  const match = await odoo.crmFindDuplicate({
    captureRef, email: extracted.email, phone: extracted.phone, firstname: extracted.firstname, lastname: extracted.lastname,
  });
  // what differs from the matched partner (or a phone that is someone else's) is for a person to check
  for (const f of match?.needsCheck ?? []) if (!needsCheck.includes(f)) needsCheck = [...needsCheck, f];
  let partner: NonNullable<CaptureResult['partner']>;
  if (match && match.partnerId !== null && match.by !== 'capture' && match.by !== null) {
    partner = { id: match.partnerId, created: false, matched_by: match.by };
  } else if (match && match.partnerId !== null) {
    // an earlier run of this capture created it
    partner = { id: match.partnerId, created: true, matched_by: null };
  } else {
    const created = await odoo.crmCreatePartner({ captureRef, contact: extracted, source: input.source });
    partner = { id: created.id, created: true, matched_by: null };
  }

  let lead: CaptureResult['lead'] = null;
  if (input.createLead) {
    // a person created just now has no earlier lead: only a matched one may have an open lead to update
    const dedupHours = partner.created ? 0 : input.leadDedupHours ?? 0;
    lead = await odoo.crmCreateLead({
      captureRef, partnerId: partner.id, contact: extracted, transcript, source: input.source, callId: input.callId, needsCheck,
      ...(dedupHours > 0 ? { dedupHours, at } : {}),
    });
  }

  if (consents.length > 0) {
    await odoo.crmLogConsent({ captureRef, partnerId: partner.id, consents, at, callId: input.callId, sessionId: input.sessionId });
  }

  return {
    ...base,
    needs_check: needsCheck,
    status: partner.created ? 'created' : 'matched',
    partner,
    lead,
    consents: consents.map((c) => ({ channel: c.channel, granted: c.granted, source: c.source })),
  };
}
