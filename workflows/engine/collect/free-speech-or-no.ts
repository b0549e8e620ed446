/**
 * Collect mode `free_speech_or_no`: whatever the caller says, or null when the answer is "non" / "rien".
 * Only a short answer counts as a refusal: a real comment that happens to contain "non" ("non, je préfère qu'on me
 * rappelle le matin") is kept.
 */
import { normalizeText, words } from '../../../lib/french/normalize';
import { isNo } from '../../../lib/french/yesno';
import type { CollectParser } from './types';

const MAX_REFUSAL_WORDS = 4;
/** "Nothing to add" answers that are not a yes/no. */
const NOTHING = ['rien', 'pas de commentaire', 'aucun commentaire', 'rien a ajouter', 'non rien', 'c est tout', 'ca ira'];

export function isRefusal(text: string): boolean {
  const n = normalizeText(text);
  if (NOTHING.includes(n)) return true;
  return words(n).length <= MAX_REFUSAL_WORDS && isNo(text);
}

export const collectFreeSpeechOrNo: CollectParser = (text, source) => {
  if (source === 'dtmf') return { ok: false, reason: 'dtmf_not_speech' };
  const said = text.replace(/\s+/g, ' ').trim();
  if (normalizeText(said) === '') return { ok: false, reason: 'empty' };
  if (isRefusal(said)) return { ok: true, value: null };
  return { ok: true, value: said };
};
