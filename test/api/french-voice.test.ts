import { slotLabel, spokenTime, summaryVoice, voiceDetail } from '../../api/voice/french-voice';
import { callbackDeadline } from '../../api/routes/appointments';
import { maskEmail, maskPhone } from '../../api/routes/portal';

const Z = 'Europe/Paris';

describe('French text for the voice', () => {
  test('dates and times as spoken, in Paris time', () => {
    expect(slotLabel(new Date('2025-03-04T08:00:00Z'), 'home', Z)).toBe('mardi 4 mars à 9h, à domicile');
    expect(slotLabel(new Date('2025-07-01T12:30:00Z'), 'video', Z)).toBe('mardi 1er juillet à 14h30, en visio');
    expect(slotLabel(new Date('2025-11-03T07:05:00Z'), 'clinic', Z)).toBe('lundi 3 novembre à 8h05, au cabinet');
    expect(spokenTime(new Date('2025-03-30T23:00:00Z'), Z)).toBe('1h');
  });

  test('summaries for none, one and many', () => {
    const a = (iso: string, mode: 'home' | 'video' | 'clinic') => ({ start: new Date(iso), mode, state: 'pending' as const });
    expect(summaryVoice([], 'upcoming', Z)).toBe("Vous n'avez aucun rendez-vous à venir.");
    expect(summaryVoice([a('2025-03-04T08:00:00Z', 'home')], 'upcoming', Z)).toBe('Vous avez un rendez-vous : mardi 4 mars à 9h, à domicile.');
    expect(summaryVoice([a('2025-03-04T08:00:00Z', 'home'), a('2025-03-05T13:30:00Z', 'video'), a('2025-03-06T09:00:00Z', 'clinic')], 'upcoming', Z)).toBe(
      'Vous avez 3 rendez-vous. Premier : mardi 4 mars à 9h, à domicile. Deuxième : mercredi 5 mars à 14h30, en visio. Troisième : jeudi 6 mars à 10h, au cabinet.',
    );
    const twelve = Array.from({ length: 12 }, (_, i) => a(new Date(Date.UTC(2025, 2, 3 + i, 8)).toISOString(), 'clinic'));
    expect(summaryVoice(twelve, 'upcoming', Z)).toMatch(/^Vous avez 12 rendez-vous\. Premier : .* Dixième : .*\. Et 2 autres\.$/);
  });

  test('detail says the state, or that it took place', () => {
    const appt = { start: new Date('2025-03-04T08:00:00Z'), stop: new Date('2025-03-04T08:30:00Z'), mode: 'video' as const, state: 'confirmed' as const };
    expect(voiceDetail(appt, Z, new Date('2025-03-01T00:00:00Z'))).toBe("Votre rendez-vous du mardi 4 mars à 9h, en visio, d'une durée de 30 minutes, est confirmé.");
    expect(voiceDetail(appt, Z, new Date('2025-03-05T00:00:00Z'))).toBe("Votre rendez-vous du mardi 4 mars à 9h, en visio, d'une durée de 30 minutes, a eu lieu.");
  });

  test('callback due today before the cut-off on a weekday, else the next weekday', () => {
    expect(callbackDeadline(new Date('2030-03-01T09:00:00Z'), Z, 16)).toBe('2030-03-01'); // Friday 10h
    expect(callbackDeadline(new Date('2030-03-01T16:00:00Z'), Z, 16)).toBe('2030-03-04'); // Friday 17h → Monday
    expect(callbackDeadline(new Date('2030-03-02T09:00:00Z'), Z, 16)).toBe('2030-03-04'); // Saturday → Monday
    expect(callbackDeadline(new Date('2030-03-04T22:30:00Z'), Z, 16)).toBe('2030-03-05'); // Monday 23h30 → Tuesday
  });

  test('masks keep only what lets a person recognise their own data', () => {
    expect(maskPhone('+33612345678')).toBe('+33•••••••78');
    expect(maskPhone('06 98 76 54 32')).toBe('06••••••32');
    expect(maskEmail('claire.martin@exemple.fr')).toBe('c•••@e•••.fr');
    expect(maskEmail(null)).toBeNull();
  });
});
