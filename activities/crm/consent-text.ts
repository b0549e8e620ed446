/**
 * Consent to be contacted by WhatsApp or SMS: the versioned wordings a request may name, and the reading of a
 * consent said during a dictation ("j'accepte d'être contacté par WhatsApp", "pas de SMS s'il vous plaît").
 * A channel merely named ("mon numéro WhatsApp") is not a consent: a clause needs an accept or refuse cue.
 * Pure: no I/O.
 */
import { parseSpokenConsents, type SpokenConsent, type SpokenConsentChannel } from '../../lib/french/consent';
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

/** The channels this capture records; the parser also reads e-mail and call consents, which it has no field for. */
const CRM_CHANNELS: readonly ConsentChannel[] = ['whatsapp', 'sms'];
const isCrmChannel = (c: SpokenConsentChannel): c is ConsentChannel => (CRM_CHANNELS as readonly string[]).includes(c);

/**
 * Consents said in a transcript, one per channel, each with the clause that supports it (lib/french/consent.ts:
 * per-channel scope, "mais pas de SMS", "tout sauf…", negations; the last statement about a channel wins).
 */
export function detectSpokenConsents(transcript: string): ConsentStatement[] {
  return parseSpokenConsents(transcript)
    .filter((c): c is SpokenConsent & { channel: ConsentChannel } => isCrmChannel(c.channel))
    .map((c) => ({ channel: c.channel, granted: c.granted, source: 'speech', wording: c.clause, wording_version: SPOKEN_WORDING_VERSION }));
}

/** Consents sent explicitly with a request, with the text of the wording version they name. */
export function requestConsents(given: Partial<Record<ConsentChannel, boolean>>, version: string): ConsentStatement[] {
  const wording = CRM_CONSENT_WORDINGS[version];
  if (!wording) throw new Error(`unknown consent wording version '${version}'; known: ${Object.keys(CRM_CONSENT_WORDINGS).join(', ')}`);
  return (Object.keys(wording) as ConsentChannel[])
    .filter((c) => typeof given[c] === 'boolean')
    .map((channel) => ({ channel, granted: given[channel] === true, source: 'request', wording: wording[channel], wording_version: version }));
}
