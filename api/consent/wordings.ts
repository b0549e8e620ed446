/**
 * The consent texts people are asked to accept, by version. The consent log stores the version and the SHA-256 of
 * its text, so the exact wording accepted can be proven later (RGPD art. 7(1)). Add a version; never edit one.
 */
import crypto from 'node:crypto';

export const CONSENT_WORDINGS: Readonly<Record<string, { purpose: string; text: string }>> = {
  v1: {
    purpose: 'appointment_management',
    text: "Pour gérer vos rendez-vous, acceptez-vous l'utilisation minimale de vos données ?",
  },
};

export const DEFAULT_WORDING_VERSION = 'v1';

export function wordingHash(version: string): string | null {
  const w = CONSENT_WORDINGS[version];
  return w ? crypto.createHash('sha256').update(w.text, 'utf8').digest('hex') : null;
}
