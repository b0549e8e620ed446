import { candidatesFor, normalize, resolveDtmf, resolveText } from '../../workflows/engine/intents';
import { machine, route } from './helpers';

describe('normalize', () => {
  test('lower case, accents and punctuation removed, blanks collapsed', () => {
    expect(normalize("  L'Après-Midi,   SVP ! ")).toBe('l apres midi svp');
    expect(normalize('Répète')).toBe('repete');
  });
});

describe('resolution scoped to a state', () => {
  const m = machine({
    states: {
      entry: {
        type: 'prompt_and_listen',
        routes: [route('take_appointment', 'x'), route('manage_team', 'x'), route('operator', 'x'), route('text:partager', 'x')],
      },
      slots: { type: 'prompt_and_listen', routes: [route('choose_first', 'x'), route('none_of_these', 'x')] },
      x: { type: 'prompt_end', prompt: 'fin' },
    },
    globalRoutes: [route('operator', 'x'), route('repeat', 'x')],
  });
  const entry = candidatesFor(m, m.states['entry']!);
  const slots = candidatesFor(m, m.states['slots']!);

  test('whole words only: "lien" is not found inside "liens" and "un" not inside "aucun"', () => {
    expect(resolveText(slots, 'aucun')?.id).toBe('none_of_these');
    expect(resolveText(slots, 'le premier')?.id).toBe('choose_first');
  });

  test('the longest matching utterance wins', () => {
    expect(resolveText(entry, 'je veux prendre rendez-vous')?.id).toBe('take_appointment');
    expect(resolveText(slots, 'aucun de ces créneaux, pas un seul')?.id).toBe('none_of_these');
  });

  test('on a tie the route listed first wins ("agent" is both manage_team and operator)', () => {
    expect(resolveText(entry, 'un agent')?.id).toBe('manage_team');
  });

  test('when_text routes match their text as whole words', () => {
    expect(resolveText(entry, 'je voudrais PARTAGER')?.id).toBe('text:partager');
    expect(resolveText(entry, 'partagerons')).toBeUndefined();
  });

  test('DTMF is an exact sequence of the intent, scoped: "1" is take_appointment here, choose_first there', () => {
    expect(resolveDtmf(entry, '1')?.id).toBe('take_appointment');
    expect(resolveDtmf(slots, '1')?.id).toBe('choose_first');
    expect(resolveDtmf(entry, '11')).toBeUndefined();
  });

  test('a global route colliding with the state (same intent, a shared key or utterance) does not apply there', () => {
    expect(entry.filter((c) => c.id === 'operator')).toHaveLength(1);
    expect(entry.find((c) => c.id === 'operator')?.global).toBe(false);
    // "0" belongs to none_of_these in the slots state: the state wins and the global operator route is out.
    expect(slots.find((c) => c.id === 'operator')).toBeUndefined();
    expect(resolveDtmf(slots, '0')?.id).toBe('none_of_these');
    expect(resolveText(slots, 'un conseiller')?.id).toBe('choose_first');
    // A global route that collides with nothing applies.
    expect(resolveDtmf(slots, '9')?.id).toBe('repeat');
    expect(resolveText(entry, 'pardon')?.id).toBe('repeat');
  });
});
