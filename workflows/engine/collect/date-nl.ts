/**
 * Collect mode `date_nl`: a date window from natural French ("lundi prochain", "dès que possible", "après-demain"),
 * stored as ISO dates `{ from, to }` (window rules: lib/french/dates.ts).
 */
import { parseDateWindow } from '../../../lib/french/dates';
import type { CollectParser } from './types';

export const collectDateNl: CollectParser = (text, source, ctx) => {
  if (source === 'dtmf') return { ok: false, reason: 'dtmf_not_a_date' };
  try {
    const w = parseDateWindow(text, ctx.nowIso, ctx.timezone);
    return w ? { ok: true, value: { from: w.from, to: w.to } } : { ok: false, reason: 'no_date' };
  } catch {
    // Only a bad clock or time zone throws (the loader checks the machine's timezone); the engine never throws.
    return { ok: false, reason: 'bad_clock_or_timezone' };
  }
};
