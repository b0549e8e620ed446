import { isNo, isYes, yesNo } from '../../lib/french/yesno';

describe('yes / no', () => {
  it.each(['oui', 'Ouais !', "d'accord", "D’accord.", "c'est correct", 'exactement', 'tout à fait', 'oui oui', 'OK', 'bien sûr', "c'est ça", 'euh… oui'])(
    '%j is yes',
    (t) => {
      expect(isYes(t)).toBe(true);
      expect(isNo(t)).toBe(false);
    },
  );

  it.each(['non', 'Non merci.', 'pas du tout', "c'est faux", "pas d'accord", "ce n'est pas correct", "c'est pas ça", 'absolument pas', 'nan', 'pas tout à fait'])(
    '%j is no',
    (t) => {
      expect(isNo(t)).toBe(true);
      expect(isYes(t)).toBe(false);
    },
  );

  it.each(['', 'euh', 'bah…', 'nonante', 'je ne sais pas', 'ouistiti', 'nonobstant', 'peut-être'])('%j is neither', (t) => {
    expect(yesNo(t)).toBeNull();
    expect(isYes(t)).toBe(false);
    expect(isNo(t)).toBe(false);
  });

  it('"si" and "voilà" are answers only when short', () => {
    expect(yesNo('si')).toBe('yes');
    expect(yesNo('mais si !')).toBe('yes');
    expect(yesNo('voilà')).toBe('yes');
    expect(yesNo('si je peux venir plus tard')).toBeNull();
    expect(yesNo('alors voilà je voulais savoir')).toBeNull();
    expect(yesNo('si vous voulez, non')).toBe('no');
  });

  it('takes the last answer when the caller corrects themself', () => {
    expect(yesNo('non… enfin si, oui')).toBe('yes');
    expect(yesNo('oui, euh non')).toBe('no');
  });
});
