/**
 * Collect mode `date_nl`: a date window from natural French ("lundi prochain", "dès que possible", "après-demain"),
 * stored as ISO dates `{ from, to }`.
 *
 * TEMPORARY: lib/french/dates.ts (parseDateWindow, written by another engineer) has not landed yet. The function
 * `temporaryParseDateWindow` below has the agreed signature and covers only the few phrases the seed's prompt
 * suggests; switch the import to lib/french/dates and delete it when that file exists.
 */
import { normalizeText } from '../../../lib/french/normalize';
import type { CollectParser } from './types';

const WINDOW_DAYS = 14;
const WEEKDAYS = ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'];
const ASAP = ['des que possible', 'au plus vite', 'le plus tot possible', 'n importe quand', 'je ne sais pas', 'je sais pas'];

function addDays(ymd: string, days: number): string {
  const [y, m, d] = ymd.split('-').map(Number);
  const t = Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + days);
  return new Date(t).toISOString().slice(0, 10);
}

function localDate(nowIso: string, timezone: string): string {
  try {
    const parts = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(nowIso));
    if (/^\d{4}-\d{2}-\d{2}$/.test(parts)) return parts;
  } catch {
    // Unknown timezone: fall back to the UTC date.
  }
  return nowIso.slice(0, 10);
}

function weekday(ymd: string): number {
  const [y, m, d] = ymd.split('-').map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1)).getUTCDay();
}

export function temporaryParseDateWindow(text: string, nowIso: string, timezone: string): { from: string; to: string } | null {
  const n = normalizeText(text);
  const today = localDate(nowIso, timezone);
  const from = (start: string) => ({ from: start, to: addDays(start, WINDOW_DAYS - 1) });
  if (ASAP.some((p) => ` ${n} `.includes(` ${p} `))) return from(today);
  if (/\bapres demain\b/.test(n)) return from(addDays(today, 2));
  if (/\bdemain\b/.test(n)) return from(addDays(today, 1));
  if (/\baujourd hui\b/.test(n)) return from(today);
  if (/\bsemaine prochaine\b/.test(n)) return from(addDays(today, ((8 - weekday(today)) % 7) || 7));
  const day = WEEKDAYS.findIndex((w) => new RegExp(`\\b${w}\\b`).test(n));
  if (day >= 0) {
    const ahead = (day - weekday(today) + 7) % 7 || 7;
    return from(addDays(today, ahead));
  }
  return null;
}

export const collectDateNl: CollectParser = (text, source, ctx) => {
  if (source === 'dtmf') return { ok: false, reason: 'dtmf_not_a_date' };
  const w = temporaryParseDateWindow(text, ctx.nowIso, ctx.timezone);
  return w ? { ok: true, value: { from: w.from, to: w.to } } : { ok: false, reason: 'no_date' };
};
