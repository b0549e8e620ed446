/**
 * Consent to be contacted by WhatsApp or SMS: the versioned wordings a request may name, and the reading of a
 * consent said during a dictation ("j'accepte d'être contacté par WhatsApp", "pas de SMS s'il vous plaît").
 * A channel merely named ("mon numéro WhatsApp") is not a consent: a clause needs an accept or refuse cue.
 * Pure: no I/O.
 */
import { containsWords, normalizeText } from '../../lib/french/normalize';
import type { ConsentChannel, ConsentStatement } from './types';

/** Versioned texts; add a version, never edit one (the log names the version the person accepted). */
export const CRM_CONSENT_WORDINGS: Readonly<Record<string, Readonly<Record<ConsentChannel, string>>>> = {
  'crm-contact-v1': {
    whatsapp: "J'accepte d'être contacté(e) par WhatsApp par le cabinet au sujet de mes soins et rendez-vous.",
    sms: "J'accepte d'être contacté(e) par SMS par le cabinet au sujet de mes soins et rendez-vous.",
  },
};
export const DEFAULT_CRM_WORDING_VERSION = 'crm-contact-v1';
/** The version recorded for a consent the person said in their own words (the wording is their sentence). */
export const SPOKEN_WORDING_VERSION = 'spoken';

const CHANNEL_WORDS: Record<ConsentChannel, string[]> = {
  whatsapp: ['whatsapp', 'whats app', 'watsap', 'wattsapp', 'what s app'],
  sms: ['sms', 's m s', 'texto', 'textos', 'par message', 'par messages'],
};
const GRANT = ['j accepte', 'accepte', 'je suis d accord', 'd accord pour', 'j autorise', 'vous pouvez me contacter', 'vous pouvez m ecrire',
  'ok pour', 'je veux bien', 'je consens', 'je donne mon accord', 'oui pour'];
const REFUSE = ['je n accepte pas', 'n accepte pas', 'je refuse', 'pas de', 'pas par', 'je ne veux pas', 'ne me contactez pas', 'jamais par', 'non pour'];

function hasAny(norm: string, phrases: readonly string[]): boolean {
  return phrases.some((p) => containsWords(norm, p));
}

/** Consents said in a transcript, one per channel (the last clause about a channel wins, like a self-correction). */
export function detectSpokenConsents(transcript: string): ConsentStatement[] {
  const byChannel = new Map<ConsentChannel, ConsentStatement>();
  for (const clause of transcript.split(/[.;!?\n]+/)) {
    const norm = normalizeText(clause);
    if (norm === '') continue;
    const channels = (Object.keys(CHANNEL_WORDS) as ConsentChannel[]).filter((c) => hasAny(norm, CHANNEL_WORDS[c]));
    if (channels.length === 0) continue;
    const refused = hasAny(norm, REFUSE);
    const granted = !refused && hasAny(norm, GRANT);
    if (!refused && !granted) continue;
    for (const channel of channels) {
      byChannel.set(channel, { channel, granted, source: 'speech', wording: clause.trim(), wording_version: SPOKEN_WORDING_VERSION });
    }
  }
  return [...byChannel.values()];
}

/** Consents sent explicitly with a request, with the text of the wording version they name. */
export function requestConsents(given: Partial<Record<ConsentChannel, boolean>>, version: string): ConsentStatement[] {
  const wording = CRM_CONSENT_WORDINGS[version];
  if (!wording) throw new Error(`unknown consent wording version '${version}'; known: ${Object.keys(CRM_CONSENT_WORDINGS).join(', ')}`);
  return (Object.keys(wording) as ConsentChannel[])
    .filter((c) => typeof given[c] === 'boolean')
    .map((channel) => ({ channel, granted: given[channel] === true, source: 'request', wording: wording[channel], wording_version: version }));
}
