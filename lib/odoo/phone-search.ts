/**
 * Finding a partner by phone on every kind of Odoo server. `phone_sanitized` is E.164 only where the Python
 * `phonenumbers` library is installed (else it holds the text as typed), and `phone_mobile_search` strips
 * separators but does not translate "+33 6…" into "06…". So the domain searches every spelling a number may
 * be stored in, and `phoneMatches` confirms candidates in the project (a national substring can over-match).
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { z } from 'zod';

const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number such as +33612345678');

/** The spellings of one number: E.164, national digits, national and international with spaces, 00 prefix. */
export function phoneSpellings(e164: string): string[] {
  const n = E164.parse(e164);
  const parsed = parsePhoneNumberFromString(n);
  const out = new Set<string>([n, `00${n.slice(1)}`]);
  if (parsed) {
    const national = parsed.formatNational();
    out.add(national);
    out.add(national.replace(/\D/g, ''));
    out.add(parsed.formatInternational());
  }
  return [...out];
}

/**
 * The res.partner domain that finds this number on servers with or without `phonenumbers`, with or without
 * `mobile` (gone in 19) and `phone_mobile_search`: pass the partner fields from `client.fields('res.partner')`.
 */
export function partnerPhoneDomain(e164: string, fields: Record<string, unknown>): unknown[] {
  const spellings = phoneSpellings(e164);
  const terms: unknown[][] = [];
  if (fields.phone_sanitized) terms.push(['phone_sanitized', '=', e164]);
  if (fields.phone_mobile_search) {
    terms.push(['phone_mobile_search', 'ilike', e164]);
    const digits = spellings.find((s) => /^0[1-9]\d+$/.test(s));
    if (digits) terms.push(['phone_mobile_search', 'ilike', digits]);
  }
  for (const f of ['phone', 'mobile']) {
    if (!fields[f]) continue;
    for (const s of spellings) terms.push([f, 'ilike', s]);
  }
  if (terms.length === 0) throw new Error('partnerPhoneDomain: res.partner has none of phone_sanitized, phone_mobile_search, phone, mobile');
  return [...Array(terms.length - 1).fill('|'), ...terms];
}

/** Whether a stored phone text is this E.164 number (read in the number's own country when national). */
export function phoneMatches(stored: unknown, e164: string): boolean {
  if (typeof stored !== 'string' || stored.trim() === '') return false;
  const target = parsePhoneNumberFromString(E164.parse(e164));
  const parsed = parsePhoneNumberFromString(stored, { defaultCountry: target?.country, defaultCallingCode: target?.countryCallingCode });
  return parsed?.number === e164;
}
