/**
 * Where one-time codes and links may be sent. Each SMS costs money, and SMS pumping sends codes to numbers whose
 * operator shares the price (premium and shared-cost ranges, satellite and international networks, distant
 * countries). So a destination must be in one of the allowed countries (OTP_ALLOWED_COUNTRIES: France with its
 * overseas departments and territories, and Madagascar, by default) and of a type that can receive an SMS and is
 * not billed to us at a premium.
 */
import { parsePhoneNumberFromString, type NumberType } from 'libphonenumber-js/max';
import { ApiError } from '../errors';

/** Metropolitan France, its overseas departments and territories, and Madagascar (+261). */
export const DEFAULT_ALLOWED_COUNTRIES = ['FR', 'RE', 'YT', 'GP', 'MQ', 'GF', 'PM', 'BL', 'MF', 'WF', 'PF', 'NC', 'MG'] as const;

/** Types that can receive a text (a French landline reads it aloud); anything else, or an unknown range, is refused. */
const SENDABLE: ReadonlySet<NonNullable<NumberType>> = new Set(['MOBILE', 'FIXED_LINE_OR_MOBILE', 'FIXED_LINE']);

export function destinationNotAllowed(reason: 'international_network' | 'country_not_allowed' | 'number_type_not_allowed', message: string): ApiError {
  return new ApiError(422, 'destination_not_allowed', message, { reason });
}

/** Throws 422 destination_not_allowed unless a code or link may be sent to this E.164 number. */
export function checkMessageDestination(e164: string, allowedCountries: readonly string[]): void {
  const p = parsePhoneNumberFromString(e164);
  if (!p || !p.country) {
    // +881/+882/+883 (satellite and international networks) have no country.
    throw destinationNotAllowed('international_network', 'Codes and links are not sent to satellite or international-network numbers; give a mobile number of an allowed country, or ask for a human.');
  }
  if (!allowedCountries.includes(p.country)) {
    throw destinationNotAllowed('country_not_allowed', `Codes and links are sent only to numbers of ${allowedCountries.join(', ')} (OTP_ALLOWED_COUNTRIES); give such a number, or ask for a human.`);
  }
  const type = p.getType();
  if (!type || !SENDABLE.has(type)) {
    throw destinationNotAllowed('number_type_not_allowed', 'This number cannot receive a code (premium-rate, shared-cost, toll-free, VoIP or unknown range); give a mobile number, or ask for a human.');
  }
}
