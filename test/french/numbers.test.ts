import { parseSpokenDigits, wordsToNumber } from '../../lib/french/numbers';

describe('parseSpokenDigits', () => {
  it.each([
    ['zéro six douze trente-quatre cinquante-six soixante-dix-huit', '0612345678'],
    ['zéro six, un deux, trente-quatre, cinquante-six, soixante-dix-huit', '0612345678'],
    ['06 12 trente-quatre 56 78', '0612345678'],
    ['zéro six un deux trois quatre cinq six sept huit', '0612345678'],
    ['plus deux cent soixante et un trente-deux douze trente-quatre cinq cent soixante-sept', '261321234567'],
    ['double zéro trente-trois six', '00336'],
    ['triple sept', '777'],
    ['quatre-vingt-dix-neuf, septante-sept, nonante', '997790'],
    ['mon code c’est le 4 5 6, euh, 7 8 9', '456789'],
    ['zéro trente-deux, zéro cinq, cent vingt-trois, quarante-cinq', '0320512345'],
    ['cinq, cent vingt-trois', '5123'],
    ['cinq cent vingt-trois', '523'],
    ['06.12.34.56.78', '0612345678'],
    ['vingt et un', '21'],
    ['quatre-vingts', '80'],
    ['quatre-vingt-un', '81'],
    ['soixante et onze', '71'],
    ['soixante-dix', '70'],
    ['dix-sept', '17'],
    ['un', '1'],
  ])('%j → %j', (input, expected) => {
    expect(parseSpokenDigits(input)).toBe(expected);
  });

  it.each([[''], ['bonjour'], ['euh, bah'], ["j'ai un rendez-vous"], ['une question'], ['non']])(
    'no number in %j',
    (input) => {
      expect(parseSpokenDigits(input)).toBeNull();
    },
  );
});

describe('wordsToNumber', () => {
  it.each([
    ['soixante-dix', 70],
    ['soixante et onze', 71],
    ['soixante-douze', 72],
    ['quatre-vingt-dix-neuf', 99],
    ['quatre-vingt-onze', 91],
    ['vingt et un', 21],
    ['trente et une', 31],
    ['cent', 100],
    ['cent un', 101],
    ['deux cents', 200],
    ['deux cent soixante et un', 261],
    ['cinq cent soixante-sept', 567],
    ['mille', 1000],
    ['deux mille vingt-six', 2026],
    ['nonante-sept', 97],
    ['septante', 70],
    ['huitante', 80],
    ['zéro', 0],
    ['42', 42],
    ['euh vingt', 20],
  ])('%j → %d', (input, expected) => {
    expect(wordsToNumber(input)).toBe(expected);
  });

  it.each([[''], ['bonjour'], ['vingt bonjour'], ['six douze'], ['trente-quatre cinquante-six'], ['non']])(
    '%j is not one number',
    (input) => {
      expect(wordsToNumber(input)).toBeNull();
    },
  );
});
