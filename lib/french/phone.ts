/**
 * Phone numbers from what a caller said, typed (DTMF) or wrote, to E.164.
 *
 * Uses libphonenumber-js with its full ("max") metadata so that validity is checked against each country's
 * numbering plan, not only the length (the "min" metadata accepts any number of the right length). The library
 * is plain JavaScript with JSON metadata: it bundles for Temporal workflows without Node imports.
 *
 * Pure and deterministic: no Node imports, no clock.
 */
import { parsePhoneNumberFromString, validatePhoneNumberLength, type CountryCode } from 'libphonenumber-js/max';
import { readNumberRuns, runDigits, runReadings, tokenize, type NumberRun } from './numbers';

export type PhoneResult = { ok: true; e164: string } | { ok: false; reason: PhoneFailure };

/** Why no phone number came out: short codes the engine and the backend map to their own messages. */
export type PhoneFailure = 'empty' | 'no_digits' | 'too_short' | 'too_long' | 'invalid_number' | 'bad_region';

export interface PhoneOptions {
  /** ISO 3166 region for numbers said without a country code (default FR). */
  defaultRegion?: string;
}

/** A phone number found in a text, with the tokens it spans (used by contact extraction). */
export interface PhoneCandidate {
  e164: string;
  /** Token span [from, to) in `tokenize(text)`. */
  from: number;
  to: number;
  /** True when only part of a run of numbers formed the phone (something around it was dropped). */
  partial: boolean;
  /** True when the number comes from another grouping of the words than the first reading ("cinq cent vingt-trois" as 5, 123). */
  reread?: boolean;
}

const MIN_DIGITS = 6;
const MAX_DIGITS = 17; // "00" + 15 digits of E.164

function toRegion(region: string | undefined): CountryCode | null {
  const r = (region ?? 'FR').toUpperCase();
  return /^[A-Z]{2}$/.test(r) ? (r as CountryCode) : null;
}

/** E.164 of `digits` (optionally with a leading "+") when it is a valid number, else null. */
function validE164(digits: string, plus: boolean, region: CountryCode): string | null {
  let text = digits;
  if (plus) text = `+${digits}`;
  else if (!digits.startsWith('0')) {
    // A national number is said with its trunk "0"; nine bare digits are a digit missed, not a number. Digits that
    // start with a calling code we serve ("33…", "261…") are an international number said without "plus".
    if (!ACCEPTED_CALLING_CODES.some((c) => digits.startsWith(c))) return null;
    text = `+${digits}`;
  }
  const p = parsePhoneNumberFromString(text, region);
  return p && p.isValid() ? p.number : null;
}

/** Calling codes accepted without "+" or "00" in front (France and its overseas departments, Madagascar). */
const ACCEPTED_CALLING_CODES = ['33', '261', '262', '590', '594', '596'];

/**
 * Parses one phone number: written ("+261 32 12 34 567", "06.12.34.56.78", "00 33 6…"), typed ("0612345678") or
 * spoken ("zéro six douze…", "plus deux cent soixante et un trente-deux…"). The number must be valid for its
 * country's numbering plan. Words around the number ("mon numéro c'est le …") are ignored.
 */
export function parsePhone(input: string, opts: PhoneOptions = {}): PhoneResult {
  const region = toRegion(opts.defaultRegion);
  if (!region) return { ok: false, reason: 'bad_region' };
  if (input.trim() === '') return { ok: false, reason: 'empty' };
  const toks = tokenize(input);
  const runs = readNumberRuns(toks);
  if (runs.length === 0) return { ok: false, reason: 'no_digits' };
  // Only leading words may be left out (a stray "un" before "zéro six…"); digits said after the number make it wrong.
  const found = findPhones(runs, region);
  const best = found[found.length - 1];
  if (best) return { ok: true, e164: best.e164 };
  const last = runs[runs.length - 1];
  const all = last ? runDigits(last) : '';
  if (all.length < MIN_DIGITS) return { ok: false, reason: 'too_short' };
  if (all.length > MAX_DIGITS) return { ok: false, reason: 'too_long' };
  // Tell "a digit missing" from "not a number of that country" so the prompt can say which.
  const length = validatePhoneNumberLength(last?.plus ? `+${all}` : all, region);
  if (length === 'TOO_SHORT') return { ok: false, reason: 'too_short' };
  if (length === 'TOO_LONG') return { ok: false, reason: 'too_long' };
  return { ok: false, reason: 'invalid_number' };
}

/**
 * Every valid phone number in a text, in order. In each run of numbers the whole run is tried first; when it is
 * not a valid number, the longest valid stretch that ends the run is taken (a stray "un" or a house number said
 * just before the phone is left out) and marked `partial` so that the read-back confirms it.
 */
export function findPhonesInText(text: string, opts: PhoneOptions = {}): PhoneCandidate[] {
  const region = toRegion(opts.defaultRegion);
  if (!region) return [];
  const toks = tokenize(text);
  return findPhones(readNumberRuns(toks), region);
}

function findPhones(runs: readonly NumberRun[], region: CountryCode): PhoneCandidate[] {
  const out: PhoneCandidate[] = [];
  for (const run of runs) {
    const whole = validE164(runDigits(run), run.plus, region);
    if (whole) {
      out.push({ e164: whole, from: run.from, to: run.to, partial: false });
      continue;
    }
    // Digits said in groups of two or three: "zéro cinq, cent vingt-trois" said without the pause. Taken only when
    // one number comes out: two valid groupings are a guess, and the caller is asked again.
    const regroupings = new Set(runReadings(run).slice(1).map((d) => validE164(d, run.plus, region)).filter((e): e is string => e !== null));
    const regrouped = regroupings.size === 1 ? [...regroupings][0] : undefined;
    if (regrouped) {
      out.push({ e164: regrouped, from: run.from, to: run.to, partial: false, reread: true });
      continue;
    }
    const sub = longestValidStretch(run, region);
    if (sub) out.push(sub);
  }
  return out;
}

/** The longest valid number made of the run's last phrases (leading words dropped, never trailing digits). */
function longestValidStretch(run: NumberRun, region: CountryCode): PhoneCandidate | null {
  const n = run.phrases.length;
  for (let a = 1; a < n; a++) {
    const slice = run.phrases.slice(a);
    const digits = slice.map((p) => p.digits).join('');
    if (digits.length < MIN_DIGITS || digits.length > MAX_DIGITS) continue;
    const e164 = validE164(digits, false, region);
    const first = slice[0];
    const last = slice[slice.length - 1];
    if (e164 && first && last) return { e164, from: first.from, to: last.to, partial: true };
  }
  return null;
}

/** True when the text contains the phone number `e164` (said, typed or written in any grouping). */
export function textSupportsPhone(text: string, e164: string, opts: PhoneOptions = {}): boolean {
  const region = toRegion(opts.defaultRegion);
  if (!region) return false;
  const target = parsePhoneNumberFromString(e164, region);
  if (!target || !target.isValid()) return false;
  const runs = readNumberRuns(tokenize(text));
  for (const run of runs) {
    for (const digits of runReadings(run).slice(1)) {
      if (validE164(digits, run.plus, region) === target.number) return true;
    }
    const n = run.phrases.length;
    for (let a = 0; a < n; a++) {
      let digits = '';
      for (let b = a; b < n; b++) {
        digits += run.phrases[b]?.digits ?? '';
        if (digits.length > MAX_DIGITS) break;
        if (validE164(digits, a === 0 && run.plus, region) === target.number) return true;
        // A number said with its country code but without "plus" ("deux cent soixante et un trente-deux…").
        if (validE164(digits, true, region) === target.number) return true;
      }
    }
  }
  return false;
}

/**
 * Read-back form of an E.164 number, grouped as a French speaker reads it: a French number in its national form
 * ("+33612345678" → "06 12 34 56 78"), a Malagasy one as "plus 261 32 12 34 567", any other as its international
 * form with "plus" spelled out. Something that is not a phone number is returned with its digits unchanged.
 */
export function speakPhone(e164: string): string {
  const p = parsePhoneNumberFromString(e164.trim(), 'FR');
  if (!p) return e164.trim().replace(/^\+/, 'plus ');
  if (p.countryCallingCode === '33' && p.country === 'FR') return p.formatNational();
  const nsn = p.nationalNumber;
  if (p.countryCallingCode === '261' && nsn.length === 9) {
    return `plus 261 ${nsn.slice(0, 2)} ${nsn.slice(2, 4)} ${nsn.slice(4, 6)} ${nsn.slice(6)}`;
  }
  return p.formatInternational().replace(/^\+/, 'plus ');
}
