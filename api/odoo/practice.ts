/**
 * The practice's data in Odoo as the API needs it: partners by phone, a partner's appointments (calendar.event
 * with the partner among partner_ids), their attendee state, working hours, busy time, notes and activities.
 * Every read of an appointment is scoped to the partner: another person's event is "not found".
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import { OdooUnavailable } from '../../lib/odoo/errors';
import { partnerPhoneDomain, phoneMatches } from '../../lib/odoo/phone-search';
import { ApiError } from '../errors';
import type { OdooPort } from '../ports';
import type { ApptState, Mode } from '../voice/french-voice';
import type { Attendance, Interval } from '../scheduling/free-slots';

/** Odoo datetimes are naive UTC 'YYYY-MM-DD HH:MM:SS'. */
export function toOdooDatetime(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

export function fromOdooDatetime(s: string): Date {
  return new Date(`${s.replace(' ', 'T')}Z`);
}

const many2oneId = z.union([z.tuple([z.number(), z.string()]).transform((t) => t[0]), z.literal(false).transform(() => null), z.number()]);
const text = z.union([z.string(), z.literal(false).transform(() => null)]).optional().transform((v) => v ?? null);

const EventRow = z.object({
  id: z.number(),
  name: z.union([z.string(), z.literal(false)]).transform((v) => v || ''),
  start: z.string(),
  stop: z.string(),
  location: text,
  videocall_location: text,
  user_id: many2oneId.optional().transform((v) => v ?? null),
  partner_ids: z.array(z.number()),
});
const EVENT_FIELDS = ['id', 'name', 'start', 'stop', 'location', 'videocall_location', 'user_id', 'partner_ids'];

const AttendeeRow = z.object({ id: z.number(), event_id: many2oneId, state: z.string() });

export interface Appointment {
  id: number;
  name: string;
  start: Date;
  stop: Date;
  mode: Mode;
  location: string | null;
  state: ApptState;
  userId: number | null;
  attendeeId: number | null;
}

export interface PracticeOptions {
  clinicLocation: string;
  defaultMode: Mode;
  practiceTimezone: string;
  calendarId?: number | undefined;
}

/** home/video/clinic from the event: a video link or a "visio" location → video; the practice's location → clinic. */
export function modeOf(ev: { location: string | null; videocall_location: string | null }, opts: PracticeOptions): Mode {
  if (ev.videocall_location) return 'video';
  const loc = (ev.location ?? '').trim().toLowerCase();
  if (!loc) return opts.defaultMode;
  if (/visio|vid[ée]o/.test(loc)) return 'video';
  if (loc === opts.clinicLocation.toLowerCase() || loc.includes('cabinet')) return 'clinic';
  return 'home';
}

/**
 * The marker a write carries so that a repeat can find it before writing again (the peer stores it): derived from
 * the request's idempotency key, short and without personal data, e.g. "ivr-ref:3f9a0c51d2e7".
 */
export function writeMarker(key: string): string {
  return `ivr-ref:${crypto.createHash('sha256').update(`odoo-write:${key}`).digest('hex').slice(0, 12)}`;
}

/** A change sent to Odoo that it did not confirm and a read-back did not find either: safe to repeat (idempotent). */
export function unconfirmed(what: string): ApiError {
  return new ApiError(503, 'odoo_unconfirmed', `The CRM did not confirm ${what} and it is not visible yet; repeat the same request (it will not be applied twice).`, { retryable: true }, { 'Retry-After': '2' });
}

const isUnknown = (e: unknown): e is OdooUnavailable => e instanceof OdooUnavailable && e.outcome === 'unknown';

/** Read-back after an unknown outcome: a few looks, since a slow Odoo may commit just after our timeout. */
export async function readBack<T>(find: () => Promise<T | null>, looks = 3, waitMs = 300): Promise<T | null> {
  for (let i = 0; i < looks; i++) {
    const found = await find().catch(() => null);
    if (found !== null) return found;
    if (i + 1 < looks) await new Promise((r) => setTimeout(r, waitMs * (i + 1)));
  }
  return null;
}

const STATE: Record<string, ApptState> = { needsAction: 'pending', accepted: 'confirmed', declined: 'cancelled', tentative: 'tentative' };

export class Practice {
  constructor(private readonly odoo: OdooPort, private readonly opts: PracticeOptions) {}

  /** The partner whose phone (in any stored spelling) is this E.164 number; the oldest when several match. */
  async findPartnerIdByPhone(e164: string): Promise<number | null> {
    const fields = await this.odoo.fields('res.partner');
    const phoneFields = ['phone', 'mobile', 'phone_sanitized'].filter((f) => f in fields);
    const rows = await this.odoo.callKw<Array<Record<string, unknown>>>('res.partner', 'search_read', [partnerPhoneDomain(e164, fields)], {
      fields: ['id', ...phoneFields], limit: 50, order: 'id asc',
    });
    const hit = rows.find((r) => phoneFields.some((f) => phoneMatches(r[f], e164)));
    return hit ? Number(hit.id) : null;
  }

  async readPartner(id: number): Promise<{ id: number; name: string; phone: string | null; email: string | null }> {
    const rows = await this.odoo.callKw<Array<Record<string, unknown>>>('res.partner', 'read', [[id]], { fields: ['id', 'name', 'phone', 'email'] });
    const r = rows[0];
    if (!r) throw new ApiError(404, 'not_found', 'This person no longer exists in the CRM.');
    const s = (v: unknown) => (typeof v === 'string' && v ? v : null);
    return { id, name: s(r.name) ?? '', phone: s(r.phone), email: s(r.email) };
  }

  /**
   * Posts an internal note (not sent to followers) on a record. Since Odoo 17 a body sent over RPC is plain text
   * (escaped when shown) unless `body_is_html` says it is HTML; 16 has no such flag and takes the body as HTML.
   */
  async postNote(model: 'res.partner' | 'calendar.event', id: number, html: string, marker?: string): Promise<void> {
    const { major } = await this.odoo.serverVersion();
    const flag = major >= 17 ? { body_is_html: true } : {};
    // With a marker the note is posted once: a repeat finds it first, and an unanswered post is read back.
    if (marker && (await this.findNote(model, id, marker)) !== null) return;
    const body = marker ? `${html}<p>Réf. ${marker}</p>` : html;
    try {
      await this.odoo.callKw(model, 'message_post', [[id]], { body, message_type: 'comment', subtype_xmlid: 'mail.mt_note', ...flag });
    } catch (e) {
      if (!marker || !isUnknown(e)) throw e;
      if ((await readBack(() => this.findNote(model, id, marker))) === null) throw unconfirmed('the note');
    }
  }

  private async findNote(model: string, id: number, marker: string): Promise<number | null> {
    const ids = await this.odoo.callKw<number[]>('mail.message', 'search', [[['model', '=', model], ['res_id', '=', id], ['body', 'ilike', marker]]], { limit: 1 });
    return ids[0] ?? null;
  }

  private async attendeesOf(eventIds: number[], partnerId: number): Promise<Map<number, { id: number; state: ApptState }>> {
    if (eventIds.length === 0) return new Map();
    const rows = z.array(AttendeeRow).parse(await this.odoo.callKw('calendar.attendee', 'search_read', [[['event_id', 'in', eventIds], ['partner_id', '=', partnerId]]], { fields: ['id', 'event_id', 'state'] }));
    return new Map(rows.filter((r) => r.event_id !== null).map((r) => [r.event_id as number, { id: r.id, state: STATE[r.state] ?? 'pending' }]));
  }

  private async toAppointments(rows: unknown, partnerId: number): Promise<Appointment[]> {
    const events = z.array(EventRow).parse(rows);
    const att = await this.attendeesOf(events.map((e) => e.id), partnerId);
    return events.map((e) => ({
      id: e.id,
      name: e.name,
      start: fromOdooDatetime(e.start),
      stop: fromOdooDatetime(e.stop),
      mode: modeOf(e, this.opts),
      location: e.location,
      state: att.get(e.id)?.state ?? 'pending',
      userId: e.user_id,
      attendeeId: att.get(e.id)?.id ?? null,
    }));
  }

  /** Upcoming: not yet ended and not cancelled, soonest first. Past: ended, latest first. */
  async listAppointments(partnerId: number, scope: 'upcoming' | 'past', now: Date, limit = 20): Promise<Appointment[]> {
    const when = scope === 'upcoming' ? ['stop', '>=', toOdooDatetime(now)] : ['stop', '<', toOdooDatetime(now)];
    const rows = await this.odoo.callKw('calendar.event', 'search_read', [[['partner_ids', 'in', [partnerId]], when]], {
      fields: EVENT_FIELDS, order: scope === 'upcoming' ? 'start asc' : 'start desc', limit,
    });
    const list = await this.toAppointments(rows, partnerId);
    return scope === 'upcoming' ? list.filter((a) => a.state !== 'cancelled') : list;
  }

  /** The appointment if it is this partner's; 404 otherwise (the same answer whether it exists or not). */
  async getAppointment(partnerId: number, id: number): Promise<Appointment> {
    const rows = await this.odoo.callKw('calendar.event', 'search_read', [[['id', '=', id], ['partner_ids', 'in', [partnerId]]]], { fields: EVENT_FIELDS, limit: 1 });
    const [appt] = await this.toAppointments(rows, partnerId);
    if (!appt) throw new ApiError(404, 'not_found', 'No such appointment for this person.');
    return appt;
  }

  /** Naturally idempotent (the attendee ends in one state); an unanswered call is read back. */
  async setAttendance(appt: Appointment, action: 'do_accept' | 'do_decline'): Promise<void> {
    if (appt.attendeeId === null) throw new ApiError(409, 'not_an_attendee', 'This person is not an attendee of the appointment in the CRM.');
    const want = action === 'do_accept' ? 'accepted' : 'declined';
    const attendeeId = appt.attendeeId;
    try {
      await this.odoo.callKw('calendar.attendee', action, [[attendeeId]]);
    } catch (e) {
      if (!isUnknown(e)) throw e;
      const seen = await readBack(async () => {
        const rows = await this.odoo.callKw<Array<Record<string, unknown>>>('calendar.attendee', 'read', [[attendeeId]], { fields: ['state'] });
        return rows[0]?.state === want ? true : null;
      });
      if (seen === null) throw unconfirmed('the answer to the invitation');
    }
  }

  /** Where the event is now (read-back after a move). */
  async eventTimes(id: number): Promise<{ start: Date; stop: Date } | null> {
    const rows = await this.odoo.callKw<Array<Record<string, unknown>>>('calendar.event', 'read', [[id]], { fields: ['start', 'stop'] });
    const r = rows[0];
    return r && typeof r.start === 'string' && typeof r.stop === 'string' ? { start: fromOdooDatetime(r.start), stop: fromOdooDatetime(r.stop) } : null;
  }

  async moveAppointment(appt: Appointment, start: Date, stop: Date, mode: Mode): Promise<void> {
    const vals: Record<string, unknown> = { start: toOdooDatetime(start), stop: toOdooDatetime(stop) };
    if (mode !== appt.mode) {
      if (mode === 'clinic') Object.assign(vals, { location: this.opts.clinicLocation, videocall_location: false });
      if (mode === 'home') Object.assign(vals, { location: 'Domicile', videocall_location: false });
      if (mode === 'video') Object.assign(vals, { location: 'Visio' });
    }
    // the product tells the client itself (Brevo, in French, in the client's zone): Odoo's own attendee mail
    // ("…: Date updated", UTC times) is turned off by this context key (calendar.attendee _send_mail_to_attendees)
    // Naturally idempotent: writing the same slot again changes nothing. An unanswered write is read back.
    try {
      await this.odoo.callKw('calendar.event', 'write', [[appt.id], vals], { context: { no_mail_to_attendees: true } });
    } catch (e) {
      if (!isUnknown(e)) throw e;
      const at = await readBack(async () => {
        const t = await this.eventTimes(appt.id);
        return t && t.start.getTime() === start.getTime() && t.stop.getTime() === stop.getTime() ? t : null;
      });
      if (at === null) throw unconfirmed('the move of the appointment');
    }
  }

  /** The practice's working hours and zone (calendar tz, or PRACTICE_TIMEZONE when the calendar says UTC/nothing). */
  async workingHours(): Promise<{ calendarId: number | null; zone: string; attendances: Attendance[] }> {
    let calendarId = this.opts.calendarId ?? null;
    if (calendarId === null) {
      const companies = await this.odoo.callKw<Array<Record<string, unknown>>>('res.company', 'search_read', [[]], { fields: ['resource_calendar_id'], limit: 1, order: 'id asc' });
      calendarId = many2oneId.optional().parse(companies[0]?.resource_calendar_id) ?? null;
    }
    if (calendarId === null) {
      const ids = await this.odoo.callKw<number[]>('resource.calendar', 'search', [[]], { limit: 1, order: 'id asc' });
      calendarId = ids[0] ?? null;
    }
    if (calendarId === null) return { calendarId: null, zone: this.opts.practiceTimezone, attendances: [] };
    const cal = await this.odoo.callKw<Array<Record<string, unknown>>>('resource.calendar', 'read', [[calendarId]], { fields: ['tz'] });
    const tz = typeof cal[0]?.tz === 'string' ? (cal[0].tz as string) : '';
    const zone = !tz || tz === 'UTC' || tz === 'Etc/UTC' || tz === 'GMT' ? this.opts.practiceTimezone : tz;
    const rows = await this.odoo.callKw<Array<Record<string, unknown>>>('resource.calendar.attendance', 'search_read', [[['calendar_id', '=', calendarId]]], {
      fields: ['dayofweek', 'hour_from', 'hour_to', 'day_period'],
    });
    const attendances = rows.map((r) => ({
      dayofweek: String(r.dayofweek), hour_from: Number(r.hour_from), hour_to: Number(r.hour_to), day_period: typeof r.day_period === 'string' ? r.day_period : false as const,
    }));
    return { calendarId, zone, attendances };
  }

  /** Busy time between from and to: the practitioner's other events and the calendar's (or global) leaves. */
  async busy(userId: number | null, calendarId: number | null, from: Date, to: Date, exceptEventId: number): Promise<Interval[]> {
    const out: Interval[] = [];
    if (userId !== null) {
      const evs = await this.odoo.callKw<Array<Record<string, unknown>>>('calendar.event', 'search_read', [[
        ['user_id', '=', userId], ['start', '<', toOdooDatetime(to)], ['stop', '>', toOdooDatetime(from)], ['id', '!=', exceptEventId],
      ]], { fields: ['start', 'stop'] });
      for (const e of evs) out.push({ start: fromOdooDatetime(String(e.start)), stop: fromOdooDatetime(String(e.stop)) });
    }
    const calDomain = calendarId === null ? [['calendar_id', '=', false]] : ['|', ['calendar_id', '=', calendarId], ['calendar_id', '=', false]];
    const leaves = await this.odoo.callKw<Array<Record<string, unknown>>>('resource.calendar.leaves', 'search_read', [[
      ...calDomain, ['resource_id', '=', false], ['date_from', '<', toOdooDatetime(to)], ['date_to', '>', toOdooDatetime(from)],
    ]], { fields: ['date_from', 'date_to'] });
    for (const l of leaves) out.push({ start: fromOdooDatetime(String(l.date_from)), stop: fromOdooDatetime(String(l.date_to)) });
    return out;
  }

  /** The open activity carrying this marker on the event, if any. */
  async findActivity(eventId: number, marker: string): Promise<number | null> {
    const ids = await this.odoo.callKw<number[]>('mail.activity', 'search', [[['res_model', '=', 'calendar.event'], ['res_id', '=', eventId], ['note', 'ilike', marker]]], { limit: 1 });
    return ids[0] ?? null;
  }

  /**
   * A "call back" activity on the event for its responsible user, created once per marker: a repeat finds the
   * activity its marker names before creating; a create left unanswered is read back, never repeated blindly.
   */
  async scheduleCallback(appt: Appointment, deadlineDay: string, summary: string, noteHtml: string, marker?: string): Promise<number> {
    if (marker) {
      const existing = await this.findActivity(appt.id, marker);
      if (existing !== null) return existing;
      noteHtml = `${noteHtml}<p>Réf. ${marker}</p>`;
    }
    const models = await this.odoo.callKw<number[]>('ir.model', 'search', [[['model', '=', 'calendar.event']]], { limit: 1 });
    const xml = await this.odoo.callKw<Array<Record<string, unknown>>>('ir.model.data', 'search_read', [[['module', '=', 'mail'], ['name', '=', 'mail_activity_data_call']]], { fields: ['res_id'], limit: 1 });
    const resModelId = models[0];
    const typeId = xml[0] ? Number(xml[0].res_id) : undefined;
    if (resModelId === undefined) throw new ApiError(502, 'odoo_error', 'The CRM has no calendar.event model.');
    const vals: Record<string, unknown> = { res_model_id: resModelId, res_id: appt.id, date_deadline: deadlineDay, summary, note: noteHtml };
    if (typeId !== undefined) vals.activity_type_id = typeId;
    if (appt.userId !== null) vals.user_id = appt.userId;
    let id: number | number[];
    try {
      id = await this.odoo.callKw<number | number[]>('mail.activity', 'create', [vals]);
    } catch (e) {
      if (!marker || !isUnknown(e)) throw e;
      const found = await readBack(() => this.findActivity(appt.id, marker));
      if (found === null) throw unconfirmed('the call-back request');
      return found;
    }
    return Array.isArray(id) ? Number(id[0]) : Number(id);
  }
}
