import { findPhonesInText, parsePhone, speakPhone, textSupportsPhone } from '../../lib/french/phone';

describe('parsePhone', () => {
  it.each([
    ['+261 32 12 34 567', '+261321234567'],
    ['06 12 34 56 78', '+33612345678'],
    ['0612345678', '+33612345678'],
    ['06.12.34.56.78', '+33612345678'],
    ['06-12-34-56-78', '+33612345678'],
    ['00 33 6 12 34 56 78', '+33612345678'],
    ['+33 6 12 34 56 78', '+33612345678'],
    ['plus deux cent soixante et un trente-deux douze trente-quatre cinq cent soixante-sept', '+261321234567'],
    ['zéro six douze trente-quatre cinquante-six soixante-dix-huit', '+33612345678'],
    ['zéro six un deux trois quatre cinq six sept huit', '+33612345678'],
    ["mon numéro c'est le 01 42 68 53 00, merci", '+33142685300'],
    ["c'est un zéro six douze trente-quatre cinquante-six soixante-dix-huit", '+33612345678'],
    ['plus trente-trois six douze trente-quatre cinquante-six soixante-dix-huit', '+33612345678'],
    ['deux cent soixante et un trente-deux douze trente-quatre cinq cent soixante-sept', '+261321234567'],
    ['zéro un, quarante-deux, soixante-huit, cinquante-trois, double zéro', '+33142685300'],
  ])('%j → %s', (input, e164) => {
    expect(parsePhone(input)).toEqual({ ok: true, e164 });
  });

  // A Malagasy mobile dictated as seed 000's callers do, and the forms a transcript gives it.
  it.each([
    ['plus deux cent soixante et un, trente-deux, quarante-cinq, six cent soixante-dix-huit, quatre-vingt-dix'],
    ['Plus deux cent soixante et un. Trente-deux. Quarante-cinq. Six cent soixante-dix-huit. Quatre-vingt-dix.'],
    ['plus deux cent soixante et un trente-deux quarante-cinq six cent soixante-dix-huit quatre-vingt-dix'],
    ['Plus 261, 32, 45, 678, 90'],
    ['+261 32 45 678 90'],
    ['double zéro deux cent soixante et un, trente-deux, quarante-cinq, six cent soixante-dix-huit, quatre-vingt-dix'],
    ['mon téléphone, plus deux cent soixante et un, trente deux, quarante cinq, six cent soixante dix huit, quatre vingt dix'],
  ])('%j → +261324567890 (FR or MG default)', (input) => {
    expect(parsePhone(input)).toEqual({ ok: true, e164: '+261324567890' });
    expect(parsePhone(input, { defaultRegion: 'MG' })).toEqual({ ok: true, e164: '+261324567890' });
  });

  it.each([
    ['zéro six, douze, trente-quatre, cinquante-six, soixante-dix-huit', '+33612345678'],
    ['zéro six un deux, trois quatre, cinq six, sept huit', '+33612345678'],
    ['plus trente-trois, zéro six, douze, trente-quatre, cinquante-six, soixante-dix-huit', '+33612345678'],
    ['double zéro trente-trois six douze trente-quatre cinquante-six soixante-dix-huit', '+33612345678'],
  ])('groups of two, digit by digit, "plus 33 0 6": %j → %s', (input, e164) => {
    expect(parsePhone(input)).toEqual({ ok: true, e164 });
  });

  it('reads digits said in groups of three when the first reading is no number', () => {
    // "034 05 123 45": "zéro cinq cent vingt-trois" is 0 523 on a first reading, 05 123 on the only valid one.
    const mg = 'zéro trente-quatre zéro cinq cent vingt-trois quarante-cinq';
    expect(parsePhone(mg, { defaultRegion: 'MG' })).toEqual({ ok: true, e164: '+261340512345' });
    expect(findPhonesInText(mg, { defaultRegion: 'MG' })).toEqual([{ e164: '+261340512345', from: 0, to: 10, partial: false, reread: true }]);
    expect(textSupportsPhone(mg, '+261340512345', { defaultRegion: 'MG' })).toBe(true);
    // "deux cents soixante et un" (a wrong plural) is 261, not 200 then 61.
    expect(parsePhone('plus deux cents soixante et un trente-deux douze trente-quatre cinq cent soixante-sept')).toEqual({ ok: true, e164: '+261321234567' });
  });

  it('does not guess between two valid groupings', () => {
    // 06 23 41 56 78 or 06 12 34 56 78: the caller is asked again.
    expect(parsePhone('zéro six cent vingt-trois quatre cent cinquante-six soixante-dix-huit').ok).toBe(false);
  });

  it('reads a national number in the default region', () => {
    expect(parsePhone('034 05 123 45', { defaultRegion: 'MG' })).toEqual({ ok: true, e164: '+261340512345' });
    expect(parsePhone('0612345678', { defaultRegion: 'MG' })).toEqual({ ok: false, reason: 'invalid_number' });
    expect(parsePhone('034 05 123 45', { defaultRegion: 'mg' })).toEqual({ ok: true, e164: '+261340512345' });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['bonjour', 'no_digits'],
    ['euh, je sais plus', 'no_digits'],
    ['12', 'too_short'],
    ['06 12 34', 'too_short'],
    ['0612345', 'too_short'],
    ['+33 06 12 34 56 78 90', 'too_long'],
    ['32 12 34 567', 'invalid_number'],
    ['0612345678901234567890', 'too_long'],
    ["j'ai 74 ans et j'habite au 12", 'too_short'],
  ])('%j fails with %s', (input, reason) => {
    expect(parsePhone(input)).toEqual({ ok: false, reason });
  });

  it('rejects a malformed region instead of guessing one', () => {
    expect(parsePhone('0612345678', { defaultRegion: 'France' })).toEqual({ ok: false, reason: 'bad_region' });
  });

  it('keeps the last number when several are said', () => {
    expect(parsePhone('06 12 34 56 78, enfin plutôt 06 12 34 56 79')).toEqual({ ok: true, e164: '+33612345679' });
    expect(findPhonesInText('fixe 01 23 45 67 89 et portable 06 23 45 67 89').map((p) => p.e164)).toEqual([
      '+33123456789',
      '+33623456789',
    ]);
  });
});

describe('textSupportsPhone', () => {
  it('finds a number in any grouping', () => {
    expect(textSupportsPhone('zéro six douze trente-quatre cinquante-six soixante-dix-huit', '+33612345678')).toBe(true);
    expect(textSupportsPhone('mon numéro 06 12 34 56 78', '+33612345678')).toBe(true);
    expect(textSupportsPhone('+261 32 12 34 567', '+261321234567')).toBe(true);
    expect(textSupportsPhone('deux cent soixante et un, trente-deux douze trente-quatre cinq cent soixante-sept', '+261321234567')).toBe(true);
  });
  it('rejects a number the text does not contain', () => {
    expect(textSupportsPhone('mon numéro 06 12 34 56 78', '+33612345679')).toBe(false);
    expect(textSupportsPhone('je m’appelle Lina', '+33612345678')).toBe(false);
    expect(textSupportsPhone('06 12 34 56 78', 'not a phone')).toBe(false);
    expect(textSupportsPhone('', '+33612345678')).toBe(false);
  });
});

describe('speakPhone', () => {
  it.each([
    ['+261321234567', 'plus 261 32 12 34 567'],
    ['+33612345678', '06 12 34 56 78'],
    ['+33142685300', '01 42 68 53 00'],
    ['+14155552671', 'plus 1 415 555 2671'],
  ])('%s → %j', (e164, spoken) => {
    expect(speakPhone(e164)).toBe(spoken);
  });
});
