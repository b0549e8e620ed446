/**
 * The consents of a CRM capture: those said during a dictation ("j'accepte d'être contacté par WhatsApp", "pas de
 * SMS s'il vous plaît") and those sent explicitly with a request, naming a wording version of the registry
 * (lib/consent/wordings.ts). A channel merely named ("mon numéro WhatsApp") is not a consent: a clause needs an
 * accept or refuse cue. Pure: no I/O.
 */
import { parseSpokenConsents, type SpokenConsent, type SpokenConsentChannel } from '../french/consent';
import { CONSENT_CHANNELS, CRM_CONSENT_WORDINGS, SPOKEN_WORDING_VERSION, type ConsentChannel } from '../consent/wordings';
import type { ConsentStatement } from './types';

/** The parser also reads e-mail and call consents, which this capture has no field for. */
const isCrmChannel = (c: SpokenConsentChannel): c is ConsentChannel => (CONSENT_CHANNELS as readonly string[]).includes(c);

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
  if (!wording) {
    throw new Error(`unknown CRM consent wording version '${version}'; known: ${Object.keys(CRM_CONSENT_WORDINGS).join(', ')} (lib/consent/wordings.ts)`);
  }
  return CONSENT_CHANNELS
    .filter((c) => typeof given[c] === 'boolean')
    .map((channel) => ({ channel, granted: given[channel] === true, source: 'request', wording: wording[channel], wording_version: version }));
}
