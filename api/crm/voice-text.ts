/** The French sentences the CRM routes answer with: the contact read-back and the spoken list of contacts. */
import { speakEmail } from '../../lib/french/email';
import { speakPhone } from '../../lib/french/phone';
import { fullName } from '../../lib/crm/mapping';
import type { ContactDraft } from '../../lib/crm/types';

/**
 * "J'ai noté Lina Andrianina, lina arobase exemple point com, plus 261 32 12 34 567." The machine adds its own
 * question after it ("{{resp.readback}} C'est correct ?"), so the question is answered apart (readbackQuestion).
 */
export function readback(c: ContactDraft): string {
  const parts = [
    fullName(c) ?? "un nom que je n'ai pas compris",
    c.email ? speakEmail(c.email) : "pas d'email",
    c.phone ? speakPhone(c.phone) : 'pas de téléphone',
  ];
  return `J'ai noté ${parts.join(', ')}.`;
}

/**
 * Each field on its own, for a confirmation that offers one key per field: "Nom : Lina Andrianina. Email : lina
 * arobase exemple point com. Téléphone : plus 261 32 12 34 567." A phone taken from the call says so.
 */
export function readbackFields(c: ContactDraft, opts: { phoneFromCaller?: boolean } = {}): string {
  const phone = c.phone ? `${opts.phoneFromCaller ? 'le numéro de cet appel, ' : ''}${speakPhone(c.phone)}` : 'aucun';
  return [
    `Nom : ${fullName(c) ?? 'non compris'}.`,
    `Email : ${c.email ? speakEmail(c.email) : 'aucun'}.`,
    `Téléphone : ${phone}.`,
  ].join(' ');
}

export function readbackQuestion(c: ContactDraft): string {
  return `${readback(c)} C'est correct ?`;
}

export interface ListedContact {
  id: number;
  name: string;
  email: string | null;
  phone: string | null;
}

/** "Lina Andrianina, plus 261 32 12 34 567 ; Jean Morel, jean arobase exemple point com." (newest first) */
export function summaryVoice(contacts: readonly ListedContact[]): string {
  if (contacts.length === 0) return "Il n'y a encore aucun contact.";
  const items = contacts.map((c) => {
    const reach = c.phone ? speakPhone(c.phone) : c.email ? speakEmail(c.email) : null;
    return reach ? `${c.name}, ${reach}` : c.name;
  });
  return `${items.join(' ; ')}.`;
}
