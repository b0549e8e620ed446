/**
 * Adversarial inputs built from a fixed seed: random mixes of number words, digits, e-mail words, names, cues,
 * hesitations and punctuation. No parser may throw, and the contact parser may only return a phone or an e-mail
 * that the same text supports (the property that stops invented contact data).
 */
import { extractContact, supportsEmail, supportsPhone } from '../../lib/french/contact';
import { parseSpokenConsents, SPOKEN_CONSENT_CHANNELS } from '../../lib/french/consent';
import { parseDateWindow } from '../../lib/french/dates';
import { parseSpokenEmail } from '../../lib/french/email';
import { parseSpokenDigits, wordsToNumber } from '../../lib/french/numbers';
import { parsePhone } from '../../lib/french/phone';
import { yesNo } from '../../lib/french/yesno';

const VOCAB = [
  'zéro', 'un', 'deux', 'six', 'sept', 'dix', 'douze', 'vingt', 'et', 'trente-quatre', 'soixante', 'soixante-dix-huit',
  'quatre-vingt', 'quatre-vingts', 'cent', 'cents', 'mille', 'double', 'plus', '+', '06', '12', '261', '33', '00',
  'arobase', 'at', '@', 'point', '.', 'tiret', 'bas', 'underscore', 'gmail', 'com', 'fr', 'lina', 'Lina',
  'Andrianina', 'de', 'la', 'Fontaine', "je m'appelle", "c'est", 'ici', 'moi', 'non', 'pardon', 'plutôt', 'euh',
  'bah', ',', '…', 'oui', 'lundi', 'prochain', 'mars', 'le', 'premier', 'semaine', 'fin', 'début', 'du', 'mois',
  'comme', 'h', 'e', 'r', 'y', 'nonante', 'Ben', 'mon', 'numéro', 'email', '', ' ', '-', "'", 'É', 'ß', '🙂',
  // whole contact fragments, so that the property below is exercised on real values mixed with noise
  '06 12 34 56 78', 'zéro six douze trente-quatre cinquante-six soixante-dix-huit', '+261 32 12 34 567',
  'lina arobase gmail point com', 'lina@exemple.com', 'jean point dupont at free point fr',
];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const random = rng(20261121);
const texts: string[] = Array.from({ length: 400 }, () => {
  const n = Math.floor(random() * 25);
  return Array.from({ length: n }, () => VOCAB[Math.floor(random() * VOCAB.length)] ?? '').join(random() < 0.8 ? ' ' : '');
});

test('no parser throws on random French-like input', () => {
  for (const t of texts) {
    expect(() => {
      parseSpokenDigits(t);
      wordsToNumber(t);
      parsePhone(t);
      parsePhone(t, { defaultRegion: 'MG' });
      parseSpokenEmail(t);
      yesNo(t);
      parseDateWindow(t, '2026-11-18T10:00:00+01:00', 'Europe/Paris');
      extractContact(t);
    }).not.toThrow();
  }
});

test('every phone and e-mail the contact parser returns is supported by the text', () => {
  let phones = 0;
  let emails = 0;
  for (const t of texts) {
    const r = extractContact(t);
    if (r.phone !== null) {
      phones++;
      expect({ t, ok: supportsPhone(t, r.phone) }).toEqual({ t, ok: true });
      expect(r.phone).toMatch(/^\+[1-9]\d{6,14}$/);
    }
    if (r.email !== null) {
      emails++;
      expect({ t, ok: supportsEmail(t, r.email) }).toEqual({ t, ok: true });
    }
  }
  // The generator must produce contact data, or this test proves nothing.
  expect(phones).toBeGreaterThan(20);
  expect(emails).toBeGreaterThan(20);
});

/** Spelling, grouping and consent words, in their own seeded texts (the texts above stay as they were). */
const SPELLING_VOCAB = [
  'm', 'a', 'r', 'c', 'g', 'i', 'l', 'f', 'o', 'comme', 'Marcel', 'Anatole', 'double', 'v', 'grec', 'chez', 'gmail',
  'orange', 'point', 'arobase', 'tiret', 'du', 'huit', 'six', 'underscore', 'M-A-R-C', 'M.', 'A.', ',', '.', 'cent',
  'cents', 'deux', 'cinq', 'soixante', 'et', 'un', 'zéro', 'trente-quatre', 'vingt-trois', 'plus', 'SMS', 'WhatsApp',
  'email', 'téléphone', "m'appeler", 'mais', 'pas', 'de', 'sauf', 'tout', 'non', 'merci', 'oui', 'pour', 'ni',
  'plutôt', 'que', 'je', 'ne', 'veux', "j'accepte", 'problème', 'les deux', 'pardon', '',
  // whole fragments, so that the properties are exercised on real values mixed with noise
  'm, a, r, c, arobase, g, m, a, i, l, point, com', 'm comme Marcel, a comme Anatole arobase orange point f r',
  'marc chez gmail point com', 'jean tiret du huit petit arobase free point fr',
  'zéro trente-quatre zéro cinq cent vingt-trois quarante-cinq', 'plus deux cents soixante et un trente-deux douze trente-quatre cinq cent soixante-sept',
];
const random2 = rng(20261202);
const texts2: string[] = Array.from({ length: 400 }, () => {
  const n = Math.floor(random2() * 25);
  return Array.from({ length: n }, () => SPELLING_VOCAB[Math.floor(random2() * SPELLING_VOCAB.length)] ?? '').join(random2() < 0.85 ? ' ' : ', ');
});

test('spellings, groupings and consents: no parser throws, contacts stay supported, clauses are slices of the text', () => {
  let emails = 0;
  let consents = 0;
  for (const t of texts2) {
    const r = extractContact(t);
    if (r.phone !== null) expect({ t, ok: supportsPhone(t, r.phone) }).toEqual({ t, ok: true });
    if (r.email !== null) {
      emails++;
      expect({ t, ok: supportsEmail(t, r.email) }).toEqual({ t, ok: true });
    }
    for (const asked of [undefined, ['sms', 'whatsapp'] as const]) {
      const cs = parseSpokenConsents(t, asked ? { asked } : {});
      consents += cs.length;
      expect(new Set(cs.map((c) => c.channel)).size).toBe(cs.length);
      for (const c of cs) {
        expect(SPOKEN_CONSENT_CHANNELS).toContain(c.channel);
        expect({ t, clause: t.slice(c.start, c.end).trim() }).toEqual({ t, clause: c.clause });
        expect(c.clause.length).toBeGreaterThan(0);
      }
    }
  }
  expect(emails).toBeGreaterThan(5);
  expect(consents).toBeGreaterThan(50);
});
