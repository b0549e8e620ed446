/**
 * French date phrases → a window of dates a scheduler can search, for the question "À partir de quelle date êtes-vous
 * disponible ?" (collect mode date_nl).
 *
 * Window rules (what the scheduler receives):
 * - A phrase naming one day ("lundi prochain", "demain", "le 4 mars", "à partir du 12") opens a window from that
 *   day for DEFAULT_WINDOW_DAYS days (from = the day, to = the day + 14): the question asks from when the caller is
 *   free, and a one-day window would leave the scheduler nothing to propose when that day is full. "seulement",
 *   "uniquement", "juste" before it keep that one day; "avant le 20" gives tomorrow → the 19th; "après le 12"
 *   starts the day after.
 * - A phrase naming a span keeps the span: "la semaine prochaine" Monday–Sunday, "cette semaine" today–Sunday,
 *   "ce week-end" Saturday–Sunday, "dans deux semaines" the Monday–Sunday week that contains today + 14 days,
 *   "début avril" 1–10, "mi-avril" 11–20, "fin avril" / "fin du mois" 21–last day, "en avril" / "le mois
 *   prochain" the whole month, "du 4 au 10 mars" / "entre le 4 et le 10" those days.
 * - "dès que possible", "le plus tôt possible", "n'importe quand", "peu importe", "je ne sais pas": tomorrow to
 *   today + 14 (a same-day visit cannot be arranged by phone).
 * - A window never starts before today; a window entirely in the past, or text with no date, gives null.
 * - "lundi", "lundi prochain", "ce lundi": the next Monday after today (today + 7 when today is Monday, except
 *   "ce lundi" said on a Monday, which is today); "lundi de la semaine prochaine": the Monday of next week (Monday
 *   to Sunday weeks); "lundi en huit": a week after the coming Monday. A day and month without a year ("le 4 mars") is the next such date (this year or next).
 *
 * Dates are computed in the given IANA time zone with Luxon (never the machine's zone) from `nowIso`, which is a
 * parameter because workflow code has no clock. Pure: no Node imports.
 */
import { DateTime } from 'luxon';
import { normalizeText, words as splitWords } from './normalize';
import { wordsToNumber } from './numbers';

export interface DateWindow {
  /** First day, ISO YYYY-MM-DD in the given time zone. */
  from: string;
  /** Last day (inclusive), ISO YYYY-MM-DD. */
  to: string;
}

/** Days after a single named day that the scheduler may search (see header). */
export const DEFAULT_WINDOW_DAYS = 14;

const MONTHS: Readonly<Record<string, number>> = {
  janvier: 1, fevrier: 2, mars: 3, avril: 4, mai: 5, juin: 6, juillet: 7, aout: 8, septembre: 9, octobre: 10,
  novembre: 11, decembre: 12, janv: 1, fev: 2, avr: 4, juil: 7, sept: 9, oct: 10, nov: 11, dec: 12,
};
const WEEKDAYS: Readonly<Record<string, number>> = {
  lundi: 1, mardi: 2, mercredi: 3, jeudi: 4, vendredi: 5, samedi: 6, dimanche: 7,
};
const ASAP = [
  'des que possible', 'le plus tot possible', 'au plus tot', 'le plus vite possible', 'au plus vite', 'rapidement',
  'n importe quand', 'peu importe', 'quand vous voulez', 'quand vous voudrez', 'je ne sais pas', 'je sais pas',
  'sais pas', 'pas de preference', 'tout de suite', 'aucune preference', 'quand vous pouvez', 'des maintenant',
];
const ONLY = ['seulement', 'uniquement', 'juste', 'exclusivement'];

/** A recognized date expression: a single day (widened by the rules above) or a span kept as is. */
interface Hit {
  from: DateTime;
  to: DateTime;
  single: boolean;
  /** Word index where the expression starts (to look at "avant", "après", "seulement" before it). */
  at: number;
}

type Recognizer = (w: readonly string[], today: DateTime) => Hit | null;

/**
 * Parses a French date phrase into a window of ISO dates in `timezone`, relative to `nowIso`. Null when the text
 * names no date (or only a past one). Throws RangeError on an invalid `nowIso` or time zone (a configuration bug).
 */
export function parseDateWindow(text: string, nowIso: string, timezone: string): DateWindow | null {
  const now = DateTime.fromISO(nowIso, { zone: timezone });
  if (!now.isValid) {
    throw new RangeError(`parseDateWindow: invalid now "${nowIso}" or time zone "${timezone}" (${now.invalidReason ?? ''})`);
  }
  const today = now.startOf('day');
  const w = splitWords(normalizeText(text).replace(/\bweek end\b/g, 'weekend'));
  if (w.length === 0) return null;
  if (namesImpossibleDate(w, today)) return null; // "le 31 février": ask again rather than guess
  const written = numericDate(text, today);
  if (written) return widen(single(written, 0), w, today);
  for (const recognize of RECOGNIZERS) {
    const hit = recognize(w, today);
    if (hit) return widen(hit, w, today);
  }
  return null;
}

function widen(hit: Hit, w: readonly string[], today: DateTime): DateWindow | null {
  let { from, to } = hit;
  if (hit.single) {
    const before = w.slice(Math.max(0, hit.at - 4), hit.at);
    const has = (x: string) => before.includes(x);
    if (has('avant') && !has('pas')) {
      from = today.plus({ days: 1 });
      to = hit.from.minus({ days: 1 });
    } else if (has('apres') && !(has('a') && has('partir'))) {
      from = hit.from.plus({ days: 1 });
      to = from.plus({ days: DEFAULT_WINDOW_DAYS });
    } else if (ONLY.some((o) => w.includes(o)) || (has('que') && !has('des'))) {
      to = hit.from;
    } else {
      to = hit.from.plus({ days: DEFAULT_WINDOW_DAYS });
    }
  }
  if (from < today) from = today;
  if (to < from) return null;
  return { from: iso(from), to: iso(to) };
}

function iso(d: DateTime): string {
  return d.toISODate() ?? '';
}

function indexOfPhrase(w: readonly string[], phrase: string): number {
  const p = phrase.split(' ');
  for (let i = 0; i + p.length <= w.length; i++) {
    if (p.every((x, j) => w[i + j] === x)) return i;
  }
  return -1;
}

function single(d: DateTime, at: number): Hit {
  return { from: d, to: d, single: true, at };
}

function span(from: DateTime, to: DateTime, at: number): Hit {
  return { from, to, single: false, at };
}

/** Day of month said before index `end` ("4", "1er", "premier", "quatre", "vingt et un"): value and start index. */
function dayBefore(w: readonly string[], end: number): { day: number; at: number } | null {
  for (let len = 3; len >= 1; len--) {
    const start = end - len;
    if (start < 0) continue;
    const slice = w.slice(start, end);
    let day: number | null = null;
    if (len === 1 && (slice[0] === 'premier' || slice[0] === '1er' || slice[0] === 'er')) day = 1;
    else if (len === 1 && /^\d{1,2}(er|e)?$/.test(slice[0] ?? '')) day = parseInt(slice[0] ?? '', 10);
    else if (len === 2 && slice[0] === '1' && slice[1] === 'er') day = 1;
    else day = wordsToNumber(slice.join(' '));
    if (day !== null && day >= 1 && day <= 31) return { day, at: start };
  }
  return null;
}

/** Year after a month ("mars 2027"), if said. */
function yearAfter(w: readonly string[], i: number): number | null {
  const y = w[i];
  if (y && /^20\d\d$/.test(y)) return parseInt(y, 10);
  for (let len = 4; len >= 2; len--) {
    const v = wordsToNumber(w.slice(i, i + len).join(' '));
    if (v !== null && v >= 2000 && v < 2100) return v;
  }
  return null;
}

/** The next date (today or later) with this day and month; with a year, exactly that date. */
function nextDayMonth(today: DateTime, day: number, month: number, year: number | null): DateTime | null {
  const make = (y: number) => DateTime.fromObject({ year: y, month, day }, { zone: today.zone });
  if (year !== null) {
    const d = make(year);
    return d.isValid ? d : null;
  }
  let d = make(today.year);
  if (!d.isValid) return null;
  if (d < today) d = make(today.year + 1);
  return d.isValid ? d : null;
}

/** "le 4 mars", "4 mars 2027", "le premier avril", "04/03", "4/3/2027": the index of each month word tried in turn. */
const explicitDate: Recognizer = (w, today) => {
  for (let i = 0; i < w.length; i++) {
    const month = MONTHS[w[i] ?? ''];
    if (month === undefined) continue;
    // "vingt-sept mars": this "sept" is a number, the month comes after.
    if (w[i] === 'sept' && [w[i + 1], w[i + 2]].some((x) => x !== undefined && MONTHS[x] !== undefined)) continue;
    const db = dayBefore(w, i);
    if (!db) continue;
    const d = nextDayMonth(today, db.day, month, yearAfter(w, i + 1));
    if (d) return single(d, db.at);
  }
  return null;
};

/** True when a day is said with a month and that date does not exist ("le 30 février"). */
function namesImpossibleDate(w: readonly string[], today: DateTime): boolean {
  for (let i = 0; i < w.length; i++) {
    const month = MONTHS[w[i] ?? ''];
    if (month === undefined || (w[i] === 'sept' && MONTHS[w[i + 1] ?? ''] !== undefined)) continue;
    const db = dayBefore(w, i);
    if (db && nextDayMonth(today, db.day, month, yearAfter(w, i + 1)) === null) return true;
  }
  return false;
}

/** Numeric dates as written: "04/03", "4.3.2027" (day first, as in France). */
function numericDate(text: string, today: DateTime): DateTime | null {
  const m = /\b(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2}|\d{4}))?\b/.exec(text);
  if (!m) return null;
  const day = parseInt(m[1] ?? '', 10);
  const month = parseInt(m[2] ?? '', 10);
  if (month < 1 || month > 12) return null;
  let year: number | null = m[3] ? parseInt(m[3], 10) : null;
  if (year !== null && year < 100) year += 2000;
  return nextDayMonth(today, day, month, year);
}

const asap: Recognizer = (w, today) => {
  for (const p of ASAP) {
    const i = indexOfPhrase(w, p);
    if (i >= 0) return span(today.plus({ days: 1 }), today.plus({ days: DEFAULT_WINDOW_DAYS }), i);
  }
  return null;
};

const relativeDay: Recognizer = (w, today) => {
  let i = indexOfPhrase(w, 'apres demain');
  if (i >= 0) return single(today.plus({ days: 2 }), i);
  i = indexOfPhrase(w, 'demain');
  if (i >= 0) return single(today.plus({ days: 1 }), i);
  i = indexOfPhrase(w, 'aujourd hui');
  if (i < 0) i = indexOfPhrase(w, 'ce soir');
  if (i >= 0) return single(today, i);
  return null;
};

function mondayOf(d: DateTime): DateTime {
  return d.minus({ days: d.weekday - 1 });
}

/** "la semaine du 4 mars" / "la semaine du lundi 4": Monday to Sunday of that week. */
const weekOf: Recognizer = (w, today) => {
  const i = indexOfPhrase(w, 'semaine du');
  if (i < 0) return null;
  const rest = w.slice(i + 2);
  const inner = explicitDate(rest, today) ?? dayOfMonth(['le', ...rest.filter((x) => !(x in WEEKDAYS))], today);
  if (!inner) return null;
  const monday = mondayOf(inner.from);
  return span(monday, monday.plus({ days: 6 }), i);
};

/** "du 4 au 10 mars", "entre le 4 et le 10 avril": both ends; a missing month is taken from the other end. */
const range: Recognizer = (w, today) => {
  for (let i = 0; i < w.length; i++) {
    if (w[i] !== 'du' && w[i] !== 'entre') continue;
    const sep = w[i] === 'du' ? 'au' : 'et';
    const j = w.indexOf(sep, i + 1);
    if (j < 0 || j - i > 6) continue;
    const left = w.slice(i + 1, j).filter((x) => x !== 'le' && !(x in WEEKDAYS));
    const right = w.slice(j + 1, j + 7).filter((x) => x !== 'le' && !(x in WEEKDAYS));
    const rightMonthIdx = right.findIndex((x) => MONTHS[x] !== undefined);
    const leftMonthIdx = left.findIndex((x) => MONTHS[x] !== undefined);
    const rDay = dayBefore(right, rightMonthIdx >= 0 ? rightMonthIdx : Math.min(right.length, 3));
    const lDay = dayBefore(left, leftMonthIdx >= 0 ? leftMonthIdx : left.length);
    if (!rDay || !lDay) continue;
    const rMonth = rightMonthIdx >= 0 ? MONTHS[right[rightMonthIdx] ?? ''] : undefined;
    const lMonth = leftMonthIdx >= 0 ? MONTHS[left[leftMonthIdx] ?? ''] : rMonth;
    if (rMonth === undefined && lMonth === undefined) {
      const from = monthDay(today, lDay.day);
      if (!from) continue;
      let to = from.set({ day: rDay.day });
      if (!to.isValid) continue;
      if (to < from) to = to.plus({ months: 1 });
      return span(from, to, i);
    }
    const from = nextDayMonth(today, lDay.day, lMonth ?? rMonth ?? 1, null);
    if (!from) continue;
    let to = nextDayMonth(from, rDay.day, rMonth ?? lMonth ?? 1, null);
    if (!to) continue;
    if (to < from) to = to.plus({ years: 1 });
    return span(from, to, i);
  }
  return null;
};

/** This month's `day` if not past, else next month's. */
function monthDay(today: DateTime, day: number): DateTime | null {
  let d = today.set({ day });
  if (!d.isValid || d.day !== day) return null;
  if (d < today) {
    const next = today.plus({ months: 1 }).startOf('month');
    d = next.set({ day });
    if (!d.isValid || d.day !== day) return null;
  }
  return d;
}

/** "le 12", "à partir du 12", "dès le vingt" (no month said): this month's day, or next month's once passed. */
const dayOfMonth: Recognizer = (w, today) => {
  for (let i = 0; i < w.length; i++) {
    if (w[i] !== 'le' && w[i] !== 'du') continue;
    let j = i + 1;
    if (WEEKDAYS[w[j] ?? ''] !== undefined) j++; // "le lundi 12"
    for (let len = 3; len >= 1; len--) {
      const db = dayBefore(w, j + len);
      if (!db || db.at !== j) continue;
      const after = w[j + len];
      if (after !== undefined && (after === 'heures' || after === 'h' || after === 'heure')) break;
      const d = monthDay(today, db.day);
      if (d) return single(d, i);
    }
  }
  return null;
};

function monthWindow(today: DateTime, month: number, year: number | null): { start: DateTime; end: DateTime } {
  let start = DateTime.fromObject({ year: year ?? today.year, month, day: 1 }, { zone: today.zone });
  if (year === null && start.endOf('month') < today) start = start.plus({ years: 1 });
  return { start, end: start.endOf('month').startOf('day') };
}

function part(start: DateTime, end: DateTime, which: 'debut' | 'mi' | 'fin'): [DateTime, DateTime] {
  if (which === 'debut') return [start, start.set({ day: 10 })];
  if (which === 'mi') return [start.set({ day: 11 }), start.set({ day: 20 })];
  return [start.set({ day: 21 }), end];
}

/** "début avril", "mi-mai", "fin juin", "fin du mois", "début du mois prochain", "milieu de mois". */
const monthPart: Recognizer = (w, today) => {
  for (let i = 0; i < w.length; i++) {
    const t = w[i];
    const which = t === 'debut' ? 'debut' : t === 'mi' || t === 'milieu' ? 'mi' : t === 'fin' ? 'fin' : null;
    if (!which) continue;
    let j = i + 1;
    while (w[j] === 'de' || w[j] === 'du' || w[j] === 'd' || w[j] === 'le') j++;
    if (w[j] === 'mois') {
      const next = w[j + 1] === 'prochain';
      const base = next ? today.plus({ months: 1 }).startOf('month') : today.startOf('month');
      let [from, to] = part(base, base.endOf('month').startOf('day'), which);
      if (to < today && !next) {
        const nb = today.plus({ months: 1 }).startOf('month');
        [from, to] = part(nb, nb.endOf('month').startOf('day'), which);
      }
      return span(from, to, i);
    }
    const month = MONTHS[w[j] ?? ''];
    if (month !== undefined) {
      const { start, end } = monthWindow(today, month, yearAfter(w, j + 1));
      let [from, to] = part(start, end, which);
      if (to < today) [from, to] = part(start.plus({ years: 1 }), start.plus({ years: 1 }).endOf('month').startOf('day'), which);
      return span(from, to, i);
    }
  }
  return null;
};

/** "lundi", "lundi prochain", "ce lundi", "lundi en huit", "lundi de la semaine prochaine". */
const weekday: Recognizer = (w, today) => {
  for (let i = 0; i < w.length; i++) {
    const wd = WEEKDAYS[w[i] ?? ''];
    if (wd === undefined) continue;
    const enHuit = w[i + 1] === 'en' && w[i + 2] === 'huit';
    const nextWeek = indexOfPhrase(w.slice(i), 'semaine prochaine') >= 0;
    if (nextWeek) return single(mondayOf(today).plus({ days: 7 + wd - 1 }), i);
    const thisOne = w[i - 1] === 'ce' && today.weekday === wd;
    if (thisOne) return single(today, i - 1);
    let delta = (wd - today.weekday + 7) % 7;
    if (delta === 0) delta = 7;
    if (enHuit) delta += 7; // "mardi en huit": a week after the coming Tuesday
    return single(today.plus({ days: delta }), i);
  }
  return null;
};

/** "la semaine prochaine", "cette semaine", "dans deux semaines", "dans quinze jours". */
const weeks: Recognizer = (w, today) => {
  let i = indexOfPhrase(w, 'semaine prochaine');
  if (i < 0) i = indexOfPhrase(w, 'prochaine semaine');
  if (i >= 0) {
    const monday = mondayOf(today).plus({ days: 7 });
    return span(monday, monday.plus({ days: 6 }), i);
  }
  i = indexOfPhrase(w, 'cette semaine');
  if (i >= 0) return span(today, mondayOf(today).plus({ days: 6 }), i);
  const dans = w.indexOf('dans');
  if (dans >= 0) {
    const unitIdx = w.findIndex((x, k) => k > dans && (x === 'semaines' || x === 'semaine' || x === 'jours' || x === 'jour' || x === 'mois'));
    if (unitIdx > dans) {
      const nWords = w.slice(dans + 1, unitIdx).join(' ');
      const n = nWords === '' ? 1 : wordsToNumber(nWords);
      if (n !== null && n > 0 && n < 100) {
        const unit = w[unitIdx];
        if (unit === 'semaines' || unit === 'semaine') {
          const monday = mondayOf(today.plus({ days: 7 * n }));
          return span(monday, monday.plus({ days: 6 }), dans);
        }
        if (unit === 'mois') return single(today.plus({ months: n }), dans);
        if (n === 15 || n === 8) {
          // "dans quinze jours" = in two weeks, "dans huit jours" = in one week (French usage).
          const monday = mondayOf(today.plus({ days: n === 15 ? 14 : 7 }));
          return span(monday, monday.plus({ days: 6 }), dans);
        }
        return single(today.plus({ days: n }), dans);
      }
    }
  }
  return null;
};

/** "ce week-end", "le week-end", "le week-end prochain". */
const weekend: Recognizer = (w, today) => {
  const i = w.indexOf('weekend');
  if (i < 0) return null;
  const saturday = mondayOf(today).plus({ days: 5 });
  if (w[i + 1] === 'prochain' || w[i - 1] === 'prochain') {
    const next = today.weekday >= 6 ? saturday.plus({ days: 7 }) : saturday;
    return span(next, next.plus({ days: 1 }), i);
  }
  return span(saturday, saturday.plus({ days: 1 }), i);
};

/** "le mois prochain", "en avril", "avril 2027". */
const wholeMonth: Recognizer = (w, today) => {
  const i = indexOfPhrase(w, 'mois prochain');
  if (i >= 0) {
    const start = today.plus({ months: 1 }).startOf('month');
    return span(start, start.endOf('month').startOf('day'), i);
  }
  for (let k = 0; k < w.length; k++) {
    const month = MONTHS[w[k] ?? ''];
    if (month === undefined) continue;
    // "le 31 février": a day was said with the month but it does not exist; not the whole month either.
    if (dayBefore(w, k) !== null) return null;
    // Abbreviations and "sept" (also the number 7) only count after "en" / "mois de".
    const short = (w[k] ?? '').length < 4 || w[k] === 'sept' || w[k] === 'janv' || w[k] === 'juil';
    if (short && w[k] !== 'mai' && w[k - 1] !== 'en' && w[k - 1] !== 'de') continue;
    const { start, end } = monthWindow(today, month, yearAfter(w, k + 1));
    return span(start, end, k);
  }
  return null;
};

const RECOGNIZERS: readonly Recognizer[] = [
  range, asap, relativeDay, weekOf, explicitDate, monthPart, dayOfMonth, weekday, weeks, weekend, wholeMonth,
];
