/**
 * Collect mode `otp`: exactly `length` digits, keyed or said ("un deux trois quatre cinq six",
 * "douze trente-quatre cinquante-six"). Stored as a digit string (leading zeros kept).
 */
import { parseSpokenDigits } from '../../../lib/french/numbers';
import type { CollectParser } from './types';

const DEFAULT_LENGTH = 6;

export const collectOtp: CollectParser = (text, source, ctx) => {
  const length = ctx.length ?? DEFAULT_LENGTH;
  const digits = source === 'dtmf' ? text : parseSpokenDigits(text);
  if (digits === null || !/^\d+$/.test(digits)) return { ok: false, reason: 'no_digits' };
  if (digits.length < length) return { ok: false, reason: 'too_short' };
  if (digits.length > length) return { ok: false, reason: 'too_long' };
  return { ok: true, value: digits };
};
