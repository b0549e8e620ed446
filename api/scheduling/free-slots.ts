/**
 * Free appointment slots, computed in the project (Odoo's `appointment` module is Enterprise). Pure: the same
 * input (including `now`) always gives the same slots, so proposals are reproducible and testable.
 *
 * Rules
 * - Working hours are the calendar's attendances (dayofweek '0' = Monday, hour_from/hour_to as float hours) read
 *   as wall-clock times in `zone`; lunch-break rows (day_period 'lunch') are not working time. Slots are built per
 *   local day, so a window across a DST change keeps 9h as 9h local (UTC offsets differ before and after).
 * - A slot [start, stop) lies inside one attendance; its `bufferMin` on both sides (travel for home visits) must not
 *   touch a busy interval (the practitioner's events and the calendar's leaves); the buffer may extend outside
 *   working hours (travel before the first visit is fine).
 * - morning = starts before 12:00 local, afternoon = starts at or after 12:00 local.
 * - Candidates start every `stepMin` from the attendance start; none starts before now + minLeadMin.
 * - Ids are `s_<start epoch seconds>_<mode>`: stable for the same slot, opaque to callers.
 */
import { DateTime } from 'luxon';

export type Mode = 'home' | 'video' | 'clinic';
export type TimeWindow = 'morning' | 'afternoon' | 'any';

export interface Attendance {
  dayofweek: string;
  hour_from: number;
  hour_to: number;
  day_period?: string | false;
}

export interface Interval {
  start: Date;
  stop: Date;
}

export interface ModeProfile {
  durationMin: number;
  bufferMin: number;
}

/** Defaults per mode: a home visit is longer and needs travel time on both sides; a video call needs none. */
export const DEFAULT_MODE_PROFILES: Record<Mode, ModeProfile> = {
  home: { durationMin: 60, bufferMin: 30 },
  video: { durationMin: 30, bufferMin: 0 },
  clinic: { durationMin: 45, bufferMin: 15 },
};

export interface FreeSlotQuery {
  now: Date;
  zone: string;
  attendances: Attendance[];
  busy: Interval[];
  /** First and last local days (YYYY-MM-DD), inclusive. */
  dateFrom: string;
  dateTo: string;
  timeWindow: TimeWindow;
  mode: Mode;
  profile?: ModeProfile;
  stepMin?: number;
  minLeadMin?: number;
  /** Slot ids never to return (e.g. already refused). */
  exclude?: ReadonlySet<string>;
  /** Stop after this many slots. */
  limit?: number;
}

export interface Slot {
  id: string;
  start: Date;
  stop: Date;
  mode: Mode;
}

export function slotId(start: Date, mode: Mode): string {
  return `s_${Math.floor(start.getTime() / 1000)}_${mode}`;
}

export function parseSlotId(id: string): { start: Date; mode: Mode } | null {
  const m = /^s_(\d{9,11})_(home|video|clinic)$/.exec(id);
  if (!m) return null;
  return { start: new Date(Number(m[1]) * 1000), mode: m[2] as Mode };
}

function localTime(day: DateTime, hours: number): DateTime {
  const totalMin = Math.round(hours * 60);
  return day.set({ hour: Math.floor(totalMin / 60), minute: totalMin % 60, second: 0, millisecond: 0 });
}

function overlaps(aStart: number, aStop: number, busy: Interval[]): boolean {
  return busy.some((b) => aStart < b.stop.getTime() && b.start.getTime() < aStop);
}

export function freeSlots(q: FreeSlotQuery): Slot[] {
  const profile = q.profile ?? DEFAULT_MODE_PROFILES[q.mode];
  const step = (q.stepMin ?? 30) * 60_000;
  const dur = profile.durationMin * 60_000;
  const buf = profile.bufferMin * 60_000;
  const earliest = q.now.getTime() + (q.minLeadMin ?? 0) * 60_000;
  const first = DateTime.fromISO(q.dateFrom, { zone: q.zone }).startOf('day');
  const last = DateTime.fromISO(q.dateTo, { zone: q.zone }).startOf('day');
  if (!first.isValid || !last.isValid) throw new RangeError(`freeSlots: invalid day window ${q.dateFrom}..${q.dateTo} in ${q.zone}`);
  const out: Slot[] = [];
  for (let day = first; day <= last; day = day.plus({ days: 1 })) {
    const dow = String(day.weekday - 1); // luxon 1 = Monday, Odoo '0' = Monday
    const rows = q.attendances
      .filter((a) => a.dayofweek === dow && a.day_period !== 'lunch' && a.hour_to > a.hour_from)
      .sort((a, b) => a.hour_from - b.hour_from);
    for (const a of rows) {
      const open = localTime(day, a.hour_from).toMillis();
      const close = localTime(day, a.hour_to).toMillis();
      for (let s = open; s + dur <= close; s += step) {
        if (s < earliest) continue;
        const localHour = DateTime.fromMillis(s, { zone: q.zone }).hour;
        if (q.timeWindow === 'morning' && localHour >= 12) continue;
        if (q.timeWindow === 'afternoon' && localHour < 12) continue;
        if (overlaps(s - buf, s + dur + buf, q.busy)) continue;
        const start = new Date(s);
        const id = slotId(start, q.mode);
        if (q.exclude?.has(id)) continue;
        out.push({ id, start, stop: new Date(s + dur), mode: q.mode });
        if (q.limit !== undefined && out.length >= q.limit) return out;
      }
    }
  }
  return out;
}

/**
 * Picks `count` proposals that are easy to choose between by voice: the earliest slot of successive days first,
 * then the next earliest slots to fill up.
 */
export function pickProposals(slots: Slot[], count: number, zone: string): Slot[] {
  const byDay = new Map<string, Slot[]>();
  for (const s of slots) {
    const d = DateTime.fromJSDate(s.start, { zone }).toISODate() ?? '';
    const list = byDay.get(d) ?? [];
    list.push(s);
    byDay.set(d, list);
  }
  const picked: Slot[] = [];
  for (const list of byDay.values()) {
    if (picked.length >= count) break;
    picked.push(list[0]!);
  }
  for (const s of slots) {
    if (picked.length >= count) break;
    if (!picked.includes(s)) picked.push(s);
  }
  return picked.sort((a, b) => a.start.getTime() - b.start.getTime());
}
