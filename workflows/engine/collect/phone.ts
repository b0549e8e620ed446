/** Collect mode `phone`: a French (default) or Madagascan number, spoken, typed or keyed, stored as E.164. */
import { parsePhone } from '../../../lib/french/phone';
import type { CollectParser } from './types';

export const collectPhone: CollectParser = (text) => {
  const r = parsePhone(text, { defaultRegion: 'FR' });
  return r.ok ? { ok: true, value: r.e164 } : { ok: false, reason: r.reason };
};
