import { DEFAULT_WINDOW_DAYS, parseDateWindow } from '../../lib/french/dates';

// Wednesday 18 November 2026, 10:00 in Paris.
const NOW = '2026-11-18T10:00:00+01:00';
const TZ = 'Europe/Paris';
const at = (text: string, now = NOW, tz = TZ) => parseDateWindow(text, now, tz);

describe('parseDateWindow (Wednesday 2026-11-18, Paris)', () => {
  it.each([
    // one named day → that day + DEFAULT_WINDOW_DAYS
    ['lundi prochain', '2026-11-23', '2026-12-07'],
    ['à partir de lundi prochain', '2026-11-23', '2026-12-07'],
    ['Mardi.', '2026-11-24', '2026-12-08'],
    ['mercredi', '2026-11-25', '2026-12-09'],
    ['ce mercredi', '2026-11-18', '2026-12-02'],
    ['demain', '2026-11-19', '2026-12-03'],
    ['après-demain', '2026-11-20', '2026-12-04'],
    ['Après demain matin', '2026-11-20', '2026-12-04'],
    ["aujourd'hui", '2026-11-18', '2026-12-02'],
    ['le 4 mars', '2027-03-04', '2027-03-18'],
    ['le quatre mars', '2027-03-04', '2027-03-18'],
    ['le vingt-sept novembre', '2026-11-27', '2026-12-11'],
    ['le premier décembre', '2026-12-01', '2026-12-15'],
    ['le 1er décembre', '2026-12-01', '2026-12-15'],
    ['le 3 janvier 2027', '2027-01-03', '2027-01-17'],
    ['à partir du 12', '2026-12-12', '2026-12-26'],
    ['à partir du 25', '2026-11-25', '2026-12-09'],
    ['le lundi 30', '2026-11-30', '2026-12-14'],
    ['lundi en huit', '2026-11-30', '2026-12-14'],
    ['jeudi de la semaine prochaine', '2026-11-26', '2026-12-10'],
    ['le 04/12', '2026-12-04', '2026-12-18'],
    ['dans trois jours', '2026-11-21', '2026-12-05'],
    // modifiers
    ['seulement le 4 décembre', '2026-12-04', '2026-12-04'],
    ['uniquement mardi', '2026-11-24', '2026-11-24'],
    ['avant le 25', '2026-11-19', '2026-11-24'],
    ['après le 25', '2026-11-26', '2026-12-10'],
    ['pas avant lundi', '2026-11-23', '2026-12-07'],
    // spans
    ['dès que possible', '2026-11-19', '2026-12-02'],
    ['le plus tôt possible', '2026-11-19', '2026-12-02'],
    ["n'importe quand", '2026-11-19', '2026-12-02'],
    ['euh je sais pas', '2026-11-19', '2026-12-02'],
    ['la semaine prochaine', '2026-11-23', '2026-11-29'],
    ['dans deux semaines', '2026-11-30', '2026-12-06'],
    ['dans quinze jours', '2026-11-30', '2026-12-06'],
    ['cette semaine', '2026-11-18', '2026-11-22'],
    ['ce week-end', '2026-11-21', '2026-11-22'],
    ['début avril', '2027-04-01', '2027-04-10'],
    ['mi-décembre', '2026-12-11', '2026-12-20'],
    ['fin décembre', '2026-12-21', '2026-12-31'],
    ['fin du mois', '2026-11-21', '2026-11-30'],
    ['début du mois prochain', '2026-12-01', '2026-12-10'],
    ['le mois prochain', '2026-12-01', '2026-12-31'],
    ['en janvier', '2027-01-01', '2027-01-31'],
    ['du 4 au 10 décembre', '2026-12-04', '2026-12-10'],
    ['entre le 2 et le 5', '2026-12-02', '2026-12-05'],
    ['la semaine du 7 décembre', '2026-12-07', '2026-12-13'],
  ])('%j → %s … %s', (text, from, to) => {
    expect(at(text)).toEqual({ from, to });
  });

  it.each([[''], ['bonjour'], ['euh'], ['hier'], ['je voudrais un conseiller'], ['nonante'], ['à 14 heures'], ['le 31 février'], ['le 30 février 2027']])('%j → null', (text) => {
    expect(at(text)).toBeNull();
  });

  it('opens a single-day window of DEFAULT_WINDOW_DAYS days', () => {
    expect(DEFAULT_WINDOW_DAYS).toBe(14);
  });

  it('throws on a bad clock or zone (configuration bug), never guesses', () => {
    expect(() => at('demain', 'pas une date')).toThrow(RangeError);
    expect(() => at('demain', NOW, 'Europe/Nowhere')).toThrow(/time zone/);
  });
});

describe('time zones: the day is the one of the given zone, never the machine', () => {
  // Sunday 22 November 23:30 UTC = Monday 23 November 00:30 in Paris, 02:30 in Antananarivo.
  const nearMidnight = '2026-11-22T23:30:00Z';
  it.each([
    ['Europe/Paris', 'demain', '2026-11-24'],
    ['UTC', 'demain', '2026-11-23'],
    ['Indian/Antananarivo', 'demain', '2026-11-24'],
    ['America/Cayenne', 'demain', '2026-11-23'],
    ['Europe/Paris', 'lundi prochain', '2026-11-30'],
    ['UTC', 'lundi prochain', '2026-11-23'],
    ['Europe/Paris', "aujourd'hui", '2026-11-23'],
    ['UTC', "aujourd'hui", '2026-11-22'],
  ])('%s: %j starts %s', (tz, text, from) => {
    expect(parseDateWindow(text, nearMidnight, tz)?.from).toBe(from);
  });

  it('the week is the zone’s week', () => {
    expect(parseDateWindow('cette semaine', nearMidnight, 'Europe/Paris')).toEqual({ from: '2026-11-23', to: '2026-11-29' });
    expect(parseDateWindow('cette semaine', nearMidnight, 'UTC')).toEqual({ from: '2026-11-22', to: '2026-11-22' });
  });

  it('the same instant written with another offset gives the same window', () => {
    expect(parseDateWindow('demain', '2026-11-23T00:30:00+01:00', 'Europe/Paris')).toEqual(
      parseDateWindow('demain', '2026-11-22T23:30:00Z', 'Europe/Paris'),
    );
  });

  it('crosses the daylight-saving change without losing a day', () => {
    // Saturday 28 March 2026 in Paris; clocks go forward on Sunday 29.
    expect(parseDateWindow('demain', '2026-03-28T23:30:00+01:00', 'Europe/Paris')).toEqual({ from: '2026-03-29', to: '2026-04-12' });
    expect(parseDateWindow('lundi', '2026-03-28T12:00:00+01:00', 'Europe/Paris')?.from).toBe('2026-03-30');
  });

  it('rolls over the year end', () => {
    expect(parseDateWindow('le 2 janvier', '2026-12-31T22:00:00Z', 'UTC')).toEqual({ from: '2027-01-02', to: '2027-01-16' });
    // 31 Dec 23:30 UTC is already 1 January in Paris: "le 2 janvier" is tomorrow there.
    expect(parseDateWindow('demain', '2026-12-31T23:30:00Z', 'Europe/Paris')?.from).toBe('2027-01-02');
  });
});
