import { extractContact, supportsEmail, supportsPhone } from '../../lib/french/contact';

describe('extractContact', () => {
  it('reads seed 000’s dictation', () => {
    expect(
      extractContact("Je m'appelle Lina Andrianina, mon email lina@exemple.com, mon téléphone +261 32 12 34 567."),
    ).toEqual({ firstname: 'Lina', lastname: 'Andrianina', email: 'lina@exemple.com', phone: '+261321234567', needs_check: [] });
  });

  it.each([
    ["Je m'appelle Jean-Pierre, euh, Martin.", 'Jean-Pierre', 'Martin'],
    ['Mon nom est Paul Girard.', 'Paul', 'Girard'],
    ["Moi c'est Hery Rakotomalala.", 'Hery', 'Rakotomalala'],
    ['Bonjour, ici Marie Claire Dubois.', 'Marie Claire', 'Dubois'],
    ["C'est Andrianina Razafindrabe.", 'Andrianina', 'Razafindrabe'],
    ['je me nomme yann le goff', 'Yann', 'Le Goff'],
    ["Je m'appelle Jean de la Fontaine.", 'Jean', 'de la Fontaine'],
    ["Mon nom est Isabelle d'Almeida.", 'Isabelle', "d'Almeida"],
    ["je m'appelle anne-sophie martin-leroy", 'Anne-Sophie', 'Martin-Leroy'],
    ["Je m'appelle PIERRE DURAND.", 'Pierre', 'Durand'],
    ["je m'appelle euh heu bah Lina euh Andrianina", 'Lina', 'Andrianina'],
    ["Je m'appelle Jean Martin, non pardon, Jean Marton.", 'Jean', 'Marton'],
    ["Mon nom est Eric Rousseau, euh non, c'est Éric Rousselle.", 'Éric', 'Rousselle'],
    ["Je m'appelle Jeanne, non pardon, Jeannine Morel.", 'Jeannine', 'Morel'],
    ["Mon prénom est Fara et mon nom de famille est Razafindrabe.", 'Fara', 'Razafindrabe'],
    ['Nom de famille Rabemananjara, prénom Naina.', 'Naina', 'Rabemananjara'],
    ["C'est Madame Dupont.", null, 'Dupont'],
  ])('%j → %j %j', (text, firstname, lastname) => {
    const r = extractContact(text);
    expect([r.firstname, r.lastname]).toEqual([firstname, lastname]);
  });

  it.each([
    [''],
    ['euh… euh, bah, hum.'],
    ['Je voudrais un rendez-vous pour mardi.'],
    ["C'est pour un rendez-vous, c'est urgent."],
    ['Je suis ici pour prendre des nouvelles de ma mère.'],
    ['nonante-sept, septante'],
    ['Oui, non, peut-être.'],
  ])('reads nothing from %j', (text) => {
    expect(extractContact(text)).toEqual({ firstname: null, lastname: null, email: null, phone: null, needs_check: [] });
  });

  it('reads spoken phones and e-mails, keeps the last after a correction', () => {
    const r = extractContact(
      "Je suis Claire Petit, mon adresse c'est claire point petit arobase gmail point com, non pardon, claire.petit@yahoo.fr, et mon numéro zéro six douze trente-quatre cinquante-six soixante-dix-huit.",
    );
    expect(r).toMatchObject({ email: 'claire.petit@yahoo.fr', phone: '+33612345678' });
  });

  describe('dictations built for the phone', () => {
    it('a Malagasy mobile said in words, with pauses', () => {
      const text =
        "Je m'appelle Lina Andrianina, mon téléphone plus deux cent soixante et un, trente-deux, quarante-cinq, six cent soixante-dix-huit, quatre-vingt-dix.";
      for (const defaultRegion of ['FR', 'MG']) {
        expect(extractContact(text, { defaultRegion })).toEqual({ firstname: 'Lina', lastname: 'Andrianina', email: null, phone: '+261324567890', needs_check: [] });
      }
    });
    it('an e-mail spelled letter by letter, then the phone', () => {
      const r = extractContact(
        "Je m'appelle Marc Petit, mon email m, a, r, c, arobase, g, m, a, i, l, point, com, et mon téléphone zéro six douze trente-quatre cinquante-six soixante-dix-huit.",
      );
      expect(r).toEqual({ firstname: 'Marc', lastname: 'Petit', email: 'marc@gmail.com', phone: '+33612345678', needs_check: ['email'] });
    });
    it('"comme" spellings are not read as names', () => {
      const r = extractContact(
        "Moi c'est Marc Petit. Mon adresse : m comme Marcel, a comme Anatole, r comme Raoul, c comme Célestin, arobase, g comme Gaston, m comme Marcel, a comme Anatole, i comme Irma, l comme Louis, point com.",
      );
      expect(r).toEqual({ firstname: 'Marc', lastname: 'Petit', email: 'marc@gmail.com', phone: null, needs_check: ['email'] });
    });
    it('words and letters mixed, digits in groups', () => {
      const r = extractContact(
        "C'est Jean Dupont, jean point dupont arobase orange point f r, et le numéro zéro six, douze, trente-quatre, cinquante-six, soixante-dix-huit.",
      );
      expect(r).toEqual({ firstname: 'Jean', lastname: 'Dupont', email: 'jean.dupont@orange.fr', phone: '+33612345678', needs_check: ['email'] });
    });
    it('a number read in another grouping is read back', () => {
      const r = extractContact("Je m'appelle Tiana Razafimahefa, mon numéro zéro trente-quatre zéro cinq cent vingt-trois quarante-cinq.", { defaultRegion: 'MG' });
      expect(r).toMatchObject({ phone: '+261340512345', needs_check: ['phone'] });
    });
    it('"chez" before a mail provider, "tiret du huit"', () => {
      expect(extractContact("C'est Marc Petit, marc tiret du huit petit chez gmail point com.")).toMatchObject({
        firstname: 'Marc',
        lastname: 'Petit',
        email: 'marc_petit@gmail.com',
        needs_check: ['email'],
      });
      expect(extractContact("C'est Marc Petit, je travaille chez Orange point com.").email).toBeNull();
    });
  });

  it('uses the default region for national numbers', () => {
    const text = "Je m'appelle Tiana Razafimahefa, mon numéro c'est le 034 05 123 45.";
    expect(extractContact(text, { defaultRegion: 'MG' }).phone).toBe('+261340512345');
    // Read as a French number it is a (valid) French landline: the region decides, nothing else.
    expect(extractContact(text).phone).toBe('+33340512345');
  });

  it('does not read a house number, an age or a half phone as a phone', () => {
    expect(extractContact("Je m'appelle Roger Blanc, j'habite au 12 rue des Lilas, j'ai 74 ans.").phone).toBeNull();
    expect(extractContact("C'est Simone Faure, mon numéro c'est le 06 12 34, je ne sais plus.").phone).toBeNull();
    expect(extractContact("Je m'appelle André Lambert, mon email c'est andre arobase, euh, je ne sais plus.").email).toBeNull();
  });

  it('an e-mail does not swallow the name said before a comma', () => {
    const r = extractContact("C'est Julien Bertin, julien point bertin arobase free point fr.");
    expect(r).toMatchObject({ firstname: 'Julien', lastname: 'Bertin', email: 'julien.bertin@free.fr', needs_check: [] });
  });

  it('a name said again in full replaces the short one', () => {
    expect(extractContact("Je m'appelle Lucie. Lucie Mercier.")).toMatchObject({ firstname: 'Lucie', lastname: 'Mercier' });
  });

  it('does not take the words after "mon email c\'est" for a name', () => {
    const r = extractContact("Je m'appelle André Lambert, mon email c'est andre arobase, euh.");
    expect([r.firstname, r.lastname]).toEqual(['André', 'Lambert']);
  });

  describe('needs_check', () => {
    it('flags a name read without a cue', () => {
      const r = extractContact('Lina Andrianina, lina@exemple.com');
      expect(r).toMatchObject({ firstname: 'Lina', lastname: 'Andrianina' });
      expect(r.needs_check).toEqual(['firstname', 'lastname']);
    });
    it('flags a Malagasy family name said first', () => {
      const r = extractContact("Je m'appelle Rakotomalala Hery.");
      expect(r).toMatchObject({ firstname: 'Hery', lastname: 'Rakotomalala' });
      expect(r.needs_check).toEqual(['firstname', 'lastname']);
    });
    it('flags an e-mail with glued words or spelled letters, not a clearly dictated one', () => {
      expect(extractContact("mon adresse c'est marie dupont arobase gmail point com").needs_check).toEqual(['email']);
      expect(extractContact('mon email c’est l i n a arobase gmail point com').needs_check).toEqual(['email']);
      expect(extractContact('mon email c’est lina point r arobase gmail point com').needs_check).toEqual([]);
    });
    it('flags a phone taken out of a longer run of numbers', () => {
      const r = extractContact("C'est Marc Vidal, au 3 06 12 34 56 78");
      expect(r.phone).toBe('+33612345678');
      expect(r.needs_check).toEqual(['phone']);
    });
    it('never cuts digits said after a number: too many digits is no phone', () => {
      expect(extractContact("C'est Marc Vidal, au 06 12 34 56 78 91").phone).toBeNull();
      expect(extractContact('zéro six, douze, trente-quatre, cinquante-six, soixante-dix-huit, quatre-vingt-dix').phone).toBeNull();
    });
    it('a spelled name that differs from what was heard corrects it and is flagged', () => {
      const r = extractContact("Je m'appelle Fara Razafindrabe, R A Z A F I N D R A B E.");
      expect(r).toMatchObject({ lastname: 'Razafindrabe', needs_check: [] });
      const fixed = extractContact("Je m'appelle Fara Razafindrab, R A Z A F I N D R A B E.");
      expect(fixed).toMatchObject({ lastname: 'Razafindrabe', needs_check: ['lastname'] });
    });
  });
});

describe('supportsPhone / supportsEmail', () => {
  const text = "Je m'appelle Lina, mon numéro zéro six douze trente-quatre cinquante-six soixante-dix-huit, mon mail lina point r arobase exemple point com";
  it('accept what the transcript says', () => {
    expect(supportsPhone(text, '+33612345678')).toBe(true);
    expect(supportsEmail(text, 'lina.r@exemple.com')).toBe(true);
    expect(supportsEmail(text, 'linar@exemple.com')).toBe(true);
  });
  it('reject an invented or altered value', () => {
    expect(supportsPhone(text, '+33612345679')).toBe(false);
    expect(supportsPhone(text, '+261321234567')).toBe(false);
    expect(supportsEmail(text, 'lina.r@exemple.fr')).toBe(false);
    expect(supportsEmail(text, 'lina@gmail.com')).toBe(false);
    expect(supportsEmail('', 'lina@exemple.com')).toBe(false);
    expect(supportsPhone('', '+33612345678')).toBe(false);
  });
});
