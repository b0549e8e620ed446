/**
 * The partner's appointments (calendar.event): list, detail, confirm, cancel, callback, ICS by email, reschedule
 * preferences, slot proposals and selection, share link. Every route reads the event through the partner's scope
 * first, so an appointment that is not theirs answers 404 and nothing else.
 */
import { DateTime } from 'luxon';
import { createEvent } from 'ics';
import { z } from 'zod';
import { ApiError } from '../errors';
import { route, type AnyRoute } from '../http';
import { appointmentItem, channelSchema, idParam, modeSchema, optionalDay, optionalId, phoneE164, slotItem } from '../schemas';
import { maskEmail } from './portal';
import { randomToken } from '../services/tokens';
import { escapeHtml, sendLinkOrUnknown } from '../services/messaging';
import { DEFAULT_MODE_PROFILES, freeSlots, pickProposals } from '../scheduling/free-slots';
import { MODE_PHRASE, slotLabel, summaryVoice, voiceDetail } from '../voice/french-voice';
import { writeMarker, type Appointment } from '../odoo/practice';
import { withKeyLock } from '../services/key-lock';
import type { ApiDeps } from '../deps';
import { kit } from './context';

function item(a: Appointment, zone: string) {
  return { id: a.id, start: a.start.toISOString(), stop: a.stop.toISOString(), mode: a.mode, location: a.location, state: a.state, voice_label: slotLabel(a.start, a.mode, zone) };
}

const list = route({
  method: 'get',
  path: '/appointments',
  summary: 'Upcoming (soonest first, cancelled ones left out) or past (latest first) appointments, with a spoken summary.',
  auth: 'bearer',
  idempotent: false,
  query: z.object({ scope: z.enum(['upcoming', 'past']).default('upcoming') }),
  response: z.object({ appointments: z.array(appointmentItem), count: z.number().int(), summary_voice: z.string() }),
  async handler({ query, session }, deps) {
    const zone = deps.config.PRACTICE_TIMEZONE;
    const rows = await kit(deps).practice.listAppointments(session!.partnerId, query.scope, deps.clock.now());
    return { appointments: rows.map((a) => item(a, zone)), count: rows.length, summary_voice: summaryVoice(rows, query.scope, zone) };
  },
});

const detail = route({
  method: 'get',
  path: '/appointments/:id',
  summary: 'One appointment with its spoken detail.',
  auth: 'bearer',
  idempotent: false,
  params: idParam,
  response: appointmentItem.extend({ voice_detail: z.string() }),
  errors: [[404, 'not_found']],
  async handler({ params, session }, deps) {
    const a = await kit(deps).practice.getAppointment(session!.partnerId, params.id);
    return { ...item(a, deps.config.PRACTICE_TIMEZONE), voice_detail: voiceDetail(a, deps.config.PRACTICE_TIMEZONE, deps.clock.now()) };
  },
});

function notPast(a: Appointment, deps: ApiDeps): void {
  if (a.stop.getTime() < deps.clock.now().getTime()) throw new ApiError(409, 'appointment_past', 'This appointment is over.');
}

const stateOut = z.object({ id: z.number().int(), state: z.enum(['confirmed', 'cancelled']) });

const confirm = route({
  method: 'put',
  path: '/appointments/:id/confirm',
  summary: "Confirm: the partner's attendee accepts (calendar.attendee do_accept).",
  auth: 'bearer',
  // stored answer under the Idempotency-Key; the accept itself is naturally idempotent and read back when unanswered
  idempotent: true,
  params: idParam,
  body: z.object({ call_id: optionalId, session_id: optionalId }).optional(),
  response: stateOut,
  errors: [[404, 'not_found'], [409, 'appointment_past']],
  async handler({ params, session }, deps) {
    const p = kit(deps).practice;
    return withKeyLock(`appointment:${params.id}`, async () => {
      const a = await p.getAppointment(session!.partnerId, params.id);
      notPast(a, deps);
      if (a.state !== 'confirmed') await p.setAttendance(a, 'do_accept');
      return { id: a.id, state: 'confirmed' as const };
    });
  },
});

const REASON_FR = { personal: 'raison personnelle', health: 'santé', unavailable: 'indisponibilité', other: 'autre' } as const;

const cancel = route({
  method: 'put',
  path: '/appointments/:id/cancel',
  summary: "Cancel: the partner's attendee declines; reason and comment are posted on the event as a note.",
  auth: 'bearer',
  // decline: naturally idempotent; the note carries a marker from the Idempotency-Key and is posted once
  idempotent: 'handler',
  params: idParam,
  body: z.object({
    reason: z.enum(['personal', 'health', 'unavailable', 'other']),
    // null when the caller said "non" to the comment (the machine sends the collected null as it is)
    comment: z.string().max(2000).nullish().transform((v) => (v && v.trim() && !/^non\.?$/i.test(v.trim()) ? v.trim() : null)),
    call_id: optionalId,
    session_id: optionalId,
  }),
  response: stateOut,
  errors: [[404, 'not_found'], [409, 'appointment_past']],
  async handler({ params, body, session, idempotencyKey, requestId }, deps) {
    const p = kit(deps).practice;
    return withKeyLock(`appointment:${params.id}`, async () => {
      const a = await p.getAppointment(session!.partnerId, params.id);
      // a repeat of a cancel that went through: the decline and its note are there already
      if (a.state !== 'cancelled') {
        notPast(a, deps);
        await p.setAttendance(a, 'do_decline');
      }
      const via = body.call_id ? `par téléphone (appel ${escapeHtml(body.call_id)})` : 'sur le portail';
      const marker = writeMarker(`cancel:${a.id}:${idempotencyKey ?? requestId}`);
      await p.postNote('calendar.event', a.id, `<p>Annulation demandée ${via}. Motif : ${REASON_FR[body.reason]}.</p>${body.comment ? `<p>Commentaire : ${escapeHtml(body.comment)}</p>` : ''}`, marker);
      return { id: a.id, state: 'cancelled' as const };
    });
  },
});

/** Today when asked on a weekday before the cut-off hour, else the next weekday (in the practice's zone). */
export function callbackDeadline(now: Date, zone: string, cutoffHour: number): string {
  let d = DateTime.fromJSDate(now, { zone });
  const workday = (x: DateTime) => x.weekday <= 5;
  if (!(workday(d) && d.hour < cutoffHour)) {
    d = d.plus({ days: 1 });
    while (!workday(d)) d = d.plus({ days: 1 });
  }
  return d.toISODate()!;
}

const callback = route({
  method: 'put',
  path: '/appointments/:id/callback',
  summary: "Ask to be called back: a 'call' activity on the event for its responsible user, due today or the next working day.",
  auth: 'bearer',
  // the activity carries a marker from the Idempotency-Key: a repeat finds it instead of creating a second one
  idempotent: 'handler',
  params: idParam,
  body: z.object({ reason: z.string().max(200).optional(), call_id: optionalId, session_id: optionalId }).optional(),
  response: z.object({ activity_id: z.number().int(), due_date: z.string() }),
  async handler({ params, body, session, idempotencyKey, requestId }, deps) {
    const p = kit(deps).practice;
    return withKeyLock(`appointment:${params.id}`, async () => {
      const a = await p.getAppointment(session!.partnerId, params.id);
      const due = callbackDeadline(deps.clock.now(), deps.config.PRACTICE_TIMEZONE, deps.config.CALLBACK_CUTOFF_HOUR);
      const origin = body?.call_id ? `pendant l'appel ${escapeHtml(body.call_id)}` : 'depuis le portail';
      const marker = writeMarker(`callback:${a.id}:${idempotencyKey ?? requestId}`);
      const id = await p.scheduleCallback(a, due, 'Rappeler le patient', `<p>Rappel demandé ${origin}${body?.reason ? ` (${escapeHtml(body.reason)})` : ''}.</p>`, marker);
      return { activity_id: id, due_date: due };
    });
  },
});

/** The appointment as an iCalendar file (UTC times). */
export function buildIcs(a: Appointment, zone: string, uidDomain: string): string {
  const utc = (d: Date): [number, number, number, number, number] => [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()];
  const r = createEvent({
    uid: `appointment-${a.id}@${uidDomain}`,
    start: utc(a.start), startInputType: 'utc', startOutputType: 'utc',
    end: utc(a.stop), endInputType: 'utc', endOutputType: 'utc',
    title: `Rendez-vous ${MODE_PHRASE[a.mode]}`,
    description: `Votre rendez-vous du ${slotLabel(a.start, a.mode, zone)}.`,
    ...(a.location ? { location: a.location } : {}),
    status: a.state === 'cancelled' ? 'CANCELLED' : a.state === 'confirmed' ? 'CONFIRMED' : 'TENTATIVE',
  });
  if (r.error || !r.value) throw new ApiError(500, 'ics_failed', 'The calendar file could not be built.');
  return r.value;
}

/**
 * Emails the appointment as an .ics invitation. Served twice: `PUT …/send-ics`, what the machine calls (a side
 * effect, so a write with an Idempotency-Key), and `GET …/ics`, the seed's original path, kept for portal links.
 */
const icsRoute = (method: 'get' | 'put', path: string) =>
  route({
    method,
    path,
    summary: 'Email the appointment as an .ics invitation to the partner.',
    auth: 'bearer',
    idempotent: true,
    params: idParam,
    response: z.object({ sent: z.literal(true), channel: z.literal('email'), email: z.string().nullable() }),
    errors: [[404, 'not_found'], [409, 'no_email']],
    async handler({ params, session, idempotencyKey }, deps) {
      const p = kit(deps).practice;
      const a = await p.getAppointment(session!.partnerId, params.id);
      const partner = await p.readPartner(session!.partnerId);
      if (!partner.email) throw new ApiError(409, 'no_email', 'No email address in the CRM for this person; offer SMS instead.');
      const zone = deps.config.PRACTICE_TIMEZONE;
      const file = buildIcs(a, zone, new URL(deps.config.API_PUBLIC_URL).hostname);
      const label = slotLabel(a.start, a.mode, zone);
      await deps.brevo.sendEmail({
        to: [{ email: partner.email }],
        subject: `Votre rendez-vous du ${label}`,
        html: `<p>Bonjour,</p><p>Vous trouverez en pièce jointe votre rendez-vous du ${escapeHtml(label)}, à ajouter à votre agenda.</p>`,
        text: `Bonjour,\nVous trouverez en pièce jointe votre rendez-vous du ${label}, à ajouter à votre agenda.`,
        attachments: [{ name: 'rendez-vous.ics', contentBase64: Buffer.from(file, 'utf8').toString('base64') }],
        // The machine sends no Idempotency-Key on a GET: then the same invitation (same appointment, same time) to
        // the same person is sent once per 10-minute window, so an activity retry does not mail it twice.
        idempotencyKey: idempotencyKey ? `ics:${a.id}:${idempotencyKey}` : `ics:${a.id}:${a.start.getTime()}:${session!.partnerId}:${Math.floor(deps.clock.now().getTime() / 600_000)}`,
        tag: 'ics',
      });
      return { sent: true as const, channel: 'email' as const, email: maskEmail(partner.email) };
    },
  });

const ics = icsRoute('get', '/appointments/:id/ics');
const sendIcs = icsRoute('put', '/appointments/:id/send-ics');

const prefsBody = z
  .object({
    date_from: optionalDay,
    date_to: optionalDay,
    time_window: z.enum(['morning', 'afternoon', 'any']).default('any'),
    mode: modeSchema,
    call_id: optionalId,
    session_id: optionalId,
  })
  .refine((b) => !b.date_from || !b.date_to || b.date_from <= b.date_to, { message: 'date_to is before date_from', path: ['date_to'] });

const prefsOut = z.object({ appointment_id: z.number().int(), date_from: z.string(), date_to: z.string(), time_window: z.enum(['morning', 'afternoon', 'any']), mode: modeSchema });

/** The window to search: the stored preferences, from today (or date_from) for PROPOSAL_HORIZON_DAYS. */
function windowOf(deps: ApiDeps, prefs: { dateFrom: string | null; dateTo: string | null }): { from: string; to: string } {
  const today = DateTime.fromJSDate(deps.clock.now(), { zone: deps.config.PRACTICE_TIMEZONE }).toISODate()!;
  const from = prefs.dateFrom && prefs.dateFrom > today ? prefs.dateFrom : today;
  const to = prefs.dateTo && prefs.dateTo >= from ? prefs.dateTo : DateTime.fromISO(from).plus({ days: deps.config.PROPOSAL_HORIZON_DAYS }).toISODate()!;
  return { from, to };
}

const submitPreferences = route({
  method: 'put',
  path: '/appointments/:id/preferences',
  summary: 'Store the rescheduling preferences (days, morning/afternoon, mode) used by the next proposals.',
  auth: 'bearer',
  idempotent: true,
  params: idParam,
  body: prefsBody,
  response: prefsOut,
  async handler({ params, body, session }, deps) {
    const a = await kit(deps).practice.getAppointment(session!.partnerId, params.id);
    await deps.store.setAppointmentPrefs({ appointmentId: a.id, partnerId: session!.partnerId, dateFrom: body.date_from, dateTo: body.date_to, timeWindow: body.time_window, mode: body.mode }, deps.clock.now());
    // A new search: what was refused before still stays refused (refusals are about slots, not preferences).
    const w = windowOf(deps, { dateFrom: body.date_from, dateTo: body.date_to });
    return { appointment_id: a.id, date_from: w.from, date_to: w.to, time_window: body.time_window, mode: body.mode };
  },
});

async function computeFree(deps: ApiDeps, a: Appointment) {
  const p = kit(deps).practice;
  const prefs = await deps.store.getAppointmentPrefs(a.id);
  const mode = prefs?.mode ?? a.mode;
  const w = windowOf(deps, { dateFrom: prefs?.dateFrom ?? null, dateTo: prefs?.dateTo ?? null });
  const hours = await p.workingHours();
  const from = DateTime.fromISO(w.from, { zone: hours.zone }).startOf('day').minus({ hours: 2 }).toJSDate();
  const to = DateTime.fromISO(w.to, { zone: hours.zone }).endOf('day').plus({ hours: 2 }).toJSDate();
  const busy = await p.busy(a.userId, hours.calendarId, from, to, a.id);
  return { mode, w, hours, busy, timeWindow: prefs?.timeWindow ?? ('any' as const) };
}

const proposals = route({
  method: 'get',
  path: '/appointments/:id/proposals',
  summary: 'Propose free slots (3 by default) for the appointment, never one already refused. 404 no_slots when none is free.',
  auth: 'bearer',
  idempotent: false,
  params: idParam,
  response: z.object({ slots: z.array(slotItem), count: z.number().int() }),
  errors: [[404, 'no_slots']],
  async handler({ params, session }, deps) {
    const a = await kit(deps).practice.getAppointment(session!.partnerId, params.id);
    const f = await computeFree(deps, a);
    const refused = new Set((await deps.store.listProposals(a.id)).filter((r) => r.status === 'refused').map((r) => r.slotId));
    const free = freeSlots({
      now: deps.clock.now(), zone: f.hours.zone, attendances: f.hours.attendances, busy: f.busy, dateFrom: f.w.from, dateTo: f.w.to,
      timeWindow: f.timeWindow, mode: f.mode, minLeadMin: deps.config.SLOT_MIN_LEAD_MIN, exclude: refused, limit: 500,
    }).filter((s) => s.start.getTime() !== a.start.getTime());
    const picked = pickProposals(free, deps.config.PROPOSAL_COUNT, f.hours.zone);
    if (picked.length === 0) throw new ApiError(404, 'no_slots', 'No free slot matches these preferences; widen the dates or talk to the team.');
    await deps.store.recordProposals(a.id, session!.partnerId, picked.map((s) => ({ slotId: s.id, start: s.start, stop: s.stop, mode: s.mode })), deps.clock.now());
    const zone = deps.config.PRACTICE_TIMEZONE;
    const slots = picked.map((s) => ({ id: s.id, start: s.start.toISOString(), stop: s.stop.toISOString(), mode: s.mode, voice_label: slotLabel(s.start, s.mode, zone) }));
    return { slots, count: slots.length };
  },
});

const selectSlot = route({
  method: 'put',
  path: '/appointments/:id/select-slot',
  summary: 'Move the appointment to a proposed slot that is still free.',
  auth: 'bearer',
  // naturally idempotent (the same slot written again) and reconciled: a repeat finds the event already there
  idempotent: 'handler',
  params: idParam,
  body: z.object({ slot_id: z.string().regex(/^s_\d{9,11}_(home|video|clinic)$/, 'a slot id from GET …/proposals'), call_id: optionalId, session_id: optionalId }),
  response: slotItem.extend({ appointment_id: z.number().int() }),
  errors: [[409, 'slot_not_proposed'], [409, 'slot_taken']],
  async handler({ params, body, session }, deps) {
    const p = kit(deps).practice;
    return withKeyLock(`appointment:${params.id}`, async () => {
      const a = await p.getAppointment(session!.partnerId, params.id);
      const proposal = (await deps.store.listProposals(a.id)).find((r) => r.slotId === body.slot_id);
      const zone = deps.config.PRACTICE_TIMEZONE;
      const answer = (pr: NonNullable<typeof proposal>) => ({ appointment_id: a.id, id: pr.slotId, start: pr.start.toISOString(), stop: pr.stop.toISOString(), mode: pr.mode, voice_label: slotLabel(pr.start, pr.mode, zone) });
      // Already there: a repeat of a move whose answer was lost (timeout, restart). Say what is true: it moved.
      if (proposal && (proposal.status === 'proposed' || proposal.status === 'selected') && a.start.getTime() === proposal.start.getTime() && a.stop.getTime() === proposal.stop.getTime()) {
        if (proposal.status === 'proposed') await deps.store.markSelected(a.id, proposal.slotId);
        return answer(proposal);
      }
      if (!proposal || proposal.status !== 'proposed') throw new ApiError(409, 'slot_not_proposed', 'This slot was not proposed for this appointment (or was refused); ask for proposals again.');
      if (proposal.start.getTime() < deps.clock.now().getTime()) throw new ApiError(409, 'slot_taken', 'This slot is in the past; ask for proposals again.');
      const buf = DEFAULT_MODE_PROFILES[proposal.mode].bufferMin * 60_000;
      const hours = await p.workingHours();
      const busy = await p.busy(a.userId, hours.calendarId, new Date(proposal.start.getTime() - buf), new Date(proposal.stop.getTime() + buf), a.id);
      if (busy.length > 0) throw new ApiError(409, 'slot_taken', 'This slot has just been taken; ask for proposals again.');
      await p.moveAppointment(a, proposal.start, proposal.stop, proposal.mode);
      await deps.store.markSelected(a.id, proposal.slotId);
      return answer(proposal);
    });
  },
});

const proposeSlots = route({
  method: 'put',
  path: '/appointments/:id/propose-slots',
  summary: 'None of the proposals suits: mark them refused so the next GET …/proposals offers others.',
  auth: 'bearer',
  idempotent: true,
  params: idParam,
  body: z.object({ reason: z.string().max(200).default('none_of_these'), call_id: optionalId, session_id: optionalId }).optional(),
  response: z.object({ refused: z.number().int() }),
  async handler({ params, session }, deps) {
    const a = await kit(deps).practice.getAppointment(session!.partnerId, params.id);
    return { refused: await deps.store.refuseProposals(a.id) };
  },
});

const shareLink = route({
  method: 'put',
  path: '/appointments/:id/share-link',
  summary: "Send a read-only link to the appointment by the partner's channel (the given one, else the stored preference, else SMS).",
  auth: 'bearer',
  idempotent: true,
  params: idParam,
  body: z.object({ channel: z.union([channelSchema, z.literal('')]).optional(), call_id: optionalId, session_id: optionalId }).optional(),
  // delivery 'unknown' (202): the message may or may not arrive; it is not sent again automatically
  response: z.object({ sent: z.literal(true), channel: channelSchema, expires_in: z.number().int(), delivery: z.enum(['sent', 'unknown']) }),
  errors: [[409, 'no_email']],
  async handler({ params, body, session, idempotencyKey, requestId }, deps) {
    const p = kit(deps).practice;
    const a = await p.getAppointment(session!.partnerId, params.id);
    const partner = await p.readPartner(session!.partnerId);
    const stored = channelSchema.safeParse(await deps.store.getPreferredChannel(session!.partnerId));
    const channel = body?.channel || (stored.success ? stored.data : 'sms');
    const token = randomToken();
    const now = deps.clock.now();
    await deps.store.createLink({
      tokenHash: kit(deps).linkHash(token), kind: 'share', partnerId: session!.partnerId, appointmentId: a.id,
      sessionId: body?.session_id ?? session!.sessionId, callId: body?.call_id ?? null, createdAt: now, expiresAt: new Date(now.getTime() + deps.config.SHARE_LINK_TTL_SEC * 1000),
    });
    const phone = partner.phone ? phoneE164.safeParse(partner.phone) : null;
    const sent = await sendLinkOrUnknown(deps.brevo, {
      channel, phone: phone?.success ? phone.data : null, email: partner.email,
      subject: 'Votre rendez-vous', text: `Votre rendez-vous du ${slotLabel(a.start, a.mode, deps.config.PRACTICE_TIMEZONE)} :`,
      url: `${deps.config.API_PUBLIC_URL}/portal/shared/${token}`, idempotencyKey: `share:${a.id}:${idempotencyKey ?? requestId}`,
      whatsappTemplateId: deps.config.WHATSAPP_LINK_TEMPLATE_ID,
    });
    const out = { sent: true as const, channel: sent.channel, expires_in: deps.config.SHARE_LINK_TTL_SEC, delivery: sent.delivery };
    return sent.delivery === 'sent' ? out : { status: 202, body: out };
  },
});

export const appointmentRoutes: AnyRoute[] = [list, detail, confirm, cancel, callback, ics, sendIcs, submitPreferences, proposals, selectSlot, proposeSlots, shareLink];
