/**
 * The consent-wording registry. The consent logs store a version with its hash (portal) or its text (CRM): a text
 * once published must never change, so every text's SHA-256 is pinned here, as computed from the texts the logs
 * already hold. A new version adds a line below; an edited one fails.
 */
import {
  CONSENT_WORDINGS, CRM_CONSENT_WORDINGS, DEFAULT_CRM_WORDING_VERSION, DEFAULT_PORTAL_WORDING_VERSION, PORTAL_CONSENT_WORDINGS,
  SPOKEN_WORDING_VERSION, wordingHash, wordingText,
} from '../../lib/consent/wordings';
import { requestConsents } from '../../lib/crm/consents';
import { consentSchema, voiceFormSchema } from '../../api/crm/schemas';

const PINNED: Record<string, string | Record<string, string>> = {
  v1: 'ba22a07dd02426d18dc1227781a00f0ef7255eb90b3340d59f5ff8f10d302394',
  'crm-contact-v1': {
    whatsapp: '480e1e0b5b1dd1721d828347d6bf49716725c330d9a9b1bd2af8c3102f7c59ec',
    sms: '0262cfde7c216b5035b0993a3142bee287226633edbc1e9b1215d0a18281a227',
  },
};

describe('consent wordings: one registry', () => {
  test('every published text keeps its hash', () => {
    expect(wordingHash('v1')).toBe(PINNED.v1);
    for (const [channel, hash] of Object.entries(PINNED['crm-contact-v1'] as Record<string, string>)) {
      expect(wordingHash('crm-contact-v1', channel as 'whatsapp' | 'sms')).toBe(hash);
    }
  });

  test('every version with a fixed text is pinned (a new version adds its hash to this test)', () => {
    const withText = Object.entries(CONSENT_WORDINGS).filter(([, w]) => w.kind !== 'own_words').map(([v]) => v);
    expect(withText.sort()).toEqual(Object.keys(PINNED).sort());
  });

  test('the portal and the CRM see their own versions, with purpose and texts', () => {
    expect(Object.keys(PORTAL_CONSENT_WORDINGS)).toEqual(['v1']);
    expect(PORTAL_CONSENT_WORDINGS[DEFAULT_PORTAL_WORDING_VERSION]).toEqual({ purpose: 'appointment_management', text: wordingText('v1') });
    expect(Object.keys(CRM_CONSENT_WORDINGS)).toEqual(['crm-contact-v1']);
    expect(CRM_CONSENT_WORDINGS[DEFAULT_CRM_WORDING_VERSION]!.sms).toBe(wordingText('crm-contact-v1', 'sms'));
    expect(CONSENT_WORDINGS[SPOKEN_WORDING_VERSION]).toEqual({ kind: 'own_words', purpose: 'care_contact' });
    // the person's sentence is the text: no fixed text, no hash
    expect(wordingHash(SPOKEN_WORDING_VERSION, 'sms')).toBeNull();
    // a per-channel wording has no text without its channel
    expect(wordingHash('crm-contact-v1')).toBeNull();
  });

  test('a request consent carries the text of the version it names', () => {
    expect(requestConsents({ whatsapp: true, sms: false }, 'crm-contact-v1')).toEqual([
      { channel: 'whatsapp', granted: true, source: 'request', wording: wordingText('crm-contact-v1', 'whatsapp'), wording_version: 'crm-contact-v1' },
      { channel: 'sms', granted: false, source: 'request', wording: wordingText('crm-contact-v1', 'sms'), wording_version: 'crm-contact-v1' },
    ]);
    // another purpose's version, or the spoken one, names no request wording
    expect(() => requestConsents({ sms: true }, 'v1')).toThrow(/unknown CRM consent wording version 'v1'; known: crm-contact-v1/);
    expect(() => requestConsents({ sms: true }, SPOKEN_WORDING_VERSION)).toThrow(/unknown CRM consent wording version/);
  });

  test('names inherited by plain objects are not versions', () => {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(name in CONSENT_WORDINGS).toBe(false);
      expect(name in PORTAL_CONSENT_WORDINGS).toBe(false);
      expect(name in CRM_CONSENT_WORDINGS).toBe(false);
      expect(wordingHash(name)).toBeNull();
      expect(() => requestConsents({ sms: true }, name)).toThrow(/unknown CRM consent wording version/);
      expect(consentSchema.safeParse({ sms: true, wording_version: name }).success).toBe(false);
      expect(voiceFormSchema.safeParse({ consent_wording_version: name }).success).toBe(false);
    }
  });
});
