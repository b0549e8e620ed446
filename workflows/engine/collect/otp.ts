/**
 * Collect mode `otp`: exactly `length` digits, keyed or said ("un deux trois quatre cinq six",
 * "douze trente-quatre cinquante-six"). Stored as a digit string (leading zeros kept).
 *
 * A code the channel sealed (`sealed:v1:…`, the portal does so, see lib/secrets/seal.ts) is taken as it is: only
 * the backend activity can open it, and the backend checks the digits (a wrong code is its 4xx, the machine's
 * on_fail). The collected code is removed from ctx once the state's action is built (listening.ts), so it is not
 * workflow state after the verify call.
 */
import { parseSpokenDigits } from '../../../lib/french/numbers';
import { isSealedRef } from '../sealed';
import type { CollectParser } from './types';

const DEFAULT_LENGTH = 6;

export const collectOtp: CollectParser = (text, source, ctx) => {
  if (source === 'text' && isSealedRef(text.trim())) return { ok: true, value: text.trim() };
  const length = ctx.length ?? DEFAULT_LENGTH;
  const digits = source === 'dtmf' ? text : parseSpokenDigits(text);
  if (digits === null || !/^\d+$/.test(digits)) return { ok: false, reason: 'no_digits' };
  if (digits.length < length) return { ok: false, reason: 'too_short' };
  if (digits.length > length) return { ok: false, reason: 'too_long' };
  return { ok: true, value: digits };
};
