/**
 * Collect mode `free_speech_or_no`: whatever the caller says, or null when the answer is "non".
 *
 * TEMPORARY: lib/french/yesno.ts (isNo, written by another engineer) has not landed yet. `temporaryIsNo` below
 * has the agreed signature and minimal scope; switch the import to lib/french/yesno and delete it then.
 */
import { normalizeText } from '../../../lib/french/normalize';
import type { CollectParser } from './types';

const NO_PHRASES = ['non', 'non merci', 'rien', 'pas de commentaire', 'aucun commentaire', 'je refuse', 'non rien', 'c est tout', 'ca ira'];

export function temporaryIsNo(text: string): boolean {
  const n = normalizeText(text);
  return NO_PHRASES.includes(n) || (n.startsWith('non ') && n.split(' ').length <= 3);
}

export const collectFreeSpeechOrNo: CollectParser = (text, source) => {
  if (source === 'dtmf') return { ok: false, reason: 'dtmf_not_speech' };
  const said = text.replace(/\s+/g, ' ').trim();
  if (normalizeText(said) === '') return { ok: false, reason: 'empty' };
  if (temporaryIsNo(said)) return { ok: true, value: null };
  return { ok: true, value: said };
};
