import { findEmailsInText, isValidEmail, parseSpokenEmail, speakEmail, textSupportsEmail } from '../../lib/french/email';

describe('parseSpokenEmail', () => {
  it.each([
    ['lina arobase exemple point com', 'lina@exemple.com'],
    ['mon email lina@exemple.com, mon téléphone', 'lina@exemple.com'],
    ["mon email c'est jean point dupont arobase orange point fr merci", 'jean.dupont@orange.fr'],
    ['thomas tiret bas roux arobase hotmail point com', 'thomas_roux@hotmail.com'],
    ['thomas tiret du bas roux arobase hotmail point com', 'thomas_roux@hotmail.com'],
    ['olivier underscore marchand arobase free point fr', 'olivier_marchand@free.fr'],
    ['jean tiret pierre arobase free point fr', 'jean-pierre@free.fr'],
    ['sarah point cohen at gmail point com', 'sarah.cohen@gmail.com'],
    ['l i n a soixante-quinze arobase gmail point com', 'lina75@gmail.com'],
    ['h comme Hélène, e, r, y arobase yahoo point fr', 'hery@yahoo.fr'],
    ['valerie arobase cabinet tiret noel point fr', 'valerie@cabinet-noel.fr'],
    ['contact@cabinet-soins.fr.', 'contact@cabinet-soins.fr'],
    ['claire.petit@gmail.com, non pardon, claire.petit@yahoo.fr.', 'claire.petit@yahoo.fr'],
    ['Lina.R@Exemple.COM', 'lina.r@exemple.com'],
  ])('%j → %s', (input, email) => {
    expect(parseSpokenEmail(input)).toBe(email);
  });

  it.each([
    // Spelled letter by letter, as the caller does when a word is not understood
    ['m, a, r, c, arobase, g, m, a, i, l, point, com', 'marc@gmail.com'],
    ['m a r c arobase g m a i l point com', 'marc@gmail.com'],
    ['M, A, R, C, arobase, G, M, A, I, L, point com.', 'marc@gmail.com'],
    ['M-A-R-C arobase gmail point com', 'marc@gmail.com'],
    ['M. A. R. C. arobase gmail point com', 'marc@gmail.com'],
    ['m comme Marcel, a comme Anatole, r comme Raoul, c comme Célestin, arobase gmail point com', 'marc@gmail.com'],
    [
      'm comme Marcel, a comme Anatole, r comme Raoul, c comme Célestin, arobase, g comme Gaston, m comme Marcel, a comme Anatole, i comme Irma, l comme Louis, point, com',
      'marc@gmail.com',
    ],
    ['e comme Eugène, v comme Victor, a, arobase yahoo point fr', 'eva@yahoo.fr'],
    ['double v a t t arobase free point fr', 'watt@free.fr'],
    ['i grec v e s arobase free point fr', 'yves@free.fr'],
    // Words and letters mixed; a spelled top-level domain
    ['jean point dupont arobase orange point f r', 'jean.dupont@orange.fr'],
    ['jean point dupont arobase orange point f r à bientôt', 'jean.dupont@orange.fr'],
    ['marc arobase gmail point c o m', 'marc@gmail.com'],
    // Separators: the keys of a French keyboard, "underscore", "chez" before a mail provider
    ['jean tiret du huit dupont arobase free point fr', 'jean_dupont@free.fr'],
    ['jean tiret du six dupont arobase free point fr', 'jean-dupont@free.fr'],
    ['marc underscore petit arobase laposte point net', 'marc_petit@laposte.net'],
    ['marc chez gmail point com', 'marc@gmail.com'],
  ])('spelled %j → %s', (input, email) => {
    expect(parseSpokenEmail(input)).toBe(email);
  });

  it('a spelled address is read back before use', () => {
    for (const text of ['m, a, r, c, arobase, g, m, a, i, l, point, com', 'marc arobase gmail point c o m', 'marc chez gmail point com']) {
      expect({ text, uncertain: findEmailsInText(text)[0]?.uncertain }).toEqual({ text, uncertain: true });
    }
  });

  it.each([
    [''],
    ['je travaille chez orange point com'],
    ['je suis chez free point fr'],
    ['arobase gmail point com'],
    ['lina arobase exemple'],
    ['andre arobase, euh, je ne sais plus'],
    ['rendez-vous at the point'],
    ['lina@exemple'],
    ['je suis à la maison'],
  ])('no address in %j', (input) => {
    expect(parseSpokenEmail(input)).toBeNull();
  });

  it('flags guesses: glued words, spelled letters, "at"', () => {
    const glued = findEmailsInText("mon adresse c'est marie dupont arobase gmail point com");
    expect(glued.map((c) => [c.email, c.uncertain])).toEqual([['mariedupont@gmail.com', true]]);
    expect(findEmailsInText('l i n a arobase gmail point com')[0]?.uncertain).toBe(true);
    expect(findEmailsInText('lina at gmail point com')[0]?.uncertain).toBe(true);
    expect(findEmailsInText('lina@gmail.com')[0]).toMatchObject({ written: true, uncertain: false });
    expect(findEmailsInText('lina point r arobase gmail point com')[0]).toMatchObject({ written: false, uncertain: false });
  });
});

describe('isValidEmail', () => {
  it('accepts ordinary addresses and rejects malformed ones', () => {
    expect(isValidEmail('lina@exemple.com')).toBe(true);
    expect(isValidEmail('a.b-c_d@sub.domaine.fr')).toBe(true);
    expect(isValidEmail('lina@exemple')).toBe(false);
    expect(isValidEmail('lina@@exemple.com')).toBe(false);
    expect(isValidEmail('lina@exemple.c0m')).toBe(false);
    expect(isValidEmail('')).toBe(false);
  });
});

describe('textSupportsEmail', () => {
  it('accepts the address read from the text, and another reading of the same dictation', () => {
    expect(textSupportsEmail('lina arobase exemple point com', 'lina@exemple.com')).toBe(true);
    expect(textSupportsEmail('marie dupont arobase gmail point com', 'marie.dupont@gmail.com')).toBe(true);
  });
  it('rejects an address the text does not contain', () => {
    expect(textSupportsEmail('marie dupont arobase gmail point com', 'marie.dupont@yahoo.com')).toBe(false);
    expect(textSupportsEmail('marie dupont arobase gmail point com', 'marie.dupont@gmail.fr')).toBe(false);
    expect(textSupportsEmail("je m'appelle Marie Dupont", 'marie.dupont@gmail.com')).toBe(false);
    expect(textSupportsEmail('', 'a@b.fr')).toBe(false);
    expect(textSupportsEmail('lina arobase exemple point com', 'pas une adresse')).toBe(false);
  });
});

describe('speakEmail', () => {
  it.each([
    ['lina@exemple.com', 'lina arobase exemple point com'],
    ['jean-pierre_m.x@free.fr', 'jean tiret pierre tiret du bas m point x arobase free point fr'],
    ['Lina@Exemple.com', 'lina arobase exemple point com'],
  ])('%s → %j', (email, spoken) => {
    expect(speakEmail(email)).toBe(spoken);
  });

  it('round-trips through the parser', () => {
    for (const e of ['lina@exemple.com', 'jean-pierre_m.x@free.fr', 'a.b@c-d.co.uk']) {
      expect(parseSpokenEmail(speakEmail(e))).toBe(e);
    }
  });
});
