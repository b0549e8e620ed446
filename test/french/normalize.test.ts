import { containsWords, normalizeText } from '../../lib/french/normalize';

describe('normalizeText', () => {
  it.each([
    ['J’ai un Rendez-vous !', 'j ai un rendez vous'],
    ["D'accord, c'est ÉVIDENT…", 'd accord c est evident'],
    ['  après-midi   ', 'apres midi'],
    ['Œuvre', 'oeuvre'],
    ['06.12.34', '06 12 34'],
    ['', ''],
    ['?!', ''],
    ['Noël à Ambohimanarina', 'noel a ambohimanarina'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeText(input)).toBe(expected);
  });
});

describe('containsWords', () => {
  it('matches whole words only', () => {
    expect(containsWords('non merci', 'non')).toBe(true);
    expect(containsWords('nonante sept', 'non')).toBe(false);
    expect(containsWords('je veux un rendez vous', 'rendez vous')).toBe(true);
    expect(containsWords('je veux un rendez vous', 'vous un')).toBe(false);
    expect(containsWords('je veux un rendez vous', 'veux un')).toBe(true);
  });
  it('never matches an empty needle or haystack', () => {
    expect(containsWords('oui', '')).toBe(false);
    expect(containsWords('', 'oui')).toBe(false);
  });
});
