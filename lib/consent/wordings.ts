/**
 * The one registry of consent wordings: every text a person is asked to accept, by version, with its purpose.
 * The portal's consent log stores the version and the SHA-256 of its text, the CRM's consent log the version and
 * the text, so the exact wording accepted can be proven later (RGPD art. 7(1)). Add a version; never edit one
 * (test/consent/wordings.test.ts pins each text's hash).
 * Pure: no I/O besides hashing.
 */
import crypto from 'node:crypto';

/** Channels a CRM capture records consent for (to be contacted by WhatsApp or SMS). */
export type ConsentChannel = 'whatsapp' | 'sms';
export const CONSENT_CHANNELS: readonly ConsentChannel[] = ['whatsapp', 'sms'];

/** What a consent is given for. */
export type ConsentPurpose = 'appointment_management' | 'care_contact';

export type ConsentWording =
  /** One text, whatever the channel it is collected on (the portal, a call). */
  | { kind: 'single'; purpose: ConsentPurpose; text: string }
  /** One text per channel the person may be contacted on. */
  | { kind: 'per_channel'; purpose: ConsentPurpose; texts: Readonly<Record<ConsentChannel, string>> }
  /** No fixed text: the person said the consent in their own words, and their sentence is what is recorded. */
  | { kind: 'own_words'; purpose: ConsentPurpose };

/** A lookup table without a prototype, so `'toString' in table` is false and names only real versions. */
function table<T>(entries: Iterable<readonly [string, T]>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, Object.fromEntries(entries)));
}

export const CONSENT_WORDINGS: Readonly<Record<string, ConsentWording>> = table<ConsentWording>(Object.entries({
  // portal: data use for managing appointments
  v1: {
    kind: 'single',
    purpose: 'appointment_management',
    text: "Pour gérer vos rendez-vous, acceptez-vous l'utilisation minimale de vos données ?",
  },
  // CRM capture: to be contacted about care and appointments, sent with a capture request
  'crm-contact-v1': {
    kind: 'per_channel',
    purpose: 'care_contact',
    texts: {
      whatsapp: "J'accepte d'être contacté(e) par WhatsApp par le cabinet au sujet de mes soins et rendez-vous.",
      sms: "J'accepte d'être contacté(e) par SMS par le cabinet au sujet de mes soins et rendez-vous.",
    },
  },
  // CRM capture: a consent said during the dictation
  spoken: { kind: 'own_words', purpose: 'care_contact' },
} satisfies Record<string, ConsentWording>));

/** The portal's wordings (one text each), by version: what PUT /portal/preferences accepts. */
export const PORTAL_CONSENT_WORDINGS: Readonly<Record<string, { purpose: ConsentPurpose; text: string }>> = table(
  Object.entries(CONSENT_WORDINGS).flatMap(([v, w]) => (w.kind === 'single' ? [[v, { purpose: w.purpose, text: w.text }] as const] : [])),
);
export const DEFAULT_PORTAL_WORDING_VERSION = 'v1';

/** The CRM capture's wordings a request may name (one text per channel), by version. */
export const CRM_CONSENT_WORDINGS: Readonly<Record<string, Readonly<Record<ConsentChannel, string>>>> = table(
  Object.entries(CONSENT_WORDINGS).flatMap(([v, w]) => (w.kind === 'per_channel' ? [[v, w.texts] as const] : [])),
);
export const DEFAULT_CRM_WORDING_VERSION = 'crm-contact-v1';
/** The version recorded for a consent the person said in their own words (the wording is their sentence). */
export const SPOKEN_WORDING_VERSION = 'spoken';

/**
 * The fixed text of a version (for a per-channel version, the channel's text); null for an unknown version, a
 * channel the version has no text for, or a version without a fixed text.
 */
export function wordingText(version: string, channel?: ConsentChannel): string | null {
  const w = CONSENT_WORDINGS[version];
  if (!w || w.kind === 'own_words') return null;
  if (w.kind === 'single') return w.text;
  return channel ? w.texts[channel] : null;
}

/** SHA-256 (hex) of a version's text, as the consent log stores it; null when wordingText is null. */
export function wordingHash(version: string, channel?: ConsentChannel): string | null {
  const text = wordingText(version, channel);
  return text === null ? null : crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}
